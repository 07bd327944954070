#ifndef IRRIZONE_CJEMALLOC_H
#define IRRIZONE_CJEMALLOC_H

// jemalloc's start-up options (jemalloc_config.c). This target links jemalloc on Linux.
extern const char *malloc_conf;

#endif
