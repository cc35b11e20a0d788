/* pdcost_<struct>_init(): each struct's _INIT macro as a function, for callers that cannot use
 * the preprocessor (ctypes, cffi, Rust, Go). Written in C so the values come from the header's
 * macros themselves: one definition of every default. */
#include "../../include/pdcost.h"

#define PDCOST_DEFINE_INIT(type, macro)                                                       \
    void type##_init(type *value) {                                                           \
        if (value != NULL) {                                                                  \
            type initial = macro;                                                             \
            *value = initial;                                                                 \
        }                                                                                     \
    }

PDCOST_DEFINE_INIT(pdcost_param_counts, PDCOST_PARAM_COUNTS_INIT)
PDCOST_DEFINE_INIT(pdcost_flops, PDCOST_FLOPS_INIT)
PDCOST_DEFINE_INIT(pdcost_gpu_spec, PDCOST_GPU_SPEC_INIT)
PDCOST_DEFINE_INIT(pdcost_cluster, PDCOST_CLUSTER_INIT)
PDCOST_DEFINE_INIT(pdcost_training_setup, PDCOST_TRAINING_SETUP_INIT)
PDCOST_DEFINE_INIT(pdcost_plan, PDCOST_PLAN_INIT)
PDCOST_DEFINE_INIT(pdcost_prediction, PDCOST_PREDICTION_INIT)
PDCOST_DEFINE_INIT(pdcost_cost_model_options, PDCOST_COST_MODEL_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_validate_options, PDCOST_VALIDATE_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_fit_options, PDCOST_FIT_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_search_options, PDCOST_SEARCH_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_search_stats, PDCOST_SEARCH_STATS_INIT)
PDCOST_DEFINE_INIT(pdcost_search_entry, PDCOST_SEARCH_ENTRY_INIT)
PDCOST_DEFINE_INIT(pdcost_gpu_calibration_options, PDCOST_GPU_CALIBRATION_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_deployment, PDCOST_SERVING_DEPLOYMENT_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_workload, PDCOST_SERVING_WORKLOAD_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_prediction, PDCOST_SERVING_PREDICTION_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_search_options, PDCOST_SERVING_SEARCH_OPTIONS_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_search_stats, PDCOST_SERVING_SEARCH_STATS_INIT)
PDCOST_DEFINE_INIT(pdcost_serving_search_entry, PDCOST_SERVING_SEARCH_ENTRY_INIT)
PDCOST_DEFINE_INIT(pdcost_host_prediction, PDCOST_HOST_PREDICTION_INIT)
PDCOST_DEFINE_INIT(pdcost_run_plan_inputs, PDCOST_RUN_PLAN_INPUTS_INIT)
PDCOST_DEFINE_INIT(pdcost_run_plan, PDCOST_RUN_PLAN_INIT)
