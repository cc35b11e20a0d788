/*
 * test_limits.c: the limits table through the C ABI. The header's PDCOST_MAX_* macros equal
 * the table pdcost_limits_json returns; each bound is enforced at its edge (maximum accepted,
 * maximum + 1 rejected with a message quoting the range); and a training setup that no plan
 * could be priced under is refused by pdcost_cost_model_create, naming the field and value.
 */
#include "check.h"

#include <stdlib.h>

/* The "maximum" (or "minimum") of the table entry `name` in `json`; UINT64_MAX if absent. */
static uint64_t table_value(const char *json, const char *name, const char *key) {
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\": {", name);
    const char *entry = strstr(json, pattern);
    if (entry == NULL) {
        return UINT64_MAX;
    }
    const char *end = strchr(entry, '}');
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *field = strstr(entry, pattern);
    if (field == NULL || (end != NULL && field > end)) {
        return UINT64_MAX;
    }
    return strtoull(field + strlen(pattern), NULL, 10);
}

static void test_macros_equal_table(void) {
    char *json = NULL;
    EXPECT_STATUS(pdcost_limits_json(&json), PDCOST_OK, "");
    CHECK(json != NULL);
    if (json == NULL) {
        return;
    }
    CHECK(strstr(json, "\"version\": 1,") == json + 1);
    CHECK(PDCOST_LIMITS_VERSION == 1);
    static const struct { const char *name; uint64_t macro; } maxima[] = {
        {"seq_len", PDCOST_MAX_SEQ_LEN},
        {"micro_batch_size", PDCOST_MAX_MICRO_BATCH_SIZE},
        {"global_batch_size", PDCOST_MAX_GLOBAL_BATCH_SIZE},
        {"num_gpus", PDCOST_MAX_NUM_GPUS},
        {"gpus_per_node", PDCOST_MAX_GPUS_PER_NODE},
        {"parallel_degree", PDCOST_MAX_PARALLEL_DEGREE},
        {"model_dimension", PDCOST_MAX_MODEL_DIMENSION},
        {"num_hidden_layers", PDCOST_MAX_MODEL_DIMENSION},
        {"hidden_size", PDCOST_MAX_MODEL_DIMENSION},
        {"num_attention_heads", PDCOST_MAX_MODEL_DIMENSION},
        {"num_experts", PDCOST_MAX_MODEL_DIMENSION},
        {"vocab_size", PDCOST_MAX_MODEL_DIMENSION},
        {"recompute_num_layers", PDCOST_MAX_RECOMPUTE_NUM_LAYERS},
        {"json_bytes", PDCOST_MAX_JSON_BYTES},
        {"json_depth", PDCOST_MAX_JSON_DEPTH},
        {"search_list", PDCOST_SEARCH_MAX_LIST},
    };
    for (size_t i = 0; i < sizeof maxima / sizeof maxima[0]; i++) {
        uint64_t value = table_value(json, maxima[i].name, "maximum");
        checks++;
        if (value != maxima[i].macro) {
            failures++;
            fprintf(stderr, "limit %s: table maximum %llu != header macro %llu\n", maxima[i].name,
                    (unsigned long long)value, (unsigned long long)maxima[i].macro);
        }
    }
    /* Independently stated facts the macros must keep (products exact / finite). */
    CHECK(PDCOST_MAX_SEQ_LEN == (1ull << 31));
    CHECK((uint64_t)PDCOST_MAX_SEQ_LEN * PDCOST_MAX_MICRO_BATCH_SIZE <= (1ull << 53));
    CHECK(PDCOST_MAX_GLOBAL_BATCH_SIZE <= UINT32_MAX);
    CHECK(PDCOST_MAX_JSON_BYTES == 64u * 1024u * 1024u);
    CHECK(table_value(json, "seq_len", "minimum") == 1);
    CHECK(strstr(json, "\"range\": \"[1, 2^31]\"") != NULL);
    pdcost_string_free(json);
    EXPECT_STATUS(pdcost_limits_json(NULL), PDCOST_EINVAL, "out_json=NULL");
}

