/*
 * pdcost.h: the C interface of libpdcost, a cost model for distributed LLM training and serving.
 *
 * This header is the contract. Everything a C or C++ caller may rely on is declared and
 * documented here; anything not declared here is not API.
 *
 * ---------------------------------------------------------------------------------------------
 * Versioning
 *   - Compile time: PDCOST_VERSION_MAJOR/MINOR/PATCH and PDCOST_VERSION_STRING below.
 *   - Run time: pdcost_version_major() etc. return the library's values; compare them with the
 *     macros to detect a header/library mismatch (the Python extension does this at import).
 *   - PDCOST_ABI_VERSION is the SONAME number (libpdcost.so.<ABI>). It changes only when an
 *     existing function or struct layout changes incompatibly.
 *   - Every struct that crosses the boundary starts with `uint32_t size; uint32_t version;`.
 *     Initialise it with its _INIT macro, or (from languages without the preprocessor: ctypes,
 *     cffi, Rust, Go) with its pdcost_<struct>_init() function, which writes the same values.
 *     The library reads and writes only the first `size` bytes, so a caller compiled against
 *     an older, smaller struct keeps working when fields are appended; a `version` newer than
 *     the library knows, or a `size` too small to hold version 1 of the struct, is rejected
 *     with PDCOST_EVERSION.
 *   - The experimental section at the end (GPU calibration) may change in a minor release.
 *     Everything else follows semantic versioning: CHANGELOG.md lists every change.
 *
 * Calling conventions
 *   - Output parameters come first: `pdcost_X(out, inputs...)`, for creators
 *     (`pdcost_model **out_model`), structs the library fills (`pdcost_prediction *out`) and
 *     strings it allocates (`char **out_json`) alike.
 *   - Optional behaviour is an options struct (`const pdcost_*_options *`, NULL = defaults),
 *     never a twin function or a flags argument.
 *   - Long calls (plan search, fit, GPU calibration) take their progress callback in their
 *     options struct: `progress` and `user`, the struct's last two fields, of the one type
 *     pdcost_progress_fn. Returning nonzero from it stops the call, which then returns
 *     PDCOST_ECANCELED.
 *
 * Errors
 *   Every function that can fail returns a pdcost_status. PDCOST_OK is 0. On failure,
 *   pdcost_last_error() returns a message naming the field and the value at fault, e.g.
 *   "hidden_size=-1 must be >= 1". The message is thread-local, never NULL, owned by the
 *   library, and valid until the next pdcost call on the same thread. Out-parameters are left
 *   untouched on failure unless documented otherwise. No input makes the library abort the
 *   process: bad pointers aside, every invalid input is reported through the status.
 *
 * Memory
 *   - Handles (pdcost_model) are created by pdcost_*_create/_from_* functions and released with
 *     their _free function; _free(NULL) is a no-op.
 *   - Strings returned through `char **out` are allocated by the library and must be released
 *     with pdcost_string_free(); never with free().
 *   - `const char *` results not returned through an out-pointer (version string, status names,
 *     the error message) are owned by the library; do not free them.
 *   - Input strings are borrowed for the duration of the call only.
 *   - JSON inputs (model configs, measured-runs files, calibration profiles) are at most
 *     PDCOST_MAX_JSON_BYTES (64 MiB) and PDCOST_MAX_JSON_DEPTH (64) levels deep; larger or
 *     deeper documents fail with PDCOST_EINVAL or PDCOST_EPARSE before they are parsed.
 *
 * JSON input
 *   Every JSON input (model configs, measured-runs files, calibration profiles, settings
 *   objects) is strict RFC 8259 JSON in UTF-8 without a byte order mark: no comments, no
 *   trailing commas, no NaN/Infinity, no number beyond the range of a double. A syntax error
 *   fails with PDCOST_EPARSE and its position, e.g. "model config: invalid JSON at line 12,
 *   column 7: expected ',' or '}' after an object member" (lines and columns count from 1,
 *   columns in characters). A key repeated within one object is rejected with PDCOST_EPARSE,
 *   naming its path and both positions ("duplicate key 'text_config.hidden_size' at line 9,
 *   column 5 (first at line 4, column 5)"): readers disagree on which value wins (Python's
 *   json and Hugging Face keep the last, others the first), so pdcost accepts neither.
 *
 * JSON output
 *   Every JSON document the library writes is valid JSON (RFC 8259). Numbers that are results
 *   are written exactly: an integral value below 10^15 as an integer, any other as the
 *   shortest decimal that reads back as the same double, so a prediction parsed from
 *   pdcost_cost_model_predict_json equals the pdcost_prediction bit for bit. A number is never
 *   written as inf or nan: in a result document (a prediction, a search result, a validation,
 *   analysis or calibration report) a derived quantity that overflowed is written as null and
 *   the document gains a top-level "warnings" array of strings, one naming each such field
 *   ("results[0].prediction.step_time_s is not a finite number (inf); written as null"); the
 *   key is absent when there is nothing to warn about. A document that echoes input (a model,
 *   a profile, the preset tables) is not written at all: the call fails with PDCOST_EINVAL
 *   naming the field. Keys may be added to any document in later versions, never removed.
 *
 * Threads
 *   All functions may be called from any thread. A handle is immutable after creation, so one
 *   handle may be shared by any number of threads at once; distinct handles are independent.
 *   The error message is per thread.
 *   No library thread outlives a call: the worker threads of a search are started and joined
 *   by that call, and callbacks run on the calling thread. So between calls a process may
 *   fork (the child may call the library, multi-threaded searches included) and may dlclose
 *   the library. (pdcost_gpu_calibrate loads the CUDA libraries, which keep threads of their
 *   own and are never unloaded; CUDA itself does not work in a forked child.) A path argument
 *   must name a regular file: a FIFO, directory or device fails with PDCOST_EIO at once
 *   ("... is a FIFO, not a regular file"), without blocking.
 *
 * Units
 *   Counts are exact integers; FLOPs are doubles; memory in bytes unless a name says GiB;
 *   bandwidth in bytes per second; time in seconds.
 * ---------------------------------------------------------------------------------------------
 */
#ifndef PDCOST_H
#define PDCOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PDCOST_VERSION_MAJOR 1
#define PDCOST_VERSION_MINOR 9
#define PDCOST_VERSION_PATCH 0
#define PDCOST_VERSION_STRING "1.9.0"
#define PDCOST_ABI_VERSION 1

/* ----------------------------------------------------------------------------------------- */
/* Status and errors                                                                          */
/* ----------------------------------------------------------------------------------------- */

typedef enum pdcost_status {
    PDCOST_OK = 0,
    PDCOST_EINVAL = 1,       /* invalid argument: NULL pointer, value out of range, bad enum  */
    PDCOST_EPARSE = 2,       /* malformed JSON, not UTF-8, a JSON value of the wrong type      */
    PDCOST_ENOTFOUND = 3,    /* unknown preset name (the message lists the known ones)         */
    PDCOST_EUNSUPPORTED = 4, /* valid but not modelled, e.g. an unknown `architectures` entry  */
    PDCOST_EVERSION = 5,     /* struct size/version not understood by this library            */
    PDCOST_EINFEASIBLE = 6,  /* a parallel plan violates a constraint of the model or cluster  */
    PDCOST_ENODEVICE = 7,    /* no GPU, driver or CUDA library available                       */
    PDCOST_EIO = 8,          /* a file could not be read or written                            */
    PDCOST_ECANCELED = 9,    /* a progress callback asked a long operation to stop             */
    PDCOST_EINTERNAL = 99    /* a bug in pdcost; please report it with the message             */
} pdcost_status;

/* The message of the last failed call on this thread ("" after a success). Never NULL. */
const char *pdcost_last_error(void);

/* A stable name for a status, e.g. "PDCOST_EINVAL"; "PDCOST_UNKNOWN" for other values. */
const char *pdcost_status_name(pdcost_status status);

/* ----------------------------------------------------------------------------------------- */
/* Version                                                                                    */
/* ----------------------------------------------------------------------------------------- */

int pdcost_version_major(void);
int pdcost_version_minor(void);
int pdcost_version_patch(void);
int pdcost_abi_version(void);
/* e.g. "1.0.0"; library-owned. */
const char *pdcost_version_string(void);

/* Frees a string returned by the library through a `char **` out-parameter. NULL is a no-op. */
void pdcost_string_free(char *string);

/* Progress of a long call. `stage` says what is being done ("search", "gemm bf16
 * 8192x8192x8192", "fit: cross-validation", ...; library-owned, valid during the call),
 * `done` of `total` units of work. Called on the calling thread, and once more with done ==
 * total at the end. Return nonzero to stop: the call returns PDCOST_ECANCELED. */
typedef int (*pdcost_progress_fn)(void *user, const char *stage, uint64_t done, uint64_t total);

/* ----------------------------------------------------------------------------------------- */
/* Limits                                                                                     */
/* ----------------------------------------------------------------------------------------- */

/* Every integer input is bounded by one table in the library (sequence length, batch sizes,
 * GPUs, parallel degrees, model sizes, JSON documents, search lists). Every function checks
 * against it and quotes the range in its message, e.g. "setup->seq_len=0 must be in
 * [1, 2^31]". The bounds keep every product the model forms finite (integers exact below
 * 2^53 in a double, 2^63 in int64); real jobs sit far inside them. Minima are 1 unless stated.
 * These macros repeat the maxima for compile time; pdcost_limits_json returns the whole table
 * (a test holds the two equal). */
#define PDCOST_LIMITS_VERSION 1
#define PDCOST_MAX_SEQ_LEN 2147483648u          /* 2^31 tokens: seq_len, sequence_length      */
#define PDCOST_MAX_MICRO_BATCH_SIZE 1048576u    /* 2^20 sequences                              */
#define PDCOST_MAX_GLOBAL_BATCH_SIZE 2147483648u /* 2^31 sequences per optimizer step          */
#define PDCOST_MAX_NUM_GPUS 16777216u           /* 2^24 GPUs                                   */
#define PDCOST_MAX_GPUS_PER_NODE 16777216u      /* 2^24 GPUs per NVLink domain                 */
#define PDCOST_MAX_PARALLEL_DEGREE 16777216u    /* 2^24: tp, pp, vpp, dp, cp, ep, etp          */
#define PDCOST_MAX_MODEL_DIMENSION 16777216u    /* 2^24: layers, widths, heads, experts, vocab */
#define PDCOST_MAX_RECOMPUTE_NUM_LAYERS 16777216u /* 2^24; also <= the model's layers          */
#define PDCOST_MAX_JSON_BYTES 67108864u         /* 64 MiB per JSON input (0 minimum)           */
#define PDCOST_MAX_JSON_DEPTH 64u               /* nesting levels per JSON input               */

/* The whole limits table as JSON: {"version": PDCOST_LIMITS_VERSION, "limits": {name:
 * {"minimum", "maximum" (integers, inclusive), "range" (as messages quote it, "[1, 2^31]"),
 * "unit", "fields" (the inputs it bounds), "why" (one line)}}}. Names include "seq_len",
 * "micro_batch_size", "global_batch_size", "num_gpus", "gpus_per_node", "parallel_degree",
 * "zero_stage", "recompute_num_layers", "stage_layers", "num_hidden_layers", "hidden_size",
 * "num_attention_heads", "num_experts", "vocab_size", "model_dimension", "parameters",
 * "json_bytes", "json_depth", "search_list" (= PDCOST_SEARCH_MAX_LIST), "search_top_k",
 * "search_threads", "vary_settings_keys", "serving_sequences", "serving_requests" (1.1),
 * "lora_rank" (1.3), "trace_blocks" (1.5); a later
 * version may add names. Free *out_json with
 * pdcost_string_free. */
pdcost_status pdcost_limits_json(char **out_json);

/* ----------------------------------------------------------------------------------------- */
/* Models                                                                                     */
/* ----------------------------------------------------------------------------------------- */

/* An analysed model architecture. Immutable; share freely across threads. */
typedef struct pdcost_model pdcost_model;

/* Creates a model from a built-in preset, e.g. "llama3-70b", "qwen3-30b-a3b", "deepseek-v3".
 * Unknown names fail with PDCOST_ENOTFOUND and a message listing the presets.
 * On success *out_model owns a new handle; release it with pdcost_model_free(). */
pdcost_status pdcost_model_from_preset(pdcost_model **out_model, const char *name);

/* Creates a model from a Hugging Face config.json document (or pdcost's canonical model JSON,
 * see pdcost_model_to_json). `json` need not be NUL-terminated; `length` is its size in bytes.
 * Supported `architectures`: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM,
 * Qwen3ForCausalLM, Qwen3MoeForCausalLM, MixtralForCausalLM, DeepseekV3ForCausalLM,
 * GPT2LMHeadModel, NemotronForCausalLM. Without `architectures`, `model_type` decides. */
pdcost_status pdcost_model_from_json(pdcost_model **out_model, const char *json, size_t length);

/* Reads a config.json file and creates a model from it (PDCOST_EIO if it cannot be read). */
pdcost_status pdcost_model_from_file(pdcost_model **out_model, const char *path);

