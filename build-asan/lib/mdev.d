build-asan/lib/mdev.o: lib/mdev.c lib/mdev.h lib/bind.h lib/pci.h \
 lib/ids.h lib/persist.h lib/journal.h lib/rfile.h lib/root.h lib/sysfs.h
