/// Per-layer structure of models whose blocks are not all alike: which token mixer each block
/// runs (full, sliding-window or chunked attention, or a recurrent state layer) and which FFN.
///
/// A spec whose `layers` is nil is uniform: every block is full attention plus the FFN that
/// `MoESpec` assigns it. That is how every model pdcost priced before per-layer kinds existed
/// is still described, so their numbers do not move.

/// The token mixer of one block.
public enum MixerKind: String, Sendable, Hashable, CaseIterable {
    /// Causal attention over the whole prefix; keeps a KV cache of every token.
    case fullAttention = "full_attention"
    /// Attention over the last `slidingWindow` tokens (Mistral 7B, Jiang et al. 2023 §2;
    /// Gemma 2 local layers; GPT-OSS banded layers): context min(s, W), cache of W tokens.
    case slidingAttention = "sliding_attention"
    /// Attention within fixed chunks of `attentionChunkSize` tokens (Llama 4 local layers,
    /// transformers `Llama4TextAttention`, `attention_chunk_size`): mean context C/2 per token
    /// once s ≫ C, cache of C tokens.
    case chunkedAttention = "chunked_attention"
    /// DeepSeek sparse attention (DSA; DeepSeek-V3.2, GLM-5): a lightning indexer scores every
    /// prior token and the attention reads the `index_topk` best (DeepSeek-AI 2025, "DeepSeek-V3.2",
    /// §2.1): core context min(s, k), indexer scoring over the whole prefix, full KV cache.
    case sparseAttention = "sparse_attention"
    /// Mamba-2 state-space mixer (Dao & Gu 2024, arXiv 2405.21060; transformers
    /// `NemotronHMamba2Mixer`): fixed state per sequence, no KV cache.
    case mamba2
    /// Gated DeltaNet linear attention (Yang et al. 2024, arXiv 2412.06464; transformers
    /// `Qwen3NextGatedDeltaNet`): fixed state per sequence, no KV cache.
    case gatedDeltaNet = "linear_attention"
    /// No mixer (Nemotron-H `-` and `E` blocks carry only an FFN).
    case none

    /// Whether the mixer is softmax attention (projections q/k/v/o, a KV cache).
    public var isAttention: Bool {
        self == .fullAttention || self == .slidingAttention || self == .chunkedAttention || self == .sparseAttention
    }
    /// Whether the mixer keeps a fixed recurrent state instead of a KV cache.
    public var isState: Bool { self == .mamba2 || self == .gatedDeltaNet }
}

/// The FFN of one block.
public enum FFNKind: String, Sendable, Hashable, CaseIterable {
    case dense, moe, none
}

/// One decoder block's mixer and FFN.
public struct LayerSpec: Sendable, Hashable {
    public var mixer: MixerKind
    public var ffn: FFNKind
    /// Rotary position embedding on this layer's attention (false: NoPE, Llama 4 global layers).
    public var rope: Bool

    public init(mixer: MixerKind, ffn: FFNKind, rope: Bool = true) {
        self.mixer = mixer
        self.ffn = ffn
        self.rope = rope
    }
}

/// How token positions enter the model.
public enum PositionEncoding: String, Sendable, Hashable, CaseIterable {
    /// Rotary embeddings (Su et al. 2021, arXiv 2104.09864): no parameters.
    case rope
    /// Attention with linear biases (Press et al. 2022, arXiv 2108.12409; BLOOM): no parameters,
    /// a per-head bias added to the scores.
    case alibi
    /// A learned absolute table (GPT-2 `wpe`): `learnedPositionEmbeddings` · h parameters.
    case learned
    /// No positional signal (Nemotron-H: the Mamba layers carry order).
    case none
}

/// Scope of the q/k normalisation weights.
public enum QKNormScope: String, Sendable, Hashable, CaseIterable {
    /// One head_dim-wide RMSNorm shared by all heads (Qwen3, Gemma 3): 2·head_dim weights.
    case perHead = "per_head"
    /// An RMSNorm over the whole q and k projections (OLMo 2 `q_norm`/`k_norm`, MiniMax-M2
    /// `qk_norm_type: per_layer`): (heads + kv_heads)·head_dim weights.
    case fullWidth = "full_width"
}

