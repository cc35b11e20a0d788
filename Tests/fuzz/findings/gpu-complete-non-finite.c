/* Reproducer for findings/README.md, "gpu-complete-non-finite": pdcost_gpu_complete scales a
 * reference part's peaks by a stated peak and returns PDCOST_OK with an infinite number. */
#include "pdcost.h"
#include <float.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    pdcost_gpu_spec in = PDCOST_GPU_SPEC_INIT, out = PDCOST_GPU_SPEC_INIT;
    snprintf(in.name, sizeof in.name, "custom");
    in.architecture = PDCOST_GPU_ARCH_BLACKWELL;
    in.fp16_flops = DBL_MAX;          /* finite, so accepted */
    char *filled = NULL;
    pdcost_status s = pdcost_gpu_complete(&out, &filled, &in);
    printf("gpu_complete: %s %s\n", pdcost_status_name(s), pdcost_last_error());
    printf("fp16 %g bf16 %g fp8 %g tf32 %g fp32 %g\n", out.fp16_flops, out.bf16_flops, out.fp8_flops,
           out.tf32_flops, out.fp32_flops);
    if (filled) printf("filled: %.600s\n", filled);
    pdcost_string_free(filled);

    /* The same GPU in a cluster. */
    const char *json = "{\"model_type\": \"llama\", \"num_hidden_layers\": 16, \"hidden_size\": 2048, "
        "\"intermediate_size\": 8192, \"num_attention_heads\": 16, \"num_key_value_heads\": 8, "
        "\"head_dim\": 128, \"vocab_size\": 32000, \"tie_word_embeddings\": false, \"hidden_act\": \"silu\"}";
    pdcost_model *model; pdcost_model_from_json(&model, json, strlen(json));
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    cluster.gpu = in; cluster.num_gpus = 8;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 2048; setup.global_batch_size = 64; setup.dtype = PDCOST_DTYPE_FP8;
    pdcost_cost_model *cost = NULL;
    s = pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL);
    printf("cost_model_create: %s %s\n", pdcost_status_name(s), pdcost_last_error());
    if (s == PDCOST_OK) {
        pdcost_plan plan = PDCOST_PLAN_INIT; plan.dp = 8;
        pdcost_prediction p = PDCOST_PREDICTION_INIT;
        s = pdcost_cost_model_predict(&p, cost, &plan);
        printf("predict: %s step %g mfu %g tokens/s %g %s\n", pdcost_status_name(s), p.step_time_s, p.mfu,
               p.tokens_per_second, pdcost_last_error());
        char *pj = NULL;
        s = pdcost_cost_model_predict_json(&pj, cost, &plan);
        printf("predict_json: %s %s\n", pdcost_status_name(s), pj && strstr(pj, "warnings") ? "(with warnings)" : "");
        pdcost_string_free(pj);
    }
    pdcost_cost_model_free(cost);
    return 0;
}