/* Releases a model. NULL is a no-op. */
void pdcost_model_free(pdcost_model *model);

/* The model's canonical JSON: Hugging Face field names plus pdcost's explicit keys
 * (mlp_type, norm_type, qkv_bias, attention_out_bias, qk_norm). Feeding it back to
 * pdcost_model_from_json gives an identical model. Free *out_json with pdcost_string_free. */
pdcost_status pdcost_model_to_json(char **out_json, const pdcost_model *model);

/* The names of the built-in model presets as a JSON array of strings. Free with
 * pdcost_string_free. */
pdcost_status pdcost_model_preset_names(char **out_json);

/* Parameter counts. Exact; follow the Hugging Face implementation of the architecture.
 * `total` excludes multi-token-prediction (MTP) blocks, as published model sizes do. */
typedef struct pdcost_param_counts {
    uint32_t size;
    uint32_t version;
    uint64_t total;              /* all parameters of the main model                           */
    uint64_t active;             /* parameters one token uses (MoE: top-k routed experts only) */
    uint64_t embedding;          /* input embedding V*h                                        */
    uint64_t position_embedding; /* learned absolute positions (GPT-2)                         */
    uint64_t attention;          /* attention blocks, all layers                                */
    uint64_t dense_mlp;          /* feed-forward blocks of dense layers                         */
    uint64_t routed_experts;     /* routed experts, all MoE layers                              */
    uint64_t shared_experts;     /* shared experts (and their gates), all MoE layers            */
    uint64_t router;             /* MoE routers                                                 */
    uint64_t norms;              /* normalisation vectors                                       */
    uint64_t lm_head;            /* output projection; 0 when tied to the embedding            */
    uint64_t mtp;                /* multi-token-prediction blocks (not in total)               */
    /* Version 2 (1.6): */
    uint64_t moe_latent_projections; /* LatentMoE h<->latent projections, all MoE layers       */
} pdcost_param_counts;

#define PDCOST_PARAM_COUNTS_VERSION 2
#define PDCOST_PARAM_COUNTS_INIT {sizeof(pdcost_param_counts), PDCOST_PARAM_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* Fills *out (whose size/version the caller set, e.g. with PDCOST_PARAM_COUNTS_INIT). */
pdcost_status pdcost_model_param_counts(pdcost_param_counts *out, const pdcost_model *model);

typedef enum pdcost_attention_mask {
    /* Causal mask with a kernel that skips the masked half (FlashAttention): attention core
     * FLOPs are half the full s*s product. pdcost's default. */
    PDCOST_MASK_CAUSAL = 0,
    /* The full s*s product: the 12*L*s*d_attn training term of Narayanan et al. 2021. */
    PDCOST_MASK_FULL = 1
} pdcost_attention_mask;

/* FLOPs per token of one sequence of `sequence_length` tokens. Matmuls cost 2 FLOPs per
 * weight per token forward (routed experts: top-k only; the LM head included, the embedding
 * lookup not); the backward pass costs 2x the forward, so training = 3 x forward. */
typedef struct pdcost_flops {
    uint32_t size;
    uint32_t version;
    uint64_t matmul_parameters;  /* weights a token multiplies with                              */
    double matmul_forward;       /* 2 * matmul_parameters                                        */
    double attention_forward;    /* attention core (QK^T and scores*V) at this length and mask  */
    double forward;              /* matmul_forward + attention_forward                          */
    double training;             /* 3 * forward: model FLOPs per token (MFU numerator)          */
} pdcost_flops;

#define PDCOST_FLOPS_VERSION 1
#define PDCOST_FLOPS_INIT {sizeof(pdcost_flops), PDCOST_FLOPS_VERSION, 0, 0.0, 0.0, 0.0, 0.0}

/* Fills *out for the given sequence length (>= 1) and mask. */
pdcost_status pdcost_model_flops_per_token(pdcost_flops *out, const pdcost_model *model,
                                           uint64_t sequence_length, pdcost_attention_mask mask);

/* The full analysis as JSON, at `sequence_length` (1 .. PDCOST_MAX_SEQ_LEN), for both attention masks:
 *   { "name": "llama3-8b",
 *     "config": { the canonical model JSON of pdcost_model_to_json },
 *     "parameters": { "total": N, "active": N, "total_with_mtp": N,
 *                     "components": { "embedding", "position_embedding", "attention",
 *                                     "dense_mlp", "routed_experts", "shared_experts",
 *                                     "router", "moe_latent_projections", "norms", "lm_head",
 *                                     "mtp": N } },
 *     "flops_per_token": { "sequence_length": s,
 *                          "causal": { FLOPS }, "full": { FLOPS } },
 *     "warnings": [ "<key>: why it is not priced", ... ] }
 * where { FLOPS } = { "matmul_parameters", "matmul_forward", "attention_forward", "forward",
 * "training" }, the fields of pdcost_flops; "warnings" lists the config keys the loader read but
 * could not price (unknown keys, quantisation methods, vision encoders; empty for presets).
 * Keys may be added in later versions, never removed. Free with pdcost_string_free. */
pdcost_status pdcost_model_analysis_json(char **out_json, const pdcost_model *model,
                                         uint64_t sequence_length);

/* ----------------------------------------------------------------------------------------- */
/* GPUs                                                                                       */
/* ----------------------------------------------------------------------------------------- */

/* A GPU's architecture: decides the default efficiencies and the reference part a custom GPU
 * is completed from. Never read from the name. */
typedef enum pdcost_gpu_architecture {
    PDCOST_GPU_ARCH_UNKNOWN = 0,   /* complete it from the preset the name matches            */
    PDCOST_GPU_ARCH_VOLTA = 1,     /* sm_70: V100                                             */
    PDCOST_GPU_ARCH_AMPERE = 2,    /* sm_80/86: A100, A800                                    */
    PDCOST_GPU_ARCH_ADA = 3,       /* sm_89: L40S, RTX 4090                                   */
    PDCOST_GPU_ARCH_HOPPER = 4,    /* sm_90: H100, H800, H20, H200                            */
    PDCOST_GPU_ARCH_BLACKWELL = 5, /* sm_100/120: B200, GB200                                 */
    PDCOST_GPU_ARCH_BLACKWELL_ULTRA = 6 /* sm_103: B300, GB300 (since 1.9.0)                  */
} pdcost_gpu_architecture;

/* A yes/no property that may be unknown (then completed like a number of 0). */
typedef enum pdcost_gpu_capability {
    PDCOST_GPU_CAPABILITY_UNKNOWN = 0,
    PDCOST_GPU_CAPABILITY_NO = 1,
    PDCOST_GPU_CAPABILITY_YES = 2
} pdcost_gpu_capability;

/* A GPU's datasheet numbers (dense, i.e. without 2:4 sparsity). In a preset a peak of 0 means
 * the part has no such unit (e.g. no FP8 on A100). In a GPU the caller fills in by hand, any
 * number left at 0 is *unknown* and is completed (pdcost_gpu_complete, and every cluster built
 * from it): from the preset the name matches, else from the architecture's reference part.
 * `architecture`, `supports_fp8` and `supports_fp4` hold the enums above (unknown = 0, also
 * completed). */
typedef struct pdcost_gpu_spec {
    uint32_t size;
    uint32_t version;
    char name[64];                   /* canonical preset name, NUL-terminated                 */
    double memory_bytes;             /* HBM capacity                                          */
    double fp32_flops;               /* peak FLOP/s, FP32 (non-tensor)                        */
    double tf32_flops;               /* peak FLOP/s, TF32 tensor core                         */
    double fp16_flops;               /* peak FLOP/s, FP16 tensor core                         */
    double bf16_flops;               /* peak FLOP/s, BF16 tensor core; 0 if none (V100)       */
    double fp8_flops;                /* peak FLOP/s, FP8 tensor core; 0 if none               */
    double hbm_bandwidth;            /* bytes/s                                               */
    double nvlink_bandwidth;         /* bytes/s per GPU, one direction                        */
    double network_bandwidth;        /* bytes/s per GPU to other nodes (typical NIC), one way */
    double pcie_bandwidth;           /* bytes/s host<->device, one direction                  */
    double tdp_watts;
    uint32_t gpus_per_node;          /* GPUs in one NVLink domain of the usual system (8; 72 for GB200 NVL72) */
    uint8_t architecture;            /* a pdcost_gpu_architecture                             */
    uint8_t supports_fp8;            /* a pdcost_gpu_capability: FP8 tensor cores             */
    uint8_t supports_fp4;            /* a pdcost_gpu_capability: FP4 tensor cores             */
    uint8_t reserved;                /* 0                                                     */
} pdcost_gpu_spec;

#define PDCOST_GPU_SPEC_VERSION 1
#define PDCOST_GPU_SPEC_INIT {sizeof(pdcost_gpu_spec), PDCOST_GPU_SPEC_VERSION, {0}, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0, 0}

/* Looks up a GPU preset by name or alias (case-insensitive), e.g. "H100-SXM-80GB",
 * "H100-80GB-HBM3", "A100-SXM-80GB", "B200". PDCOST_ENOTFOUND lists the known names. */
pdcost_status pdcost_gpu_from_name(pdcost_gpu_spec *out, const char *name);

/* Completes a GPU whose caller left numbers out (0) or the architecture/capabilities unknown.
 * The caller's nonzero numbers and stated architecture/capabilities always win. The rest come
 * from, in order:
 *   1. the preset `in->name` matches: its canonical name or an alias (as pdcost_gpu_from_name),
 *      else its model family: the first hyphen/space-separated token after an HGX/DGX/GeForce/
 *      RTX prefix equals a preset's (e.g. "HGX-A100-80GB" -> A100-SXM-80GB), the preset sharing
 *      the most tokens with the name winning. A stated architecture other than the preset's
 *      discards the match;
 *   2. else the stated architecture's reference part (V100-SXM-32GB, A100-SXM-80GB, L40S,
 *      H100-SXM-80GB, B200, B300): its peaks scaled by the first stated peak (bf16, fp16, fp8, tf32,
 *      fp32) over the reference's, its memory, bandwidths, power and node size as they are.
 * FP8 is filled only for a part with FP8 tensor cores.
 * `out` (initialised with PDCOST_GPU_SPEC_INIT) receives the completed GPU, architecture and
 * capabilities known. `out_filled_json` may be NULL; otherwise it receives a JSON array listing
 * every value that was filled in, in field order:
 *   [{"field": "nvlink_bandwidth", "value": 2e11, "from": "preset H800-SXM-80GB"}, ...]
 * ("field" is a pdcost_gpu_spec field name; "value" a number, an architecture name such as
 * "hopper" for "architecture", or a boolean for "supports_fp8"/"supports_fp4"); free it with
 * pdcost_string_free. A GPU that cannot be completed (no preset matches its name and no
 * architecture is stated) fails with PDCOST_EINVAL and a message naming the field as
 * `in-><field>`, e.g. "in->nvlink_bandwidth=0 is unknown and no preset or architecture to fill
 * it from: ...". */
pdcost_status pdcost_gpu_complete(pdcost_gpu_spec *out, char **out_filled_json,
                                  const pdcost_gpu_spec *in);

/* The GPU presets as a JSON array of objects (name, aliases, architecture, supports_fp8,
 * supports_fp4, every number, and its source).
 * Free with pdcost_string_free. */
pdcost_status pdcost_gpu_presets_json(char **out_json);

/* ----------------------------------------------------------------------------------------- */
/* Training cost model                                                                        */
/* ----------------------------------------------------------------------------------------- */

typedef enum pdcost_dtype {
    PDCOST_DTYPE_BF16 = 0,
    PDCOST_DTYPE_FP16 = 1,
    PDCOST_DTYPE_FP8 = 2,  /* FP8 linear-layer GEMMs (Transformer Engine); the rest in BF16 */
    PDCOST_DTYPE_FP32 = 3
} pdcost_dtype;

typedef enum pdcost_recompute {
    PDCOST_RECOMPUTE_NONE = 0,
    PDCOST_RECOMPUTE_SELECTIVE = 1, /* core attention (Korthikanti et al. 2022, section 5)     */
    PDCOST_RECOMPUTE_FULL = 2       /* whole layers; see recompute_num_layers                 */
} pdcost_recompute;

/* What a training job trains (1.3). */
typedef enum pdcost_method {
    PDCOST_METHOD_PRETRAIN = 0, /* every parameter                                            */
    PDCOST_METHOD_SFT = 1,      /* supervised fine-tuning: every parameter, as pre-training   */
    PDCOST_METHOD_LORA = 2,     /* low-rank adapters on a frozen base (Hu et al. 2021)        */
    PDCOST_METHOD_QLORA = 3     /* LoRA over a 4-bit NF4 base (Dettmers et al. 2023)          */
} pdcost_method;

/* The linear layers of a decoder layer LoRA adapters target, as bits (Megatron names). */
#define PDCOST_LORA_QKV 1u           /* linear_qkv  (q_proj, k_proj, v_proj) */
#define PDCOST_LORA_PROJ 2u          /* linear_proj (o_proj)                 */
#define PDCOST_LORA_FC1 4u           /* linear_fc1  (gate_proj, up_proj)     */
#define PDCOST_LORA_FC2 8u           /* linear_fc2  (down_proj)              */
#define PDCOST_LORA_ALL 15u

