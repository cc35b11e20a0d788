/*
 * test_abi.c: every function of pdcost.h through the shipped libpdcost.so, on its success path
 * and on every error path: NULL pointers, struct size/version, enum values, bad JSON, bytes
 * that are not UTF-8, unknown names, missing/zero/negative/huge/non-integer fields, files that
 * cannot be read, free(NULL); every pdcost_<struct>_init() against its _INIT macro; the
 * prediction's field list.
 *
 * Expected numbers are published ones (model cards, papers, hand calculations written out
 * here), never the library's own output.
 *
 *   test_abi <fixtures dir with Hugging Face config.json files> <scratch dir>
 */
#include "pdcost.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *fixtures;
static const char *scratch;

static pdcost_model *load_preset(const char *name) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, name), PDCOST_OK, "");
    return model;
}

static pdcost_param_counts counts_of(const pdcost_model *model) {
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    EXPECT_STATUS(pdcost_model_param_counts(&counts, model), PDCOST_OK, "");
    return counts;
}

static int within(double value, double expected, double tolerance) {
    return fabs(value / expected - 1.0) <= tolerance;
}

static pdcost_status from_json_text(pdcost_model **out, const char *json) {
    return pdcost_model_from_json(out, json, strlen(json));
}

static void write_file(const char *path, const void *bytes, size_t size) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK(fwrite(bytes, 1, size, f) == size);
    fclose(f);
}

/* ------------------------------------------------------------------------------------------ */

static void test_versions_and_status_names(void) {
    CHECK(pdcost_version_major() == PDCOST_VERSION_MAJOR);
    CHECK(pdcost_version_minor() == PDCOST_VERSION_MINOR);
    CHECK(pdcost_version_patch() == PDCOST_VERSION_PATCH);
    CHECK(pdcost_abi_version() == PDCOST_ABI_VERSION);
    /* ABI 1: the SONAME libpdcost.so.1, version 1.0.0. */
    CHECK(PDCOST_ABI_VERSION == 1);
    CHECK(pdcost_abi_version() == 1);
    CHECK(PDCOST_VERSION_MAJOR == 1);
    CHECK(pdcost_version_string() != NULL && strcmp(pdcost_version_string(), PDCOST_VERSION_STRING) == 0);

    static const struct { pdcost_status status; const char *name; } names[] = {
        {PDCOST_OK, "PDCOST_OK"}, {PDCOST_EINVAL, "PDCOST_EINVAL"},
        {PDCOST_EPARSE, "PDCOST_EPARSE"}, {PDCOST_ENOTFOUND, "PDCOST_ENOTFOUND"},
        {PDCOST_EUNSUPPORTED, "PDCOST_EUNSUPPORTED"}, {PDCOST_EVERSION, "PDCOST_EVERSION"},
        {PDCOST_EINFEASIBLE, "PDCOST_EINFEASIBLE"}, {PDCOST_ENODEVICE, "PDCOST_ENODEVICE"},
        {PDCOST_EIO, "PDCOST_EIO"},
        {PDCOST_ECANCELED, "PDCOST_ECANCELED"}, {PDCOST_EINTERNAL, "PDCOST_EINTERNAL"},
        {(pdcost_status)10, "PDCOST_UNKNOWN"}, {(pdcost_status)1234567, "PDCOST_UNKNOWN"},
        {(pdcost_status)-1, "PDCOST_UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK(strcmp(pdcost_status_name(names[i].status), names[i].name) == 0);
    }
}

static void test_error_message_lifecycle(void) {
    CHECK(pdcost_last_error() != NULL);
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "no-such-model"), PDCOST_ENOTFOUND, "no-such-model");
    /* Calls that cannot fail leave the message alone. */
    (void)pdcost_status_name(PDCOST_EINVAL);
    (void)pdcost_version_string();
    (void)pdcost_version_major();
    pdcost_model_free(NULL);
    pdcost_string_free(NULL);
    CHECK(strstr(pdcost_last_error(), "no-such-model") != NULL);
    /* A success empties it. */
    model = load_preset("gpt2");
    CHECK(pdcost_last_error()[0] == '\0');
    pdcost_model_free(model);
}

