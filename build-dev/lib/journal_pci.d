build-dev/lib/journal_pci.o: lib/journal_pci.c lib/journal_kinds.h \
 lib/bind.h lib/pci.h
