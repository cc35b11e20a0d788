/*
 * test_dlclose.c: pdcost.h promises that no library thread outlives a call, so a host may
 * dlclose libpdcost between calls (plugin hosts do). Five rounds: dlopen the built library
 * (its path is argv[1]), look the functions up with dlsym, run 4-thread searches from the main
 * thread and from a host thread, free everything, dlclose. A worker thread left parked inside
 * the library (a libdispatch pool did that) wakes up in unmapped code and the process dies of
 * SIGSEGV; so after the last dlclose the test lingers past libdispatch's idle-thread timeout.
 *
 * Whether dlclose really unmaps the library (glibc keeps it while TLS destructors it
 * registered are pending, and a NODELETE object never goes) is reported, not required: the
 * promise is only that dlclose is safe.
 */
#define _POSIX_C_SOURCE 200809L
#include "pdcost.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "search_fixture.h"

enum { ROUNDS = 5, LINGER_MS = 6000 };

typedef struct api {
    const char *(*last_error)(void);
    pdcost_status (*model_from_preset)(pdcost_model **, const char *);
    void (*model_free)(pdcost_model *);
    pdcost_status (*gpu_from_name)(pdcost_gpu_spec *, const char *);
    pdcost_status (*cost_model_create)(pdcost_cost_model **, const pdcost_model *,
                                       const pdcost_cluster *, const pdcost_training_setup *,
                                       const pdcost_cost_model_options *);
    void (*cost_model_free)(pdcost_cost_model *);
    pdcost_status (*search_run)(pdcost_search_result **, const pdcost_cost_model *,
                                const pdcost_search_options *);
    size_t (*result_count)(const pdcost_search_result *);
    void (*result_free)(pdcost_search_result *);
} api;

static int failures;

#define REQUIRE(cond, what)                                                     \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, (what));  \
            failures++;                                                         \
        }                                                                       \
    } while (0)

/* dlsym returns void *; C99 has no cast from it to a function pointer, so copy the bits. */
static int lookup(void *library, const char *name, void *slot, size_t slot_size) {
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
        failures++;
        return -1;
    }
    memcpy(slot, &symbol, slot_size);
    return 0;
}

#define LOOKUP(lib, field, name) lookup((lib), (name), (void *)&a->field, sizeof a->field)

static int load(void *library, api *a) {
    int bad = 0;
    bad |= LOOKUP(library, last_error, "pdcost_last_error");
    bad |= LOOKUP(library, model_from_preset, "pdcost_model_from_preset");
    bad |= LOOKUP(library, model_free, "pdcost_model_free");
    bad |= LOOKUP(library, gpu_from_name, "pdcost_gpu_from_name");
    bad |= LOOKUP(library, cost_model_create, "pdcost_cost_model_create");
    bad |= LOOKUP(library, cost_model_free, "pdcost_cost_model_free");
    bad |= LOOKUP(library, search_run, "pdcost_search_run");
    bad |= LOOKUP(library, result_count, "pdcost_search_result_count");
    bad |= LOOKUP(library, result_free, "pdcost_search_result_free");
    return bad;
}

/* One multi-threaded search from start to finish; the number of plans found (0 on error). */
static size_t search_once(const api *a) {
    pdcost_model *model = NULL;
    if (a->model_from_preset(&model, SEARCH_FIXTURE_PRESET) != PDCOST_OK) {
        fprintf(stderr, "model: %s\n", a->last_error());
        return 0;
    }
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    pdcost_cost_model *cost = NULL;
    size_t count = 0;
    if (a->gpu_from_name(&cluster.gpu, SEARCH_FIXTURE_GPU) == PDCOST_OK) {
        cluster.num_gpus = SEARCH_FIXTURE_GPUS;
        setup.seq_len = SEARCH_FIXTURE_SEQ;
        setup.global_batch_size = SEARCH_FIXTURE_BATCH;
        if (a->cost_model_create(&cost, model, &cluster, &setup, NULL) == PDCOST_OK) {
            pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
            search_fixture_options(&o, 4);
            pdcost_search_result *result = NULL;
            if (a->search_run(&result, cost, &o) == PDCOST_OK) {
                count = a->result_count(result);
            }
            a->result_free(result);
        }
    }
    if (count == 0) fprintf(stderr, "search: %s\n", a->last_error());
    a->cost_model_free(cost);
    a->model_free(model);
    return count;
}

typedef struct host_job {
    const api *a;
    size_t count;
} host_job;

static void *host_thread(void *arg) {
    host_job *job = (host_job *)arg;
    job->count = search_once(job->a);
    return NULL;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s path/to/libpdcost.so\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t first = 0;
    int unloaded = 0;
    for (int round = 0; round < ROUNDS; round++) {
        void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            fprintf(stderr, "dlopen(%s): %s\n", path, dlerror());
            return 1;
        }
        api a;
        memset(&a, 0, sizeof a);
        if (load(library, &a) != 0) return 1;

        size_t count = search_once(&a);
        REQUIRE(count > 0, "a 4-thread search on the main thread");
        if (round == 0) first = count;
        REQUIRE(count == first, "the same result in every round");

        /* A host thread that searches and has exited before dlclose. */
        host_job job = {&a, 0};
        pthread_t thread;
        REQUIRE(pthread_create(&thread, NULL, host_thread, &job) == 0, "pthread_create");
        REQUIRE(pthread_join(thread, NULL) == 0, "pthread_join");
        REQUIRE(job.count == first, "a 4-thread search on a host thread");

        REQUIRE(dlclose(library) == 0, "dlclose");
        /* RTLD_NOLOAD finds the library only if it is still mapped. */
        void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
        if (still == NULL) {
            unloaded++;
        } else {
            dlclose(still);
        }
        sleep_ms(50); /* a stray thread would now run in unmapped (or remapped) code */
    }
    printf("test_dlclose: library unmapped by %d of %d dlclose calls\n", unloaded, ROUNDS);
    sleep_ms(LINGER_MS); /* past libdispatch's 5 s idle timeout for pool threads */
    printf("test_dlclose: %d rounds, %d failed\n", ROUNDS, failures);
    return failures == 0 ? 0 : 1;
}
