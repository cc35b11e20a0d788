import CPDCost
import PDCost

// Validation against measured runs: the whole report in one call. Training records go to the
// training validator; since 1.2 `kind: "inference"` records go to the serving validator and
// appear in the report's "serving" part (text: the serving MAPE table after the training one).

@_cdecl("pdcost_validate_runs")
public func pdcost_validate_runs(_ out_report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ runs_json: UnsafePointer<CChar>?, _ length: Int,
                                 _ options: UnsafePointer<pdcost_validate_options>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_report, "out_report")
        var o = pdcost_validate_options()
        if let options {
            o = try readVersioned(options, "options", type: "pdcost_validate_options",
                                  latestVersion: PDCOST_VALIDATE_OPTIONS_VERSION, minimumSize: validateOptionsVersion1Size)
        }
        let known = PDCOST_VALIDATE_TEXT | PDCOST_VALIDATE_ONLY_COMPLETE
        guard o.flags & ~known == 0 else {
            throw PDCostError.invalidArgument("options->flags=\(o.flags) has unknown bits (known: PDCOST_VALIDATE_TEXT, PDCOST_VALIDATE_ONLY_COMPLETE)")
        }
        guard o.reserved == 0 else { throw PDCostError.invalidArgument("options->reserved=\(o.reserved) must be 0") }
        let profile = try borrowedProfile(o.profile_json, length: o.profile_length, parameter: "options->profile_json")
        let overrides = try borrowedOverrides(o.overrides_json, length: o.overrides_length,
                                              parameter: "options->overrides_json")
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        var file = try MeasuredRunsFile.decode(bytes)
        let applied = try overrides.map { d throws(PDCostError) in try d.apply(to: &file) }
        var serving: ServingValidationReport?
        if file.runs.contains(where: { $0.kind == "inference" }) {
            serving = try ServingValidator.validate(json: bytes)
            file.runs.removeAll { $0.kind == "inference" }
        }
        let report = try profile.map { p throws(PDCostError) in try Validator.validate(file, profile: p) }
            ?? Validator.validate(file)
        if o.flags & PDCOST_VALIDATE_TEXT != 0 {
            var text = ""
            if serving == nil || !file.runs.isEmpty {
                text = ValidationRenderer.render(report, onlyComplete: o.flags & PDCOST_VALIDATE_ONLY_COMPLETE != 0)
            }
            if let applied {
                text += "\nrun overrides: \(applied.runs) runs restated by \(applied.entries) entries\n"
            }
            if let serving {
                if !text.isEmpty { text += "\n" }
                text += "Serving (kind: inference), MAPE % per source group:\n" + serving.rendered()
            }
            try store(text, in: out)
        } else {
            var members: [(key: String, value: JSONValue)] = []
            if case .object(let training) = report.jsonValue { members = training }
            members.append(("overrides", .optional(applied) {
                .object([("entries", .int($0.entries)), ("runs", .int($0.runs))])
            }))
            members.append(("serving", .optional(serving) { $0.jsonValue }))
            try store(JSONWriter.document(.object(members), layout: .expanded(levels: 2)), in: out)
        }
    }
}

/// sizeof version 1 of pdcost_validate_options (before the run overrides of 1.7).
let validateOptionsVersion1Size = MemoryLayout<pdcost_validate_options>.offset(of: \pdcost_validate_options.overrides_json)!

/// A borrowed run-overrides document, or nil for NULL with length 0.
func borrowedOverrides(_ pointer: UnsafePointer<CChar>?, length: Int, parameter: String) throws -> RunOverrides? {
    if pointer == nil && length == 0 { return nil }
    let bytes = try borrowedJSON(pointer, length: length, parameter: parameter, document: "run-overrides document")
    do {
        return try RunOverrides.decode(bytes)
    } catch {
        throw error.prefixed("\(parameter): ")
    }
}
