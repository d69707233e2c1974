build-dev/lib/journal_netsnap.o: lib/journal_netsnap.c \
 lib/journal_kinds.h lib/link.h lib/netsnap.h
