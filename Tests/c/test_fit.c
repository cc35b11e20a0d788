/*
 * test_fit.c: calibration profiles and fitting through the shipped libpdcost.so.
 *
 * Synthetic runs: each run's "measured" tokens/s/GPU is what the library predicts for it with
 * a profile that scales the GEMM efficiency by 0.9; a fit from the defaults must find 0.9
 * again. Plus: a profile (in pdcost_cost_model_options) changes a prediction in the expected
 * direction, validation under a profile (pdcost_validate_options), the progress callback in
 * pdcost_fit_options, and every error path (NULL, struct version, bad enum, unknown parameter,
 * too few runs) returns its status.
 *
 *   test_fit
 */
#include "pdcost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "check.h"

static const char *model_json =
    "{\"model_type\": \"llama\", \"num_hidden_layers\": 16, \"hidden_size\": 2048, "
    "\"intermediate_size\": 8192, \"num_attention_heads\": 16, \"num_key_value_heads\": 8, "
    "\"head_dim\": 128, \"vocab_size\": 32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}";

static const char *truth_profile =
    "{\"format\": \"pdcost-profile\", \"version\": 1, \"created\": \"2026-01-01T00:00:00Z\", "
    "\"source\": \"manual\", \"efficiency\": {}, \"efficiency_scale\": {\"gemm_peak_fraction16\": 0.9}}";

/* Tokens/s/GPU of one plan on 8 GPUs of `gpu` with `profile` (NULL = defaults). */
static double predict(const char *gpu, uint32_t tp, uint32_t seq, const char *profile) {
    pdcost_model *model = NULL;
    pdcost_cost_model *cost = NULL;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    pdcost_plan plan = PDCOST_PLAN_INIT;
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    pdcost_cost_model_options options = PDCOST_COST_MODEL_OPTIONS_INIT;
    double result = -1;
    if (pdcost_model_from_json(&model, model_json, strlen(model_json)) != PDCOST_OK) return -1;
    if (pdcost_gpu_from_name(&cluster.gpu, gpu) != PDCOST_OK) goto done;
    cluster.num_gpus = 8;
    cluster.gpus_per_node = 8;
    setup.seq_len = seq;
    setup.micro_batch_size = 1;
    setup.global_batch_size = 64;
    options.profile_json = profile;
    options.profile_length = profile ? strlen(profile) : 0;
    if (pdcost_cost_model_create(&cost, model, &cluster, &setup, &options) != PDCOST_OK) goto done;
    plan.tp = tp;
    plan.dp = 8 / tp;
    plan.sequence_parallel = tp > 1;
    if (pdcost_cost_model_predict(&p, cost, &plan) == PDCOST_OK) result = p.tokens_per_second_per_gpu;
done:
    pdcost_cost_model_free(cost);
    pdcost_model_free(model);
    return result;
}

/* A runs file of 16 runs (2 GPUs x TP 1/2/4/8 x seq 2048/8192) measured under `profile`. */
static char *synthetic_runs(const char *profile) {
    static const char *gpus[] = {"H100-SXM-80GB", "A100-SXM-80GB"};
    static const uint32_t tps[] = {1, 2, 4, 8};
    static const uint32_t seqs[] = {2048, 8192};
    size_t capacity = 64 * 1024, used = 0;
    char *out = malloc(capacity);
    if (!out) return NULL;
    used += (size_t)snprintf(out + used, capacity - used, "{\"schema\": \"pdcost.runs/1\", \"runs\": [");
    for (int g = 0; g < 2; g++) {
        for (int t = 0; t < 4; t++) {
            for (int s = 0; s < 2; s++) {
                double tokens = predict(gpus[g], tps[t], seqs[s], profile);
                CHECK(tokens > 0);
                used += (size_t)snprintf(out + used, capacity - used,
                    "%s{\"id\": \"r%d%d%d\", \"source\": \"src%d@0\", \"kind\": \"training\", \"model\": %s, "
                    "\"hardware\": {\"gpu\": \"%s\", \"num_gpus\": 8, \"gpus_per_node\": 8}, "
                    "\"parallel\": {\"tp\": %u, \"pp\": 1, \"vpp\": 1, \"dp\": %u, \"cp\": 1, \"ep\": 1, "
                    "\"sequence_parallel\": %s, \"zero_stage\": 1, \"fsdp\": false}, "
                    "\"training\": {\"seq_len\": %u, \"micro_batch_size\": 1, \"global_batch_size\": 64, "
                    "\"dtype\": \"bf16\", \"recompute\": \"none\"}, \"framework\": \"megatron\", "
                    "\"measured\": {\"tokens_per_s_per_gpu\": %.17g}, \"complete\": true}",
                    used > 40 ? ", " : "", g, t, s, g, model_json, gpus[g], tps[t], 8 / tps[t],
                    tps[t] > 1 ? "true" : "false", seqs[s], tokens);
            }
        }
    }
    snprintf(out + used, capacity - used, "]}");
    return out;
}

