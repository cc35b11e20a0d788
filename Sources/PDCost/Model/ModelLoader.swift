/// The architecture families pdcost reads from a config.json, with each family's implicit
/// choices (the ones its Hugging Face modelling code hard-codes rather than configures).
public enum ArchitectureFamily: String, Sendable, CaseIterable {
    case llama, mistral, qwen2, qwen3, qwen3Moe, mixtral, deepseekV3, gpt2
    /// Megatron-LM / NeMo GPT (the measured-runs files' `gpt`): LayerNorm, GeLU, biases.
    case megatronGPT
    /// Nemotron-4 (HF `NemotronForCausalLM`): LayerNorm1p, squared-ReLU MLP, no biases.
    case nemotron
    /// GPT-J (HF `GPTJForCausalLM`): attention and MLP in parallel off one LayerNorm, rotary
    /// on the first `rotary_dim` dimensions, bias-free attention, biased GeLU MLP, untied head.
    case gptj

    /// Hugging Face `architectures[0]` names.
    static let byArchitecture: [String: ArchitectureFamily] = [
        "LlamaForCausalLM": .llama, "MistralForCausalLM": .mistral, "Qwen2ForCausalLM": .qwen2,
        "Qwen3ForCausalLM": .qwen3, "Qwen3MoeForCausalLM": .qwen3Moe,
        "MixtralForCausalLM": .mixtral, "DeepseekV3ForCausalLM": .deepseekV3,
        "GPT2LMHeadModel": .gpt2, "NemotronForCausalLM": .nemotron, "GPTJForCausalLM": .gptj,
    ]

    /// `model_type` names (used when `architectures` is absent, as in measured-runs files).
    static let byModelType: [String: ArchitectureFamily] = [
        "llama": .llama, "mistral": .mistral, "qwen2": .qwen2, "qwen3": .qwen3,
        "qwen3_moe": .qwen3Moe, "mixtral": .mixtral, "deepseek_v3": .deepseekV3, "gpt2": .gpt2,
        "gpt": .megatronGPT, "nemotron": .nemotron, "gptj": .gptj,
    ]

    public static var supportedArchitectures: [String] { byArchitecture.keys.sorted() }
    public static var supportedModelTypes: [String] { byModelType.keys.sorted() }

    var defaultModelType: String {
        switch self {
        case .llama: "llama"
        case .mistral: "mistral"
        case .qwen2: "qwen2"
        case .qwen3: "qwen3"
        case .qwen3Moe: "qwen3_moe"
        case .mixtral: "mixtral"
        case .deepseekV3: "deepseek_v3"
        case .gpt2: "gpt2"
        case .megatronGPT: "gpt"
        case .nemotron: "nemotron"
        case .gptj: "gptj"
        }
    }
}

/// Builds a `ModelSpec` from a Hugging Face config.json (or pdcost's canonical model JSON).
public enum ModelLoader {
    /// Parses config.json bytes into a validated spec.
    public static func load(json bytes: some Collection<UInt8>) throws(PDCostError) -> ModelSpec {
        try spec(from: HuggingFaceConfig.decode(bytes))
    }

