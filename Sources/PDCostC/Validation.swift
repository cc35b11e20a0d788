import CPDCost
import PDCost

// Validation against measured runs: the whole report in one call.

@_cdecl("pdcost_validate_runs")
public func pdcost_validate_runs(_ runs_json: UnsafePointer<CChar>?, _ length: Int, _ flags: UInt32,
                                 _ out_report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_report, "out_report")
        let known = PDCOST_VALIDATE_TEXT | PDCOST_VALIDATE_ONLY_COMPLETE
        guard flags & ~known == 0 else {
            throw PDCostError.invalidArgument("flags=\(flags) has unknown bits (known: PDCOST_VALIDATE_TEXT, PDCOST_VALIDATE_ONLY_COMPLETE)")
        }
        let bytes = try borrowedJSON(runs_json, length: length, parameter: "runs_json", document: "runs file")
        let report = try Validator.validate(json: bytes)
        if flags & PDCOST_VALIDATE_TEXT != 0 {
            try store(ValidationRenderer.render(report, onlyComplete: flags & PDCOST_VALIDATE_ONLY_COMPLETE != 0), in: out)
        } else {
            try store(report.json(), in: out)
        }
    }
}
