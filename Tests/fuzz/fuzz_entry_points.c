/*
 * libFuzzer target over every pdcost entry point that takes caller bytes:
 *   - pdcost_model_from_json   (the input as a config.json document, with its length)
 *   - pdcost_model_from_file   (the input written to a file; and the input as a path below a
 *                                directory that does not exist, so no real file is touched)
 *   - pdcost_model_from_preset (the input as a NUL-terminated name)
 *   - pdcost_gpu_from_name     (the input as a NUL-terminated name)
 *   - pdcost_validate_runs     (the input as a measured-runs document; when the header has it)
 *   - pdcost_profile_check, pdcost_cost_model_create_with_profile (the input as a calibration
 *                                profile over a small fixed model, cluster and setup)
 *   - pdcost_validate_runs_with_profile (fixed runs under the input profile; the input as runs)
 *   - pdcost_fit_runs           (the input as runs; options, parameter list and a cancelling
 *                                progress callback from the input)
 *   - pdcost_search_run         (options from the input: limits, lists, top_k, margins, threads,
 *                                flags, size/version) and every result accessor, indices in and
 *                                out of range
 *   - pdcost_gpu_calibrate      (options from the input; only where pdcost_cuda_available finds
 *                                no GPU, so it never benchmarks)
 * and, for every model that loads, every getter with arguments derived from the input
 * (sequence lengths and mask values in and out of range, struct sizes and versions).
 *
 * The library promises that no input traps; a Swift trap shows up here as a crash. Beyond not
 * crashing, the target checks contracts from pdcost.h and aborts when one breaks:
 *   - a failed call leaves a non-empty message and its out-parameter untouched;
 *   - the canonical JSON of a model loads back to a model with the same counts
 *     (PDCOST_FUZZ_ROUNDTRIP=0 in the environment turns this check off).
 */
#include "pdcost.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char file_path[256];
static int check_round_trip;

static void fail(const char *what) {
    fprintf(stderr, "contract violated: %s (last error: %s)\n", what, pdcost_last_error());
    abort();
}

static void check_failure(pdcost_status status) {
    if (status != PDCOST_OK && pdcost_last_error()[0] == '\0') fail("failure without a message");
    if (status == PDCOST_OK && pdcost_last_error()[0] != '\0') fail("success with a message");
}

/* A 64-bit value from the input (FNV-1a), to pick arguments deterministically. */
static uint64_t hash_bytes(const uint8_t *data, size_t size) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ULL;
    return h;
}

static void exercise_model(pdcost_model *model, uint64_t h) {
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    check_failure(pdcost_model_param_counts(model, &counts));
    if (counts.total > counts.total + counts.mtp || counts.active > counts.total) fail("active > total");

    /* Sequence lengths: a valid one, and the raw hash (mostly out of range). */
    uint64_t lengths[2] = {1 + (h % (1ULL << 31)), h};
    for (int i = 0; i < 2; i++) {
        pdcost_flops flops = PDCOST_FLOPS_INIT;
        pdcost_attention_mask mask = (pdcost_attention_mask)((h >> 40) % 3); /* 2 is invalid */
        pdcost_status s = pdcost_model_flops_per_token(model, lengths[i], mask, &flops);
        check_failure(s);
        if (s == PDCOST_OK && !(flops.training >= 0.0)) fail("negative or NaN FLOPs");
        char *analysis = NULL;
        s = pdcost_model_analysis_json(model, lengths[i], &analysis);
        check_failure(s);
        if ((s == PDCOST_OK) != (analysis != NULL)) fail("analysis_json out-parameter");
        pdcost_string_free(analysis);
    }

    /* A struct with a size/version from the input: rejected or filled, never overrun. */
    struct { pdcost_param_counts counts; uint64_t guard; } padded;
    memset(&padded, 0xAB, sizeof padded);
    padded.counts.size = (uint32_t)(h % (sizeof padded.counts + 1));
    padded.counts.version = (uint32_t)((h >> 8) % 3);
    pdcost_status s = pdcost_model_param_counts(model, &padded.counts);
    check_failure(s);
    if (padded.guard != 0xABABABABABABABABULL) fail("wrote past the struct");
    if (s == PDCOST_OK) {
        /* Bytes beyond the caller's size stay as they were. */
        const unsigned char *bytes = (const unsigned char *)&padded.counts;
        for (size_t i = padded.counts.size; i < sizeof padded.counts; i++) {
            if (bytes[i] != 0xAB) fail("wrote past the caller's size");
        }
    }

    char *json = NULL;
    check_failure(pdcost_model_to_json(model, &json));
    if (json == NULL) fail("to_json returned NULL");
    if (!check_round_trip) {
        pdcost_string_free(json);
        return;
    }

    /* The canonical JSON loads back to the same counts. */
    pdcost_model *again = NULL;
    s = pdcost_model_from_json(&again, json, strlen(json));
    if (s != PDCOST_OK) {
        fprintf(stderr, "canonical JSON:\n%s\n", json);
        fail("canonical JSON does not load back");
    }
    pdcost_param_counts counts2 = PDCOST_PARAM_COUNTS_INIT;
    check_failure(pdcost_model_param_counts(again, &counts2));
    if (memcmp(&counts, &counts2, sizeof counts) != 0) {
        fprintf(stderr, "canonical JSON:\n%s\ntotal %llu vs %llu\n", json,
                (unsigned long long)counts.total, (unsigned long long)counts2.total);
        fail("canonical JSON loads back to different counts");
    }
    pdcost_string_free(json);
    pdcost_model_free(again);
}

