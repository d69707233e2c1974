build-dev/lib/journal_mdev.o: lib/journal_mdev.c lib/journal_kinds.h \
 lib/sysfs.h