/* Modules selective recomputation can drop (pdcost_training_setup.recompute_modules, since 1.6),
 * under Megatron-Core's names. */
#define PDCOST_RECOMPUTE_MODULE_CORE_ATTN 1u       /* core_attn: the attention core            */
#define PDCOST_RECOMPUTE_MODULE_MLA_UP_PROJ 2u     /* mla_up_proj: MLA up-projections          */
#define PDCOST_RECOMPUTE_MODULE_MOE_ACT 4u         /* moe_act: the routed experts' activation  */
#define PDCOST_RECOMPUTE_MODULE_MLP 8u             /* mlp: the dense MLP                       */
#define PDCOST_RECOMPUTE_MODULE_LAYERNORM 16u      /* layernorm: the input norms               */
#define PDCOST_RECOMPUTE_MODULE_MOE 32u            /* moe: the whole MoE block                 */
#define PDCOST_RECOMPUTE_MODULE_SHARED_EXPERTS 64u /* shared_experts                           */
#define PDCOST_RECOMPUTE_MODULE_ALL 127u

typedef enum pdcost_optimizer {
    PDCOST_OPTIMIZER_ADAMW = 0,
    PDCOST_OPTIMIZER_ADAM = 1,
    PDCOST_OPTIMIZER_SGD = 2,
    /* bitsandbytes AdamW8bit: moments in 8 bits, block-wise scales (since 1.4) */
    PDCOST_OPTIMIZER_ADAMW_8BIT = 3,
    /* bitsandbytes paged optimizers: states in CUDA unified memory, paged to the host under
     * pressure (since 1.4) */
    PDCOST_OPTIMIZER_PAGED_ADAMW = 4,
    PDCOST_OPTIMIZER_PAGED_ADAMW_8BIT = 5
} pdcost_optimizer;

/* The training framework decides which buffers exist, what overlaps and how the allocator
 * behaves; each profile applies that framework's own defaults. */
typedef enum pdcost_framework {
    PDCOST_FRAMEWORK_MEGATRON = 0,
    PDCOST_FRAMEWORK_NEMO = 1,
    PDCOST_FRAMEWORK_MEGATRON_BRIDGE = 2,
    PDCOST_FRAMEWORK_TORCHTITAN = 3,
    PDCOST_FRAMEWORK_DEEPSPEED = 4,
    PDCOST_FRAMEWORK_PADDLEFORMERS = 5,
    /* Since 1.4: NeMo AutoModel (FSDP2 + DTensor TP/CP/EP, Transformer Engine kernels). */
    PDCOST_FRAMEWORK_AUTOMODEL = 6,
    /* Since 1.4: Hugging Face Transformers Trainer + accelerate: DDP (zero_stage 0), FSDP
     * (fsdp = 1) or DeepSpeed ZeRO 1-3 (fsdp = 0); no tensor, pipeline, context or expert
     * parallelism. */
    PDCOST_FRAMEWORK_HF_TRAINER = 7
} pdcost_framework;

/* The machines: `num_gpus` GPUs of one kind, `gpus_per_node` of them per NVLink domain. */
typedef struct pdcost_cluster {
    uint32_t size;
    uint32_t version;
    pdcost_gpu_spec gpu;     /* from pdcost_gpu_from_name, or by hand (0 = unknown: completed as
                              * by pdcost_gpu_complete; the message names cluster->gpu.<field>) */
    uint32_t num_gpus;
    uint32_t gpus_per_node;  /* 0: the GPU preset's usual node size (gpu.gpus_per_node)        */
    /* Version 2 (1.4): each node's host, for optimizer/parameter offload (DeepSpeed
     * ZeRO-Offload, ZeRO-Infinity) and the host memory a plan needs. 0 = an NVIDIA DGX H100
     * node: 2 TiB, 614.4 GB/s (2 sockets x 8 DDR5-4800 channels), 25 GB/s NVMe, 4e9 CPU Adam
     * parameter updates per second. A version-1 caller gets those defaults. */
    double host_memory_bytes;          /* host DRAM per node                                   */
    double host_memory_bandwidth;      /* bytes/s per node; bounds the CPU optimizer step      */
    double nvme_bandwidth;             /* bytes/s per node, all drives                         */
    double cpu_adam_params_per_second; /* CPU Adam parameter updates per second per node       */
} pdcost_cluster;

#define PDCOST_CLUSTER_VERSION 2
#define PDCOST_CLUSTER_INIT {sizeof(pdcost_cluster), PDCOST_CLUSTER_VERSION, PDCOST_GPU_SPEC_INIT, 0, 0, \
    0.0, 0.0, 0.0, 0.0}

/* What is trained, independent of how it is split. */
typedef struct pdcost_training_setup {
    uint32_t size;
    uint32_t version;
    uint32_t seq_len;                /* tokens per sequence                                    */
    uint32_t micro_batch_size;       /* sequences per micro-batch                              */
    uint64_t global_batch_size;      /* sequences per optimizer step                           */
    pdcost_dtype dtype;
    pdcost_optimizer optimizer;
    pdcost_recompute recompute;
    uint32_t recompute_num_layers;   /* FULL only: layers recomputed per model chunk; 0 = all   */
    double optimizer_offload_ratio;  /* share of optimizer states kept in host memory, 0..1   */
    pdcost_framework framework;
    /* The framework's switches as a NUL-terminated JSON object, e.g.
     * {"tp_comm_overlap": true, "fp8_recipe": "mxfp8"}; keys and types are listed by
     * pdcost_framework_settings_fields_json. A key left out, or null, takes the framework's own
     * default; NULL or "" states none. Borrowed for the call. An unknown key or a bad value
     * fails with PDCOST_EINVAL naming it ("settings.fp8_recipe='x' is not one of ..."). */
    const char *settings_json;
    /* Version 2 (1.3): what is trained, and packing. A version-1 caller gets unpacked
     * pre-training. */
    pdcost_method method;
    uint32_t lora_rank;              /* adapter rank, LoRA/QLoRA only; 0 = 16                  */
    uint32_t lora_targets;           /* PDCOST_LORA_* bits, LoRA/QLoRA only; 0 = PDCOST_LORA_ALL */
    /* Sequence packing: mean tokens of the documents packed into a sequence; attention runs
     * within each document. 0 = unpacked (one document per sequence). */
    uint32_t packed_document_tokens;
    /* Version 3 (1.6): the modules PDCOST_RECOMPUTE_SELECTIVE recomputes, as
     * PDCOST_RECOMPUTE_MODULE_* bits (Megatron-Core `recompute_modules`); 0 = core attention,
     * Megatron-Core's default. Ignored by NONE and FULL. A version-1/2 caller gets 0. */
    uint32_t recompute_modules;
} pdcost_training_setup;

#define PDCOST_TRAINING_SETUP_VERSION 3
#define PDCOST_TRAINING_SETUP_INIT {sizeof(pdcost_training_setup), PDCOST_TRAINING_SETUP_VERSION, \
    0, 1, 0, PDCOST_DTYPE_BF16, PDCOST_OPTIMIZER_ADAMW, PDCOST_RECOMPUTE_NONE, 0, 0.0, PDCOST_FRAMEWORK_MEGATRON, NULL, \
    PDCOST_METHOD_PRETRAIN, 0, 0, 0, 0}

/* The framework settings a training setup can state, as a JSON array of
 * {"key", "type": "bool"|"number"|"integer"|"choice"|"string", "choices" (choice),
 *  "minimum"/"maximum" (number, integer), "summary", "defaults": {framework name: the value
 *  that framework's preset uses when the key is not stated, or null where it has no such
 *  switch}, "not_modelled": null or why the value changes no number yet}. The keys are those
 *  of the measured-runs `settings` object.
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_framework_settings_fields_json(char **out_json);

/* How the job is split. tp*pp*dp*cp must equal the cluster's GPU count; expert parallelism
 * is carved out of the data x context (x tensor, with etp) ranks as in Megatron-Core. */
typedef struct pdcost_plan {
    uint32_t size;
    uint32_t version;
    uint32_t tp;                  /* tensor parallel                                           */
    uint32_t pp;                  /* pipeline stages                                           */
    uint32_t vpp;                 /* virtual stages per pipeline rank (interleaved 1F1B); 1     */
    uint32_t dp;                  /* data parallel                                             */
    uint32_t cp;                  /* context parallel                                          */
    uint32_t ep;                  /* expert parallel                                           */
    uint32_t etp;                 /* expert tensor parallel; 0 = 1                              */
    uint32_t sequence_parallel;   /* 0 or 1 (Megatron SP with tp > 1)                           */
    uint32_t zero_stage;          /* 0 none, 1 optimizer states (distributed optimizer), 2, 3   */
    uint32_t fsdp;                /* 0 or 1: FSDP full sharding (torchtitan FSDP2)              */
    uint32_t first_stage_layers;  /* uneven pipeline: layers on the first stage; 0 = even       */
    uint32_t last_stage_layers;   /* uneven pipeline: layers on the last stage; 0 = even        */
} pdcost_plan;

#define PDCOST_PLAN_VERSION 1
#define PDCOST_PLAN_INIT {sizeof(pdcost_plan), PDCOST_PLAN_VERSION, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0}

/* Kinds of communication, the index into pdcost_prediction's comm arrays. */
typedef enum pdcost_comm_kind {
    PDCOST_COMM_TP = 0, /* tensor parallel all-reduce / all-gather + reduce-scatter           */
    PDCOST_COMM_CP = 1, /* context parallel K/V exchange                                       */
    PDCOST_COMM_EP = 2, /* expert parallel all-to-all                                          */
    PDCOST_COMM_PP = 3, /* pipeline point-to-point                                             */
    PDCOST_COMM_DP = 4, /* data parallel gradient reduction, parameter gathers, ZeRO-3/FSDP    */
    PDCOST_COMM_KINDS = 5
} pdcost_comm_kind;

/* A prediction. Times in seconds; memory in bytes, for the pipeline stage with the highest
 * peak. allocated = parameters + gradients + optimizer + activations + communication buffers
 * + temporary buffers (what torch.cuda.max_memory_allocated reports); reserved = allocated +
 * activation_buffer_pool (max_memory_reserved); total = reserved + framework_overhead (CUDA
 * context and libraries outside the caching allocator: what nvidia-smi shows).
 * The fields are those of pdcost_prediction_fields_json, in this order: the JSON documents
 * and the Python result use the same names (a test parses this declaration to check). */
typedef struct pdcost_prediction {
    uint32_t size;
    uint32_t version;
    double step_time_s;
    double compute_time_s;        /* computation on the critical path, recomputation included  */
    double bubble_time_s;         /* pipeline warm-up and cool-down                             */
    double recompute_time_s;      /* part of compute_time_s                                     */
    double optimizer_time_s;
    double offload_time_s;        /* host copies not hidden: offloaded optimizer states and
                                     parameters, paged states, offloaded activations (1.8)     */
    double host_overhead_time_s;  /* host work not hidden under GPU work (launches, logging)    */
    double comm_exposed_s[PDCOST_COMM_KINDS];    /* lengthens the step                          */
    double comm_overlapped_s[PDCOST_COMM_KINDS]; /* hidden under computation                    */
    double total_comm_time_s;     /* exposed + overlapped, all kinds                            */
    double exposed_comm_time_s;
    double mfu;                   /* model FLOPs (causal attention, no recompute) / peak        */
    double hfu;                   /* hardware FLOPs (with recompute) / peak                     */
    double tokens_per_second;
    double tokens_per_second_per_gpu;
    double micro_batches;         /* gradient accumulation steps                               */
    double parameter_bytes;
    double gradient_bytes;
    double optimizer_bytes;
    double activation_bytes;
    double communication_buffer_bytes;
    double temporary_buffer_bytes;
    double framework_overhead_bytes;
    double allocated_bytes;
    double reserved_bytes;
    double activation_buffer_pool_bytes;
    double total_bytes;
    double usable_memory_bytes;   /* what the allocator can use on this GPU                     */
    double first_stage_allocated_bytes; /* the first pipeline stage's peaks (= the above, pp 1) */
    double first_stage_reserved_bytes;
    double last_stage_allocated_bytes;  /* the last pipeline stage's peaks                       */
    double last_stage_reserved_bytes;
    uint32_t peak_stage;          /* 0-based pipeline stage of the memory figures               */
    uint32_t fits_memory;         /* 1 if the highest allocated peak over the pipeline stages is
                                     <= usable_memory_bytes: the caching allocator frees its
                                     cache and retries before it reports out of memory, so what
                                     must be live (allocated), not reserved, decides; since 1.4
                                     also the host memory per node of offloaded states
                                     (pdcost_host_prediction) <= the cluster's host memory     */
} pdcost_prediction;

