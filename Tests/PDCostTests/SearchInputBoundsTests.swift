import Testing
@testable import PDCost

/// Limits of the search's inputs that the fuzzer (Tests/fuzz) probes: a huge top_k must not
/// reserve memory per worker up front, and must still return every plan that fits.
@Suite("Search input bounds")
struct SearchInputBoundsTests {
    @Test("top_k = 100000 reserves a bounded list per worker")
    func hugeTopKReservesLittle() {
        // Before the cap each worker reserved topK + 1 entries: 100 001 × the size of an entry
        // (a full Prediction), tens of MB per thread, before a single plan was priced.
        let accumulator = SearchAccumulator(topK: 100_000)
        #expect(accumulator.top.capacity <= 2 * (SearchAccumulator.reservedTopEntries + 1))
        #expect(accumulator.topK == 100_000)
    }

    @Test("top_k beyond the reserve still returns every plan that fits, ranked")
    func hugeTopKReturnsAllFeasible() throws {
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 64)
        let cost = try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: cluster,
                                 setup: TrainingSetup(seqLen: 8192, globalBatchSize: 256))
        var options = SearchOptions()
        options.topK = 100_000
        options.threads = 2
        let r = try PlanSearch(cost: cost, options: options).run()
        // Every feasible plan is kept (fewer than top_k exist), so the list must grow past the
        // 1024 reserved entries for this model: the count must equal the feasible count.
        #expect(r.stats.feasible > SearchAccumulator.reservedTopEntries)
        #expect(r.top.count == r.stats.feasible)
        for (a, b) in zip(r.top, r.top.dropFirst()) {
            #expect(!SearchEntry.ranksBefore(b, a))
        }
    }
}
