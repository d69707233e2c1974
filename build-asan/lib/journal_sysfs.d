build-asan/lib/journal_sysfs.o: lib/journal_sysfs.c lib/journal.h \
 lib/journal_kinds.h lib/sysfs.h
