/*
 * example.c: using libpdcost from C, the way a cluster scheduler would.
 *
 *   example [config.json]
 *
 * 1. checks that the library matches the header this program was compiled against;
 * 2. loads a built-in preset and a Hugging Face config.json, and prints total/active
 *    parameters, the per-component breakdown and FLOPs per token;
 * 3. looks up a GPU;
 * 4. shows the error path: an unknown preset gives a status and a message.
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
    /* Versioned output structs: initialise with the _INIT macro so the library knows the
     * struct's size and version (it never writes past `size`). */
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    pdcost_status status = pdcost_model_param_counts(model, &counts);
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
    status = pdcost_model_flops_per_token(model, sequence_length, PDCOST_MASK_CAUSAL, &flops);
    if (status != PDCOST_OK) return report("pdcost_model_flops_per_token", status);
    printf("  FLOPs/token at s=%" PRIu64 " (causal): forward %.4g, training %.4g "
           "(matmul %.4g + attention %.4g forward)\n",
           sequence_length, flops.forward, flops.training, flops.matmul_forward,
           flops.attention_forward);
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
    status = pdcost_gpu_from_name("H100-80GB-HBM3", &gpu);
    if (status != PDCOST_OK) return report("pdcost_gpu_from_name", status);
    printf("GPU %s: %.0f GiB, %.0f TFLOP/s BF16 dense, HBM %.2f TB/s, NVLink %.0f GB/s\n", gpu.name,
           gpu.memory_bytes / (1024.0 * 1024.0 * 1024.0), gpu.bf16_flops / 1e12,
           gpu.hbm_bandwidth / 1e12, gpu.nvlink_bandwidth / 1e9);

    /* 4. The error path: an unknown preset. The out-parameter is left untouched. */
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
