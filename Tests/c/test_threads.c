/*
 * test_threads.c: pdcost.h says every function may be called from any thread, handles are
 * shareable, and the error message is per thread. Eight threads hammer the library at once
 * (creating and freeing models, looking up GPUs, computing FLOPs, rendering JSON, pricing a
 * plan with a shared cost model, failing on purpose) and each must get exactly the results of
 * a serial run, and its own error messages.
 */
#define _POSIX_C_SOURCE 200809L
#include "pdcost.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 8, ROUNDS = 40 };

static const char *const presets[] = {"llama3-8b", "deepseek-v3", "qwen3-30b-a3b", "gpt2",
                                      "mixtral-8x7b", "llama3.1-405b"};
enum { PRESETS = sizeof presets / sizeof presets[0] };

/* Everything one round computes. */
typedef struct result {
    pdcost_param_counts counts[PRESETS];
    pdcost_flops flops[PRESETS];
    pdcost_flops shared_flops;        /* from a handle shared by all threads */
    unsigned long json_hash[PRESETS]; /* analysis JSON */
    pdcost_gpu_spec gpu;
    pdcost_prediction prediction;     /* from a cost model shared by all threads */
    int own_error_ok;                 /* the thread saw its own message, not another's */
    int statuses_ok;
} result;

static pdcost_model *shared_model;
static pdcost_cost_model *shared_cost;

static unsigned long hash_string(const char *s) {
    unsigned long h = 5381;
    for (; s != NULL && *s != '\0'; s++) h = h * 33 + (unsigned char)*s;
    return h;
}

static void run_round(int thread, result *r) {
    memset(r, 0, sizeof *r);
    r->statuses_ok = 1;
    for (int i = 0; i < PRESETS; i++) {
        pdcost_model *model = NULL;
        if (pdcost_model_from_preset(&model, presets[i]) != PDCOST_OK) r->statuses_ok = 0;
        /* Filled in place (not copied from a local) so that memcmp sees no stray padding. */
        r->counts[i].size = sizeof r->counts[i];
        r->counts[i].version = PDCOST_PARAM_COUNTS_VERSION;
        if (pdcost_model_param_counts(&r->counts[i], model) != PDCOST_OK) r->statuses_ok = 0;
        r->flops[i].size = sizeof r->flops[i];
        r->flops[i].version = PDCOST_FLOPS_VERSION;
        if (pdcost_model_flops_per_token(&r->flops[i], model, 8192, PDCOST_MASK_CAUSAL) != PDCOST_OK) r->statuses_ok = 0;
        char *json = NULL;
        if (pdcost_model_analysis_json(&json, model, 4096) != PDCOST_OK) r->statuses_ok = 0;
        r->json_hash[i] = hash_string(json);
        pdcost_string_free(json);
        pdcost_model_free(model);
    }
    r->shared_flops.size = sizeof r->shared_flops;
    r->shared_flops.version = PDCOST_FLOPS_VERSION;
    if (pdcost_model_flops_per_token(&r->shared_flops, shared_model, 2048, PDCOST_MASK_FULL) != PDCOST_OK) r->statuses_ok = 0;
    r->gpu.size = sizeof r->gpu;
    r->gpu.version = PDCOST_GPU_SPEC_VERSION;
    if (pdcost_gpu_from_name(&r->gpu, "H100-80GB-HBM3") != PDCOST_OK) r->statuses_ok = 0;
    pdcost_plan plan;
    pdcost_plan_init(&plan);
    plan.tp = 2;
    plan.dp = 4;
    plan.sequence_parallel = 1;
    pdcost_prediction_init(&r->prediction);
    if (pdcost_cost_model_predict(&r->prediction, shared_cost, &plan) != PDCOST_OK) r->statuses_ok = 0;

    /* A failure whose message names this thread; no other thread may overwrite it. */
    char name[64];
    snprintf(name, sizeof name, "missing-preset-of-thread-%d", thread);
    pdcost_model *model = NULL;
    if (pdcost_model_from_preset(&model, name) != PDCOST_ENOTFOUND) r->statuses_ok = 0;
    sched_yield();
    r->own_error_ok = strstr(pdcost_last_error(), name) != NULL;
}

typedef struct job {
    int thread;
    const result *expected;
    int mismatches;
} job;

static void *worker(void *argument) {
    job *j = argument;
    for (int round = 0; round < ROUNDS; round++) {
        result r;
        run_round(j->thread, &r);
        /* own_error_ok compares equal: both runs must have it set. */
        if (memcmp(&r, j->expected, sizeof r) != 0 || !r.own_error_ok || !r.statuses_ok) j->mismatches++;
    }
    return NULL;
}

int main(void) {
    if (pdcost_model_from_preset(&shared_model, "qwen3-235b-a22b") != PDCOST_OK) {
        fprintf(stderr, "setup: %s\n", pdcost_last_error());
        return 1;
    }
    {
        pdcost_model *model = NULL;
        pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
        pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
        cluster.num_gpus = 8;
        setup.seq_len = 4096;
        setup.global_batch_size = 64;
        if (pdcost_model_from_preset(&model, "llama3-8b") != PDCOST_OK ||
            pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB") != PDCOST_OK ||
            pdcost_cost_model_create(&shared_cost, model, &cluster, &setup, NULL) != PDCOST_OK) {
            fprintf(stderr, "setup: %s\n", pdcost_last_error());
            return 1;
        }
        pdcost_model_free(model);
    }
    /* The serial reference. */
    static result expected;
    run_round(0, &expected);
    if (!expected.statuses_ok || !expected.own_error_ok || expected.counts[0].total != 8030261248ULL ||
        !(expected.prediction.step_time_s > 0)) {
        fprintf(stderr, "serial run failed: %s\n", pdcost_last_error());
        return 1;
    }

    pthread_t threads[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.thread = i, .expected = &expected, .mismatches = 0};
        if (pthread_create(&threads[i], NULL, worker, &jobs[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    int mismatches = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].mismatches) fprintf(stderr, "thread %d: %d rounds differ from the serial run\n", i, jobs[i].mismatches);
        mismatches += jobs[i].mismatches;
    }
    pdcost_model_free(shared_model);
    pdcost_cost_model_free(shared_cost);
    printf("%d threads x %d rounds: %d mismatches\n", THREADS, ROUNDS, mismatches);
    return mismatches == 0 ? 0 : 1;
}
