import CPDCost
import PDCost
import Testing

/// The serving search's C tables against the core: the prune-reason enum and names.
@Suite("Serving search C tables")
struct ServingSearchCTests {
    @Test("pdcost_serving_prune_reason follows ServingSearchPruneReason (order and names)")
    func pruneReasons() {
        #expect(Int(PDCOST_SERVING_PRUNE_REASONS.rawValue) == ServingSearchPruneReason.allCases.count)
        for reason in ServingSearchPruneReason.allCases {
            let c = pdcost_serving_prune_reason(rawValue: UInt32(reason.rawValue))
            #expect(String(cString: pdcost_serving_search_prune_reason_name(c)) == reason.name)
        }
    }

    @Test("pdcost_serving_percentile follows ServingPercentile")
    func percentiles() {
        #expect(PDCOST_PERCENTILE_P50.rawValue == 0 && PDCOST_PERCENTILE_P90.rawValue == 1 && PDCOST_PERCENTILE_P99.rawValue == 2)
        #expect(ServingPercentile.allCases.map(\.rawValue) == ["p50", "p90", "p99"])
    }
}
