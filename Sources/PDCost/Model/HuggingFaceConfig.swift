import FoundationEssentials

/// The fields of a Hugging Face `config.json` that decide a model's cost, under their Hugging
/// Face names (and the synonyms different architectures use). Every field is optional here;
/// `ModelLoader` decides which are required for which architecture.
///
/// The same shape, with a few pdcost keys that make implicit choices explicit (`mlp_type`,
/// `norm_type`, `qkv_bias`, `attention_out_bias`, `qk_norm`), is pdcost's canonical model JSON:
/// `ModelLoader.canonicalConfig(for:)` writes it and the loader reads it back to the same spec.
public struct HuggingFaceConfig: Codable, Sendable, Hashable {
    public var architectures: [String]?
    public var modelType: String?
    public var name: String?
    public var nameOrPath: String?

    public var numHiddenLayers: Int?
    public var hiddenSize: Int?
    public var intermediateSize: Int?
    public var numAttentionHeads: Int?
    public var numKeyValueHeads: Int?
    public var headDim: Int?
    public var vocabSize: Int?
    public var tieWordEmbeddings: Bool?
    public var hiddenAct: String?
    public var maxPositionEmbeddings: Int?

    // Biases and norms.
    public var attentionBias: Bool?
    public var mlpBias: Bool?

    // MoE (Qwen3-MoE / Mixtral / DeepSeek names).
    public var numExperts: Int?
    public var nRoutedExperts: Int?
    public var numLocalExperts: Int?
    public var numExpertsPerTok: Int?
    public var moeIntermediateSize: Int?
    public var nSharedExperts: Int?
    public var sharedExpertIntermediateSize: Int?
    public var firstKDenseReplace: Int?
    public var moeLayerFreq: Int?
    public var decoderSparseStep: Int?
    public var mlpOnlyLayers: [Int]?
    public var topkMethod: String?
    /// Group-limited routing (DeepSeek-V2/V3): experts in `n_group` groups, each token routed
    /// within its best `topk_group` of them.
    public var nGroup: Int?
    public var topkGroup: Int?

    // MLA.
    public var qLoraRank: Int?
    public var kvLoraRank: Int?
    public var qkNopeHeadDim: Int?
    public var qkRopeHeadDim: Int?
    public var vHeadDim: Int?
    public var numNextnPredictLayers: Int?

    // GPT-2 names.
    public var nEmbd: Int?
    public var nLayer: Int?
    public var nHead: Int?
    public var nInner: Int?
    public var nPositions: Int?
    public var activationFunction: String?

    // Newer architectures (sliding/chunked attention, hybrids, MoE layouts).
    public var nEmbed: Int?
    public var layerTypes: [String]?
    public var slidingWindow: Int?
    public var useSlidingWindow: Bool?
    public var slidingWindowPattern: Int?
    /// Qwen2/Qwen3: layers from this index on slide when `use_sliding_window` is true.
    public var maxWindowLayers: Int?
    public var attentionChunkSize: Int?
    public var interleaveMoeLayerStep: Int?
    public var intermediateSizeMlp: Int?
    public var noRopeLayers: [Int]?
    public var noRopeLayerInterval: Int?
    public var attnLogitSoftcapping: Double?
    public var finalLogitSoftcapping: Double?
    public var swigluLimit: Double?
    public var useQkNorm: Bool?
    public var qkNormType: String?
    public var expertsPerToken: Int?
    public var hybridOverridePattern: String?
    /// Newer NemotronH configs: one entry per layer ("mamba", "attention", "mlp", "moe") in place
    /// of `hybrid_override_pattern`, with `num_hidden_layers` null.
    public var layersBlockType: [String]?
    public var mambaNumHeads: Int?
    public var mambaHeadDim: Int?
    public var ssmStateSize: Int?
    public var nGroups: Int?
    public var convKernel: Int?
    public var useConvBias: Bool?
    public var useBias: Bool?
    public var attentionHeadDim: Int?
    public var moeSharedExpertIntermediateSize: Int?
    public var moeLatentSize: Int?
    public var sharedIntermediateSize: Int?
    public var linearNumKeyHeads: Int?
    public var linearNumValueHeads: Int?
    public var linearKeyHeadDim: Int?
    public var linearValueHeadDim: Int?
    public var linearConvKernelDim: Int?
    public var fullAttentionInterval: Int?
    public var attnOutputGate: Bool?
    public var mtpNumHiddenLayers: Int?
    public var useRoutingBias: Bool?
    public var indexNHeads: Int?
    public var indexHeadDim: Int?
    public var indexTopk: Int?
    /// `quantization_config` (read into a checkpoint precision).
    public var quantizationConfig: QuantizationConfig?
    /// For multimodal wrappers (`text_config` present): the wrapper's `architectures` and
    /// `model_type`; the text model's fields fill the rest of this value.
    public var wrapperArchitectures: [String]?
    public var wrapperModelType: String?
    /// Every key the document held (wrapper keys as written, text_config keys prefixed
    /// `text_config.`), for the loader's unknown-key warnings; not encoded.
    public var presentKeys: [String] = []

