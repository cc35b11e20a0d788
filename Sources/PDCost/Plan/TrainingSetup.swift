/// Everything about a training run that is not the parallel split: batch shape, precision,
/// optimizer, recomputation, offload, and the framework whose behaviour applies.
public struct TrainingSetup: Sendable, Hashable {
    /// Tokens per sequence.
    public var seqLen: Int
    /// Sequences per micro-batch (per data-parallel replica).
    public var microBatchSize: Int
    /// Sequences per optimizer step over all replicas. Gradient accumulation steps (micro-batches
    /// per step and replica) = globalBatchSize / (microBatchSize · dp).
    public var globalBatchSize: Int
    /// Compute precision. `.fp8` applies to the linear layers' GEMMs only (Transformer Engine /
    /// torchao Float8Linear); attention, norms and the rest run in bf16 (Micikevicius et al.
    /// 2022, "FP8 formats for deep learning", §4).
    public var dtype: Precision
    public var optimizer: Optimizer
    /// Bytes per element of the gradient buffer; nil = the framework's default (Megatron keeps
    /// fp32 main grads: 4).
    public var gradBytes: Int?
    /// Bytes per element of the master weights kept by the optimizer (fp32 = 4).
    public var masterBytes: Int
    /// Activation recomputation (checkpointing).
    public var recompute: Recompute
    /// Fraction of the optimizer states kept on the host (0 = none, 1 = all): PaddleFormers'
    /// tensorwise offload, DeepSpeed ZeRO-Offload.
    public var optimizerOffloadRatio: Double
    /// Longest sequence the data can contain, for activation memory with dynamic padding
    /// (PaddleFormers `max_seq_len`); nil = seqLen.
    public var maxSeqLen: Int?
    /// Dropout probability of the hidden states and of the attention scores (Megatron defaults
    /// both to 0.1 for GPT, Llama recipes to 0); nil = the framework's default for the
    /// architecture.
    public var dropout: Double?
    /// Framework behaviour and defaults.
    public var framework: FrameworkProfile
    /// What is trained: the whole model, or adapters on a frozen base (LoRA, QLoRA).
    public var fineTuning: FineTuning
    /// Sequence packing: the mean length of the documents packed into each sequence; attention
    /// runs within each document (FlashAttention's variable-length kernels over `cu_seqlens`,
    /// NeMo/Megatron packed SFT, torchtitan document masking), so each token attends to its
    /// document's prefix only. nil: one document fills each sequence.
    public var packedDocumentTokens: Int?

    public init(seqLen: Int, microBatchSize: Int = 1, globalBatchSize: Int, dtype: Precision = .bf16,
                optimizer: Optimizer = .adamw, gradBytes: Int? = nil, masterBytes: Int = 4,
                recompute: Recompute = .none, optimizerOffloadRatio: Double = 0,
                maxSeqLen: Int? = nil, dropout: Double? = nil,
                framework: FrameworkProfile = .megatron, fineTuning: FineTuning = .pretrain,
                packedDocumentTokens: Int? = nil) {
        self.seqLen = seqLen
        self.microBatchSize = microBatchSize
        self.globalBatchSize = globalBatchSize
        self.dtype = dtype
        self.optimizer = optimizer
        self.gradBytes = gradBytes
        self.masterBytes = masterBytes
        self.recompute = recompute
        self.optimizerOffloadRatio = optimizerOffloadRatio
        self.maxSeqLen = maxSeqLen
        self.dropout = dropout
        self.framework = framework
        self.fineTuning = fineTuning
        self.packedDocumentTokens = packedDocumentTokens
    }

    /// The framework as the cost model prices it: `framework` with the defaults its recipes set
    /// for `fineTuning.method` (`FrameworkProfile.forFineTuning`).
    public var pricedFramework: FrameworkProfile { framework.forFineTuning(fineTuning.method) }

    /// Micro-batches per step and replica for `dp` replicas (0 when it does not divide).
    public func gradientAccumulationSteps(dp: Int, microBatchSize mbs: Int? = nil) -> Int {
        let per = (mbs ?? microBatchSize) &* dp
        return per > 0 && globalBatchSize % per == 0 ? globalBatchSize / per : 0
    }
}

/// The optimizer, which decides the bytes of state per parameter.
public enum Optimizer: String, Sendable, Hashable, CaseIterable {
    /// Adam / AdamW: fp32 master weights + first and second moments, 12 bytes per parameter in
    /// mixed precision (Rajbhandari et al. 2020 §3.1, K = 12).
    case adam, adamw
    /// SGD with momentum: fp32 master weights + momentum, 8 bytes per parameter.
    case sgd
    /// bitsandbytes AdamW8bit (Hugging Face `optim="adamw_bnb_8bit"`): both moments quantised
    /// to 8 bits block-wise, one fp32 absmax per block of 2,048 values (Dettmers et al. 2022,
    /// "8-bit Optimizers via Block-wise Quantization", ICLR, §2; bitsandbytes
    /// `Optimizer8bit`, `block_wise=True`): 2 × (1 + 4/2048) bytes per parameter of moments.
    case adamw8bit = "adamw_8bit"
    /// bitsandbytes paged optimizers (HF `paged_adamw_32bit`, `paged_adamw_8bit`): the states
    /// live in CUDA unified memory, outside PyTorch's caching allocator, and "are evicted to
    /// CPU RAM when the GPU runs out of memory and paged back into GPU memory when needed in
    /// the optimizer update step" (Dettmers et al. 2023, "QLoRA", NeurIPS, §3; bitsandbytes
    /// `GlobalPageManager` / `get_paged` → `cudaMallocManaged`).
    case pagedAdamw = "paged_adamw"
    case pagedAdamw8bit = "paged_adamw_8bit"