static void test_presets(void) {
    /* Exact totals of the published Hugging Face checkpoints. */
    static const struct { const char *name; uint64_t total; } exact[] = {
        {"llama3-8b", 8030261248ULL},      /* Meta-Llama-3-8B                           */
        {"llama2-7b", 6738415616ULL},      /* Llama-2-7b-hf                             */
        {"llama2-70b", 68976648192ULL},    /* Llama-2-70b-hf                            */
        {"llama3-70b", 70553706496ULL},    /* Meta-Llama-3-70B, "70.6B"                 */
        {"llama3.1-405b", 405853388800ULL},/* Llama-3.1-405B, "405B"                    */
        {"mistral-7b", 7241732096ULL},     /* Mistral-7B-v0.1                           */
        {"mixtral-8x7b", 46702792704ULL},  /* Mixtral-8x7B-v0.1, "46.7B"                */
        {"qwen2.5-7b", 7615616512ULL},     /* Qwen2.5-7B, "7.61B"                       */
        {"gpt2", 124439808ULL},            /* GPT-2 small, "124M"                       */
        {"LLAMA3-8B", 8030261248ULL},      /* names are case-insensitive                */
        {"llama-3-8b", 8030261248ULL},     /* aliases                                   */
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        pdcost_model *model = load_preset(exact[i].name);
        pdcost_param_counts c = counts_of(model);
        if (c.total != exact[i].total) {
            fprintf(stderr, "%s: total %" PRIu64 ", published %" PRIu64 "\n", exact[i].name, c.total, exact[i].total);
        }
        CHECK(c.total == exact[i].total);
        CHECK(c.embedding + c.position_embedding + c.attention + c.dense_mlp + c.routed_experts +
                  c.shared_experts + c.router + c.norms + c.lm_head == c.total);
        pdcost_model_free(model);
    }

    /* MoE: published totals within 0.5%; actives within the precision they are published at. */
    static const struct { const char *name; double total, active, active_tolerance; } moe[] = {
        {"mixtral-8x7b", 46.7e9, 12.9e9, 0.005},    /* Mistral AI, "Mixtral of experts"      */
        {"qwen3-30b-a3b", 30.5e9, 3.3e9, 0.02},     /* Qwen3 model card: 30.5B, 3.3B active  */
        {"qwen3-235b-a22b", 235e9, 22e9, 0.02},     /* Qwen3 model card: 235B, 22B active    */
        {"deepseek-v3", 671e9, 37e9, 0.02},         /* arXiv 2412.19437: 671B, 37B, w/o MTP  */
        {"gpt3-175b", 175e9, 175e9, 0.005},         /* Brown et al. 2020, Table 2.1          */
    };
    for (size_t i = 0; i < sizeof moe / sizeof moe[0]; i++) {
        pdcost_model *model = load_preset(moe[i].name);
        pdcost_param_counts c = counts_of(model);
        if (!within((double)c.total, moe[i].total, 0.005) ||
            !within((double)c.active, moe[i].active, moe[i].active_tolerance)) {
            fprintf(stderr, "%s: total %" PRIu64 " active %" PRIu64 "\n", moe[i].name, c.total, c.active);
        }
        CHECK(within((double)c.total, moe[i].total, 0.005));
        CHECK(within((double)c.active, moe[i].active, moe[i].active_tolerance));
        CHECK(c.active <= c.total);
        pdcost_model_free(model);
    }
    pdcost_model *deepseek = load_preset("deepseek-v3");
    CHECK(counts_of(deepseek).mtp > 0); /* the MTP module exists, outside the total */
    pdcost_model_free(deepseek);

    /* Error paths. The out-parameter keeps its value on failure. */
    pdcost_model *model = (pdcost_model *)&failures; /* a sentinel, never dereferenced */
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama-9000"), PDCOST_ENOTFOUND, "llama3-70b");
    CHECK(model == (pdcost_model *)&failures);
    EXPECT_STATUS(pdcost_model_from_preset(&model, ""), PDCOST_ENOTFOUND, "known:");
    EXPECT_STATUS(pdcost_model_from_preset(&model, NULL), PDCOST_EINVAL, "name=NULL");
    EXPECT_STATUS(pdcost_model_from_preset(NULL, "gpt2"), PDCOST_EINVAL, "out_model=NULL");
    EXPECT_STATUS(pdcost_model_from_preset(&model, "gpt\xff\xfe"), PDCOST_EPARSE, "not valid UTF-8");
    char huge[100000];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    EXPECT_STATUS(pdcost_model_from_preset(&model, huge), PDCOST_ENOTFOUND, "deepseek-v3");
    CHECK(model == (pdcost_model *)&failures);

    char *names = NULL;
    EXPECT_STATUS(pdcost_model_preset_names(&names), PDCOST_OK, "");
    CHECK(names != NULL && names[0] == '[' && strstr(names, "\"qwen3-30b-a3b\"") != NULL &&
          strstr(names, "\"llama3.1-405b\"") != NULL);
    pdcost_string_free(names);
    EXPECT_STATUS(pdcost_model_preset_names(NULL), PDCOST_EINVAL, "out_json=NULL");
}

