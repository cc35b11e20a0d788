/*
 * test_serving.c: the serving doors of ABI 1.1 (pdcost_serving_predict, _predict_json, the two
 * field tables) from C. Values are checked against hand calculations and published counts, not
 * against the library's own output:
 *   - Llama-3-8B (32 layers, 8 KV heads of 128): KV bytes per token in bf16 =
 *     2 (K and V) * 32 * 8 * 128 * 2 B = 131072; fp8 halves it; TP 2 splits the KV heads.
 *   - Llama-3-8B has 8.03e9 parameters (Meta model card), so bf16 weights are ~2 * 8.03e9 B.
 *   - weights + KV pool + activations + CUDA graphs + runtime = the peak.
 *   - per-GPU and per-user rates follow from the totals and TPOT.
 */
#include "pdcost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int close_to(double value, double expected, double tolerance) {
    return fabs(value / expected - 1.0) <= tolerance;
}

static pdcost_cluster h100(uint32_t gpus) {
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = gpus;
    return cluster;
}

static void test_llama3_8b(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-8b"), PDCOST_OK, "");
    pdcost_cluster cluster = h100(8);
    pdcost_serving_deployment deployment = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload workload = PDCOST_SERVING_WORKLOAD_INIT;
    workload.scenario = PDCOST_SCENARIO_ONLINE_FIXED_CONCURRENCY;
    workload.input_tokens = 2048;
    workload.output_tokens = 256;
    workload.concurrency = 16;
    pdcost_serving_prediction p = PDCOST_SERVING_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.size == sizeof p && p.version == PDCOST_SERVING_PREDICTION_VERSION);
    CHECK(p.kv_bytes_per_token == 131072.0);
    CHECK(close_to(p.weights_bytes, 2 * 8.03e9, 0.01));
    double parts = p.weights_bytes + p.kv_cache_bytes + p.activation_bytes + p.cuda_graph_bytes + p.runtime_bytes;
    CHECK(close_to(parts, p.peak_memory_bytes, 1e-12));
    CHECK(p.peak_memory_bytes <= cluster.gpu.memory_bytes);
    CHECK(p.num_gpus == 1.0);
    CHECK(p.fits_memory == 1 && p.saturated == 0);
    CHECK(p.ttft_s > 0 && p.tpot_s > 0 && p.e2e_s > p.ttft_s);
    CHECK(close_to(p.output_tokens_per_s_per_user, 1.0 / p.tpot_s, 1e-9));
    CHECK(close_to(p.output_tokens_per_s_per_gpu * p.num_gpus, p.output_tokens_per_s, 1e-12));
    CHECK(p.kv_used_bytes <= p.kv_cache_bytes);

    /* FP8 KV cache: one byte per element. */
    deployment.kv_cache_precision = PDCOST_KV_CACHE_FP8;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.kv_bytes_per_token == 65536.0);

    /* TP 2, two replicas: the 8 KV heads split 4 + 4; the weights about halve; 4 GPUs. */
    deployment.kv_cache_precision = PDCOST_KV_CACHE_BF16;
    deployment.tp = 2;
    deployment.replicas = 2;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.kv_bytes_per_token == 65536.0);
    CHECK(p.weights_bytes < 0.55 * 2 * 8.03e9 && p.weights_bytes > 0.45 * 2 * 8.03e9);
    CHECK(p.num_gpus == 4.0);

    /* Settings through JSON with a length (no NUL needed); a stated cap on sequences. */
    const char settings[] = "{\"max_num_seqs\": 4, \"cuda_graphs\": false}XXXX";
    deployment.settings_json = settings;
    deployment.settings_length = strlen(settings) - 4;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.running_batch <= 4.0);
    char *json = NULL;
    EXPECT_STATUS(pdcost_serving_predict_json(&json, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"given\": {\"cuda_graphs\": false, \"max_num_seqs\": 4}") != NULL);
    CHECK(json != NULL && strstr(json, "\"scenario\": \"online_fixed_concurrency\"") != NULL);
    pdcost_string_free(json);

    /* Errors name the field and the value; the out struct is untouched. */
    p.ttft_s = 42.0;
    const char unknown[] = "{\"max_num_seq\": 4}";
    deployment.settings_json = unknown;
    deployment.settings_length = strlen(unknown);
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "serving.max_num_seq is not a known serving setting");
    const char bad[] = "{\"gpu_memory_fraction\": 2}";
    deployment.settings_json = bad;
    deployment.settings_length = strlen(bad);
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "serving.gpu_memory_fraction=2 must be in [0.01, 1]");
    deployment.settings_json = NULL;
    deployment.settings_length = 0;
    deployment.tp = 16;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINFEASIBLE,
                  "tp=16 exceeds gpus_per_node=8");
    deployment.tp = 1;
    deployment.kv_cache_precision = (pdcost_kv_cache_precision)5;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "deployment->kv_cache_precision=5 is not a pdcost_kv_cache_precision");
    deployment.kv_cache_precision = PDCOST_KV_CACHE_BF16;
    workload.concurrency = 0;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "workload->concurrency=0 must be in [1, 2^20]");
    workload.concurrency = 1;
    workload.scenario = PDCOST_SCENARIO_ONLINE_REQUEST_RATE;
    workload.request_rate = NAN;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "workload->request_rate=nan");
    CHECK(p.ttft_s == 42.0);
    EXPECT_STATUS(pdcost_serving_predict(NULL, model, &cluster, &deployment, &workload), PDCOST_EINVAL, "out=NULL");
    EXPECT_STATUS(pdcost_serving_predict_json(NULL, model, &cluster, &deployment, &workload), PDCOST_EINVAL,
                  "out_json=NULL");
    pdcost_model_free(model);
}

