/// The plan space of one search, with every framework constraint checked in one place.
///
/// ## The constraints (checked in this order; each failure is a `SearchPruneReason`)
/// World: `tp·pp·cp·dp = num_gpus`; tp, pp and cp range over the divisors of the GPU count
/// within the option limits and dp is what is left. Then, as in `ParallelPlan.validate` (the
/// shared rules) and `SearchFramework` (the per-framework ones):
/// 1. tp divides `num_attention_heads`; tp divides `num_key_value_heads`, or is a multiple
///    of it where the framework replicates KV heads (MLA models have no KV-head rule);
///    a TP group stays inside a node unless allowed (`gpus_per_node % tp == 0` when the
///    job spans nodes).
/// 2. The layers split over pp stages: evenly, or unevenly where the framework allows
///    (`PipelineSplit.splits`).
/// 3. `seq_len % (2·cp) == 0` (load-balanced causal CP); frameworks without CP use cp = 1.
/// 4. `global_batch % dp == 0`, then `global_batch % (mbs·dp) == 0` per micro-batch size.
/// 5. MoE: ep ranges over the divisors of `num_experts`, etp over the divisors of tp;
///    etp divides `moe_intermediate_size`; `ep·etp` divides `tp·cp·dp` (whole edp).
/// 6. ZeRO stage within the framework's (DeepSpeed: ≤ 1 with pp > 1); offload > 0 needs a
///    sharded optimizer (ZeRO ≥ 1), a framework with offload and, for PaddleFormers, dp > 1;
///    DeepSpeed: `offload_param` and a ratio below 1 need ZeRO-3, and a stated
///    `offload_optimizer = none` admits ratio 0 only (`FrameworkProfile.offloadAllowed`).
/// 7. Memory lower bound: the model states of the busiest stage fit (exact, see
///    `CostModel.modelStateLowerBound`).
/// 8. vpp (≥ 2, pp ≥ 2, framework with interleaving) divides the layers of every stage (an
///    outer stage one layer lighter than the middle counts its embedding/loss as a layer).
/// 9. Sequence parallelism (tp > 1): `(seq_len/cp) % tp == 0`.
/// 10. Recomputation: none, selective, full, or full on N = 1…chunk−1 layers per model chunk.
///
/// The outer choices (tp, pipeline split, cp) form the *work units* that threads take one at
/// a time; the rest is enumerated inside a unit without allocating.
struct PlanSpace: Sendable {
    let numGPUs: Int
    let seqLen: Int
    let globalBatch: Int
    let framework: SearchFramework
    let options: SearchOptions
    let isMoE: Bool
    /// Candidate lists fixed for the whole search.
    let epDegrees: [Int]
    let zeroStages: [Int]
    let microBatchSizes: [Int]
    let offloadRatios: [Double]
    let selectiveRecompute: Recompute
    let expertWidth: Int
    /// Work units, in a fixed order.
    let units: [WorkUnit]
    /// Candidates rejected while building the units (by `SearchPruneReason.rawValue`).
    let unitPruned: [Int]

    struct WorkUnit: Sendable {
        let tp: Int
        let pp: Int
        let cp: Int
        let dp: Int
        let split: PipelineSplit
        /// Model tokens seen by sequence parallelism's check (seq_len / cp).
        let localSeq: Int
    }

