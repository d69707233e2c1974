build-asan/lib/cgroup.o: lib/cgroup.c lib/cgroup.h lib/root.h lib/sysfs.h