static void test_from_json(void) {
    pdcost_model *model = NULL;
    /* openai-community/gpt2 config.json (abridged): 124,439,808 parameters. */
    const char *gpt2 = "{\"architectures\":[\"GPT2LMHeadModel\"],\"model_type\":\"gpt2\",\"n_ctx\":1024,"
                       "\"n_embd\":768,\"n_head\":12,\"n_layer\":12,\"n_positions\":1024,"
                       "\"vocab_size\":50257,\"activation_function\":\"gelu_new\"}";
    EXPECT_STATUS(from_json_text(&model, gpt2), PDCOST_OK, "");
    pdcost_param_counts c = counts_of(model);
    CHECK(c.total == 124439808ULL);
    CHECK(c.position_embedding == 1024ULL * 768 && c.lm_head == 0); /* tied head */
    pdcost_model_free(model);

    /* The buffer need not be NUL-terminated: bytes past `length` are ignored. */
    char buffer[512];
    size_t length = strlen(gpt2);
    memcpy(buffer, gpt2, length);
    memset(buffer + length, '}', sizeof buffer - length);
    model = NULL;
    EXPECT_STATUS(pdcost_model_from_json(&model, buffer, length), PDCOST_OK, "");
    pdcost_model_free(model);

#define LLAMA_WITH(field) "{\"architectures\":[\"LlamaForCausalLM\"]," field ",\"intermediate_size\":64," \
                          "\"num_attention_heads\":4,\"num_hidden_layers\":2,\"vocab_size\":100}"
    static const struct { const char *json; pdcost_status status; const char *fragment; } bad[] = {
        {"", PDCOST_EPARSE, "model config"},
        {"{", PDCOST_EPARSE, "invalid JSON"},
        {"[1, 2, 3]", PDCOST_EPARSE, "model config"},
        {"null", PDCOST_EPARSE, "model config"},
        {"{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":NaN}", PDCOST_EPARSE, "invalid JSON"},
        {"{\"architectures\":[\"FooForCausalLM\"],\"hidden_size\":8}", PDCOST_EUNSUPPORTED, "FooForCausalLM"},
        {"{\"model_type\":\"bert\"}", PDCOST_EUNSUPPORTED, "bert"},
        {"{\"hidden_size\":8}", PDCOST_EINVAL, "architectures"},
        {"{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64}", PDCOST_EINVAL, "num_hidden_layers"},
        {LLAMA_WITH("\"hidden_size\":-1"), PDCOST_EINVAL, "hidden_size=-1"},
        {LLAMA_WITH("\"hidden_size\":0"), PDCOST_EINVAL, "hidden_size=0"},
        {LLAMA_WITH("\"hidden_size\":4.5"), PDCOST_EPARSE, "model config"},
        {LLAMA_WITH("\"hidden_size\":1e300"), PDCOST_EPARSE, "model config"},
        {LLAMA_WITH("\"hidden_size\":\"NaN\""), PDCOST_EPARSE, "hidden_size"},
        {LLAMA_WITH("\"hidden_size\":null"), PDCOST_EINVAL, "hidden_size"},
        {LLAMA_WITH("\"hidden_size\":true"), PDCOST_EPARSE, "hidden_size"},
        {LLAMA_WITH("\"hidden_size\":99999999999999999999999"), PDCOST_EPARSE, "model config"},
        {LLAMA_WITH("\"hidden_size\":9223372036854775807"), PDCOST_EINVAL, "hidden_size"},
        {LLAMA_WITH("\"hidden_size\":64,\"num_key_value_heads\":3"), PDCOST_EINVAL, "num_key_value_heads=3"},
        /* Sizes whose products overflow 64 bits: rejected, not wrapped. */
        {"{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":16777216,\"intermediate_size\":16777216,"
         "\"num_attention_heads\":16777216,\"num_hidden_layers\":16777216,\"vocab_size\":16777216}",
         PDCOST_EINVAL, "too large"},
        {"{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":4611686018427387904,\"intermediate_size\":4,"
         "\"num_attention_heads\":1,\"num_hidden_layers\":1,\"vocab_size\":4}", PDCOST_EINVAL, "hidden_size"},
        {"{\"architectures\":[\"MixtralForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":64,"
         "\"num_attention_heads\":4,\"num_hidden_layers\":2,\"vocab_size\":100,\"num_local_experts\":2,"
         "\"num_experts_per_tok\":3}", PDCOST_EINVAL, "num_experts_per_tok=3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        model = (pdcost_model *)&failures;
        pdcost_status s = from_json_text(&model, bad[i].json);
        const char *message = pdcost_last_error();
        checks++;
        if (s != bad[i].status || strstr(message, bad[i].fragment) == NULL || message[0] == '\0') {
            failures++;
            fprintf(stderr, "bad JSON #%zu %s\n  returned %s (%s), expected %s containing \"%s\"\n", i,
                    bad[i].json, pdcost_status_name(s), message, pdcost_status_name(bad[i].status),
                    bad[i].fragment);
        }
        CHECK(model == (pdcost_model *)&failures);
    }
#undef LLAMA_WITH

    /* Not UTF-8. */
    const char not_utf8[] = "{\"architectures\":[\"Llama\xff\xfe\"]}";
    EXPECT_STATUS(pdcost_model_from_json(&model, not_utf8, sizeof not_utf8 - 1), PDCOST_EPARSE, "UTF-8");
    /* Embedded NUL bytes. */
    const char with_nul[] = "{\"a\":1}\0garbage";
    EXPECT_STATUS(pdcost_model_from_json(&model, with_nul, sizeof with_nul - 1), PDCOST_EPARSE, "");
    /* Deep nesting. Exactly 513 unclosed brackets used to trap inside FoundationEssentials'
     * JSON scanner (found by the fuzzer); the library now rejects deep documents first. */
    static char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    EXPECT_STATUS(pdcost_model_from_json(&model, deep, 20000), PDCOST_EPARSE, "nested deeper");
    EXPECT_STATUS(pdcost_model_from_json(&model, deep, 513), PDCOST_EPARSE, "nested deeper");
    EXPECT_STATUS(pdcost_model_from_json(&model, deep, 512), PDCOST_EPARSE, "nested deeper");
    /* Brackets inside strings are not nesting. */
    static char bracket_name[4096];
    snprintf(bracket_name, sizeof bracket_name, "{\"name\":\"%.*s\\\"[\",%s", 1000, deep, gpt2 + 1);
    model = NULL;
    EXPECT_STATUS(from_json_text(&model, bracket_name), PDCOST_OK, "");
    pdcost_model_free(model);

    /* Pointer/length arguments. */
    EXPECT_STATUS(pdcost_model_from_json(&model, NULL, 10), PDCOST_EINVAL, "json=NULL");
    EXPECT_STATUS(pdcost_model_from_json(&model, NULL, 0), PDCOST_EPARSE, "");
    EXPECT_STATUS(pdcost_model_from_json(&model, "{}", SIZE_MAX), PDCOST_EINVAL, "length=");
    EXPECT_STATUS(pdcost_model_from_json(&model, "{}", (size_t)1 << 40), PDCOST_EINVAL, "length=");
    EXPECT_STATUS(pdcost_model_from_json(NULL, gpt2, strlen(gpt2)), PDCOST_EINVAL, "out_model=NULL");
}

static void test_from_file(void) {
    char path[4096];
    pdcost_model *model = NULL;

    /* mistralai/Mistral-7B-v0.1 config.json: 7,241,732,096 parameters. */
    snprintf(path, sizeof path, "%s/mistralai__Mistral-7B-v0.1.json", fixtures);
    EXPECT_STATUS(pdcost_model_from_file(&model, path), PDCOST_OK, "");
    CHECK(counts_of(model).total == 7241732096ULL);
    pdcost_model_free(model);

    /* meta-llama/Meta-Llama-3-70B config.json: 70,553,706,496 parameters. */
    snprintf(path, sizeof path, "%s/meta-llama__Meta-Llama-3-70B.json", fixtures);
    model = NULL;
    EXPECT_STATUS(pdcost_model_from_file(&model, path), PDCOST_OK, "");
    CHECK(counts_of(model).total == 70553706496ULL);
    pdcost_model_free(model);

    model = (pdcost_model *)&failures;
    EXPECT_STATUS(pdcost_model_from_file(&model, "/nonexistent/pdcost/config.json"), PDCOST_EIO,
                  "/nonexistent/pdcost/config.json");
    CHECK(strstr(pdcost_last_error(), "No such file") != NULL);
    EXPECT_STATUS(pdcost_model_from_file(&model, fixtures), PDCOST_EIO, "directory");
    EXPECT_STATUS(pdcost_model_from_file(&model, ""), PDCOST_EIO, "");
    /* A device, not a file (and endless): refused before any read. */
    EXPECT_STATUS(pdcost_model_from_file(&model, "/dev/zero"), PDCOST_EIO, "is a character device, not a regular file");
    EXPECT_STATUS(pdcost_model_from_file(&model, NULL), PDCOST_EINVAL, "path=NULL");
    EXPECT_STATUS(pdcost_model_from_file(NULL, path), PDCOST_EINVAL, "out_model=NULL");

    snprintf(path, sizeof path, "%s/not-utf8.json", scratch);
    write_file(path, "{\"name\":\"\xc3\x28\"}", 13);
    EXPECT_STATUS(pdcost_model_from_file(&model, path), PDCOST_EPARSE, "not-utf8.json");

    snprintf(path, sizeof path, "%s/empty.json", scratch);
    write_file(path, "", 0);
    EXPECT_STATUS(pdcost_model_from_file(&model, path), PDCOST_EPARSE, "empty.json");

    snprintf(path, sizeof path, "%s/missing-field.json", scratch);
    const char *missing = "{\"architectures\":[\"Qwen3MoeForCausalLM\"],\"hidden_size\":64,"
                          "\"num_attention_heads\":4,\"num_hidden_layers\":2,\"vocab_size\":100,"
                          "\"num_experts\":4}";
    write_file(path, missing, strlen(missing));
    EXPECT_STATUS(pdcost_model_from_file(&model, path), PDCOST_EINVAL, "moe_intermediate_size");
    CHECK(model == (pdcost_model *)&failures);
}

static void test_json_outputs(void) {
    pdcost_model *model = load_preset("llama3-8b");
    char *json = NULL;

    EXPECT_STATUS(pdcost_model_to_json(&json, model), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"hidden_size\"") != NULL && strstr(json, "\"mlp_type\"") != NULL);
    /* The canonical JSON loads back to the same model. */
    pdcost_model *again = NULL;
    EXPECT_STATUS(pdcost_model_from_json(&again, json, json ? strlen(json) : 0), PDCOST_OK, "");
    CHECK(counts_of(again).total == 8030261248ULL);
    pdcost_model_free(again);
    pdcost_string_free(json);

    json = NULL;
    EXPECT_STATUS(pdcost_model_analysis_json(&json, model, 8192), PDCOST_OK, "");
    CHECK(json != NULL);
    if (json != NULL) {
        CHECK(strstr(json, "\"name\": \"llama3-8b\"") != NULL);
        CHECK(strstr(json, "\"total\": 8030261248") != NULL);
        CHECK(strstr(json, "\"components\"") != NULL && strstr(json, "\"lm_head\": 525336576") != NULL);
        CHECK(strstr(json, "\"flops_per_token\"") != NULL && strstr(json, "\"causal\"") != NULL &&
              strstr(json, "\"full\"") != NULL && strstr(json, "\"sequence_length\": 8192") != NULL);
        CHECK(strstr(json, "\"config\"") != NULL);
    }
    pdcost_string_free(json);

    json = (char *)&failures;
    EXPECT_STATUS(pdcost_model_analysis_json(&json, model, 0), PDCOST_EINVAL, "sequence_length=0");
    EXPECT_STATUS(pdcost_model_analysis_json(&json, model, UINT64_MAX), PDCOST_EINVAL, "sequence_length=");
    EXPECT_STATUS(pdcost_model_analysis_json(&json, NULL, 8192), PDCOST_EINVAL, "model=NULL");
    EXPECT_STATUS(pdcost_model_to_json(&json, NULL), PDCOST_EINVAL, "model=NULL");
    CHECK(json == (char *)&failures);
    EXPECT_STATUS(pdcost_model_analysis_json(NULL, model, 8192), PDCOST_EINVAL, "out_json=NULL");
    EXPECT_STATUS(pdcost_model_to_json(NULL, model), PDCOST_EINVAL, "out_json=NULL");
    pdcost_model_free(model);
}

