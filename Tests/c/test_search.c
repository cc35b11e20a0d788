/*
 * test_search.c: the plan search through the shipped libpdcost.so: a search with default and
 * with explicit options, reading entries, stats, JSON and the explanation; cancellation from
 * the progress callback; an empty result; every error path (NULL pointers, struct versions,
 * bad option values, out-of-range indices); free(NULL).
 *
 * The hand-counted case: a 4-layer model with 4 heads and 2 KV heads on 4 GPUs, one option
 * per knob. tp in {1, 2, 4}: tp = 4 does not divide the 2 KV heads (Megatron): 1 pruned.
 * tp = 1: pp in {1, 2, 4}; tp = 2: pp in {1, 2}; dp is the rest and divides the batch of 4:
 * 5 plans priced.
 */
#include "pdcost.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *tiny_json =
    "{\"model_type\": \"llama\", \"num_hidden_layers\": 4, \"hidden_size\": 256, "
    "\"intermediate_size\": 512, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, "
    "\"vocab_size\": 1024}";

static pdcost_cost_model *make_cost(const char *preset, const char *json, uint32_t gpus,
                                    uint32_t gpus_per_node, uint32_t seq, uint64_t batch) {
    pdcost_model *model = NULL;
    if (json != NULL) {
        EXPECT_STATUS(pdcost_model_from_json(&model, json, strlen(json)), PDCOST_OK, "");
    } else {
        EXPECT_STATUS(pdcost_model_from_preset(&model, preset), PDCOST_OK, "");
    }
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = gpus;
    cluster.gpus_per_node = gpus_per_node;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = seq;
    setup.global_batch_size = batch;
    pdcost_cost_model *cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
    pdcost_model_free(model);
    return cost;
}

static int progress_calls;
static int stop_at_first(void *user, const char *stage, uint64_t done, uint64_t total) {
    int *calls = (int *)user;
    (void)stage;
    progress_calls++;
    ++*calls;
    return done <= total; /* nonzero: stop */
}
static int stage_not_search;
static int count_only(void *user, const char *stage, uint64_t done, uint64_t total) {
    uint64_t *last = (uint64_t *)user;
    if (stage == NULL || strcmp(stage, "search") != 0) stage_not_search = 1;
    last[0] = done;
    last[1] = total;
    return 0;
}