#define PDCOST_PREDICTION_VERSION 1
#define PDCOST_PREDICTION_INIT {sizeof(pdcost_prediction), PDCOST_PREDICTION_VERSION, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, \
    {0.0, 0.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 0.0, 0.0}, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0}

/* The prediction's fields as a JSON array, in struct order: [{"name": "step_time_s",
 * "unit": "s"|"bytes"|"1"|"tokens/s"|"count", "kind": "time"|"communication"|"ratio"|
 * "throughput"|"memory"|"stage"|"flag", "count": 1 (5 for the comm arrays, indexed by
 * pdcost_comm_kind), "summary"}]. Free *out_json with pdcost_string_free. */
pdcost_status pdcost_prediction_fields_json(char **out_json);

/* A cost model for one (model, cluster, training setup): built once, then prices any plan.
 * Immutable; share freely across threads. */
typedef struct pdcost_cost_model pdcost_cost_model;

/* Options of pdcost_cost_model_create. */
typedef struct pdcost_cost_model_options {
    uint32_t size;
    uint32_t version;
    /* A calibration profile (see "Calibration profiles") applied to the cluster's efficiency:
     * its scales and its absolute values both apply (the caller chose this cluster). NULL with
     * length 0 = the defaults. Borrowed for the call. */
    const char *profile_json;
    size_t profile_length;
} pdcost_cost_model_options;

#define PDCOST_COST_MODEL_OPTIONS_VERSION 1
#define PDCOST_COST_MODEL_OPTIONS_INIT {sizeof(pdcost_cost_model_options), PDCOST_COST_MODEL_OPTIONS_VERSION, NULL, 0}

/* Creates a cost model. `model` is borrowed (the cost model keeps its own copy); options may be
 * NULL (no profile). A setup that no plan could be priced under fails here with PDCOST_EINVAL
 * naming the field and value: a size outside the limits table (seq_len=0,
 * micro_batch_size=0, ...), a global batch that micro_batch_size does not divide,
 * recompute_num_layers beyond the model's layers. */
pdcost_status pdcost_cost_model_create(pdcost_cost_model **out_cost_model, const pdcost_model *model,
                                       const pdcost_cluster *cluster,
                                       const pdcost_training_setup *setup,
                                       const pdcost_cost_model_options *options);

/* Releases a cost model. NULL is a no-op. */
void pdcost_cost_model_free(pdcost_cost_model *cost_model);

/* Prices a plan. A plan that breaks a constraint (tp not dividing the heads, a GPU count that
 * does not add up, ...) fails with PDCOST_EINFEASIBLE and a message naming it; a plan that does
 * not fit in memory is not an error: it succeeds with fits_memory = 0. Allocation-free. */
pdcost_status pdcost_cost_model_predict(pdcost_prediction *out, const pdcost_cost_model *cost_model,
                                        const pdcost_plan *plan);

/* The same prediction as JSON: {"plan": {tp, pp, vpp, dp, cp, ep, etp, sequence_parallel,
 * zero_stage, fsdp, first_stage_layers, last_stage_layers}, "prediction": {the fields of
 * pdcost_prediction, comm_exposed_s / comm_overlapped_s as {"tp", "cp", "ep", "pp", "dp"},
 * host_overhead_time_s, first/last_stage_allocated/reserved_bytes}, "settings": {"framework",
 * "given": {the settings the setup stated}, "defaulted": {every other setting: the framework
 * default the prediction used, or null where it has none}}}. Free *out_json with
 * pdcost_string_free. */
pdcost_status pdcost_cost_model_predict_json(char **out_json, const pdcost_cost_model *cost_model,
                                             const pdcost_plan *plan);

/* The host side of a prediction (1.4): what optimizer and parameter offload cost, and the host
 * memory per node. Times in seconds over one step; the exposed parts are already in
 * pdcost_prediction's offload_time_s (copies, NVMe) and optimizer_time_s (the CPU step). */
typedef struct pdcost_host_prediction {
    uint32_t size;
    uint32_t version;
    double host_memory_per_node_bytes;  /* offloaded states, fp32 gradients, offloaded
                                           parameters and pinned buffers of the busiest stage's
                                           rank x the job's GPUs per node (DeepSpeed's
                                           estimators print this x 1.5)                        */
    double host_memory_capacity_bytes;  /* the cluster's host_memory_bytes                     */
    double gradient_copy_exposed_s;     /* 16-bit gradients to the host, beyond the backward   */
    double gradient_copy_overlapped_s;  /* ... hidden under the backward                       */
    double cpu_optimizer_s;             /* CPU Adam over the node's offloaded partitions       */
    double parameter_copy_s;            /* updated 16-bit partitions back to the GPU           */
    double nvme_optimizer_s;            /* optimizer states read from / written to NVMe        */
    double parameter_fetch_exposed_s;   /* offloaded parameters fetched for forward/backward  */
    double parameter_fetch_overlapped_s;
    uint32_t fits_host_memory;          /* 1 if host_memory_per_node_bytes <= capacity; the
                                           prediction's fits_memory includes it               */
    uint32_t reserved;                  /* 0                                                   */
} pdcost_host_prediction;

#define PDCOST_HOST_PREDICTION_VERSION 1
#define PDCOST_HOST_PREDICTION_INIT {sizeof(pdcost_host_prediction), PDCOST_HOST_PREDICTION_VERSION, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0}

/* The host side of the plan's prediction (as pdcost_cost_model_predict, same errors). */
pdcost_status pdcost_cost_model_predict_host(pdcost_host_prediction *out, const pdcost_cost_model *cost_model,
                                             const pdcost_plan *plan);

/* The framework settings a cost model prices under, as JSON: {"framework": name, "given":
 * {the settings its setup stated}, "defaulted": {every other setting: the framework default
 * the model uses, or null where the framework has no such switch}}. Free *out_json with
 * pdcost_string_free. */
pdcost_status pdcost_cost_model_settings_json(char **out_json, const pdcost_cost_model *cost_model);

/* ----------------------------------------------------------------------------------------- */
/* Serving (inference) cost model                                                  (since 1.1) */
/* ----------------------------------------------------------------------------------------- */

/* How the weights are stored (bytes per weight include block scales). */
typedef enum pdcost_weight_precision {
    PDCOST_WEIGHT_BF16 = 0,
    PDCOST_WEIGHT_FP16 = 1,
    PDCOST_WEIGHT_FP8 = 2,     /* FP8 E4M3, per-tensor/per-channel scales                      */
    PDCOST_WEIGHT_FP4 = 3,     /* NVFP4 (16-value blocks with an FP8 scale); needs FP4 cores   */
    PDCOST_WEIGHT_INT4_WO = 4  /* 4-bit weight-only (AWQ/GPTQ, group 128), 16-bit activations  */
} pdcost_weight_precision;

/* The KV cache's element format (vLLM --kv-cache-dtype). */
typedef enum pdcost_kv_cache_precision {
    PDCOST_KV_CACHE_BF16 = 0,
    PDCOST_KV_CACHE_FP16 = 1,
    PDCOST_KV_CACHE_FP8 = 2
} pdcost_kv_cache_precision;

/* The serving engine: its defaults and its rules (memory fraction, KV admission, host work). */
typedef enum pdcost_serving_engine {
    PDCOST_ENGINE_VLLM = 0,
    PDCOST_ENGINE_SGLANG = 1,
    PDCOST_ENGINE_TENSORRT_LLM = 2,
    PDCOST_ENGINE_PYTORCH = 3         /* eager PyTorch loop (pdcost.bench serve): static_batch only, 1.5 */
} pdcost_serving_engine;

/* How requests arrive (the benchmark harnesses' scenarios). */
typedef enum pdcost_serving_scenario {
    PDCOST_SCENARIO_STATIC_BATCH = 0,             /* batch_size requests prefilled, then decoded */
    PDCOST_SCENARIO_OFFLINE_MAX_THROUGHPUT = 1,   /* all queued at once (num_requests, 0: any)   */
    PDCOST_SCENARIO_ONLINE_FIXED_CONCURRENCY = 2, /* closed loop: concurrency in flight          */
    PDCOST_SCENARIO_ONLINE_REQUEST_RATE = 3,      /* open loop: Poisson arrivals at request_rate */
    PDCOST_SCENARIO_BURST_ALL_AT_ONCE = 4         /* num_requests sent at once to a server       */
} pdcost_serving_scenario;

/* How one model is deployed: one engine replica spans tp x pp GPUs (TP inside one node), and
 * `replicas` of them serve disjoint requests; the cluster (pdcost_cluster) must hold
 * tp*pp*replicas GPUs. */
typedef struct pdcost_serving_deployment {
    uint32_t size;
    uint32_t version;
    uint32_t tp;                       /* tensor parallel, <= cluster gpus_per_node             */
    uint32_t pp;                       /* pipeline stages                                       */
    uint32_t replicas;                 /* independent engine replicas                           */
    uint32_t expert_parallel;          /* 0 or 1: MoE experts whole on the TP ranks (EP = tp)   */
    uint32_t attention_data_parallel;  /* 0 or 1: attention replicated over the TP ranks        */
    pdcost_weight_precision weight_precision;
    pdcost_kv_cache_precision kv_cache_precision;
    pdcost_serving_engine engine;
    /* The engine's switches as a JSON object of settings_length bytes, e.g.
     * {"max_num_seqs": 256, "gpu_memory_fraction": 0.9}; keys and types are listed by
     * pdcost_serving_settings_fields_json. A key left out, or null, takes the engine's default;
     * NULL with length 0 states none. Borrowed for the call. An unknown key or a bad value fails
     * with PDCOST_EINVAL naming it ("serving.max_num_seqs=0 must be in [1, 1048576]"). */
    const char *settings_json;
    size_t settings_length;
} pdcost_serving_deployment;

#define PDCOST_SERVING_DEPLOYMENT_VERSION 1
#define PDCOST_SERVING_DEPLOYMENT_INIT {sizeof(pdcost_serving_deployment), PDCOST_SERVING_DEPLOYMENT_VERSION, \
    1, 1, 1, 0, 0, PDCOST_WEIGHT_BF16, PDCOST_KV_CACHE_BF16, PDCOST_ENGINE_VLLM, NULL, 0}

/* The requests a deployment serves: lengths and load. Only the load field of the scenario is
 * read (batch_size, concurrency, request_rate or num_requests); the others may stay at their
 * defaults. */
typedef struct pdcost_serving_workload {
    uint32_t size;
    uint32_t version;
    pdcost_serving_scenario scenario;
    uint32_t input_tokens;      /* prompt tokens per request                                    */
    uint32_t output_tokens;     /* generated tokens per request (the first from the prefill)    */
    uint32_t batch_size;        /* STATIC_BATCH: sequences per replica                          */
    uint32_t concurrency;       /* ONLINE_FIXED_CONCURRENCY: requests in flight, whole deployment*/
    uint32_t num_requests;      /* BURST (>= 1), OFFLINE (0: as many as keep the engine busy)   */
    double request_rate;        /* ONLINE_REQUEST_RATE: requests/s, in (0, 1e9]                 */
    double prefix_hit_ratio;    /* share of each prompt found in the prefix cache, [0, 1)       */
} pdcost_serving_workload;

#define PDCOST_SERVING_WORKLOAD_VERSION 1
#define PDCOST_SERVING_WORKLOAD_INIT {sizeof(pdcost_serving_workload), PDCOST_SERVING_WORKLOAD_VERSION, \
    PDCOST_SCENARIO_STATIC_BATCH, 0, 0, 1, 1, 0, 1.0, 0.0}

/* A serving prediction. Times in seconds; memory in bytes per GPU; rates per second. The
 * fields are those of pdcost_serving_prediction_fields_json, in this order: the JSON documents
 * and the Python result use the same names (a test parses this declaration to check).
 * weights + kv_cache + activation + cuda_graph + runtime = peak_memory. */
typedef struct pdcost_serving_prediction {
    uint32_t size;
    uint32_t version;
    double ttft_s;                      /* time to first token, mean                            */
    double ttft_p90_s;
    double ttft_p99_s;
    double tpot_s;                      /* time per output token after the first                */
    double itl_s;                       /* inter-token latency (one decode iteration)           */
    double e2e_s;                       /* request latency, mean                                */
    double e2e_p99_s;
    double output_tokens_per_s;         /* whole deployment                                     */
    double total_tokens_per_s;          /* input + output                                       */
    double output_tokens_per_s_per_gpu;
    double output_tokens_per_s_per_user; /* 1 / tpot_s                                          */
    double requests_per_s;
    double running_batch;               /* sequences running per replica, steady state          */
    double max_concurrency;             /* sequences the KV cache of one replica holds          */
    double utilization;                 /* offered load / capacity (open loop)                  */
    double prefill_s;                   /* one prompt on an idle replica                        */
    double iteration_s;                 /* one steady-state engine iteration, and its parts:    */
    double iteration_compute_s;
    double iteration_memory_s;
    double iteration_communication_s;
    double iteration_overhead_s;
    double weights_bytes;
    double kv_cache_bytes;              /* the KV pool the engine allocates                     */
    double kv_used_bytes;               /* KV the running batch occupies                        */
    double activation_bytes;
    double cuda_graph_bytes;
    double runtime_bytes;               /* CUDA context, workspaces, communicator buffers       */
    double peak_memory_bytes;
    double kv_bytes_per_token;          /* per GPU                                              */
    double mbu;                         /* model bandwidth utilisation of a decode iteration    */
    double mfu;                         /* model FLOPs utilisation                              */
    double num_gpus;
    uint32_t fits_memory;               /* 1: the weights fit and the batch fits in the KV cache */
    uint32_t saturated;                 /* 1: open-loop arrivals exceed what can be served      */
} pdcost_serving_prediction;