/// A Mamba-2 mixer's shapes (transformers `NemotronHMamba2Mixer`; Dao & Gu 2024 §7).
public struct Mamba2Spec: Sendable, Hashable {
    /// `mamba_num_heads`.
    public var numHeads: Int
    /// `mamba_head_dim`; numHeads · headDim is the inner width (expand · hidden).
    public var headDim: Int
    /// `ssm_state_size` (N).
    public var stateSize: Int
    /// `n_groups`: B and C are shared per group.
    public var groups: Int
    /// `conv_kernel`.
    public var convKernel: Int
    /// `use_conv_bias`; `use_bias` for in/out projections.
    public var convBias: Bool
    public var projectionBias: Bool

    public init(numHeads: Int, headDim: Int, stateSize: Int, groups: Int, convKernel: Int,
                convBias: Bool, projectionBias: Bool) {
        self.numHeads = numHeads
        self.headDim = headDim
        self.stateSize = stateSize
        self.groups = groups
        self.convKernel = convKernel
        self.convBias = convBias
        self.projectionBias = projectionBias
    }

    public var innerWidth: Int { numHeads * headDim }
    /// Channels through the causal convolution: x, B and C.
    public var convWidth: Int { innerWidth + 2 * groups * stateSize }
}

/// The lightning indexer of DeepSeek sparse attention (DeepSeek-V3.2 inference/model.py
/// `Indexer`: wq_b q_lora_rank → heads·d, wk h → d, k_norm LayerNorm(d), weights_proj h → heads).
public struct SparseIndexerSpec: Sendable, Hashable {
    /// `index_n_heads`, `index_head_dim`, `index_topk`.
    public var numHeads: Int
    public var headDim: Int
    public var topK: Int

    public init(numHeads: Int, headDim: Int, topK: Int) {
        self.numHeads = numHeads
        self.headDim = headDim
        self.topK = topK
    }
}

/// A Gated DeltaNet mixer's shapes (transformers `Qwen3NextGatedDeltaNet`).
public struct DeltaNetSpec: Sendable, Hashable {
    /// `linear_num_key_heads`, `linear_num_value_heads`, `linear_key_head_dim`,
    /// `linear_value_head_dim`, `linear_conv_kernel_dim`.
    public var numKeyHeads: Int
    public var numValueHeads: Int
    public var keyHeadDim: Int
    public var valueHeadDim: Int
    public var convKernel: Int

    public init(numKeyHeads: Int, numValueHeads: Int, keyHeadDim: Int, valueHeadDim: Int, convKernel: Int) {
        self.numKeyHeads = numKeyHeads
        self.numValueHeads = numValueHeads
        self.keyHeadDim = keyHeadDim
        self.valueHeadDim = valueHeadDim
        self.convKernel = convKernel
    }

    public var keyWidth: Int { numKeyHeads * keyHeadDim }
    public var valueWidth: Int { numValueHeads * valueHeadDim }
}

/// The weight format a checkpoint ships in (`quantization_config`), as the serving side names it.
public enum CheckpointPrecision: String, Sendable, Hashable, CaseIterable {
    case fp8
    /// NVFP4 (ModelOpt `quant_algo: NVFP4`).
    case nvfp4
    /// MXFP4 (OCP MX v1.0: E2M1 values, one E8M0 scale per 32) — GPT-OSS experts.
    case mxfp4
    /// 4-bit integer weights (AWQ, GPTQ, compressed-tensors `num_bits: 4`).
    case int4

    /// The serving weight precision with the same bytes per weight (MXFP4 and NVFP4 are both
    /// 4-bit floats with small block scales).
    public var servingPrecision: WeightPrecision {
        switch self {
        case .fp8: .fp8
        case .nvfp4, .mxfp4: .fp4
        case .int4: .int4WeightOnly
        }
    }
}
