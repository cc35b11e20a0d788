/// One plan's degrees and per-rank shapes as Doubles, derived once at the start of
/// `CostModel.evaluate` so that the memory, compute and communication models share them.
/// Degrees are clamped to ≥ 1: an unvalidated plan gives a meaningless number, never a trap.
struct PlanContext {
    let tp: Double, pp: Double, vpp: Double, dp: Double, cp: Double, ep: Double, etp: Double
    /// Expert-data-parallel size tp·cp·dp/(ep·etp).
    let edp: Double
    /// Ranks that hold a replica of the dense parameters and shard their optimizer states.
    let denseShardGroup: Double
    let sp: Bool
    let zeroStage: Int
    let fsdp: Bool
    /// The plan names FSDP itself (not DeepSpeed-style ZeRO-3): decides, for frameworks that
    /// run both, which engine holds the model state (`FrameworkProfile.zeroStagesRunDeepSpeed`).
    let fsdpWrapped: Bool
    let mbs: Double
    /// Micro-batches per step and replica (gradient accumulation).
    let microBatches: Double
    /// Tokens of one micro-batch a rank computes GEMMs on: mbs·s/cp.
    let tokens: Double
    /// Tokens of the replicated (norm/residual) work: tokens/tp with sequence parallelism.
    let tokensSP: Double
    /// Local sequence length s/cp.
    let localSeq: Double
    /// Tokens for activation memory (max_seq_len based).
    let memoryTokens: Double
    let memoryTokensSP: Double
    /// Vocabulary padded to a multiple of 128·tp (Megatron `make_vocab_size_divisible_by=128`).
    let paddedVocab: Double
    // Layers per stage.
    let layersFirst: Double, layersMiddle: Double, layersLast: Double
    // Group placement (members per node) following the tp-cp-ep-dp-pp rank order.
    let tpPerNode: Double
    let cpPerNode: Double
    let dpPerNode: Double
    let epPerNode: Double
    let edpPerNode: Double
    let ppAcrossNodes: Bool
    let recompute: Recompute
    /// Share of the optimizer states off the GPU (DeepSpeed: `offload_optimizer.ratio`).
    let offloadRatio: Double
    /// DeepSpeed `offload_optimizer.device` (none: other frameworks' offload, or none).
    let optimizerDevice: FrameworkSettings.OffloadDevice
    /// DeepSpeed `offload_param.device`, at ZeRO-3 (none otherwise).
    let parameterDevice: FrameworkSettings.OffloadDevice

    init(plan: ParallelPlan, workload w: Workload, microBatchSize: Int, recompute: Recompute,
         offloadRatio: Double, optimizerDevice: FrameworkSettings.OffloadDevice = .none,
         parameterDevice: FrameworkSettings.OffloadDevice = .none) {
        tp = Double(max(plan.tp, 1))
        pp = Double(max(plan.pp, 1))
        vpp = Double(max(plan.vpp, 1))
        dp = Double(max(plan.dp, 1))
        cp = Double(max(plan.cp, 1))
        ep = Double(max(plan.ep, 1))
        etp = Double(max(plan.etp ?? 1, 1))
        edp = max((tp * cp * dp / (ep * etp)).rounded(.down), 1)
        denseShardGroup = dp * cp
        sp = plan.sequenceParallel && plan.tp > 1
        zeroStage = plan.zeroStage
        fsdp = plan.fsdp || plan.zeroStage >= 3
        fsdpWrapped = plan.fsdp
        mbs = Double(max(microBatchSize, 1))
        microBatches = max((w.globalBatch / (mbs * dp)).rounded(.down), 1)
        localSeq = w.seqLen / cp
        tokens = mbs * localSeq
        tokensSP = sp ? tokens / tp : tokens
        memoryTokens = mbs * w.memorySeqLen / cp
        memoryTokensSP = sp ? memoryTokens / tp : memoryTokens
        let multiple = 128 * tp
        paddedVocab = (w.vocab / multiple).rounded(.up) * multiple

        let L = w.layers
        if plan.pp > 1, plan.firstStageLayers != nil || plan.lastStageLayers != nil {
            let first = plan.firstStageLayers.map(Double.init)
            let last = plan.lastStageLayers.map(Double.init)
            let others = pp - (first == nil ? 0 : 1) - (last == nil ? 0 : 1)
            let rest = L - (first ?? 0) - (last ?? 0)
            let middle = others > 0 ? rest / others : rest
            layersFirst = first ?? middle
            layersLast = last ?? middle
            layersMiddle = middle
        } else {
            // An uneven count without an explicit split (torchtitan splits by ceil): the busiest
            // stage carries ceil(L/pp).
            let even = (L / pp).rounded(.up)
            layersFirst = even
            layersMiddle = even
            layersLast = max(L - even * (pp - 1), 1)
        }

        tpPerNode = w.net.membersPerNode(ranks: tp, stride: 1)
        cpPerNode = w.net.membersPerNode(ranks: cp, stride: tp)
        dpPerNode = w.net.membersPerNode(ranks: dp * cp, stride: tp)
        // Expert groups: Megatron-Core builds them with their own generator in the order
        // tp-ep-dp-pp with tp = etp (parallel_state.py, `expert_decoder_rank_generator`).
        epPerNode = w.net.membersPerNode(ranks: ep, stride: etp)
        edpPerNode = w.net.membersPerNode(ranks: edp, stride: etp * ep)
        // Stage neighbours are tp·cp·dp ranks apart; some boundary crosses nodes unless the
        // whole pipeline fits in one node, and the slowest boundary paces the pipeline.
        ppAcrossNodes = tp * cp * dp * pp > w.net.gpusPerNode
        self.recompute = recompute
        self.offloadRatio = min(max(offloadRatio, 0), 1)
        self.optimizerDevice = optimizerDevice
        self.parameterDevice = fsdp ? parameterDevice : .none
    }
}
