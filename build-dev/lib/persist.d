build-dev/lib/persist.o: lib/persist.c lib/persist.h lib/ids.h \
 lib/rfile.h lib/root.h lib/target.h
