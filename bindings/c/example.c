/*
 * example.c: using libpdcost from C, the way a cluster scheduler would.
 *
 *   example [config.json]
 *
 * 1. checks that the library matches the header this program was compiled against;
 * 2. loads a built-in preset and a Hugging Face config.json, and prints total/active
 *    parameters, the per-component breakdown and FLOPs per token;
 * 3. looks up a GPU;
 * 4. prices one parallel plan of Llama-3-70B on 64 of those GPUs and a training run at its
 *    throughput, then searches every plan for the fastest that fits (what a scheduler's
 *    placement loop calls);
 * 5. shows the error path: an unknown preset gives a status and a message.
 *
 * Calling conventions (ABI 1): output parameters come first, `pdcost_X(&out, inputs...)`;
 * optional behaviour is an options struct (NULL = defaults); long calls take their progress
 * callback in that struct.
 *
 * Every call that returns a pdcost_status is checked. On failure, pdcost_status_name() gives
 * the code's name and pdcost_last_error() a message naming the value at fault; both strings
 * belong to the library (do not free them).
 */
#include <pdcost.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* The config.json used when none is given on the command line (the build may set it). */
#ifndef PDCOST_EXAMPLE_CONFIG
#define PDCOST_EXAMPLE_CONFIG "config.json"
#endif

/* Prints a failed call's status and message; returns 1 so callers can `return report(...)`. */
static int report(const char *what, pdcost_status status) {
    /* Read the message right after the failing call: the next pdcost call may replace it. */
    const char *message = pdcost_last_error();
    fprintf(stderr, "%s failed: %s: %s\n", what, pdcost_status_name(status), message);
    return 1;
}

/* Prints the analysis of one model. Returns 0 on success. */
static int print_model(const char *label, const pdcost_model *model) {
    /* Versioned output structs: initialise with the _INIT macro (or pdcost_<struct>_init())
     * so the library knows the struct's size and version (it never writes past `size`).
     * Output parameters always come first. */
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    pdcost_status status = pdcost_model_param_counts(&counts, model);
    if (status != PDCOST_OK) return report("pdcost_model_param_counts", status);

    printf("%s\n", label);
    printf("  parameters  total %16" PRIu64 "   (%.2f B)\n", counts.total, counts.total / 1e9);
    printf("              active %15" PRIu64 "   (%.2f B)\n", counts.active, counts.active / 1e9);
    const struct { const char *name; uint64_t count; } parts[] = {
        {"embedding", counts.embedding},
        {"position_embedding", counts.position_embedding},
        {"attention", counts.attention},
        {"dense_mlp", counts.dense_mlp},
        {"routed_experts", counts.routed_experts},
        {"shared_experts", counts.shared_experts},
        {"router", counts.router},
        {"norms", counts.norms},
        {"lm_head", counts.lm_head},
        {"mtp (not in total)", counts.mtp},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i].count != 0) {
            printf("    %-20s %16" PRIu64 "\n", parts[i].name, parts[i].count);
        }
    }

    /* FLOPs per token at 8192 tokens, causal mask (FlashAttention skips the masked half). */
    const uint64_t sequence_length = 8192;
    pdcost_flops flops = PDCOST_FLOPS_INIT;
    status = pdcost_model_flops_per_token(&flops, model, sequence_length, PDCOST_MASK_CAUSAL);
    if (status != PDCOST_OK) return report("pdcost_model_flops_per_token", status);
    printf("  FLOPs/token at s=%" PRIu64 " (causal): forward %.4g, training %.4g "
           "(matmul %.4g + attention %.4g forward)\n",
           sequence_length, flops.forward, flops.training, flops.matmul_forward,
           flops.attention_forward);
    return 0;
}

/* Progress of a long call (search, fit, GPU calibration: one callback type, set in the
 * options struct). Called on this thread every few milliseconds and once at the end.
 * Returning nonzero would stop the search early (a scheduler's deadline, say): it then
 * returns PDCOST_ECANCELED with the plans found so far. */
static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    (void)user;
    fprintf(stderr, "\r%s: %" PRIu64 "/%" PRIu64 " work units", stage, done, total);
    if (done == total) fputc('\n', stderr);
    return 0;
}