/* The number after "name" in the profile's efficiency_scale object, or -1. */
static double scale_in(const char *profile, const char *name) {
    const char *section = strstr(profile, "\"efficiency_scale\"");
    const char *key = section ? strstr(section, name) : NULL;
    const char *colon = key ? strchr(key, ':') : NULL;
    return colon ? strtod(colon + 1, NULL) : -1;
}

static int progress_calls;
static double last_fraction = -1;
static int fraction_out_of_range;

/* The one progress type: the fit reports thousandths of its work, the stage in words. */
static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    (void)user;
    progress_calls++;
    if (total != 1000 || done > total || stage == NULL) fraction_out_of_range = 1;
    last_fraction = total ? (double)done / (double)total : -1;
    return 0;
}

/* Cancels at the third call. */
static int cancel_soon(void *user, const char *stage, uint64_t done, uint64_t total) {
    int *calls = (int *)user;
    (void)stage;
    (void)done;
    (void)total;
    return ++*calls >= 3;
}

static void test_profiles(void) {
    char *parameters = NULL;
    EXPECT_STATUS(pdcost_profile_check(truth_profile, strlen(truth_profile)), PDCOST_OK, "");
    {
        const char *bad = "{\"format\": \"pdcost-profile\", \"version\": 1, \"created\": \"x\", \"source\": \"manual\", "
                          "\"efficiency\": {\"nvlink_fraction\": 1.5}}";
        EXPECT_STATUS(pdcost_profile_check(bad, strlen(bad)), PDCOST_EINVAL, "nvlink_fraction=1.5");
    }
    {
        const char *unknown = "{\"format\": \"pdcost-profile\", \"version\": 1, \"created\": \"x\", \"source\": \"manual\", "
                              "\"efficiency\": {}, \"efficiency_scale\": {\"gemm_speed\": 2}}";
        EXPECT_STATUS(pdcost_profile_check(unknown, strlen(unknown)), PDCOST_EINVAL, "gemm_speed");
    }
    EXPECT_STATUS(pdcost_profile_check("{", 1), PDCOST_EPARSE, "profile_json");
    EXPECT_STATUS(pdcost_profile_check(NULL, 0), PDCOST_EINVAL, "profile_json=NULL");

    EXPECT_STATUS(pdcost_efficiency_parameters_json(&parameters), PDCOST_OK, "");
    CHECK(parameters && strstr(parameters, "\"gemm_peak_fraction16\"") && strstr(parameters, "\"fit_defaults\""));
    pdcost_string_free(parameters);
    EXPECT_STATUS(pdcost_efficiency_parameters_json(NULL), PDCOST_EINVAL, "out_json=NULL");

    /* GEMMs at 0.9x their efficiency: every plan is slower, but by less than 1/0.9 (attention,
     * memory-bound work and communication do not scale). NULL profile = the defaults. */
    {
        double base = predict("H100-SXM-80GB", 2, 4096, NULL);
        double slow = predict("H100-SXM-80GB", 2, 4096, truth_profile);
        CHECK(base > 0 && slow > 0);
        CHECK(slow < base && slow > 0.9 * base);
    }

    /* pdcost_cost_model_create's options: NULL and an empty INIT are both "no profile"; a bad
     * profile or struct header is rejected naming options->..., *out untouched. */
    {
        pdcost_model *model = NULL;
        pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
        pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
        pdcost_cost_model_options options = PDCOST_COST_MODEL_OPTIONS_INIT;
        pdcost_cost_model *cost = NULL;
        EXPECT_STATUS(pdcost_model_from_json(&model, model_json, strlen(model_json)), PDCOST_OK, "");
        EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
        cluster.num_gpus = 8;
        setup.seq_len = 4096;
        setup.global_batch_size = 64;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
        pdcost_cost_model_free(cost);
        cost = NULL;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, &options), PDCOST_OK, "");
        pdcost_cost_model_free(cost);
        cost = (pdcost_cost_model *)&failures; /* a sentinel, never dereferenced */
        options.profile_json = "{";
        options.profile_length = 1;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, &options), PDCOST_EPARSE,
                      "options->profile_json");
        options.profile_json = NULL;
        options.profile_length = 5;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, &options), PDCOST_EINVAL,
                      "options->profile_json=NULL");
        options.profile_length = 0;
        options.version = 2;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, &options), PDCOST_EVERSION,
                      "options->version=2");
        options.version = PDCOST_COST_MODEL_OPTIONS_VERSION;
        options.size = 12;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, &options), PDCOST_EVERSION,
                      "options->size=12");
        CHECK(cost == (pdcost_cost_model *)&failures);
        pdcost_model_free(model);
    }
}

