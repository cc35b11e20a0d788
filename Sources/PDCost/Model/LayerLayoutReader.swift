/// Reads a config's per-layer layout (`layer_types`, `hybrid_override_pattern`, Llama 4's
/// chunked/NoPE pattern, sliding windows) into `ModelSpec.layers`, as the family's
/// `LayoutRule` in `ArchitectureTable` says.
enum LayerLayoutReader {
    static func apply(_ rule: ArchitectureRule, _ c: HuggingFaceConfig, _ family: ArchitectureFamily,
                      into spec: inout ModelSpec, warnings: inout [String]) throws(PDCostError) {
        let count = spec.numLayers
        let type = family.defaultModelType
        // Layouts below build one entry per layer: bound the count first (validation would
        // reject it later with the same message).
        let explicit: Bool
        if case .uniform = rule.layout {
            explicit = c.slidingWindow != nil || !(c.mlpOnlyLayers ?? []).isEmpty || c.layerFfnTypes != nil
        } else {
            explicit = true
        }
        if explicit { try PDCostLimits.numLayers.check(count, field: "num_hidden_layers") }
        if let ffns = c.layerFfnTypes {
            try applyExplicit(ffns, c, family, into: &spec)
            return
        }
        switch rule.layout {
        case .uniform(let sliding):
            try applyUniform(sliding, c, type, into: &spec, warnings: &warnings)
        case .layerTypes(let fallback):
            var mixers: [MixerKind] = []
            if let types = c.layerTypes {
                mixers = try parse(types, count: count, allowed: [.fullAttention, .slidingAttention])
            } else {
                switch fallback {
                case .alternatingSlidingFirst:
                    // transformers Gemma2DecoderLayer: `is_sliding = not bool(layer_idx % 2)`.
                    mixers = (0..<count).map { $0 % 2 == 0 ? .slidingAttention : .fullAttention }
                case .everyNthFull(let defaultPeriod):
                    // transformers Gemma3TextConfig: `layer_types[i] = sliding unless (i + 1) %
                    // sliding_window_pattern == 0`.
                    let period = c.slidingWindowPattern ?? defaultPeriod
                    guard period >= 1 else {
                        throw .invalidArgument("sliding_window_pattern=\(period) must be >= 1")
                    }
                    mixers = (0..<count).map { ($0 + 1) % period == 0 ? .fullAttention : .slidingAttention }
                case .required:
                    throw .invalidArgument("missing required field 'layer_types' for model_type '\(type)'")
                }
            }
            if mixers.contains(.slidingAttention) {
                spec.slidingWindow = try ModelLoader.required(c.slidingWindow, "sliding_window", family)
            }
            spec.layers = mixers.enumerated().map { LayerSpec(mixer: $0.element, ffn: ffn(spec, $0.offset, c)) }
        case .llama4:
            // transformers Llama4TextConfig: `no_rope_layers[i] = int((i + 1) % no_rope_layer_interval
            // != 0)` (interval 4); RoPE layers use chunked attention, NoPE layers attend globally.
            let rope: [Bool]
            if let given = c.noRopeLayers {
                guard given.count == count else {
                    throw .invalidArgument("no_rope_layers has \(given.count) entries; num_hidden_layers=\(count)")
                }
                rope = given.map { $0 != 0 }
            } else {
                let interval = c.noRopeLayerInterval ?? 4
                guard interval >= 1 else { throw .invalidArgument("no_rope_layer_interval=\(interval) must be >= 1") }
                rope = (0..<count).map { ($0 + 1) % interval != 0 }
            }
            let chunk = c.attentionChunkSize ?? 0
            guard chunk >= 0 else { throw .invalidArgument("attention_chunk_size=\(chunk) must be >= 0") }
            spec.attentionChunkSize = chunk
            // transformers Llama4TextDecoderLayer: MoE on layers step−1, 2·step−1, ...
            let step = c.interleaveMoeLayerStep ?? 1
            guard step >= 1 else { throw .invalidArgument("interleave_moe_layer_step=\(step) must be >= 1") }
            spec.layers = (0..<count).map { i in
                LayerSpec(mixer: rope[i] && chunk > 0 ? .chunkedAttention : .fullAttention,
                          ffn: (i + 1) % step == 0 ? .moe : .dense, rope: rope[i])
            }
        case .hybridPattern:
            // transformers NemotronHConfig: `hybrid_override_pattern` (M, *, -, E), or in newer
            // configs `layers_block_type` (mamba, attention, mlp, moe).
            let symbols: [String: Character] = ["mamba": "M", "attention": "*", "mlp": "-", "moe": "E"]
            let pattern: [Character]
            if let pat = c.hybridOverridePattern {
                pattern = Array(pat)
            } else if let types = c.layersBlockType {
                pattern = try types.enumerated().map { (i, t) throws(PDCostError) -> Character in
                    guard let s = symbols[t] else {
                        throw .invalidArgument("layers_block_type[\(i)]='\(t)' must be one of mamba, attention, mlp, moe")
                    }
                    return s
                }
            } else {
                pattern = Array(try required(c.hybridOverridePattern, "hybrid_override_pattern", type))
            }
            guard pattern.count == count else {
                let field = c.hybridOverridePattern == nil ? "layers_block_type has \(pattern.count) entries"
                    : "hybrid_override_pattern has \(pattern.count) characters"
                throw .invalidArgument("\(field); num_hidden_layers=\(count)")
            }
            var layers: [LayerSpec] = []
            layers.reserveCapacity(count)
            for (i, ch) in pattern.enumerated() {
                switch ch {
                case "M": layers.append(LayerSpec(mixer: .mamba2, ffn: .none, rope: false))
                case "*": layers.append(LayerSpec(mixer: .fullAttention, ffn: .none, rope: false))
                case "-": layers.append(LayerSpec(mixer: .none, ffn: .dense, rope: false))
                case "E":
                    guard spec.moe != nil else { throw .invalidArgument("hybrid_override_pattern has an MoE layer but no n_routed_experts") }
                    layers.append(LayerSpec(mixer: .none, ffn: .moe, rope: false))
                default:
                    throw .invalidArgument("hybrid_override_pattern[\(i)]='\(ch)' must be one of M, *, -, E")
                }
            }
            spec.layers = layers
            if layers.contains(where: { $0.mixer == .mamba2 }) {
                let heads = try required(c.mambaNumHeads, "mamba_num_heads", type)
                spec.mamba = Mamba2Spec(
                    numHeads: heads, headDim: try required(c.mambaHeadDim, "mamba_head_dim", type),
                    stateSize: try required(c.ssmStateSize, "ssm_state_size", type),
                    groups: c.nGroups ?? 1, convKernel: c.convKernel ?? 4,
                    convBias: c.useConvBias ?? true, projectionBias: c.useBias ?? false)
            }
        case .sparseIndexer:
            spec.layers = (0..<count).map { LayerSpec(mixer: .sparseAttention, ffn: ffn(spec, $0, c)) }
            spec.sparseIndexer = try indexer(c, type)
        case .linearAttentionHybrid:
            var mixers: [MixerKind]
            if let types = c.layerTypes {
                mixers = try parse(types, count: count, allowed: [.fullAttention, .gatedDeltaNet])
            } else {
                // transformers Qwen3NextConfig: full attention when (i + 1) % interval == 0.
                let interval = c.fullAttentionInterval ?? 4
                guard interval >= 1 else { throw .invalidArgument("full_attention_interval=\(interval) must be >= 1") }
                mixers = (0..<count).map { ($0 + 1) % interval == 0 ? .fullAttention : .gatedDeltaNet }
            }
            spec.layers = mixers.enumerated().map { LayerSpec(mixer: $0.element, ffn: ffn(spec, $0.offset, c)) }
            if mixers.contains(.gatedDeltaNet) { spec.deltaNet = try deltaNet(c, type) }
        }
        if let layers = spec.layers, let moe = spec.moe, !layers.contains(where: { $0.ffn == .moe }) {
            _ = moe
            throw .invalidArgument("the MoE fields describe experts but no layer is an MoE layer")
        }
        try checkStateShapes(spec)
    }

