/*
 * libFuzzer target over every pdcost entry point that takes caller bytes or structs (ABI 1.1).
 *
 * An input is   DOCUMENT [ '\0' PARAMETERS ]
 *   - DOCUMENT (the bytes before the first NUL, or all of them) is given, with its length, to
 *     every entry point that reads a document: pdcost_model_from_json, pdcost_validate_runs,
 *     pdcost_profile_check, the profile of pdcost_cost_model_create / pdcost_validate_runs,
 *     pdcost_fit_runs, and (sometimes) as a training setup's settings_json, a search's
 *     vary_settings, a GPU's name; as a NUL-terminated string to pdcost_model_from_preset,
 *     pdcost_gpu_from_name and pdcost_model_from_file (as a path below a missing directory,
 *     and as the contents of a file). With a NUL in the input the whole input also goes to
 *     pdcost_model_from_json.
 *   - PARAMETERS are read a few bytes at a time to pick every struct field the calls take:
 *     GPU numbers (each field 0/unknown, the preset's, scaled, huge, tiny, NaN and infinity bit
 *     patterns, negative, raw bits; architecture and capability bytes in and out of range),
 *     cluster sizes, the training setup (sequence length, micro-batch and global batch,
 *     dtype bf16/fp16/fp8/fp32, optimizer, recompute mode and layers, optimizer offload
 *     ratio, framework and a settings_json built from the framework settings keys), plans
 *     (tp, pp, vpp, dp, cp, ep, etp, sp, zero, fsdp, first/last stage layers), search options
 *     (small limits, lists, top_k, margin, threads, flags, vary_settings, a progress callback
 *     that stops after a number of calls), fit options, validation options, GPU calibration
 *     options, struct sizes and versions. When they run out (or without a NUL) the rest comes
 *     from a pseudo-random stream seeded by a hash of the input, so a plain JSON seed still
 *     reaches every call with varied arguments. Most draws are valid values, invalid ones
 *     rare, so that most inputs get past the argument checks. The corpus's params-* seeds are
 *     documents followed by parameter bytes with which every call on them succeeds; they
 *     follow the order in which this file reads parameters (remake them with param_seed.py
 *     when it changes).
 *
 * Calls, in order: pdcost_model_from_json (+ param_counts, flops_per_token, analysis_json,
 * to_json and the round trip); pdcost_profile_check; pdcost_validate_runs (options: flags, no
 * profile, a fixed profile, the document as the profile); pdcost_gpu_from_name and pdcost_gpu_complete
 * over a fuzzed GPU; pdcost_cost_model_create (options: no profile, a fixed one, the document),
 * pdcost_cost_model_settings_json, pdcost_cost_model_predict and _predict_json over fuzzed
 * plans; pdcost_search_run over a small model (every result accessor, indices in and out of
 * range); pdcost_validate_runs of fixed runs under the document as profile; pdcost_fit_runs;
 * pdcost_gpu_calibrate (only where pdcost_cuda_available finds no GPU, so it never
 * benchmarks); pdcost_model_from_preset, pdcost_gpu_from_name; pdcost_serving_predict and
 * _predict_json (the document, or a fixed object, as the deployment's settings_json with its
 * length; fuzzed GPU, degrees, enums, lengths and loads); pdcost_serving_search_run and every
 * accessor of its result (small budgets; fuzzed targets, lists, flags; a stopping progress);
 * pdcost_model_from_file; the traces (ABI 1.5: pdcost_cost_model_trace and pdcost_prediction_trace of
 * every predicted plan, pdcost_serving_trace of every serving prediction, drawing no parameters,
 * then pdcost_prediction_trace of fuzzed numbers and pdcost_plan_run over fuzzed inputs, after
 * every other call's parameters). pdcost_validate_runs of the document also reaches the serving
 * validator (kind: inference records; seed runs-inference.json). The
 * argument-free calls (preset lists, field lists, _init functions) run once at start-up.
 *
 * Each iteration stays fast: searches run over a 16-layer dense or a 4-layer MoE model on at
 * most 16 GPUs with small limits and (but for rare edge values) one or two threads; with
 * vary_settings or an edge limit, no partial recomputation and no pricing of every plan.
 *
 * The library promises that no input traps; a Swift trap shows up here as a crash. Beyond not
 * crashing, the target checks contracts from pdcost.h and aborts when one breaks:
 *   - a failed call leaves a non-empty message and its out-parameters untouched;
 *   - pdcost_gpu_complete keeps every number, architecture and capability the caller stated,
 *     leaves nothing unknown, and a GPU it rejects makes pdcost_cost_model_create fail too;
 *   - predict and predict_json agree on success or failure;
 *   - a progress callback that asks to stop makes the call return PDCOST_ECANCELED (and only
 *     then); a cancelled search still hands over its result;
 *   - the canonical JSON of a model loads back to a model with the same counts
 *     (PDCOST_FUZZ_ROUNDTRIP=0 in the environment turns this check off).
 * Open findings (findings/README.md) are stepped around, each where it is marked.
 * PDCOST_FUZZ_TRACE=1 prints each call's status, to see which calls a seed reaches:
 *   PDCOST_FUZZ_TRACE=1 ./fuzz_entry_points -runs=1 Tests/fuzz/corpus/<seed>
 */
#include "pdcost.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char file_path[256];
static int check_round_trip;
static int trace_calls; /* PDCOST_FUZZ_TRACE=1: each call's status on stderr (to check seeds) */

static void trace(const char *call, pdcost_status s) {
    if (trace_calls) fprintf(stderr, "trace %s: %s%s%.160s\n", call, pdcost_status_name(s), s ? " " : "", pdcost_last_error());
}

static void fail(const char *what) {
    fprintf(stderr, "contract violated: %s (last error: %s)\n", what, pdcost_last_error());
    abort();
}

static void check_failure(pdcost_status status) {
    if (status != PDCOST_OK && pdcost_last_error()[0] == '\0') fail("failure without a message");
    if (status == PDCOST_OK && pdcost_last_error()[0] != '\0') fail("success with a message");
}

/* A 64-bit value from the input (FNV-1a), to seed the parameter stream. */
static uint64_t hash_bytes(const uint8_t *data, size_t size) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ULL;
    return h;
}

/* ------------------------------------------------------------------------------------------ */
/* The parameter stream                                                                        */
/* ------------------------------------------------------------------------------------------ */

typedef struct params {
    const uint8_t *data;
    size_t size;
    size_t pos;
    uint64_t state; /* splitmix64, once the bytes are used up */
} params;

static uint8_t take_u8(params *p) {
    if (p->pos < p->size) return p->data[p->pos++];
    uint64_t z = (p->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint8_t)((z ^ (z >> 31)) >> 24);
}

static uint32_t take_u32(params *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)take_u8(p) << (8 * i);
    return v;
}

static uint64_t take_u64(params *p) {
    return (uint64_t)take_u32(p) | (uint64_t)take_u32(p) << 32;
}