#define PDCOST_SERVING_PREDICTION_VERSION 1
#define PDCOST_SERVING_PREDICTION_INIT {sizeof(pdcost_serving_prediction), PDCOST_SERVING_PREDICTION_VERSION, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0}

/* Predicts one deployment of `model` on `cluster` under one workload. A deployment that breaks
 * a constraint (tp beyond gpus_per_node or not dividing the heads, more GPUs than the cluster
 * has, FP4 weights on a GPU without FP4) fails with PDCOST_EINFEASIBLE, PDCOST_EUNSUPPORTED or
 * PDCOST_EINVAL naming the field and value ("tp=3 does not divide num_attention_heads=64",
 * "deployment->weight_precision=9 is not a pdcost_weight_precision"); a deployment whose batch
 * does not fit is not an error: it succeeds with fits_memory = 0. The model and cluster are
 * borrowed. Not allocation-free: each call builds the serving cost model (sizes, rates, the
 * engine's settings; microseconds) and parses settings_json. */
pdcost_status pdcost_serving_predict(pdcost_serving_prediction *out, const pdcost_model *model,
                                     const pdcost_cluster *cluster,
                                     const pdcost_serving_deployment *deployment,
                                     const pdcost_serving_workload *workload);

/* The same prediction as JSON: {"deployment": {tp, pp, replicas, expert_parallel,
 * attention_data_parallel, weight_precision, kv_cache_precision, engine (names as in
 * pdcost_serving_settings_fields_json's engines: "vllm", "sglang", "tensorrt-llm", "pytorch"), settings},
 * "workload": {scenario, input_tokens, output_tokens, batch_size, concurrency, request_rate,
 * num_requests, prefix_hit_ratio}, "prediction": {the fields of pdcost_serving_prediction;
 * fits_memory and saturated as booleans}, "settings": {"engine", "given": {the settings stated},
 * "defaulted": {every other setting: the engine default the prediction used on this GPU, or
 * null (no cap)}}}. Free *out_json with pdcost_string_free. */
pdcost_status pdcost_serving_predict_json(char **out_json, const pdcost_model *model,
                                          const pdcost_cluster *cluster,
                                          const pdcost_serving_deployment *deployment,
                                          const pdcost_serving_workload *workload);

/* The serving prediction's fields as a JSON array, in struct order: [{"name": "ttft_s",
 * "unit": "s"|"bytes"|"1"|"tokens/s"|"count", "summary"}], the two flags last (unit "1").
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_serving_prediction_fields_json(char **out_json);

/* The engine settings a deployment can state, as a JSON array of {"key", "type": "bool"|
 * "number"|"integer"|"choice"|"string", "choices" (choice), "minimum"/"maximum" (number, integer),
 * "summary", "not_modelled": null or why the value changes no number yet, "defaults": {engine
 * name: the value that engine uses when the key is not stated, on an H100-SXM-80GB (some
 * defaults depend on GPU memory; predict_json reports those used), or null (no cap)}}.
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_serving_settings_fields_json(char **out_json);

/* Bits of pdcost_validate_options.flags. */
#define PDCOST_VALIDATE_TEXT 1u          /* a human-readable table instead of JSON          */
#define PDCOST_VALIDATE_ONLY_COMPLETE 2u /* TEXT: list only records marked complete         */

/* Options of pdcost_validate_runs. */
typedef struct pdcost_validate_options {
    uint32_t size;
    uint32_t version;
    uint32_t flags;              /* PDCOST_VALIDATE_* bits                                    */
    uint32_t reserved;           /* 0                                                         */
    /* A calibration profile the predictions are made under (NULL with length 0 = defaults).
     * Over a runs file that spans GPU generations, "efficiency_scale" applies to every run and
     * "efficiency" only to runs on the profile's "generation" (to all when it names none). */
    const char *profile_json;
    size_t profile_length;
    /* Since 1.7 (version 2): a run-overrides document ("schema": "pdcost.run-overrides/1")
     * that restates switches the runs file leaves unstated, per named run, with their source:
     * {"overrides": [{"ids": [run ids], "source": "where the values come from",
     * "settings": {...}, "training": {...}, "parallel": {...}}]} (sections read like a run's
     * own; a key the runs format does not have, an id no training run has, or a run named by
     * two entries is an error naming it). The report gains "overrides": {"entries", "runs"}
     * (null without a document). NULL with length 0 = none. */
    const char *overrides_json;
    size_t overrides_length;
} pdcost_validate_options;

#define PDCOST_VALIDATE_OPTIONS_VERSION 2
#define PDCOST_VALIDATE_OPTIONS_INIT {sizeof(pdcost_validate_options), PDCOST_VALIDATE_OPTIONS_VERSION, 0, 0, NULL, 0, NULL, 0}

/* Predicts every record of a measured-runs file (schema "pdcost.runs/1") and compares with
 * what was measured. JSON output: {"runs": [...], "summary": {metric: {"n", "mape",
 * "max_abs_pct", "complete_n", "complete_mape"}}}, errors in percent; a statistic over no run
 * is null (and n 0), never 0. Records pdcost cannot express are reported as skipped with the
 * reason. A measured value that is not positive and finite is not compared: the run lists it in
 * "invalid" ("measured.tokens_per_s_per_gpu=-5 must be > 0 and finite") and keeps its other
 * metrics.
 * Serving records (since 1.2): records with "kind": "inference" are predicted by the serving
 * cost model instead (the profile does not apply to them) and leave the training part; the
 * JSON report gains "serving": null (no such record) or {"records", "predicted", "skipped",
 * "metrics", "groups": [{"source_group", "metrics": {metric: {"mape", "n", "worst"} | null}}],
 * "group_weighted": {metric: MAPE | null}, "overall", "skipped_reasons": [{"reason",
 * "count"}], "runs": [{"id", "source_group", "complete", "skipped", "comparisons": {metric:
 * {"measured", "predicted", "error_pct"}}}]} (metrics: ttft_ms, itl_ms, tpot_ms,
 * e2e_latency_ms, output_tokens_per_s_per_gpu, peak_memory_gib; percent). PDCOST_VALIDATE_TEXT
 * appends the serving MAPE table (one row per source group) and the skipped reasons, and
 * leaves out the training table when the file has only serving records. A mixed file reports
 * both parts. Free *out_report with pdcost_string_free. */
pdcost_status pdcost_validate_runs(char **out_report, const char *runs_json, size_t length,
                                   const pdcost_validate_options *options);

/* ----------------------------------------------------------------------------------------- */
/* Calibration profiles and fitting                                                           */
/* ----------------------------------------------------------------------------------------- */

/* A calibration profile is a JSON document ("format": "pdcost-profile", "version": 1) that
 * adjusts the cost model's efficiency constants for one cluster and framework version:
 *   "efficiency":       {name: value}   absolute values (one machine);
 *   "efficiency_scale": {name: factor}  factors on each GPU generation's defaults, clamped to
 *                                       the constant's bounds (what a fit over runs produces).
 * Scales apply first. Every other field (machine, gpu, measurements, fit) is provenance.
 * pdcost_efficiency_parameters_json lists the names, bounds and defaults. A profile is
 * borrowed as (const char *json, size_t length); json = NULL with length = 0 means "no
 * profile" (the defaults) wherever a profile is optional. */

/* Checks a profile: JSON, format, version, every name and every bound. The message names the
 * entry at fault, e.g. "efficiency.nvlink_fraction=1.5 is outside [0.05, 1]". */
pdcost_status pdcost_profile_check(const char *profile_json, size_t length);

/* The efficiency constants as JSON: {"parameters": [{"name", "lower", "upper", "summary",
 * "defaults": {generation: value}}], "fit_groups": {group: [names]}, "fit_defaults": [names]}.
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_efficiency_parameters_json(char **out_json);

/* How pdcost_fit_runs estimates the error on runs the fit did not see. */
typedef enum pdcost_cross_validation {
    PDCOST_CV_AUTO = 0,                 /* leave-one-source-out with >= 3 sources, else
                                           leave-one-model-out (since 1.4; k-fold before)      */
    PDCOST_CV_NONE = 1,
    PDCOST_CV_LEAVE_ONE_SOURCE_OUT = 2,
    PDCOST_CV_KFOLD = 3,                /* runs dealt round-robin in file order: deterministic */
    PDCOST_CV_LEAVE_ONE_MODEL_OUT = 4   /* since 1.4: one fold per model architecture; with one
                                           model, one per run ("leave-one-run-out")            */
} pdcost_cross_validation;

/* Flags of pdcost_fit_options. */
#define PDCOST_FIT_COMPLETE_ONLY 1u  /* fit only records marked "complete"                      */
#define PDCOST_FIT_ALL_SUPPORTED 2u  /* fit every parameter the data supports (no selection)    */

/* Options of pdcost_fit_runs. Zero fields take the default shown. */
typedef struct pdcost_fit_options {
    uint32_t size;
    uint32_t version;
    const char *parameters;          /* comma-separated fit parameters (efficiency names or the
                                        group "attention"); NULL = the documented default set  */
    uint32_t cross_validation;       /* pdcost_cross_validation; 0 = AUTO                        */
    uint32_t folds;                  /* k of k-fold; 0 = 5                                       */
    uint32_t max_iterations;         /* Levenberg-Marquardt iterations per fit; 0 = 60          */
    uint32_t min_runs_per_parameter; /* data-support rule; 0 = 5                                 */
    uint32_t flags;                  /* PDCOST_FIT_*                                             */
    const char *runs_file;           /* recorded in the profile's "fit" summary; may be NULL    */
    pdcost_progress_fn progress;     /* NULL = none; stage: what the fit is doing, done/total
                                        in thousandths of the work                              */
    void *user;                      /* passed to progress                                      */
    /* Since 1.8 (version 2): a run-overrides document, as in pdcost_validate_options, applied
     * to the runs before the fit; the profile's "fit" summary records "overrides": {"entries",
     * "runs"}. NULL with length 0 = none. */
    const char *overrides_json;
    size_t overrides_length;
} pdcost_fit_options;

#define PDCOST_FIT_OPTIONS_VERSION 2
#define PDCOST_FIT_OPTIONS_INIT {sizeof(pdcost_fit_options), PDCOST_FIT_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0}

/* Fits efficiency scales to a measured-runs file (schema "pdcost.runs/1") by bounded, robust
 * least squares on log errors of tokens/s/GPU (and of measured allocated/reserved/device
 * memory for the memory parameters: allocator fragmentation, workspaces, runtime memory), with
 * cross-validation. A parameter that fewer than min_runs_per_parameter runs respond to, or
 * that does not lower the cross-validated error of its metric (tokens/s or memory)
 * consistently, is not fitted; the profile's "fit" summary lists it under "dropped" with the
 * reason, and each fitted one under "kept" with its cross-validated gain. Writes a profile
 * ("source": "runs-fit", "efficiency_scale", "fit": {"runs", "parameters", "mape_before",
 * "mape_after", "cv_method", "cv_mape_before", "cv_mape", "dropped", and since 1.4 "kept",
 * "memory_mape_before", "memory_mape_after", "cv_memory_mape_before", "cv_memory_mape"
 * (absent when no run measured memory)}; MAPE in percent) to
 * *out_profile_json (free with pdcost_string_free). options = NULL uses the defaults. Takes
 * seconds; PDCOST_EINVAL when the runs support no parameter; PDCOST_ECANCELED when progress
 * stopped it (within one iteration). */
pdcost_status pdcost_fit_runs(char **out_profile_json, const char *runs_json, size_t length,
                              const pdcost_fit_options *options);

/* ----------------------------------------------------------------------------------------- */
/* Plan search                                                                                */
/* ----------------------------------------------------------------------------------------- */

/* Every valid parallel plan of a cost model's (model, cluster, setup) is enumerated under the
 * frameworks' constraints (tp divides the heads and KV heads and stays in a node; the layers
 * split over pp*vpp stages, unevenly where the framework allows; ep divides the experts and
 * ep*etp the GPUs of a stage; the global batch divides by mbs*dp; seq_len by 2*cp; ...),
 * pruned early (those rules and an exact lower bound of the model-state memory), priced with
 * the cost model, and the plans that fit are ranked by throughput. The setup's micro-batch
 * size, recomputation and offload ratio are replaced by the option lists; the rest (sequence
 * length, global batch, dtype, optimizer, framework) is the cost model's.
 *
 * Ranking (a total order, so results are the same for any thread count): higher tokens/s;
 * then fewer GPUs per model replica (tp*pp*cp); then less peak allocated memory; then the
 * plan's fields in lexicographic order (smaller degrees, smaller micro-batch, less
 * recomputation, less offload). */