    /// pdcost's explicit per-layer keys (canonical JSON): `layer_types` with any `MixerKind`,
    /// `layer_ffn_types`, `no_rope_layers`, and the window and state-layer fields they need.
    private static func applyExplicit(_ ffns: [String], _ c: HuggingFaceConfig, _ family: ArchitectureFamily,
                                      into spec: inout ModelSpec) throws(PDCostError) {
        let count = spec.numLayers, type = family.defaultModelType
        guard ffns.count == count else {
            throw .invalidArgument("layer_ffn_types has \(ffns.count) entries; num_hidden_layers=\(count)")
        }
        let mixers = try parse(try required(c.layerTypes, "layer_types", type), count: count, allowed: MixerKind.allCases)
        let rope = c.noRopeLayers ?? Array(repeating: 1, count: count)
        guard rope.count == count else {
            throw .invalidArgument("no_rope_layers has \(rope.count) entries; num_hidden_layers=\(count)")
        }
        var layers: [LayerSpec] = []
        layers.reserveCapacity(count)
        for i in 0..<count {
            guard let ffn = FFNKind(rawValue: ffns[i]) else {
                throw .invalidArgument("layer_ffn_types[\(i)]='\(ffns[i])' must be one of \(FFNKind.allCases.map(\.rawValue))")
            }
            if ffn == .moe, spec.moe == nil {
                throw .invalidArgument("layer_ffn_types[\(i)]='moe' but the config describes no experts")
            }
            layers.append(LayerSpec(mixer: mixers[i], ffn: ffn, rope: rope[i] != 0))
        }
        spec.layers = layers
        if mixers.contains(.slidingAttention) {
            spec.slidingWindow = try required(c.slidingWindow, "sliding_window", type)
        }
        if mixers.contains(.chunkedAttention) {
            spec.attentionChunkSize = try required(c.attentionChunkSize, "attention_chunk_size", type)
        }
        if mixers.contains(.mamba2) {
            spec.mamba = Mamba2Spec(
                numHeads: try required(c.mambaNumHeads, "mamba_num_heads", type),
                headDim: try required(c.mambaHeadDim, "mamba_head_dim", type),
                stateSize: try required(c.ssmStateSize, "ssm_state_size", type),
                groups: c.nGroups ?? 1, convKernel: c.convKernel ?? 4,
                convBias: c.useConvBias ?? true, projectionBias: c.useBias ?? false)
        }
        if mixers.contains(.gatedDeltaNet) { spec.deltaNet = try deltaNet(c, type) }
        if mixers.contains(.sparseAttention) { spec.sparseIndexer = try indexer(c, type) }
        try checkStateShapes(spec)
    }