static void test_param_counts_struct(void) {
    pdcost_model *model = load_preset("gpt2");
    pdcost_param_counts c = PDCOST_PARAM_COUNTS_INIT;

    EXPECT_STATUS(pdcost_model_param_counts(&c, NULL), PDCOST_EINVAL, "model=NULL");
    EXPECT_STATUS(pdcost_model_param_counts(NULL, model), PDCOST_EINVAL, "out=NULL");

    /* Versions 0 and newer than known, sizes below version 1: rejected, struct untouched. */
    const uint32_t sizes[] = {sizeof c, sizeof c, 0, 8, offsetof(pdcost_param_counts, moe_latent_projections) - 8};
    const uint32_t versions[] = {0, PDCOST_PARAM_COUNTS_VERSION + 1, 1, 1, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pdcost_param_counts wrong = PDCOST_PARAM_COUNTS_INIT;
        wrong.size = sizes[i];
        wrong.version = versions[i];
        wrong.total = 77;
        EXPECT_STATUS(pdcost_model_param_counts(&wrong, model), PDCOST_EVERSION, "out->");
        CHECK(wrong.total == 77 && wrong.size == sizes[i] && wrong.version == versions[i]);
    }

    /* A caller from the future with a bigger struct: filled up to what this library knows, its
     * size/version kept, the bytes beyond untouched. */
    struct { pdcost_param_counts counts; uint64_t appended; } bigger;
    memset(&bigger, 0, sizeof bigger);
    bigger.counts.size = sizeof bigger;
    bigger.counts.version = PDCOST_PARAM_COUNTS_VERSION;
    bigger.appended = 0xFEEDULL;
    EXPECT_STATUS(pdcost_model_param_counts(&bigger.counts, model), PDCOST_OK, "");
    CHECK(bigger.counts.total == 124439808ULL && bigger.counts.size == sizeof bigger);
    CHECK(bigger.appended == 0xFEEDULL);

    /* A 1.0–1.5 caller's version-1 struct ends at `mtp`: filled, nothing written past it. */
    pdcost_param_counts v1;
    memset(&v1, 0xA5, sizeof v1);
    v1.size = (uint32_t)offsetof(pdcost_param_counts, moe_latent_projections);
    v1.version = 1;
    EXPECT_STATUS(pdcost_model_param_counts(&v1, model), PDCOST_OK, "");
    CHECK(v1.total == 124439808ULL && v1.mtp == 0);
    CHECK(v1.moe_latent_projections == 0xA5A5A5A5A5A5A5A5ULL);
    pdcost_model_free(model);
}

