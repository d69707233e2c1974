build-dev/lib/acpi.o: lib/acpi.c lib/acpi.h
