import CPDCost
import PDCost

// Fitting efficiency scales to measured runs: options struct, progress callback, profile out.

@_cdecl("pdcost_fit_runs")
public func pdcost_fit_runs(_ out_profile_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            _ runs_json: UnsafePointer<CChar>?, _ length: Int,
                            _ options: UnsafePointer<pdcost_fit_options>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_profile_json, "out_profile_json")
        let (fitOptions, progress) = try swiftFitOptions(options)
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        let file = try MeasuredRunsFile.decode(bytes)
        // The one progress shape: thousandths of the work done, the message as the stage.
        let result = try RunsFitter.fit(file, options: fitOptions) { fraction, message in
            guard let progress else { return false }
            let done = Int(max(0, min(1, fraction.isFinite ? fraction : 0)) * 1000)
            return progress.report(message, done, 1000)
        }
        try store(String(decoding: try result.profile.encoded(), as: UTF8.self), in: out)
    }
}

/// The Swift options of a caller's `pdcost_fit_options` (NULL: the defaults) and its progress
/// callback.
func swiftFitOptions(_ pointer: UnsafePointer<pdcost_fit_options>?) throws -> (RunsFitOptions, CProgress?) {
    var result = RunsFitOptions()
    guard pointer != nil else { return (result, nil) }
    let o = try readVersioned(pointer, "options", type: "pdcost_fit_options",
                              latestVersion: PDCOST_FIT_OPTIONS_VERSION)
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
    return (result, CProgress(o.progress, o.user))
}