/* ------------------------------------------------------------------------------------------ */
/* Calibration profiles, fitting, plan search and GPU calibration                              */
/* ------------------------------------------------------------------------------------------ */

/* Fixed, small inputs the fuzzed bytes are combined with: a 16-layer dense model and a 4-layer
 * MoE model (so expert parallelism is searched), and a two-run measured-runs file. Small so that
 * one input stays well under 100 ms (a search over them prices a few thousand plans). */
static const char *dense_json =
    "{\"model_type\": \"llama\", \"num_hidden_layers\": 16, \"hidden_size\": 2048, "
    "\"intermediate_size\": 8192, \"num_attention_heads\": 16, \"num_key_value_heads\": 8, "
    "\"head_dim\": 128, \"vocab_size\": 32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}";
static const char *moe_json =
    "{\"model_type\": \"mixtral\", \"num_hidden_layers\": 4, \"hidden_size\": 1024, "
    "\"intermediate_size\": 2048, \"num_attention_heads\": 8, \"num_key_value_heads\": 4, "
    "\"num_local_experts\": 8, \"num_experts_per_tok\": 2, \"vocab_size\": 32000, "
    "\"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}";
#define RUN_RECORD(id, gpu, tp, dp, seq, tokens)                                                  \
    "{\"id\": \"" id "\", \"source\": \"fuzz@0\", \"kind\": \"training\", \"model\": {\"model_type\": " \
    "\"llama\", \"num_hidden_layers\": 16, \"hidden_size\": 2048, \"intermediate_size\": 8192, "     \
    "\"num_attention_heads\": 16, \"num_key_value_heads\": 8, \"head_dim\": 128, \"vocab_size\": "   \
    "32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}, \"hardware\": {\"gpu\": \""    \
    gpu "\", \"num_gpus\": 8, \"gpus_per_node\": 8}, \"parallel\": {\"tp\": " tp ", \"pp\": 1, "     \
    "\"vpp\": 1, \"dp\": " dp ", \"cp\": 1, \"ep\": 1, \"sequence_parallel\": false, \"zero_stage\": " \
    "1, \"fsdp\": false}, \"training\": {\"seq_len\": " seq ", \"micro_batch_size\": 1, "              \
    "\"global_batch_size\": 64, \"dtype\": \"bf16\", \"recompute\": \"none\"}, \"framework\": "       \
    "\"megatron\", \"measured\": {\"tokens_per_s_per_gpu\": " tokens "}, \"complete\": true}"
static const char *fixed_runs_json =
    "{\"schema\": \"pdcost.runs/1\", \"runs\": [" RUN_RECORD("a", "H100-SXM-80GB", "1", "8", "2048", "49780.8")
    ", " RUN_RECORD("b", "A100-SXM-80GB", "2", "4", "8192", "20941.5") "]}";

static pdcost_model *dense_model;
static pdcost_model *moe_model;
static int cuda_present = 1; /* until pdcost_cuda_available says otherwise: never benchmark */

/* A value from a short list, picked by `bits`. */
#define PICK(list, bits) ((list)[(bits) % (sizeof(list) / sizeof((list)[0]))])

/* Progress callbacks that stop after a number of calls taken from the input (0 = never). */
typedef struct stop_after {
    uint64_t calls;
    uint64_t stop_at;
    int stopped;
} stop_after;

static int search_progress(void *user, uint64_t done, uint64_t total) {
    stop_after *s = user;
    if (done > total) fail("search progress: done > total");
    s->calls++;
    if (s->stop_at != 0 && s->calls >= s->stop_at) s->stopped = 1;
    return s->stopped;
}

