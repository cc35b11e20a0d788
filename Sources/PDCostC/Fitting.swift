import CPDCost
import PDCost

// Fitting efficiency scales to measured runs: options struct, progress callback, profile out.

@_cdecl("pdcost_fit_runs")
public func pdcost_fit_runs(_ out_profile_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            _ runs_json: UnsafePointer<CChar>?, _ length: Int,
                            _ options: UnsafePointer<pdcost_fit_options>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_profile_json, "out_profile_json")
        let (fitOptions, progress, overrides) = try swiftFitOptions(options)
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        var file = try MeasuredRunsFile.decode(bytes)
        // The same restatement as pdcost_validate_runs: a profile fitted "as the runs were
        // launched" and the validation of it read the same runs.
        let applied = try overrides.map { d throws(PDCostError) in try d.apply(to: &file) }
        // The one progress shape: thousandths of the work done, the message as the stage.
        var result = try RunsFitter.fit(file, options: fitOptions) { fraction, message in
            guard let progress else { return false }
            let done = Int(max(0, min(1, fraction.isFinite ? fraction : 0)) * 1000)
            return progress.report(message, done, 1000)
        }
        result.profile.fit?.overrides = applied
        try store(String(decoding: try result.profile.encoded(), as: UTF8.self), in: out)
    }
}

/// sizeof version 1 of pdcost_fit_options (before the run overrides of 1.8).
let fitOptionsVersion1Size = MemoryLayout<pdcost_fit_options>.offset(of: \pdcost_fit_options.overrides_json)!

/// The Swift options of a caller's `pdcost_fit_options` (NULL: the defaults), its progress
/// callback and its run-overrides document.
func swiftFitOptions(_ pointer: UnsafePointer<pdcost_fit_options>?) throws -> (RunsFitOptions, CProgress?, RunOverrides?) {
    var result = RunsFitOptions()
    guard pointer != nil else { return (result, nil, nil) }
    let o = try readVersioned(pointer, "options", type: "pdcost_fit_options",
                              latestVersion: PDCOST_FIT_OPTIONS_VERSION, minimumSize: fitOptionsVersion1Size)
    if let names = o.parameters {
        result.parameters = [try utf8String(names, "options->parameters")]
    }
    if let file = o.runs_file {
        result.runsFile = try utf8String(file, "options->runs_file")
    }
    switch o.cross_validation {
    case PDCOST_CV_AUTO.rawValue: result.crossValidation = .automatic
    case PDCOST_CV_NONE.rawValue: result.crossValidation = .none
    case PDCOST_CV_LEAVE_ONE_SOURCE_OUT.rawValue: result.crossValidation = .leaveOneSourceOut
    case PDCOST_CV_KFOLD.rawValue: result.crossValidation = .kFold
    case PDCOST_CV_LEAVE_ONE_MODEL_OUT.rawValue: result.crossValidation = .leaveOneModelOut
    default: throw PDCostError.invalidArgument("options->cross_validation=\(o.cross_validation) is not a pdcost_cross_validation")
    }
    if o.folds != 0 { result.folds = Int(o.folds) }
    if o.max_iterations != 0 { result.maxIterations = Int(o.max_iterations) }
    if o.min_runs_per_parameter != 0 { result.minimumRunsPerParameter = Int(o.min_runs_per_parameter) }
    let known = PDCOST_FIT_COMPLETE_ONLY | PDCOST_FIT_ALL_SUPPORTED
    guard o.flags & ~known == 0 else {
        throw PDCostError.invalidArgument("options->flags=\(o.flags) has unknown bits (known: PDCOST_FIT_COMPLETE_ONLY, PDCOST_FIT_ALL_SUPPORTED)")
    }
    result.completeOnly = o.flags & PDCOST_FIT_COMPLETE_ONLY != 0
    result.selection = o.flags & PDCOST_FIT_ALL_SUPPORTED != 0 ? .all : .forward
    let overrides = try borrowedOverrides(o.overrides_json, length: o.overrides_length,
                                          parameter: "options->overrides_json")
    return (result, CProgress(o.progress, o.user), overrides)
}
