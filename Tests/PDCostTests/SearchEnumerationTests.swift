import Testing
@testable import PDCost

/// The plan search's enumeration against hand-counted small spaces.
@Suite("Search enumeration")
struct SearchEnumerationTests {
    /// A 4-layer model with 4 attention heads and 2 KV heads.
    static let tiny = ModelSpec(name: "tiny", modelType: "llama", numLayers: 4, hiddenSize: 256,
                                intermediateSize: 512, numAttentionHeads: 4, numKeyValueHeads: 2,
                                vocabSize: 1024)

    /// One option value per knob, so the count is just the split of 4 GPUs.
    static func minimalOptions() -> SearchOptions {
        var o = SearchOptions()
        o.microBatchSizes = [1]
        o.recompute = .none
        o.zeroStages = [1]
        o.maxVPP = 1
        o.maxCP = 1
        o.unevenPipeline = false
        o.topK = 100
        o.threads = 1
        return o
    }

    func search(_ model: ModelSpec, gpus: Int, framework: FrameworkProfile, options: SearchOptions,
                seq: Int = 1024, batch: Int = 4) throws -> SearchResult {
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus, gpusPerNode: 4)
        let setup = TrainingSetup(seqLen: seq, globalBatchSize: batch, framework: framework)
        let cost = try CostModel(model: model, cluster: cluster, setup: setup)
        return try PlanSearch(cost: cost, options: options).run()
    }

    @Test("4 GPUs, Megatron: 5 plans, tp=4 pruned by the KV heads")
    func tinyMegatron() throws {
        // tp ∈ divisors(4) = {1, 2, 4}; tp=4 does not divide the 2 KV heads (Megatron does not
        // replicate them): 1 pruned. tp=1: pp ∈ {1, 2, 4} (all divide 4 layers), dp = 4, 2, 1;
        // tp=2: pp ∈ {1, 2}, dp = 2, 1. Every dp divides the global batch of 4 → 5 plans.
        let r = try search(Self.tiny, gpus: 4, framework: .megatron, options: Self.minimalOptions())
        #expect(r.stats.evaluated == 5)
        #expect(r.stats.feasible == 5)
        #expect(r.stats.pruned == [.tensorParallelKVHeads: 1])
        #expect(r.stats.enumerated == 6)
        let splits = Set(r.top.map { [$0.plan.tp, $0.plan.pp, $0.plan.dp] })
        #expect(splits == [[1, 1, 4], [1, 2, 2], [1, 4, 1], [2, 1, 2], [2, 2, 1]])
        // Every plan the search returns passes the plan validation.
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 4, gpusPerNode: 4)
        for e in r.top {
            let setup = TrainingSetup(seqLen: 1024, microBatchSize: e.candidate.microBatchSize, globalBatchSize: 4,
                                      recompute: e.candidate.recompute)
            try e.plan.validate(model: Self.tiny, cluster: cluster, setup: setup)
            #expect(e.plan.sequenceParallel == (e.plan.tp > 1))
        }
    }

    @Test("PaddleFormers replicates KV heads: tp=4 over 2 KV heads is a 6th plan")
    func tinyPaddleFormers() throws {
        let r = try search(Self.tiny, gpus: 4, framework: .paddleformers, options: Self.minimalOptions())
        #expect(r.stats.evaluated == 6)
        #expect(r.stats.pruned.isEmpty)
        #expect(r.top.contains { $0.plan.tp == 4 && $0.plan.pp == 1 && $0.plan.dp == 1 })
    }

    @Test("the knobs multiply: mbs, recomputation, ZeRO, global batch")
    func knobs() throws {
        var o = Self.minimalOptions()
        o.microBatchSizes = [1, 2, 3]
        o.recompute = [.none, .selective, .full, .partialFull]
        o.zeroStages = [0, 1]
        // Global batch 4. Per (tp, pp, dp) of the 5 above, per ZeRO stage (2):
        //   mbs=1 always divides 4/dp; mbs=2 needs dp ∈ {1, 2}; mbs=3 never (pruned).
        //   Recomputation: none, selective, full, plus full on N = 1…chunk−1 layers, chunk = 4/pp.
        // (tp,pp,dp) = (1,1,4): mbs 1 → 3 + 3 (chunk 4) = 6;            mbs 2 pruned, 3 pruned
        //              (1,2,2): mbs 1,2 → 2 × (3 + 1) = 8;              mbs 3 pruned
        //              (1,4,1): mbs 1,2 → 2 × 3 = 6;                    mbs 3 pruned
        //              (2,1,2): mbs 1,2 → 2 × (3 + 3) = 12;             mbs 3 pruned
        //              (2,2,1): mbs 1,2 → 2 × (3 + 1) = 8;              mbs 3 pruned
        // Evaluated: 2 × (6 + 8 + 6 + 12 + 8) = 80. Pruned global_batch: 2 × (2 + 1 + 1 + 1 + 1) = 12.
        let r = try search(Self.tiny, gpus: 4, framework: .megatron, options: o)
        #expect(r.stats.evaluated == 80)
        #expect(r.stats.pruned[.globalBatch] == 12)
        #expect(r.stats.pruned[.tensorParallelKVHeads] == 1)
        #expect(r.stats.enumerated == r.stats.feasible + r.stats.pruned.values.reduce(0, +))
    }

    @Test("uneven pipeline splits, hand-listed")
    func unevenSplits() {
        func list(_ layers: Int, _ pp: Int, _ r: Int) -> [[Int]] {
            PipelineSplit.splits(layers: layers, pp: pp, uneven: true, maxReduction: r)
                .map { [$0.first, $0.middle, $0.last] }
        }
        // Llama-3.1-405B, 126 layers on 16 stages: middle 8 (8·16 − 126 = 2 layers to give up),
        // (first, last) = (8, 6), (7, 7) (Meta's split, Llama 3 §3.3.2), (6, 8).
        #expect(list(126, 16, 2) == [[8, 8, 6], [7, 8, 7], [6, 8, 8]])
        #expect(list(126, 16, 1) == [[7, 8, 7]])
        // 126 on 2 stages: even 63/63, or one stage up to 2 lighter than the other.
        #expect(list(126, 2, 2) == [[63, 63, 63], [64, 64, 62], [62, 64, 64]])
        // 5 layers on 2 stages: no even split; 3/2 or 2/3.
        #expect(list(5, 2, 1) == [[3, 3, 2], [2, 3, 3]])
        // DeepSeek-V3, 61 layers on 16 stages: middle 4, the outer stages give up 3 layers.
        #expect(list(61, 16, 2) == [[3, 4, 2], [2, 4, 3]])
        // Without uneven support only even splits remain.
        #expect(PipelineSplit.splits(layers: 126, pp: 16, uneven: false, maxReduction: 2).isEmpty)
        #expect(PipelineSplit.splits(layers: 4, pp: 8, uneven: true, maxReduction: 2).isEmpty)
    }

    @Test("the KV-head rule: Megatron prunes tp=16 over 8 KV heads, PaddleFormers replicates")
    func kvReplication() throws {
        let model = try ModelPresets.named("llama3-8b")
        var o = Self.minimalOptions()
        o.maxTP = 16
        o.maxPP = 1
        o.allowTensorParallelAcrossNodes = true
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 16)
        for (framework, expectTP16) in [(FrameworkProfile.megatron, false), (.paddleformers, true)] {
            let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 16, framework: framework)
            let cost = try CostModel(model: model, cluster: cluster, setup: setup)
            let space = PlanSpace(model: model, cluster: cluster, setup: setup, options: o)
            // tp ∈ {1, 2, 4, 8, 16}, pp = 1: tp=16 is the only one past the 8 KV heads.
            #expect(space.units.contains { $0.tp == 16 } == expectTP16)
            #expect(space.unitPruned[SearchPruneReason.tensorParallelKVHeads.rawValue] == (expectTP16 ? 0 : 1))
            _ = cost
        }
    }
}
