/* Reproducer for findings/README.md, "search-max-vpp": a plan search's time grows linearly with
 * options.max_vpp although a 16-layer model has at most 16 virtual stages:
 * PlanSearch.searchBelowZero loops `for vpp in 1...maxVPP`, pruning each vpp that does not cut
 * the layers. Build: cc -Iinclude search-max-vpp.c -L<lib dir> -lpdcost; pass any argument to
 * try max_vpp = 2^24 as well. */
#include "pdcost.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
    const char *json = "{\"model_type\": \"llama\", \"num_hidden_layers\": 16, \"hidden_size\": 2048, "
        "\"intermediate_size\": 8192, \"num_attention_heads\": 16, \"num_key_value_heads\": 8, "
        "\"head_dim\": 128, \"vocab_size\": 32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}";
    pdcost_model *model; pdcost_model_from_json(&model, json, strlen(json));
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB");
    cluster.num_gpus = 16; cluster.gpus_per_node = 8;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 2048; setup.global_batch_size = 64;
    pdcost_cost_model *cost; 
    if (pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL)) { puts(pdcost_last_error()); return 1; }
    uint32_t vpps[] = {8, 1u << 12, 1u << 16, 1u << 20, 1u << 24};
    int n = argc > 1 ? 5 : 4;
    for (int i = 0; i < n; i++) {
        pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
        o.max_vpp = vpps[i]; o.threads = 1;
        struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
        pdcost_search_result *r = NULL;
        pdcost_status s = pdcost_search_run(&r, cost, &o);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("max_vpp=%u: %s, %zu plans, %.3f s\n", vpps[i], pdcost_status_name(s), pdcost_search_result_count(r),
               (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
        pdcost_search_result_free(r);
    }
    return 0;
}
