import CPDCost
import PDCost

// Validation against measured runs: the whole report in one call.

@_cdecl("pdcost_validate_runs")
public func pdcost_validate_runs(_ out_report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ runs_json: UnsafePointer<CChar>?, _ length: Int,
                                 _ options: UnsafePointer<pdcost_validate_options>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_report, "out_report")
        var o = pdcost_validate_options()
        if let options {
            o = try readVersioned(options, "options", type: "pdcost_validate_options",
                                  latestVersion: PDCOST_VALIDATE_OPTIONS_VERSION)
        }
        let known = PDCOST_VALIDATE_TEXT | PDCOST_VALIDATE_ONLY_COMPLETE
        guard o.flags & ~known == 0 else {
            throw PDCostError.invalidArgument("options->flags=\(o.flags) has unknown bits (known: PDCOST_VALIDATE_TEXT, PDCOST_VALIDATE_ONLY_COMPLETE)")
        }
        guard o.reserved == 0 else { throw PDCostError.invalidArgument("options->reserved=\(o.reserved) must be 0") }
        let profile = try borrowedProfile(o.profile_json, length: o.profile_length, parameter: "options->profile_json")
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        let report = try Validator.validate(json: bytes, profile: profile)
        if o.flags & PDCOST_VALIDATE_TEXT != 0 {
            try store(ValidationRenderer.render(report, onlyComplete: o.flags & PDCOST_VALIDATE_ONLY_COMPLETE != 0), in: out)
        } else {
            try store(report.json(), in: out)
        }
    }
}
