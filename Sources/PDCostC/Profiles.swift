import CPDCost
import PDCost

// Calibration profiles across the boundary: checking one and listing the constants it may
// name. Cost models and validation take a profile through their options structs.

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
