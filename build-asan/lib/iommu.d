build-asan/lib/iommu.o: lib/iommu.c lib/iommu.h lib/pci.h lib/sysfs.h