static void hand_counted(void) {
    pdcost_cost_model *cost = make_cost(NULL, tiny_json, 4, 4, 1024, 4);
    pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
    o.num_micro_batch_sizes = 1;
    o.micro_batch_sizes[0] = 1;
    o.recompute = PDCOST_SEARCH_RECOMPUTE_NONE;
    o.zero_stages = 1u << 1;
    o.max_vpp = 1;
    o.max_cp = 1;
    o.flags = PDCOST_SEARCH_EVEN_PIPELINE_ONLY;
    o.top_k = 100;
    o.threads = 2;
    uint64_t last[2] = {0, 0};
    o.progress = count_only; /* the last two fields of the options */
    o.user = last;
    pdcost_search_result *result = NULL;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &o), PDCOST_OK, "");
    CHECK(result != NULL);
    CHECK(pdcost_search_result_count(result) == 5);
    CHECK(last[0] == last[1] && last[1] > 0);
    CHECK(!stage_not_search);

    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    EXPECT_STATUS(pdcost_search_result_stats(&stats, result), PDCOST_OK, "");
    CHECK(stats.evaluated == 5);
    CHECK(stats.feasible == 5);
    CHECK(stats.pruned[PDCOST_PRUNE_TP_KV_HEADS] == 1);
    CHECK(stats.enumerated == 6);
    CHECK(stats.cancelled == 0);
    CHECK(stats.size == sizeof(pdcost_search_stats) && stats.version == PDCOST_SEARCH_STATS_VERSION);

    int seen[3][5] = {{0}};
    double previous = 1e300;
    for (size_t i = 0; i < pdcost_search_result_count(result); i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        EXPECT_STATUS(pdcost_search_result_get(&e, result, i), PDCOST_OK, "");
        CHECK(e.plan.tp * e.plan.pp * e.plan.dp * e.plan.cp == 4);
        CHECK(e.micro_batch_size == 1 && e.recompute == PDCOST_RECOMPUTE_NONE);
        CHECK(e.gradient_accumulation_steps * e.plan.dp == 4);
        CHECK(e.prediction.fits_memory == 1);
        CHECK(e.prediction.tokens_per_second <= previous);
        CHECK(e.peak_allocated_bytes > 0 && e.peak_allocated_bytes <= e.prediction.usable_memory_bytes);
        /* ABI 1 fields: host overhead, and the first/last pipeline stages' peaks, which are
         * the peak stage's when there is one stage. */
        CHECK(e.prediction.host_overhead_time_s >= 0 && e.prediction.host_overhead_time_s < e.prediction.step_time_s);
        CHECK(e.prediction.first_stage_allocated_bytes > 0 &&
              e.prediction.first_stage_allocated_bytes <= e.peak_allocated_bytes);
        CHECK(e.prediction.last_stage_allocated_bytes > 0 &&
              e.prediction.last_stage_allocated_bytes <= e.peak_allocated_bytes);
        CHECK(e.prediction.first_stage_reserved_bytes >= e.prediction.first_stage_allocated_bytes);
        CHECK(e.prediction.last_stage_reserved_bytes >= e.prediction.last_stage_allocated_bytes);
        if (e.plan.pp == 1) {
            CHECK(e.prediction.first_stage_allocated_bytes == e.prediction.allocated_bytes);
            CHECK(e.prediction.first_stage_reserved_bytes == e.prediction.reserved_bytes);
            CHECK(e.prediction.last_stage_allocated_bytes == e.prediction.allocated_bytes);
            CHECK(e.prediction.last_stage_reserved_bytes == e.prediction.reserved_bytes);
        }
        previous = e.prediction.tokens_per_second;
        /* A returned plan prices the same through pdcost_cost_model_predict. */
        pdcost_prediction p = PDCOST_PREDICTION_INIT;
        EXPECT_STATUS(pdcost_cost_model_predict(&p, cost, &e.plan), PDCOST_OK, "");
        CHECK(p.step_time_s == e.prediction.step_time_s);
        CHECK(p.host_overhead_time_s == e.prediction.host_overhead_time_s);
        CHECK(p.last_stage_allocated_bytes == e.prediction.last_stage_allocated_bytes);
        if (i == 0) {
            /* And as JSON, with the plan echoed and the per-stage peaks. */
            char *one = NULL;
            EXPECT_STATUS(pdcost_cost_model_predict_json(&one, cost, &e.plan), PDCOST_OK, "");
            CHECK(one != NULL && strstr(one, "{\"plan\": {\"tp\": ") == one);
            CHECK(one != NULL && strstr(one, "\"first_stage_allocated_bytes\": ") != NULL);
            CHECK(one != NULL && strstr(one, "\"host_overhead_time_s\": ") != NULL);
            CHECK(one != NULL && strstr(one, "\"last_stage_reserved_bytes\": ") != NULL);
            CHECK(one != NULL && strstr(one, "\"fits_memory\": true") != NULL);
            pdcost_string_free(one);
            pdcost_plan bad = e.plan;
            bad.dp = 3; /* tp*pp*dp*cp no longer equals the GPU count */
            char *untouched = (char *)"untouched";
            EXPECT_STATUS(pdcost_cost_model_predict_json(&untouched, cost, &bad), PDCOST_EINFEASIBLE, "num_gpus=4");
            CHECK(strcmp(untouched, "untouched") == 0);
            EXPECT_STATUS(pdcost_cost_model_predict_json(NULL, cost, &e.plan), PDCOST_EINVAL, "out_json=NULL");
        }
        if (e.plan.tp <= 2 && e.plan.pp <= 4) seen[e.plan.tp][e.plan.pp] = 1;
    }
    CHECK(seen[1][1] && seen[1][2] && seen[1][4] && seen[2][1] && seen[2][2]);

    CHECK(pdcost_search_result_pareto_count(result) >= 1);
    pdcost_search_entry front = PDCOST_SEARCH_ENTRY_INIT;
    EXPECT_STATUS(pdcost_search_result_pareto_get(&front, result, 0), PDCOST_OK, "");
    EXPECT_STATUS(pdcost_search_result_pareto_get(&front, result, 1000), PDCOST_EINVAL, "index=1000");
    EXPECT_STATUS(pdcost_search_result_get(&front, result, 5), PDCOST_EINVAL, "has 5 entries");
    CHECK(strcmp(pdcost_search_result_explanation(result), "") == 0);

    char *json = NULL;
    EXPECT_STATUS(pdcost_search_result_to_json(&json, result), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"results\": [") != NULL && strstr(json, "\"pareto\": [") != NULL);
    CHECK(json != NULL && strstr(json, "\"pruned\": {\"tp_kv_heads\": 1}") != NULL);
    CHECK(json != NULL && strstr(json, "\"evaluated\": 5") != NULL);
    pdcost_string_free(json);
    pdcost_search_result_free(result);
    pdcost_cost_model_free(cost);
}