static int fit_progress(void *user, double fraction, const char *message) {
    stop_after *s = user;
    if (message == NULL) fail("fit progress: NULL message");
    if (!(fraction >= 0.0 && fraction <= 1.0 + 1e-9)) fail("fit progress: fraction outside [0, 1]");
    s->calls++;
    if (s->stop_at != 0 && s->calls >= s->stop_at) s->stopped = 1;
    return s->stopped;
}

static int calibration_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    (void)user;
    (void)done;
    (void)total;
    if (stage == NULL) fail("calibration progress: NULL stage");
    return 0;
}

/* A profile that the library produced or accepted must be accepted everywhere a profile is. */
static void check_profile_accepted(const char *profile, size_t length, const char *what) {
    pdcost_status s = pdcost_profile_check(profile, length);
    check_failure(s);
    if (s != PDCOST_OK) {
        fprintf(stderr, "%s:\n%.*s\n", what, (int)length, profile);
        fail("a profile the library wrote fails pdcost_profile_check");
    }
}

/* Reads every search result accessor with indices in and out of range and structs whose size
 * and version come from the input; checks the counts the header promises. */
static void exercise_search_result(const pdcost_search_result *result, uint64_t h, uint32_t top_k,
                                   uint32_t num_gpus, int stopped) {
    size_t count = pdcost_search_result_count(result);
    size_t pareto = pdcost_search_result_pareto_count(result);
    if (count > (top_k == 0 ? 10u : top_k)) fail("more results than top_k");
    const char *explanation = pdcost_search_result_explanation(result);
    if (explanation == NULL) fail("explanation is NULL");
    if (count > 0 && explanation[0] != '\0') fail("explanation for a non-empty result");
    if (count == 0 && !stopped && explanation[0] == '\0') fail("empty result without an explanation");
    if ((count == 0) != (pareto == 0)) fail("Pareto front and ranking disagree on emptiness");

    double previous = 1.0 / 0.0;
    for (size_t i = 0; i < count; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_get(result, i, &e);
        check_failure(s);
        if (s != PDCOST_OK) fail("result_get failed for an index below the count");
        const pdcost_plan *p = &e.plan;
        if ((uint64_t)p->tp * p->pp * p->dp * p->cp != num_gpus) fail("a ranked plan does not use every GPU");
        if (!e.prediction.fits_memory) fail("a ranked plan does not fit in memory");
        if (!(e.prediction.tokens_per_second <= previous)) fail("results are not ranked by tokens/s");
        previous = e.prediction.tokens_per_second;
    }
    /* Indices at and beyond the end (the count, SIZE_MAX, a hash), into both lists. */
    size_t bad[3] = {count, (size_t)-1, count + (size_t)(h % 1000)};
    for (int i = 0; i < 3; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        e.plan.tp = 12345;
        pdcost_status s = pdcost_search_result_get(result, bad[i], &e);
        check_failure(s);
        if (s == PDCOST_OK) fail("result_get accepted an index past the end");
        if (e.plan.tp != 12345) fail("result_get touched out on failure");
    }
    size_t pareto_bad[3] = {pareto, (size_t)-1, pareto + (size_t)((h >> 10) % 1000)};
    for (int i = 0; i < 3; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_pareto_get(result, pareto_bad[i], &e);
        check_failure(s);
        if (s == PDCOST_OK) fail("pareto_get accepted an index past the end");
    }
    double last_memory = -1.0;
    for (size_t i = 0; i < pareto; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_pareto_get(result, i, &e);
        check_failure(s);
        if (s != PDCOST_OK) fail("pareto_get failed for an index below the count");
        if (!(e.peak_allocated_bytes >= last_memory)) fail("Pareto front not by memory ascending");
        last_memory = e.peak_allocated_bytes;
    }

    /* An entry struct with a size/version from the input: rejected or filled, never overrun. */
    if (count > 0) {
        struct { pdcost_search_entry entry; uint64_t guard; } padded;
        memset(&padded, 0xAB, sizeof padded);
        padded.entry.size = (uint32_t)((h >> 20) % (sizeof padded.entry + 1));
        padded.entry.version = (uint32_t)((h >> 30) % 3);
        pdcost_status s = pdcost_search_result_get(result, 0, &padded.entry);
        check_failure(s);
        if (padded.guard != 0xABABABABABABABABULL) fail("result_get wrote past the struct");
        if (s == PDCOST_OK) {
            const unsigned char *bytes = (const unsigned char *)&padded.entry;
            for (size_t i = padded.entry.size; i < sizeof padded.entry; i++) {
                if (bytes[i] != 0xAB) fail("result_get wrote past the caller's size");
            }
        }
    }

    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    pdcost_status s = pdcost_search_result_stats(result, &stats);
    check_failure(s);
    if (s != PDCOST_OK) fail("result_stats failed");
    uint64_t pruned = 0;
    for (int i = 0; i < PDCOST_PRUNE_REASONS; i++) {
        pruned += stats.pruned[i];
        if (strcmp(pdcost_search_prune_reason_name((pdcost_search_prune_reason)i), "unknown") == 0) {
            fail("a prune reason without a name");
        }
    }
    if (stats.enumerated != stats.feasible + pruned) fail("enumerated != feasible + pruned");
    if (stats.feasible < count) fail("fewer feasible plans than results");
    if (stats.evaluated < stats.feasible) fail("fewer evaluated plans than feasible ones");
    if (stats.work_units_done > stats.work_units) fail("work_units_done > work_units");
    if (!stopped && stats.cancelled) fail("cancelled without a cancel request");
    if (!stopped && stats.work_units_done != stats.work_units) fail("an uncancelled search left work");
    if (strcmp(pdcost_search_prune_reason_name((pdcost_search_prune_reason)(PDCOST_PRUNE_REASONS + (h % 7))),
               "unknown") != 0) {
        fail("a name for an unknown prune reason");
    }

    struct { pdcost_search_stats stats; uint64_t guard; } padded_stats;
    memset(&padded_stats, 0xAB, sizeof padded_stats);
    padded_stats.stats.size = (uint32_t)((h >> 40) % (sizeof padded_stats.stats + 1));
    padded_stats.stats.version = (uint32_t)((h >> 50) % 3);
    s = pdcost_search_result_stats(result, &padded_stats.stats);
    check_failure(s);
    if (padded_stats.guard != 0xABABABABABABABABULL) fail("result_stats wrote past the struct");

    char *json = (char *)(uintptr_t)0x1;
    s = pdcost_search_result_to_json(result, (h & 1) ? &json : NULL);
    check_failure(s);
    if (h & 1) {
        if (s != PDCOST_OK || json == NULL || json == (char *)(uintptr_t)0x1) fail("result_to_json failed");
        pdcost_string_free(json);
    } else if (s == PDCOST_OK) {
        fail("result_to_json accepted out_json=NULL");
    }
}

