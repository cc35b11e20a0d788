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

    // pdcost's explicit keys (canonical JSON); they override architecture defaults.
    public var mlpType: String?
    public var normType: String?
    public var qkvBias: Bool?
    public var attentionOutBias: Bool?
    public var qkNorm: Bool?

    public init() {}

    enum CodingKeys: String, CodingKey {
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
        try JSONReader.check(bytes, what: "model config")
        let data = Data(bytes)
        do {
            return try JSONDecoder().decode(HuggingFaceConfig.self, from: data)
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
