import CPDCost
import PDCost

// The limits table (PDCostLimits) for C callers: the whole table as JSON at run time; the
// header's PDCOST_MAX_* macros repeat the maxima for compile time (tests compare the two).

@_cdecl("pdcost_limits_json")
public func pdcost_limits_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(PDCostLimits.json(), in: out)
    }
}
