import CPDCost
import PDCost

// Validation against measured runs: the whole report in one call.

@_cdecl("pdcost_validate_runs")
public func pdcost_validate_runs(_ runs_json: UnsafePointer<CChar>?, _ length: Int, _ flags: UInt32,
                                 _ out_report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    // The same call without a profile (the defaults).
    pdcost_validate_runs_with_profile(runs_json, length, nil, 0, flags, out_report)
}