static void errors(void) {
    pdcost_cost_model *cost = make_cost("llama3-8b", NULL, 8, 0, 4096, 64);
    pdcost_search_result *result = NULL;
    pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
    EXPECT_STATUS(pdcost_search_run(&result, NULL, &o), PDCOST_EINVAL, "cost_model=NULL");
    EXPECT_STATUS(pdcost_search_run(NULL, cost, &o), PDCOST_EINVAL, "out_result=NULL");
    o.version = 99;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &o), PDCOST_EVERSION, "options->version=99");
    pdcost_search_options bad = PDCOST_SEARCH_OPTIONS_INIT;
    bad.num_micro_batch_sizes = 17;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "num_micro_batch_sizes=17");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.num_micro_batch_sizes = 1;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "micro_batch_sizes[0]=0");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.recompute = 64;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "recompute=64");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.zero_stages = 1u << 4;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "zero_stages=16");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.num_offload_ratios = 1;
    bad.optimizer_offload_ratios[0] = 1.5;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "optimizer_offload_ratios[0]=1.5");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.memory_safety_margin = 1.0;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "memory_safety_margin=1.0");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.sequence_parallel = 7;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "sequence_parallel=7");
    bad = (pdcost_search_options)PDCOST_SEARCH_OPTIONS_INIT;
    bad.flags = 1u << 10;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &bad), PDCOST_EINVAL, "flags=1024");
    CHECK(result == NULL);

    pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
    pdcost_search_stats s = PDCOST_SEARCH_STATS_INIT;
    char *json = NULL;
    EXPECT_STATUS(pdcost_search_result_get(&e, NULL, 0), PDCOST_EINVAL, "result=NULL");
    EXPECT_STATUS(pdcost_search_result_stats(&s, NULL), PDCOST_EINVAL, "result=NULL");
    EXPECT_STATUS(pdcost_search_result_to_json(&json, NULL), PDCOST_EINVAL, "result=NULL");
    CHECK(pdcost_search_result_count(NULL) == 0);
    CHECK(pdcost_search_result_pareto_count(NULL) == 0);
    CHECK(strcmp(pdcost_search_result_explanation(NULL), "") == 0);
    pdcost_search_result_free(NULL);

    /* options = NULL: the defaults. */
    EXPECT_STATUS(pdcost_search_run(&result, cost, NULL), PDCOST_OK, "");
    CHECK(pdcost_search_result_count(result) == 10);
    EXPECT_STATUS(pdcost_search_result_get(NULL, result, 0), PDCOST_EINVAL, "out=NULL");
    e.version = 0;
    EXPECT_STATUS(pdcost_search_result_get(&e, result, 0), PDCOST_EVERSION, "out->version=0");
    s.size = 8;
    EXPECT_STATUS(pdcost_search_result_stats(&s, result), PDCOST_EVERSION, "out->size=8");
    EXPECT_STATUS(pdcost_search_result_to_json(NULL, result), PDCOST_EINVAL, "out_json=NULL");
    pdcost_search_result_free(result);

    CHECK(strcmp(pdcost_search_prune_reason_name(PDCOST_PRUNE_OUT_OF_MEMORY), "out_of_memory") == 0);
    CHECK(strcmp(pdcost_search_prune_reason_name((pdcost_search_prune_reason)99), "unknown") == 0);
    pdcost_cost_model_free(cost);
}

