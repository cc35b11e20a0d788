import CPDCost

// A compile-time proof that every thunk has exactly the type of its declaration in pdcost.h.
// `@_cdecl` alone checks nothing against the header: a thunk declared with, say, UInt32 where
// the header says size_t would link and corrupt arguments at run time. Assigning each thunk to a
// variable typed by the header's declaration (as Swift imports it) fails to compile on any
// mismatch. The function is never called; only its type checking matters.
@inline(never)
func _assertThunksMatchHeader() {
    var statusName = CPDCost.pdcost_status_name; statusName = PDCostC.pdcost_status_name
    var major = CPDCost.pdcost_version_major; major = PDCostC.pdcost_version_major
    var minor = CPDCost.pdcost_version_minor; minor = PDCostC.pdcost_version_minor
    var patch = CPDCost.pdcost_version_patch; patch = PDCostC.pdcost_version_patch
    var abi = CPDCost.pdcost_abi_version; abi = PDCostC.pdcost_abi_version
    var versionString = CPDCost.pdcost_version_string; versionString = PDCostC.pdcost_version_string
    var stringFree = CPDCost.pdcost_string_free; stringFree = PDCostC.pdcost_string_free
    var fromPreset = CPDCost.pdcost_model_from_preset; fromPreset = PDCostC.pdcost_model_from_preset
    var fromJSON = CPDCost.pdcost_model_from_json; fromJSON = PDCostC.pdcost_model_from_json
    var fromFile = CPDCost.pdcost_model_from_file; fromFile = PDCostC.pdcost_model_from_file
    var modelFree = CPDCost.pdcost_model_free; modelFree = PDCostC.pdcost_model_free
    var toJSON = CPDCost.pdcost_model_to_json; toJSON = PDCostC.pdcost_model_to_json
    var presetNames = CPDCost.pdcost_model_preset_names; presetNames = PDCostC.pdcost_model_preset_names
    var paramCounts = CPDCost.pdcost_model_param_counts; paramCounts = PDCostC.pdcost_model_param_counts
    var flops = CPDCost.pdcost_model_flops_per_token; flops = PDCostC.pdcost_model_flops_per_token
    var analysis = CPDCost.pdcost_model_analysis_json; analysis = PDCostC.pdcost_model_analysis_json
    var gpu = CPDCost.pdcost_gpu_from_name; gpu = PDCostC.pdcost_gpu_from_name
    var gpuJSON = CPDCost.pdcost_gpu_presets_json; gpuJSON = PDCostC.pdcost_gpu_presets_json
    var gpuComplete = CPDCost.pdcost_gpu_complete; gpuComplete = PDCostC.pdcost_gpu_complete
    _ = gpuComplete
    var costCreate = CPDCost.pdcost_cost_model_create; costCreate = PDCostC.pdcost_cost_model_create
    var costFree = CPDCost.pdcost_cost_model_free; costFree = PDCostC.pdcost_cost_model_free
    var predict = CPDCost.pdcost_cost_model_predict; predict = PDCostC.pdcost_cost_model_predict
    var predictJSON = CPDCost.pdcost_cost_model_predict_json; predictJSON = PDCostC.pdcost_cost_model_predict_json
    var settingsFields = CPDCost.pdcost_framework_settings_fields_json; settingsFields = PDCostC.pdcost_framework_settings_fields_json
    var settingsJSON = CPDCost.pdcost_cost_model_settings_json; settingsJSON = PDCostC.pdcost_cost_model_settings_json
    var validate = CPDCost.pdcost_validate_runs; validate = PDCostC.pdcost_validate_runs
    // Calibration profiles and fitting (Profiles.swift, Fitting.swift).
    var profileCheck = CPDCost.pdcost_profile_check; profileCheck = PDCostC.pdcost_profile_check
    var efficiencyJSON = CPDCost.pdcost_efficiency_parameters_json
    efficiencyJSON = PDCostC.pdcost_efficiency_parameters_json
    var costWithProfile = CPDCost.pdcost_cost_model_create_with_profile
    costWithProfile = PDCostC.pdcost_cost_model_create_with_profile
    var validateWithProfile = CPDCost.pdcost_validate_runs_with_profile
    validateWithProfile = PDCostC.pdcost_validate_runs_with_profile
    var fitRuns = CPDCost.pdcost_fit_runs; fitRuns = PDCostC.pdcost_fit_runs
    _ = (profileCheck, efficiencyJSON, costWithProfile, validateWithProfile, fitRuns)
    var gpuCalibrate = CPDCost.pdcost_gpu_calibrate; gpuCalibrate = PDCostC.pdcost_gpu_calibrate
    var cudaAvailable = CPDCost.pdcost_cuda_available; cudaAvailable = PDCostC.pdcost_cuda_available
    _ = (gpuCalibrate, cudaAvailable)
    // Plan search (Search.swift).
    var searchRun = CPDCost.pdcost_search_run; searchRun = PDCostC.pdcost_search_run
    var searchCount = CPDCost.pdcost_search_result_count; searchCount = PDCostC.pdcost_search_result_count
    var searchGet = CPDCost.pdcost_search_result_get; searchGet = PDCostC.pdcost_search_result_get
    var paretoCount = CPDCost.pdcost_search_result_pareto_count; paretoCount = PDCostC.pdcost_search_result_pareto_count
    var paretoGet = CPDCost.pdcost_search_result_pareto_get; paretoGet = PDCostC.pdcost_search_result_pareto_get
    var searchStats = CPDCost.pdcost_search_result_stats; searchStats = PDCostC.pdcost_search_result_stats
    var searchWhy = CPDCost.pdcost_search_result_explanation; searchWhy = PDCostC.pdcost_search_result_explanation
    var searchJSON = CPDCost.pdcost_search_result_to_json; searchJSON = PDCostC.pdcost_search_result_to_json
    var searchFree = CPDCost.pdcost_search_result_free; searchFree = PDCostC.pdcost_search_result_free
    var reasonName = CPDCost.pdcost_search_prune_reason_name; reasonName = PDCostC.pdcost_search_prune_reason_name
    _ = (searchRun, searchCount, searchGet, paretoCount, paretoGet, searchStats, searchWhy, searchJSON,
         searchFree, reasonName)
    // Limits table (Limits.swift).
    var limitsJSON = CPDCost.pdcost_limits_json; limitsJSON = PDCostC.pdcost_limits_json
    _ = limitsJSON
    _ = (statusName, major, minor, patch, abi, versionString, stringFree, fromPreset, fromJSON,
         fromFile, modelFree, toJSON, presetNames, paramCounts, flops, analysis, gpu, gpuJSON,
         costCreate, costFree, predict, predictJSON, settingsFields, settingsJSON, validate)
}
