import Testing
@testable import PDCost

/// How the plan search splits its work over threads (issue 17): fine work items, largest first,
/// the same result for any thread count, and an even split measured without a clock.
@Suite("Search work split")
struct SearchSplitTests {
    static func cost(_ model: String, gpu: String = "H100-SXM-80GB", gpus: Int, seq: Int, batch: Int,
                     dtype: Precision = .bf16, framework: FrameworkProfile = .megatron) throws -> CostModel {
        let cluster = Cluster(gpu: try GPUPresets.named(gpu), numGPUs: gpus)
        return try CostModel(model: try ModelPresets.named(model), cluster: cluster,
                             setup: TrainingSetup(seqLen: seq, globalBatchSize: batch, dtype: dtype, framework: framework))
    }

    /// DeepSpeed with the optimizer offloaded to the CPU, so ZeRO and offload choices are pruned
    /// while the items are built.
    static func deepspeedOffload() throws -> CostModel {
        var settings = FrameworkSettings()
        let field = try #require(FrameworkSettings.field("offload_optimizer"))
        try field.set(&settings, .text("cpu"))
        return try cost("llama3-8b", gpus: 16, seq: 4096, batch: 64,
                        framework: FrameworkProfile(kind: .deepspeed, settings: settings))
    }

    /// The cases: a dense model with uneven pipeline splits and vpp (Llama 3.1 405B, Meta's
    /// setup), the README quick start, a MoE model with expert-group prunes, a MoE model with
    /// expert TP, and DeepSpeed with offload ratios.
    static func cases() throws -> [(name: String, cost: CostModel, options: SearchOptions)] {
        var base = SearchOptions()
        base.topK = 15
        var etp = base
        etp.maxETP = 4
        var offload = base
        offload.optimizerOffloadRatios = [0, 0.5, 1]
        return [
            ("llama3.1-405b/16384", try cost("llama3.1-405b", gpus: 16384, seq: 8192, batch: 2048), base),
            ("llama3-70b/64", try cost("llama3-70b", gpus: 64, seq: 8192, batch: 512), base),
            ("deepseek-v3/256", try cost("deepseek-v3", gpu: "H800-SXM-80GB", gpus: 256, seq: 4096, batch: 1024,
                                         dtype: .fp8), base),
            ("mixtral-8x7b/64 etp", try cost("mixtral-8x7b", gpus: 64, seq: 4096, batch: 256), etp),
            ("llama3-8b/16 deepspeed offload", try deepspeedOffload(), offload),
        ]
    }

    @Test("the same plans, front and counts with 1, 2 and 4 threads on several models")
    func sameForAnyThreadCount() throws {
        for c in try Self.cases() {
            var options = c.options
            var fingerprints: [[String]] = []
            for threads in [1, 2, 4] {
                options.threads = threads
                let r = try PlanSearch(cost: c.cost, options: options).run()
                #expect(r.stats.workUnitsDone == r.stats.workUnits, "\(c.name)")
                #expect(r.stats.enumerated == r.stats.feasible + r.stats.pruned.values.reduce(0, +), "\(c.name)")
                // Every thread that ran did its share, and the shares add up.
                #expect(r.workerLoads.count == r.stats.threads, "\(c.name)")
                #expect(r.workerLoads.reduce(0) { $0 + $1.evaluated } == r.stats.evaluated, "\(c.name)")
                #expect(r.workerLoads.reduce(0) { $0 + $1.units } == r.stats.workUnits, "\(c.name)")
                var lines = SearchBehaviourTests.fingerprint(r)
                lines += r.closest.map { ["closest \($0.candidate) \($0.peakAllocatedBytes)"] } ?? []
                lines += r.closestModelStates.map { ["bound \($0.candidate) \($0.bytes)"] } ?? []
                fingerprints.append(lines)
            }
            #expect(fingerprints[0] == fingerprints[1], "\(c.name): 1 vs 2 threads")
            #expect(fingerprints[0] == fingerprints[2], "\(c.name): 1 vs 4 threads")
        }
    }

