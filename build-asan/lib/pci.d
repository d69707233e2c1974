build-asan/lib/pci.o: lib/pci.c lib/pci.h lib/root.h lib/sysfs.h
