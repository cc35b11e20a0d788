/*
 * test_serving_search.c: the serving doors of ABI 1.2 from C: pdcost_serving_search_run and its
 * result (entries against the targets passed, the Pareto front, the closest miss, stats that
 * add up, cancellation through progress with a partial result, option errors naming the
 * field), and pdcost_validate_runs on a file with kind: inference records (the serving part).
 */
#include "pdcost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static pdcost_cluster h100(uint32_t gpus) {
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = gpus;
    return cluster;
}

static double ttft_at(const pdcost_serving_prediction *p, pdcost_serving_percentile percentile) {
    switch (percentile) {
    case PDCOST_PERCENTILE_P90: return p->ttft_p90_s;
    case PDCOST_PERCENTILE_P99: return p->ttft_p99_s;
    default: return p->ttft_s;
    }
}

static uint64_t pruned_sum(const pdcost_serving_search_stats *s) {
    uint64_t sum = 0;
    for (int i = 0; i < PDCOST_SERVING_PRUNE_REASONS; i++) sum += s->pruned[i];
    return sum;
}

static int stop_at_once(void *user, const char *stage, uint64_t done, uint64_t total) {
    (void)done;
    (void)total;
    int *calls = (int *)user;
    *calls += 1;
    return strcmp(stage, "aggregated") == 0 || strcmp(stage, "disaggregated") == 0;
}