/* pdcost_search_run with every option taken from the input, over `cost`. */
static void exercise_search(const pdcost_cost_model *cost, const uint8_t *data, size_t size,
                            uint64_t h, uint32_t num_gpus) {
    static const uint32_t limits[] = {0, 1, 2, 3, 4, 8, 16, 1u << 20, (1u << 20) + 1, UINT32_MAX};
    static const uint32_t counts[] = {0, 1, 2, 3, PDCOST_SEARCH_MAX_LIST, PDCOST_SEARCH_MAX_LIST + 1, UINT32_MAX};
    static const uint32_t top_ks[] = {0, 1, 3, 10, 100000, 100001, UINT32_MAX};
    static const uint32_t thread_counts[] = {0, 1, 2, 3, 1024, 1025, UINT32_MAX};
    static const double margins[] = {0.0, 0.1, 0.5, 0.999, 1.0, -0.1, -0.0, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 1e308};
    static const double ratios[] = {0.0, 0.25, 0.5, 1.0, -0.0, 1.0000001, -1e-9, 1.0 / 0.0, 0.0 / 0.0};
    /* A second hash stream so the options do not all move together. */
    uint64_t g = h * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E5ULL;
    uint64_t k = (g ^ (g >> 29)) * 0xBF58476D1CE4E5B9ULL;

    struct { pdcost_search_options options; uint64_t guard; } padded;
    pdcost_search_options init = PDCOST_SEARCH_OPTIONS_INIT;
    memset(&padded, 0, sizeof padded);
    padded.options = init;
    pdcost_search_options *o = &padded.options;
    /* Mostly small limits, so a search stays fast; sometimes every edge. */
    int wide = (h >> 60) == 0;
    o->max_tp = wide ? PICK(limits, g) : (uint32_t)(g % 5);
    o->max_pp = wide ? PICK(limits, g >> 4) : (uint32_t)((g >> 4) % 5);
    o->max_vpp = wide ? PICK(limits, g >> 8) : (uint32_t)((g >> 8) % 3);
    o->max_cp = wide ? PICK(limits, g >> 12) : (uint32_t)((g >> 12) % 3);
    o->max_ep = PICK(limits, g >> 16);
    o->max_etp = (uint32_t)((g >> 20) % 3) + (wide && ((g >> 22) & 1) ? (1u << 20) : 0);
    o->num_micro_batch_sizes = PICK(counts, g >> 24);
    for (int i = 0; i < PDCOST_SEARCH_MAX_LIST; i++) {
        /* The list from the input's bytes: 0 (invalid), small, and huge sizes. */
        uint8_t b = size > 0 ? data[(i * 7 + (size_t)(k % 64)) % size] : 0;
        o->micro_batch_sizes[i] = b < 8 ? b : b < 250 ? 1u + (b & 7) : (b == 255 ? UINT32_MAX : (1u << 20) + b - 250);
        o->optimizer_offload_ratios[i] = PICK(ratios, (uint64_t)b + (k >> 8));
    }
    o->recompute = (uint32_t)((k >> 16) % 18);          /* 16, 17: unknown bits */
    o->zero_stages = (uint32_t)((k >> 22) % 18);        /* 16, 17: beyond stage 3 */
    o->sequence_parallel = (uint32_t)((k >> 28) % 4);   /* 3: invalid */
    o->max_stage_layer_reduction = PICK(limits, k >> 32);
    o->num_offload_ratios = PICK(counts, k >> 36);
    o->top_k = PICK(top_ks, k >> 40);
    o->threads = ((k >> 44) & 7) == 0 ? PICK(thread_counts, k >> 47) : (uint32_t)((k >> 47) % 3);
    o->memory_safety_margin = PICK(margins, k >> 50);
    o->flags = (uint32_t)((k >> 56) % 9);               /* 8: unknown bit */
    o->reserved = ((k >> 60) & 15) == 0;
    /* Struct size and version, mostly right. */
    if (((h >> 56) & 7) == 0) {
        o->size = (uint32_t)((k >> 3) % (sizeof *o + 9));
        o->version = (uint32_t)((k >> 11) % 3);
    }
    padded.guard = 0;

    stop_after progress = {0, (h >> 33) % 4 == 0 ? 1 + (h >> 35) % 5 : 0, 0};
    pdcost_search_result *result = (pdcost_search_result *)(uintptr_t)0x1;
    pdcost_status s = pdcost_search_run(cost, ((h >> 53) & 31) == 0 ? NULL : o,
                                        ((h >> 36) & 1) ? search_progress : NULL, &progress, &result);
    check_failure(s);
    if (s != PDCOST_OK) {
        if (result != (pdcost_search_result *)(uintptr_t)0x1) fail("search_run touched out_result on failure");
        return;
    }
    if (result == NULL || result == (pdcost_search_result *)(uintptr_t)0x1) fail("search_run returned no result");
    uint32_t top_k = ((h >> 53) & 31) == 0 ? 0 : o->top_k;
    exercise_search_result(result, h, top_k, num_gpus, progress.stopped);
    pdcost_search_result_free(result);
}

