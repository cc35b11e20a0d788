/// The architecture of a decoder-only transformer, reduced to what decides its cost:
/// the shapes of its weight matrices and the work per token.
///
/// Field meanings follow Hugging Face `config.json` names (noted per field), so a spec reads the
/// same as the file it came from. A spec is a plain value: build one from a preset
/// (`ModelPresets`), from a config.json (`ModelLoader`), or field by field, then call
/// `validated()` before use; everything downstream assumes a validated spec.
public struct ModelSpec: Sendable, Hashable {
    /// Display name (preset name or the config's `_name_or_path`).
    public var name: String
    /// Hugging Face `model_type` (`llama`, `qwen3_moe`, `deepseek_v3`, `gpt2`, ...).
    public var modelType: String

    /// `num_hidden_layers`: decoder blocks, not counting multi-token-prediction blocks.
    public var numLayers: Int
    /// `hidden_size` (d_model).
    public var hiddenSize: Int
    /// `intermediate_size`: FFN width of the dense layers.
    public var intermediateSize: Int
    /// `num_attention_heads`.
    public var numAttentionHeads: Int
    /// `num_key_value_heads`: equal to the head count for MHA, 1 for MQA, in between for GQA.
    public var numKeyValueHeads: Int
    /// `head_dim`: per-head width of q, k and v (hidden_size / heads unless stated).
    public var headDim: Int
    /// `vocab_size`.
    public var vocabSize: Int
    /// `tie_word_embeddings`: the LM head reuses the input embedding matrix.
    public var tieWordEmbeddings: Bool

    /// Shape of the feed-forward block.
    public var mlpKind: MLPKind
    /// Normalisation layers (RMSNorm has a scale only; LayerNorm a scale and a bias).
    public var normKind: NormKind
    /// Bias on the q, k and v projections (Qwen2, GPT-2).
    public var qkvBias: Bool
    /// Bias on the attention output projection (GPT-2).
    public var attentionOutputBias: Bool
    /// Bias on the MLP projections (GPT-2).
    public var mlpBias: Bool
    /// Per-head RMSNorm on q and k (Qwen3).
    public var qkNorm: Bool
    /// Rows of a learned absolute position-embedding table (GPT-2 `n_positions`); 0 for RoPE.
    public var learnedPositionEmbeddings: Int
    /// `max_position_embeddings`: the longest context the model was built for (informational).
    public var maxPositionEmbeddings: Int

    /// Mixture-of-experts layout, nil for a dense model.
    public var moe: MoESpec?
    /// Multi-head latent attention (DeepSeek-V2/V3), nil for standard attention.
    public var mla: MLASpec?
    /// `num_nextn_predict_layers`: DeepSeek-V3 multi-token-prediction blocks.
    public var mtpLayers: Int

    // Per-layer structure and the attributes newer architectures add. Their defaults describe
    // a uniform full-attention transformer, so specs built before they existed are unchanged.

    /// Mixer and FFN of each block (`layer_types`, `hybrid_override_pattern`, ...); nil when
    /// every block is full attention with the FFN `moe` assigns.
    public var layers: [LayerSpec]?
    /// `sliding_window`: tokens a sliding-attention layer attends to (0: none).
    public var slidingWindow: Int = 0
    /// `attention_chunk_size`: tokens per chunk of a chunked-attention layer (0: none).
    public var attentionChunkSize: Int = 0
    /// How positions enter (RoPE, ALiBi, a learned table, none).
    public var positionEncoding: PositionEncoding = .rope
    /// `attn_logit_softcapping` / `final_logit_softcapping` (Gemma 2: tanh capping of scores
    /// and logits); 0 when absent. Elementwise work, negligible, recorded for completeness.
    public var attentionLogitSoftcap: Double = 0
    public var finalLogitSoftcap: Double = 0
    /// A learned per-head sink logit in the softmax (GPT-OSS `sinks`): heads parameters a layer.
    public var attentionSinks: Bool = false
    /// `swiglu_limit` (GPT-OSS): the gated activation clamps its gate input to ≤ limit and its
    /// linear input to ±limit before the product (transformers GptOssExperts `_apply_gate`;
    /// Megatron-Core `activation_func_clamp_value`). 0: no clamp. Costs elementwise passes
    /// where the framework runs the clamp outside its fused activation.
    public var gluClampLimit: Double = 0
    /// A LayerNorm on the embedding output (BLOOM `word_embeddings_layernorm`).
    public var embeddingNorm: Bool = false
    /// Norm vectors per decoder block: 2 (pre-attention, pre-FFN); 4 for Gemma 2/3 (pre and
    /// post each); 1 for parallel blocks (Cohere) and single-mixer blocks (Nemotron-H).
    public var normsPerLayer: Int = 2
    /// Which widths the q/k norms span when `qkNorm` is set.
    public var qkNormScope: QKNormScope = .perHead
    /// A sigmoid output gate computed by the q projection (Qwen3-Next `attn_output_gate`):
    /// the q projection is twice as wide.
    public var attentionOutputGate: Bool = false
    /// Shapes of the Mamba-2 layers, when any block is `.mamba2`.
    public var mamba: Mamba2Spec?
    /// Shapes of the Gated DeltaNet layers, when any block is `.gatedDeltaNet`.
    public var deltaNet: DeltaNetSpec?
    /// The lightning indexer of the `.sparseAttention` layers.
    public var sparseIndexer: SparseIndexerSpec?
    /// The checkpoint's weight format from `quantization_config`; nil when unquantised or not
    /// stated. Serving may take `checkpointPrecision?.servingPrecision` as its default.
    public var checkpointPrecision: CheckpointPrecision?