/* 4. The training cost model: one handle per (model, cluster, setup), then any number of
 * plans priced (allocation-free, thread-safe) or searched. */
static int plan_and_search(const pdcost_gpu_spec *gpu) {
    pdcost_model *model = NULL;
    pdcost_status status = pdcost_model_from_preset(&model, "llama3-70b");
    if (status != PDCOST_OK) return report("pdcost_model_from_preset", status);

    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    cluster.gpu = *gpu;
    cluster.num_gpus = 64;                   /* gpus_per_node 0: the GPU's node size (8) */
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 8192;
    setup.global_batch_size = 512;           /* sequences per optimizer step */
    setup.framework = PDCOST_FRAMEWORK_MEGATRON;

    pdcost_cost_model *cost = NULL;
    /* options NULL: no calibration profile (pdcost_cost_model_options carries one). */
    status = pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL);
    pdcost_model_free(model);                /* the cost model keeps its own copy */
    if (status != PDCOST_OK) return report("pdcost_cost_model_create", status);

    /* One plan: TP4 (with sequence parallelism) x PP4 x DP4, distributed optimizer. */
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.tp = 4;
    plan.pp = 4;
    plan.dp = 4;
    plan.sequence_parallel = 1;
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    status = pdcost_cost_model_predict(&p, cost, &plan);
    if (status != PDCOST_OK) {
        pdcost_cost_model_free(cost);
        return report("pdcost_cost_model_predict", status);
    }
    printf("llama3-70b tp4 pp4 dp4 sp: step %.2f s (bubble %.2f s, exposed comm %.2f s), "
           "MFU %.1f %%, %.0f tokens/s/GPU, %.1f GiB allocated%s\n",
           p.step_time_s, p.bubble_time_s, p.exposed_comm_time_s, 100 * p.mfu,
           p.tokens_per_second_per_gpu, p.allocated_bytes / (1024.0 * 1024.0 * 1024.0),
           p.fits_memory ? "" : " (does not fit)");

    /* Price a run at that throughput (1.5): 1.4e12 tokens on these 64 GPUs at $2 per GPU-hour;
     * energy at the GPU's board power, the default power fraction (1.0) and PUE (1.2).
     * pdcost_cost_model_trace(&json, cost, &plan) would give the step as a Perfetto trace. */
    pdcost_run_plan_inputs run_inputs = PDCOST_RUN_PLAN_INPUTS_INIT;
    run_inputs.gpus = cluster.num_gpus;
    run_inputs.tokens_per_second = p.tokens_per_second;
    run_inputs.tokens = 1.4e12;
    run_inputs.price_per_gpu_hour = 2.0;
    run_inputs.board_power_w = gpu->tdp_watts;
    pdcost_run_plan run = PDCOST_RUN_PLAN_INIT;
    status = pdcost_plan_run(&run, &run_inputs);
    if (status != PDCOST_OK) {
        pdcost_cost_model_free(cost);
        return report("pdcost_plan_run", status);
    }
    printf("  1.4e12 tokens: %.1f days, %.0f GPU-hours, $%.0f, %.1f MWh\n", run.days, run.gpu_hours,
           run.cost, run.energy_mwh);

    /* Every plan: the defaults search tp, pp (even and uneven splits), vpp, cp, ZeRO, SP,
     * micro-batch sizes and recomputation; keep the 3 fastest that fit. */
    pdcost_search_options options = PDCOST_SEARCH_OPTIONS_INIT;
    options.top_k = 3;
    options.progress = on_progress;
    options.user = NULL;
    pdcost_search_result *result = NULL;
    status = pdcost_search_run(&result, cost, &options);
    pdcost_cost_model_free(cost);            /* the result does not borrow it */
    if (status != PDCOST_OK) {
        /* PDCOST_ECANCELED (progress said stop) still hands over a partial result: free it. */
        int failed = report("pdcost_search_run", status);
        pdcost_search_result_free(result);
        return failed;
    }

    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    status = pdcost_search_result_stats(&stats, result);
    if (status != PDCOST_OK) {
        pdcost_search_result_free(result);
        return report("pdcost_search_result_stats", status);
    }
    printf("searched %" PRIu64 " plans (%" PRIu64 " fit) in %.1f ms on %u threads\n",
           stats.evaluated, stats.feasible, 1e3 * stats.elapsed_s, stats.threads);
    for (size_t i = 0; i < pdcost_search_result_count(result); i++) {
        pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
        status = pdcost_search_result_get(&e, result, i);
        if (status != PDCOST_OK) {
            pdcost_search_result_free(result);
            return report("pdcost_search_result_get", status);
        }
        /* first/last_stage_layers 0: an even pipeline split. */
        printf("  #%zu tp%u pp%u (first %u, last %u layers) vpp%u cp%u dp%u mbs%u recompute %d: "
               "%.0f tokens/s/GPU, MFU %.1f %%, %.1f GiB\n",
               i + 1, e.plan.tp, e.plan.pp, e.plan.first_stage_layers, e.plan.last_stage_layers,
               e.plan.vpp, e.plan.cp, e.plan.dp, e.micro_batch_size, (int)e.recompute,
               e.prediction.tokens_per_second_per_gpu, 100 * e.prediction.mfu,
               e.peak_allocated_bytes / (1024.0 * 1024.0 * 1024.0));
    }
    if (pdcost_search_result_count(result) == 0) {
        printf("  nothing fits: %s\n", pdcost_search_result_explanation(result));
    }
    pdcost_search_result_free(result);
    return 0;
}