    /// Maps a decoded config onto a validated spec. Unknown architectures and missing required
    /// fields are errors that name the field.
    public static func spec(from c: HuggingFaceConfig) throws(PDCostError) -> ModelSpec {
        let family = try family(of: c)
        // The family it was read as (`architectures[0]` wins over `model_type`), so the
        // canonical JSON, which writes only `model_type`, reloads as the same family.
        let modelType = family.defaultModelType
        let name = c.name ?? c.nameOrPath ?? c.modelType ?? modelType
        let hidden = try required(c.hiddenSize ?? c.nEmbd, "hidden_size", family)
        let layers = try required(c.numHiddenLayers ?? c.nLayer, "num_hidden_layers", family)
        let heads = try required(c.numAttentionHeads ?? c.nHead, "num_attention_heads", family)
        let vocab = try required(c.vocabSize, "vocab_size", family)
        guard heads > 0 else { throw .invalidArgument("num_attention_heads=\(heads) must be >= 1") }

        var spec = ModelSpec(name: name, modelType: modelType, numLayers: layers,
                             hiddenSize: hidden, intermediateSize: 0, numAttentionHeads: heads,
                             numKeyValueHeads: c.numKeyValueHeads ?? heads,
                             headDim: c.headDim ?? hidden / heads, vocabSize: vocab,
                             maxPositionEmbeddings: c.maxPositionEmbeddings ?? c.nPositions ?? 0)
        spec.tieWordEmbeddings = c.tieWordEmbeddings ?? false
        let bias = c.attentionBias ?? false
        spec.qkvBias = bias
        spec.attentionOutputBias = bias
        spec.mlpBias = c.mlpBias ?? false

        switch family {
        case .llama, .mistral:
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
        case .qwen2:
            // Qwen2Attention hard-codes bias=True on q/k/v and bias=False on o_proj.
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
            spec.qkvBias = true
            spec.attentionOutputBias = false
        case .qwen3:
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
            spec.qkNorm = true
        case .qwen3Moe:
            // Only dense layers use intermediate_size; when every layer is MoE it may be absent.
            spec.intermediateSize = c.intermediateSize ?? c.moeIntermediateSize ?? 0
            spec.qkNorm = true
            if let dense = c.mlpOnlyLayers, !dense.isEmpty {
                throw .unsupported("mlp_only_layers=\(dense) is not supported (only an empty list)")
            }
            spec.moe = MoESpec(
                numExperts: try required(c.numExperts ?? c.nRoutedExperts, "num_experts", family),
                expertsPerToken: c.numExpertsPerTok ?? 8,
                expertIntermediateSize: try required(c.moeIntermediateSize, "moe_intermediate_size", family),
                numSharedExperts: c.nSharedExperts ?? 0,
                sharedExpertIntermediateSize: c.sharedExpertIntermediateSize ?? 0,
                firstDenseLayers: c.firstKDenseReplace ?? 0,
                layerFrequency: c.decoderSparseStep ?? 1)
        case .mixtral:
            // Mixtral's `intermediate_size` is the width of each expert; every layer is MoE.
            let width = try required(c.moeIntermediateSize ?? c.intermediateSize, "intermediate_size", family)
            spec.intermediateSize = c.intermediateSize ?? width
            spec.moe = MoESpec(
                numExperts: try required(c.numLocalExperts ?? c.numExperts, "num_local_experts", family),
                expertsPerToken: c.numExpertsPerTok ?? 2, expertIntermediateSize: width)
        case .deepseekV3:
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
            let expertWidth = try required(c.moeIntermediateSize, "moe_intermediate_size", family)
            let shared = c.nSharedExperts ?? 0
            spec.moe = MoESpec(
                numExperts: try required(c.nRoutedExperts ?? c.numExperts, "n_routed_experts", family),
                expertsPerToken: try required(c.numExpertsPerTok, "num_experts_per_tok", family),
                expertIntermediateSize: expertWidth, numSharedExperts: shared,
                // DeepSeek's shared experts have the routed-expert width each.
                sharedExpertIntermediateSize: c.sharedExpertIntermediateSize
                    ?? saturatingProduct(shared, expertWidth),
                firstDenseLayers: c.firstKDenseReplace ?? 0, layerFrequency: c.moeLayerFreq ?? 1,
                routerBias: (c.topkMethod ?? "noaux_tc") == "noaux_tc",
                // `greedy` routes over all experts; `noaux_tc` and `group_limited_greedy`
                // within the top groups (HF modeling_deepseek.py, MoEGate).
                routerGroups: c.topkMethod == "greedy" ? 0 : c.nGroup ?? 0,
                routerGroupsPerToken: c.topkMethod == "greedy" ? 0 : c.topkGroup ?? 0)
            let mla = MLASpec(
                qLoraRank: c.qLoraRank ?? 0,
                kvLoraRank: try required(c.kvLoraRank, "kv_lora_rank", family),
                qkNopeHeadDim: try required(c.qkNopeHeadDim, "qk_nope_head_dim", family),
                qkRopeHeadDim: try required(c.qkRopeHeadDim, "qk_rope_head_dim", family),
                vHeadDim: try required(c.vHeadDim, "v_head_dim", family))
            spec.mla = mla
            // Sum without trapping: validation rejects an out-of-range width by name.
            let (headDim, overflow) = mla.qkNopeHeadDim.addingReportingOverflow(mla.qkRopeHeadDim)
            spec.headDim = overflow ? Int.max : headDim
            spec.mtpLayers = c.numNextnPredictLayers ?? 0
        case .gpt2:
            // GPT2Attention/GPT2MLP: Conv1D layers with biases everywhere, LayerNorm, learned
            // positions, tied head; n_inner defaults to 4·n_embd.
            spec.intermediateSize = c.nInner ?? c.intermediateSize ?? saturatingProduct(4, hidden)
            spec.mlpKind = .plain
            spec.normKind = .layerNorm
            spec.qkvBias = true
            spec.attentionOutputBias = true
            spec.mlpBias = true
            spec.learnedPositionEmbeddings = try required(c.nPositions ?? c.maxPositionEmbeddings, "n_positions", family)
            spec.tieWordEmbeddings = c.tieWordEmbeddings ?? true
        case .megatronGPT:
            // Megatron-LM GPT defaults: LayerNorm, add_bias_linear=True, GeLU; positions as given.
            spec.intermediateSize = c.intermediateSize ?? saturatingProduct(4, hidden)
            spec.mlpKind = .plain
            spec.normKind = .layerNorm
            spec.qkvBias = c.attentionBias ?? true
            spec.attentionOutputBias = c.attentionBias ?? true
            spec.mlpBias = c.mlpBias ?? true
            spec.learnedPositionEmbeddings = c.nPositions ?? 0
        case .nemotron:
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
            spec.mlpKind = .plain
            spec.normKind = .layerNorm
        case .gptj:
            // transformers models/gptj/modeling_gptj.py: q/k/v/out_proj bias=False, fc_in/fc_out
            // with bias, n_inner default 4·n_embd, lm_head untied. The one LayerNorm per block
            // (parallel residual) is counted as two: 2·h parameters per layer, < 0.01 %.
            spec.intermediateSize = c.nInner ?? c.intermediateSize ?? saturatingProduct(4, hidden)
            spec.mlpKind = .plain
            spec.normKind = .layerNorm
            spec.mlpBias = true
            spec.tieWordEmbeddings = c.tieWordEmbeddings ?? false
        }
        if family != .gpt2, family != .megatronGPT, family != .nemotron, family != .gptj, let act = c.hiddenAct ?? c.activationFunction {
            if !gatedActivations.contains(act) {
                throw .unsupported("hidden_act='\(act)' is not supported for \(family.defaultModelType) (gated: \(gatedActivations.sorted()))")
            }
        }
        // pdcost's explicit keys win over the family defaults.
        if let kind = c.mlpType {
            guard let parsed = MLPKind(rawValue: kind) else {
                throw .invalidArgument("mlp_type='\(kind)' must be one of \(MLPKind.allCases.map(\.rawValue))")
            }
            spec.mlpKind = parsed
        }
        if let kind = c.normType {
            guard let parsed = NormKind(rawValue: kind) else {
                throw .invalidArgument("norm_type='\(kind)' must be one of \(NormKind.allCases.map(\.rawValue))")
            }
            spec.normKind = parsed
        }
        if let v = c.qkvBias { spec.qkvBias = v }
        if let v = c.mlpBias { spec.mlpBias = v }
        if let v = c.attentionOutBias { spec.attentionOutputBias = v }
        if let v = c.qkNorm { spec.qkNorm = v }
        if let p = c.nPositions, family != .gpt2 { spec.learnedPositionEmbeddings = p }
        return try spec.validated()
    }