/* Bits of pdcost_search_options.recompute. */
#define PDCOST_SEARCH_RECOMPUTE_NONE      1u
#define PDCOST_SEARCH_RECOMPUTE_SELECTIVE 2u
#define PDCOST_SEARCH_RECOMPUTE_FULL      4u  /* every layer                                   */
#define PDCOST_SEARCH_RECOMPUTE_PARTIAL   8u  /* full on N = 1..chunk-1 layers per model chunk  */
#define PDCOST_SEARCH_RECOMPUTE_ALL       15u

/* Values of pdcost_search_options.sequence_parallel (used when tp > 1). */
#define PDCOST_SEARCH_SP_ON   0u
#define PDCOST_SEARCH_SP_OFF  1u
#define PDCOST_SEARCH_SP_BOTH 2u

/* Bits of pdcost_search_options.flags. */
#define PDCOST_SEARCH_ALLOW_TP_ACROSS_NODES 1u /* tensor-parallel groups may span nodes         */
#define PDCOST_SEARCH_EVEN_PIPELINE_ONLY    2u /* no uneven first/last pipeline stages          */
#define PDCOST_SEARCH_NO_MEMORY_BOUND       4u /* price every plan (the bound is exact; tests)  */

#define PDCOST_SEARCH_MAX_LIST 16

/* Options of pdcost_search_run. Zero fields take the default shown. */
typedef struct pdcost_search_options {
    uint32_t size;
    uint32_t version;
    uint32_t max_tp;                /* 0 = GPUs per node (all GPUs with ALLOW_TP_ACROSS_NODES)   */
    uint32_t max_pp;                /* 0 = the model's layers                                    */
    uint32_t max_vpp;               /* virtual stages per pipeline rank; 0 = 8                   */
    uint32_t max_cp;                /* 0 = 32                                                    */
    uint32_t max_ep;                /* 0 = the number of experts                                 */
    uint32_t max_etp;               /* expert tensor parallel, a divisor of tp; 0 = 1            */
    uint32_t num_micro_batch_sizes; /* entries of micro_batch_sizes used; 0 = {1, 2, 4, 8}       */
    uint32_t micro_batch_sizes[PDCOST_SEARCH_MAX_LIST];
    uint32_t recompute;             /* PDCOST_SEARCH_RECOMPUTE_* bits; 0 = ALL                   */
    uint32_t zero_stages;           /* bit z = try ZeRO stage z (bit 3: ZeRO-3/FSDP); 0 = every
                                       stage the framework runs by default                       */
    uint32_t sequence_parallel;     /* PDCOST_SEARCH_SP_*; 0 = ON                                */
    uint32_t max_stage_layer_reduction; /* uneven pipeline: first/last stage up to this many
                                       layers lighter than the middle ones; 0 = 2               */
    uint32_t num_offload_ratios;    /* entries of optimizer_offload_ratios used; 0 = {0.0}       */
    double optimizer_offload_ratios[PDCOST_SEARCH_MAX_LIST]; /* each in [0, 1]                  */
    uint32_t top_k;                 /* plans returned; 0 = 10                                    */
    uint32_t threads;               /* worker threads; 0 = every core                            */
    double memory_safety_margin;    /* share of usable memory held back, [0, 1); 0 = none        */
    uint32_t flags;                 /* PDCOST_SEARCH_* flags                                     */
    uint32_t reserved;              /* 0                                                         */
    /* Framework settings to try both off and on, comma-separated, e.g.
     * "tp_comm_overlap,cuda_graphs" (at most 4, from tp_comm_overlap, cuda_graphs,
     * torch_compile, overlap_grad_reduce, overlap_param_gather, overlap_p2p, fp8_params,
     * moe_overlap_expert_comm): the search runs once per combination, over the cost model's
     * settings with the combination applied, and ranks all plans together; each entry's
     * settings_variant says which combination. NULL or "" = the cost model's settings only. */
    const char *vary_settings;
    pdcost_progress_fn progress;    /* NULL = none; stage "search", done/total work units (one
                                       layout's ep x etp x ZeRO x offload choice; with
                                       vary_settings, summed over the combinations), every few
                                       milliseconds                                            */
    void *user;                     /* passed to progress                                        */
} pdcost_search_options;

#define PDCOST_SEARCH_OPTIONS_VERSION 1
#define PDCOST_SEARCH_OPTIONS_INIT {sizeof(pdcost_search_options), PDCOST_SEARCH_OPTIONS_VERSION, \
    0, 0, 0, 0, 0, 0, 0, {0}, 0, 0, 0, 0, 0, {0.0}, 0, 0, 0.0, 0, 0, NULL, NULL, NULL}

/* Why candidates were dropped: the index into pdcost_search_stats.pruned. A count is of
 * candidates rejected where the rule is decided (a partial plan counts once for all the plans
 * it would have led to); OUT_OF_MEMORY counts priced plans that did not fit. */
typedef enum pdcost_search_prune_reason {
    PDCOST_PRUNE_TP_ATTENTION_HEADS = 0,
    PDCOST_PRUNE_TP_KV_HEADS = 1,
    PDCOST_PRUNE_TP_ACROSS_NODES = 2,
    PDCOST_PRUNE_PP_LAYER_SPLIT = 3,
    PDCOST_PRUNE_VPP_LAYER_SPLIT = 4,
    PDCOST_PRUNE_CP_SEQUENCE = 5,
    PDCOST_PRUNE_SP_SEQUENCE = 6,
    PDCOST_PRUNE_GLOBAL_BATCH = 7,
    PDCOST_PRUNE_EP_GROUP = 8,
    PDCOST_PRUNE_ETP_MOE_WIDTH = 9,
    PDCOST_PRUNE_ZERO_WITH_PP = 10,
    PDCOST_PRUNE_OPTIMIZER_OFFLOAD = 11,
    PDCOST_PRUNE_MEMORY_LOWER_BOUND = 12,
    PDCOST_PRUNE_OUT_OF_MEMORY = 13,
    PDCOST_PRUNE_NO_PREDICTION = 14,
    PDCOST_PRUNE_REASONS = 15
} pdcost_search_prune_reason;

/* The reason's name as in the JSON ("tp_kv_heads", ...); "unknown" for other values. The
 * string is owned by the library. */
const char *pdcost_search_prune_reason_name(pdcost_search_prune_reason reason);

/* Counts of a search. enumerated = feasible + the sum of pruned. */
typedef struct pdcost_search_stats {
    uint32_t size;
    uint32_t version;
    uint64_t enumerated;        /* candidates produced (partial plans rejected + plans priced) */
    uint64_t evaluated;         /* plans priced by the cost model                              */
    uint64_t feasible;          /* priced plans that fit                                       */
    uint64_t pruned[PDCOST_PRUNE_REASONS];
    double elapsed_s;
    uint32_t threads;
    uint32_t cancelled;         /* 1 if the progress callback stopped the search               */
    uint64_t work_units;        /* (tp, split, cp, ep, etp, ZeRO, offload) choices             */
    uint64_t work_units_done;
    double memory_limit_bytes;  /* usable memory x (1 - safety margin)                         */
} pdcost_search_stats;

#define PDCOST_SEARCH_STATS_VERSION 1
#define PDCOST_SEARCH_STATS_INIT {sizeof(pdcost_search_stats), PDCOST_SEARCH_STATS_VERSION, 0, 0, 0, \
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0.0, 0, 0, 0, 0, 0.0}

/* One ranked plan: the plan, the training knobs the search chose, and its prediction. */
typedef struct pdcost_search_entry {
    uint32_t size;
    uint32_t version;
    pdcost_plan plan;
    uint32_t micro_batch_size;
    pdcost_recompute recompute;
    uint32_t recompute_num_layers;    /* FULL: layers recomputed per model chunk; 0 = all       */
    uint32_t gradient_accumulation_steps;
    double optimizer_offload_ratio;
    double peak_allocated_bytes;      /* highest allocated memory over the pipeline stages     */
    pdcost_prediction prediction;
    /* With options->vary_settings: bit i is set when the i-th listed setting was on for this
     * plan. 0 otherwise. */
    uint32_t settings_variant;
} pdcost_search_entry;

#define PDCOST_SEARCH_ENTRY_VERSION 1
#define PDCOST_SEARCH_ENTRY_INIT {sizeof(pdcost_search_entry), PDCOST_SEARCH_ENTRY_VERSION, \
    PDCOST_PLAN_INIT, 0, PDCOST_RECOMPUTE_NONE, 0, 0, 0.0, 0.0, PDCOST_PREDICTION_INIT, 0}

/* A search's result, owned by the library; immutable, so it may be read from any thread.
 * Release it with pdcost_search_result_free. */
typedef struct pdcost_search_result pdcost_search_result;

/* Searches the plans of `cost_model`. options = NULL uses the defaults. Uses options->threads
 * threads (the calling thread is one of them; the others are joined before the call returns).
 * Finding no plan that fits is not an error: the result is empty and
 * pdcost_search_result_explanation says why (the closest plan and by how much it misses
 * memory). When options->progress stops the search, it returns PDCOST_ECANCELED and still sets
 * *out_result to the plans found so far (stats.cancelled = 1); release it as usual. */
pdcost_status pdcost_search_run(pdcost_search_result **out_result, const pdcost_cost_model *cost_model,
                                const pdcost_search_options *options);

/* Ranked plans that fit (at most top_k), best first; 0 for NULL. */
size_t pdcost_search_result_count(const pdcost_search_result *result);

/* Fills *out (size/version set with PDCOST_SEARCH_ENTRY_INIT) with ranked plan `index`. */
pdcost_status pdcost_search_result_get(pdcost_search_entry *out, const pdcost_search_result *result,
                                       size_t index);

/* The Pareto front of throughput vs peak allocated memory among the plans that fit, by
 * memory ascending; 0 for NULL. */
size_t pdcost_search_result_pareto_count(const pdcost_search_result *result);

/* Fills *out with Pareto plan `index`. */
pdcost_status pdcost_search_result_pareto_get(pdcost_search_entry *out, const pdcost_search_result *result,
                                              size_t index);

/* Fills *out (size/version set with PDCOST_SEARCH_STATS_INIT) with the search's counts. */
pdcost_status pdcost_search_result_stats(pdcost_search_stats *out, const pdcost_search_result *result);

/* Why the result is empty, in words, or "" when some plan fits (and for NULL). Owned by the
 * result; valid until it is freed. */
const char *pdcost_search_result_explanation(const pdcost_search_result *result);

/* The result as JSON: {"results": [...], "pareto": [...], "stats": {"enumerated",
 * "evaluated", "feasible", "pruned": {reason: count}, "elapsed_s", "threads", ...},
 * "memory_limit_bytes", "explanation"}; each result carries its full plan and prediction
 * (field names as in pdcost_plan / pdcost_prediction) and, with vary_settings, "settings":
 * {each varied key: its value}. Free with pdcost_string_free. */
pdcost_status pdcost_search_result_to_json(char **out_json, const pdcost_search_result *result);

/* Releases a result. NULL is a no-op. */
void pdcost_search_result_free(pdcost_search_result *result);

/* ----------------------------------------------------------------------------------------- */
/* Serving deployment search                                                       (since 1.2) */
/* ----------------------------------------------------------------------------------------- */

/* Which TTFT a target applies to. */
typedef enum pdcost_serving_percentile {
    PDCOST_PERCENTILE_P50 = 0,   /* the prediction's mean TTFT (ttft_s) stands in for the median */
    PDCOST_PERCENTILE_P90 = 1,   /* ttft_p90_s                                                    */
    PDCOST_PERCENTILE_P99 = 2    /* ttft_p99_s                                                    */
} pdcost_serving_percentile;

/* Bit of pdcost_serving_search_options.engines for engine e (a pdcost_serving_engine). */
#define PDCOST_SERVING_ENGINE_BIT(e) (1u << (unsigned)(e))

/* Options of pdcost_serving_search_run. Zero fields take the default shown.
 * The load: with sweep_load = 1 (the default), STATIC_BATCH and ONLINE_FIXED_CONCURRENCY sweep
 * the batch or the concurrency per replica over 1, 2, 4 ... max_batch (the workload's own
 * batch_size/concurrency are ignored), which traces the front of tokens/s/GPU against
 * tokens/s/user; with sweep_load = 0 they keep the workload's batch_size (per replica) or
 * concurrency (whole deployment) and vary the replica count 1 ... max_gpus/(tp*pp) instead:
 * "which deployment serves 64 concurrent users". ONLINE_REQUEST_RATE and BURST_ALL_AT_ONCE
 * always fix the whole deployment's load and vary the replicas; OFFLINE_MAX_THROUGHPUT prices
 * the point the engine settles in. */
