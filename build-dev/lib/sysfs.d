build-dev/lib/sysfs.o: lib/sysfs.c lib/sysfs.h lib/target.h
