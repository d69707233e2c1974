build-dev/lib/inuse.o: lib/inuse.c lib/inuse.h lib/net.h lib/pci.h \
 lib/root.h lib/sysfs.h
