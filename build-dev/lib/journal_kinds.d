build-dev/lib/journal_kinds.o: lib/journal_kinds.c lib/journal_kinds.h