/* The input as a calibration profile (check, cost model, validation) and as a runs file (fit,
 * validation under a fixed profile), plus a search over the profiled cost model. */
static void exercise_profiles_fit_search(const uint8_t *data, size_t size, uint64_t h) {
    const char *profile = (const char *)data;
    pdcost_status s = pdcost_profile_check(profile, size);
    check_failure(s);
    int profile_ok = s == PDCOST_OK;
    if (profile == NULL && profile_ok) fail("profile_check accepted NULL");

    /* A cost model under the input profile: a small model, cluster and setup from the hash. */
    static const uint32_t gpu_counts[] = {1, 2, 4, 8, 16};
    static const char *gpus[] = {"H100-SXM-80GB", "A100-SXM-80GB", "B200", "V100-SXM-32GB"};
    static const uint32_t seqs[] = {2048, 4096, 1024};
    static const uint64_t batches[] = {16, 64, 8};
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    const char *gpu = PICK(gpus, h >> 1);
    if (pdcost_gpu_from_name(gpu, &cluster.gpu) != PDCOST_OK) fail("GPU preset missing");
    cluster.num_gpus = PICK(gpu_counts, h >> 3);
    cluster.gpus_per_node = 8;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = PICK(seqs, h >> 6);
    setup.micro_batch_size = 1;
    setup.global_batch_size = PICK(batches, h >> 8);
    setup.framework = (pdcost_framework)((h >> 10) % 6);
    setup.dtype = gpu[0] == 'V' ? PDCOST_DTYPE_FP16 : PDCOST_DTYPE_BF16; /* no BF16 on V100 */
    pdcost_model *model = ((h >> 13) & 3) == 0 ? moe_model : dense_model;

    pdcost_cost_model *cost = (pdcost_cost_model *)(uintptr_t)0x1;
    /* The input, and with some inputs a length that cuts it short, or NULL with a length. */
    size_t length = ((h >> 15) & 7) == 0 && size > 0 ? size - 1 - (h >> 18) % size : size;
    const char *text = ((h >> 21) & 63) == 0 ? NULL : profile;
    s = pdcost_cost_model_create_with_profile(&cost, model, &cluster, &setup, text, length);
    check_failure(s);
    if (s != PDCOST_OK) {
        if (cost != (pdcost_cost_model *)(uintptr_t)0x1) fail("create_with_profile touched out on failure");
        cost = NULL;
        s = pdcost_cost_model_create(&cost, model, &cluster, &setup);
        check_failure(s);
        if (s != PDCOST_OK) fail("the fixed cost model does not build");
    } else if (text != NULL && length == size && !profile_ok) {
        fail("create_with_profile accepted a profile that profile_check rejects");
    }
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.dp = cluster.num_gpus;
    pdcost_prediction prediction = PDCOST_PREDICTION_INIT;
    s = pdcost_cost_model_predict(cost, &plan, &prediction);
    check_failure(s);
    if (s == PDCOST_OK && !(prediction.step_time_s > 0.0 && prediction.step_time_s < 1.0 / 0.0)) {
        fail("a profiled cost model predicts a step time that is not positive and finite");
    }
    exercise_search(cost, data, size, h, cluster.num_gpus);
    pdcost_cost_model_free(cost);

    /* Validation of the fixed runs under the input profile, and of the input as runs. */
    char *report = (char *)(uintptr_t)0x1;
    uint32_t flags = (uint32_t)((h >> 23) % 5);
    s = pdcost_validate_runs_with_profile(fixed_runs_json, strlen(fixed_runs_json), profile, size, flags, &report);
    check_failure(s);
    if (s == PDCOST_OK) {
        if (!profile_ok) fail("validate_runs_with_profile accepted a profile that profile_check rejects");
        if (report == NULL) fail("validate_runs_with_profile returned NULL");
        pdcost_string_free(report);
    } else if (report != (char *)(uintptr_t)0x1) {
        fail("validate_runs_with_profile touched out_report on failure");
    }
    report = (char *)(uintptr_t)0x1;
    static const char *fixed_profile =
        "{\"format\": \"pdcost-profile\", \"version\": 1, \"efficiency\": {\"nvlink_fraction\": 0.7}, "
        "\"efficiency_scale\": {\"gemm_peak_fraction16\": 0.9}}";
    int with_profile = (h >> 26) & 1;
    s = pdcost_validate_runs_with_profile((const char *)data, size, with_profile ? fixed_profile : NULL,
                                          with_profile ? strlen(fixed_profile) : 0, flags, &report);
    check_failure(s);
    if (s == PDCOST_OK) {
        if (report == NULL) fail("validate_runs_with_profile returned NULL");
        pdcost_string_free(report);
    } else if (report != (char *)(uintptr_t)0x1) {
        fail("validate_runs_with_profile touched out_report on failure");
    }

    /* A fit over the input as a runs file; options from the hash, the parameter list from the
     * input's bytes or known names. Iterations stay small so one input stays fast. */
    static const char *names[] = {"gemm_peak_fraction16", "attention", "nvlink_fraction", "",
                                  ",", "gemm_peak_fraction16,attention", "nope", "gemm_peak_fraction16,,"};
    char parameters[48];
    int from_bytes = (h >> 27) & 1;
    if (from_bytes) {
        size_t n = size < sizeof parameters - 1 ? size : sizeof parameters - 1;
        size_t start = size > n ? (size_t)((h >> 28) % (size - n + 1)) : 0;
        memcpy(parameters, data + start, n);
        parameters[n] = '\0';
    } else {
        snprintf(parameters, sizeof parameters, "%s", PICK(names, h >> 28));
    }
    struct { pdcost_fit_options options; uint64_t guard; } fit;
    pdcost_fit_options fit_init = PDCOST_FIT_OPTIONS_INIT;
    memset(&fit, 0, sizeof fit);
    fit.options = fit_init;
    fit.options.parameters = ((h >> 31) % 3) == 0 ? NULL : parameters;
    fit.options.cross_validation = (uint32_t)((h >> 33) % 5);   /* 4: invalid */
    static const uint32_t folds[] = {0, 1, 2, 3, 101, UINT32_MAX};
    static const uint32_t iterations[] = {1, 2, 3, 10001, UINT32_MAX};
    static const uint32_t minimums[] = {0, 1, 2, 1001, UINT32_MAX};
    fit.options.folds = PICK(folds, h >> 36);
    fit.options.max_iterations = PICK(iterations, h >> 39);
    fit.options.min_runs_per_parameter = PICK(minimums, h >> 42);
    fit.options.flags = (uint32_t)((h >> 45) % 5);              /* 4: unknown bit */
    fit.options.runs_file = ((h >> 48) & 1) ? parameters : NULL;
    if (((h >> 49) & 7) == 0) {
        fit.options.size = (uint32_t)((h >> 52) % (sizeof fit.options + 9));
        fit.options.version = (uint32_t)((h >> 58) % 3);
    }
    stop_after progress = {0, ((h >> 61) & 1) ? 1 + (h >> 62) : 0, 0};
    char *fitted = (char *)(uintptr_t)0x1;
    s = pdcost_fit_runs((const char *)data, size, ((h >> 50) & 15) == 0 ? NULL : &fit.options,
                        ((h >> 54) & 1) ? fit_progress : NULL, &progress, &fitted);
    check_failure(s);
    if (s == PDCOST_OK) {
        if (fitted == NULL) fail("fit_runs returned NULL");
        if (progress.stopped) fail("fit_runs succeeded after its progress callback cancelled");
        check_profile_accepted(fitted, strlen(fitted), "fitted profile");
        pdcost_cost_model *again = NULL;
        s = pdcost_cost_model_create_with_profile(&again, dense_model, &cluster, &setup, fitted, strlen(fitted));
        check_failure(s);
        if (s != PDCOST_OK) fail("a fitted profile does not build a cost model");
        pdcost_cost_model_free(again);
        pdcost_string_free(fitted);
    } else if (fitted != (char *)(uintptr_t)0x1) {
        fail("fit_runs touched out_profile_json on failure");
    }
}