static void test_flops(void) {
    /* Llama-3-8B by hand: L=32, h=4096, 32 query heads and 8 KV heads of 128, FFN 14336, V=128256.
     *   matmul weights = 32*(2*4096*4096 + 2*4096*1024) + 32*3*4096*14336 + 4096*128256
     *                  = 1,342,177,280 + 5,637,144,576 + 525,336,576 = 7,504,658,432
     *   attention core, forward, full mask, s=4096: L*2*s*(d_q + d_v) = 32*2*4096*8192
     *                  = 2,147,483,648; causal: half. Training = 3 x forward. */
    pdcost_model *model = load_preset("llama3-8b");
    pdcost_flops f = PDCOST_FLOPS_INIT;
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, 4096, PDCOST_MASK_CAUSAL), PDCOST_OK, "");
    CHECK(f.matmul_parameters == 7504658432ULL);
    CHECK(f.matmul_forward == 15009316864.0);
    CHECK(f.attention_forward == 1073741824.0);
    CHECK(f.forward == 15009316864.0 + 1073741824.0);
    CHECK(f.training == 3.0 * (15009316864.0 + 1073741824.0));
    pdcost_flops full = PDCOST_FLOPS_INIT;
    EXPECT_STATUS(pdcost_model_flops_per_token(&full, model, 4096, PDCOST_MASK_FULL), PDCOST_OK, "");
    /* The 12*L*s*d_attn training term of Narayanan et al. 2021 (d_attn = 4096). */
    CHECK(full.training - 6.0 * 7504658432.0 == 12.0 * 32 * 4096 * 4096);

    f.training = -1.0;
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, 4096, (pdcost_attention_mask)7), PDCOST_EINVAL, "mask=7");
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, 4096, (pdcost_attention_mask)-1), PDCOST_EINVAL, "mask=");
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, 0, PDCOST_MASK_CAUSAL), PDCOST_EINVAL, "sequence_length=0");
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, (1ULL << 31) + 1, PDCOST_MASK_CAUSAL), PDCOST_EINVAL,
                  "sequence_length=2147483649");
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, UINT64_MAX, PDCOST_MASK_CAUSAL), PDCOST_EINVAL,
                  "sequence_length=18446744073709551615");
    CHECK(f.training == -1.0);
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, model, 1ULL << 31, PDCOST_MASK_FULL), PDCOST_OK, "");
    CHECK(isfinite(f.training) && f.training > 0);
    EXPECT_STATUS(pdcost_model_flops_per_token(&f, NULL, 4096, PDCOST_MASK_CAUSAL), PDCOST_EINVAL, "model=NULL");
    EXPECT_STATUS(pdcost_model_flops_per_token(NULL, model, 4096, PDCOST_MASK_CAUSAL), PDCOST_EINVAL, "out=NULL");
    pdcost_flops old = PDCOST_FLOPS_INIT;
    old.version = 2;
    EXPECT_STATUS(pdcost_model_flops_per_token(&old, model, 4096, PDCOST_MASK_CAUSAL), PDCOST_EVERSION, "version=2");
    old.version = 1;
    old.size = 16;
    EXPECT_STATUS(pdcost_model_flops_per_token(&old, model, 4096, PDCOST_MASK_CAUSAL), PDCOST_EVERSION, "size=16");
    pdcost_model_free(model);
}

