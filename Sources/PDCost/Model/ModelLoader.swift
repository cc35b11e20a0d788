/// A loaded model and what the loader could not price.
public struct ModelLoadResult: Sendable, Hashable {
    public var spec: ModelSpec
    /// One line per config key that may change cost but is not priced (unknown keys, features
    /// read but not modelled, quantisation methods not understood). Never silently dropped.
    public var warnings: [String]

    public init(spec: ModelSpec, warnings: [String]) {
        self.spec = spec
        self.warnings = warnings
    }
}

/// Builds a `ModelSpec` from a Hugging Face config.json (or pdcost's canonical model JSON),
/// applying the family's row of `ArchitectureTable`.
public enum ModelLoader {
    /// Parses config.json bytes into a validated spec.
    public static func load(json bytes: some Collection<UInt8>) throws(PDCostError) -> ModelSpec {
        try spec(from: HuggingFaceConfig.decode(bytes))
    }

    /// Parses config.json bytes into a validated spec and the warnings of the load.
    public static func loadWithWarnings(json bytes: some Collection<UInt8>) throws(PDCostError) -> ModelLoadResult {
        try result(from: HuggingFaceConfig.decode(bytes))
    }

    /// Maps a decoded config onto a validated spec. Unknown architectures and missing required
    /// fields are errors that name the field.
    public static func spec(from c: HuggingFaceConfig) throws(PDCostError) -> ModelSpec {
        try result(from: c).spec
    }

