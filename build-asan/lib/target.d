build-asan/lib/target.o: lib/target.c lib/target.h lib/exitcodes.h