static void cancel_and_empty(void) {
    /* Llama-3.1-405B on 16,384 GPUs: hundreds of work units; stop at the first report. */
    pdcost_cost_model *big = make_cost("llama3.1-405b", NULL, 16384, 0, 8192, 2048);
    pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
    o.threads = 1;
    int calls = 0;
    o.progress = stop_at_first;
    o.user = &calls;
    pdcost_search_result *result = NULL;
    pdcost_status status = pdcost_search_run(&result, big, &o);
    char message[512]; /* the message is valid only until the next pdcost call: copy it */
    snprintf(message, sizeof message, "%s", pdcost_last_error());
    CHECK(progress_calls >= 1 && calls == progress_calls);
    /* Stopped: PDCOST_ECANCELED, and *out_result still holds the partial result, to be freed.
     * (Progress is reported every few milliseconds and once at the end; a search that finished
     * before the first report is not cancelled by the final call.) */
    CHECK(result != NULL);
    pdcost_search_stats s = PDCOST_SEARCH_STATS_INIT;
    EXPECT_STATUS(pdcost_search_result_stats(&s, result), PDCOST_OK, "");
    if (s.cancelled) {
        checks++;
        if (status != PDCOST_ECANCELED) {
            failures++;
            fprintf(stderr, "%s:%d: a cancelled search returned %s\n", __FILE__, __LINE__,
                    pdcost_status_name(status));
        }
        CHECK(strstr(message, "stopped by the progress callback") != NULL);
        CHECK(s.work_units_done < s.work_units);
        CHECK(pdcost_search_result_count(result) <= 10);
        char *partial = NULL;
        EXPECT_STATUS(pdcost_search_result_to_json(&partial, result), PDCOST_OK, "");
        pdcost_string_free(partial);
    } else {
        printf("note: the search finished before its first progress report; nothing to cancel\n");
        CHECK(status == PDCOST_OK && s.work_units_done == s.work_units);
    }
    pdcost_search_result_free(result);

    /* Cancelled with several threads: the same contract, message included. */
    o.threads = 2;
    result = NULL;
    status = pdcost_search_run(&result, big, &o);
    snprintf(message, sizeof message, "%s", pdcost_last_error());
    CHECK(result != NULL);
    s = (pdcost_search_stats)PDCOST_SEARCH_STATS_INIT;
    if (result != NULL && pdcost_search_result_stats(&s, result) == PDCOST_OK && s.cancelled) {
        CHECK(status == PDCOST_ECANCELED);
        CHECK(strstr(message, "stopped by the progress callback") != NULL);
    }
    pdcost_search_result_free(result);
    pdcost_cost_model_free(big);

    /* 405B parameters on 8 GPUs: nothing fits; the explanation says by how much. */
    pdcost_cost_model *small = make_cost("llama3.1-405b", NULL, 8, 0, 4096, 8);
    EXPECT_STATUS(pdcost_search_run(&result, small, NULL), PDCOST_OK, "");
    CHECK(pdcost_search_result_count(result) == 0);
    CHECK(strstr(pdcost_search_result_explanation(result), "no plan fits in memory") != NULL);
    CHECK(strstr(pdcost_search_result_explanation(result), "misses by") != NULL);
    char *json = NULL;
    EXPECT_STATUS(pdcost_search_result_to_json(&json, result), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"results\": []") != NULL && strstr(json, "\"explanation\": \"no plan fits") != NULL);
    pdcost_string_free(json);
    pdcost_search_result_free(result);
    pdcost_cost_model_free(small);
}

/* Framework settings: stated in the setup, reported by predict_json and the settings call,
 * and varied by the search: the hand count above, once with TP comm overlap off and once on,
 * prices 2 x 5 plans. A setup struct smaller than version 1 is rejected. */