typedef struct pdcost_serving_search_options {
    uint32_t size;
    uint32_t version;
    pdcost_serving_workload workload;  /* scenario, lengths and load; initialised with its INIT */
    uint32_t max_gpus;                 /* GPU budget; 0 = the cluster's num_gpus                */
    uint32_t max_batch;                /* largest batch/concurrency per replica swept; 0 = 1024 */
    uint32_t sweep_load;               /* 1: sweep the load per replica (see above); 0: keep it */
    pdcost_serving_percentile percentile; /* which TTFT max_ttft_s applies to                   */
    double max_ttft_s;                 /* time-to-first-token target; 0 = none                  */
    double max_tpot_s;                 /* time-per-output-token target; 0 = none                */
    uint32_t engines;                  /* PDCOST_SERVING_ENGINE_BIT(...) bits; 0 = every serving engine (not PDCOST_ENGINE_PYTORCH) */
    uint32_t num_weight_precisions;    /* entries of weight_precisions used; 0 = bf16, plus fp8
                                          and fp4 where the GPU has those tensor cores           */
    uint32_t weight_precisions[PDCOST_SEARCH_MAX_LIST];      /* pdcost_weight_precision values  */
    uint32_t num_kv_cache_precisions;  /* entries of kv_cache_precisions used; 0 = bf16, plus
                                          fp8 where the GPU has FP8 tensor cores                 */
    uint32_t kv_cache_precisions[PDCOST_SEARCH_MAX_LIST];    /* pdcost_kv_cache_precision values */
    uint32_t max_tp;                   /* every tp 1 ... max_tp is tried; 0 = gpus_per_node     */
    uint32_t max_pp;                   /* pp 1, 2, 4 ... max_pp; 0 = as the budget and layers allow */
    uint32_t try_expert_parallel;      /* MoE: also try experts whole on the TP ranks; INIT 1   */
    uint32_t try_attention_data_parallel; /* MoE: also try attention data parallel; INIT 1      */
    uint32_t disaggregated;            /* 1: also try prefill/decode pools (needs sweep_load = 1,
                                          ONLINE_FIXED_CONCURRENCY or OFFLINE_MAX_THROUGHPUT and
                                          output_tokens >= 2)                                    */
    uint32_t top_k;                    /* entries returned; 0 = 10                              */
    uint32_t threads;                  /* worker threads; 0 = every core                        */
    uint32_t reserved;                 /* 0                                                     */
    /* Engine settings applied to every deployment, as pdcost_serving_deployment.settings_json
     * (NULL with length 0 = the engines' defaults). Borrowed for the call. */
    const char *settings_json;
    size_t settings_length;
    pdcost_progress_fn progress;       /* NULL = none; stage "aggregated" (work units: replica
                                          layouts) then, with disaggregated, "disaggregated"
                                          (decode layouts); done/total of that stage            */
    void *user;                        /* passed to progress                                    */
} pdcost_serving_search_options;

#define PDCOST_SERVING_SEARCH_OPTIONS_VERSION 1
#define PDCOST_SERVING_SEARCH_OPTIONS_INIT {sizeof(pdcost_serving_search_options), \
    PDCOST_SERVING_SEARCH_OPTIONS_VERSION, PDCOST_SERVING_WORKLOAD_INIT, 0, 0, 1, PDCOST_PERCENTILE_P50, \
    0.0, 0.0, 0, 0, {0}, 0, {0}, 0, 0, 1, 1, 0, 0, 0, 0, NULL, 0, NULL, NULL}

/* Why the serving search dropped a candidate: the index into
 * pdcost_serving_search_stats.pruned (names as in the JSON). */
typedef enum pdcost_serving_prune_reason {
    PDCOST_SERVING_PRUNE_TP_ACROSS_NODES = 0,   /* tp > gpus_per_node                             */
    PDCOST_SERVING_PRUNE_TP_ATTENTION_HEADS = 1,/* tp does not divide the attention heads         */
    PDCOST_SERVING_PRUNE_TP_KV_HEADS = 2,       /* tp neither divides nor is a multiple of KV heads */
    PDCOST_SERVING_PRUNE_PP_LAYERS = 3,         /* pp > layers                                    */
    PDCOST_SERVING_PRUNE_ATTENTION_DP_TP1 = 4,  /* attention data parallel needs tp > 1           */
    PDCOST_SERVING_PRUNE_EP_EXPERTS = 5,        /* tp does not divide the experts                 */
    PDCOST_SERVING_PRUNE_PRECISION_UNSUPPORTED = 6, /* fp4 weights without FP4 tensor cores       */
    PDCOST_SERVING_PRUNE_DEPLOYMENT_INVALID = 7,/* refused by the cost model (a bug if nonzero)   */
    PDCOST_SERVING_PRUNE_WEIGHTS_MEMORY = 8,    /* the weights leave no KV pool                   */
    PDCOST_SERVING_PRUNE_KV_CAPACITY = 9,       /* the batch exceeds the KV pool                  */
    PDCOST_SERVING_PRUNE_PD_SPLIT = 10,         /* no prefill x decode split fills the budget     */
    PDCOST_SERVING_PRUNE_SATURATED = 11,        /* arrivals exceed what is served                 */
    PDCOST_SERVING_PRUNE_TTFT_TARGET = 12,      /* priced; misses max_ttft_s                      */
    PDCOST_SERVING_PRUNE_TPOT_TARGET = 13,      /* priced; misses max_tpot_s                      */
    PDCOST_SERVING_PRUNE_NO_PREDICTION = 14,    /* priced, no finite positive throughput          */
    PDCOST_SERVING_PRUNE_REASONS = 15
} pdcost_serving_prune_reason;

/* The reason's name as in the JSON ("ttft_target", ...); "unknown" for other values.
 * Library-owned. */
const char *pdcost_serving_search_prune_reason_name(pdcost_serving_prune_reason reason);

/* Counts of a serving search. enumerated = feasible + the sum of pruned. */
typedef struct pdcost_serving_search_stats {
    uint32_t size;
    uint32_t version;
    uint64_t enumerated;
    uint64_t evaluated;              /* points priced                                           */
    uint64_t feasible;               /* priced points that fit and meet the targets             */
    uint64_t feasible_disaggregated;
    uint64_t pruned[PDCOST_SERVING_PRUNE_REASONS];
    uint64_t layouts;                /* replica layouts that passed the structural rules        */
    double elapsed_s;
    uint32_t threads;
    uint32_t cancelled;              /* 1 if the progress callback stopped the search           */
    uint64_t work_units;
    uint64_t work_units_done;
    uint32_t budget_gpus;            /* the GPU budget searched                                 */
    uint32_t reserved;
} pdcost_serving_search_stats;

#define PDCOST_SERVING_SEARCH_STATS_VERSION 1
#define PDCOST_SERVING_SEARCH_STATS_INIT {sizeof(pdcost_serving_search_stats), \
    PDCOST_SERVING_SEARCH_STATS_VERSION, 0, 0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, \
    0, 0.0, 0, 0, 0, 0, 0, 0}

/* One priced point of a serving search. The deployments' settings_json is NULL (the settings
 * are the options'; pdcost_serving_search_result_to_json lists them). */
typedef struct pdcost_serving_search_entry {
    uint32_t size;
    uint32_t version;
    pdcost_serving_deployment deployment;   /* aggregated: the deployment; disaggregated: the
                                               decode pool (replicas = decode instances)        */
    uint32_t disaggregated;                 /* 1: prefill_pool holds the prefill pool           */
    uint32_t batch_per_replica;             /* the swept batch (static) or concurrency (closed
                                               loop) per replica, the decode batch per decode
                                               replica, or the workload's batch_size with
                                               sweep_load = 0; 0 when the scenario fixes the load */
    pdcost_serving_deployment prefill_pool; /* disaggregated only; all zero otherwise           */
    uint32_t num_gpus;                      /* both pools                                       */
    uint32_t concurrency;                   /* the workload priced: requests in flight (closed
                                               loop, whole deployment); 0 for other scenarios   */
    double miss;                            /* closest entry: achieved / target, the largest over
                                               the targets; 0 for ranked entries                */
    pdcost_serving_prediction prediction;   /* whole deployment                                 */
} pdcost_serving_search_entry;

#define PDCOST_SERVING_SEARCH_ENTRY_VERSION 1
#define PDCOST_SERVING_SEARCH_ENTRY_INIT {sizeof(pdcost_serving_search_entry), \
    PDCOST_SERVING_SEARCH_ENTRY_VERSION, PDCOST_SERVING_DEPLOYMENT_INIT, 0, 0, \
    PDCOST_SERVING_DEPLOYMENT_INIT, 0, 0, 0.0, PDCOST_SERVING_PREDICTION_INIT}

/* A serving search's result, owned by the library; immutable. Release it with
 * pdcost_serving_search_result_free. */
typedef struct pdcost_serving_search_result pdcost_serving_search_result;

/* Searches the deployments of `model` on `cluster` (read as pdcost_serving_predict reads them):
 * every replica layout (tp x pp x attention-DP x EP x weight and KV precision x engine) at the
 * loads or replica counts of the scenario, and with disaggregated every prefill/decode pool
 * pair. Points that fit and meet the targets are ranked by output tokens/s/GPU (then
 * tokens/s/user, fewer GPUs). The result does not depend on the thread count. options = NULL
 * uses the defaults (the workload's INIT: a static batch of 0-token prompts, so give one).
 * Finding nothing is not an error: the result is empty, the explanation counts the pruned
 * candidates per reason, and pdcost_serving_search_result_closest gives the point that misses
 * the targets by the least. When options->progress stops the search, it returns
 * PDCOST_ECANCELED and still sets *out_result to what was found (stats.cancelled = 1). */
pdcost_status pdcost_serving_search_run(pdcost_serving_search_result **out_result,
                                        const pdcost_model *model, const pdcost_cluster *cluster,
                                        const pdcost_serving_search_options *options);

/* Ranked entries (at most top_k), best first; 0 for NULL. */
size_t pdcost_serving_search_result_count(const pdcost_serving_search_result *result);

/* Fills *out (size/version set with PDCOST_SERVING_SEARCH_ENTRY_INIT) with entry `index`. */
pdcost_status pdcost_serving_search_result_get(pdcost_serving_search_entry *out,
                                               const pdcost_serving_search_result *result, size_t index);

/* The Pareto front of output tokens/s/GPU against tokens/s/user among the feasible points, by
 * tokens/s/user descending; 0 for NULL. */
size_t pdcost_serving_search_result_pareto_count(const pdcost_serving_search_result *result);

/* Fills *out with Pareto entry `index`. */
pdcost_status pdcost_serving_search_result_pareto_get(pdcost_serving_search_entry *out,
                                                      const pdcost_serving_search_result *result,
                                                      size_t index);

/* Fills *out with the point that fits but misses the targets by the least (out->miss > 1);
 * PDCOST_ENOTFOUND when no priced point missed only a target. */
pdcost_status pdcost_serving_search_result_closest(pdcost_serving_search_entry *out,
                                                   const pdcost_serving_search_result *result);

/* Fills *out (size/version set with PDCOST_SERVING_SEARCH_STATS_INIT) with the counts. */
pdcost_status pdcost_serving_search_result_stats(pdcost_serving_search_stats *out,
                                                 const pdcost_serving_search_result *result);

/* Why the result is empty, in words ("no deployment fits and meets the targets (pruned:
 * ttft_target=412, ...); closest: tp=8 ..."), or "" when some point is feasible (and for NULL).
 * Owned by the result. */
const char *pdcost_serving_search_result_explanation(const pdcost_serving_search_result *result);

/* The result as JSON: {"results": [...], "pareto": [...], "stats": {"enumerated", "evaluated",
 * "feasible", "feasible_disaggregated", "pruned": {reason: count}, "layouts", "elapsed_s",
 * "threads", "work_units", "work_units_done", "cancelled"}, "budget_gpus", "targets":
 * {"max_ttft_s", "max_tpot_s", "percentile"}, "closest": entry | null, "closest_miss",
 * "explanation"}; each entry {"rank" (results), "architecture": "aggregated" |
 * "disaggregated", "deployment": {tp, pp, replicas, expert_parallel, attention_data_parallel,
 * weight_precision, kv_cache_precision, engine, settings}, "prefill_pool", "batch_per_replica",
 * "num_gpus", "workload", "disaggregation", "prediction": {the fields of
 * pdcost_serving_prediction}}. Free with pdcost_string_free. */
pdcost_status pdcost_serving_search_result_to_json(char **out_json,
                                                   const pdcost_serving_search_result *result);

/* Releases a result. NULL is a no-op. */
void pdcost_serving_search_result_free(pdcost_serving_search_result *result);

/* ----------------------------------------------------------------------------------------- */
/* Traces and run plans                                                            (since 1.5) */
/* ----------------------------------------------------------------------------------------- */

