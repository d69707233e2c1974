build-asan/lib/change.o: lib/change.c lib/change.h lib/journal.h \
 lib/err.h lib/exitcodes.h lib/lock.h
