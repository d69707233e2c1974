build-dev/lib/cmdline.o: lib/cmdline.c lib/cmdline.h lib/root.h