    @Test("the items cover each layout's expert, ZeRO and offload choices once")
    func itemsCoverTheSpace() throws {
        for c in try Self.cases() {
            let options = try c.options.validated()
            let space = PlanSpace(model: c.cost.model, cluster: c.cost.cluster, setup: c.cost.setup, options: options)
            #expect(Set(space.items).count == space.items.count, "\(c.name)")
            #expect(space.items.allSatisfy { $0.unit >= 0 && $0.unit < space.units.count }, "\(c.name)")
            #expect(space.items.count > space.units.count, "\(c.name): finer than the layouts")
        }
    }

    /// Plans a work item enumerates (priced or pruned), from a single-threaded walk: the work
    /// of each item without a clock.
    static func itemWork(_ cost: CostModel, _ options: SearchOptions) throws -> [Int] {
        let options = try options.validated()
        let space = PlanSpace(model: cost.model, cluster: cost.cluster, setup: cost.setup, options: options)
        let usable = cost.evaluate(ParallelPlan(dp: cost.cluster.numGPUs)).usableMemory
        let worker = SearchWorker(cost: cost, space: space, limit: usable * (1 - options.memorySafetyMargin))
        let acc = SearchAccumulator(topK: options.topK)
        var before = 0
        return space.items.map { item in
            worker.search(item, into: acc)
            let now = acc.evaluated + acc.pruned.reduce(0, +)
            defer { before = now }
            // +1: taking an item and its memory bound cost about one candidate.
            return now - before + 1
        }
    }

    /// Wall time of two workers taking `work` in order, each the next item when it is free.
    static func twoWorkerSpan(_ work: [Int]) -> Int {
        var busy = (0, 0)
        for w in work { if busy.0 <= busy.1 { busy.0 += w } else { busy.1 += w } }
        return max(busy.0, busy.1)
    }

    @Test("two threads: the busier one gets at most 1 % more than half of the work")
    func evenSplit() throws {
        // The acceptance searches of issue 4 (`pdcost-bench search`) and the README quick start.
        let searches = [
            try Self.cost("llama3.1-405b", gpus: 16384, seq: 8192, batch: 2048),
            try Self.cost("deepseek-v3", gpu: "H800-SXM-80GB", gpus: 2048, seq: 4096, batch: 15360, dtype: .fp8),
            try Self.cost("llama3-70b", gpus: 64, seq: 8192, batch: 512),
        ]
        for cost in searches {
            let work = try Self.itemWork(cost, SearchOptions())
            let total = work.reduce(0, +)
            print("split \(cost.model.name): items \(work.count) total \(total) largest \(work.max() ?? 0) span \(Self.twoWorkerSpan(work))")
            // Even split: the busier of two workers has at most 1 % more than half.
            #expect(Double(Self.twoWorkerSpan(work)) <= 0.505 * Double(total), "\(cost.model.name)")
        }
    }

    @Test("largest first: estimates descending, ties in enumeration order, both sorts agree")
    func largestFirst() {
        let items = (0..<5).map { PlanSpace.WorkItem(unit: $0, ep: 1, etp: 1, zeroStage: 0, fsdp: false, ratio: 0) }
        // Work 3, 1, 3, 0, 2 → items 0 and 2 (3, in order), 4 (2), 1 (1), 3 (0).
        #expect(PlanSpace.largestFirst(items, work: [3, 1, 3, 0, 2]).map(\.unit) == [0, 2, 4, 1, 3])
        // Estimates far above the item count take the comparison sort: the same order.
        #expect(PlanSpace.largestFirst(items, work: [3000, 1, 3000, 0, 2000]).map(\.unit) == [0, 2, 4, 1, 3])
        #expect(PlanSpace.largestFirst([], work: []).isEmpty)
    }
}
