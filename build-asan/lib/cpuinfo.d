build-asan/lib/cpuinfo.o: lib/cpuinfo.c lib/cpuinfo.h lib/root.h
