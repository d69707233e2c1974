build-dev/lib/journal_file.o: lib/journal_file.c lib/journal.h \
 lib/journal_kinds.h lib/persist.h lib/root.h lib/target.h
