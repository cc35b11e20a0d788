/*
 * test_allocations.c: pdcost_cost_model_predict allocates nothing. Run with the counting shim
 * scripts/malloc_count.c preloaded (CTest sets LD_PRELOAD); it counts every malloc and realloc
 * of the process (the Swift runtime allocates through malloc), and the loop below calls only
 * predict.
 */
#include "pdcost.h"

#include <dlfcn.h>
#include <stdio.h>

#include "check.h"

int main(void) {
    unsigned long (*count)(void) = NULL;
    void *symbol = dlsym(RTLD_DEFAULT, "pdcost_bench_malloc_count");
    memcpy(&count, &symbol, sizeof count); /* C99: no cast from void * to a function pointer */
    if (count == NULL) {
        fprintf(stderr, "test_allocations: run with LD_PRELOAD=<malloc_count shim>\n");
        return 1;
    }
    const char *presets[] = {"llama3-70b", "qwen3-30b-a3b", "deepseek-v3"};
    const uint32_t gpus[] = {64, 8, 256};
    for (size_t k = 0; k < 3; k++) {
        pdcost_model *model = NULL;
        EXPECT_STATUS(pdcost_model_from_preset(&model, presets[k]), PDCOST_OK, "");
        pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
        EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
        cluster.num_gpus = gpus[k];
        pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
        setup.seq_len = 4096;
        setup.global_batch_size = 512;
        setup.recompute = PDCOST_RECOMPUTE_SELECTIVE;
        pdcost_cost_model *cost = NULL;
        EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
        pdcost_plan plan = PDCOST_PLAN_INIT;
        plan.tp = 8;
        plan.sequence_parallel = 1;
        plan.dp = gpus[k] / 8;
        plan.ep = k == 0 ? 1 : 8;
        pdcost_prediction out = PDCOST_PREDICTION_INIT;
        for (int i = 0; i < 100; i++) { /* warm-up: lazily built tables are built once */
            EXPECT_STATUS(pdcost_cost_model_predict(&out, cost, &plan), PDCOST_OK, "");
        }
        unsigned long before = count();
        pdcost_status status = PDCOST_OK;
        for (int i = 0; i < 10000; i++) {
            status |= pdcost_cost_model_predict(&out, cost, &plan);
        }
        unsigned long allocations = count() - before;
        CHECK(status == PDCOST_OK);
        if (allocations != 0) {
            fprintf(stderr, "%s: %lu heap allocations in 10000 predicts\n", presets[k], allocations);
        }
        CHECK(allocations == 0);
        pdcost_cost_model_free(cost);
        pdcost_model_free(model);
    }
    return check_report("test_allocations");
}