/* Every run of `runs` misstated as fully recomputed (a copy; NULL on allocation failure). */
static char *misstated_recompute(const char *runs) {
    static const char *from = "\"recompute\": \"none\"", *to = "\"recompute\": \"full\"";
    size_t n = strlen(runs), count = 0;
    for (const char *at = strstr(runs, from); at; at = strstr(at + 1, from)) count++;
    char *out = malloc(n + count * (strlen(to) - strlen(from)) + 1);
    if (!out) return NULL;
    char *w = out;
    for (const char *r = runs;;) {
        const char *at = strstr(r, from);
        if (!at) { strcpy(w, r); break; }
        memcpy(w, r, (size_t)(at - r));
        w += at - r;
        memcpy(w, to, strlen(to));
        w += strlen(to);
        r = at + strlen(from);
    }
    return out;
}

/* Fit with run overrides (since 1.8, pdcost_fit_options version 2). The runs file states full
 * recomputation, which the runs were not measured with: fitted as stated, the GEMM scale
 * absorbs the recomputation; with a document restating "recompute": "none" for every run, the
 * fit finds the truth (0.9) again, and the profile records what was restated. */
static void test_fit_overrides(const char *runs) {
    char *misstated = misstated_recompute(runs);
    CHECK(misstated != NULL);
    if (!misstated) return;
    char ids[16 * 8 + 64] = "";
    for (int g = 0; g < 2; g++)
        for (int t = 0; t < 4; t++)
            for (int s = 0; s < 2; s++) {
                char id[16];
                snprintf(id, sizeof id, "%s\"r%d%d%d\"", ids[0] ? ", " : "", g, t, s);
                strcat(ids, id);
            }
    char overrides[512];
    snprintf(overrides, sizeof overrides,
             "{\"schema\": \"pdcost.run-overrides/1\", \"overrides\": [{\"ids\": [%s], "
             "\"source\": \"the launch script\", \"training\": {\"recompute\": \"none\"}}]}", ids);
    pdcost_fit_options options = PDCOST_FIT_OPTIONS_INIT;
    options.parameters = "gemm_peak_fraction16";
    options.cross_validation = PDCOST_CV_NONE;
    char *profile = NULL;
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_OK, "");
    CHECK(profile && fabs(scale_in(profile, "gemm_peak_fraction16") - 0.9) > 0.05);
    CHECK(profile && strstr(profile, "\"overrides\"") == NULL);
    pdcost_string_free(profile);
    profile = NULL;

    options.overrides_json = overrides;
    options.overrides_length = strlen(overrides);
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_OK, "");
    CHECK(profile && fabs(scale_in(profile, "gemm_peak_fraction16") - 0.9) < 0.009);
    {
        const char *restated = profile ? strstr(profile, "\"overrides\"") : NULL;
        const char *entries = restated ? strstr(restated, "\"entries\"") : NULL;
        const char *count = restated ? strstr(restated, "\"runs\"") : NULL;
        CHECK(entries && strtod(strchr(entries, ':') + 1, NULL) == 1);
        CHECK(count && strtod(strchr(count, ':') + 1, NULL) == 16);
    }
    pdcost_string_free(profile);
    profile = NULL;

    /* A version-1 caller's struct ends before the overrides: read as none. */
    options.version = 1;
    options.size = (uint32_t)offsetof(pdcost_fit_options, overrides_json);
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_OK, "");
    CHECK(profile && strstr(profile, "\"overrides\"") == NULL);
    pdcost_string_free(profile);
    profile = NULL;
    options.version = PDCOST_FIT_OPTIONS_VERSION;
    options.size = sizeof options;

    /* Errors name the options field; *out untouched. */
    const char *unknown = "{\"schema\": \"pdcost.run-overrides/1\", \"overrides\": [{\"ids\": [\"zzz\"], "
                          "\"source\": \"test\", \"settings\": {\"cuda_graphs\": true}}]}";
    options.overrides_json = unknown;
    options.overrides_length = strlen(unknown);
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_EINVAL,
                  "no run in the runs file has id 'zzz'");
    options.overrides_json = "{";
    options.overrides_length = 1;
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_EPARSE,
                  "options->overrides_json");
    options.overrides_json = NULL;
    options.overrides_length = 5;
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_EINVAL,
                  "options->overrides_json=NULL");
    options.version = 3;
    EXPECT_STATUS(pdcost_fit_runs(&profile, misstated, strlen(misstated), &options), PDCOST_EVERSION,
                  "options->version=3");
    CHECK(profile == NULL);
    free(misstated);
}