    init(model m: ModelSpec, cluster: Cluster, setup: TrainingSetup, options o: SearchOptions) {
        let n = cluster.numGPUs
        numGPUs = n
        seqLen = setup.seqLen
        globalBatch = setup.globalBatchSize
        let fw = SearchFramework(setup.framework.kind)
        framework = fw
        options = o
        isMoE = m.moe != nil
        var pruned = [Int](repeating: 0, count: SearchPruneReason.allCases.count)
        func prune(_ r: SearchPruneReason) { pruned[r.rawValue] += 1 }

        let divisorsN = Self.divisors(of: n)
        let nodeSize = max(cluster.gpusPerNode, 1)
        let maxTP = o.maxTP ?? (o.allowTensorParallelAcrossNodes ? n : min(nodeSize, n))
        let layers = m.numLayers
        let maxPP = o.maxPP ?? layers

        if let moe = m.moe, fw.supportsExpertParallel {
            let limit = o.maxEP ?? moe.numExperts
            epDegrees = Self.divisors(of: moe.numExperts).filter { $0 <= limit }
            expertWidth = moe.expertIntermediateSize
        } else {
            epDegrees = [1]
            expertWidth = m.moe?.expertIntermediateSize ?? 0
        }
        let requested = o.zeroStages ?? fw.zeroStages
        var stages: [Int] = []
        for z in requested.sorted() where fw.supportsZeroStage(z) && !stages.contains(z) { stages.append(z) }
        zeroStages = stages
        var sizes: [Int] = []
        for s in o.microBatchSizes.sorted() where !sizes.contains(s) { sizes.append(s) }
        microBatchSizes = sizes
        var ratios: [Double] = []
        for requested in o.optimizerOffloadRatios.sorted() {
            // The ratio as priced (DeepSpeed's `offload_optimizer.ratio`: 0 → 1 once a device is
            // stated, `FrameworkProfile.optimizerOffload`), so an entry shows what it costs.
            let r = setup.framework.optimizerOffload(ratio: requested).ratio
            if !ratios.contains(r) { ratios.append(r) }
        }
        offloadRatios = ratios
        // "selective" means what it means to `CostModel.evaluate` through every door
        // (`Recompute.selective`, PDCOST_RECOMPUTE_SELECTIVE, Python "selective"): a result
        // entry says only "selective", so any other default would price a plan the caller
        // cannot ask `predict` for.
        selectiveRecompute = o.selectiveModules.map { Recompute(.selective, modules: $0) } ?? .selective

        var units: [WorkUnit] = []
        // A framework without TP or PP enumerates degree 1 only (not pruned: not a plan it has).
        for tp in divisorsN where tp <= maxTP && (tp == 1 || fw.supportsTensorParallel) {
            // 1. Heads, KV heads, node boundary.
            if m.numAttentionHeads % tp != 0 { prune(.tensorParallelHeads); continue }
            if m.mla == nil && m.numKeyValueHeads % tp != 0 {
                let replicate = fw.replicatesKVHeads
                    && ParallelPlan.replicatesKVHeads(tp: tp, kvHeads: m.numKeyValueHeads)
                if !replicate { prune(.tensorParallelKVHeads); continue }
            }
            if !o.allowTensorParallelAcrossNodes && n > nodeSize && (tp > nodeSize || nodeSize % tp != 0) {
                prune(.tensorParallelAcrossNodes); continue
            }
            for pp in Self.divisors(of: n / tp) where pp <= maxPP && (pp == 1 || fw.supportsPipeline) {
                // 2. Layer split.
                let splits = PipelineSplit.splits(layers: layers, pp: pp, uneven: fw.supportsUnevenPipeline && o.unevenPipeline,
                                                  maxReduction: o.maxStageLayerReduction)
                if splits.isEmpty { prune(.pipelineLayerSplit); continue }
                for split in splits {
                    for cp in Self.divisors(of: n / (tp * pp)) where cp <= o.maxCP {
                        if cp > 1 && !fw.supportsContextParallel { continue }
                        // 3. Context parallelism.
                        if cp > 1 && setup.seqLen % (2 * cp) != 0 { prune(.contextParallelSequence); continue }
                        // 4. Whole gradient accumulation.
                        let dp = n / (tp * pp * cp)
                        if setup.globalBatchSize % dp != 0 { prune(.globalBatch); continue }
                        units.append(WorkUnit(tp: tp, pp: pp, cp: cp, dp: dp, split: split, localSeq: setup.seqLen / cp))
                    }
                }
            }
        }
        self.units = units
        unitPruned = pruned
    }

    static func divisors(of n: Int) -> [Int] {
        guard n >= 1 else { return [] }
        var small: [Int] = [], large: [Int] = []
        var d = 1
        while d * d <= n {
            if n % d == 0 {
                small.append(d)
                if d * d != n { large.append(n / d) }
            }
            d += 1
        }
        return small + large.reversed()
    }
}

/// What one complete candidate is, besides the plan itself.
public struct SearchCandidate: Sendable, Hashable {
    public var plan: ParallelPlan
    public var microBatchSize: Int
    public var recompute: Recompute
    public var optimizerOffloadRatio: Double

    public init(plan: ParallelPlan, microBatchSize: Int, recompute: Recompute, optimizerOffloadRatio: Double) {
        self.plan = plan
        self.microBatchSize = microBatchSize
        self.recompute = recompute
        self.optimizerOffloadRatio = optimizerOffloadRatio
    }

    /// GPUs per model replica: tp·pp·cp.
    public var replicaSize: Int { plan.tp &* plan.pp &* plan.cp }

    /// A fixed lexicographic order over every field (smaller degrees first), the last tie rule
    /// of the ranking.
    func keyPrecedes(_ o: SearchCandidate) -> Bool {
        let a = plan, b = o.plan
        @inline(__always) func cmp(_ x: Int, _ y: Int) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        var c = cmp(a.tp, b.tp); if c != 0 { return c < 0 }
        c = cmp(a.pp, b.pp); if c != 0 { return c < 0 }
        c = cmp(a.vpp, b.vpp); if c != 0 { return c < 0 }
        c = cmp(a.cp, b.cp); if c != 0 { return c < 0 }
        c = cmp(a.ep, b.ep); if c != 0 { return c < 0 }
        c = cmp(a.expertTP, b.expertTP); if c != 0 { return c < 0 }
        c = cmp(a.zeroStage, b.zeroStage); if c != 0 { return c < 0 }
        c = cmp(a.fsdp ? 1 : 0, b.fsdp ? 1 : 0); if c != 0 { return c < 0 }
        c = cmp(a.sequenceParallel ? 1 : 0, b.sequenceParallel ? 1 : 0); if c != 0 { return c < 0 }
        c = cmp(a.firstStageLayers ?? 0, b.firstStageLayers ?? 0); if c != 0 { return c < 0 }
        c = cmp(a.lastStageLayers ?? 0, b.lastStageLayers ?? 0); if c != 0 { return c < 0 }
        c = cmp(microBatchSize, o.microBatchSize); if c != 0 { return c < 0 }
        c = cmp(recompute.granularity.order, o.recompute.granularity.order); if c != 0 { return c < 0 }
        c = cmp(recompute.numLayers ?? 0, o.recompute.numLayers ?? 0); if c != 0 { return c < 0 }
        c = cmp(Int(recompute.modules.rawValue), Int(o.recompute.modules.rawValue)); if c != 0 { return c < 0 }
        return optimizerOffloadRatio < o.optimizerOffloadRatio
    }
}

extension Recompute.Granularity {
    /// none < selective < full (less recomputation first).
    var order: Int {
        switch self {
        case .none: 0
        case .selective: 1
        case .full: 2
        }
    }
}
