build-asan/lib/bootcfg.o: lib/bootcfg.c lib/bootcfg.h lib/root.h \
 lib/target.h