static void test_gpus(void) {
    /* NVIDIA H100 SXM5 datasheet: 80 GB HBM3, 989 TFLOP/s dense BF16, 3.35 TB/s. */
    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    const char *names[] = {"H100-SXM-80GB", "h100-80gb-hbm3", "H100-80GB-HBM3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        memset(gpu.name, 'x', sizeof gpu.name);
        EXPECT_STATUS(pdcost_gpu_from_name(&gpu, names[i]), PDCOST_OK, "");
        CHECK(memchr(gpu.name, '\0', sizeof gpu.name) != NULL && strcmp(gpu.name, "H100-SXM-80GB") == 0);
        CHECK(gpu.memory_bytes == 80.0 * 1024 * 1024 * 1024);
        CHECK(within(gpu.bf16_flops, 989e12, 0.01));
        CHECK(gpu.hbm_bandwidth == 3.35e12);
        CHECK(gpu.gpus_per_node == 8);
        CHECK(gpu.size == sizeof gpu && gpu.version == PDCOST_GPU_SPEC_VERSION);
    }

    pdcost_gpu_spec untouched = PDCOST_GPU_SPEC_INIT;
    untouched.tdp_watts = 1.5;
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, "TPU-v5p"), PDCOST_ENOTFOUND, "H100-SXM-80GB");
    CHECK(untouched.tdp_watts == 1.5);
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, ""), PDCOST_ENOTFOUND, "");
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, "\xc3"), PDCOST_EPARSE, "UTF-8");
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, NULL), PDCOST_EINVAL, "name=NULL");
    EXPECT_STATUS(pdcost_gpu_from_name(NULL, "B200"), PDCOST_EINVAL, "out=NULL");
    untouched.version = 0;
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, "H100-SXM-80GB"), PDCOST_EVERSION, "version=0");
    untouched.version = 1;
    untouched.size = 72;
    EXPECT_STATUS(pdcost_gpu_from_name(&untouched, "H100-SXM-80GB"), PDCOST_EVERSION, "size=72");
    CHECK(untouched.tdp_watts == 1.5);

    char *json = NULL;
    EXPECT_STATUS(pdcost_gpu_presets_json(&json), PDCOST_OK, "");
    CHECK(json != NULL && json[0] == '[');
    if (json != NULL) {
        const char *keys[] = {"\"name\"", "\"aliases\"", "\"memory_bytes\"", "\"fp32_flops\"",
                              "\"tf32_flops\"", "\"fp16_flops\"", "\"bf16_flops\"", "\"fp8_flops\"",
                              "\"hbm_bandwidth\"", "\"nvlink_bandwidth\"", "\"network_bandwidth\"",
                              "\"pcie_bandwidth\"", "\"tdp_watts\"", "\"gpus_per_node\"", "\"source\"",
                              "\"H100-80GB-HBM3\""};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) CHECK(strstr(json, keys[i]) != NULL);
    }
    pdcost_string_free(json);
    EXPECT_STATUS(pdcost_gpu_presets_json(NULL), PDCOST_EINVAL, "out_json=NULL");
}

