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
/// The outer choices (tp, pipeline split, cp) form the *layouts* (`units`). Constraints 5 and 6
/// are checked once per layout while the space is built, and every (layout, ep, etp, ZeRO,
/// offload) that passes them is a *work item*: threads take items one at a time, largest
/// first, and enumerate the rest (7–10) inside an item without allocating. The items taken
/// last are the smallest, so two threads finish together even where a search has only a few
/// layouts (issue 17).
struct PlanSpace: Sendable {
    let numGPUs: Int
    let seqLen: Int
    let globalBatch: Int
    let framework: SearchFramework
    let options: SearchOptions
    let isMoE: Bool
    /// Layer activation offload is stated (`FrameworkProfile.activationOffloadLayers`): pp = 1
    /// and no recomputation only.
    let offloadsActivations: Bool
    /// Candidate lists fixed for the whole search.
    let epDegrees: [Int]
    let zeroStages: [Int]
    let microBatchSizes: [Int]
    let offloadRatios: [Double]
    let selectiveRecompute: Recompute
    let expertWidth: Int
    /// Layouts, in a fixed order.
    let units: [WorkUnit]
    /// What threads take: every layout's ep × etp × ZeRO × offload choices that pass
    /// constraints 5 and 6, largest estimated work first.
    let items: [WorkItem]
    /// Candidates rejected while building the layouts and items (by `SearchPruneReason.rawValue`).
    let unitPruned: [Int]

    struct WorkUnit: Sendable {
        let tp: Int
        let pp: Int
        let cp: Int
        let dp: Int
        let split: PipelineSplit
        /// Model tokens seen by sequence parallelism's check (seq_len / cp).
        let localSeq: Int
        /// Largest vpp tried: each model chunk holds at least one layer, so no vpp beyond the
        /// middle stages' layers can cut them (the loop stays bounded by the model, whatever
        /// max_vpp says).
        let maxVPP: Int
    }

    /// One layout with its expert, ZeRO and offload choice. (Not finer: the memory lower bound
    /// is computed once per item and costs about a third of a priced plan; split by vpp as
    /// well, it was computed again for every vpp, 3.5 % more instructions in all for the
    /// acceptance searches (callgrind), for no better balance once items go largest first.)
    struct WorkItem: Sendable, Hashable {
        /// Index into `units`.
        let unit: Int
        let ep: Int
        let etp: Int
        let zeroStage: Int
        /// ZeRO-3 runs as FSDP (`SearchFramework.zeroThreeIsFSDP`), except the Trainer's when
        /// DeepSpeed offload is stated: only DeepSpeed's engine runs that.
        let fsdp: Bool
        /// Index into `offloadRatios`.
        let ratio: Int
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
        offloadsActivations = setup.framework.activationOffloadLayers > 0
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
            // Megatron-Core offloads activations only with pp = 1 (`ParallelPlan.validate`):
            // with offload stated, deeper pipelines are not plans the framework has.
            for pp in Self.divisors(of: n / tp)
            where pp <= maxPP && (pp == 1 || (fw.supportsPipeline && !offloadsActivations)) {
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
                        let maxVPP = fw.supportsVirtualPipeline && pp >= 2 ? max(min(o.maxVPP, split.middle), 1) : 1
                        units.append(WorkUnit(tp: tp, pp: pp, cp: cp, dp: dp, split: split, localSeq: setup.seqLen / cp,
                                              maxVPP: maxVPP))
                    }
                }
            }
        }
        self.units = units

        // Items: constraints 5 and 6 per layout, each failure counted once.
        var combos: [WorkItem] = []
        let deepSpeedZeroThree = setup.framework.zeroStagesRunDeepSpeed && setup.framework.statesDeepSpeedOffload
        for (index, u) in units.enumerated() {
            let stageGPUs = u.tp * u.cp * u.dp
            for ep in epDegrees {
                for etp in 1...max(min(u.tp, isMoE ? o.maxETP : 1), 1) where u.tp % etp == 0 {
                    // 5. Expert groups.
                    if isMoE {
                        if expertWidth % etp != 0 { prune(.expertTensorParallel); continue }
                        if stageGPUs % (ep * etp) != 0 { prune(.expertGroup); continue }
                    }
                    for zero in stages {
                        // 6. ZeRO and offload.
                        if u.pp > 1 && zero > fw.maxZeroStageWithPipeline { prune(.zeroWithPipeline); continue }
                        for (r, ratio) in ratios.enumerated() {
                            if ratio > 0 && (!fw.supportsOptimizerOffload || zero < 1
                                             || (fw.offloadNeedsDataParallel && u.dp == 1)) {
                                prune(.optimizerOffload); continue
                            }
                            let fsdp = zero == 3 && fw.zeroThreeIsFSDP && !deepSpeedZeroThree
                            if !setup.framework.offloadAllowed(zeroStage: zero, fsdp: fsdp, optimizerOffloadRatio: ratio) {
                                prune(.optimizerOffload); continue
                            }
                            combos.append(WorkItem(unit: index, ep: ep, etp: etp, zeroStage: zero, fsdp: fsdp, ratio: r))
                        }
                    }
                }
            }
        }
        // Largest first (longest-processing-time order): the last items taken are the smallest,
        // so the threads finish together. The estimate is the plans an item prices per
        // micro-batch size before any memory check: sp choices × recomputation modes (partial
        // full recomputation has chunk − 1 of them); ties keep the enumeration order.
        let spChoices = o.sequenceParallel == .both ? 2 : 1
        let fixedModes = [RecomputeChoices.none, .selective, .full].filter { o.recompute.contains($0) }.count
        let partial = o.recompute.contains(.partialFull)
        func estimate(_ item: WorkItem) -> Int {
            let u = units[item.unit]
            var plans = 0
            for vpp in 1...u.maxVPP where vpp == 1 || u.split.cutsIntoChunks(vpp: vpp) {
                let modes = fixedModes + (partial ? max(u.split.middle / vpp, 1) - 1 : 0)
                plans += (u.tp > 1 ? spChoices : 1) * modes
            }
            return plans
        }
        items = Self.largestFirst(combos, work: combos.map(estimate))
        unitPruned = pruned
    }

    /// `items` ordered by `work` descending, ties in their given order. A counting sort where
    /// the estimates are small (the usual case: a few plans per item), so building the order
    /// costs the calling thread O(items) before the workers start.
    static func largestFirst(_ items: [WorkItem], work: [Int]) -> [WorkItem] {
        let top = work.max() ?? 0
        guard top <= 4 * items.count + 1024 else {
            return items.indices.sorted { a, b in work[a] != work[b] ? work[a] > work[b] : a < b }.map { items[$0] }
        }
        // starts[k]: where the items of estimate k begin, largest estimate first.
        var starts = [Int](repeating: 0, count: top + 2)
        for w in work { starts[top - w + 1] += 1 }
        for k in 1..<starts.count { starts[k] += starts[k - 1] }
        var order = [Int](repeating: 0, count: items.count)
        for (i, w) in work.enumerated() {
            order[starts[top - w]] = i
            starts[top - w] += 1
        }
        return order.map { items[$0] }
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