    /// Gated DeltaNet shapes (transformers Qwen3NextConfig `linear_*` keys).
    private static func deltaNet(_ c: HuggingFaceConfig, _ type: String) throws(PDCostError) -> DeltaNetSpec {
        DeltaNetSpec(
            numKeyHeads: try required(c.linearNumKeyHeads, "linear_num_key_heads", type),
            numValueHeads: try required(c.linearNumValueHeads, "linear_num_value_heads", type),
            keyHeadDim: try required(c.linearKeyHeadDim, "linear_key_head_dim", type),
            valueHeadDim: try required(c.linearValueHeadDim, "linear_value_head_dim", type),
            convKernel: c.linearConvKernelDim ?? 4)
    }

    private static func indexer(_ c: HuggingFaceConfig, _ type: String) throws(PDCostError) -> SparseIndexerSpec {
        SparseIndexerSpec(numHeads: try required(c.indexNHeads, "index_n_heads", type),
                          headDim: try required(c.indexHeadDim, "index_head_dim", type),
                          topK: try required(c.indexTopk, "index_topk", type))
    }

    /// `sliding_window` on a uniform family.
    private static func applyUniform(_ sliding: SlidingRule, _ c: HuggingFaceConfig, _ type: String,
                                     into spec: inout ModelSpec, warnings: inout [String]) throws(PDCostError) {
        // Qwen MoE `mlp_only_layers`: the listed layers keep a dense FFN (Qwen2MoeDecoderLayer).
        let mlpOnly = c.mlpOnlyLayers ?? []
        if let window = c.slidingWindow {
            switch sliding {
            case .absent:
                warnings.append("sliding_window=\(window): \(type) has no sliding-window attention in its modelling code; priced as full attention")
            case .allLayers:
                guard window >= 1 else { throw .invalidArgument("sliding_window=\(window) must be >= 1") }
                spec.slidingWindow = window
                spec.layers = (0..<spec.numLayers).map { LayerSpec(mixer: .slidingAttention, ffn: ffn(spec, $0, c)) }
                return
            case .onlyIfEnabled:
                guard c.useSlidingWindow == true else { break }
                guard window >= 1 else { throw .invalidArgument("sliding_window=\(window) must be >= 1") }
                let mixers: [MixerKind]
                if let types = c.layerTypes {
                    mixers = try parse(types, count: spec.numLayers, allowed: [.fullAttention, .slidingAttention])
                } else {
                    // transformers Qwen2Config: `max_window_layers` defaults to 28.
                    let first = c.maxWindowLayers ?? 28
                    guard first >= 0 else { throw .invalidArgument("max_window_layers=\(first) must be >= 0") }
                    mixers = (0..<spec.numLayers).map { $0 >= first ? .slidingAttention : .fullAttention }
                }
                spec.slidingWindow = window
                spec.layers = mixers.enumerated().map { LayerSpec(mixer: $0.element, ffn: ffn(spec, $0.offset, c)) }
                return
            case .warnOnly:
                warnings.append("sliding_window=\(window): read but not priced for \(type); attention and KV cache priced as full")
            }
        }
        if !mlpOnly.isEmpty {
            guard spec.moe != nil else { return }
            for i in mlpOnly where i < 0 || i >= spec.numLayers {
                throw .invalidArgument("mlp_only_layers contains \(i); layers are 0..<\(spec.numLayers)")
            }
            spec.layers = (0..<spec.numLayers).map { LayerSpec(mixer: .fullAttention, ffn: ffn(spec, $0, c)) }
        }
    }

