build-asan/lib/rfile.o: lib/rfile.c lib/rfile.h lib/root.h