/* Every pdcost_<struct>_init() writes exactly the bytes of its _INIT macro: a static object
 * initialised with the macro (static storage: padding is zero) against a zero-filled struct
 * the function initialised. init(NULL) is a no-op. Every struct is at version 1 but
 * pdcost_training_setup (2 since 1.3, 3 since 1.6), pdcost_cluster (2, since 1.4) and pdcost_param_counts (2, since 1.6), and the function sets size/version whatever was in the
 * struct before. */
#define CHECK_INIT(type, macro, version_macro, expected)                                      \
    do {                                                                                      \
        static const type reference_ = macro;                                                 \
        type expected_;                                                                       \
        type got_;                                                                            \
        memset(&expected_, 0, sizeof expected_);                                              \
        memcpy(&expected_, &reference_, sizeof expected_);                                    \
        memset(&got_, 0, sizeof got_);                                                        \
        type##_init(&got_);                                                                   \
        checks++;                                                                             \
        if (memcmp(&got_, &expected_, sizeof got_) != 0) {                                    \
            failures++;                                                                       \
            const unsigned char *g_ = (const unsigned char *)&got_;                           \
            const unsigned char *e_ = (const unsigned char *)&expected_;                      \
            size_t at_ = 0;                                                                   \
            while (at_ < sizeof got_ && g_[at_] == e_[at_]) at_++;                            \
            fprintf(stderr, "%s:%d: " #type "_init() differs from " #macro " at byte %zu "   \
                            "of %zu (0x%02x, expected 0x%02x)\n", __FILE__, __LINE__, at_,     \
                    sizeof got_, g_[at_], e_[at_]);                                           \
        }                                                                                     \
        CHECK(reference_.size == sizeof(type) && reference_.version == (version_macro));      \
        CHECK((version_macro) == (expected));                                                 \
        memset(&got_, 0xA5, sizeof got_);                                                     \
        type##_init(&got_);                                                                   \
        CHECK(got_.size == sizeof(type) && got_.version == (expected));                       \
        type##_init(NULL);                                                                    \
    } while (0)

static void test_initializers(void) {
    int structs = 0;
    CHECK_INIT(pdcost_param_counts, PDCOST_PARAM_COUNTS_INIT, PDCOST_PARAM_COUNTS_VERSION, 2); structs++;
    CHECK_INIT(pdcost_flops, PDCOST_FLOPS_INIT, PDCOST_FLOPS_VERSION, 1); structs++;
    CHECK_INIT(pdcost_gpu_spec, PDCOST_GPU_SPEC_INIT, PDCOST_GPU_SPEC_VERSION, 1); structs++;
    CHECK_INIT(pdcost_cluster, PDCOST_CLUSTER_INIT, PDCOST_CLUSTER_VERSION, 2); structs++;
    CHECK_INIT(pdcost_training_setup, PDCOST_TRAINING_SETUP_INIT, PDCOST_TRAINING_SETUP_VERSION, 3); structs++;
    CHECK_INIT(pdcost_plan, PDCOST_PLAN_INIT, PDCOST_PLAN_VERSION, 1); structs++;
    CHECK_INIT(pdcost_prediction, PDCOST_PREDICTION_INIT, PDCOST_PREDICTION_VERSION, 1); structs++;
    CHECK_INIT(pdcost_cost_model_options, PDCOST_COST_MODEL_OPTIONS_INIT, PDCOST_COST_MODEL_OPTIONS_VERSION, 1); structs++;
    CHECK_INIT(pdcost_validate_options, PDCOST_VALIDATE_OPTIONS_INIT, PDCOST_VALIDATE_OPTIONS_VERSION, 2); structs++;
    CHECK_INIT(pdcost_fit_options, PDCOST_FIT_OPTIONS_INIT, PDCOST_FIT_OPTIONS_VERSION, 2); structs++;
    CHECK_INIT(pdcost_search_options, PDCOST_SEARCH_OPTIONS_INIT, PDCOST_SEARCH_OPTIONS_VERSION, 1); structs++;
    CHECK_INIT(pdcost_search_stats, PDCOST_SEARCH_STATS_INIT, PDCOST_SEARCH_STATS_VERSION, 1); structs++;
    CHECK_INIT(pdcost_search_entry, PDCOST_SEARCH_ENTRY_INIT, PDCOST_SEARCH_ENTRY_VERSION, 1); structs++;
    CHECK_INIT(pdcost_gpu_calibration_options, PDCOST_GPU_CALIBRATION_OPTIONS_INIT,
               PDCOST_GPU_CALIBRATION_OPTIONS_VERSION, 1); structs++;
    CHECK_INIT(pdcost_host_prediction, PDCOST_HOST_PREDICTION_INIT, PDCOST_HOST_PREDICTION_VERSION, 1); structs++;
    CHECK(structs == 15);

    /* A few defaults the functions must carry (the macros' values, spelled out). */
    pdcost_plan plan;
    memset(&plan, 0, sizeof plan);
    pdcost_plan_init(&plan);
    CHECK(plan.tp == 1 && plan.pp == 1 && plan.vpp == 1 && plan.dp == 1 && plan.cp == 1 &&
          plan.ep == 1 && plan.zero_stage == 1 && plan.etp == 0);
    pdcost_training_setup setup;
    memset(&setup, 0xA5, sizeof setup);
    pdcost_training_setup_init(&setup);
    CHECK(setup.micro_batch_size == 1 && setup.settings_json == NULL && setup.seq_len == 0);
    pdcost_gpu_calibration_options calibration;
    memset(&calibration, 0, sizeof calibration);
    pdcost_gpu_calibration_options_init(&calibration);
    CHECK(calibration.gemm_size == 8192 && calibration.repetitions == 20 &&
          calibration.progress == NULL && calibration.user == NULL);
    pdcost_search_entry entry;
    memset(&entry, 0, sizeof entry);
    pdcost_search_entry_init(&entry);
    CHECK(entry.plan.size == sizeof(pdcost_plan) && entry.plan.version == PDCOST_PLAN_VERSION);
    CHECK(entry.prediction.size == sizeof(pdcost_prediction) &&
          entry.prediction.version == PDCOST_PREDICTION_VERSION);
}
#undef CHECK_INIT

