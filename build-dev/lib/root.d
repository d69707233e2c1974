build-dev/lib/root.o: lib/root.c lib/root.h lib/target.h