    // pdcost's explicit keys (canonical JSON); they override architecture defaults.
    public var mlpType: String?
    public var normType: String?
    public var qkvBias: Bool?
    public var attentionOutBias: Bool?
    public var qkNorm: Bool?
    /// pdcost's per-layer keys (canonical JSON of a model with per-layer kinds): the FFN of
    /// each layer (`dense`, `moe`, `none`), read with `layer_types` (mixers, `MixerKind` names)
    /// and `no_rope_layers`; they replace the family's layout rule.
    public var layerFfnTypes: [String]?
    /// pdcost's name for the checkpoint precision (`fp8`, `mxfp4`, `nvfp4`, `int4`); wins over
    /// `quantization_config`.
    public var checkpointPrecision: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case architectures, name
        case modelType = "model_type"
        case nameOrPath = "_name_or_path"
        case numHiddenLayers = "num_hidden_layers"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim"
        case vocabSize = "vocab_size"
        case tieWordEmbeddings = "tie_word_embeddings"
        case hiddenAct = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
        case numExperts = "num_experts"
        case nRoutedExperts = "n_routed_experts"
        case numLocalExperts = "num_local_experts"
        case numExpertsPerTok = "num_experts_per_tok"
        case moeIntermediateSize = "moe_intermediate_size"
        case nSharedExperts = "n_shared_experts"
        case sharedExpertIntermediateSize = "shared_expert_intermediate_size"
        case firstKDenseReplace = "first_k_dense_replace"
        case moeLayerFreq = "moe_layer_freq"
        case decoderSparseStep = "decoder_sparse_step"
        case mlpOnlyLayers = "mlp_only_layers"
        case topkMethod = "topk_method"
        case nGroup = "n_group"
        case topkGroup = "topk_group"
        case qLoraRank = "q_lora_rank"
        case kvLoraRank = "kv_lora_rank"
        case qkNopeHeadDim = "qk_nope_head_dim"
        case qkRopeHeadDim = "qk_rope_head_dim"
        case vHeadDim = "v_head_dim"
        case numNextnPredictLayers = "num_nextn_predict_layers"
        case nEmbd = "n_embd"
        case nLayer = "n_layer"
        case nHead = "n_head"
        case nInner = "n_inner"
        case nPositions = "n_positions"
        case activationFunction = "activation_function"
        case mlpType = "mlp_type"
        case normType = "norm_type"
        case qkvBias = "qkv_bias"
        case attentionOutBias = "attention_out_bias"
        case qkNorm = "qk_norm"
        case layerFfnTypes = "layer_ffn_types"
        case checkpointPrecision = "checkpoint_precision"
        case nEmbed = "n_embed"
        case layerTypes = "layer_types"
        case slidingWindow = "sliding_window"
        case useSlidingWindow = "use_sliding_window"
        case slidingWindowPattern = "sliding_window_pattern"
        case maxWindowLayers = "max_window_layers"
        case attentionChunkSize = "attention_chunk_size"
        case interleaveMoeLayerStep = "interleave_moe_layer_step"
        case intermediateSizeMlp = "intermediate_size_mlp"
        case noRopeLayers = "no_rope_layers"
        case noRopeLayerInterval = "no_rope_layer_interval"
        case attnLogitSoftcapping = "attn_logit_softcapping"
        case finalLogitSoftcapping = "final_logit_softcapping"
        case swigluLimit = "swiglu_limit"
        case useQkNorm = "use_qk_norm"
        case qkNormType = "qk_norm_type"
        case expertsPerToken = "experts_per_token"
        case hybridOverridePattern = "hybrid_override_pattern"
        case layersBlockType = "layers_block_type"
        case mambaNumHeads = "mamba_num_heads"
        case mambaHeadDim = "mamba_head_dim"
        case ssmStateSize = "ssm_state_size"
        case nGroups = "n_groups"
        case convKernel = "conv_kernel"
        case useConvBias = "use_conv_bias"
        case useBias = "use_bias"
        case attentionHeadDim = "attention_head_dim"
        case moeSharedExpertIntermediateSize = "moe_shared_expert_intermediate_size"
        case moeLatentSize = "moe_latent_size"
        case sharedIntermediateSize = "shared_intermediate_size"
        case linearNumKeyHeads = "linear_num_key_heads"
        case linearNumValueHeads = "linear_num_value_heads"
        case linearKeyHeadDim = "linear_key_head_dim"
        case linearValueHeadDim = "linear_value_head_dim"
        case linearConvKernelDim = "linear_conv_kernel_dim"
        case fullAttentionInterval = "full_attention_interval"
        case attnOutputGate = "attn_output_gate"
        case mtpNumHiddenLayers = "mtp_num_hidden_layers"
        case useRoutingBias = "use_routing_bias"
        case quantizationConfig = "quantization_config"
        case indexNHeads = "index_n_heads"
        case indexHeadDim = "index_head_dim"
        case indexTopk = "index_topk"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        nameOrPath = try c.decodeIfPresent(String.self, forKey: .nameOrPath)
        numHiddenLayers = try Self.integer(c, .numHiddenLayers)
        hiddenSize = try Self.integer(c, .hiddenSize)
        intermediateSize = try Self.integer(c, .intermediateSize)
        numAttentionHeads = try Self.integer(c, .numAttentionHeads)
        numKeyValueHeads = try Self.integer(c, .numKeyValueHeads)
        headDim = try Self.integer(c, .headDim)
        vocabSize = try Self.integer(c, .vocabSize)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings)
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct)
        maxPositionEmbeddings = try Self.integer(c, .maxPositionEmbeddings)
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias)
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias)
        numExperts = try Self.integer(c, .numExperts)
        nRoutedExperts = try Self.integer(c, .nRoutedExperts)
        numLocalExperts = try Self.integer(c, .numLocalExperts)
        numExpertsPerTok = try Self.integer(c, .numExpertsPerTok)
        moeIntermediateSize = try Self.integer(c, .moeIntermediateSize)
        nSharedExperts = try Self.integer(c, .nSharedExperts)
        sharedExpertIntermediateSize = try Self.integer(c, .sharedExpertIntermediateSize)
        firstKDenseReplace = try Self.integer(c, .firstKDenseReplace)
        moeLayerFreq = try Self.integer(c, .moeLayerFreq)
        decoderSparseStep = try Self.integer(c, .decoderSparseStep)
        mlpOnlyLayers = try c.decodeIfPresent([Int].self, forKey: .mlpOnlyLayers)
        topkMethod = try c.decodeIfPresent(String.self, forKey: .topkMethod)
        nGroup = try Self.integer(c, .nGroup)
        topkGroup = try Self.integer(c, .topkGroup)
        qLoraRank = try Self.integer(c, .qLoraRank)
        kvLoraRank = try Self.integer(c, .kvLoraRank)
        qkNopeHeadDim = try Self.integer(c, .qkNopeHeadDim)
        qkRopeHeadDim = try Self.integer(c, .qkRopeHeadDim)
        vHeadDim = try Self.integer(c, .vHeadDim)
        numNextnPredictLayers = try Self.integer(c, .numNextnPredictLayers)
        nEmbd = try Self.integer(c, .nEmbd)
        nLayer = try Self.integer(c, .nLayer)
        nHead = try Self.integer(c, .nHead)
        nInner = try Self.integer(c, .nInner)
        nPositions = try Self.integer(c, .nPositions)
        activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction)
        mlpType = try c.decodeIfPresent(String.self, forKey: .mlpType)
        normType = try c.decodeIfPresent(String.self, forKey: .normType)
        qkvBias = try c.decodeIfPresent(Bool.self, forKey: .qkvBias)
        attentionOutBias = try c.decodeIfPresent(Bool.self, forKey: .attentionOutBias)
        qkNorm = try c.decodeIfPresent(Bool.self, forKey: .qkNorm)
        layerFfnTypes = try c.decodeIfPresent([String].self, forKey: .layerFfnTypes)
        checkpointPrecision = try c.decodeIfPresent(String.self, forKey: .checkpointPrecision)
        nEmbed = try Self.integer(c, .nEmbed)
        layerTypes = try c.decodeIfPresent([String].self, forKey: .layerTypes)
        slidingWindow = try Self.integer(c, .slidingWindow)
        useSlidingWindow = try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow)
        slidingWindowPattern = try Self.integer(c, .slidingWindowPattern)
        maxWindowLayers = try Self.integer(c, .maxWindowLayers)
        attentionChunkSize = try Self.integer(c, .attentionChunkSize)
        interleaveMoeLayerStep = try Self.integer(c, .interleaveMoeLayerStep)
        intermediateSizeMlp = try Self.integer(c, .intermediateSizeMlp)
        noRopeLayers = try c.decodeIfPresent([Int].self, forKey: .noRopeLayers)
        noRopeLayerInterval = try Self.integer(c, .noRopeLayerInterval)
        attnLogitSoftcapping = try c.decodeIfPresent(Double.self, forKey: .attnLogitSoftcapping)
        finalLogitSoftcapping = try c.decodeIfPresent(Double.self, forKey: .finalLogitSoftcapping)
        swigluLimit = try c.decodeIfPresent(Double.self, forKey: .swigluLimit)
        useQkNorm = try c.decodeIfPresent(Bool.self, forKey: .useQkNorm)
        qkNormType = try c.decodeIfPresent(String.self, forKey: .qkNormType)
        expertsPerToken = try Self.integer(c, .expertsPerToken)
        hybridOverridePattern = try c.decodeIfPresent(String.self, forKey: .hybridOverridePattern)
        layersBlockType = try c.decodeIfPresent([String].self, forKey: .layersBlockType)
        mambaNumHeads = try Self.integer(c, .mambaNumHeads)
        mambaHeadDim = try Self.integer(c, .mambaHeadDim)
        ssmStateSize = try Self.integer(c, .ssmStateSize)
        nGroups = try Self.integer(c, .nGroups)
        convKernel = try Self.integer(c, .convKernel)
        useConvBias = try c.decodeIfPresent(Bool.self, forKey: .useConvBias)
        useBias = try c.decodeIfPresent(Bool.self, forKey: .useBias)
        attentionHeadDim = try Self.integer(c, .attentionHeadDim)
        moeSharedExpertIntermediateSize = try Self.integer(c, .moeSharedExpertIntermediateSize)
        moeLatentSize = try Self.integer(c, .moeLatentSize)
        sharedIntermediateSize = try Self.integer(c, .sharedIntermediateSize)
        linearNumKeyHeads = try Self.integer(c, .linearNumKeyHeads)
        linearNumValueHeads = try Self.integer(c, .linearNumValueHeads)
        linearKeyHeadDim = try Self.integer(c, .linearKeyHeadDim)
        linearValueHeadDim = try Self.integer(c, .linearValueHeadDim)
        linearConvKernelDim = try Self.integer(c, .linearConvKernelDim)
        fullAttentionInterval = try Self.integer(c, .fullAttentionInterval)
        attnOutputGate = try c.decodeIfPresent(Bool.self, forKey: .attnOutputGate)
        mtpNumHiddenLayers = try Self.integer(c, .mtpNumHiddenLayers)
        useRoutingBias = try c.decodeIfPresent(Bool.self, forKey: .useRoutingBias)
        quantizationConfig = try c.decodeIfPresent(QuantizationConfig.self, forKey: .quantizationConfig)
        indexNHeads = try Self.integer(c, .indexNHeads)
        indexHeadDim = try Self.integer(c, .indexHeadDim)
        indexTopk = try Self.integer(c, .indexTopk)
        presentKeys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
    }

    /// Decodes an optional integer field. Foundation reports a number that does not fit `Int`
    /// (4096.5, 1e30) without the field's name; this names it.
    private static func integer(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        do {
            return try c.decodeIfPresent(Int.self, forKey: key)
        } catch {
            if let number = try? c.decodeIfPresent(Double.self, forKey: key) {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: [key],
                    debugDescription: "\(number) is not an integer in the range of a 64-bit Int"))
            }
            throw error
        }
    }

    /// Decodes config.json bytes; the error names the field and what was wrong with it.
    public static func decode(_ bytes: some Collection<UInt8>) throws(PDCostError) -> HuggingFaceConfig {
        let bytes = PythonJSON.nonFiniteAsNull(Array(bytes))
        try JSONReader.check(bytes, what: "model config")
        let data = Data(bytes)
        do {
            let outer = try JSONDecoder().decode(HuggingFaceConfig.self, from: data)
            guard outer.presentKeys.contains("text_config") else { return outer }
            // Multimodal wrappers (Llama 4, Qwen3.5, Gemma 3/4, Kimi K2.5) keep the language
            // model under `text_config`; pdcost prices that model and names the wrapper.
            var text = try JSONDecoder().decode(TextConfigWrapper.self, from: data).textConfig
            text.wrapperArchitectures = outer.architectures
            text.wrapperModelType = outer.modelType
            text.tieWordEmbeddings = text.tieWordEmbeddings ?? outer.tieWordEmbeddings
            text.quantizationConfig = text.quantizationConfig ?? outer.quantizationConfig
            text.name = text.name ?? outer.name
            text.nameOrPath = text.nameOrPath.flatMap { $0.isEmpty ? nil : $0 } ?? outer.nameOrPath
            text.presentKeys = outer.presentKeys + text.presentKeys.map { "text_config." + $0 }
            return text
        } catch let error as DecodingError {
            throw .parse("model config: " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("model config: \(error)")
        }
    }

    /// Encodes as pretty JSON with sorted keys (absent fields are left out).
    public func encoded() throws(PDCostError) -> String {
        try JSONWriter.encode(self, what: "model config")
    }
}

