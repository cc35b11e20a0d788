/*
 * test_trace.c: the trace and run-plan doors of ABI 1.5 (pdcost_cost_model_trace,
 * pdcost_prediction_trace, pdcost_serving_trace, pdcost_plan_run) from C, against hand
 * calculations:
 *   - a step of 4 micro-batches of 3 s on 2 pipeline ranks (forward 1 s, backward 2 s), the
 *     balanced bubble (2 - 1) x 3 s, then DP 1 s, optimizer 2 s, host 0.5 s: 1F1B ends at
 *     4 x 3 + 3 = 15 s (Narayanan et al. 2021 section 2.2), the step at 18.5 s; rank 0's first
 *     backward runs from 4 s to 6 s (the schedule worked out in TraceTests.swift);
 *   - one served request ends at TTFT + (output - 1) x TPOT, the prediction's e2e;
 *   - 2e12 tokens at 1e6 tokens/s on 64 GPUs: 2e6 s = 555.56 h, 35,555.6 GPU-hours, $71,111
 *     at $2, 64 x 700 W x 1.2 x 555.56 h = 29.867 MWh; 70e9 parameters -> 1.4e12 tokens
 *     (Hoffmann et al. 2022, Table 3).
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

/* The number after `"key": ` in `json`, or NAN. */
static double number_after(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = json ? strstr(json, pattern) : NULL;
    return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

static void hand_prediction(void) {
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    p.step_time_s = 18.5;
    p.bubble_time_s = 3;
    p.optimizer_time_s = 2;
    p.host_overhead_time_s = 0.5;
    p.comm_exposed_s[PDCOST_COMM_DP] = 1;
    p.micro_batches = 4;
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.pp = 2;
    char *json = NULL;
    EXPECT_STATUS(pdcost_prediction_trace(&json, &p, &plan), PDCOST_OK, "");
    CHECK(json != NULL && strstr(json, "\"displayTimeUnit\": \"ms\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"tid\": 0, \"name\": \"backward mb0\", \"cat\": \"backward\", "
                                       "\"ts\": 4000000, \"dur\": 2000000") != NULL);
    CHECK(number_after(json, "traced_step_ms") == 18500.0);
    CHECK(number_after(json, "traced_bubble_ms") == 3000.0);
    pdcost_string_free(json);

    /* Errors name the field and value; *out_json stays untouched. */
    json = NULL;
    p.micro_batches = NAN;
    EXPECT_STATUS(pdcost_prediction_trace(&json, &p, &plan), PDCOST_EINVAL, "prediction->micro_batches=nan");
    CHECK(json == NULL);
    p.micro_batches = 4;
    p.bubble_time_s = -1;
    EXPECT_STATUS(pdcost_prediction_trace(&json, &p, &plan), PDCOST_EINVAL, "prediction->bubble_time_s=-1");
    p.bubble_time_s = 3;
    p.micro_batches = 1 << 20;
    EXPECT_STATUS(pdcost_prediction_trace(&json, &p, &plan), PDCOST_EINVAL, "trace_blocks");
    EXPECT_STATUS(pdcost_prediction_trace(NULL, &p, &plan), PDCOST_EINVAL, "out_json=NULL");
    EXPECT_STATUS(pdcost_prediction_trace(&json, NULL, &plan), PDCOST_EINVAL, "prediction=NULL");
    plan.version = 99;
    EXPECT_STATUS(pdcost_prediction_trace(&json, &p, &plan), PDCOST_EVERSION, "plan->version=99");
}

static void cost_model_trace(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-70b"), PDCOST_OK, "");
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = 32;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = 4096;
    setup.global_batch_size = 64;
    pdcost_cost_model *cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
    pdcost_plan plan = PDCOST_PLAN_INIT;
    plan.tp = 8;
    plan.pp = 4;
    plan.sequence_parallel = 1;
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_cost_model_predict(&p, cost, &plan), PDCOST_OK, "");
    char *json = NULL;
    EXPECT_STATUS(pdcost_cost_model_trace(&json, cost, &plan), PDCOST_OK, "");
    /* The step less the predicted bubble plus the drawn one, (pp - 1) busy micro-batches. */
    double tail = p.comm_exposed_s[PDCOST_COMM_DP] + p.optimizer_time_s + p.offload_time_s + p.host_overhead_time_s;
    double busy = (p.step_time_s - p.bubble_time_s - tail) / p.micro_batches;
    CHECK(close_to(number_after(json, "traced_step_ms"), (p.step_time_s - p.bubble_time_s + 3 * busy) * 1e3, 1e-9));
    CHECK(close_to(number_after(json, "traced_step_ms"), p.step_time_s * 1e3, 0.01));
    CHECK(number_after(json, "predicted_step_ms") == p.step_time_s * 1e3);
    CHECK(json != NULL && strstr(json, "\"name\": \"pipeline rank 3\"") != NULL);
    pdcost_string_free(json);
    /* The same trace from the prediction the caller holds. */
    char *again = NULL;
    EXPECT_STATUS(pdcost_prediction_trace(&again, &p, &plan), PDCOST_OK, "");
    json = NULL;
    EXPECT_STATUS(pdcost_cost_model_trace(&json, cost, &plan), PDCOST_OK, "");
    CHECK(json != NULL && again != NULL && strcmp(json, again) == 0);
    pdcost_string_free(json);
    pdcost_string_free(again);
    plan.tp = 3;
    json = NULL;
    EXPECT_STATUS(pdcost_cost_model_trace(&json, cost, &plan), PDCOST_EINFEASIBLE, "tp*pp*dp*cp=12 != num_gpus=32");
    CHECK(json == NULL);
    pdcost_cost_model_free(cost);
    pdcost_model_free(model);
}

