build-asan/lib/meminfo.o: lib/meminfo.c lib/meminfo.h lib/root.h \
 lib/sysfs.h