static pdcost_status create(pdcost_model *model, pdcost_cluster *cluster, pdcost_training_setup *setup) {
    pdcost_cost_model *cost = NULL;
    pdcost_status status = pdcost_cost_model_create(&cost, model, cluster, setup, NULL);
    pdcost_cost_model_free(cost);
    return status;
}

static void test_setup_rejected_at_creation(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-8b"), PDCOST_OK, "");  /* 32 layers */
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = 8;

    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 4096;
    setup.global_batch_size = 64;
    EXPECT_STATUS(create(model, &cluster, &setup), PDCOST_OK, "");

    pdcost_training_setup bad = setup;
    bad.seq_len = 0;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "setup->seq_len=0 must be in [1, 2^31]");
    bad = setup;
    bad.seq_len = PDCOST_MAX_SEQ_LEN;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_OK, "");
    bad.seq_len = PDCOST_MAX_SEQ_LEN + 1u;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "setup->seq_len=2147483649 must be in [1, 2^31]");
    bad = setup;
    bad.micro_batch_size = 0;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "setup->micro_batch_size=0 must be in [1, 2^20]");
    bad.micro_batch_size = PDCOST_MAX_MICRO_BATCH_SIZE + 1u;
    bad.global_batch_size = PDCOST_MAX_MICRO_BATCH_SIZE + 1u;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "micro_batch_size=1048577 must be in [1, 2^20]");
    bad = setup;
    bad.global_batch_size = PDCOST_MAX_GLOBAL_BATCH_SIZE;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_OK, "");
    bad.global_batch_size = (uint64_t)PDCOST_MAX_GLOBAL_BATCH_SIZE + 1u;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL,
                  "setup->global_batch_size=2147483649 must be in [1, 2^31]");
    bad.global_batch_size = UINT64_MAX;  /* beyond Int: an error, never a trap */
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "setup->global_batch_size=18446744073709551615");
    bad = setup;
    bad.micro_batch_size = 3;  /* 64 % 3 != 0: no dp makes the global batch whole */
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL,
                  "global_batch_size=64 is not a multiple of micro_batch_size=3");
    bad = setup;
    bad.recompute = PDCOST_RECOMPUTE_FULL;
    bad.recompute_num_layers = 32;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_OK, "");
    bad.recompute_num_layers = 33;
    EXPECT_STATUS(create(model, &cluster, &bad), PDCOST_EINVAL, "recompute_num_layers=33 exceeds num_hidden_layers=32");

    pdcost_cluster big = cluster;
    big.num_gpus = PDCOST_MAX_NUM_GPUS;
    EXPECT_STATUS(create(model, &big, &setup), PDCOST_OK, "");
    big.num_gpus = PDCOST_MAX_NUM_GPUS + 1u;
    EXPECT_STATUS(create(model, &big, &setup), PDCOST_EINVAL, "cluster->num_gpus=16777217 must be in [1, 2^24]");
    big.num_gpus = 0;
    EXPECT_STATUS(create(model, &big, &setup), PDCOST_EINVAL, "cluster->num_gpus=0 must be in [1, 2^24]");

    /* The model analysis reads the same seq_len limit. */
    pdcost_flops flops = PDCOST_FLOPS_INIT;
    EXPECT_STATUS(pdcost_model_flops_per_token(&flops, model, PDCOST_MAX_SEQ_LEN, PDCOST_MASK_CAUSAL), PDCOST_OK, "");
    EXPECT_STATUS(pdcost_model_flops_per_token(&flops, model, (uint64_t)PDCOST_MAX_SEQ_LEN + 1u, PDCOST_MASK_CAUSAL),
                  PDCOST_EINVAL, "sequence_length=2147483649 must be in [1, 2^31]");

    /* The plan's degrees: maximum + 1 rejected by predict with the table's range. */
    pdcost_cost_model *cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.tp = PDCOST_MAX_PARALLEL_DEGREE + 1u;
    pdcost_prediction prediction = PDCOST_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_cost_model_predict(&prediction, cost, &plan), PDCOST_EINVAL, "tp=16777217 must be in [1, 2^24]");
    pdcost_cost_model_free(cost);
    pdcost_model_free(model);
}

int main(void) {
    test_macros_equal_table();
    test_setup_rejected_at_creation();
    return check_report("test_limits");
}
