build-dev/lib/module.o: lib/module.c lib/module.h lib/target.h lib/root.h \
 lib/sysfs.h