/* Traces are Chrome / Perfetto trace-event documents (open them in ui.perfetto.dev or
 * chrome://tracing): {"traceEvents": [{"ph": "M", ...} naming the process and each lane
 * (thread), then {"ph": "X", "pid": 0, "tid": lane, "name", "cat", "ts", "dur", "args"}],
 * "displayTimeUnit": "ms", "otherData": {...}}. As the trace-event format requires, "ts" and
 * "dur" are microseconds; "args" and the otherData keys ending in "_ms" are milliseconds.
 * Not allocation-free; not meant for a hot loop.
 *
 * Training: lane 2r is pipeline rank r (per micro-batch and model chunk its "forward",
 * "recompute" and "backward", in Megatron-Core's 1F1B or interleaved order, then the
 * "optimizer", "offload" and "host" work), lane 2r + 1 its exposed TP/CP/EP/PP
 * "communication" (args: per kind, per micro-batch) and the exposed "dp" reduction. The
 * forward is a third of a micro-batch's non-recomputed time and the backward the rest; the
 * drawn bubble is the schedule's. otherData: predicted_step_ms, traced_step_ms (the makespan:
 * the predicted step less the predicted bubble plus the drawn one, equal for balanced stages),
 * predicted_bubble_ms, traced_bubble_ms, pp, vpp, micro_batches, forward_ms_per_micro_batch,
 * backward_ms_per_micro_batch, note. A step of more than 2^20 blocks (micro_batches x pp x
 * vpp x 2; limit "trace_blocks") fails with PDCOST_EINVAL. */

/* The trace of `plan`'s predicted step (predicted as pdcost_cost_model_predict, same errors).
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_cost_model_trace(char **out_json, const pdcost_cost_model *cost_model,
                                      const pdcost_plan *plan);

/* The trace of a prediction the caller holds (from pdcost_cost_model_predict or a search
 * entry) for the plan it was made for; only plan->pp and plan->vpp are read (0 = 1). Reads
 * step_time_s, bubble_time_s, recompute_time_s, optimizer_time_s, offload_time_s,
 * host_overhead_time_s, comm_exposed_s and micro_batches; a negative or non-finite one fails
 * with PDCOST_EINVAL naming it. Free *out_json with pdcost_string_free. */
pdcost_status pdcost_prediction_trace(char **out_json, const pdcost_prediction *prediction,
                                      const pdcost_plan *plan);

/* The trace of one request under a serving prediction (arguments and errors as
 * pdcost_serving_predict). Lane 0 "request": "queue" (TTFT less the idle prefill), "prefill"
 * ending at the first token, then one "decode" slice of tpot_s per further token; lane 1
 * "engine iteration": each decode iteration's compute, memory, communication and overhead
 * parts (iteration_*_s) and, where tpot_s is longer, the other requests' prompt work
 * ("iteration:prefill"). The first 1024 decode iterations are drawn one by one, the rest as one
 * slice per lane. The makespan is ttft_s + (output_tokens - 1) x tpot_s = e2e_s. otherData:
 * predicted_e2e_ms, traced_e2e_ms, ttft_ms, tpot_ms, itl_ms, iteration_ms, prefill_ms,
 * output_tokens, drawn_iterations, running_batch, note. Free *out_json with
 * pdcost_string_free. */
pdcost_status pdcost_serving_trace(char **out_json, const pdcost_model *model,
                                   const pdcost_cluster *cluster,
                                   const pdcost_serving_deployment *deployment,
                                   const pdcost_serving_workload *workload);

/* What a training run is priced from. A double of 0 is "not stated" where a default is shown.
 * Tokens: `tokens`; else compute-optimal for compute_budget_flops (N = sqrt(C / 120), D = 20 N:
 * C = 6 N D, Kaplan et al. 2020 section 2.1, with Hoffmann et al. 2022's 20 tokens per
 * parameter); else 20 x `parameters`. */
typedef struct pdcost_run_plan_inputs {
    uint32_t size;
    uint32_t version;
    uint32_t gpus;                /* GPUs of the job, in [1, PDCOST_MAX_NUM_GPUS]              */
    uint32_t reserved;            /* 0                                                         */
    double tokens_per_second;     /* the job's throughput (pdcost_prediction), > 0             */
    double tokens;                /* tokens to train; 0 = compute-optimal                      */
    double parameters;            /* the model's parameters (tokens per parameter); 0 = unknown */
    double compute_budget_flops;  /* 0 = none                                                  */
    double price_per_gpu_hour;    /* 0 = no price (cost 0, has_cost 0)                         */
    double board_power_w;         /* the GPU's board power (TDP), > 0 (pdcost_gpu_spec)        */
    double power_fraction;        /* average power over board_power_w; 0 = 1.0 (Luccioni et
                                     al. 2023: BLOOM drew 400 W per A100-hour, its TDP)        */
    double pue;                   /* data-centre power usage effectiveness; 0 = 1.2 (ibid.)    */
    double target_days;           /* wall-clock target; 0 = none                               */
} pdcost_run_plan_inputs;

#define PDCOST_RUN_PLAN_INPUTS_VERSION 1
#define PDCOST_RUN_PLAN_INPUTS_INIT {sizeof(pdcost_run_plan_inputs), PDCOST_RUN_PLAN_INPUTS_VERSION, \
    1, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}

/* A priced run. days = tokens / tokens_per_second / 86,400; gpu_hours = gpus x hours; cost =
 * gpu_hours x price; energy = gpus x board power x power fraction x PUE x hours. */
typedef struct pdcost_run_plan {
    uint32_t size;
    uint32_t version;
    double tokens;
    double parameters;                 /* the compute-optimal N for a budget, else the input's */
    double tokens_per_parameter;       /* tokens / inputs->parameters; 0 when that is 0        */
    double seconds;
    double days;
    double gpu_hours;
    double cost;                       /* in the price's currency; 0 without a price           */
    double energy_mwh;
    double required_tokens_per_second; /* finishes in target_days; 0 without a target          */
    double power_fraction;             /* the power fraction used (the default for 0)           */
    double pue;                        /* the PUE used (the default for 0)                      */
    uint32_t has_cost;                 /* 1 if a price was stated                               */
    uint32_t meets_target_days;        /* 1 if days <= target_days, or no target               */
} pdcost_run_plan;

#define PDCOST_RUN_PLAN_VERSION 1
#define PDCOST_RUN_PLAN_INIT {sizeof(pdcost_run_plan), PDCOST_RUN_PLAN_VERSION, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0}

/* Prices a run. A negative or non-finite input, or tokens, compute_budget_flops and parameters
 * all 0, fails with PDCOST_EINVAL naming the field ("inputs->pue=-1 must be a finite number
 * >= 0 (0 = not stated)"). Allocation-free. */
pdcost_status pdcost_plan_run(pdcost_run_plan *out, const pdcost_run_plan_inputs *inputs);

/* ----------------------------------------------------------------------------------------- */
/* EXPERIMENTAL: GPU calibration, micro-benchmarks of the local GPUs. Not yet exercised on   */
/* hardware by the test suite; these declarations may change in a minor release.             */
/* ----------------------------------------------------------------------------------------- */
/* The CUDA runtime, cuBLAS/cuBLASLt and (with 2+ GPUs) NCCL are loaded at run time with
 * dlopen (libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libnccl.so.2, ...; the
 * directories in $PDCOST_CUDA_LIBRARY_PATH are tried first): libpdcost has no CUDA dependency
 * and these functions fail cleanly with PDCOST_ENODEVICE where there is no GPU. */

/* GEMM precisions (bits of pdcost_gpu_calibration_options.dtypes; 0 = all). */
#define PDCOST_GEMM_FP32 1u
#define PDCOST_GEMM_TF32 2u
#define PDCOST_GEMM_FP16 4u
#define PDCOST_GEMM_BF16 8u
#define PDCOST_GEMM_FP8 16u   /* cuBLASLt, compute capability 8.9+; skipped with a note elsewhere */

typedef struct pdcost_gpu_calibration_options {
    uint32_t size;
    uint32_t version;
    uint32_t device;               /* GPU measured for GEMMs and copies (collectives use all)  */
    uint32_t gemm_size;            /* largest GEMM dimension: 512...65536, multiple of 16      */
    uint32_t test_compute;         /* nonzero: GEMM sweep per precision                        */
    uint32_t test_memory;          /* nonzero: device-to-device and pinned host copies         */
    uint32_t test_collectives;     /* nonzero: NCCL collectives when 2+ GPUs are visible       */
    uint32_t repetitions;          /* timed repetitions per measurement (the median is kept)   */
    uint32_t warmup;               /* untimed repetitions before them                          */
    uint32_t dtypes;               /* PDCOST_GEMM_* bits; 0 = all                              */
    double sustain_seconds;        /* soak at gemm_size^3 for sustained_fraction; 0 skips it   */
    uint64_t max_collective_bytes; /* largest collective message (1 KiB x 4^i up to it)        */
    pdcost_progress_fn progress;   /* NULL = none; called before each measurement with its name
                                      ("gemm bf16 8192x8192x8192", "all_reduce 1048576 B")     */
    void *user;                    /* passed to progress                                       */
} pdcost_gpu_calibration_options;

#define PDCOST_GPU_CALIBRATION_OPTIONS_VERSION 1
#define PDCOST_GPU_CALIBRATION_OPTIONS_INIT {sizeof(pdcost_gpu_calibration_options), \
    PDCOST_GPU_CALIBRATION_OPTIONS_VERSION, 0, 8192, 1, 1, 1, 20, 5, 0, 15.0, 1073741824u, NULL, NULL}

/* Measures the local GPUs: GEMM throughput per precision over a sweep of shapes (fitted to the
 * cost model's 1 + c/m + c/n + c/k curve), the sustained rate after a soak, HBM (device copy)
 * and pinned host<->device bandwidth, and with 2+ GPUs NCCL all-reduce / all-gather /
 * reduce-scatter / all-to-all bus bandwidth and latency (nccl-tests conventions). Medians of
 * timed repetitions after warm-ups, CUDA events. Takes minutes.
 * *out_report_json (free with pdcost_string_free) is {"profile": a pdcost-profile relative to
 * the GPU's datasheet preset (what `pdcost calibrate --gpu --out` writes), "calibrated_profile":
 * every efficiency parameter for "calibrated_gpu", "calibrated_gpu": a GPU spec whose numbers
 * are the measured rates (flops and bytes/s), "datasheet_gpu": preset name or null, "fits",
 * "collective_fit", "sustained", "summary": the text the seed's CalibrationResult prints,
 * "notes": what was skipped and why}. options = NULL uses the defaults.
 * PDCOST_ENODEVICE when a library is missing, the driver fails (its cudaGetErrorString text)
 * or no GPU is visible; PDCOST_EINVAL for bad options (the message names the field). */
pdcost_status pdcost_gpu_calibrate(char **out_report_json,
                                   const pdcost_gpu_calibration_options *options);

/* What the machine offers for GPU calibration, measuring nothing: always PDCOST_OK (unless
 * out_json is NULL) with {"available": bool, "error": reason or null, "device_count",
 * "devices": [{"name", "memory_bytes", "compute_capability"}], "machine": {driver and library
 * versions}, "libraries": {"cudart", "cublas", "cublaslt", "nccl": path or null}, "notes"}.
 * Free *out_json with pdcost_string_free. */
pdcost_status pdcost_cuda_available(char **out_json);

/* ----------------------------------------------------------------------------------------- */
/* Initialisers: each writes its struct's _INIT value (size, version and the defaults), for    */
/* callers that cannot use the macros. NULL is a no-op.                                       */
/* ----------------------------------------------------------------------------------------- */

void pdcost_param_counts_init(pdcost_param_counts *value);
void pdcost_flops_init(pdcost_flops *value);
void pdcost_gpu_spec_init(pdcost_gpu_spec *value);
void pdcost_cluster_init(pdcost_cluster *value);
void pdcost_training_setup_init(pdcost_training_setup *value);
void pdcost_plan_init(pdcost_plan *value);
void pdcost_prediction_init(pdcost_prediction *value);
void pdcost_cost_model_options_init(pdcost_cost_model_options *value);
void pdcost_validate_options_init(pdcost_validate_options *value);
void pdcost_fit_options_init(pdcost_fit_options *value);
void pdcost_search_options_init(pdcost_search_options *value);
void pdcost_search_stats_init(pdcost_search_stats *value);
void pdcost_search_entry_init(pdcost_search_entry *value);
void pdcost_gpu_calibration_options_init(pdcost_gpu_calibration_options *value);
void pdcost_serving_deployment_init(pdcost_serving_deployment *value);   /* since 1.1 */
void pdcost_serving_workload_init(pdcost_serving_workload *value);       /* since 1.1 */
void pdcost_serving_prediction_init(pdcost_serving_prediction *value);   /* since 1.1 */
void pdcost_serving_search_options_init(pdcost_serving_search_options *value); /* since 1.2 */
void pdcost_serving_search_stats_init(pdcost_serving_search_stats *value);     /* since 1.2 */
void pdcost_serving_search_entry_init(pdcost_serving_search_entry *value);     /* since 1.2 */
void pdcost_host_prediction_init(pdcost_host_prediction *value);         /* since 1.4 */
void pdcost_run_plan_inputs_init(pdcost_run_plan_inputs *value);         /* since 1.5 */
void pdcost_run_plan_init(pdcost_run_plan *value);                       /* since 1.5 */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PDCOST_H */
