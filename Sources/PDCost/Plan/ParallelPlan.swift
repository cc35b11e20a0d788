/// How a training job is split over GPUs: the degrees of every parallel dimension.
///
/// ## Rank layout (the one place this convention is defined)
/// pdcost follows Megatron-Core's default rank order `tp-cp-ep-dp-pp`
/// (megatron/core/parallel_state.py, `initialize_model_parallel(order="tp-cp-ep-dp-pp")`):
/// - the world is `tp·cp·dp·pp` GPUs; TP ranks are adjacent (inside a node), CP ranks next,
///   then DP, and pipeline stages are the outermost (slowest-varying) dimension;
/// - expert parallelism is carved out of the same `tp·cp·dp` GPUs of one pipeline stage:
///   the expert layers see them as `etp · ep · edp`, so the **expert-data-parallel size is
///   `edp = tp·cp·dp / (ep·etp)`** and must be a whole number. `etp` defaults to 1
///   (Megatron `--expert-tensor-parallel-size` default) when nil.
/// - dense parameters are replicated over `dp·cp` ranks (CP ranks hold the same weights), so
///   their gradients are reduced, and their optimizer states sharded, over `dp·cp`
///   (Megatron's distributed optimizer uses the data-parallel group *with* context parallel:
///   `parallel_state.get_data_parallel_group(with_context_parallel=True)`).
///
/// `dp` counts replicas of the model; with ZeRO/FSDP those replicas shard states among
/// themselves. The micro-batch size, recomputation and offload are training-setup knobs
/// (`TrainingSetup`), which `CostModel.evaluate` can override per call.
public struct ParallelPlan: Sendable, Hashable {
    /// Tensor-parallel degree (Megatron `--tensor-model-parallel-size`).
    public var tp: Int
    /// Pipeline stages.
    public var pp: Int
    /// Virtual stages (model chunks) per pipeline rank; 1 = plain 1F1B, >1 = interleaved 1F1B.
    public var vpp: Int
    /// Data-parallel replicas.
    public var dp: Int
    /// Context-parallel degree (the sequence is split over `cp` ranks).
    public var cp: Int
    /// Expert-parallel degree.
    public var ep: Int
    /// Expert tensor-parallel degree; nil means 1.
    public var etp: Int?
    /// Sequence parallelism (Korthikanti et al. 2022 §4.2.2): norms, dropout and residuals are
    /// split along the sequence over the TP group; TP all-reduces become all-gather +
    /// reduce-scatter. Has no effect when `tp == 1`.
    public var sequenceParallel: Bool
    /// ZeRO stage (Rajbhandari et al. 2020): 0 = replicated states, 1 = optimizer states sharded
    /// (Megatron distributed optimizer), 2 = + gradients, 3 = + parameters.
    public var zeroStage: Int
    /// Fully sharded data parallel (PyTorch FSDP/FSDP2, Megatron-FSDP): parameters, gradients
    /// and optimizer states sharded, with per-layer all-gathers. Implies ZeRO-3 behaviour.
    public var fsdp: Bool
    /// Decoder layers on the first pipeline stage when the split is uneven (Megatron
    /// `--decoder-first-pipeline-num-layers`); nil = even split.
    public var firstStageLayers: Int?
    /// Decoder layers on the last pipeline stage when the split is uneven
    /// (`--decoder-last-pipeline-num-layers`); nil = even split.
    public var lastStageLayers: Int?

    public init(tp: Int = 1, pp: Int = 1, vpp: Int = 1, dp: Int = 1, cp: Int = 1, ep: Int = 1,
                etp: Int? = nil, sequenceParallel: Bool = false, zeroStage: Int = 1,
                fsdp: Bool = false, firstStageLayers: Int? = nil, lastStageLayers: Int? = nil) {
        self.tp = tp
        self.pp = pp
        self.vpp = vpp
        self.dp = dp
        self.cp = cp
        self.ep = ep
        self.etp = etp
        self.sequenceParallel = sequenceParallel
        self.zeroStage = zeroStage
        self.fsdp = fsdp
        self.firstStageLayers = firstStageLayers
        self.lastStageLayers = lastStageLayers
    }

    /// GPUs the plan occupies: `tp·pp·dp·cp` (EP reuses the same GPUs).
    public var worldSize: Int { tp &* pp &* dp &* cp }

    /// Expert tensor-parallel degree with the default applied.
    public var expertTP: Int { etp ?? 1 }

    /// Expert-data-parallel degree `tp·cp·dp / (ep·etp)` (see the type's documentation).
    public var expertDP: Int {
        let denominator = ep &* expertTP
        return denominator > 0 ? (tp &* cp &* dp) / denominator : 0
    }

    /// Whether sequence parallelism actually applies (it needs `tp > 1`).
    public var effectiveSequenceParallel: Bool { sequenceParallel && tp > 1 }

    /// Whether parameters are sharded (ZeRO-3 or FSDP).
    public var shardsParameters: Bool { fsdp || zeroStage >= 3 }
}
