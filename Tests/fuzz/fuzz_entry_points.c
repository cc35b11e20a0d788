/*
 * libFuzzer target over every pdcost entry point that takes caller bytes:
 *   - pdcost_model_from_json   (the input as a config.json document, with its length)
 *   - pdcost_model_from_file   (the input written to a file; and the input as a path below a
 *                                directory that does not exist, so no real file is touched)
 *   - pdcost_model_from_preset (the input as a NUL-terminated name)
 *   - pdcost_gpu_from_name     (the input as a NUL-terminated name)
 *   - pdcost_validate_runs     (the input as a measured-runs document; when the header has it)
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

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *round_trip = getenv("PDCOST_FUZZ_ROUNDTRIP");
    check_round_trip = round_trip == NULL || strcmp(round_trip, "0") != 0;
    const char *dir = getenv("TMPDIR");
    snprintf(file_path, sizeof file_path, "%s/pdcost-fuzz-%ld.json", dir ? dir : "/tmp", (long)getpid());
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