static void test_search(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-8b"), PDCOST_OK, "");
    pdcost_cluster cluster = h100(8);

    pdcost_serving_search_options o;
    memset(&o, 0xAB, sizeof o);
    pdcost_serving_search_options_init(&o);
    CHECK(o.size == sizeof o && o.version == PDCOST_SERVING_SEARCH_OPTIONS_VERSION);
    CHECK(o.sweep_load == 1 && o.try_expert_parallel == 1 && o.try_attention_data_parallel == 1);
    CHECK(o.workload.size == sizeof o.workload && o.settings_json == NULL && o.progress == NULL);

    /* 32 users in flight on the whole deployment, TTFT p90 <= 0.5 s, TPOT <= 30 ms. */
    o.workload.scenario = PDCOST_SCENARIO_ONLINE_FIXED_CONCURRENCY;
    o.workload.input_tokens = 2048;
    o.workload.output_tokens = 256;
    o.workload.concurrency = 32;
    o.sweep_load = 0;
    o.percentile = PDCOST_PERCENTILE_P90;
    o.max_ttft_s = 0.5;
    o.max_tpot_s = 0.030;
    o.engines = PDCOST_SERVING_ENGINE_BIT(PDCOST_ENGINE_VLLM) | PDCOST_SERVING_ENGINE_BIT(PDCOST_ENGINE_SGLANG);
    o.num_weight_precisions = 2;
    o.weight_precisions[0] = PDCOST_WEIGHT_BF16;
    o.weight_precisions[1] = PDCOST_WEIGHT_FP8;
    o.max_pp = 1;
    o.top_k = 5;
    o.threads = 2;
    pdcost_serving_search_result *result = NULL;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_OK, "");
    size_t count = pdcost_serving_search_result_count(result);
    CHECK(count >= 1 && count <= 5);
    CHECK(strcmp(pdcost_serving_search_result_explanation(result), "") == 0);
    pdcost_serving_search_entry e = PDCOST_SERVING_SEARCH_ENTRY_INIT;
    double previous = INFINITY;
    for (size_t i = 0; i < count; i++) {
        EXPECT_STATUS(pdcost_serving_search_result_get(&e, result, i), PDCOST_OK, "");
        CHECK(ttft_at(&e.prediction, o.percentile) <= o.max_ttft_s);
        CHECK(e.prediction.tpot_s <= o.max_tpot_s);
        CHECK(e.prediction.fits_memory == 1);
        CHECK(e.concurrency == 32 && e.disaggregated == 0 && e.batch_per_replica == 0);
        CHECK(e.num_gpus == e.deployment.tp * e.deployment.pp * e.deployment.replicas && e.num_gpus <= 8);
        CHECK(e.deployment.pp == 1 && e.deployment.settings_json == NULL);
        CHECK(e.deployment.engine == PDCOST_ENGINE_VLLM || e.deployment.engine == PDCOST_ENGINE_SGLANG);
        CHECK(e.deployment.weight_precision == PDCOST_WEIGHT_BF16 || e.deployment.weight_precision == PDCOST_WEIGHT_FP8);
        CHECK(e.prediction.num_gpus == (double)e.num_gpus);
        CHECK(e.prediction.output_tokens_per_s_per_gpu <= previous); /* ranked best first */
        previous = e.prediction.output_tokens_per_s_per_gpu;
        CHECK(e.miss == 0.0 && e.prefill_pool.tp == 0);
    }
    /* The entry reproduces through pdcost_serving_predict. */
    EXPECT_STATUS(pdcost_serving_search_result_get(&e, result, 0), PDCOST_OK, "");
    pdcost_serving_workload w = o.workload;
    pdcost_serving_prediction p = PDCOST_SERVING_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &e.deployment, &w), PDCOST_OK, "");
    CHECK(p.output_tokens_per_s_per_gpu == e.prediction.output_tokens_per_s_per_gpu && p.ttft_p90_s == e.prediction.ttft_p90_s);

    size_t front = pdcost_serving_search_result_pareto_count(result);
    CHECK(front >= 1);
    double user = INFINITY;
    for (size_t i = 0; i < front; i++) {
        EXPECT_STATUS(pdcost_serving_search_result_pareto_get(&e, result, i), PDCOST_OK, "");
        CHECK(e.prediction.output_tokens_per_s_per_user < user);
        user = e.prediction.output_tokens_per_s_per_user;
        CHECK(ttft_at(&e.prediction, o.percentile) <= o.max_ttft_s && e.prediction.tpot_s <= o.max_tpot_s);
    }
    pdcost_serving_search_stats s = PDCOST_SERVING_SEARCH_STATS_INIT;
    EXPECT_STATUS(pdcost_serving_search_result_stats(&s, result), PDCOST_OK, "");
    CHECK(s.enumerated == s.feasible + pruned_sum(&s));
    CHECK(s.feasible >= count && s.cancelled == 0 && s.work_units == s.work_units_done && s.budget_gpus == 8);
    CHECK(s.pruned[PDCOST_SERVING_PRUNE_DEPLOYMENT_INVALID] == 0);
    char *json = NULL;
    EXPECT_STATUS(pdcost_serving_search_result_to_json(&json, result), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"results\"") && strstr(json, "\"pareto\"") && strstr(json, "\"closest_miss\""));
    CHECK(json != NULL && strstr(json, "\"percentile\": \"p90\"") != NULL);
    pdcost_string_free(json);
    EXPECT_STATUS(pdcost_serving_search_result_get(&e, result, count), PDCOST_EINVAL, "out of range");
    pdcost_serving_search_result_free(result);

    /* An impossible target: empty, explained, with the closest point and the reasons counted. */
    o.max_ttft_s = 1e-6;
    result = NULL;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_OK, "");
    CHECK(pdcost_serving_search_result_count(result) == 0);
    const char *why = pdcost_serving_search_result_explanation(result);
    CHECK(strstr(why, "no deployment fits and meets the targets") != NULL);
    CHECK(strstr(why, "ttft_target=") != NULL && strstr(why, "closest: tp=") != NULL);
    EXPECT_STATUS(pdcost_serving_search_result_closest(&e, result), PDCOST_OK, "");
    CHECK(e.miss > 1.0 && fabs(e.miss - e.prediction.ttft_p90_s / 1e-6) <= 1e-9 * e.miss);
    EXPECT_STATUS(pdcost_serving_search_result_stats(&s, result), PDCOST_OK, "");
    CHECK(s.feasible == 0 && s.pruned[PDCOST_SERVING_PRUNE_TTFT_TARGET] > 0);
    CHECK(strcmp(pdcost_serving_search_prune_reason_name(PDCOST_SERVING_PRUNE_TTFT_TARGET), "ttft_target") == 0);
    CHECK(strcmp(pdcost_serving_search_prune_reason_name((pdcost_serving_prune_reason)99), "unknown") == 0);
    pdcost_serving_search_result_free(result);

    /* Cancellation: progress stops it; the partial result is still handed over. */
    o.max_ttft_s = 0;
    o.sweep_load = 1;
    o.disaggregated = 1;
    o.threads = 1;
    int calls = 0;
    o.progress = stop_at_once;
    o.user = &calls;
    result = NULL;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_ECANCELED, "stopped");
    CHECK(result != NULL && calls >= 1);
    EXPECT_STATUS(pdcost_serving_search_result_stats(&s, result), PDCOST_OK, "");
    CHECK(s.cancelled == 1 && s.work_units_done < s.work_units);
    pdcost_serving_search_result_free(result);
    o.progress = NULL;
    o.disaggregated = 0;

    /* Errors name the field and leave *out_result alone. */
    result = (pdcost_serving_search_result *)&calls;
    o.engines = 1u << 9;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EINVAL, "options->engines=512");
    o.engines = 0;
    o.max_tpot_s = -1;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EINVAL, "options->max_tpot_s=-1");
    o.max_tpot_s = 0;
    o.num_weight_precisions = 1;
    o.weight_precisions[0] = 9;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EINVAL, "options->weight_precisions[0]=9");
    o.num_weight_precisions = 0;
    o.workload.input_tokens = 0;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EINVAL, "options->workload->input_tokens=0");
    o.workload.input_tokens = 2048;
    o.max_gpus = 16;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EINVAL, "max_gpus=16");
    o.max_gpus = 0;
    o.workload.version = 7;
    EXPECT_STATUS(pdcost_serving_search_run(&result, model, &cluster, &o), PDCOST_EVERSION, "options->workload->version=7");
    o.workload.version = PDCOST_SERVING_WORKLOAD_VERSION;
    EXPECT_STATUS(pdcost_serving_search_run(NULL, model, &cluster, &o), PDCOST_EINVAL, "out_result=NULL");
    EXPECT_STATUS(pdcost_serving_search_run(&result, NULL, &cluster, &o), PDCOST_EINVAL, "");
    CHECK(result == (pdcost_serving_search_result *)&calls);
    CHECK(pdcost_serving_search_result_count(NULL) == 0 && pdcost_serving_search_result_pareto_count(NULL) == 0);
    CHECK(strcmp(pdcost_serving_search_result_explanation(NULL), "") == 0);
    EXPECT_STATUS(pdcost_serving_search_result_stats(&s, NULL), PDCOST_EINVAL, "result=NULL");
    pdcost_serving_search_result_free(NULL);

    pdcost_serving_search_stats st;
    memset(&st, 0xAB, sizeof st);
    pdcost_serving_search_stats_init(&st);
    CHECK(st.size == sizeof st && st.enumerated == 0 && st.pruned[14] == 0);
    pdcost_serving_search_entry en;
    memset(&en, 0xAB, sizeof en);
    pdcost_serving_search_entry_init(&en);
    CHECK(en.size == sizeof en && en.deployment.tp == 1 && en.prediction.size == sizeof en.prediction);
    pdcost_model_free(model);
}