    public init(name: String, modelType: String, numLayers: Int, hiddenSize: Int,
                intermediateSize: Int, numAttentionHeads: Int, numKeyValueHeads: Int? = nil,
                headDim: Int? = nil, vocabSize: Int, tieWordEmbeddings: Bool = false,
                mlpKind: MLPKind = .gated, normKind: NormKind = .rmsNorm, qkvBias: Bool = false,
                attentionOutputBias: Bool = false, mlpBias: Bool = false, qkNorm: Bool = false,
                learnedPositionEmbeddings: Int = 0, maxPositionEmbeddings: Int = 0,
                moe: MoESpec? = nil, mla: MLASpec? = nil, mtpLayers: Int = 0) {
        self.name = name
        self.modelType = modelType
        self.numLayers = numLayers
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.headDim = headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0)
        self.vocabSize = vocabSize
        self.tieWordEmbeddings = tieWordEmbeddings
        self.mlpKind = mlpKind
        self.normKind = normKind
        self.qkvBias = qkvBias
        self.attentionOutputBias = attentionOutputBias
        self.mlpBias = mlpBias
        self.qkNorm = qkNorm
        self.learnedPositionEmbeddings = learnedPositionEmbeddings
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.moe = moe
        self.mla = mla
        self.mtpLayers = mtpLayers
        self.positionEncoding = learnedPositionEmbeddings > 0 ? .learned : .rope
    }

    public var isMoE: Bool { moe != nil }

    /// Whether decoder block `layer` (0-based) carries a mixture-of-experts FFN.
    public func isMoELayer(_ layer: Int) -> Bool {
        guard let moe else { return false }
        if let layers { return layer >= 0 && layer < layers.count && layers[layer].ffn == .moe }
        return moe.isMoELayer(layer)
    }

    /// Decoder blocks with a mixture-of-experts FFN.
    public var numMoELayers: Int {
        guard let moe else { return 0 }
        if let layers { return layers.count { $0.ffn == .moe } }
        guard moe.layerFrequency > 0, numLayers > moe.firstDenseLayers else { return 0 }
        return (numLayers - moe.firstDenseLayers - 1) / moe.layerFrequency + 1
    }

    /// Decoder blocks with a dense FFN (blocks without an FFN are neither).
    public var numDenseLayers: Int {
        if let layers { return layers.count { $0.ffn == .dense } }
        return numLayers - numMoELayers
    }

    /// Blocks whose mixer is `kind` (a uniform spec: all `fullAttention`).
    public func numLayers(mixer kind: MixerKind) -> Int {
        if let layers { return layers.count { $0.mixer == kind } }
        return kind == .fullAttention ? numLayers : 0
    }

    /// Blocks with softmax attention of any kind.
    public var numAttentionLayers: Int {
        if let layers { return layers.count { $0.mixer.isAttention } }
        return numLayers
    }
}

/// The feed-forward block's shape.
public enum MLPKind: String, Sendable, Hashable, CaseIterable {
    /// gate and up projections, elementwise product, down projection: 3·h·f weights
    /// (SwiGLU; Shazeer 2020, arXiv 2002.05202).
    case gated
    /// up projection, activation, down projection: 2·h·f weights (GPT-2/3 GeLU, Nemotron ReLU²).
    case plain
}

/// The normalisation layers' kind.
public enum NormKind: String, Sendable, Hashable, CaseIterable {
    /// RMSNorm (Zhang & Sennrich 2019): one scale vector.
    case rmsNorm = "rmsnorm"
    /// LayerNorm (Ba et al. 2016): a scale and a bias vector.
    case layerNorm = "layernorm"

    /// Parameters per normalised vector of width `d`.
    public func parameters(width d: Int) -> Int { self == .rmsNorm ? d : 2 * d }
}

