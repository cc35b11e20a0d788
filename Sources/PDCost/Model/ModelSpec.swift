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
    }

    public var isMoE: Bool { moe != nil }

    /// Whether decoder block `layer` (0-based) carries a mixture-of-experts FFN.
    public func isMoELayer(_ layer: Int) -> Bool {
        guard let moe else { return false }
        return moe.isMoELayer(layer)
    }

    /// Decoder blocks with a mixture-of-experts FFN (the rest are dense).
    public var numMoELayers: Int {
        guard let moe, moe.layerFrequency > 0, numLayers > moe.firstDenseLayers else { return 0 }
        return (numLayers - moe.firstDenseLayers - 1) / moe.layerFrequency + 1
    }

    public var numDenseLayers: Int { numLayers - numMoELayers }
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

    public init(numExperts: Int, expertsPerToken: Int, expertIntermediateSize: Int,
                numSharedExperts: Int = 0, sharedExpertIntermediateSize: Int = 0,
                sharedExpertGate: Bool = false, firstDenseLayers: Int = 0, layerFrequency: Int = 1,
                routerBias: Bool = false, routerGroups: Int = 0, routerGroupsPerToken: Int = 0) {
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