/* One static-batch serving record that predicts, one that cannot be mapped, one training
 * record: both parts are reported. */
static const char runs[] =
    "{\"schema\": \"pdcost.runs/1\", \"runs\": ["
    "{\"id\": \"serve-1\", \"kind\": \"inference\", \"source_group\": \"hand\", \"framework\": \"tensorrt-llm\","
    " \"model\": {\"model_type\": \"llama\", \"num_hidden_layers\": 32, \"hidden_size\": 4096,"
    "  \"intermediate_size\": 11008, \"num_attention_heads\": 32, \"num_key_value_heads\": 32, \"head_dim\": 128,"
    "  \"vocab_size\": 32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"},"
    " \"hardware\": {\"gpu\": \"H100-SXM-80GB\", \"num_gpus\": 1, \"gpus_per_node\": null},"
    " \"parallel\": {\"tp\": 1, \"pp\": 1, \"dp\": 1}, \"training\": {\"dtype\": \"fp8\"},"
    " \"precision\": {\"weights\": \"fp8\", \"activations\": \"fp8\", \"kv_cache\": null},"
    " \"serving\": {\"scenario\": \"static_batch\"},"
    " \"measured\": {\"ttft_ms\": 6.36, \"itl_ms\": 4.1, \"e2e_latency_ms\": 526.76,"
    "  \"output_tokens_per_s_per_gpu\": 243.0, \"batch_size\": 1, \"concurrency\": 1,"
    "  \"input_tokens\": 128, \"output_tokens\": 128}},"
    "{\"id\": \"serve-bad\", \"kind\": \"inference\", \"source_group\": \"hand\"}"
    "]}";

static void test_validate(void) {
    char *report = NULL;
    EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), NULL), PDCOST_OK, "");
    CHECK(report != NULL && strstr(report, "\"serving\": {") != NULL);
    CHECK(report != NULL && strstr(report, "\"skipped_reasons\"") != NULL);
    CHECK(report != NULL && strstr(report, "\"group_weighted\"") != NULL);
    if (report != NULL && strstr(report, "\"serving\": {") == NULL) fprintf(stderr, "%s\n", report);
    pdcost_string_free(report);
    report = NULL;
    pdcost_validate_options o = PDCOST_VALIDATE_OPTIONS_INIT;
    o.flags = PDCOST_VALIDATE_TEXT;
    EXPECT_STATUS(pdcost_validate_runs(&report, runs, strlen(runs), &o), PDCOST_OK, "");
    CHECK(report != NULL && strstr(report, "serving records: 2, predicted 1, skipped 1") != NULL);
    CHECK(report != NULL && strstr(report, "skipped 1: ") != NULL);
    if (report != NULL && strstr(report, "predicted 1") == NULL) fprintf(stderr, "%s\n", report);
    pdcost_string_free(report);

    /* A training-only file: "serving" is null. */
    const char training[] = "{\"schema\": \"pdcost.runs/1\", \"runs\": []}";
    report = NULL;
    EXPECT_STATUS(pdcost_validate_runs(&report, training, strlen(training), NULL), PDCOST_OK, "");
    CHECK(report != NULL && strstr(report, "\"serving\": null") != NULL);
    pdcost_string_free(report);
}

int main(void) {
    test_search();
    test_validate();
    return check_report("test_serving_search");
}
