import CPDCost

// A compile-time proof that every thunk has exactly the type of its declaration in pdcost.h.
// `@_cdecl` alone checks nothing against the header: a thunk declared with, say, UInt32 where
// the header says size_t would link and corrupt arguments at run time. Assigning each thunk to a
// variable typed by the header's declaration (as Swift imports it) fails to compile on any
// mismatch. The function is never called; only its type checking matters.
@inline(never)
func _assertThunksMatchHeader() {
    var abiVersion = CPDCost.pdcost_abi_version; abiVersion = PDCostC.pdcost_abi_version
    var costModelCreate = CPDCost.pdcost_cost_model_create; costModelCreate = PDCostC.pdcost_cost_model_create
    var costModelFree = CPDCost.pdcost_cost_model_free; costModelFree = PDCostC.pdcost_cost_model_free
    var costModelPredict = CPDCost.pdcost_cost_model_predict; costModelPredict = PDCostC.pdcost_cost_model_predict
    var costModelPredictJson = CPDCost.pdcost_cost_model_predict_json; costModelPredictJson = PDCostC.pdcost_cost_model_predict_json
    var costModelSettingsJson = CPDCost.pdcost_cost_model_settings_json; costModelSettingsJson = PDCostC.pdcost_cost_model_settings_json
    var cudaAvailable = CPDCost.pdcost_cuda_available; cudaAvailable = PDCostC.pdcost_cuda_available
    var efficiencyParametersJson = CPDCost.pdcost_efficiency_parameters_json; efficiencyParametersJson = PDCostC.pdcost_efficiency_parameters_json
    var fitRuns = CPDCost.pdcost_fit_runs; fitRuns = PDCostC.pdcost_fit_runs
    var frameworkSettingsFieldsJson = CPDCost.pdcost_framework_settings_fields_json; frameworkSettingsFieldsJson = PDCostC.pdcost_framework_settings_fields_json
    var gpuCalibrate = CPDCost.pdcost_gpu_calibrate; gpuCalibrate = PDCostC.pdcost_gpu_calibrate
    var gpuComplete = CPDCost.pdcost_gpu_complete; gpuComplete = PDCostC.pdcost_gpu_complete
    var gpuFromName = CPDCost.pdcost_gpu_from_name; gpuFromName = PDCostC.pdcost_gpu_from_name
    var gpuPresetsJson = CPDCost.pdcost_gpu_presets_json; gpuPresetsJson = PDCostC.pdcost_gpu_presets_json
    var limitsJson = CPDCost.pdcost_limits_json; limitsJson = PDCostC.pdcost_limits_json
    var modelAnalysisJson = CPDCost.pdcost_model_analysis_json; modelAnalysisJson = PDCostC.pdcost_model_analysis_json
    var modelFlopsPerToken = CPDCost.pdcost_model_flops_per_token; modelFlopsPerToken = PDCostC.pdcost_model_flops_per_token
    var modelFree = CPDCost.pdcost_model_free; modelFree = PDCostC.pdcost_model_free
    var modelFromFile = CPDCost.pdcost_model_from_file; modelFromFile = PDCostC.pdcost_model_from_file
    var modelFromJson = CPDCost.pdcost_model_from_json; modelFromJson = PDCostC.pdcost_model_from_json
    var modelFromPreset = CPDCost.pdcost_model_from_preset; modelFromPreset = PDCostC.pdcost_model_from_preset
    var modelParamCounts = CPDCost.pdcost_model_param_counts; modelParamCounts = PDCostC.pdcost_model_param_counts
    var modelPresetNames = CPDCost.pdcost_model_preset_names; modelPresetNames = PDCostC.pdcost_model_preset_names
    var modelToJson = CPDCost.pdcost_model_to_json; modelToJson = PDCostC.pdcost_model_to_json
    var predictionFieldsJson = CPDCost.pdcost_prediction_fields_json; predictionFieldsJson = PDCostC.pdcost_prediction_fields_json
    var profileCheck = CPDCost.pdcost_profile_check; profileCheck = PDCostC.pdcost_profile_check
    var servingPredict = CPDCost.pdcost_serving_predict; servingPredict = PDCostC.pdcost_serving_predict
    var servingPredictJson = CPDCost.pdcost_serving_predict_json; servingPredictJson = PDCostC.pdcost_serving_predict_json
    var servingPredictionFieldsJson = CPDCost.pdcost_serving_prediction_fields_json; servingPredictionFieldsJson = PDCostC.pdcost_serving_prediction_fields_json
    var servingSettingsFieldsJson = CPDCost.pdcost_serving_settings_fields_json; servingSettingsFieldsJson = PDCostC.pdcost_serving_settings_fields_json
    var searchPruneReasonName = CPDCost.pdcost_search_prune_reason_name; searchPruneReasonName = PDCostC.pdcost_search_prune_reason_name
    var searchResultCount = CPDCost.pdcost_search_result_count; searchResultCount = PDCostC.pdcost_search_result_count
    var searchResultExplanation = CPDCost.pdcost_search_result_explanation; searchResultExplanation = PDCostC.pdcost_search_result_explanation
    var searchResultFree = CPDCost.pdcost_search_result_free; searchResultFree = PDCostC.pdcost_search_result_free
    var searchResultGet = CPDCost.pdcost_search_result_get; searchResultGet = PDCostC.pdcost_search_result_get
    var searchResultParetoCount = CPDCost.pdcost_search_result_pareto_count; searchResultParetoCount = PDCostC.pdcost_search_result_pareto_count
    var searchResultParetoGet = CPDCost.pdcost_search_result_pareto_get; searchResultParetoGet = PDCostC.pdcost_search_result_pareto_get
    var searchResultStats = CPDCost.pdcost_search_result_stats; searchResultStats = PDCostC.pdcost_search_result_stats
    var searchResultToJson = CPDCost.pdcost_search_result_to_json; searchResultToJson = PDCostC.pdcost_search_result_to_json
    var searchRun = CPDCost.pdcost_search_run; searchRun = PDCostC.pdcost_search_run
    var servingSearchRun = CPDCost.pdcost_serving_search_run; servingSearchRun = PDCostC.pdcost_serving_search_run
    var servingSearchResultCount = CPDCost.pdcost_serving_search_result_count; servingSearchResultCount = PDCostC.pdcost_serving_search_result_count
    var servingSearchResultGet = CPDCost.pdcost_serving_search_result_get; servingSearchResultGet = PDCostC.pdcost_serving_search_result_get
    var servingSearchResultParetoCount = CPDCost.pdcost_serving_search_result_pareto_count; servingSearchResultParetoCount = PDCostC.pdcost_serving_search_result_pareto_count
    var servingSearchResultParetoGet = CPDCost.pdcost_serving_search_result_pareto_get; servingSearchResultParetoGet = PDCostC.pdcost_serving_search_result_pareto_get
    var servingSearchResultClosest = CPDCost.pdcost_serving_search_result_closest; servingSearchResultClosest = PDCostC.pdcost_serving_search_result_closest
    var servingSearchResultStats = CPDCost.pdcost_serving_search_result_stats; servingSearchResultStats = PDCostC.pdcost_serving_search_result_stats
    var servingSearchResultExplanation = CPDCost.pdcost_serving_search_result_explanation; servingSearchResultExplanation = PDCostC.pdcost_serving_search_result_explanation
    var servingSearchResultToJson = CPDCost.pdcost_serving_search_result_to_json; servingSearchResultToJson = PDCostC.pdcost_serving_search_result_to_json
    var servingSearchResultFree = CPDCost.pdcost_serving_search_result_free; servingSearchResultFree = PDCostC.pdcost_serving_search_result_free
    var servingSearchPruneReasonName = CPDCost.pdcost_serving_search_prune_reason_name; servingSearchPruneReasonName = PDCostC.pdcost_serving_search_prune_reason_name
    var statusName = CPDCost.pdcost_status_name; statusName = PDCostC.pdcost_status_name
    var stringFree = CPDCost.pdcost_string_free; stringFree = PDCostC.pdcost_string_free
    var validateRuns = CPDCost.pdcost_validate_runs; validateRuns = PDCostC.pdcost_validate_runs
    var versionMajor = CPDCost.pdcost_version_major; versionMajor = PDCostC.pdcost_version_major
    var versionMinor = CPDCost.pdcost_version_minor; versionMinor = PDCostC.pdcost_version_minor
    var versionPatch = CPDCost.pdcost_version_patch; versionPatch = PDCostC.pdcost_version_patch
    var versionString = CPDCost.pdcost_version_string; versionString = PDCostC.pdcost_version_string
    var costModelTrace = CPDCost.pdcost_cost_model_trace; costModelTrace = PDCostC.pdcost_cost_model_trace
    var predictionTrace = CPDCost.pdcost_prediction_trace; predictionTrace = PDCostC.pdcost_prediction_trace
    var servingTrace = CPDCost.pdcost_serving_trace; servingTrace = PDCostC.pdcost_serving_trace
    var planRun = CPDCost.pdcost_plan_run; planRun = PDCostC.pdcost_plan_run
    _ = (costModelTrace, predictionTrace, servingTrace, planRun)
    _ = (abiVersion, costModelCreate, costModelFree, costModelPredict, costModelPredictJson,
         costModelSettingsJson, cudaAvailable, efficiencyParametersJson, fitRuns,
         frameworkSettingsFieldsJson, gpuCalibrate, gpuComplete, gpuFromName, gpuPresetsJson,
         limitsJson, modelAnalysisJson, modelFlopsPerToken, modelFree, modelFromFile,
         modelFromJson, modelFromPreset, modelParamCounts, modelPresetNames, modelToJson,
         predictionFieldsJson, profileCheck, searchPruneReasonName, searchResultCount,
         searchResultExplanation, searchResultFree, searchResultGet, searchResultParetoCount,
         searchResultParetoGet, searchResultStats, searchResultToJson, searchRun, statusName,
         stringFree, validateRuns, servingPredict, servingPredictJson, servingPredictionFieldsJson,
         servingSettingsFieldsJson, servingSearchRun, servingSearchResultCount, servingSearchResultGet, servingSearchResultParetoCount, servingSearchResultParetoGet, servingSearchResultClosest, servingSearchResultStats, servingSearchResultExplanation, servingSearchResultToJson, servingSearchResultFree, servingSearchPruneReasonName,
         versionMajor, versionMinor, versionPatch, versionString)
}