/// The mixture-of-experts part of a model (Shazeer et al. 2017; GShard; DeepSeekMoE).
public struct MoESpec: Sendable, Hashable {
    /// `num_experts` / `n_routed_experts` / `num_local_experts`: routed experts per MoE layer.
    public var numExperts: Int
    /// `num_experts_per_tok`: routed experts each token visits (top-k).
    public var expertsPerToken: Int
    /// `moe_intermediate_size`: FFN width of one routed expert.
    public var expertIntermediateSize: Int
    /// `n_shared_experts`: experts every token visits (DeepSeekMoE).
    public var numSharedExperts: Int
    /// Total FFN width of the shared experts together (DeepSeek: n_shared · moe_intermediate_size;
    /// Qwen2-MoE: `shared_expert_intermediate_size`).
    public var sharedExpertIntermediateSize: Int
    /// A sigmoid gate (h → 1) on the shared experts' output (Qwen2-MoE).
    public var sharedExpertGate: Bool
    /// `first_k_dense_replace`: leading blocks that keep a dense FFN.
    public var firstDenseLayers: Int
    /// `moe_layer_freq` / `decoder_sparse_step`: every k-th block after the dense ones is MoE.
    public var layerFrequency: Int
    /// A learned per-expert bias in the router (DeepSeek-V3 `e_score_correction_bias`).
    public var routerBias: Bool
    /// Group-limited routing (DeepSeek-V3 §2.1.2, `n_group` / `topk_group`): the experts form
    /// `routerGroups` groups and a token's top-k come from its best `routerGroupsPerToken`;
    /// 0 = unrestricted. Bounds how many nodes a token's copies reach.
    public var routerGroups: Int
    public var routerGroupsPerToken: Int
    /// `moe_latent_size` (LatentMoE, Nemotron 3 Super/Ultra): the routed experts work in a
    /// latent width instead of the hidden size. Megatron-Core's MoELayer projects each token
    /// down (`fc1_latent_proj`, h → latent, replicated over TP) before the dispatch and back up
    /// (`fc2_latent_proj`) after the combine (core_v0.17.1 transformer/moe/moe_layer.py
    /// `preprocess`, `combine`), so the experts' weights, their GEMMs and the all-to-all all
    /// scale with the latent width; the router and the shared experts stay at h.
    /// 0: experts take the hidden state.
    public var latentSize: Int

    public init(numExperts: Int, expertsPerToken: Int, expertIntermediateSize: Int,
                numSharedExperts: Int = 0, sharedExpertIntermediateSize: Int = 0,
                sharedExpertGate: Bool = false, firstDenseLayers: Int = 0, layerFrequency: Int = 1,
                routerBias: Bool = false, routerGroups: Int = 0, routerGroupsPerToken: Int = 0,
                latentSize: Int = 0) {
        self.latentSize = latentSize
        self.routerGroups = routerGroups
        self.routerGroupsPerToken = routerGroupsPerToken
        self.numExperts = numExperts
        self.expertsPerToken = expertsPerToken
        self.expertIntermediateSize = expertIntermediateSize
        self.numSharedExperts = numSharedExperts
        self.sharedExpertIntermediateSize = sharedExpertIntermediateSize
        self.sharedExpertGate = sharedExpertGate
        self.firstDenseLayers = firstDenseLayers
        self.layerFrequency = layerFrequency
        self.routerBias = routerBias
    }

    /// Width of the routed experts' input and output: the latent width, or the hidden size.
    public func expertWidth(hidden: Int) -> Int { latentSize > 0 ? latentSize : hidden }

    /// Block `layer` (0-based) is MoE when it is past the dense prefix and on the frequency grid
    /// (Hugging Face DeepseekV3: `layer >= first_k_dense_replace and layer % moe_layer_freq == 0`,
    /// counted here from the first MoE block so both conventions agree for frequency 1).
    public func isMoELayer(_ layer: Int) -> Bool {
        guard layer >= firstDenseLayers, layerFrequency > 0 else { return false }
        return (layer - firstDenseLayers) % layerFrequency == 0
    }
}

/// Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434, §2.1): keys and values are
/// rebuilt per head from a shared low-rank latent; queries may be low-rank too.
public struct MLASpec: Sendable, Hashable {
    /// `q_lora_rank`: rank of the query compression; 0 means queries are projected directly.
    public var qLoraRank: Int
    /// `kv_lora_rank`: rank of the joint key/value latent (what the KV cache stores).
    public var kvLoraRank: Int
    /// `qk_nope_head_dim`: per-head q/k width without rotary embedding.
    public var qkNopeHeadDim: Int
    /// `qk_rope_head_dim`: per-head q/k width with rotary embedding (the key part is shared).
    public var qkRopeHeadDim: Int
    /// `v_head_dim`: per-head value width.
    public var vHeadDim: Int

    public init(qLoraRank: Int, kvLoraRank: Int, qkNopeHeadDim: Int, qkRopeHeadDim: Int,
                vHeadDim: Int) {
        self.qLoraRank = qLoraRank
        self.kvLoraRank = kvLoraRank
        self.qkNopeHeadDim = qkNopeHeadDim
        self.qkRopeHeadDim = qkRopeHeadDim
        self.vHeadDim = vHeadDim
    }

    /// Per-head width of q and k (nope + rope).
    public var qkHeadDim: Int { qkNopeHeadDim + qkRopeHeadDim }
}