/* GPU calibration options from the input: on a machine without CUDA every call fails cleanly
 * (PDCOST_ENODEVICE, or PDCOST_EINVAL / PDCOST_EVERSION for bad options). Never benchmarks: the
 * call is made only where pdcost_cuda_available found no GPU. */
static void exercise_gpu_calibration(uint64_t h) {
    if (cuda_present) return;
    static const uint32_t sizes[] = {0, 511, 512, 8192, 8200, 65536, 65552, UINT32_MAX};
    static const double seconds[] = {0.0, 15.0, -1.0, 1.0 / 0.0, 0.0 / 0.0, 1e300};
    static const uint64_t bytes[] = {0, 1024, 1073741824u, (uint64_t)INT64_MAX, UINT64_MAX};
    struct { pdcost_gpu_calibration_options options; uint64_t guard; } padded;
    pdcost_gpu_calibration_options init = PDCOST_GPU_CALIBRATION_OPTIONS_INIT;
    memset(&padded, 0, sizeof padded);
    padded.options = init;
    pdcost_gpu_calibration_options *o = &padded.options;
    uint64_t g = (h ^ (h >> 31)) * 0x94D049BB133111EBULL;
    o->device = (uint32_t)(g % 3) == 2 ? UINT32_MAX : (uint32_t)(g % 3);
    o->gemm_size = PICK(sizes, g >> 2);
    o->test_compute = (uint32_t)((g >> 5) & 1);
    o->test_memory = (uint32_t)((g >> 6) & 1);
    o->test_collectives = (uint32_t)((g >> 7) & 1);
    o->repetitions = ((g >> 8) & 3) == 0 ? UINT32_MAX : (uint32_t)((g >> 10) % 4);
    o->warmup = ((g >> 12) & 3) == 0 ? UINT32_MAX : (uint32_t)((g >> 14) % 4);
    o->dtypes = (uint32_t)((g >> 16) % 40);       /* 32..39: unknown bits */
    o->sustain_seconds = PICK(seconds, g >> 22);
    o->max_collective_bytes = PICK(bytes, g >> 26);
    if (((g >> 30) & 7) == 0) {
        o->size = (uint32_t)((g >> 33) % (sizeof *o + 9));
        o->version = (uint32_t)((g >> 40) % 3);
    }
    char *report = (char *)(uintptr_t)0x1;
    pdcost_status s = pdcost_gpu_calibrate(((g >> 45) & 15) == 0 ? NULL : o,
                                           ((g >> 50) & 1) ? calibration_progress : NULL, NULL,
                                           ((g >> 51) & 15) == 0 ? NULL : &report);
    check_failure(s);
    if (s == PDCOST_OK) fail("gpu_calibrate succeeded without a GPU");
    if (report != (char *)(uintptr_t)0x1) fail("gpu_calibrate touched out_report_json on failure");
    if (padded.guard != 0) fail("gpu_calibrate wrote into its options");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *round_trip = getenv("PDCOST_FUZZ_ROUNDTRIP");
    check_round_trip = round_trip == NULL || strcmp(round_trip, "0") != 0;
    const char *dir = getenv("TMPDIR");
    snprintf(file_path, sizeof file_path, "%s/pdcost-fuzz-%ld.json", dir ? dir : "/tmp", (long)getpid());
    if (pdcost_model_from_json(&dense_model, dense_json, strlen(dense_json)) != PDCOST_OK ||
        pdcost_model_from_json(&moe_model, moe_json, strlen(moe_json)) != PDCOST_OK) {
        fail("the fixed models do not load");
    }
    char *probe = NULL;
    if (pdcost_cuda_available(&probe) != PDCOST_OK || probe == NULL) fail("cuda_available failed");
    cuda_present = strstr(probe, "\"available\": false") == NULL && strstr(probe, "\"available\":false") == NULL;
    pdcost_string_free(probe);
    if (pdcost_cuda_available(NULL) == PDCOST_OK) fail("cuda_available accepted out_json=NULL");
    char *parameters = NULL;
    if (pdcost_efficiency_parameters_json(&parameters) != PDCOST_OK || parameters == NULL) {
        fail("efficiency_parameters_json failed");
    }
    pdcost_string_free(parameters);
    if (pdcost_efficiency_parameters_json(NULL) == PDCOST_OK) fail("efficiency_parameters_json accepted NULL");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint64_t h = hash_bytes(data, size);
    pdcost_status s;

    /* 1. The bytes as a JSON document. */
    pdcost_model *model = (pdcost_model *)(uintptr_t)0x1; /* must stay untouched on failure */
    s = pdcost_model_from_json(&model, (const char *)data, size);
    check_failure(s);
    if (s == PDCOST_OK) {
        exercise_model(model, h);
        pdcost_model_free(model);
    } else if (model != (pdcost_model *)(uintptr_t)0x1) {
        fail("from_json touched out_model on failure");
    }

#ifdef PDCOST_VALIDATE_TEXT
    /* 1b. The bytes as a measured-runs document, with flags in and out of range. */
    char *report = (char *)(uintptr_t)0x1;
    s = pdcost_validate_runs((const char *)data, size, (uint32_t)(h % 5), &report);
    check_failure(s);
    if (s == PDCOST_OK) {
        if (report == NULL) fail("validate_runs returned NULL");
        pdcost_string_free(report);
    } else if (report != (char *)(uintptr_t)0x1) {
        fail("validate_runs touched out_report on failure");
    }
#endif

    /* 1c. The bytes as a calibration profile and as a runs file to fit; a plan search with
     * options from the bytes; GPU calibration options from the hash. */
    exercise_profiles_fit_search(data, size, h);
    exercise_gpu_calibration(h);

    /* 2. The bytes as a NUL-terminated string: preset name, GPU name, path. */
    char *text = malloc(size + 64);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    model = NULL;
    s = pdcost_model_from_preset(&model, text);
    check_failure(s);
    if (s == PDCOST_OK) exercise_model(model, h);
    pdcost_model_free(model);

    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    s = pdcost_gpu_from_name(text, &gpu);
    check_failure(s);
    if (s == PDCOST_OK && gpu.name[sizeof gpu.name - 1] != '\0') fail("GPU name not terminated");

    memmove(text + 32, text, size + 1);
    memcpy(text, "/nonexistent-pdcost-fuzz-dir/xx/", 32);
    model = NULL;
    s = pdcost_model_from_file(&model, text);
    check_failure(s);
    if (s == PDCOST_OK) fail("a file below a missing directory was read");
    free(text);

    /* 3. The bytes as a file's contents. */
    FILE *f = fopen(file_path, "wb");
    if (f != NULL) {
        size_t written = fwrite(data, 1, size, f);
        fclose(f);
        if (written == size) {
            model = NULL;
            s = pdcost_model_from_file(&model, file_path);
            check_failure(s);
            pdcost_model_free(model);
        }
    }
    return 0;
}
