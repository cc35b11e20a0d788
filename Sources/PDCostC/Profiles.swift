import CPDCost
import PDCost

// Calibration profiles across the boundary: checking one, listing the constants it may name,
// building a cost model and validating runs under one.

/// Decodes an optional `(const char *json, size_t length)` profile: NULL with length 0 is "no
/// profile" (nil).
func borrowedProfile(_ pointer: UnsafePointer<CChar>?, length: Int,
                     parameter: String) throws -> CalibrationProfile? {
    if pointer == nil && length == 0 { return nil }
    let bytes = try borrowedJSON(pointer, length: length, parameter: parameter, document: "calibration profile")
    do {
        return try CalibrationProfile.decode(Array(bytes))
    } catch {
        throw error.prefixed("\(parameter): ")
    }
}

@_cdecl("pdcost_profile_check")
public func pdcost_profile_check(_ profile_json: UnsafePointer<CChar>?, _ length: Int) -> pdcost_status {
    withStatus {
        guard profile_json != nil else {
            throw PDCostError.invalidArgument("profile_json=NULL must be a calibration profile")
        }
        _ = try borrowedProfile(profile_json, length: length, parameter: "profile_json")
    }
}

@_cdecl("pdcost_efficiency_parameters_json")
public func pdcost_efficiency_parameters_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(try encodeJSON(EfficiencyParametersDocument()), in: out)
    }
}

/// The document of pdcost_efficiency_parameters_json.
struct EfficiencyParametersDocument: Encodable {
    struct Entry: Encodable {
        let name: String
        let lower: Double
        let upper: Double
        let summary: String
        let defaults: [String: Double]
    }
    let parameters: [Entry] = EfficiencyProfile.parameters.map { p in
        var defaults: [String: Double] = [:]
        for generation in GPUArchitecture.allCases {
            defaults[generation.rawValue] = EfficiencyProfile.defaults(for: generation)[keyPath: p.keyPath]
        }
        return Entry(name: p.name, lower: p.lowerBound, upper: p.upperBound, summary: p.summary, defaults: defaults)
    }
    let fitGroups: [String: [String]] = FitParameter.groups
    let fitDefaults: [String] = FitParameter.defaultNames

    enum CodingKeys: String, CodingKey {
        case parameters
        case fitGroups = "fit_groups"
        case fitDefaults = "fit_defaults"
    }
}

@_cdecl("pdcost_cost_model_create_with_profile")
public func pdcost_cost_model_create_with_profile(_ out_cost_model: UnsafeMutablePointer<OpaquePointer?>?,
                                                  _ model: OpaquePointer?,
                                                  _ cluster: UnsafePointer<pdcost_cluster>?,
                                                  _ setup: UnsafePointer<pdcost_training_setup>?,
                                                  _ profile_json: UnsafePointer<CChar>?,
                                                  _ length: Int) -> pdcost_status {
    withStatus {
        guard let out_cost_model else {
            throw PDCostError.invalidArgument("out_cost_model=NULL must point to a pdcost_cost_model* variable")
        }
        let spec = try ModelHandle.borrow(model).spec
        let c = try readVersioned(cluster, "cluster", type: "pdcost_cluster", latestVersion: PDCOST_CLUSTER_VERSION)
        let s = try readVersioned(setup, "setup", type: "pdcost_training_setup",
                                  latestVersion: PDCOST_TRAINING_SETUP_VERSION,
                                  versionOneSize: MemoryLayout<pdcost_training_setup>.offset(of: \.settings_json))
        var swiftCluster = try swiftCluster(c)
        if let profile = try borrowedProfile(profile_json, length: length, parameter: "profile_json") {
            swiftCluster = try swiftCluster.applying(profile)
        }
        let cost = try CostModel(model: spec, cluster: swiftCluster, setup: try swiftSetup(s))
        out_cost_model.pointee = CostModelHandle(cost).retainedPointer()
    }
}

@_cdecl("pdcost_validate_runs_with_profile")
public func pdcost_validate_runs_with_profile(_ runs_json: UnsafePointer<CChar>?, _ length: Int,
                                              _ profile_json: UnsafePointer<CChar>?, _ profile_length: Int,
                                              _ flags: UInt32,
                                              _ out_report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_report, "out_report")
        let known = PDCOST_VALIDATE_TEXT | PDCOST_VALIDATE_ONLY_COMPLETE
        guard flags & ~known == 0 else {
            throw PDCostError.invalidArgument("flags=\(flags) has unknown bits (known: PDCOST_VALIDATE_TEXT, PDCOST_VALIDATE_ONLY_COMPLETE)")
        }
        let profile = try borrowedProfile(profile_json, length: profile_length, parameter: "profile_json")
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        let report = try Validator.validate(json: bytes, profile: profile)
        if flags & PDCOST_VALIDATE_TEXT != 0 {
            try store(ValidationRenderer.render(report, onlyComplete: flags & PDCOST_VALIDATE_ONLY_COMPLETE != 0), in: out)
        } else {
            try store(report.json(), in: out)
        }
    }
}
