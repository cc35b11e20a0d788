/*
 * malloc_count.c: an LD_PRELOAD shim that counts heap allocations, so `pdcost-bench time` can
 * show that evaluating a plan allocates nothing (Sources/PDCostBench/Timing.swift reads the
 * counter through `pdcost_bench_malloc_count`).
 *
 *   cc -shared -fPIC -O2 -o /tmp/malloc_count.so scripts/malloc_count.c -ldl
 *   LD_PRELOAD=/tmp/malloc_count.so .build/release/pdcost-bench time
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

static atomic_ulong count;

unsigned long pdcost_bench_malloc_count(void) { return atomic_load(&count); }

void *malloc(size_t size) {
    static void *(*real)(size_t);
    if (!real) real = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    atomic_fetch_add(&count, 1);
    return real(size);
}

void *realloc(void *p, size_t size) {
    static void *(*real)(void *, size_t);
    if (!real) real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    atomic_fetch_add(&count, 1);
    return real(p, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    static int (*real)(void **, size_t, size_t);
    if (!real) real = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    atomic_fetch_add(&count, 1);
    return real(out, alignment, size);
}