static double bits_to_double(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* One of n (n <= 256) choices. */
static unsigned take_below(params *p, unsigned n) { return take_u8(p) % n; }

/* True with probability 1/n. */
static int one_in(params *p, unsigned n) { return take_below(p, n) == 0; }

/* An invalid or edge value instead of a valid one: rare, so that most inputs get through the
 * argument checks to the model itself (the parameter bytes can still ask for it at will). */
static int rare(params *p) { return one_in(p, 16); }

#define COUNT(list) (sizeof(list) / sizeof((list)[0]))
#define TAKE(p, list) ((list)[take_below((p), COUNT(list))])

/* A size/version header from the input for a struct of `size` bytes: mostly right. */
static void fuzz_header(params *p, uint32_t *size, uint32_t *version, size_t full) {
    if (!one_in(p, 24)) return;
    switch (take_below(p, 4)) {
    case 0: *size = (uint32_t)(take_u32(p) % (full + 9)); break;
    case 1: *version = take_below(p, 3) == 0 ? 0 : 2 + take_below(p, 3); break;
    case 2: *size = (uint32_t)full + 8 * (1 + take_below(p, 8)); break; /* a newer, larger struct */
    default: *size = take_u32(p); *version = take_u32(p); break;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Fixed inputs                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* A 16-layer dense model and a 4-layer MoE model (so expert parallelism is searched), a
 * two-run measured-runs file and a profile. Small so that one input stays well under 100 ms
 * (a search over them prices a few thousand plans). */
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
    "\"megatron\", \"settings\": {\"overlap_grad_reduce\": true}, \"measured\": "                     \
    "{\"tokens_per_s_per_gpu\": " tokens "}, \"complete\": true}"
static const char *fixed_runs_json =
    "{\"schema\": \"pdcost.runs/1\", \"runs\": [" RUN_RECORD("a", "H100-SXM-80GB", "1", "8", "2048", "49780.8")
    ", " RUN_RECORD("b", "A100-SXM-80GB", "2", "4", "8192", "20941.5") "]}";
static const char *fixed_profile =
    "{\"format\": \"pdcost-profile\", \"version\": 1, \"created\": \"2026-01-01T00:00:00Z\", "
    "\"source\": \"manual\", \"generation\": \"hopper\", \"efficiency\": {\"nvlink_fraction\": 0.7}, "
    "\"efficiency_scale\": {\"gemm_peak_fraction16\": 0.9}}";

static pdcost_model *dense_model;
static pdcost_model *moe_model;
/* Cost models a search falls back to when the fuzzed setup does not build one. */
static pdcost_cost_model *dense_baseline;
static pdcost_cost_model *moe_baseline;
static int cuda_present = 1; /* until pdcost_cuda_available says otherwise: never benchmark */

/* The document as a NUL-terminated string, and what it looks like: a settings object (a JSON
 * object that is no model, profile or runs file) or a name (short, not JSON). */
static char *document_text;
static int document_is_settings;
static int document_is_name;

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void exercise_model(pdcost_model *model, params *p) {
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    check_failure(pdcost_model_param_counts(&counts, model));
    if (counts.total > counts.total + counts.mtp || counts.active > counts.total) fail("active > total");

    /* Sequence lengths: a valid one, and a raw one (mostly out of range). */
    static const uint64_t edges[] = {0, 1, 2, 4096, 1ULL << 31, (1ULL << 31) + 1, UINT64_MAX};
    uint64_t lengths[2] = {1 + take_u32(p) % (1u << 31), one_in(p, 2) ? TAKE(p, edges) : take_u64(p)};
    for (int i = 0; i < 2; i++) {
        pdcost_flops flops = PDCOST_FLOPS_INIT;
        pdcost_attention_mask mask = (pdcost_attention_mask)take_below(p, 3); /* 2 is invalid */
        if (one_in(p, 16)) mask = (pdcost_attention_mask)take_u32(p);
        pdcost_status s = pdcost_model_flops_per_token(&flops, model, lengths[i], mask);
        check_failure(s);
        if (s == PDCOST_OK && !(flops.training >= 0.0)) fail("negative or NaN FLOPs");
        char *analysis = NULL;
        s = pdcost_model_analysis_json(&analysis, model, lengths[i]);
        check_failure(s);
        if ((s == PDCOST_OK) != (analysis != NULL)) fail("analysis_json out-parameter");
        pdcost_string_free(analysis);
    }

    /* A struct with a size/version from the input: rejected or filled, never overrun. */
    struct { pdcost_param_counts counts; uint64_t guard; } padded;
    memset(&padded, 0xAB, sizeof padded);
    padded.counts.size = (uint32_t)(take_u8(p) % (sizeof padded.counts + 1));
    padded.counts.version = take_below(p, 3);
    pdcost_status s = pdcost_model_param_counts(&padded.counts, model);
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
    check_failure(pdcost_model_to_json(&json, model));
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
    check_failure(pdcost_model_param_counts(&counts2, again));
    if (memcmp(&counts, &counts2, sizeof counts) != 0) {
        fprintf(stderr, "canonical JSON:\n%s\ntotal %llu vs %llu\n", json,
                (unsigned long long)counts.total, (unsigned long long)counts2.total);
        fail("canonical JSON loads back to different counts");
    }
    pdcost_string_free(json);
    pdcost_model_free(again);
}

/* ------------------------------------------------------------------------------------------ */
/* Progress callbacks                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* Stops after a number of calls taken from the input (0 = never). */
typedef struct stop_after {
    uint64_t calls;
    uint64_t stop_at;
    int stopped;
    int thousandths; /* fit: total is 1000 */
} stop_after;

static int stopping_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    stop_after *s = user;
    if (stage == NULL) fail("progress: NULL stage");
    if (done > total) fail("progress: done > total");
    if (s->thousandths && total != 1000) fail("fit progress: total is not 1000");
    s->calls++;
    if (s->stop_at != 0 && s->calls >= s->stop_at) s->stopped = 1;
    return s->stopped;
}

static void take_stop(params *p, stop_after *s, int thousandths) {
    memset(s, 0, sizeof *s);
    s->thousandths = thousandths;
    if (one_in(p, 3)) s->stop_at = 1 + take_below(p, 8);
}

/* A cancelled call returns PDCOST_ECANCELED, and only a cancelled one does. */
static void check_cancel(pdcost_status s, const stop_after *progress, const char *what) {
    if (progress->stopped && s != PDCOST_ECANCELED) {
        fprintf(stderr, "%s: progress asked to stop after %llu calls; status %s\n", what,
                (unsigned long long)progress->calls, pdcost_status_name(s));
        fail("a call whose progress callback asked to stop did not return PDCOST_ECANCELED");
    }
    if (!progress->stopped && s == PDCOST_ECANCELED) {
        fprintf(stderr, "%s\n", what);
        fail("PDCOST_ECANCELED without a stop request");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GPUs and clusters                                                                          */
/* ------------------------------------------------------------------------------------------ */

static const char *gpu_presets[] = {
    "H100-SXM-80GB", "A100-SXM-80GB", "B200", "V100-SXM-32GB", "L40S", "RTX-4090", "H800-SXM-80GB",
    "H20", "H200-SXM-141GB", "GB200", "B300", "GB300", "A100-PCIe-80GB", "H100-NVL", "A800-SXM-80GB",
};
/* Names for custom GPUs: aliases, model families, near misses and junk. */
static const char *gpu_names[] = {
    "H100", "HGX-A100-80GB", "DGX-H100", "GeForce RTX 4090", "RTX 4090", "H100 PCIe", "B200-GB200",
    "A100-SXM4-40GB", "custom", "", "H", "HGX", "DGX-", "RTX", "GeForce", "MI300X", "h100-sxm-80gb",
    "A100 H100", "H800 H100-SXM-80GB", "\xff\xfe", "V100-SXM2-16GB", "L40", "Blackwell-Ultra",
};

/* A number for a GPU field: the preset's, 0 (unknown), scaled, huge, tiny, NaN/inf bit
 * patterns, negative or raw bits. */
static double fuzz_number(params *p, double preset) {
    static const double scales[] = {1e-6, 1e-3, 0.5, 2.0, 1e3, 1e6};
    static const double huge[] = {1e300, DBL_MAX, 1e30, 9007199254740993.0, 4294967296.0};
    static const double tiny[] = {DBL_MIN, 4.9406564584124654e-324, 1e-300, 1e-9, 1.0};
    static const uint64_t nans[] = {0x7FF8000000000000ULL, 0x7FF0000000000001ULL, 0xFFF8000000000000ULL,
                                    0x7FFFFFFFFFFFFFFFULL, 0x7FF4000000000000ULL};
    switch (take_below(p, 16)) {
    case 0: case 1: case 2: case 3: case 4: return preset;
    case 5: case 6: return 0.0;
    case 7: case 8: return preset * TAKE(p, scales);
    case 9: return TAKE(p, huge);
    case 10: return TAKE(p, tiny);
    case 11: return bits_to_double(TAKE(p, nans));
    case 12: return one_in(p, 2) ? INFINITY : -INFINITY;
    case 13: return one_in(p, 2) ? -0.0 : -(preset == 0.0 ? 1.0 : preset);
    case 14: return bits_to_double(take_u64(p));
    default: return (double)take_u32(p);
    }
}

static uint8_t fuzz_architecture(params *p, uint8_t preset) {
    switch (take_below(p, 10)) {
    case 0: case 1: case 2: return preset;
    case 3: return 0;
    case 4: return 255;
    case 5: return 6 + take_below(p, 3);
    case 6: return take_u8(p);
    default: return (uint8_t)take_below(p, 6);
    }
}

static uint8_t fuzz_capability(params *p, uint8_t preset) {
    switch (take_below(p, 6)) {
    case 0: case 1: return preset;
    case 2: return 3;
    case 3: return take_u8(p);
    default: return (uint8_t)take_below(p, 3);
    }
}

static void set_name(pdcost_gpu_spec *g, const char *name) {
    memset(g->name, 0, sizeof g->name);
    snprintf(g->name, sizeof g->name, "%s", name);
}

/* A GPU: a preset, a preset with fields changed, a name-only custom GPU, a numbers-only one
 * with an architecture, the document's bytes as the name, or raw bytes. Returns 1 when the
 * GPU is an unchanged preset. */
static int take_gpu(params *p, pdcost_gpu_spec *g) {
    pdcost_gpu_spec init = PDCOST_GPU_SPEC_INIT;
    *g = init;
    const char *preset = TAKE(p, gpu_presets);
    if (pdcost_gpu_from_name(g, preset) != PDCOST_OK) fail("a GPU preset is missing");
    unsigned mode = take_below(p, 8);
    if (mode == 6 && !document_is_name) mode = take_below(p, 8);
    if (mode <= 2) return 1;
    pdcost_gpu_spec reference = *g;
    double *fields[] = {&g->memory_bytes, &g->fp32_flops, &g->tf32_flops, &g->fp16_flops, &g->bf16_flops,
                        &g->fp8_flops, &g->hbm_bandwidth, &g->nvlink_bandwidth, &g->network_bandwidth,
                        &g->pcie_bandwidth, &g->tdp_watts};
    switch (mode) {
    case 3: /* the preset with some fields changed */
        for (size_t i = 0; i < COUNT(fields); i++) {
            if (one_in(p, 3)) *fields[i] = fuzz_number(p, *fields[i]);
        }
        break;
    case 4: /* a custom GPU by name only: everything unknown */
        for (size_t i = 0; i < COUNT(fields); i++) *fields[i] = 0.0;
        g->gpus_per_node = 0;
        g->architecture = g->supports_fp8 = g->supports_fp4 = 0;
        set_name(g, one_in(p, 2) ? TAKE(p, gpu_names) : TAKE(p, gpu_presets));
        break;
    case 5: /* a custom GPU: numbers from the preset or unknown, an architecture, a junk name */
        for (size_t i = 0; i < COUNT(fields); i++) *fields[i] = one_in(p, 2) ? 0.0 : fuzz_number(p, *fields[i]);
        set_name(g, TAKE(p, gpu_names));
        break;
    case 6: /* the document as the name (a short one is likely a name) */
        for (size_t i = 0; i < COUNT(fields); i++) *fields[i] = one_in(p, 3) ? fuzz_number(p, *fields[i]) : 0.0;
        g->architecture = 0;
        memset(g->name, 0, sizeof g->name);
        if (document_text != NULL) memcpy(g->name, document_text, strnlen(document_text, sizeof g->name - 1));
        break;
    default: /* raw bytes after the header */
        for (size_t i = 8; i < sizeof *g; i++) ((uint8_t *)g)[i] = take_u8(p);
        return 0;
    }
    if (one_in(p, 3)) g->architecture = fuzz_architecture(p, reference.architecture);
    if (one_in(p, 3)) g->supports_fp8 = fuzz_capability(p, reference.supports_fp8);
    if (one_in(p, 4)) g->supports_fp4 = fuzz_capability(p, reference.supports_fp4);
    if (one_in(p, 3)) {
        static const uint32_t nodes[] = {0, 1, 2, 4, 8, 72, 3, UINT32_MAX, 1u << 24};
        g->gpus_per_node = TAKE(p, nodes);
    }
    if (one_in(p, 16)) g->reserved = take_u8(p);
    return 0;
}

/* pdcost_gpu_complete over `in`: the stated values win, nothing stays unknown, a failure
 * leaves the out-parameters alone. Returns 1 when it accepted `in`, 0 when it rejected it, -1
 * when the out-parameter's header was taken from the input (so a failure says nothing). */
static int exercise_gpu_complete(params *p, const pdcost_gpu_spec *in) {
    struct { pdcost_gpu_spec gpu; uint64_t guard; } out;
    memset(&out, 0xCD, sizeof out);
    pdcost_gpu_spec init = PDCOST_GPU_SPEC_INIT;
    out.gpu.size = init.size;
    out.gpu.version = init.version;
    fuzz_header(p, &out.gpu.size, &out.gpu.version, sizeof out.gpu);
    pdcost_gpu_spec before = out.gpu;
    char *filled = (char *)(uintptr_t)0x1;
    int want_filled = !one_in(p, 3);
    int standard = out.gpu.size == init.size && out.gpu.version == init.version;
    pdcost_status s = pdcost_gpu_complete(&out.gpu, want_filled ? &filled : NULL, in);
    check_failure(s);
    trace("gpu_complete", s);
    if (out.guard != 0xCDCDCDCDCDCDCDCDULL) fail("gpu_complete wrote past the struct");
    if (s != PDCOST_OK) {
        if (memcmp(&before, &out.gpu, sizeof before) != 0) fail("gpu_complete touched out on failure");
        if (filled != (char *)(uintptr_t)0x1) fail("gpu_complete touched out_filled_json on failure");
        /* The overflow finding below also fails here, in the filled JSON, for a GPU that
         * pdcost_cost_model_create accepts. */
        int huge = in->memory_bytes >= 1e300 || in->fp32_flops >= 1e300 || in->tf32_flops >= 1e300 ||
                   in->fp16_flops >= 1e300 || in->bf16_flops >= 1e300 || in->fp8_flops >= 1e300;
        return standard && !huge ? 0 : -1;
    }
    if (want_filled) {
        if (filled == NULL || filled == (char *)(uintptr_t)0x1 || filled[0] != '[') fail("gpu_complete: filled JSON");
        pdcost_string_free(filled);
    }
    if (out.gpu.size < sizeof out.gpu) return 1; /* a smaller caller struct: partly written */
    const pdcost_gpu_spec *o = &out.gpu;
    const double stated[] = {in->memory_bytes, in->fp32_flops, in->tf32_flops, in->fp16_flops, in->bf16_flops,
                             in->fp8_flops, in->hbm_bandwidth, in->nvlink_bandwidth, in->network_bandwidth,
                             in->pcie_bandwidth, in->tdp_watts};
    const double completed[] = {o->memory_bytes, o->fp32_flops, o->tf32_flops, o->fp16_flops, o->bf16_flops,
                                o->fp8_flops, o->hbm_bandwidth, o->nvlink_bandwidth, o->network_bandwidth,
                                o->pcie_bandwidth, o->tdp_watts};
    for (size_t i = 0; i < COUNT(stated); i++) {
        if (!(stated[i] >= 0.0 && isfinite(stated[i]))) fail("gpu_complete accepted a negative or non-finite number");
        if (stated[i] > 0.0 && memcmp(&stated[i], &completed[i], sizeof(double)) != 0) {
            fprintf(stderr, "field %zu: stated %g, completed %g\n", i, stated[i], completed[i]);
            fail("gpu_complete changed a stated number");
        }
        if (!(completed[i] >= 0.0 && isfinite(completed[i]))) {
            fprintf(stderr, "field %zu: stated %g, completed %g (name '%.64s', architecture %u)\n", i, stated[i],
                    completed[i], in->name, (unsigned)in->architecture);
            for (size_t j = 0; j < COUNT(stated); j++) fprintf(stderr, "  in[%zu] = %.17g\n", j, stated[j]);
            fail("gpu_complete produced a negative or non-finite number");
        }
    }
    if (in->gpus_per_node != 0 && o->gpus_per_node != in->gpus_per_node) {
        fail("gpu_complete changed gpus_per_node");
    }
    if (in->architecture != 0 && o->architecture != in->architecture) fail("gpu_complete changed the architecture");
    if (in->supports_fp8 != 0 && o->supports_fp8 != in->supports_fp8) fail("gpu_complete changed supports_fp8");
    if (in->supports_fp4 != 0 && o->supports_fp4 != in->supports_fp4) fail("gpu_complete changed supports_fp4");
    if (o->architecture < PDCOST_GPU_ARCH_VOLTA || o->architecture > PDCOST_GPU_ARCH_BLACKWELL_ULTRA) {
        fail("gpu_complete left the architecture unknown");
    }
    if (o->supports_fp8 == PDCOST_GPU_CAPABILITY_UNKNOWN || o->supports_fp8 > PDCOST_GPU_CAPABILITY_YES ||
        o->supports_fp4 == PDCOST_GPU_CAPABILITY_UNKNOWN || o->supports_fp4 > PDCOST_GPU_CAPABILITY_YES) {
        fail("gpu_complete left a capability unknown");
    }
    if (in->fp8_flops == 0.0 && o->supports_fp8 == PDCOST_GPU_CAPABILITY_NO && o->fp8_flops != 0.0) {
        fail("gpu_complete filled FP8 for a part without FP8 tensor cores");
    }
    if (o->name[sizeof o->name - 1] != '\0') fail("gpu_complete: name not terminated");
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Training setups                                                                            */
/* ------------------------------------------------------------------------------------------ */

static const char *const bool_values[] = {"true", "false", "null", "1", "\"true\""};
static const char *const recipe_values[] = {"\"delayed\"", "\"current\"", "\"blockwise\"", "\"rowwise\"",
                                            "\"mxfp8\"", "\"MXFP8\"", "null", "\"\""};
static const char *const factor_values[] = {"1.25", "0.01", "1024", "1", "0", "0.00999", "1024.5", "-1",
                                             "1e400", "1e-400", "null", "\"1\""};
static const char *const dispatcher_values[] = {"\"alltoall\"", "\"allgather\"", "\"flex\"", "\"deepep\"",
                                                "\"hybridep\"", "\"a2a\"", "null"};
static const char *const backend_values[] = {"\"cudnn\"", "\"flash\"", "\"unfused\"", "\"fa3\"", "null"};
static const char *const optimizer_values[] = {"\"adam\"", "\"apex_distributed_adam\"", "\"sgd\"", "null"};
static const char *const version_values[] = {"\"2.8\"", "\"2.10\"", "\"2.0\"", "\"3.1\"", "\"2\"", "\"2.8.1\"",
                                             "\"2.x\"", "\"\"", "\"-2.8\"", "\"2.99999999999999999999\"",
                                             "2.8", "null"};
static const char *const release_values[] = {"\"25.04\"", "\"core_r0.12.0\"", "\"\"", "\"\\u00e9\"", "1", "null"};
static const char *const schedule_values[] = {"\"1f1b\"", "\"interleaved_1f1b\"", "\"looped_bfs\"",
                                              "\"zero_bubble\"", "\"gpipe\"", "null"};
static const char *const layers_values[] = {"0", "1", "4", "1048576", "1048577", "-1", "2.5", "1e3",
                                            "9223372036854775808", "null"};
static const char *const logged_values[] = {"\"max_over_ranks\"", "\"last_rank\"", "\"rank0\"", "null"};
static const char *const junk_values[] = {"[]", "{}", "\"x\"", "0", "true", "null", "-0", "1e308", "\"\\u0000\""};

typedef struct setting_key {
    const char *key;
    const char *const *values;
    size_t count;
} setting_key;

#define SETTING(key, values) {key, values, COUNT(values)}
static const setting_key setting_keys[] = {
    SETTING("tp_comm_overlap", bool_values), SETTING("cuda_graphs", bool_values),
    SETTING("torch_compile", bool_values), SETTING("fp8_recipe", recipe_values),
    SETTING("fp8_params", bool_values), SETTING("overlap_grad_reduce", bool_values),
    SETTING("overlap_param_gather", bool_values), SETTING("overlap_p2p", bool_values),
    SETTING("grad_reduce_in_fp32", bool_values), SETTING("moe_capacity_factor", factor_values),
    SETTING("moe_pad_to_capacity", bool_values), SETTING("moe_overlap_expert_comm", bool_values),
    SETTING("moe_token_dispatcher", dispatcher_values), SETTING("moe_router_force_balance", bool_values),
    SETTING("moe_expert_imbalance", factor_values),
    SETTING("attention_backend", backend_values), SETTING("optimizer", optimizer_values),
    SETTING("te_cross_entropy", bool_values), SETTING("torch_version", version_values),
    SETTING("framework_release", release_values), SETTING("pipeline_schedule", schedule_values),
    SETTING("deterministic", bool_values), SETTING("deterministic_attention", bool_values),
    SETTING("activation_offload_layers", layers_values), SETTING("memory_logged_by", logged_values),
    SETTING("split_param", bool_values), SETTING("sd_release_grads", bool_values),
    SETTING("nope", junk_values), SETTING("TP_COMM_OVERLAP", bool_values), SETTING("", junk_values),
};

/* A settings object: a few keys, each with a value of its kind (mostly) or of another. */
static const char *take_settings(params *p, char *buffer, size_t capacity) {
    static const char *const whole[] = {"{}", "null", "[]", "{", "", "{\"tp_comm_overlap\": true,}",
                                        "{\"tp_comm_overlap\": true, \"tp_comm_overlap\": false}",
                                        "\xff", " {} ", "{\"cuda_graphs\": true} x"};
    if (document_is_settings && !one_in(p, 4)) return document_text;
    switch (take_below(p, 12)) {
    case 0: case 1: case 2: return NULL;
    case 3: return one_in(p, 2) ? "" : "{}";
    case 4: return rare(p) ? TAKE(p, whole) : NULL;
    case 5: return document_text;
    default: break;
    }
    size_t n = 1 + take_below(p, 5), used = 0;
    used += (size_t)snprintf(buffer + used, capacity - used, "{");
    for (size_t i = 0; i < n && used < capacity; i++) {
        const setting_key *k = rare(p) ? &setting_keys[COUNT(setting_keys) - 1 - take_below(p, 3)]
                                       : &setting_keys[take_below(p, COUNT(setting_keys) - 3)];
        const char *value = rare(p) ? TAKE(p, junk_values) : k->values[take_below(p, (unsigned)k->count)];
        used += (size_t)snprintf(buffer + used, capacity - used, "%s\"%s\": %s", i ? ", " : "", k->key, value);
    }
    if (used < capacity) snprintf(buffer + used, capacity - used, "}");
    return buffer;
}

static void take_setup(params *p, pdcost_training_setup *setup, char *settings, size_t capacity) {
    static const uint32_t seqs[] = {2048, 4096, 1024, 8192, 1, 0, 3, 131072, 1u << 31, UINT32_MAX};
    static const uint32_t mbs[] = {1, 2, 4, 1, 0, 3, 1u << 20, UINT32_MAX};
    static const uint64_t gbs[] = {16, 64, 8, 32, 1, 0, 7, 1ULL << 40, (1ULL << 40) + 1, UINT64_MAX};
    static const uint32_t recompute_layers[] = {0, 1, 2, 4, 16, 17, UINT32_MAX};
    static const double ratios[] = {0.0, 0.25, 0.5, 1.0, -0.0, 1.0000001, -1e-9, INFINITY, NAN,
                                    4.9406564584124654e-324};
    pdcost_training_setup init = PDCOST_TRAINING_SETUP_INIT;
    *setup = init;
    static const pdcost_dtype dtypes[] = {PDCOST_DTYPE_BF16, PDCOST_DTYPE_BF16, PDCOST_DTYPE_FP16,
                                          PDCOST_DTYPE_FP8, PDCOST_DTYPE_FP32};
    setup->seq_len = rare(p) ? TAKE(p, seqs) : seqs[take_below(p, 4)];
    setup->micro_batch_size = rare(p) ? TAKE(p, mbs) : 1 + take_below(p, 2);
    setup->global_batch_size = rare(p) ? TAKE(p, gbs) : gbs[take_below(p, 4)];
    setup->dtype = rare(p) ? (pdcost_dtype)(one_in(p, 2) ? 4 : take_u32(p)) : TAKE(p, dtypes);
    setup->optimizer = rare(p) ? (pdcost_optimizer)(one_in(p, 2) ? 3 : take_u32(p)) : (pdcost_optimizer)take_below(p, 3);
    setup->recompute = rare(p) ? (pdcost_recompute)(one_in(p, 2) ? 3 : take_u32(p)) : (pdcost_recompute)take_below(p, 3);
    setup->recompute_num_layers = rare(p) ? TAKE(p, recompute_layers) : recompute_layers[take_below(p, 4)];
    setup->optimizer_offload_ratio = rare(p) ? TAKE(p, ratios) : one_in(p, 3) ? ratios[take_below(p, 4)] : 0.0;
    setup->framework = rare(p) ? (pdcost_framework)(one_in(p, 2) ? 6 : take_u32(p)) : (pdcost_framework)take_below(p, 6);
    setup->settings_json = take_settings(p, settings, capacity);
    /* Version 2: method, LoRA rank and targets (out-of-range enum values and bits included). */
    static const uint32_t ranks[] = {0, 8, 16, 64, 1, 65536, 65537, UINT32_MAX};
    setup->method = rare(p) ? (pdcost_method)(one_in(p, 2) ? 4 : take_u32(p)) : (pdcost_method)take_below(p, 4);
    setup->lora_rank = rare(p) ? TAKE(p, ranks) : ranks[take_below(p, 4)];
    setup->lora_targets = rare(p) ? take_u32(p) : take_below(p, 16);
    setup->packed_document_tokens = rare(p) ? TAKE(p, seqs) : one_in(p, 4) ? 256 + take_below(p, 1024) : 0;
    /* Version 3: recompute modules, derived from the values above without drawing (the seeds
     * keep their order); bit 0x80 is outside PDCOST_RECOMPUTE_MODULE_ALL and must be refused. */
    setup->recompute_modules = (setup->lora_targets * 37u ^ setup->packed_document_tokens) & 0xFFu;
    fuzz_header(p, &setup->size, &setup->version, sizeof *setup);
}

/* ------------------------------------------------------------------------------------------ */
/* Plans and predictions                                                                      */
/* ------------------------------------------------------------------------------------------ */

static uint32_t take_wild(params *p) {
    static const uint32_t edges[] = {0, 1, 2, 3, 5, 6, 7, 12, 1u << 16, 1u << 24, 1u << 31, UINT32_MAX - 1, UINT32_MAX};
    return one_in(p, 4) ? take_u32(p) : TAKE(p, edges);
}

/* A plan over `num_gpus`: the default, a consistent one (tp*pp*dp*cp = num_gpus), or fields
 * taken anywhere. */
static void take_plan(params *p, pdcost_plan *plan, uint32_t num_gpus) {
    static const uint32_t degrees[] = {1, 2, 4, 8, 1, 2};
    static const uint32_t layers[] = {0, 0, 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17};
    pdcost_plan init = PDCOST_PLAN_INIT;
    *plan = init;
    unsigned mode = take_below(p, 12);
    if (mode <= 1) {
        plan->dp = num_gpus;
    } else if (mode <= 10) {
        plan->tp = TAKE(p, degrees);
        plan->pp = TAKE(p, degrees);
        plan->cp = one_in(p, 3) ? TAKE(p, degrees) : 1;
        uint64_t replica = (uint64_t)plan->tp * plan->pp * plan->cp;
        plan->dp = replica != 0 && num_gpus % replica == 0 ? (uint32_t)(num_gpus / replica) : 1 + take_below(p, 4);
        plan->vpp = one_in(p, 3) ? 1 + take_below(p, 4) : 1;
        plan->ep = one_in(p, 2) ? TAKE(p, degrees) : 1;
        plan->etp = take_below(p, 3);
        plan->sequence_parallel = take_below(p, 2);
        plan->zero_stage = take_below(p, 4);
        plan->fsdp = one_in(p, 4);
        plan->first_stage_layers = one_in(p, 3) ? TAKE(p, layers) : 0;
        plan->last_stage_layers = one_in(p, 3) ? TAKE(p, layers) : 0;
    } else {
        uint32_t *fields[] = {&plan->tp, &plan->pp, &plan->vpp, &plan->dp, &plan->cp, &plan->ep, &plan->etp,
                              &plan->sequence_parallel, &plan->zero_stage, &plan->fsdp,
                              &plan->first_stage_layers, &plan->last_stage_layers};
        for (size_t i = 0; i < COUNT(fields); i++) {
            if (one_in(p, 2)) *fields[i] = take_wild(p);
        }
    }
    fuzz_header(p, &plan->size, &plan->version, sizeof *plan);
}

/* A trace document (ABI 1.5): a JSON object with trace events. */
static void check_trace_document(pdcost_status status, char *json, const char *call) {
    check_failure(status);
    trace(call, status);
    if (status == PDCOST_OK) {
        if (json == NULL || json == (char *)(uintptr_t)0x1 || json[0] != '{' || strstr(json, "\"traceEvents\"") == NULL) {
            fail("a trace without traceEvents");
        }
        pdcost_string_free(json);
    } else if (json != (char *)(uintptr_t)0x1) {
        fail("a trace entry point touched out_json on failure");
    }
}

/* The step's trace (ABI 1.5) for the plan just predicted, drawing no parameters (the params-*
 * seeds keep their order): it fails where predict fails, and where predict succeeds it
 * succeeds unless the step has more than 2^20 blocks (PDCOST_EINVAL); the held prediction's
 * trace likewise. */
/* Accepted traces of more than this many blocks take seconds under the sanitizers (the
 * library's limit is 2^20; Tests/c/test_trace.c checks its edge): fuzzed traces stay below, or
 * far beyond it, where the refusal is immediate. */
#define FUZZ_TRACE_BLOCKS 8192.0

static double trace_blocks(double micro_batches, uint32_t pp, uint32_t vpp) {
    /* at least one micro-batch, whole ones: a tiny positive count still draws one */
    double m = micro_batches > 1.0 ? ceil(micro_batches) : 1.0;
    return m * (pp ? pp : 1) * (vpp ? vpp : 1) * 2.0;
}

static void exercise_step_trace(const pdcost_cost_model *cost, const pdcost_plan *plan, pdcost_status predicted,
                                int comparable, const pdcost_prediction *prediction) {
    /* A failed prediction fails the trace at once; a successful one is traced when its size is known and small. */
    if (predicted == PDCOST_OK && !(comparable && prediction != NULL &&
                                    trace_blocks(prediction->micro_batches, plan->pp, plan->vpp) <= FUZZ_TRACE_BLOCKS)) {
        return;
    }
    char *json = (char *)(uintptr_t)0x1;
    pdcost_status st = pdcost_cost_model_trace(&json, cost, plan);
    check_trace_document(st, json, "cost_model_trace");
    if (comparable && predicted != PDCOST_OK && st == PDCOST_OK) fail("cost_model_trace succeeded where predict failed");
    if (comparable && predicted == PDCOST_OK && st != PDCOST_OK && st != PDCOST_EINVAL) {
        fail("cost_model_trace failed unlike predict");
    }
    if (prediction == NULL) return;
    json = (char *)(uintptr_t)0x1;
    pdcost_status sp = pdcost_prediction_trace(&json, prediction, plan);
    check_trace_document(sp, json, "prediction_trace");
    if (st == PDCOST_OK && sp != PDCOST_OK) fail("prediction_trace refused what cost_model_trace drew");
}

/* predict and predict_json over one plan: the same answer, the documented out-parameters. */
static void exercise_predict(params *p, const pdcost_cost_model *cost, const pdcost_plan *plan,
                             int check_finite) {
    struct { pdcost_prediction prediction; uint64_t guard; } out;
    memset(&out, 0xEF, sizeof out);
    pdcost_prediction init = PDCOST_PREDICTION_INIT;
    out.prediction.size = init.size;
    out.prediction.version = init.version;
    fuzz_header(p, &out.prediction.size, &out.prediction.version, sizeof out.prediction);
    pdcost_prediction before = out.prediction;
    pdcost_status s = pdcost_cost_model_predict(&out.prediction, cost, plan);
    check_failure(s);
    trace("cost_model_predict", s);
    if (out.guard != 0xEFEFEFEFEFEFEFEFULL) fail("predict wrote past the struct");
    int header_ok = out.prediction.size >= sizeof out.prediction && out.prediction.version == PDCOST_PREDICTION_VERSION;
    if (s != PDCOST_OK) {
        if (memcmp(&before, &out.prediction, sizeof before) != 0) fail("predict touched out on failure");
    } else {
        const pdcost_prediction *r = &out.prediction;
        if (r->fits_memory > 1) fail("fits_memory is not 0 or 1");
        if (plan->pp != 0 && r->peak_stage >= plan->pp) fail("peak_stage beyond the pipeline");
        if (check_finite && !(r->step_time_s > 0.0 && isfinite(r->step_time_s))) {
            fail("a preset cluster predicts a step time that is not positive and finite");
        }
    }

    /* predict's status speaks for the plan only when the out struct's header was valid. */
    exercise_step_trace(cost, plan, header_ok ? s : PDCOST_OK, header_ok,
                        s == PDCOST_OK && header_ok ? &out.prediction : NULL);

    char *json = (char *)(uintptr_t)0x1;
    int want_json = !one_in(p, 16);
    pdcost_status sj = pdcost_cost_model_predict_json(want_json ? &json : NULL, cost, plan);
    check_failure(sj);
    trace("cost_model_predict_json", sj);
    if (!want_json) {
        if (sj == PDCOST_OK) fail("predict_json accepted out_json=NULL");
        return;
    }
    if (sj == PDCOST_OK) {
        if (json == NULL || json == (char *)(uintptr_t)0x1 || json[0] != '{' || strstr(json, "\"prediction\"") == NULL ||
            strstr(json, "\"settings\"") == NULL) {
            fail("predict_json returned no prediction document");
        }
        pdcost_string_free(json);
    } else if (json != (char *)(uintptr_t)0x1) {
        fail("predict_json touched out_json on failure");
    }
    if (header_ok && (s == PDCOST_OK) != (sj == PDCOST_OK)) {
        fprintf(stderr, "predict: %s, predict_json: %s\n", pdcost_status_name(s), pdcost_status_name(sj));
        fail("predict and predict_json disagree");
    }
    if (header_ok && s != sj) fail("predict and predict_json fail with different statuses");
}

/* ------------------------------------------------------------------------------------------ */
/* Plan search                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* Reads every search result accessor with indices in and out of range and structs whose size
 * and version come from the input; checks the counts the header promises. */
static void exercise_search_result(params *p, const pdcost_search_result *result, uint32_t top_k,
                                   uint32_t num_gpus, int stopped, int varied) {
    size_t count = pdcost_search_result_count(result);
    size_t pareto = pdcost_search_result_pareto_count(result);
    if (count > (top_k == 0 ? 10u : top_k)) fail("more results than top_k");
    const char *explanation = pdcost_search_result_explanation(result);
    if (explanation == NULL) fail("explanation is NULL");
    if (count > 0 && explanation[0] != '\0') fail("explanation for a non-empty result");
    if (count == 0 && !stopped && explanation[0] == '\0') fail("empty result without an explanation");
    if ((count == 0) != (pareto == 0)) fail("Pareto front and ranking disagree on emptiness");

    double previous = INFINITY;
    for (size_t i = 0; i < count; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_get(&e, result, i);
        check_failure(s);
        if (s != PDCOST_OK) fail("result_get failed for an index below the count");
        const pdcost_plan *plan = &e.plan;
        if ((uint64_t)plan->tp * plan->pp * plan->dp * plan->cp != num_gpus) fail("a ranked plan does not use every GPU");
        if (!e.prediction.fits_memory) fail("a ranked plan does not fit in memory");
        if (!(e.prediction.tokens_per_second <= previous)) fail("results are not ranked by tokens/s");
        if (!varied && e.settings_variant != 0) fail("a settings_variant without vary_settings");
        if (e.settings_variant >= 16) fail("settings_variant beyond 4 varied settings");
        previous = e.prediction.tokens_per_second;
    }
    /* Indices at and beyond the end (the count, SIZE_MAX, further), into both lists. */
    size_t bad[3] = {count, (size_t)-1, count + take_u32(p) % 1000};
    for (int i = 0; i < 3; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        e.plan.tp = 12345;
        pdcost_status s = pdcost_search_result_get(&e, result, bad[i]);
        check_failure(s);
        if (s == PDCOST_OK) fail("result_get accepted an index past the end");
        if (e.plan.tp != 12345) fail("result_get touched out on failure");
    }
    size_t pareto_bad[3] = {pareto, (size_t)-1, pareto + take_u32(p) % 1000};
    for (int i = 0; i < 3; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_pareto_get(&e, result, pareto_bad[i]);
        check_failure(s);
        if (s == PDCOST_OK) fail("pareto_get accepted an index past the end");
    }
    double last_memory = -1.0;
    for (size_t i = 0; i < pareto; i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        pdcost_status s = pdcost_search_result_pareto_get(&e, result, i);
        check_failure(s);
        if (s != PDCOST_OK) fail("pareto_get failed for an index below the count");
        if (!(e.peak_allocated_bytes >= last_memory)) fail("Pareto front not by memory ascending");
        last_memory = e.peak_allocated_bytes;
    }

    /* An entry struct with a size/version from the input: rejected or filled, never overrun. */
    if (count > 0) {
        struct { pdcost_search_entry entry; uint64_t guard; } padded;
        memset(&padded, 0xAB, sizeof padded);
        padded.entry.size = (uint32_t)(take_u32(p) % (sizeof padded.entry + 1));
        padded.entry.version = take_below(p, 3);
        pdcost_status s = pdcost_search_result_get(&padded.entry, result, 0);
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
    pdcost_status s = pdcost_search_result_stats(&stats, result);
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
    if (stopped != (int)stats.cancelled) fail("stats.cancelled does not say whether the search was stopped");
    if (!stopped && stats.work_units_done != stats.work_units) fail("an uncancelled search left work");
    if (strcmp(pdcost_search_prune_reason_name((pdcost_search_prune_reason)(PDCOST_PRUNE_REASONS + take_u8(p))),
               "unknown") != 0) {
        fail("a name for an unknown prune reason");
    }

    struct { pdcost_search_stats stats; uint64_t guard; } padded_stats;
    memset(&padded_stats, 0xAB, sizeof padded_stats);
    padded_stats.stats.size = (uint32_t)(take_u32(p) % (sizeof padded_stats.stats + 1));
    padded_stats.stats.version = take_below(p, 3);
    s = pdcost_search_result_stats(&padded_stats.stats, result);
    check_failure(s);
    if (padded_stats.guard != 0xABABABABABABABABULL) fail("result_stats wrote past the struct");

    char *json = (char *)(uintptr_t)0x1;
    int want_json = !one_in(p, 8);
    s = pdcost_search_result_to_json(want_json ? &json : NULL, result);
    check_failure(s);
    if (want_json) {
        if (s != PDCOST_OK || json == NULL || json == (char *)(uintptr_t)0x1) fail("result_to_json failed");
        pdcost_string_free(json);
    } else if (s == PDCOST_OK) {
        fail("result_to_json accepted out_json=NULL");
    }
}

/* Settings a search may vary: lists in and out of the rules, and the document. */
static const char *take_vary_settings(params *p, char *buffer, size_t capacity) {
    static const char *const lists[] = {
        "tp_comm_overlap", "cuda_graphs", "tp_comm_overlap,cuda_graphs", "cuda_graphs, torch_compile",
        "overlap_grad_reduce,overlap_param_gather", "overlap_p2p,fp8_params", "moe_overlap_expert_comm",
        "tp_comm_overlap,cuda_graphs,torch_compile,overlap_grad_reduce",
        "tp_comm_overlap,cuda_graphs,torch_compile,overlap_grad_reduce,overlap_p2p", /* 5 keys */
        "tp_comm_overlap,tp_comm_overlap", "fp8_recipe", "nope", ",,,", " ", ",cuda_graphs,", "CUDA_GRAPHS",
        "cuda graphs", "\xff",
    };
    if (document_is_name && one_in(p, 2)) return document_text;
    switch (take_below(p, 10)) {
    case 0: case 1: case 2: case 3: return NULL;
    case 4: /* the document's first bytes */
        if (rare(p)) return "";
        snprintf(buffer, capacity, "%.48s", document_text);
        return buffer;
    case 5: case 7: case 8: /* a list from the variable keys */
    {
        static const char *const keys[] = {"tp_comm_overlap", "cuda_graphs", "torch_compile", "overlap_grad_reduce",
                                           "overlap_param_gather", "overlap_p2p", "fp8_params",
                                           "moe_overlap_expert_comm"};
        size_t n = 1 + take_below(p, 3), used = 0;
        buffer[0] = '\0';
        for (size_t i = 0; i < n && used < capacity; i++) {
            used += (size_t)snprintf(buffer + used, capacity - used, "%s%s", i ? "," : "", TAKE(p, keys));
        }
        return buffer;
    }
    case 6:
        if (one_in(p, 16)) { /* longer than the 4095-byte limit */
            static char long_list[4200];
            memset(long_list, ',', sizeof long_list - 1);
            long_list[sizeof long_list - 1] = '\0';
            return long_list;
        }
        return TAKE(p, lists);
    default: return TAKE(p, lists);
    }
}

/* pdcost_search_run with every option taken from the input, over `cost`. */
static void exercise_search(params *p, const pdcost_cost_model *cost, uint32_t num_gpus) {
    static const uint32_t limits[] = {0, 1, 2, 3, 4, 8, 16, 1u << 20, (1u << 20) + 1, UINT32_MAX};
    static const uint32_t counts[] = {0, 1, 2, 3, PDCOST_SEARCH_MAX_LIST, PDCOST_SEARCH_MAX_LIST + 1, UINT32_MAX};
    static const uint32_t top_ks[] = {0, 1, 3, 10, 100000, 100001, UINT32_MAX};
    static const uint32_t thread_counts[] = {0, 1, 2, 3, 1024, 1025, UINT32_MAX};
    static const double margins[] = {0.0, 0.1, 0.5, 0.999, 1.0, -0.1, -0.0, INFINITY, -INFINITY, NAN, 1e308};
    static const double ratios[] = {0.0, 0.25, 0.5, 1.0, -0.0, 1.0000001, -1e-9, INFINITY, NAN};
    char vary[256];

    struct { pdcost_search_options options; uint64_t guard; } padded;
    pdcost_search_options init = PDCOST_SEARCH_OPTIONS_INIT;
    memset(&padded, 0, sizeof padded);
    padded.options = init;
    pdcost_search_options *o = &padded.options;
    /* Small limits, so a search stays fast; sometimes one of them at an edge. */
    o->max_tp = take_below(p, 5);
    o->max_pp = take_below(p, 5);
    o->max_vpp = take_below(p, 3);
    o->max_cp = take_below(p, 3);
    o->max_ep = take_below(p, 9);
    o->max_etp = take_below(p, 3);
    int wide = rare(p);
    if (wide) {
        uint32_t *fields[] = {&o->max_tp, &o->max_pp, &o->max_vpp, &o->max_cp, &o->max_ep, &o->max_etp,
                              &o->max_stage_layer_reduction};
        unsigned which = take_below(p, COUNT(fields));
        *fields[which] = TAKE(p, limits);
        /* The interleaving loop is bounded by the layers per stage (finding search-max-vpp,
         * fixed), so the largest accepted max_vpp is as cheap as a small one. */
        static const uint32_t vpp_edges[] = {0, 1, 2, 3, 16, 64, 1u << 24, (1u << 24) + 1, UINT32_MAX};
        if (fields[which] == &o->max_vpp) o->max_vpp = TAKE(p, vpp_edges);
    }
    o->num_micro_batch_sizes = rare(p) ? TAKE(p, counts) : take_below(p, 4);
    for (int i = 0; i < PDCOST_SEARCH_MAX_LIST; i++) {
        /* 0 (invalid), small, and huge sizes. */
        uint8_t b = take_u8(p);
        o->micro_batch_sizes[i] = b < 2 ? b : b < 250 ? 1u + (b & 7) : (b == 255 ? UINT32_MAX : (1u << 20) + b - 250);
        o->optimizer_offload_ratios[i] = rare(p) ? TAKE(p, ratios) : ratios[take_below(p, 4)];
    }
    o->recompute = rare(p) ? 16 + take_below(p, 2) : take_below(p, 16);     /* 16, 17: unknown bits */
    o->zero_stages = rare(p) ? 16 + take_below(p, 2) : take_below(p, 16);   /* 16, 17: beyond stage 3 */
    o->sequence_parallel = rare(p) ? 3 + take_below(p, 2) : take_below(p, 3);
    if (!wide) o->max_stage_layer_reduction = take_below(p, 4);
    o->num_offload_ratios = rare(p) ? TAKE(p, counts) : take_below(p, 3);
    o->top_k = rare(p) ? TAKE(p, top_ks) : top_ks[take_below(p, 4)];
    o->threads = rare(p) ? TAKE(p, thread_counts) : 1 + one_in(p, 8); /* 0: every core */
    o->memory_safety_margin = rare(p) ? TAKE(p, margins) : one_in(p, 3) ? margins[take_below(p, 4)] : 0.0;
    o->flags = rare(p) ? 8 + take_below(p, 2) : take_below(p, 8);          /* 8: unknown bit */
    o->reserved = rare(p) && one_in(p, 2);
    o->vary_settings = take_vary_settings(p, vary, sizeof vary);
    stop_after progress;
    take_stop(p, &progress, 0);
    if (!one_in(p, 4)) {
        o->progress = stopping_progress;
        o->user = &progress;
    } else {
        progress.stop_at = 0;
    }
    /* Bound the work: a search per combination of varied settings, so with them (or a wide
     * limit) no partial recomputation, no pricing of every plan and at most two micro-batch
     * sizes. */
    int varies = o->vary_settings != NULL && strspn(o->vary_settings, ", ") != strlen(o->vary_settings);
    if (wide) o->vary_settings = NULL;
    if (varies || wide) {
        o->recompute &= ~PDCOST_SEARCH_RECOMPUTE_PARTIAL;
        if (o->recompute == 0) o->recompute = PDCOST_SEARCH_RECOMPUTE_NONE;
        o->flags &= ~PDCOST_SEARCH_NO_MEMORY_BOUND;
        if (o->num_micro_batch_sizes == 0 || o->num_micro_batch_sizes > 2) o->num_micro_batch_sizes = 1 + (o->micro_batch_sizes[0] & 1);
        if (o->max_stage_layer_reduction > 2) o->max_stage_layer_reduction = 1;
    }
    /* Partial recomputation tries every layer count: not with every plan priced. */
    if ((o->recompute & PDCOST_SEARCH_RECOMPUTE_PARTIAL) || o->recompute == 0) o->flags &= ~PDCOST_SEARCH_NO_MEMORY_BOUND;
    fuzz_header(p, &o->size, &o->version, sizeof *o);
    int null_options = one_in(p, 64);
    pdcost_search_options copy = *o;

    pdcost_search_result *result = (pdcost_search_result *)(uintptr_t)0x1;
    pdcost_status s = pdcost_search_run(&result, cost, null_options ? NULL : o);
    check_failure(s);
    trace("search_run", s);
    if (trace_calls && !null_options) {
        fprintf(stderr, "trace   max tp %u pp %u vpp %u cp %u ep %u etp %u; %u mbs, recompute %u, zero %u, sp %u, "
                "reduction %u, %u ratios, top_k %u, threads %u, flags %u, vary_settings=%s\n",
                o->max_tp, o->max_pp, o->max_vpp, o->max_cp, o->max_ep, o->max_etp, o->num_micro_batch_sizes,
                o->recompute, o->zero_stages, o->sequence_parallel, o->max_stage_layer_reduction,
                o->num_offload_ratios, o->top_k, o->threads, o->flags, o->vary_settings ? o->vary_settings : "(null)");
    }
    if (padded.guard != 0 || memcmp(&copy, o, sizeof copy) != 0) fail("search_run wrote into its options");
    if (s != PDCOST_OK && s != PDCOST_ECANCELED) {
        if (result != (pdcost_search_result *)(uintptr_t)0x1) fail("search_run touched out_result on failure");
        return;
    }
    check_cancel(s, &progress, "search_run");
    if (result == NULL || result == (pdcost_search_result *)(uintptr_t)0x1) fail("search_run returned no result");
    uint32_t top_k = null_options ? 0 : o->top_k;
    int varied = !null_options && o->vary_settings != NULL && strspn(o->vary_settings, ", ") != strlen(o->vary_settings);
    exercise_search_result(p, result, top_k, num_gpus, s == PDCOST_ECANCELED, varied);
    pdcost_search_result_free(result);
}

/* ------------------------------------------------------------------------------------------ */
/* Cost models                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* A profile for an options struct: none, the fixed one, the document (whole or cut short),
 * or NULL/empty with a length. Returns 1 when the profile is the whole document. */
static int take_profile(params *p, const char **json, size_t *length, const char *doc, size_t doc_size,
                        int profile_ok) {
    if (profile_ok && !one_in(p, 4)) {
        *json = doc;
        *length = doc_size;
        return 1;
    }
    switch (take_below(p, 8)) {
    case 0: case 1: case 2: *json = NULL; *length = 0; return 0;
    case 3: *json = fixed_profile; *length = strlen(fixed_profile); return 0;
    case 4:
        if (rare(p)) { *json = NULL; *length = 1 + take_below(p, 64); return 0; } /* NULL with a length */
        *json = NULL; *length = 0; return 0;
    case 5: *json = doc; *length = doc_size > 0 ? take_u32(p) % doc_size : 0; return 0; /* cut short */
    default: *json = doc; *length = doc_size; return 1;
    }
}

/* A cost model from a fuzzed GPU, cluster, setup and profile; predictions over fuzzed plans,
 * and a search. */
static void exercise_cost_model(params *p, const char *doc, size_t doc_size, int profile_ok,
                                pdcost_model *doc_model) {
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    int preset_gpu = take_gpu(p, &cluster.gpu);
    int complete = exercise_gpu_complete(p, &cluster.gpu);
    static const uint32_t gpu_counts[] = {1, 2, 4, 8, 16, 8, 4, 2};
    static const uint32_t odd_counts[] = {0, 3, 6, 12, 1u << 24, (1u << 24) + 1, UINT32_MAX};
    cluster.num_gpus = rare(p) ? TAKE(p, odd_counts) : TAKE(p, gpu_counts);
    static const uint32_t nodes[] = {8, 8, 0, 4, 2, 1, 72, 3, UINT32_MAX};
    cluster.gpus_per_node = rare(p) ? TAKE(p, nodes) : nodes[take_below(p, 4)];
    fuzz_header(p, &cluster.size, &cluster.version, sizeof cluster);

    char settings[1024];
    pdcost_training_setup setup;
    take_setup(p, &setup, settings, sizeof settings);

    /* The model: the dense or MoE one (searched), or the document's model (priced only). */
    unsigned which = take_below(p, 4);
    pdcost_model *model = which == 0 ? moe_model : dense_model;
    if (which == 3 && doc_model != NULL) model = doc_model;
    int searchable = model != doc_model;

    pdcost_cost_model_options options = PDCOST_COST_MODEL_OPTIONS_INIT;
    int whole_document = take_profile(p, &options.profile_json, &options.profile_length, doc, doc_size, profile_ok);
    fuzz_header(p, &options.size, &options.version, sizeof options);
    int null_options = one_in(p, 16);

    pdcost_cost_model *cost = (pdcost_cost_model *)(uintptr_t)0x1;
    pdcost_status s = pdcost_cost_model_create(&cost, model, &cluster, &setup, null_options ? NULL : &options);
    check_failure(s);
    trace("cost_model_create", s);
    if (trace_calls) {
        fprintf(stderr, "trace   gpu=%.64s num_gpus=%u model=%s framework=%u dtype=%u settings=%s profile=%s\n",
                cluster.gpu.name, cluster.num_gpus, model == dense_model ? "dense" : model == moe_model ? "moe" : "document",
                (unsigned)setup.framework, (unsigned)setup.dtype, setup.settings_json ? setup.settings_json : "(null)",
                null_options || options.profile_json == NULL ? "none" : options.profile_json == fixed_profile ? "fixed" : "document");
    }
    if (s != PDCOST_OK) {
        if (cost != (pdcost_cost_model *)(uintptr_t)0x1) fail("cost_model_create touched out on failure");
        cost = NULL;
    } else {
        if (cost == NULL || cost == (pdcost_cost_model *)(uintptr_t)0x1) fail("cost_model_create returned no handle");
        if (complete == 0 && cluster.gpu.size == sizeof cluster.gpu &&
            cluster.gpu.version == PDCOST_GPU_SPEC_VERSION) {
            fail("cost_model_create accepted a GPU that gpu_complete rejects");
        }
        if (!null_options && whole_document && !profile_ok && options.size == sizeof options &&
            options.version == PDCOST_COST_MODEL_OPTIONS_VERSION) {
            fail("cost_model_create accepted a profile that profile_check rejects");
        }
    }

    if (cost != NULL) {
        char *json = (char *)(uintptr_t)0x1;
        s = pdcost_cost_model_settings_json(&json, cost);
        check_failure(s);
        trace("cost_model_settings_json", s);
        if (s != PDCOST_OK || json == NULL || strstr(json, "\"framework\"") == NULL) fail("cost_model_settings_json");
        pdcost_string_free(json);
        int finite = preset_gpu && setup.optimizer_offload_ratio == 0.0;
        for (unsigned i = 0, n = 1 + take_below(p, 3); i < n; i++) {
            pdcost_plan plan;
            take_plan(p, &plan, cluster.num_gpus);
            int default_plan = plan.tp == 1 && plan.pp == 1 && plan.cp == 1 && plan.vpp == 1 && plan.ep == 1 &&
                               plan.dp == cluster.num_gpus && plan.size == sizeof plan;
            exercise_predict(p, cost, &plan, finite && default_plan && model != doc_model);
        }
    }

    /* A search: over this cost model when it is small, else over a fixed one. */
    if (cost != NULL && searchable && cluster.num_gpus <= 16) {
        exercise_search(p, cost, cluster.num_gpus);
    } else {
        exercise_search(p, model == moe_model ? moe_baseline : dense_baseline, 8);
    }
    pdcost_cost_model_free(cost);

    /* The NULL handle everywhere. */
    if (one_in(p, 16)) {
        pdcost_plan plan = PDCOST_PLAN_INIT;
        pdcost_prediction prediction = PDCOST_PREDICTION_INIT;
        char *json = NULL;
        pdcost_search_result *result = NULL;
        if (pdcost_cost_model_predict(&prediction, NULL, &plan) == PDCOST_OK) fail("predict accepted NULL");
        if (pdcost_cost_model_predict_json(&json, NULL, &plan) == PDCOST_OK) fail("predict_json accepted NULL");
        if (pdcost_cost_model_settings_json(&json, NULL) == PDCOST_OK) fail("settings_json accepted NULL");
        if (pdcost_search_run(&result, NULL, NULL) == PDCOST_OK) fail("search_run accepted NULL");
        if (json != NULL || result != NULL) fail("a failed call with a NULL handle wrote its out-parameter");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Profiles, validation, fitting                                                              */
/* ------------------------------------------------------------------------------------------ */

/* A profile that the library produced or accepted must be accepted everywhere a profile is. */
static void check_profile_accepted(const char *profile, size_t length, const char *what) {
    pdcost_status s = pdcost_profile_check(profile, length);
    check_failure(s);
    if (s != PDCOST_OK) {
        fprintf(stderr, "%s:\n%.*s\n", what, (int)length, profile);
        fail("a profile the library wrote fails pdcost_profile_check");
    }
}

/* pdcost_validate_runs of `runs` with options from the input and `profile` (length). */
static pdcost_status validate(params *p, const char *runs, size_t runs_length, const char *profile,
                              size_t profile_length, const char *overrides, size_t overrides_length,
                              int *used_options) {
    struct { pdcost_validate_options options; uint64_t guard; } padded;
    pdcost_validate_options init = PDCOST_VALIDATE_OPTIONS_INIT;
    memset(&padded, 0, sizeof padded);
    padded.options = init;
    padded.options.flags = rare(p) ? 4 + take_below(p, 4) : take_below(p, 4); /* 4: unknown bit */
    padded.options.reserved = rare(p) && one_in(p, 2);
    padded.options.profile_json = profile;
    padded.options.profile_length = profile_length;
    padded.options.overrides_json = overrides;
    padded.options.overrides_length = overrides_length;
    fuzz_header(p, &padded.options.size, &padded.options.version, sizeof padded.options);
    int null_options = one_in(p, 8);
    if (used_options != NULL) *used_options = !null_options;
    char *report = (char *)(uintptr_t)0x1;
    pdcost_status s = pdcost_validate_runs(&report, runs, runs_length, null_options ? NULL : &padded.options);
    check_failure(s);
    trace(runs == fixed_runs_json ? "validate_runs (fixed runs, document as profile)" : "validate_runs (document)", s);
    if (padded.guard != 0) fail("validate_runs wrote past its options");
    if (s == PDCOST_OK) {
        if (report == NULL || report == (char *)(uintptr_t)0x1) fail("validate_runs returned NULL");
        pdcost_string_free(report);
    } else if (report != (char *)(uintptr_t)0x1) {
        fail("validate_runs touched out_report on failure");
    }
    return s;
}

static void exercise_fit(params *p, const uint8_t *doc, size_t doc_size) {
    /* The parameter list from the document's bytes or known names. */
    static const char *names[] = {"gemm_peak_fraction16", "attention", "nvlink_fraction", "",
                                  ",", "gemm_peak_fraction16,attention", "nope", "gemm_peak_fraction16,,",
                                  "network_fraction,gemm_peak_fraction16", "\xff"};
    char parameters[48];
    if (rare(p) && doc_size > 0) {
        size_t n = doc_size < sizeof parameters - 1 ? doc_size : sizeof parameters - 1;
        size_t start = doc_size > n ? take_u32(p) % (doc_size - n + 1) : 0;
        memcpy(parameters, doc + start, n);
        parameters[n] = '\0';
    } else {
        snprintf(parameters, sizeof parameters, "%s", TAKE(p, names));
    }
    struct { pdcost_fit_options options; uint64_t guard; } fit;
    pdcost_fit_options fit_init = PDCOST_FIT_OPTIONS_INIT;
    memset(&fit, 0, sizeof fit);
    fit.options = fit_init;
    fit.options.parameters = one_in(p, 2) ? NULL : parameters;
    fit.options.cross_validation = rare(p) ? 4 + take_below(p, 2) : take_below(p, 4); /* 4: invalid */
    static const uint32_t folds[] = {0, 2, 3, 1, 101, UINT32_MAX};
    static const uint32_t iterations[] = {1, 2, 3, 10001, UINT32_MAX};
    static const uint32_t minimums[] = {1, 2, 0, 1001, UINT32_MAX};
    fit.options.folds = rare(p) ? TAKE(p, folds) : folds[take_below(p, 3)];
    fit.options.max_iterations = rare(p) ? TAKE(p, iterations) : iterations[take_below(p, 3)]; /* never 0 (= 60) */
    fit.options.min_runs_per_parameter = rare(p) ? TAKE(p, minimums) : minimums[take_below(p, 3)];
    fit.options.flags = rare(p) ? 4 + take_below(p, 4) : take_below(p, 4); /* 4: unknown bit */
    fit.options.runs_file = one_in(p, 2) ? parameters : NULL;
    if (one_in(p, 4)) { /* since 1.8: the document also as the runs' overrides */
        fit.options.overrides_json = (const char *)doc;
        fit.options.overrides_length = doc_size;
    }
    stop_after progress;
    take_stop(p, &progress, 1);
    if (one_in(p, 2)) {
        fit.options.progress = stopping_progress;
        fit.options.user = &progress;
    } else {
        progress.stop_at = 0;
    }
    fuzz_header(p, &fit.options.size, &fit.options.version, sizeof fit.options);
    /* NULL options mean 60 iterations: only for a small document. */
    int null_options = doc_size < 2048 && one_in(p, 16);
    char *fitted = (char *)(uintptr_t)0x1;
    pdcost_status s = pdcost_fit_runs(&fitted, (const char *)doc, doc_size, null_options ? NULL : &fit.options);
    check_failure(s);
    trace("fit_runs", s);
    if (fit.guard != 0) fail("fit_runs wrote past its options");
    if (!null_options) check_cancel(s, &progress, "fit_runs");
    if (s == PDCOST_OK) {
        if (fitted == NULL || fitted == (char *)(uintptr_t)0x1) fail("fit_runs returned NULL");
        check_profile_accepted(fitted, strlen(fitted), "fitted profile");
        pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
        if (pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB") != PDCOST_OK) fail("GPU preset missing");
        cluster.num_gpus = 8;
        pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
        setup.seq_len = 2048;
        setup.global_batch_size = 64;
        pdcost_cost_model_options options = PDCOST_COST_MODEL_OPTIONS_INIT;
        options.profile_json = fitted;
        options.profile_length = strlen(fitted);
        pdcost_cost_model *again = NULL;
        s = pdcost_cost_model_create(&again, dense_model, &cluster, &setup, &options);
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
static void exercise_gpu_calibration(params *p) {
    if (cuda_present) return;
    static const uint32_t sizes[] = {512, 8192, 65536, 1024, 0, 511, 8200, 65552, UINT32_MAX};
    static const double seconds[] = {0.0, 15.0, 0.5, -1.0, INFINITY, NAN, 1e300};
    static const uint64_t bytes[] = {1024, 1073741824u, 0, (uint64_t)INT64_MAX, UINT64_MAX};
    struct { pdcost_gpu_calibration_options options; uint64_t guard; } padded;
    pdcost_gpu_calibration_options init = PDCOST_GPU_CALIBRATION_OPTIONS_INIT;
    memset(&padded, 0, sizeof padded);
    padded.options = init;
    pdcost_gpu_calibration_options *o = &padded.options;
    o->device = rare(p) ? UINT32_MAX : take_below(p, 2);
    o->gemm_size = rare(p) ? TAKE(p, sizes) : sizes[take_below(p, 4)];
    o->test_compute = take_below(p, 2);
    o->test_memory = take_below(p, 2);
    o->test_collectives = take_below(p, 2);
    o->repetitions = rare(p) ? (one_in(p, 2) ? UINT32_MAX : 0) : 1 + take_below(p, 3);
    o->warmup = rare(p) ? UINT32_MAX : take_below(p, 4);
    o->dtypes = rare(p) ? 32 + take_below(p, 8) : take_below(p, 32); /* 32..39: unknown bits */
    o->sustain_seconds = rare(p) ? TAKE(p, seconds) : seconds[take_below(p, 3)];
    o->max_collective_bytes = rare(p) ? TAKE(p, bytes) : bytes[take_below(p, 2)];
    stop_after progress;
    take_stop(p, &progress, 0);
    if (one_in(p, 2)) {
        o->progress = stopping_progress;
        o->user = &progress;
    }
    fuzz_header(p, &o->size, &o->version, sizeof *o);
    char *report = (char *)(uintptr_t)0x1;
    int null_out = one_in(p, 16);
    pdcost_status s = pdcost_gpu_calibrate(null_out ? NULL : &report, one_in(p, 16) ? NULL : o);
    check_failure(s);
    trace("gpu_calibrate", s);
    if (s == PDCOST_OK) fail("gpu_calibrate succeeded without a GPU");
    if (report != (char *)(uintptr_t)0x1) fail("gpu_calibrate touched out_report_json on failure");
    if (padded.guard != 0) fail("gpu_calibrate wrote into its options");
}

/* ------------------------------------------------------------------------------------------ */
/* Start-up: the argument-free calls, the _init functions, the fixed inputs                    */
/* ------------------------------------------------------------------------------------------ */

static void check_json_list(pdcost_status (*fn)(char **), const char *what, char first) {
    char *json = NULL;
    if (fn(&json) != PDCOST_OK || json == NULL || json[0] != first) {
        fprintf(stderr, "%s\n", what);
        fail("an argument-free JSON call failed");
    }
    pdcost_string_free(json);
    if (fn(NULL) == PDCOST_OK) {
        fprintf(stderr, "%s\n", what);
        fail("an argument-free JSON call accepted out_json=NULL");
    }
}

/* The _init functions write the macro's header (padding makes a byte comparison of the whole
 * struct unreliable, so the header is compared). */
#define CHECK_INIT(type, macro)                                                                \
    do {                                                                                       \
        type expected = macro;                                                                 \
        type value;                                                                            \
        memset(&value, 0x5A, sizeof value);                                                    \
        type##_init(&value);                                                                   \
        if (value.size != expected.size || value.version != expected.version) {               \
            fail(#type "_init differs from " #macro);                                          \
        }                                                                                      \
        type##_init(NULL);                                                                     \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *trace_env = getenv("PDCOST_FUZZ_TRACE");
    trace_calls = trace_env != NULL && strcmp(trace_env, "0") != 0;
    const char *round_trip = getenv("PDCOST_FUZZ_ROUNDTRIP");
    check_round_trip = round_trip == NULL || strcmp(round_trip, "0") != 0;
    const char *dir = getenv("TMPDIR");
    snprintf(file_path, sizeof file_path, "%s/pdcost-fuzz-%ld.json", dir ? dir : "/tmp", (long)getpid());
    if (pdcost_version_major() != PDCOST_VERSION_MAJOR || pdcost_abi_version() != PDCOST_ABI_VERSION) {
        fail("header and library versions differ");
    }
    if (pdcost_model_from_json(&dense_model, dense_json, strlen(dense_json)) != PDCOST_OK ||
        pdcost_model_from_json(&moe_model, moe_json, strlen(moe_json)) != PDCOST_OK) {
        fail("the fixed models do not load");
    }
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    if (pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB") != PDCOST_OK) fail("GPU preset missing");
    cluster.num_gpus = 8;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 2048;
    setup.global_batch_size = 64;
    if (pdcost_cost_model_create(&dense_baseline, dense_model, &cluster, &setup, NULL) != PDCOST_OK ||
        pdcost_cost_model_create(&moe_baseline, moe_model, &cluster, &setup, NULL) != PDCOST_OK) {
        fail("the fixed cost models do not build");
    }
    if (pdcost_profile_check(fixed_profile, strlen(fixed_profile)) != PDCOST_OK) fail("the fixed profile is rejected");
    pdcost_validate_options validate_options = PDCOST_VALIDATE_OPTIONS_INIT;
    validate_options.profile_json = fixed_profile;
    validate_options.profile_length = strlen(fixed_profile);
    char *report = NULL;
    if (pdcost_validate_runs(&report, fixed_runs_json, strlen(fixed_runs_json), &validate_options) != PDCOST_OK) {
        fail("the fixed runs do not validate");
    }
    pdcost_string_free(report);

    char *probe = NULL;
    if (pdcost_cuda_available(&probe) != PDCOST_OK || probe == NULL) fail("cuda_available failed");
    /* {"available" : false, ...}: whatever the spacing around the colon. */
    const char *available = strstr(probe, "\"available\"");
    if (available == NULL) fail("cuda_available without \"available\"");
    available += strlen("\"available\"");
    available += strspn(available, " \t\r\n:");
    cuda_present = strncmp(available, "false", 5) != 0;
    pdcost_string_free(probe);
    if (pdcost_cuda_available(NULL) == PDCOST_OK) fail("cuda_available accepted out_json=NULL");
    check_json_list(pdcost_efficiency_parameters_json, "efficiency_parameters_json", '{');
    check_json_list(pdcost_model_preset_names, "model_preset_names", '[');
    check_json_list(pdcost_gpu_presets_json, "gpu_presets_json", '[');
    check_json_list(pdcost_framework_settings_fields_json, "framework_settings_fields_json", '[');
    check_json_list(pdcost_prediction_fields_json, "prediction_fields_json", '[');
    check_json_list(pdcost_serving_prediction_fields_json, "serving_prediction_fields_json", '[');
    check_json_list(pdcost_serving_settings_fields_json, "serving_settings_fields_json", '[');

    CHECK_INIT(pdcost_param_counts, PDCOST_PARAM_COUNTS_INIT);
    CHECK_INIT(pdcost_flops, PDCOST_FLOPS_INIT);
    CHECK_INIT(pdcost_gpu_spec, PDCOST_GPU_SPEC_INIT);
    CHECK_INIT(pdcost_cluster, PDCOST_CLUSTER_INIT);
    CHECK_INIT(pdcost_training_setup, PDCOST_TRAINING_SETUP_INIT);
    CHECK_INIT(pdcost_plan, PDCOST_PLAN_INIT);
    CHECK_INIT(pdcost_prediction, PDCOST_PREDICTION_INIT);
    CHECK_INIT(pdcost_cost_model_options, PDCOST_COST_MODEL_OPTIONS_INIT);
    CHECK_INIT(pdcost_validate_options, PDCOST_VALIDATE_OPTIONS_INIT);
    CHECK_INIT(pdcost_fit_options, PDCOST_FIT_OPTIONS_INIT);
    CHECK_INIT(pdcost_search_options, PDCOST_SEARCH_OPTIONS_INIT);
    CHECK_INIT(pdcost_search_stats, PDCOST_SEARCH_STATS_INIT);
    CHECK_INIT(pdcost_search_entry, PDCOST_SEARCH_ENTRY_INIT);
    CHECK_INIT(pdcost_gpu_calibration_options, PDCOST_GPU_CALIBRATION_OPTIONS_INIT);
    CHECK_INIT(pdcost_serving_deployment, PDCOST_SERVING_DEPLOYMENT_INIT);
    CHECK_INIT(pdcost_serving_workload, PDCOST_SERVING_WORKLOAD_INIT);
    CHECK_INIT(pdcost_serving_prediction, PDCOST_SERVING_PREDICTION_INIT);
    CHECK_INIT(pdcost_serving_search_options, PDCOST_SERVING_SEARCH_OPTIONS_INIT);
    CHECK_INIT(pdcost_serving_search_stats, PDCOST_SERVING_SEARCH_STATS_INIT);
    CHECK_INIT(pdcost_serving_search_entry, PDCOST_SERVING_SEARCH_ENTRY_INIT);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Serving (ABI 1.1)                                                                          */
/* ------------------------------------------------------------------------------------------ */

static const char *const serving_settings[] = {
    "{}", "{\"max_num_seqs\": 64}", "{\"cuda_graphs\": false, \"kv_block_size\": 32}",
    "{\"gpu_memory_fraction\": 0.5, \"kv_admission\": \"reserve_full\"}",
    "{\"kv_cache_max_tokens\": 4096, \"chunked_prefill\": false, \"mixed_batching\": false}",
    "{\"max_num_batched_tokens\": 1, \"cuda_graph_max_batch\": 1, \"prefix_caching\": true}",
    "{\"custom_all_reduce\": false, \"scheduler_policy\": \"lpm\"}",
    /* rejected: unknown key, out of range, wrong type, duplicate, broken */
    "{\"max_num_seq\": 4}", "{\"gpu_memory_fraction\": 0}", "{\"max_num_seqs\": 1e300}",
    "{\"cuda_graphs\": 1}", "{\"kv_block_size\": 1, \"kv_block_size\": 2}", "{", "[]", "null",
};

/* FP4 weights only where the GPU has FP4 cores: rarer than the others. */
static const pdcost_weight_precision serving_weights[] = {
    PDCOST_WEIGHT_BF16, PDCOST_WEIGHT_FP16, PDCOST_WEIGHT_FP8, PDCOST_WEIGHT_INT4_WO,
    PDCOST_WEIGHT_BF16, PDCOST_WEIGHT_FP8, PDCOST_WEIGHT_INT4_WO, PDCOST_WEIGHT_FP4,
};

/* pdcost_serving_predict and _predict_json over a fuzzed cluster, deployment and workload;
 * the settings are a fixed object or the document itself (with its length). Both calls must
 * agree on success or failure, and a failure leaves the out-parameters untouched. */
static void exercise_serving(params *p, const char *doc, size_t doc_size) {
    /* Mostly valid draws: one input in three may carry edge or invalid values (each still
     * rare), so most calls get past the checks and reach the model. */
    int odd = one_in(p, 3);
#define SERVING_RARE() (odd && rare(p))
    pdcost_model *model = one_in(p, 2) ? moe_model : dense_model;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    if (SERVING_RARE()) {
        (void)take_gpu(p, &cluster.gpu);
    } else if (pdcost_gpu_from_name(&cluster.gpu, TAKE(p, gpu_presets)) != PDCOST_OK) {
        fail("gpu_from_name rejects a preset");
    }
    pdcost_serving_deployment d = PDCOST_SERVING_DEPLOYMENT_INIT;
    static const uint32_t degrees[] = {0, 3, 16, 1u << 24, (1u << 24) + 1, UINT32_MAX};
    d.tp = SERVING_RARE() ? TAKE(p, degrees) : 1u << take_below(p, 4);
    d.pp = SERVING_RARE() ? TAKE(p, degrees) : 1 + take_below(p, 2);
    d.replicas = SERVING_RARE() ? TAKE(p, degrees) : 1 + take_below(p, 2);
    d.expert_parallel = SERVING_RARE() ? take_u32(p) : model == moe_model && one_in(p, 2);
    d.attention_data_parallel = SERVING_RARE() ? take_u32(p) : d.tp > 1 && one_in(p, 4);
    d.weight_precision = (pdcost_weight_precision)(SERVING_RARE() ? take_u32(p) : TAKE(p, serving_weights));
    d.kv_cache_precision = (pdcost_kv_cache_precision)(SERVING_RARE() ? take_u32(p) : take_below(p, 3));
    d.engine = (pdcost_serving_engine)(SERVING_RARE() ? take_u32(p) : take_below(p, 3));
    switch (take_below(p, 6)) {
    case 0: case 1: break; /* NULL, 0: none */
    case 2:
        if (document_is_settings || SERVING_RARE()) {
            d.settings_json = doc;
            d.settings_length = doc_size;
        }
        break;
    case 3:
        if (SERVING_RARE()) d.settings_length = (size_t)take_u64(p); /* NULL with a length */
        break;
    default:
        d.settings_json = serving_settings[SERVING_RARE() ? take_below(p, COUNT(serving_settings)) : take_below(p, 7)];
        d.settings_length = strlen(d.settings_json);
        if (SERVING_RARE()) d.settings_length = (size_t)take_u64(p) % (d.settings_length + 1);
        break;
    }
    fuzz_header(p, &d.size, &d.version, sizeof d);
    static const uint32_t odd_counts[] = {0, 3, 6, 12, 1u << 24, UINT32_MAX};
    uint64_t needed = (uint64_t)d.tp * d.pp * d.replicas;
    cluster.num_gpus = SERVING_RARE() || needed == 0 || needed > 4096 ? TAKE(p, odd_counts) : (uint32_t)needed;
    cluster.gpus_per_node = SERVING_RARE() ? take_u32(p) : (one_in(p, 2) ? 8 : 0);

    pdcost_serving_workload w = PDCOST_SERVING_WORKLOAD_INIT;
    w.scenario = (pdcost_serving_scenario)(SERVING_RARE() ? take_u32(p) : take_below(p, 5));
    static const uint32_t lengths[] = {1024, 128, 1, 8192, 32768, 2048, 256, 16};
    static const uint32_t edge_lengths[] = {0, 1u << 30, 1u << 31, (1u << 31) + 1, UINT32_MAX};
    w.input_tokens = SERVING_RARE() ? TAKE(p, edge_lengths) : TAKE(p, lengths);
    w.output_tokens = SERVING_RARE() ? TAKE(p, edge_lengths) : TAKE(p, lengths);
    static const uint32_t loads[] = {1, 8, 64, 256, 4, 32, 512, 2};
    static const uint32_t edge_loads[] = {0, 1u << 20, (1u << 20) + 1, 1u << 31, UINT32_MAX};
    w.batch_size = SERVING_RARE() ? TAKE(p, edge_loads) : TAKE(p, loads);
    w.concurrency = SERVING_RARE() ? TAKE(p, edge_loads) : TAKE(p, loads);
    w.num_requests = SERVING_RARE() ? TAKE(p, edge_loads) : TAKE(p, loads);
    w.request_rate = SERVING_RARE() ? fuzz_number(p, 10.0) : 0.5 * (1 + take_below(p, 64));
    w.prefix_hit_ratio = SERVING_RARE() ? fuzz_number(p, 0.5) : 0.125 * take_below(p, 8);
    fuzz_header(p, &w.size, &w.version, sizeof w);

    pdcost_serving_prediction out = PDCOST_SERVING_PREDICTION_INIT;
    out.ttft_s = -7.0;
    pdcost_status s = pdcost_serving_predict(&out, model, &cluster, &d, &w);
    check_failure(s);
    trace("serving_predict", s);
    if (s != PDCOST_OK && out.ttft_s != -7.0) fail("serving_predict touched out on failure");
    char *json = (char *)(uintptr_t)0x1;
    pdcost_status sj = pdcost_serving_predict_json(&json, model, &cluster, &d, &w);
    check_failure(sj);
    trace("serving_predict_json", sj);
    if ((s == PDCOST_OK) != (sj == PDCOST_OK)) fail("serving_predict and serving_predict_json disagree");
    char *trace_json = (char *)(uintptr_t)0x1;
    pdcost_status strace = pdcost_serving_trace(&trace_json, model, &cluster, &d, &w);
    check_trace_document(strace, trace_json, "serving_trace");
    if ((s == PDCOST_OK) != (strace == PDCOST_OK)) fail("serving_predict and serving_trace disagree");
    if (sj == PDCOST_OK) {
        if (json == NULL || strstr(json, "\"prediction\"") == NULL) fail("serving_predict_json without a prediction");
        pdcost_string_free(json);
    } else if (json != (char *)(uintptr_t)0x1) {
        fail("serving_predict_json touched out_json on failure");
    }
    if (one_in(p, 16)) {
        if (pdcost_serving_predict(&out, NULL, &cluster, &d, &w) == PDCOST_OK) fail("serving_predict accepted a NULL model");
        if (pdcost_serving_predict(NULL, model, &cluster, &d, &w) == PDCOST_OK) fail("serving_predict accepted NULL out");
    }
#undef SERVING_RARE
}

/* pdcost_serving_search_run (ABI 1.2) over a small budget (at most 8 GPUs of a preset, or a
 * fuzzed GPU), a fuzzed workload and options (targets, engine bits, precision lists, limits,
 * flags, the document as settings), sometimes a progress callback that stops it. Checks: a
 * stop returns PDCOST_ECANCELED with a result, and only a stop does; every ranked entry meets
 * the targets it was searched under; stats add up; every accessor, in and out of range. */
static int serving_entry_meets(const pdcost_serving_search_options *o, const pdcost_serving_search_entry *e) {
    double ttft = o->percentile == PDCOST_PERCENTILE_P90   ? e->prediction.ttft_p90_s
                  : o->percentile == PDCOST_PERCENTILE_P99 ? e->prediction.ttft_p99_s
                                                           : e->prediction.ttft_s;
    if (o->max_ttft_s > 0 && !(ttft <= o->max_ttft_s)) return 0;
    if (o->max_tpot_s > 0 && !(e->prediction.tpot_s <= o->max_tpot_s)) return 0;
    return e->prediction.fits_memory == 1;
}

static void exercise_serving_search(params *p, const char *doc, size_t doc_size) {
    int odd = one_in(p, 3);
#define SERVING_RARE() (odd && rare(p))
    pdcost_model *model = one_in(p, 2) ? moe_model : dense_model;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    if (SERVING_RARE()) {
        (void)take_gpu(p, &cluster.gpu);
    } else if (pdcost_gpu_from_name(&cluster.gpu, TAKE(p, gpu_presets)) != PDCOST_OK) {
        fail("gpu_from_name rejects a preset");
    }
    cluster.num_gpus = SERVING_RARE() ? take_u32(p) % 65 : 1u << take_below(p, 4);
    cluster.gpus_per_node = SERVING_RARE() ? take_u32(p) % 17 : (one_in(p, 2) ? 8 : 0);

    pdcost_serving_search_options o = PDCOST_SERVING_SEARCH_OPTIONS_INIT;
    pdcost_serving_workload *w = &o.workload;
    w->scenario = (pdcost_serving_scenario)(SERVING_RARE() ? take_u32(p) : take_below(p, 5));
    static const uint32_t lengths[] = {1024, 128, 1, 8192, 32768, 2048, 256, 16};
    w->input_tokens = SERVING_RARE() ? take_u32(p) : TAKE(p, lengths);
    w->output_tokens = SERVING_RARE() ? take_u32(p) : TAKE(p, lengths);
    static const uint32_t loads[] = {1, 8, 64, 256, 4, 32, 512, 2};
    w->batch_size = SERVING_RARE() ? take_u32(p) : TAKE(p, loads);
    w->concurrency = SERVING_RARE() ? take_u32(p) : TAKE(p, loads);
    w->num_requests = SERVING_RARE() ? take_u32(p) : TAKE(p, loads);
    w->request_rate = SERVING_RARE() ? fuzz_number(p, 10.0) : 0.5 * (1 + take_below(p, 64));
    w->prefix_hit_ratio = SERVING_RARE() ? fuzz_number(p, 0.5) : 0.125 * take_below(p, 8);
    if (SERVING_RARE()) fuzz_header(p, &w->size, &w->version, sizeof *w);
    o.max_gpus = SERVING_RARE() ? take_u32(p) : take_below(p, 9);
    o.max_batch = SERVING_RARE() ? take_u32(p) : 1u << take_below(p, 7);
    o.sweep_load = SERVING_RARE() ? take_u32(p) : !one_in(p, 3);
    o.percentile = (pdcost_serving_percentile)(SERVING_RARE() ? take_u32(p) : take_below(p, 3));
    o.max_ttft_s = SERVING_RARE() ? fuzz_number(p, 1.0) : (one_in(p, 2) ? 0.0 : 0.05 * (1 + take_below(p, 40)));
    o.max_tpot_s = SERVING_RARE() ? fuzz_number(p, 0.05) : (one_in(p, 2) ? 0.0 : 0.005 * (1 + take_below(p, 20)));
    o.engines = SERVING_RARE() ? take_u32(p) : take_below(p, 8);
    o.num_weight_precisions = SERVING_RARE() ? take_u32(p) % 20 : take_below(p, 3);
    for (uint32_t i = 0; i < o.num_weight_precisions && i < PDCOST_SEARCH_MAX_LIST; i++) {
        o.weight_precisions[i] = SERVING_RARE() ? take_u32(p) : take_below(p, 5);
    }
    o.num_kv_cache_precisions = SERVING_RARE() ? take_u32(p) % 20 : take_below(p, 3);
    for (uint32_t i = 0; i < o.num_kv_cache_precisions && i < PDCOST_SEARCH_MAX_LIST; i++) {
        o.kv_cache_precisions[i] = SERVING_RARE() ? take_u32(p) : take_below(p, 3);
    }
    o.max_tp = SERVING_RARE() ? take_u32(p) : take_below(p, 9);
    o.max_pp = SERVING_RARE() ? take_u32(p) : take_below(p, 3);
    o.try_expert_parallel = SERVING_RARE() ? take_u32(p) : one_in(p, 2);
    o.try_attention_data_parallel = SERVING_RARE() ? take_u32(p) : one_in(p, 2);
    o.disaggregated = SERVING_RARE() ? take_u32(p) : one_in(p, 4);
    o.top_k = SERVING_RARE() ? take_u32(p) : take_below(p, 6);
    o.threads = SERVING_RARE() ? take_u32(p) % 64 : 1 + take_below(p, 2);
    o.reserved = SERVING_RARE() ? take_u32(p) : 0;
    switch (take_below(p, 6)) {
    case 0: case 1: case 2: break;
    case 3:
        if (document_is_settings || SERVING_RARE()) {
            o.settings_json = doc;
            o.settings_length = doc_size;
        }
        break;
    default:
        o.settings_json = serving_settings[take_below(p, 7)];
        o.settings_length = strlen(o.settings_json);
        break;
    }
    fuzz_header(p, &o.size, &o.version, sizeof o);
    stop_after progress;
    take_stop(p, &progress, 0);
    if (one_in(p, 2)) {
        o.progress = stopping_progress;
        o.user = &progress;
    }

    pdcost_serving_search_result *result = NULL;
    pdcost_status s = pdcost_serving_search_run(&result, model, &cluster, &o);
    check_failure(s);
    trace("serving_search_run", s);
    check_cancel(s, &progress, "serving_search_run");
    if (s != PDCOST_OK && s != PDCOST_ECANCELED) {
        if (result != NULL) fail("serving_search_run set *out_result on failure");
        return;
    }
    if (result == NULL) fail("serving_search_run without a result");
    pdcost_serving_search_stats st = PDCOST_SERVING_SEARCH_STATS_INIT;
    if (pdcost_serving_search_result_stats(&st, result) != PDCOST_OK) fail("serving_search_result_stats failed");
    uint64_t pruned = 0;
    for (int i = 0; i < PDCOST_SERVING_PRUNE_REASONS; i++) pruned += st.pruned[i];
    if (st.enumerated != st.feasible + pruned) fail("serving search: enumerated != feasible + pruned");
    if ((s == PDCOST_ECANCELED) != (st.cancelled == 1)) fail("serving search: cancelled flag disagrees with the status");
    size_t count = pdcost_serving_search_result_count(result);
    size_t front = pdcost_serving_search_result_pareto_count(result);
    pdcost_serving_search_entry e = PDCOST_SERVING_SEARCH_ENTRY_INIT;
    for (size_t i = 0; i < count; i++) {
        if (pdcost_serving_search_result_get(&e, result, i) != PDCOST_OK) fail("serving_search_result_get in range failed");
        if (!serving_entry_meets(&o, &e)) fail("a ranked serving entry misses the targets it was searched under");
    }
    for (size_t i = 0; i < front; i++) {
        if (pdcost_serving_search_result_pareto_get(&e, result, i) != PDCOST_OK) fail("serving pareto_get in range failed");
        if (!serving_entry_meets(&o, &e)) fail("a serving Pareto entry misses the targets");
    }
    if ((count == 0) != (strcmp(pdcost_serving_search_result_explanation(result), "") != 0)) {
        fail("serving search: an explanation iff the result is empty");
    }
    e.num_gpus = 12345;
    if (pdcost_serving_search_result_get(&e, result, count + take_below(p, 3)) == PDCOST_OK) fail("serving get out of range");
    if (e.num_gpus != 12345) fail("serving get out of range touched out");
    s = pdcost_serving_search_result_closest(&e, result);
    if (s == PDCOST_OK && !(e.miss > 1.0)) fail("serving closest entry with miss <= 1");
    if (s != PDCOST_OK && s != PDCOST_ENOTFOUND) fail("serving closest: unexpected status");
    char *json = NULL;
    if (pdcost_serving_search_result_to_json(&json, result) != PDCOST_OK || json == NULL) fail("serving to_json failed");
    pdcost_string_free(json);
    (void)pdcost_serving_search_prune_reason_name((pdcost_serving_prune_reason)take_u32(p));
    pdcost_serving_search_result_free(result);
#undef SERVING_RARE
}

/* ------------------------------------------------------------------------------------------ */
/* One input                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* pdcost_prediction_trace over a prediction of fuzzed numbers (negative, NaN, infinite, huge
 * step and micro-batch counts: refused naming the field, or traced within the block limit) and
 * pdcost_plan_run over fuzzed inputs: a result is finite and its flags 0 or 1. */
static void exercise_traces_and_run_plans(params *p) {
    pdcost_prediction r = PDCOST_PREDICTION_INIT;
    r.step_time_s = fuzz_number(p, 10.0);
    r.bubble_time_s = fuzz_number(p, 1.0);
    r.recompute_time_s = fuzz_number(p, 0.5);
    r.optimizer_time_s = fuzz_number(p, 0.1);
    r.offload_time_s = fuzz_number(p, 0.0);
    r.host_overhead_time_s = fuzz_number(p, 0.01);
    for (size_t i = 0; i < COUNT(r.comm_exposed_s); i++) r.comm_exposed_s[i] = fuzz_number(p, 0.1);
    r.micro_batches = one_in(p, 4) ? fuzz_number(p, 1e7) : (double)(1 + take_below(p, 64));
    fuzz_header(p, &r.size, &r.version, sizeof r);
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.pp = one_in(p, 4) ? take_wild(p) : 1 + take_below(p, 8);
    plan.vpp = one_in(p, 4) ? take_wild(p) : 1 + take_below(p, 4);
    double blocks = trace_blocks(r.micro_batches, plan.pp, plan.vpp);
    if (isfinite(blocks) && blocks > FUZZ_TRACE_BLOCKS && blocks <= 4.0 * 1048576.0) {
        r.micro_batches = 1.0 + fmod(fabs(r.micro_batches), 64.0);
        plan.pp = 1 + plan.pp % 8;
        plan.vpp = 1 + plan.vpp % 4;
    }
    char *json = (char *)(uintptr_t)0x1;
    check_trace_document(pdcost_prediction_trace(&json, &r, &plan), json, "prediction_trace(fuzzed)");

    pdcost_run_plan_inputs in = PDCOST_RUN_PLAN_INPUTS_INIT;
    in.gpus = one_in(p, 4) ? take_wild(p) : 1 + take_below(p, 4096);
    in.tokens_per_second = fuzz_number(p, 1e6);
    in.tokens = one_in(p, 2) ? 0.0 : fuzz_number(p, 2e12);
    in.parameters = one_in(p, 2) ? 0.0 : fuzz_number(p, 7e9);
    in.compute_budget_flops = one_in(p, 2) ? 0.0 : fuzz_number(p, 1e23);
    in.price_per_gpu_hour = fuzz_number(p, 2.5);
    in.board_power_w = fuzz_number(p, 700.0);
    in.power_fraction = one_in(p, 2) ? 0.0 : fuzz_number(p, 0.8);
    in.pue = one_in(p, 2) ? 0.0 : fuzz_number(p, 1.2);
    in.target_days = one_in(p, 2) ? 0.0 : fuzz_number(p, 30.0);
    fuzz_header(p, &in.size, &in.version, sizeof in);
    pdcost_run_plan out;
    pdcost_run_plan_init(&out);
    pdcost_run_plan before = out;
    pdcost_status s = pdcost_plan_run(&out, &in);
    check_failure(s);
    trace("plan_run", s);
    if (s != PDCOST_OK) {
        if (memcmp(&before, &out, sizeof out) != 0) fail("plan_run touched out on failure");
        return;
    }
    const double values[] = {out.tokens, out.parameters, out.tokens_per_parameter, out.seconds, out.days,
                             out.gpu_hours, out.cost, out.energy_mwh, out.required_tokens_per_second,
                             out.power_fraction, out.pue};
    for (size_t i = 0; i < COUNT(values); i++) {
        if (!isfinite(values[i]) || values[i] < 0) fail("plan_run returned a negative or non-finite number");
    }
    if (out.has_cost > 1 || out.meets_target_days > 1) fail("plan_run flags are not 0 or 1");
    if (pdcost_plan_run(NULL, &in) == PDCOST_OK || pdcost_plan_run(&out, NULL) == PDCOST_OK) fail("plan_run accepted NULL");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;
    size_t doc_size = nul != NULL ? (size_t)(nul - data) : size;
    const char *doc = (const char *)data;
    params p = {nul != NULL ? nul + 1 : NULL, nul != NULL ? size - doc_size - 1 : 0, 0, hash_bytes(data, size)};
    pdcost_status s;

    /* The document as a string (it holds no NUL by construction). */
    char *text = malloc(doc_size + 64);
    if (text == NULL) return 0;
    memcpy(text, data, doc_size);
    text[doc_size] = '\0';
    document_text = text;

    /* 1. The document as a model config; with a NUL, the whole input too. */
    pdcost_model *doc_model = (pdcost_model *)(uintptr_t)0x1; /* must stay untouched on failure */
    s = pdcost_model_from_json(&doc_model, doc, doc_size);
    check_failure(s);
    trace("model_from_json", s);
    if (s == PDCOST_OK) {
        exercise_model(doc_model, &p);
    } else {
        if (doc_model != (pdcost_model *)(uintptr_t)0x1) fail("from_json touched out_model on failure");
        doc_model = NULL;
    }
    if (nul != NULL) {
        pdcost_model *model = NULL;
        s = pdcost_model_from_json(&model, (const char *)data, size);
        check_failure(s);
        pdcost_model_free(model);
    }

    /* 2. The document as a calibration profile and as a measured-runs file to validate, with
     * no profile, the fixed profile or the document as the profile. */
    s = pdcost_profile_check(doc, doc_size);
    check_failure(s);
    trace("profile_check", s);
    int profile_ok = s == PDCOST_OK;
    size_t lead = strspn(text, " \t\r\n");
    document_is_settings = text[lead] == '{' && doc_model == NULL && !profile_ok && strstr(text, "\"runs\"") == NULL;
    document_is_name = doc_size > 0 && doc_size < 64 && text[lead] != '{' && text[lead] != '[';
    int used_options = 0;
    switch (take_below(&p, 3)) {
    case 0: validate(&p, doc, doc_size, NULL, 0, NULL, 0, NULL); break;
    case 1: validate(&p, doc, doc_size, fixed_profile, strlen(fixed_profile), NULL, 0, NULL); break;
    default:
        if (!profile_ok && !rare(&p)) {
            validate(&p, doc, doc_size, NULL, 0, NULL, 0, NULL);
            break;
        }
        s = validate(&p, doc, doc_size, doc, doc_size, NULL, 0, &used_options);
        if (s == PDCOST_OK && used_options && !profile_ok) fail("validate_runs accepted a profile that profile_check rejects");
        break;
    }
    s = validate(&p, fixed_runs_json, strlen(fixed_runs_json), doc, doc_size, NULL, 0, &used_options);
    if (s == PDCOST_OK && used_options && !profile_ok) fail("validate_runs accepted a profile that profile_check rejects");
    /* The document as run overrides of the fixed runs (since 1.7). */
    validate(&p, fixed_runs_json, strlen(fixed_runs_json), NULL, 0, doc, doc_size, NULL);

    /* 3. GPUs, a cost model, predictions and a search, over structs from the parameters. */
    exercise_cost_model(&p, doc, doc_size, profile_ok, doc_model);

    /* 4. The document as a runs file to fit. */
    exercise_fit(&p, data, doc_size);
    exercise_gpu_calibration(&p);
    if (doc_model != NULL) pdcost_model_free(doc_model);

    /* 5. The document as a NUL-terminated string: preset name, GPU name, path. */
    pdcost_model *model = NULL;
    s = pdcost_model_from_preset(&model, text);
    check_failure(s);
    trace("model_from_preset", s);
    if (s == PDCOST_OK) exercise_model(model, &p);
    pdcost_model_free(model);

    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    s = pdcost_gpu_from_name(&gpu, text);
    check_failure(s);
    trace("gpu_from_name", s);
    if (s == PDCOST_OK) {
        if (gpu.name[sizeof gpu.name - 1] != '\0') fail("GPU name not terminated");
        if (exercise_gpu_complete(&p, &gpu) == 0) fail("gpu_complete rejects a preset");
    }
    if (pdcost_status_name((pdcost_status)take_u32(&p)) == NULL) fail("status_name returned NULL");

    /* 5b. Serving (ABI 1.1): its parameters are read after every other call's, so the params-*
     * seeds keep reaching the earlier calls as before. */
    exercise_serving(&p, doc, doc_size);
    /* 5c. The serving search (ABI 1.2), after every earlier call's parameters. */
    exercise_serving_search(&p, doc, doc_size);
    /* 5d. Traces of fuzzed predictions and run plans (ABI 1.5), after those. */
    exercise_traces_and_run_plans(&p);

    memmove(text + 32, text, doc_size + 1);
    memcpy(text, "/nonexistent-pdcost-fuzz-dir/xx/", 32);
    model = NULL;
    s = pdcost_model_from_file(&model, text);
    check_failure(s);
    if (s == PDCOST_OK) fail("a file below a missing directory was read");
    document_text = NULL;
    free(text);

    /* 6. The document as a file's contents. */
    FILE *f = fopen(file_path, "wb");
    if (f != NULL) {
        size_t written = fwrite(data, 1, doc_size, f);
        fclose(f);
        if (written == doc_size) {
            model = NULL;
            s = pdcost_model_from_file(&model, file_path);
            check_failure(s);
            pdcost_model_free(model);
        }
    }
    return 0;
}
