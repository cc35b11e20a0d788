/* The header alone must compile cleanly as C99 and as C++17 with
 * -Wall -Wextra -Werror -pedantic (the tests compile this file both ways, with gcc and g++).
 * Using every _INIT macro also checks that it initialises every field (-Wextra's
 * -Wmissing-field-initializers), and taking each pdcost_<struct>_init() and the
 * output-first signatures as typed function pointers checks their declarations. */
#include "pdcost.h"

int pdcost_header_compile_check(void);

static int header_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    (void)user;
    (void)stage;
    return done > total;
}

int pdcost_header_compile_check(void) {
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    pdcost_flops flops = PDCOST_FLOPS_INIT;
    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    pdcost_plan plan = PDCOST_PLAN_INIT;
    pdcost_prediction prediction = PDCOST_PREDICTION_INIT;
    pdcost_cost_model_options cost_options = PDCOST_COST_MODEL_OPTIONS_INIT;
    pdcost_validate_options validate_options = PDCOST_VALIDATE_OPTIONS_INIT;
    pdcost_fit_options fit_options = PDCOST_FIT_OPTIONS_INIT;
    pdcost_search_options search_options = PDCOST_SEARCH_OPTIONS_INIT;
    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    pdcost_search_entry entry = PDCOST_SEARCH_ENTRY_INIT;
    pdcost_gpu_calibration_options calibration = PDCOST_GPU_CALIBRATION_OPTIONS_INIT;
    pdcost_status status = PDCOST_OK;
    pdcost_attention_mask mask = PDCOST_MASK_CAUSAL;
    pdcost_model *model = 0;

    /* One progress type, the last two fields of every long call's options. */
    pdcost_progress_fn progress = header_progress;
    fit_options.progress = progress;
    fit_options.user = 0;
    search_options.progress = progress;
    search_options.user = 0;
    calibration.progress = progress;
    calibration.user = 0;

    /* Output parameters first. */
    pdcost_status (*param_counts)(pdcost_param_counts *, const pdcost_model *) = pdcost_model_param_counts;
    pdcost_status (*flops_per_token)(pdcost_flops *, const pdcost_model *, uint64_t, pdcost_attention_mask) =
        pdcost_model_flops_per_token;
    pdcost_status (*create)(pdcost_cost_model **, const pdcost_model *, const pdcost_cluster *,
                            const pdcost_training_setup *, const pdcost_cost_model_options *) =
        pdcost_cost_model_create;
    pdcost_status (*predict)(pdcost_prediction *, const pdcost_cost_model *, const pdcost_plan *) =
        pdcost_cost_model_predict;
    pdcost_status (*search)(pdcost_search_result **, const pdcost_cost_model *, const pdcost_search_options *) =
        pdcost_search_run;
    pdcost_status (*validate)(char **, const char *, size_t, const pdcost_validate_options *) = pdcost_validate_runs;
    pdcost_status (*fit)(char **, const char *, size_t, const pdcost_fit_options *) = pdcost_fit_runs;
    pdcost_status (*calibrate)(char **, const pdcost_gpu_calibration_options *) = pdcost_gpu_calibrate;
    pdcost_status (*fields)(char **) = pdcost_prediction_fields_json;
    void (*init_setup)(pdcost_training_setup *) = pdcost_training_setup_init;
    pdcost_serving_deployment deployment = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload workload = PDCOST_SERVING_WORKLOAD_INIT;
    pdcost_serving_prediction serving = PDCOST_SERVING_PREDICTION_INIT;
    pdcost_status (*serve)(pdcost_serving_prediction *, const pdcost_model *, const pdcost_cluster *,
                           const pdcost_serving_deployment *, const pdcost_serving_workload *) =
        pdcost_serving_predict;
    pdcost_status (*serve_json)(char **, const pdcost_model *, const pdcost_cluster *,
                                const pdcost_serving_deployment *, const pdcost_serving_workload *) =
        pdcost_serving_predict_json;
    void (*init_deployment)(pdcost_serving_deployment *) = pdcost_serving_deployment_init;
    pdcost_serving_search_options serving_search = PDCOST_SERVING_SEARCH_OPTIONS_INIT;
    pdcost_serving_search_stats serving_stats = PDCOST_SERVING_SEARCH_STATS_INIT;
    pdcost_serving_search_entry serving_entry = PDCOST_SERVING_SEARCH_ENTRY_INIT;
    pdcost_status (*serving_run)(pdcost_serving_search_result **, const pdcost_model *, const pdcost_cluster *,
                                 const pdcost_serving_search_options *) = pdcost_serving_search_run;
    (void)serving_search;
    (void)serving_stats;
    (void)serving_entry;
    (void)serving_run;
    (void)serve;
    (void)serve_json;
    (void)init_deployment;
    (void)deployment;
    (void)workload;
    (void)serving;
    void (*init_entry)(pdcost_search_entry *) = pdcost_search_entry_init;

    (void)model;
    (void)param_counts;
    (void)flops_per_token;
    (void)create;
    (void)predict;
    (void)search;
    (void)validate;
    (void)fit;
    (void)calibrate;
    (void)fields;
    (void)init_setup;
    (void)init_entry;
    return (int)counts.size + (int)flops.version + (int)gpu.size + (int)cluster.size + (int)setup.size +
           (int)plan.tp + (int)prediction.size + (int)cost_options.size + (int)validate_options.size +
           (int)fit_options.size + (int)search_options.size + (int)stats.size + (int)entry.size +
           (int)calibration.size + (int)status + (int)mask + PDCOST_VERSION_MAJOR + PDCOST_ABI_VERSION +
           (int)sizeof(PDCOST_VERSION_STRING);
}