    /// Maps a decoded config onto a validated spec and lists what it could not price.
    public static func result(from c: HuggingFaceConfig) throws(PDCostError) -> ModelLoadResult {
        let family = try family(of: c)
        let rule = family.rule
        var warnings: [String] = []
        // The family it was read as (`architectures[0]` wins over `model_type`), so the
        // canonical JSON, which writes only `model_type`, reloads as the same family.
        let modelType = family.defaultModelType
        let name = c.name ?? c.nameOrPath ?? c.modelType ?? c.wrapperModelType ?? modelType
        let hidden = try required(c.hiddenSize ?? c.nEmbd ?? c.nEmbed, "hidden_size", family)
        let layers = try required(c.numHiddenLayers ?? c.nLayer ?? c.layersBlockType?.count, "num_hidden_layers", family)
        let heads = try required(c.numAttentionHeads ?? c.nHead, "num_attention_heads", family)
        let vocab = try required(c.vocabSize, "vocab_size", family)
        guard heads > 0 else { throw .invalidArgument("num_attention_heads=\(heads) must be >= 1") }

        var spec = ModelSpec(name: name, modelType: modelType, numLayers: layers,
                             hiddenSize: hidden, intermediateSize: 0, numAttentionHeads: heads,
                             numKeyValueHeads: c.numKeyValueHeads ?? heads,
                             headDim: c.headDim ?? c.attentionHeadDim ?? hidden / heads, vocabSize: vocab,
                             maxPositionEmbeddings: c.maxPositionEmbeddings ?? c.nPositions ?? 0)
        spec.tieWordEmbeddings = c.tieWordEmbeddings ?? rule.tieDefault
        spec.qkvBias = bias(rule.qkvBias, c)
        spec.attentionOutputBias = bias(rule.outputBias, c)
        spec.mlpBias = bias(rule.mlpBias, c)
        spec.normKind = rule.norm
        spec.normsPerLayer = rule.normsPerLayer
        spec.attentionSinks = rule.sinks
        spec.embeddingNorm = rule.embeddingNorm
        spec.attentionLogitSoftcap = c.attnLogitSoftcapping ?? 0
        spec.finalLogitSoftcap = c.finalLogitSoftcapping ?? 0
        spec.gluClampLimit = c.swigluLimit ?? 0

        // FFN widths.
        var expertWidth: Int?
        switch rule.intermediate {
        case .required:
            spec.intermediateSize = try required(c.intermediateSize, "intermediate_size", family)
        case .nInnerOrFourHidden:
            spec.intermediateSize = c.nInner ?? c.intermediateSize ?? saturatingProduct(4, hidden)
        case .orFourHidden:
            spec.intermediateSize = c.intermediateSize ?? saturatingProduct(4, hidden)
        case .optionalDense:
            spec.intermediateSize = c.intermediateSize ?? c.moeIntermediateSize ?? 0
        case .expertWidth:
            let width = try required(c.moeIntermediateSize ?? c.intermediateSize, "intermediate_size", family)
            spec.intermediateSize = c.intermediateSize ?? width
            expertWidth = width
        case .llama4:
            // Llama4TextConfig: experts `intermediate_size`, dense layers `intermediate_size_mlp`
            // (pdcost's canonical JSON: experts `moe_intermediate_size`, dense `intermediate_size`).
            let dense = try required(c.intermediateSize, "intermediate_size", family)
            expertWidth = c.moeIntermediateSize ?? dense
            spec.intermediateSize = c.intermediateSizeMlp ?? dense
        }
        switch rule.mlp {
        case .plain:
            spec.mlpKind = .plain
        case .gated:
            spec.mlpKind = .gated
        case .gatedChecked:
            spec.mlpKind = .gated
            if let act = c.hiddenAct ?? c.activationFunction, !gatedActivations.contains(act) {
                throw .unsupported("hidden_act='\(act)' is not supported for \(modelType) (gated: \(gatedActivations.sorted()))")
            }
        }

        // q/k norms.
        switch rule.qkNorm {
        case .none: break
        case .perHead: spec.qkNorm = true
        case .perHeadIfUseQKNorm: spec.qkNorm = c.useQkNorm ?? false
        case .fullWidth:
            spec.qkNorm = true
            spec.qkNormScope = .fullWidth
        case .minimax:
            // MiniMax-M2 `qk_norm_type: per_layer` norms the whole projection; else per head.
            spec.qkNorm = c.useQkNorm ?? false
            spec.qkNormScope = c.qkNormType == "per_head" ? .perHead : .fullWidth
        }

        // Attention kind.
        switch rule.attention {
        case .standard: break
        case .gatedQuery: spec.attentionOutputGate = c.attnOutputGate ?? true
        case .mla:
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
        }

        // Mixture of experts.
        try applyMoE(rule, c, family, expertWidth: expertWidth, into: &spec)
        // LatentMoE (`MoESpec.latentSize`); null or absent: experts at the hidden size.
        if let latent = c.moeLatentSize, spec.moe != nil { spec.moe?.latentSize = latent }

        // Per-layer layout (mixers, windows, hybrid state layers).
        try LayerLayoutReader.apply(rule, c, family, into: &spec, warnings: &warnings)

        switch rule.mtp {
        case .none: break
        case .nextn: spec.mtpLayers = c.numNextnPredictLayers ?? 0
        case .qwen: spec.mtpLayers = c.mtpNumHiddenLayers ?? c.numNextnPredictLayers ?? 0
        }

        // Positions.
        switch rule.positions {
        case .rope: spec.positionEncoding = .rope
        case .alibi: spec.positionEncoding = .alibi
        case .none: spec.positionEncoding = .none
        case .learnedRequired:
            spec.learnedPositionEmbeddings = try required(c.nPositions ?? c.maxPositionEmbeddings, "n_positions", family)
        }

        // pdcost's explicit keys win over the family defaults (unless the architecture uses
        // the same names for its own fields).
        if let kind = c.mlpType, !rule.ownKeys.contains("mlp_type") {
            guard let parsed = MLPKind(rawValue: kind) else {
                throw .invalidArgument("mlp_type='\(kind)' must be one of \(MLPKind.allCases.map(\.rawValue))")
            }
            spec.mlpKind = parsed
        }
        if let kind = c.normType, !rule.ownKeys.contains("norm_type") {
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
        if spec.learnedPositionEmbeddings > 0 { spec.positionEncoding = .learned }

        spec.checkpointPrecision = QuantizationReader.precision(c.quantizationConfig, warnings: &warnings)
        if let name = c.checkpointPrecision {
            guard let parsed = CheckpointPrecision(rawValue: name) else {
                throw .invalidArgument("checkpoint_precision='\(name)' must be one of \(CheckpointPrecision.allCases.map(\.rawValue))")
            }
            spec.checkpointPrecision = parsed
        }
        warnings += ConfigKeys.unknownKeyWarnings(c, family: family)
        return ModelLoadResult(spec: try spec.validated(), warnings: warnings)
    }

    static func bias(_ rule: BiasRule, _ c: HuggingFaceConfig) -> Bool {
        switch rule {
        case .always: true
        case .never: false
        case .attentionBias(let d): c.attentionBias ?? d
        case .mlpBias(let d): c.mlpBias ?? d
        case .useBias(let d): c.useBias ?? d
        }
    }

    /// The MoE part of a spec, under the field names of the row's MoE rule.
    static func applyMoE(_ rule: ArchitectureRule, _ c: HuggingFaceConfig, _ family: ArchitectureFamily,
                         expertWidth: Int?, into spec: inout ModelSpec) throws(PDCostError) {
        switch rule.moe {
        case .none:
            return
        case .qwen(let topK, let sharedGate, let optional):
            if optional, c.numExperts ?? c.nRoutedExperts == nil { return }
            let sharedWidth = c.sharedExpertIntermediateSize ?? 0
            spec.moe = MoESpec(
                numExperts: try required(c.numExperts ?? c.nRoutedExperts, "num_experts", family),
                expertsPerToken: c.numExpertsPerTok ?? topK,
                expertIntermediateSize: try required(c.moeIntermediateSize, "moe_intermediate_size", family),
                numSharedExperts: c.nSharedExperts ?? (sharedGate && sharedWidth > 0 ? 1 : 0),
                sharedExpertIntermediateSize: sharedWidth,
                // Qwen2MoeSparseMoeBlock.shared_expert_gate: Linear(h, 1, bias=False).
                sharedExpertGate: sharedGate && sharedWidth > 0,
                firstDenseLayers: c.firstKDenseReplace ?? 0,
                layerFrequency: c.decoderSparseStep ?? 1)
        case .mixtral(let topK, let routerBias):
            let width = try required(expertWidth ?? c.moeIntermediateSize ?? c.intermediateSize, "intermediate_size", family)
            let shared = c.sharedIntermediateSize ?? c.sharedExpertIntermediateSize ?? 0
            spec.moe = MoESpec(
                numExperts: try required(c.numLocalExperts ?? c.numExperts, "num_local_experts", family),
                expertsPerToken: c.numExpertsPerTok ?? c.expertsPerToken ?? topK, expertIntermediateSize: width,
                numSharedExperts: shared > 0 ? 1 : 0, sharedExpertIntermediateSize: shared,
                routerBias: {
                    switch routerBias {
                    case .never: false
                    case .always: true
                    case .useRoutingBias: c.useRoutingBias ?? (c.topkMethod == "noaux_tc")
                    }
                }())
        case .deepseek(let defaultTopk):
            let width = try required(c.moeIntermediateSize, "moe_intermediate_size", family)
            let shared = c.nSharedExperts ?? 0
            spec.moe = MoESpec(
                numExperts: try required(c.nRoutedExperts ?? c.numExperts, "n_routed_experts", family),
                expertsPerToken: try required(c.numExpertsPerTok, "num_experts_per_tok", family),
                expertIntermediateSize: width, numSharedExperts: shared,
                // DeepSeek's shared experts have the routed-expert width each.
                sharedExpertIntermediateSize: c.sharedExpertIntermediateSize ?? saturatingProduct(shared, width),
                firstDenseLayers: c.firstKDenseReplace ?? 0, layerFrequency: c.moeLayerFreq ?? 1,
                // `noaux_tc` routing keeps a learned per-expert bias (e_score_correction_bias).
                routerBias: (c.topkMethod ?? defaultTopk) == "noaux_tc",
                // `greedy` routes over all experts; `noaux_tc` and `group_limited_greedy`
                // within the top groups (HF modeling_deepseek.py, MoEGate).
                routerGroups: (c.topkMethod ?? defaultTopk) == "greedy" ? 0 : c.nGroup ?? 0,
                routerGroupsPerToken: (c.topkMethod ?? defaultTopk) == "greedy" ? 0 : c.topkGroup ?? 0)
        case .llama4:
            let width = try required(expertWidth, "intermediate_size", family)
            // Llama4TextMoe: routed experts plus one shared expert of the same width; the
            // router is Linear(h, E, bias=False).
            spec.moe = MoESpec(
                numExperts: try required(c.numLocalExperts ?? c.numExperts, "num_local_experts", family),
                expertsPerToken: c.numExpertsPerTok ?? 1, expertIntermediateSize: width,
                numSharedExperts: 1, sharedExpertIntermediateSize: width)
        case .nemotronH:
            guard c.hybridOverridePattern?.contains("E") == true || c.layerFfnTypes?.contains("moe") == true
                || c.layersBlockType?.contains("moe") == true else { return }
            let shared = c.moeSharedExpertIntermediateSize ?? c.sharedExpertIntermediateSize ?? 0
            // NemotronHMOE: routed and shared ReLU² experts; NemotronHTopkRouter keeps an
            // e_score_correction_bias.
            spec.moe = MoESpec(
                numExperts: try required(c.nRoutedExperts ?? c.numExperts, "n_routed_experts", family),
                expertsPerToken: try required(c.numExpertsPerTok, "num_experts_per_tok", family),
                expertIntermediateSize: try required(c.moeIntermediateSize, "moe_intermediate_size", family),
                numSharedExperts: c.nSharedExperts ?? (shared > 0 ? 1 : 0),
                sharedExpertIntermediateSize: shared, routerBias: true)
        }
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
        if let wrapper = c.wrapperArchitectures?.first {
            // A multimodal wrapper: its own name, else the text model's architecture or type.
            if let family = ArchitectureFamily.byArchitecture[wrapper] { return family }
            if let inner = c.architectures?.first, let family = ArchitectureFamily.byArchitecture[inner] { return family }
            if let type = c.modelType, let family = ArchitectureFamily.byModelType[type] { return family }
            throw .unsupported("architectures[0]='\(wrapper)' is not supported; supported: "
                               + ArchitectureFamily.supportedArchitectures.joined(separator: ", "))
        }
        if let architectures = c.architectures, let first = architectures.first {
            guard let family = ArchitectureFamily.byArchitecture[first] else {
                throw .unsupported("architectures[0]='\(first)' is not supported; supported: "
                                   + ArchitectureFamily.supportedArchitectures.joined(separator: ", "))
            }
            return family
        }
        guard let type = c.modelType ?? c.wrapperModelType else {
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
            if moe.latentSize > 0 { c.moeLatentSize = moe.latentSize }
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
        if let p = m.checkpointPrecision { c.quantizationConfig = QuantizationReader.config(for: p) }
        if let layers = m.layers {
            // Per-layer kinds as pdcost's explicit keys, which replace the family's layout rule.
            c.layerTypes = layers.map(\.mixer.rawValue)
            c.layerFfnTypes = layers.map(\.ffn.rawValue)
            if layers.contains(where: { !$0.rope }) { c.noRopeLayers = layers.map { $0.rope ? 1 : 0 } }
            if m.slidingWindow > 0 { c.slidingWindow = m.slidingWindow }
            if m.attentionChunkSize > 0 { c.attentionChunkSize = m.attentionChunkSize }
        }
        if let s = m.mamba {
            c.mambaNumHeads = s.numHeads
            c.mambaHeadDim = s.headDim
            c.ssmStateSize = s.stateSize
            c.nGroups = s.groups
            c.convKernel = s.convKernel
            c.useConvBias = s.convBias
            c.useBias = s.projectionBias
        }
        if let s = m.deltaNet {
            c.linearNumKeyHeads = s.numKeyHeads
            c.linearNumValueHeads = s.numValueHeads
            c.linearKeyHeadDim = s.keyHeadDim
            c.linearValueHeadDim = s.valueHeadDim
            c.linearConvKernelDim = s.convKernel
        }
        if let s = m.sparseIndexer {
            c.indexNHeads = s.numHeads
            c.indexHeadDim = s.headDim
            c.indexTopk = s.topK
        }
        if m.attentionOutputGate { c.attnOutputGate = true }

        if m.attentionLogitSoftcap != 0 { c.attnLogitSoftcapping = m.attentionLogitSoftcap }
        if m.finalLogitSoftcap != 0 { c.finalLogitSoftcapping = m.finalLogitSoftcap }
        if m.gluClampLimit != 0 { c.swigluLimit = m.gluClampLimit }
        return c
    }
}