static void settings(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_json(&model, tiny_json, strlen(tiny_json)), PDCOST_OK, "");
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = 4;
    cluster.gpus_per_node = 4;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 1024;
    setup.global_batch_size = 4;
    setup.framework = PDCOST_FRAMEWORK_NEMO;
    setup.settings_json = "{\"tp_comm_overlap\": true, \"fp8_recipe\": null}";
    pdcost_cost_model *cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
    char *json = NULL;
    EXPECT_STATUS(pdcost_cost_model_settings_json(&json, cost), PDCOST_OK, "");
    /* Stated: TP overlap. Defaulted: NeMo's recipes overlap the gradient reduce. */
    CHECK(json != NULL && strstr(json, "\"given\": {\"tp_comm_overlap\": true}") != NULL);
    CHECK(json != NULL && strstr(json, "\"overlap_grad_reduce\": true") != NULL);
    pdcost_string_free(json);
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.tp = 2;
    plan.dp = 2;
    json = NULL;
    EXPECT_STATUS(pdcost_cost_model_predict_json(&json, cost, &plan), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"settings\": {\"framework\": \"nemo\"") != NULL);
    pdcost_string_free(json);
    pdcost_cost_model_free(cost);

    setup.settings_json = "{\"fp8_recipe\": \"fancy\"}";
    cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_EINVAL,
                  "settings.fp8_recipe='fancy' is not one of");
    CHECK(cost == NULL);
    setup.settings_json = "{\"tp_overlap\": true}";
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_EINVAL,
                  "settings.tp_overlap is not a known setting");

    /* A struct smaller than version 1 (here: ending before settings_json) is rejected, and
     * *out untouched; so is a version this library does not know, and version 0. */
    setup.settings_json = NULL;
    setup.size = (uint32_t)offsetof(pdcost_training_setup, settings_json);
    cost = (pdcost_cost_model *)&failures; /* a sentinel, never dereferenced */
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_EVERSION,
                  "setup->size=");
    CHECK(cost == (pdcost_cost_model *)&failures);
    setup.size = sizeof setup;
    setup.version = PDCOST_TRAINING_SETUP_VERSION + 1;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_EVERSION,
                  "setup->version=4");
    setup.version = 0;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_EVERSION,
                  "setup->version=0");
    CHECK(cost == (pdcost_cost_model *)&failures);
    pdcost_training_setup_init(&setup); /* the function form of the macro */
    setup.seq_len = 1024;
    setup.global_batch_size = 4;
    setup.framework = PDCOST_FRAMEWORK_NEMO;
    cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");

    pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
    o.num_micro_batch_sizes = 1;
    o.micro_batch_sizes[0] = 1;
    o.recompute = PDCOST_SEARCH_RECOMPUTE_NONE;
    o.zero_stages = 1u << 1;
    o.max_vpp = 1;
    o.max_cp = 1;
    o.flags = PDCOST_SEARCH_EVEN_PIPELINE_ONLY;
    o.top_k = 100;
    o.vary_settings = "tp_comm_overlap";
    pdcost_search_result *result = NULL;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &o), PDCOST_OK, "");
    CHECK(pdcost_search_result_count(result) == 10);
    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    EXPECT_STATUS(pdcost_search_result_stats(&stats, result), PDCOST_OK, "");
    CHECK(stats.evaluated == 10);
    unsigned on = 0;
    for (size_t i = 0; i < pdcost_search_result_count(result); i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        EXPECT_STATUS(pdcost_search_result_get(&e, result, i), PDCOST_OK, "");
        CHECK(e.settings_variant <= 1);
        on += e.settings_variant;
    }
    CHECK(on == 5);
    json = NULL;
    EXPECT_STATUS(pdcost_search_result_to_json(&json, result), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"settings\": {\"tp_comm_overlap\": true}") != NULL);
    pdcost_string_free(json);
    pdcost_search_result_free(result);

    o.vary_settings = "tp_comm_overlap,fp8_recipe";
    result = NULL;
    EXPECT_STATUS(pdcost_search_run(&result, cost, &o), PDCOST_EINVAL,
                  "vary_settings: 'fp8_recipe' cannot be varied");
    CHECK(result == NULL);

    json = NULL;
    EXPECT_STATUS(pdcost_framework_settings_fields_json(&json), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"key\": \"tp_comm_overlap\", \"type\": \"bool\"") != NULL);
    pdcost_string_free(json);
    pdcost_cost_model_free(cost);
    pdcost_model_free(model);
}

int main(void) {
    settings();
    hand_counted();
    errors();
    cancel_and_empty();
    return check_report("test_search");
}
