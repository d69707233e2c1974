build-asan/lib/ids.o: lib/ids.c lib/ids.h
