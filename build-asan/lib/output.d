build-asan/lib/output.o: lib/output.c lib/output.h lib/err.h
