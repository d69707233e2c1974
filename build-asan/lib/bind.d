build-asan/lib/bind.o: lib/bind.c lib/bind.h lib/pci.h lib/journal.h \
 lib/sysfs.h