    /// State tensors (moments) per parameter besides the master copy.
    var momentTensors: Int { self == .sgd ? 1 : 2 }
    /// Bytes of one moment per parameter: fp32 (4), or an 8-bit code with its share of the
    /// block's absmax.
    var bytesPerMoment: Double { quantizesMoments ? 1 + 4.0 / Self.quantizationBlock : 4 }
    /// Moments stored in their own 8-bit format, whatever the weights' width.
    var quantizesMoments: Bool { self == .adamw8bit || self == .pagedAdamw8bit }
    /// States in unified memory: not in the allocator's figures, paged to the host under
    /// pressure.
    var pagesStates: Bool { self == .pagedAdamw || self == .pagedAdamw8bit }
    /// bitsandbytes' block size for the 8-bit optimizer states (`blocksize = 2048`,
    /// bitsandbytes/functional.py `quantize_blockwise` as the 8-bit optimizers call it).
    static let quantizationBlock = 2048.0
}

/// Activation recomputation (Chen et al. 2016; Korthikanti et al. 2022 §5).
public struct Recompute: Sendable, Hashable {
    public enum Granularity: String, Sendable, Hashable, CaseIterable {
        /// Keep every activation.
        case none
        /// Recompute chosen modules (Megatron `--recompute-granularity selective`, default
        /// module `core_attn`; torchtitan `selective` op-level AC).
        case selective
        /// Keep only each layer's input and recompute the layer in the backward pass.
        case full
    }
    public var granularity: Granularity
    /// Full recomputation: layers per (virtual) pipeline stage that are recomputed (Megatron
    /// `--recompute-method block --recompute-num-layers N`); nil = all of them.
    public var numLayers: Int?
    /// Selective recomputation: the modules recomputed (Megatron `--recompute-modules`).
    public var modules: RecomputeModules

    public init(_ granularity: Granularity, numLayers: Int? = nil, modules: RecomputeModules = []) {
        self.granularity = granularity
        self.numLayers = numLayers
        self.modules = modules
    }

    public static let none = Recompute(.none)
    /// Megatron-Core's default selective recomputation: the attention core only.
    public static let selective = Recompute(.selective, modules: .coreAttention)
    public static let full = Recompute(.full)
}

/// Modules of a transformer layer that selective recomputation can drop
/// (Megatron-Core `TransformerConfig.recompute_modules`).
public struct RecomputeModules: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `core_attn`: the attention core (softmax, dropout; with flash attention only its
    /// log-sum-exp).
    public static let coreAttention = RecomputeModules(rawValue: 1 << 0)
    /// `mla_up_proj`: MLA up-projections (q, k, v are rebuilt from the latents).
    public static let mlaUpProjection = RecomputeModules(rawValue: 1 << 1)
    /// `moe_act`: the routed experts' activation function.
    public static let moeActivation = RecomputeModules(rawValue: 1 << 2)
    /// `mlp`: the dense MLP (only its input is kept).
    public static let mlp = RecomputeModules(rawValue: 1 << 3)
    /// `layernorm`: input layernorms (their outputs are recomputed).
    public static let layerNorm = RecomputeModules(rawValue: 1 << 4)
    /// `moe`: the whole MoE block.
    public static let moe = RecomputeModules(rawValue: 1 << 5)
    /// `shared_experts`.
    public static let sharedExperts = RecomputeModules(rawValue: 1 << 6)
    /// torchtitan's op-level selective AC (`selective_ac_option = "op"`): matmul outputs are
    /// kept except every second one, elementwise ops are recomputed
    /// (torchtitan/models/llama3/infra/parallelize.py, `_save_list`).
    public static let torchtitanOps = RecomputeModules(rawValue: 1 << 7)

    /// Megatron module names → flags.
    public static let byName: [String: RecomputeModules] = [
        "core_attn": .coreAttention, "mla_up_proj": .mlaUpProjection, "moe_act": .moeActivation,
        "mlp": .mlp, "layernorm": .layerNorm, "moe": .moe, "shared_experts": .sharedExperts,
    ]

    /// Parses Megatron module names; an unknown name is an error that names it.
    public static func parse(_ names: [String]) throws(PDCostError) -> RecomputeModules {
        var result: RecomputeModules = []
        for name in names {
            guard let flag = byName[name] else {
                throw .invalidArgument("recompute_modules: unknown module '\(name)'; known: "
                                       + byName.keys.sorted().joined(separator: ", "))
            }
            result.insert(flag)
        }
        return result
    }
}
