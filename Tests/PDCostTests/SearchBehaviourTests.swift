import Testing
@testable import PDCost

/// Determinism, cancellation, empty results and published plans.
@Suite("Search behaviour")
struct SearchBehaviourTests {
    static func cost(_ model: String, gpu: String = "H100-SXM-80GB", gpus: Int, seq: Int, batch: Int,
                     framework: FrameworkProfile = .megatron) throws -> CostModel {
        let cluster = Cluster(gpu: try GPUPresets.named(gpu), numGPUs: gpus)
        return try CostModel(model: try ModelPresets.named(model), cluster: cluster,
                             setup: TrainingSetup(seqLen: seq, globalBatchSize: batch, framework: framework))
    }

    /// What must not depend on threads: the ranked plans, the front, and every count.
    static func fingerprint(_ r: SearchResult) -> [String] {
        var lines = r.top.map { "top \($0.candidate) \($0.throughput) \($0.peakAllocatedBytes)" }
        lines += r.pareto.map { "pareto \($0.candidate) \($0.throughput) \($0.peakAllocatedBytes)" }
        let s = r.stats
        lines.append("\(s.enumerated) \(s.evaluated) \(s.feasible) \(s.prunedInOrder.map { "\($0.reason.name)=\($0.count)" })")
        return lines
    }