static void test_fit(void) {
    char *runs = synthetic_runs(truth_profile);
    char *profile = NULL;
    char *report = NULL;
    pdcost_fit_options options = PDCOST_FIT_OPTIONS_INIT;
    CHECK(runs != NULL);
    if (!runs) return;

    options.parameters = "gemm_peak_fraction16";
    options.cross_validation = PDCOST_CV_KFOLD;
    options.folds = 4;
    options.runs_file = "synthetic.json";
    options.progress = on_progress;
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_OK, "");
    options.progress = NULL;
    CHECK(profile != NULL);
    if (profile) {
        double scale = scale_in(profile, "gemm_peak_fraction16");
        CHECK(fabs(scale - 0.9) < 0.009); /* recovered within 1 % */
        CHECK(strstr(profile, "\"runs-fit\"") != NULL);
        CHECK(strstr(profile, "\"4-fold\"") != NULL);
        CHECK(strstr(profile, "\"synthetic.json\"") != NULL);
        /* Validating under the fitted profile: the runs are what it predicts. */
        pdcost_validate_options validate = PDCOST_VALIDATE_OPTIONS_INIT;
        validate.profile_json = profile;
        validate.profile_length = strlen(profile);
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_OK, "");
        CHECK(report && strstr(report, "\"summary\""));
        pdcost_string_free(report);
        report = NULL;
        /* The text table, from the same options struct. */
        validate.flags = PDCOST_VALIDATE_TEXT;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_OK, "");
        CHECK(report != NULL && report[0] != '{');
        pdcost_string_free(report);
        report = NULL;
    }
    CHECK(progress_calls > 0 && !fraction_out_of_range && last_fraction == 1.0);
    pdcost_string_free(profile);
    profile = NULL;

    /* NULL options: the defaults (forward selection, automatic CV, no progress). */
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), NULL), PDCOST_OK, "");
    pdcost_string_free(profile);
    profile = NULL;

    /* Cancelled by the callback. */
    {
        int calls = 0;
        options.progress = cancel_soon;
        options.user = &calls;
        EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_ECANCELED, "cancelled");
        CHECK(calls == 3 && profile == NULL);
        options.progress = NULL;
        options.user = NULL;
    }

    /* Error paths; *out untouched. */
    EXPECT_STATUS(pdcost_fit_runs(NULL, runs, strlen(runs), &options), PDCOST_EINVAL, "out_profile_json=NULL");
    options.parameters = "gemm_speed";
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_EINVAL, "gemm_speed");
    options.parameters = "all_to_all_fraction"; /* no expert parallelism in these runs */
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_EINVAL, "all_to_all_fraction");
    options.parameters = NULL;
    options.cross_validation = 9;
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_EINVAL, "cross_validation=9");
    options.cross_validation = PDCOST_CV_NONE;
    options.flags = 64;
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_EINVAL, "flags=64");
    options.flags = 0;
    options.version = 0;
    EXPECT_STATUS(pdcost_fit_runs(&profile, runs, strlen(runs), &options), PDCOST_EVERSION, "version=0");
    {
        const char *few = "{\"schema\": \"pdcost.runs/1\", \"runs\": []}";
        EXPECT_STATUS(pdcost_fit_runs(&profile, few, strlen(few), NULL), PDCOST_EINVAL, "usable runs");
    }
    EXPECT_STATUS(pdcost_fit_runs(&profile, "{", 1, NULL), PDCOST_EPARSE, "");
    CHECK(profile == NULL);
    {
        pdcost_validate_options validate = PDCOST_VALIDATE_OPTIONS_INIT;
        validate.profile_json = "{";
        validate.profile_length = 1;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EPARSE,
                      "options->profile_json");
        validate.profile_json = NULL;
        validate.flags = 64;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EINVAL, "options->flags=64");
        validate.flags = 0;
        validate.reserved = 1;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EINVAL,
                      "options->reserved=1");
        validate.reserved = 0;
        validate.version = 3;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EVERSION,
                      "options->version=3");
        validate.version = PDCOST_VALIDATE_OPTIONS_VERSION;
        validate.size = 8;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EVERSION,
                      "options->size=8");
        EXPECT_STATUS(pdcost_validate_runs(NULL, runs, strlen(runs), NULL), PDCOST_EINVAL, "out_report=NULL");
        CHECK(report == NULL);
        /* NULL options: JSON, no profile. */
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), NULL), PDCOST_OK, "");
        CHECK(report != NULL && report[0] == '{' && strstr(report, "\"overrides\": null"));
        pdcost_string_free(report);
        report = NULL;
    }
    /* Run overrides (since 1.7, options version 2): restate two runs; the report counts them. */
    {
        const char *overrides = "{\"schema\": \"pdcost.run-overrides/1\", \"overrides\": [{\"ids\": [\"r000\", \"r001\"], "
                                "\"source\": \"test\", \"settings\": {\"cuda_graphs\": true}}]}";
        pdcost_validate_options validate = PDCOST_VALIDATE_OPTIONS_INIT;
        validate.overrides_json = overrides;
        validate.overrides_length = strlen(overrides);
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_OK, "");
        CHECK(report && strstr(report, "\"entries\": 1") && strstr(report, "\"runs\": 2"));
        pdcost_string_free(report);
        report = NULL;
        validate.flags = PDCOST_VALIDATE_TEXT;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_OK, "");
        CHECK(report && strstr(report, "run overrides: 2 runs restated by 1 entries"));
        pdcost_string_free(report);
        report = NULL;
        /* A version-1 caller's struct ends before the overrides: read as none. */
        validate.flags = 0;
        validate.version = 1;
        validate.size = (uint32_t)offsetof(pdcost_validate_options, overrides_json);
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_OK, "");
        CHECK(report && strstr(report, "\"overrides\": null"));
        pdcost_string_free(report);
        report = NULL;
        validate.version = PDCOST_VALIDATE_OPTIONS_VERSION;
        validate.size = sizeof validate;
        const char *unknown = "{\"schema\": \"pdcost.run-overrides/1\", \"overrides\": [{\"ids\": [\"zzz\"], "
                              "\"source\": \"test\", \"settings\": {\"cuda_graphs\": true}}]}";
        validate.overrides_json = unknown;
        validate.overrides_length = strlen(unknown);
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EINVAL,
                      "no run in the runs file has id 'zzz'");
        validate.overrides_json = "{";
        validate.overrides_length = 1;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EPARSE,
                      "options->overrides_json");
        validate.overrides_json = NULL;
        validate.overrides_length = 5;
        EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &validate), PDCOST_EINVAL,
                      "options->overrides_json=NULL");
        CHECK(report == NULL);
    }
    test_fit_overrides(runs);
    free(runs);
}

int main(void) {
    test_profiles();
    test_fit();
    return check_report("test_fit");
}