    /// A product of user-supplied sizes that cannot trap: on overflow it returns Int.max, which
    /// validation then rejects with the field's name.
    static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    /// Activations of a gated (GLU-family) MLP.
    static let gatedActivations: Set<String> = ["silu", "swish", "swiglu", "gelu_pytorch_tanh_glu", "geglu"]

    static func family(of c: HuggingFaceConfig) throws(PDCostError) -> ArchitectureFamily {
        if let architectures = c.architectures, let first = architectures.first {
            guard let family = ArchitectureFamily.byArchitecture[first] else {
                throw .unsupported("architectures[0]='\(first)' is not supported; supported: "
                                   + ArchitectureFamily.supportedArchitectures.joined(separator: ", "))
            }
            return family
        }
        guard let type = c.modelType else {
            throw .invalidArgument("missing required field 'architectures' (or 'model_type')")
        }
        guard let family = ArchitectureFamily.byModelType[type] else {
            throw .unsupported("model_type='\(type)' is not supported; supported: "
                               + ArchitectureFamily.supportedModelTypes.joined(separator: ", "))
        }
        return family
    }

    static func required(_ value: Int?, _ field: String, _ family: ArchitectureFamily) throws(PDCostError) -> Int {
        guard let value else {
            throw .invalidArgument("missing required field '\(field)' for model_type '\(family.defaultModelType)'")
        }
        return value
    }