static void serving_trace(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, "llama3-8b"), PDCOST_OK, "");
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, "H100-SXM-80GB"), PDCOST_OK, "");
    cluster.num_gpus = 1;
    pdcost_serving_deployment d = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload w = PDCOST_SERVING_WORKLOAD_INIT;
    w.input_tokens = 1000;
    w.output_tokens = 5;
    w.batch_size = 8;
    pdcost_serving_prediction p = PDCOST_SERVING_PREDICTION_INIT;
    EXPECT_STATUS(pdcost_serving_predict(&p, model, &cluster, &d, &w), PDCOST_OK, "");
    char *json = NULL;
    EXPECT_STATUS(pdcost_serving_trace(&json, model, &cluster, &d, &w), PDCOST_OK, "");
    CHECK(close_to(number_after(json, "traced_e2e_ms"), (p.ttft_s + 4 * p.tpot_s) * 1e3, 1e-12));
    CHECK(close_to(number_after(json, "traced_e2e_ms"), p.e2e_s * 1e3, 1e-12));
    CHECK(json != NULL && strstr(json, "\"name\": \"token 5\"") != NULL && strstr(json, "\"name\": \"token 6\"") == NULL);
    pdcost_string_free(json);
    json = NULL;
    w.output_tokens = 0;
    EXPECT_STATUS(pdcost_serving_trace(&json, model, &cluster, &d, &w), PDCOST_EINVAL, "workload->output_tokens=0");
    CHECK(json == NULL);
    pdcost_model_free(model);
}

static void plan_run(void) {
    pdcost_run_plan_inputs in = PDCOST_RUN_PLAN_INPUTS_INIT;
    in.gpus = 64;
    in.tokens_per_second = 1e6;
    in.tokens = 2e12;
    in.parameters = 7e9;
    in.price_per_gpu_hour = 2;
    in.board_power_w = 700;
    in.target_days = 30;
    pdcost_run_plan out = PDCOST_RUN_PLAN_INIT;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_OK, "");
    double hours = 2e6 / 3600;
    CHECK(close_to(out.days, hours / 24, 1e-12));
    CHECK(close_to(out.gpu_hours, 64 * hours, 1e-12));
    CHECK(out.has_cost == 1 && close_to(out.cost, 128 * hours, 1e-12));
    CHECK(close_to(out.energy_mwh, 64 * 700 * 1.2 * hours / 1e6, 1e-12)); /* PUE 0 = 1.2, fraction 0 = 1 */
    CHECK(out.pue == 1.2 && out.power_fraction == 1.0);
    CHECK(close_to(out.required_tokens_per_second, 2e12 / (30 * 86400.0), 1e-12));
    CHECK(out.meets_target_days == 1);
    CHECK(close_to(out.tokens_per_parameter, 2e12 / 7e9, 1e-12));

    /* Compute-optimal: 20 tokens per parameter; Chinchilla's 5.88e23 FLOPs -> 70e9 on 1.4e12. */
    in.tokens = 0;
    in.parameters = 70e9;
    in.price_per_gpu_hour = 0;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_OK, "");
    CHECK(close_to(out.tokens, 1.4e12, 1e-12) && out.has_cost == 0 && out.cost == 0);
    in.compute_budget_flops = 6 * 70e9 * 1.4e12;
    in.parameters = 0;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_OK, "");
    CHECK(close_to(out.parameters, 70e9, 1e-12) && close_to(out.tokens, 1.4e12, 1e-12));

    in.pue = -1;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_EINVAL, "inputs->pue=-1");
    in.pue = 0;
    in.compute_budget_flops = 0;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_EINVAL, "inputs->tokens");
    in.tokens = 1e12;
    in.board_power_w = 0;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_EINVAL, "inputs->board_power_w=0");
    in.board_power_w = 700;
    in.gpus = 0;
    EXPECT_STATUS(pdcost_plan_run(&out, &in), PDCOST_EINVAL, "inputs->gpus=0");
    EXPECT_STATUS(pdcost_plan_run(NULL, &in), PDCOST_EINVAL, "out=NULL");
    EXPECT_STATUS(pdcost_plan_run(&out, NULL), PDCOST_EINVAL, "inputs=NULL");

    pdcost_run_plan_inputs fresh;
    pdcost_run_plan_inputs_init(&fresh);
    CHECK(fresh.size == sizeof fresh && fresh.version == PDCOST_RUN_PLAN_INPUTS_VERSION && fresh.gpus == 1);
    pdcost_run_plan result;
    pdcost_run_plan_init(&result);
    CHECK(result.size == sizeof result && result.version == PDCOST_RUN_PLAN_VERSION);
    pdcost_run_plan_inputs_init(NULL);
    pdcost_run_plan_init(NULL);
}

int main(void) {
    hand_prediction();
    cost_model_trace();
    serving_trace();
    plan_run();
    return check_report("test_trace");
}
