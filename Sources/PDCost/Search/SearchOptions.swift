/// The knobs of a plan search: how far each parallel dimension may go and which training
/// settings to try. Every limit is inclusive; nil means "as far as the model and cluster allow".
///
/// The defaults search the whole space a framework can run (see `SearchFramework` for what
/// each framework supports) with the settings users commonly vary: micro-batch sizes 1–8 and
/// every recomputation mode, the framework's ZeRO stages, no optimizer offload.
public struct SearchOptions: Sendable, Hashable {
    /// Largest tensor-parallel degree; nil = the GPUs of one node (or the whole job when
    /// `allowTensorParallelAcrossNodes`).
    public var maxTP: Int? = nil
    /// Largest pipeline-parallel degree; nil = the model's layer count.
    public var maxPP: Int? = nil
    /// Largest number of virtual stages per pipeline rank (interleaved 1F1B).
    public var maxVPP: Int = 8
    /// Largest context-parallel degree.
    public var maxCP: Int = 32
    /// Largest expert-parallel degree; nil = the number of experts.
    public var maxEP: Int? = nil
    /// Largest expert tensor-parallel degree (a divisor of tp).
    public var maxETP: Int = 1
    /// Let a tensor-parallel group span nodes (its all-reduces then cross the NICs).
    public var allowTensorParallelAcrossNodes: Bool = false
    /// Micro-batch sizes to try (sequences per micro-batch).
    public var microBatchSizes: [Int] = [1, 2, 4, 8]
    /// Recomputation modes to try.
    public var recompute: RecomputeChoices = .all
    /// Modules dropped by selective recomputation (Megatron `--recompute-modules`); nil =
    /// `Recompute.selective` (the attention core, Megatron-Core's default `core_attn`), which is
    /// what "selective" means to `CostModel.evaluate`, the C ABI (PDCOST_RECOMPUTE_SELECTIVE)
    /// and Python, so every entry of a default search can be predicted again through any of
    /// them with the same numbers. Set e.g. `[.coreAttention, .mlaUpProjection]` (DeepSeek-V3
    /// recipes) to rank with other modules; the entries then carry them
    /// (`SearchCandidate.recompute`), which only the Swift API can pass back to `evaluate`.
    public var selectiveModules: RecomputeModules? = nil
    /// ZeRO stages to try: 0–2, and 3 for ZeRO-3/FSDP. nil = every stage the framework runs
    /// (`SearchFramework.zeroStages`); stages the framework cannot run are dropped.
    public var zeroStages: [Int]? = nil
    /// Shares of the optimizer states kept in host memory to try (0...1).
    public var optimizerOffloadRatios: [Double] = [0]
    /// Sequence parallelism with tp > 1.
    public var sequenceParallel: SequenceParallelChoice = .on
    /// Try uneven pipeline splits (first and/or last stage lighter) where the framework allows.
    public var unevenPipeline: Bool = true
    /// How many layers lighter than the middle stages the first or last stage may be in an
    /// uneven split (Llama 3: one layer fewer on each, to balance embedding and output layer).
    public var maxStageLayerReduction: Int = 2
    /// Plans returned, ranked by throughput.
    public var topK: Int = 10
    /// Share of the usable GPU memory held back: a plan fits when its peak allocated memory is
    /// at most `(1 − memorySafetyMargin) · usable`. 0 = the cost model's own `fitsMemory`.
    public var memorySafetyMargin: Double = 0
    /// Worker threads; 0 = every core.
    public var threads: Int = 0
    /// Skip plans whose model states alone exceed the memory limit before pricing them (exact:
    /// it never removes a plan that would fit). Off only to test that claim.
    public var memoryLowerBoundPruning: Bool = true

    public init() {}

    /// Checks the ranges; the error names the field and the value.
    public func validated() throws(PDCostError) -> SearchOptions {
        let degree = PDCostLimits.parallelDegree
        for (name, value) in [("max_tp", maxTP), ("max_pp", maxPP), ("max_ep", maxEP)] {
            if let value { try degree.check(value, field: name) }
        }
        for (name, value) in [("max_vpp", maxVPP), ("max_cp", maxCP), ("max_etp", maxETP)] {
            try degree.check(value, field: name)
        }
        if microBatchSizes.isEmpty { throw .invalidArgument("micro_batch_sizes is empty: give at least one size") }
        try PDCostLimits.searchList.check(microBatchSizes.count, field: "micro_batch_sizes.count")
        for mbs in microBatchSizes { try PDCostLimits.microBatchSize.check(mbs, field: "micro_batch_sizes[]") }
        if recompute.isEmpty { throw .invalidArgument("recompute: no recomputation mode selected") }
        if let zeroStages {
            if zeroStages.isEmpty { throw .invalidArgument("zero_stages is empty: give at least one stage") }
            for z in zeroStages { try PDCostLimits.zeroStage.check(z, field: "zero_stages[]") }
        }
        if optimizerOffloadRatios.isEmpty {
            throw .invalidArgument("optimizer_offload_ratios is empty: give at least one ratio (0 = none)")
        }
        try PDCostLimits.searchList.check(optimizerOffloadRatios.count, field: "optimizer_offload_ratios.count")
        for r in optimizerOffloadRatios where !(r >= 0 && r <= 1) {
            throw .invalidArgument("optimizer_offload_ratios: \(r) must be in [0, 1]")
        }
        if maxStageLayerReduction < 0 || maxStageLayerReduction > 64 {
            throw .invalidArgument("max_stage_layer_reduction=\(maxStageLayerReduction) must be between 0 and 64")
        }
        try PDCostLimits.searchTopK.check(topK, field: "top_k")
        if !(memorySafetyMargin >= 0 && memorySafetyMargin < 1) {
            throw .invalidArgument("memory_safety_margin=\(memorySafetyMargin) must be in [0, 1)")
        }
        try PDCostLimits.searchThreads.check(threads, field: "threads")
        return self
    }
}

/// Recomputation modes a search tries.
public struct RecomputeChoices: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Keep every activation.
    public static let none = RecomputeChoices(rawValue: 1 << 0)
    /// Selective recomputation of `SearchOptions.selectiveModules`.
    public static let selective = RecomputeChoices(rawValue: 1 << 1)
    /// Full recomputation of every layer.
    public static let full = RecomputeChoices(rawValue: 1 << 2)
    /// Full recomputation of N layers per model chunk, for every N from 1 to the chunk's layer
    /// count − 1 (Megatron `--recompute-method block --recompute-num-layers N`).
    public static let partialFull = RecomputeChoices(rawValue: 1 << 3)

    public static let all: RecomputeChoices = [.none, .selective, .full, .partialFull]
}

/// Whether plans with tp > 1 use sequence parallelism.
public enum SequenceParallelChoice: String, Sendable, Hashable, CaseIterable {
    /// Always with tp > 1 (Megatron/NeMo recipes, torchtitan's TP plan).
    case on
    /// Never.
    case off
    /// Try both.
    case both
}