    /// The FFN of layer `i` when the layout is explicit.
    private static func ffn(_ spec: ModelSpec, _ i: Int, _ c: HuggingFaceConfig) -> FFNKind {
        guard let moe = spec.moe else { return .dense }
        if let mlpOnly = c.mlpOnlyLayers, mlpOnly.contains(i) { return .dense }
        if c.decoderSparseStep != nil {
            // Qwen2MoeDecoderLayer: MoE when (layer_idx + 1) % decoder_sparse_step == 0.
            let step = max(moe.layerFrequency, 1)
            return (i + 1) % step == 0 ? .moe : .dense
        }
        return moe.isMoELayer(i) ? .moe : .dense
    }

    private static func parse(_ types: [String], count: Int, allowed: [MixerKind]) throws(PDCostError) -> [MixerKind] {
        guard types.count == count else {
            throw .invalidArgument("layer_types has \(types.count) entries; num_hidden_layers=\(count)")
        }
        var mixers: [MixerKind] = []
        mixers.reserveCapacity(count)
        for (i, t) in types.enumerated() {
            guard let kind = MixerKind(rawValue: t), allowed.contains(kind) else {
                throw .unsupported("layer_types[\(i)]='\(t)' is not supported here (one of \(allowed.map(\.rawValue)))")
            }
            mixers.append(kind)
        }
        return mixers
    }

    private static func required<T>(_ value: T?, _ field: String, _ type: String) throws(PDCostError) -> T {
        guard let value else {
            throw .invalidArgument("missing required field '\(field)' for model_type '\(type)'")
        }
        return value
    }

    /// State-layer sizes within the model-dimension limit, so every later product is finite.
    private static func checkStateShapes(_ spec: ModelSpec) throws(PDCostError) {
        let limit = PDCostLimits.modelDimension
        if let s = spec.mamba {
            for (v, f) in [(s.numHeads, "mamba_num_heads"), (s.headDim, "mamba_head_dim"),
                           (s.stateSize, "ssm_state_size"), (s.groups, "n_groups"), (s.convKernel, "conv_kernel")] {
                try Limit(name: limit.name, minimum: 1, maximum: limit.maximum, unit: limit.unit,
                          fields: limit.fields, why: limit.why).check(v, field: f)
            }
        }
        if let s = spec.sparseIndexer {
            for (v, f) in [(s.numHeads, "index_n_heads"), (s.headDim, "index_head_dim"), (s.topK, "index_topk")] {
                try Limit(name: limit.name, minimum: 1, maximum: limit.maximum, unit: limit.unit,
                          fields: limit.fields, why: limit.why).check(v, field: f)
            }
        }
        if let s = spec.deltaNet {
            for (v, f) in [(s.numKeyHeads, "linear_num_key_heads"), (s.numValueHeads, "linear_num_value_heads"),
                           (s.keyHeadDim, "linear_key_head_dim"), (s.valueHeadDim, "linear_value_head_dim"),
                           (s.convKernel, "linear_conv_kernel_dim")] {
                try Limit(name: limit.name, minimum: 1, maximum: limit.maximum, unit: limit.unit,
                          fields: limit.fields, why: limit.why).check(v, field: f)
            }
        }
        if spec.slidingWindow < 0 { throw .invalidArgument("sliding_window=\(spec.slidingWindow) must be >= 0") }
        if spec.attentionChunkSize < 0 {
            throw .invalidArgument("attention_chunk_size=\(spec.attentionChunkSize) must be >= 0")
        }
    }
}