    /// pdcost's canonical JSON for a spec: Hugging Face names plus the explicit keys, which
    /// `spec(from:)` reads back to an equal spec.
    public static func canonicalConfig(for m: ModelSpec) -> HuggingFaceConfig {
        var c = HuggingFaceConfig()
        c.name = m.name
        c.modelType = m.modelType
        c.numHiddenLayers = m.numLayers
        c.hiddenSize = m.hiddenSize
        c.intermediateSize = m.intermediateSize
        c.numAttentionHeads = m.numAttentionHeads
        c.numKeyValueHeads = m.numKeyValueHeads
        c.headDim = m.headDim
        c.vocabSize = m.vocabSize
        c.tieWordEmbeddings = m.tieWordEmbeddings
        c.maxPositionEmbeddings = m.maxPositionEmbeddings
        c.mlpType = m.mlpKind.rawValue
        c.normType = m.normKind.rawValue
        c.qkvBias = m.qkvBias
        c.attentionOutBias = m.attentionOutputBias
        c.mlpBias = m.mlpBias
        c.qkNorm = m.qkNorm
        c.hiddenAct = m.mlpKind == .gated ? "silu" : "gelu"
        if m.learnedPositionEmbeddings > 0 { c.nPositions = m.learnedPositionEmbeddings }
        if let moe = m.moe {
            c.numExperts = moe.numExperts
            c.numExpertsPerTok = moe.expertsPerToken
            c.moeIntermediateSize = moe.expertIntermediateSize
            c.nSharedExperts = moe.numSharedExperts
            c.sharedExpertIntermediateSize = moe.sharedExpertIntermediateSize
            c.firstKDenseReplace = moe.firstDenseLayers
            c.moeLayerFreq = moe.layerFrequency
            c.decoderSparseStep = moe.layerFrequency
            c.topkMethod = moe.routerBias ? "noaux_tc" : "greedy"
            if moe.routerGroups > 0 {
                c.nGroup = moe.routerGroups
                c.topkGroup = moe.routerGroupsPerToken
            }
        }
        if let mla = m.mla {
            c.qLoraRank = mla.qLoraRank
            c.kvLoraRank = mla.kvLoraRank
            c.qkNopeHeadDim = mla.qkNopeHeadDim
            c.qkRopeHeadDim = mla.qkRopeHeadDim
            c.vHeadDim = mla.vHeadDim
        }
        c.numNextnPredictLayers = m.mtpLayers
        return c
    }
}
