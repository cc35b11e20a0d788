import CPDCost
@testable import PDCost
@testable import PDCostC
import Testing

/// The C view of a search entry never traps, whatever numbers the prediction holds.
@Suite struct SearchEntryConversionTests {
    static func entry(microBatches: Double) -> SearchEntry {
        var prediction = Prediction()
        prediction.microBatches = microBatches
        let candidate = SearchCandidate(plan: ParallelPlan(dp: 8), microBatchSize: 2, recompute: .none,
                                        optimizerOffloadRatio: 0)
        return SearchEntry(candidate: candidate, prediction: prediction, peakAllocatedBytes: 1)
    }

    @Test func gradientAccumulationStepsAreClamped() {
        // Int(Double) traps on NaN, ±inf and values past Int.max; the conversion clamps instead.
        #expect(cSearchEntry(Self.entry(microBatches: 4)).gradient_accumulation_steps == 4)
        #expect(cSearchEntry(Self.entry(microBatches: .nan)).gradient_accumulation_steps == 0)
        #expect(cSearchEntry(Self.entry(microBatches: .infinity)).gradient_accumulation_steps == 0)
        #expect(cSearchEntry(Self.entry(microBatches: -3)).gradient_accumulation_steps == 0)
        #expect(cSearchEntry(Self.entry(microBatches: 1e30)).gradient_accumulation_steps == UInt32.max)
    }
}
