build-asan/lib/lock.o: lib/lock.c lib/lock.h lib/root.h