/* The string value after the `occurrence`-th (0-based; -1 = last) "name" key, copied into
 * `out`; 0 if there is none. */
static int name_value(const char *json, int occurrence, char *out, size_t capacity) {
    const char *found = NULL;
    int seen = 0;
    for (const char *at = strstr(json, "\"name\""); at != NULL; at = strstr(at + 1, "\"name\"")) {
        if (occurrence < 0 || seen == occurrence) found = at;
        if (occurrence >= 0 && seen == occurrence) break;
        seen++;
    }
    if (found == NULL) return 0;
    const char *p = found + strlen("\"name\"");
    while (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t') p++;
    if (*p != '"') return 0;
    p++;
    const char *end = strchr(p, '"');
    if (end == NULL || (size_t)(end - p) >= capacity) return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 1;
}

static void test_prediction_fields(void) {
    char *json = NULL;
    EXPECT_STATUS(pdcost_prediction_fields_json(&json), PDCOST_OK, "");
    CHECK(json != NULL);
    if (json != NULL) {
        /* A JSON array of objects. */
        size_t length = strlen(json);
        while (length > 0 && (json[length - 1] == '\n' || json[length - 1] == ' ')) length--;
        CHECK(json[0] == '[' && length > 0 && json[length - 1] == ']');
        char first[64] = "", last[64] = "";
        CHECK(name_value(json, 0, first, sizeof first) && strcmp(first, "step_time_s") == 0);
        CHECK(name_value(json, -1, last, sizeof last) && strcmp(last, "fits_memory") == 0);
        if (strcmp(first, "step_time_s") != 0 || strcmp(last, "fits_memory") != 0) {
            fprintf(stderr, "prediction fields: first \"%s\", last \"%s\"\n", first, last);
        }
        /* The new ABI 1 fields are listed. */
        const char *names[] = {"\"host_overhead_time_s\"", "\"first_stage_allocated_bytes\"",
                               "\"first_stage_reserved_bytes\"", "\"last_stage_allocated_bytes\"",
                               "\"last_stage_reserved_bytes\"", "\"peak_stage\"", "\"comm_exposed_s\""};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) CHECK(strstr(json, names[i]) != NULL);
        /* Their counts cover the struct: the header, one double per count but for the two
         * trailing uint32 (peak_stage, fits_memory). */
        unsigned long total = 0;
        for (const char *at = strstr(json, "\"count\""); at != NULL; at = strstr(at + 1, "\"count\"")) {
            const char *colon = strchr(at, ':');
            if (colon != NULL) total += strtoul(colon + 1, NULL, 10);
        }
        CHECK(total >= 2 && 8 + (total - 2) * sizeof(double) + 2 * sizeof(uint32_t) == sizeof(pdcost_prediction));
        if (total < 2 || 8 + (total - 2) * sizeof(double) + 2 * sizeof(uint32_t) != sizeof(pdcost_prediction)) {
            fprintf(stderr, "prediction fields: counts sum to %lu, sizeof(pdcost_prediction) = %zu\n", total,
                    sizeof(pdcost_prediction));
        }
    }
    pdcost_string_free(json);
    EXPECT_STATUS(pdcost_prediction_fields_json(NULL), PDCOST_EINVAL, "out_json=NULL");
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s <fixtures dir> <scratch dir>\n", argv[0]);
        return 2;
    }
    fixtures = argv[1];
    scratch = argv[2];

    test_versions_and_status_names();
    test_error_message_lifecycle();
    test_presets();
    test_from_json();
    test_from_file();
    test_json_outputs();
    test_param_counts_struct();
    test_flops();
    test_gpus();
    test_initializers();
    test_prediction_fields();
    pdcost_model_free(NULL);
    pdcost_string_free(NULL);

    return check_report("test_abi");
}
