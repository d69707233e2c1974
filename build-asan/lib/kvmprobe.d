build-asan/lib/kvmprobe.o: lib/kvmprobe.c lib/kvmprobe.h