    @Test("same ranking with 1, 2 and 4 threads")
    func determinism() throws {
        let cost = try Self.cost("llama3-8b", gpus: 64, seq: 8192, batch: 256)
        var options = SearchOptions()
        options.topK = 20
        var results: [[String]] = []
        for threads in [1, 2, 4] {
            options.threads = threads
            let r = try PlanSearch(cost: cost, options: options).run()
            #expect(r.stats.threads == min(threads, r.stats.workUnits))
            #expect(!r.top.isEmpty)
            results.append(Self.fingerprint(r))
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
    }

    @Test("the memory lower bound removes no plan that fits")
    func lowerBoundIsExact() throws {
        let cost = try Self.cost("llama3-70b", gpus: 64, seq: 8192, batch: 128)
        var options = SearchOptions()
        options.topK = 50
        options.threads = 2
        let pruned = try PlanSearch(cost: cost, options: options).run()
        options.memoryLowerBoundPruning = false
        let full = try PlanSearch(cost: cost, options: options).run()
        #expect(pruned.stats.pruned[.memoryLowerBound, default: 0] > 0)
        #expect(pruned.stats.feasible == full.stats.feasible)
        #expect(pruned.top.map(\.candidate) == full.top.map(\.candidate))
        #expect(pruned.pareto.map(\.candidate) == full.pareto.map(\.candidate))
        #expect(pruned.stats.evaluated < full.stats.evaluated)
    }

    @Test("ranking order and Pareto front are consistent")
    func rankingAndFront() throws {
        let cost = try Self.cost("llama3-8b", gpus: 16, seq: 4096, batch: 64)
        var options = SearchOptions()
        options.topK = 30
        let r = try PlanSearch(cost: cost, options: options).run()
        for (a, b) in zip(r.top, r.top.dropFirst()) { #expect(SearchEntry.ranksBefore(a, b)) }
        // The best plan is on the front (nothing is both faster and smaller), and along the
        // front memory and throughput both rise.
        #expect(r.pareto.last?.candidate == r.top.first?.candidate)
        for (a, b) in zip(r.pareto, r.pareto.dropFirst()) {
            #expect(a.peakAllocatedBytes < b.peakAllocatedBytes)
            #expect(a.throughput < b.throughput)
        }
        for e in r.top { #expect(e.prediction.fitsMemory) }
    }

    @Test("cancellation: before the start and from the progress callback")
    func cancellation() throws {
        let cost = try Self.cost("llama3.1-405b", gpus: 16384, seq: 8192, batch: 2048)
        let token = SearchCancellation()
        token.cancel()
        let none = try PlanSearch(cost: cost).run(cancellation: token)
        #expect(none.stats.cancelled)
        #expect(none.stats.workUnitsDone == 0)
        #expect(none.top.isEmpty)
        #expect(none.explanation?.contains("cancelled") == true)

        var options = SearchOptions()
        options.threads = 1
        var calls = 0
        let stopped = try PlanSearch(cost: cost, options: options).run { done, total in
            calls += 1
            #expect(done <= total)
            return true
        }
        #expect(calls >= 1)
        #expect(stopped.stats.cancelled)
        #expect(stopped.stats.workUnitsDone < stopped.stats.workUnits)
    }

    @Test("progress reaches the total when not cancelled")
    func progress() throws {
        let cost = try Self.cost("llama3-8b", gpus: 8, seq: 4096, batch: 64)
        var last = (0, 0)
        var options = SearchOptions()
        options.threads = 2
        let r = try PlanSearch(cost: cost, options: options).run { done, total in
            last = (done, total)
            return false
        }
        #expect(last.0 == last.1)
        #expect(last.1 == r.stats.workUnits)
        #expect(!r.stats.cancelled)
    }

    @Test("nothing fits: the explanation names the closest plan and the shortfall")
    func emptyExplained() throws {
        // 405B parameters on 8 GPUs: even fully sharded, 405e9 × 16 B / 8 ≈ 755 GiB each.
        let huge = try Self.cost("llama3.1-405b", gpus: 8, seq: 4096, batch: 8)
        let r = try PlanSearch(cost: huge).run()
        #expect(r.top.isEmpty && r.pareto.isEmpty)
        #expect(r.stats.feasible == 0)
        let text = try #require(r.explanation)
        #expect(text.hasPrefix("no plan fits in memory"))
        #expect(text.contains("misses by"))
        #expect(text.contains("memory_lower_bound="))

        // Model states fit but activations do not: a 1M-token sequence without CP.
        var options = SearchOptions()
        options.maxCP = 1
        let long = try Self.cost("llama3-8b", gpus: 8, seq: 1 << 20, batch: 8)
        let r2 = try PlanSearch(cost: long, options: options).run()
        #expect(r2.top.isEmpty)
        let closest = try #require(r2.closest)
        #expect(closest.peakAllocatedBytes > r2.memoryLimitBytes)
        #expect(r2.explanation?.contains("the closest, tp=") == true)
    }

    @Test("Llama-3.1-405B on 16,384 H100: Meta's plan is enumerated, fits, and is not beaten by less")
    func metaLlama405B() throws {
        // Dubey et al. 2024 (Llama 3), §3.3.2 / Table 4: TP8, PP16, CP1, DP128 at seq 8192 with
        // 16M-token batches (2048 sequences); one layer fewer on the first and last stage.
        let cost = try Self.cost("llama3.1-405b", gpus: 16384, seq: 8192, batch: 2048)
        let meta = ParallelPlan(tp: 8, pp: 16, dp: 128, cp: 1, sequenceParallel: true,
                                firstStageLayers: 7, lastStageLayers: 7)
        try meta.validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        // Enumerated: its work unit exists.
        let space = PlanSpace(model: cost.model, cluster: cost.cluster, setup: cost.setup, options: SearchOptions())
        #expect(space.units.contains { $0.tp == 8 && $0.pp == 16 && $0.cp == 1 && $0.split.first == 7 && $0.split.last == 7 })
        // Fits with mbs=1 under some recomputation.
        let fitting = [Recompute.none, .selective, .full].map {
            cost.evaluate(meta, microBatchSize: 1, recompute: $0, optimizerOffloadRatio: 0)
        }.filter(\.fitsMemory)
        let best = try #require(fitting.max { $0.tokensPerSecond < $1.tokensPerSecond })
        let r = try PlanSearch(cost: cost).run()
        let top = try #require(r.top.first)
        #expect(top.throughput >= best.tokensPerSecond)
        // Interleaved: 126 layers + embedding + loss = 128 = 16 stages × 8 one-layer chunks, so
        // vpp = 8 is a whole-chunk split of 7/8…8/7 (Megatron account_for_embedding/loss).
        let metaSplit = PipelineSplit(first: 7, middle: 8, last: 7, explicitFirst: 7, explicitLast: 7)
        #expect(metaSplit.cutsIntoChunks(vpp: 8))
        #expect(metaSplit.cutsIntoChunks(vpp: 2))   // embedding + 7 = two chunks of 4
        #expect(metaSplit.cutsIntoChunks(vpp: 3) == false)   // 3 does not divide 8
        #expect(PipelineSplit(first: 6, middle: 8, last: 8, explicitFirst: 6, explicitLast: nil).cutsIntoChunks(vpp: 8) == false)
        #expect(PipelineSplit(first: 6, middle: 8, last: 8, explicitFirst: 6, explicitLast: nil).cutsIntoChunks(vpp: 2))
    }
}