int main(int argc, char **argv) {
    const char *config_path = argc > 1 ? argv[1] : PDCOST_EXAMPLE_CONFIG;

    /* 1. Header and library must agree (the SONAME guards the ABI; this guards the version). */
    printf("pdcost header %s, library %s (ABI %d)\n", PDCOST_VERSION_STRING,
           pdcost_version_string(), pdcost_abi_version());
    if (pdcost_version_major() != PDCOST_VERSION_MAJOR ||
        pdcost_version_minor() != PDCOST_VERSION_MINOR) {
        fprintf(stderr, "library version %s does not match header %s\n", pdcost_version_string(),
                PDCOST_VERSION_STRING);
        return 1;
    }

    /* 2a. A built-in preset. The handle is ours: free it with pdcost_model_free. */
    pdcost_model *preset = NULL;
    pdcost_status status = pdcost_model_from_preset(&preset, "llama3-70b");
    if (status != PDCOST_OK) return report("pdcost_model_from_preset(\"llama3-70b\")", status);
    int failed = print_model("preset llama3-70b", preset);
    pdcost_model_free(preset);
    if (failed) return 1;

    /* 2b. A Hugging Face config.json from disk (pdcost_model_from_json takes a buffer). */
    pdcost_model *from_file = NULL;
    status = pdcost_model_from_file(&from_file, config_path);
    if (status != PDCOST_OK) return report("pdcost_model_from_file", status);
    failed = print_model(config_path, from_file);
    pdcost_model_free(from_file);
    if (failed) return 1;

    /* 3. A GPU preset, by name or alias. */
    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    status = pdcost_gpu_from_name(&gpu, "H100-80GB-HBM3");
    if (status != PDCOST_OK) return report("pdcost_gpu_from_name", status);
    printf("GPU %s: %.0f GiB, %.0f TFLOP/s BF16 dense, HBM %.2f TB/s, NVLink %.0f GB/s\n", gpu.name,
           gpu.memory_bytes / (1024.0 * 1024.0 * 1024.0), gpu.bf16_flops / 1e12,
           gpu.hbm_bandwidth / 1e12, gpu.nvlink_bandwidth / 1e9);

    if (plan_and_search(&gpu) != 0) return 1;

    /* 5. The error path: an unknown preset. The out-parameter is left untouched. */
    pdcost_model *unknown = NULL;
    status = pdcost_model_from_preset(&unknown, "llama-9000");
    if (status == PDCOST_OK) {
        fprintf(stderr, "expected an error for an unknown preset\n");
        pdcost_model_free(unknown);
        return 1;
    }
    printf("expected error: %s: %s\n", pdcost_status_name(status), pdcost_last_error());
    return 0;
}
