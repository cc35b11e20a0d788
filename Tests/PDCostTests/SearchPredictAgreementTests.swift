import Testing
@testable import PDCost

/// A plan the search returns is a plan `validate` accepts, and `evaluate` of a cost model whose
/// setup carries the entry's knobs (micro-batch, recomputation, offload) gives the entry's
/// prediction exactly: the search and a later predict are one code path.
@Suite("Search and predict agree")
struct SearchPredictAgreementTests {
    static func cost(_ model: String, gpus: Int, seq: Int, batch: Int) throws -> CostModel {
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
        return try CostModel(model: try ModelPresets.named(model), cluster: cluster,
                             setup: TrainingSetup(seqLen: seq, globalBatchSize: batch))
    }

    /// Every entry of `result` (ranked and Pareto) validated and re-priced with the setup knobs
    /// the search chose; returns how many entries were checked.
    @discardableResult
    static func checkEveryEntry(_ result: SearchResult, _ cost: CostModel) throws -> Int {
        let entries = result.top + result.pareto
        for e in entries {
            let c = e.candidate
            var setup = cost.setup
            setup.microBatchSize = c.microBatchSize
            setup.recompute = c.recompute
            setup.optimizerOffloadRatio = c.optimizerOffloadRatio
            #expect(throws: Never.self, "search returned \(SearchText.describe(c))") {
                try c.plan.validate(model: cost.model, cluster: cost.cluster, setup: setup)
            }
            let again = try CostModel(model: cost.model, cluster: cost.cluster, setup: setup).evaluate(c.plan)
            #expect(again == e.prediction, "\(SearchText.describe(c))")
            #expect(again.stepTime == e.prediction.stepTime)
            #expect(again.recomputeTime == e.prediction.recomputeTime)
        }
        return entries.count
    }

    @Test("every split the enumerator proposes validates, and the cost model reads the same layers")
    func splitsValidate() throws {
        // Exhaustive over small layer counts: PipelineSplit.splits (the search) and
        // ParallelPlan.validate + PlanContext (predict) must agree on every one-sided split
        // (only the first or only the last stage given) and every two-sided one.
        let base = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        var oneSided = 0
        for layers in 2...40 {
            var model = base
            model.numLayers = layers
            for pp in [2, 4, 8] where pp <= layers {
                let cost = try CostModel(model: model, cluster: Cluster(gpu: cluster.gpu, numGPUs: pp),
                                         setup: TrainingSetup(seqLen: 4096, globalBatchSize: 8))
                for split in PipelineSplit.splits(layers: layers, pp: pp, uneven: true, maxReduction: 2) {
                    if (split.explicitFirst == nil) != (split.explicitLast == nil) { oneSided += 1 }
                    let plan = ParallelPlan(pp: pp, firstStageLayers: split.explicitFirst,
                                            lastStageLayers: split.explicitLast)
                    #expect(throws: Never.self, "layers=\(layers) pp=\(pp) split=\(split)") {
                        try plan.validate(model: model, cluster: cost.cluster, setup: cost.setup)
                    }
                    let c = PlanContext(plan: plan, workload: cost.w, microBatchSize: 1, recompute: .none,
                                        offloadRatio: 0)
                    #expect(c.layersFirst == Double(split.first) && c.layersMiddle == Double(split.middle)
                            && c.layersLast == Double(split.last), "layers=\(layers) pp=\(pp) split=\(split)")
                    // Recomputing the layers of a whole chunk is within the bound validate checks.
                    var full = cost.setup
                    full.recompute = Recompute(.full, numLayers: split.middle)
                    #expect(throws: Never.self) { try plan.validate(model: model, cluster: cost.cluster, setup: full) }
                }
            }
        }
        #expect(oneSided > 0)
    }

    @Test("a split that gives only the last stage is accepted (80 layers over 3 stages: 27/27/26)")
    func lastStageOnly() throws {
        let model = try ModelPresets.named("llama3-70b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 3)
        let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 3)
        // 80 = 27 + 27 + 26 and 80 = 26 + 27 + 27.
        try ParallelPlan(pp: 3, lastStageLayers: 26).validate(model: model, cluster: cluster, setup: setup)
        try ParallelPlan(pp: 3, firstStageLayers: 26).validate(model: model, cluster: cluster, setup: setup)
        // 80 − 5 = 75 layers do not split over 2 stages; the message names the split.
        #expect(throws: PDCostError.infeasible("the uneven split first=- last=5 leaves 75 layers that do not divide over the other 2 stages")) {
            try ParallelPlan(pp: 3, lastStageLayers: 5).validate(model: model, cluster: cluster, setup: setup)
        }
        #expect(throws: PDCostError.invalidArgument("last_stage_layers=0 must be between 1 and num_hidden_layers=80")) {
            try ParallelPlan(pp: 3, lastStageLayers: 0).validate(model: model, cluster: cluster, setup: setup)
        }
    }

    @Test("dense Llama-3-70B: pipeline splits with only the last stage given")
    func denseLastStageOnly() throws {
        // 80 layers on pp = 2: the uneven splits are 41/39 (last given) and 39/41 (first given).
        let cost = try Self.cost("llama3-70b", gpus: 16, seq: 4096, batch: 32)
        var o = SearchOptions()
        o.maxPP = 2
        o.microBatchSizes = [1]
        o.recompute = [.selective, .full]
        o.zeroStages = [1]
        o.topK = 1000
        o.threads = 2
        let r = try PlanSearch(cost: cost, options: o).run()
        #expect(r.top.contains { $0.plan.firstStageLayers == nil && $0.plan.lastStageLayers == 39 })
        try Self.checkEveryEntry(r, cost)
    }

    @Test("MoE Qwen3-30B-A3B: every entry predicts the same")
    func moe() throws {
        let cost = try Self.cost("qwen3-30b-a3b", gpus: 16, seq: 4096, batch: 64)
        var o = SearchOptions()
        o.microBatchSizes = [1, 2]
        o.maxPP = 4
        o.topK = 40
        o.threads = 2
        let r = try PlanSearch(cost: cost, options: o).run()
        #expect(!r.top.isEmpty)
        try Self.checkEveryEntry(r, cost)
    }

    @Test("DeepSeek-V3 with selective and partial-full recomputation: bit-identical step and recompute time")
    func deepSeekRecompute() throws {
        // MLA: the search once priced "selective" with the MLA up-projections added, which no
        // predict could ask for; now both mean `Recompute.selective`.
        let cost = try Self.cost("deepseek-v3", gpus: 1024, seq: 4096, batch: 1024)
        var o = SearchOptions()
        o.microBatchSizes = [1]
        o.recompute = [.selective, .partialFull]
        o.zeroStages = [1]
        o.maxPP = 16
        o.maxVPP = 1
        o.maxCP = 1
        o.topK = 60
        o.threads = 2
        let r = try PlanSearch(cost: cost, options: o).run()
        #expect(r.top.contains { $0.candidate.recompute.granularity == .selective })
        #expect(r.top.contains { $0.candidate.recompute.numLayers != nil })
        for e in r.top where e.candidate.recompute.granularity == .selective {
            #expect(e.candidate.recompute == .selective)
        }
        try Self.checkEveryEntry(r, cost)
    }
}