/// Any JSON object key (to list the keys a config holds).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The `text_config` member of a multimodal config.
private struct TextConfigWrapper: Decodable {
    var textConfig: HuggingFaceConfig
    enum CodingKeys: String, CodingKey { case textConfig = "text_config" }
}

/// The parts of `quantization_config` that decide the weight format (transformers
/// `QuantizationConfigMixin` subclasses; ModelOpt `hf_quant_config`; compressed-tensors).
public struct QuantizationConfig: Codable, Sendable, Hashable {
    /// `quant_method`: fp8, mxfp4, modelopt, awq, gptq, compressed-tensors, bitsandbytes, ...
    public var quantMethod: String?
    /// ModelOpt `quant_algo` (FP8, NVFP4, ...).
    public var quantAlgo: String?
    /// AWQ/GPTQ `bits` / `w_bit`.
    public var bits: Int?
    public var wBit: Int?
    /// compressed-tensors groups: the weights' bit width and type.
    public var configGroups: [String: Group]?

    public struct Group: Codable, Sendable, Hashable {
        public var weights: Weights?
        public struct Weights: Codable, Sendable, Hashable {
            public var numBits: Int?
            public var type: String?
            enum CodingKeys: String, CodingKey {
                case numBits = "num_bits"
                case type
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case quantMethod = "quant_method"
        case quantAlgo = "quant_algo"
        case bits
        case wBit = "w_bit"
        case configGroups = "config_groups"
    }

