build-asan/lib/sriov.o: lib/sriov.c lib/sriov.h lib/journal.h lib/lock.h \
 lib/pci.h lib/sysfs.h
