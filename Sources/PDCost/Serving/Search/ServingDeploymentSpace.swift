/// The replica layouts of one serving search, with every deployment rule checked in one place.
///
/// ## The constraints (checked in this order; each failure is a `ServingSearchPruneReason`)
/// A layout is (tp, pp, attention-DP, expert-parallel, weight precision, KV precision,
/// engine). tp ranges over 1…min(max_tp, budget), pp over the powers of two with tp·pp ≤
/// budget and pp ≤ max_pp. The rules mirror `ServingDeployment.validated` (which stays the one
/// authority: a layout the mirror lets through is still built by `ServingCostModel`, and a
/// refusal there is counted as `deploymentInvalid`):
/// 1. tp ≤ gpus_per_node (serving TP stays in one NVLink domain).
/// 2. pp ≤ num_hidden_layers.
/// 3. Without attention-DP: tp divides `num_attention_heads`; tp divides or is a multiple of
///    `num_key_value_heads` (not for MLA). With attention-DP: tp > 1.
/// 4. Expert parallel: tp divides `num_experts`.
/// 5. fp4 weights need FP4 tensor cores.
/// Then, per layout (in `ServingSearchWorker`): the weights fit (`weightsMemory`); per batch,
/// the KV pool holds it (`kvCapacity`); per priced point, not saturated and within the targets.
/// Disaggregated pairs add: some prefill × decode replica counts fill the budget (`poolSplit`).
///
/// Layouts are the work units of the first stage, in a fixed order.
struct ServingDeploymentSpace: Sendable {
    let budget: Int
    /// Layouts that pass the structural rules, in enumeration order.
    let layouts: [ServingDeployment]
    /// Candidates rejected while building the layouts (by `ServingSearchPruneReason.rawValue`).
    let pruned: [Int]

    init(model m: ModelSpec, cluster c: Cluster, options o: ServingSearchOptions) {
        let budget = o.maxGPUs ?? c.numGPUs
        self.budget = budget
        var pruned = [Int](repeating: 0, count: ServingSearchPruneReason.allCases.count)
        func prune(_ r: ServingSearchPruneReason) { pruned[r.rawValue] += 1 }
        let maxTP = min(o.maxTP ?? c.gpusPerNode, budget)
        let isMoE = m.moe != nil
        let adpChoices: [Bool] = isMoE && o.tryAttentionDataParallel ? [false, true] : [false]
        let epChoices: [Bool] = isMoE && o.tryExpertParallel ? [false, true] : [false]
        let weights = o.weightChoices(c.gpu)
        let kvs = o.kvChoices(c.gpu)
        let engines = ServingSearchOptions.unique(o.engines)
        var layouts: [ServingDeployment] = []
        for tp in 1...max(maxTP, 1) {
            // 1. TP inside a node.
            if tp > c.gpusPerNode { prune(.tensorParallelAcrossNodes); continue }
            var pp = 1
            while tp * pp <= budget && pp <= (o.maxPP ?? Int.max) {
                defer { pp *= 2 }
                // 2. Layers to split.
                if pp > m.numLayers { prune(.pipelineLayers); continue }
                for adp in adpChoices {
                    // 3. Heads.
                    if adp {
                        if tp == 1 { prune(.attentionDataParallelTP); continue }
                    } else {
                        if m.numAttentionHeads % tp != 0 { prune(.tensorParallelHeads); continue }
                        if m.mla == nil, m.numKeyValueHeads % tp != 0, tp % m.numKeyValueHeads != 0 {
                            prune(.tensorParallelKVHeads); continue
                        }
                    }
                    for ep in epChoices {
                        // 4. Experts over the TP ranks.
                        if ep, let moe = m.moe, moe.numExperts % tp != 0 { prune(.expertParallelExperts); continue }
                        for wp in weights {
                            // 5. Precision kernels.
                            if wp == .fp4 && !c.gpu.supportsFP4 { prune(.precisionUnsupported); continue }
                            for kv in kvs {
                                for engine in engines {
                                    layouts.append(ServingDeployment(
                                        tp: tp, pp: pp, replicas: 1, expertParallel: ep, attentionDataParallel: adp,
                                        weightPrecision: wp, kvCachePrecision: kv, engine: engine,
                                        settings: o.settings))
                                }
                            }
                        }
                    }
                }
            }
        }
        self.layouts = layouts
        self.pruned = pruned
    }
}