    public init(quantMethod: String? = nil, quantAlgo: String? = nil) {
        self.quantMethod = quantMethod
        self.quantAlgo = quantAlgo
    }
}

/// Python's `json.dump` writes the non-finite floats `Infinity` and `-Infinity`, which RFC 8259
/// does not allow; Hugging Face configs carry them as range ends (Nemotron-H
/// `time_step_limit: [0.0, Infinity]`). As array elements, outside strings, they are read as
/// `null` before the strict JSON gate: no key pdcost reads holds such an array. Anywhere else
/// (a member's value) and `NaN` everywhere stay errors.
enum PythonJSON {
    static func nonFiniteAsNull(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(UInt8(ascii: "I")) else { return b }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var inString = false, escaped = false, i = 0
        var containers: [UInt8] = []  // open '[' / '{'
        let tokens: [[UInt8]] = [Array("-Infinity".utf8), Array("Infinity".utf8)]
        outer: while i < b.count {
            let ch = b[i]
            if inString {
                out.append(ch)
                if escaped { escaped = false } else if ch == UInt8(ascii: "\\") { escaped = true } else if ch == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            switch ch {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): containers.append(ch)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): _ = containers.popLast()
            default:
                if containers.last == UInt8(ascii: "[") {
                    for t in tokens where b.count - i >= t.count && b[i..<(i + t.count)].elementsEqual(t) {
                        out.append(contentsOf: Array("null".utf8))
                        i += t.count
                        continue outer
                    }
                }
            }
            out.append(ch)
            i += 1
        }
        return out
    }
}