/* Llama-3-70B at TP 4 does not fit one H100 (2 * 70.6e9 B of weights > 80 GiB) but fits four. */
static void test_fit(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-70b"), PDCOST_OK, "");
    pdcost_cluster cluster = h100(8);
    pdcost_serving_deployment deployment = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload workload = PDCOST_SERVING_WORKLOAD_INIT;
    workload.input_tokens = 1024;
    workload.output_tokens = 128;
    pdcost_serving_prediction p = PDCOST_SERVING_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.fits_memory == 0);
    deployment.tp = 4;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &deployment, &workload), PDCOST_OK, "");
    CHECK(p.fits_memory == 1);
    CHECK(close_to(p.weights_bytes * 4, 2 * 70.6e9, 0.02));
    pdcost_model_free(model);
}

static void test_tables(void) {
    char *json = NULL;
    EXPECT_STATUS(pdcost_serving_prediction_fields_json(&json), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"name\": \"ttft_s\"") != NULL && strstr(json, "\"name\": \"saturated\"") != NULL);
    pdcost_string_free(json);
    json = NULL;
    EXPECT_STATUS(pdcost_serving_settings_fields_json(&json), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"key\": \"kv_block_size\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"tensorrt-llm\": 32") != NULL);
    pdcost_string_free(json);
    EXPECT_STATUS(pdcost_serving_settings_fields_json(NULL), PDCOST_EINVAL, "out_json=NULL");

    pdcost_serving_deployment d;
    memset(&d, 0xAB, sizeof d);
    pdcost_serving_deployment_init(&d);
    CHECK(d.size == sizeof d && d.tp == 1 && d.replicas == 1 && d.settings_json == NULL && d.engine == PDCOST_ENGINE_VLLM);
    pdcost_serving_workload w;
    memset(&w, 0xAB, sizeof w);
    pdcost_serving_workload_init(&w);
    CHECK(w.size == sizeof w && w.batch_size == 1 && w.request_rate == 1.0 && w.prefix_hit_ratio == 0.0);
}

int main(void) {
    test_llama3_8b();
    test_fit();
    test_tables();
    return check_report("test_serving");
}
