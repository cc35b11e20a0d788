/// The one table of serving-engine settings: each key's JSON name, kind, meaning and whether the
/// cost model uses it. JSON (`ServingSettings+JSON.swift`), the C ABI
/// (`pdcost_serving_settings_fields_json`), Python and the CLI flags follow from it; the
/// per-engine defaults are in `ServingSettings.defaults(engine:gpu:)`.
public struct ServingSettingField: Sendable {
    public let key: String
    public let kind: FrameworkSettingField.Kind
    public let summary: String
    /// Why the value changes no number yet; nil when the cost model uses it.
    public let notModelled: String?
    let get: @Sendable (ServingSettings) -> SettingValue?
    let assign: @Sendable (inout ServingSettings, SettingValue?) -> Void

    /// Sets the field from a value, checking its kind; the message names the key and value.
    public func set(_ settings: inout ServingSettings, _ value: SettingValue?) throws(PDCostError) {
        guard let value else { assign(&settings, nil); return }
        assign(&settings, try kind.validated(value, key: "serving.\(key)"))
    }

    /// The value in `settings` (nil when unset).
    public func value(in settings: ServingSettings) -> SettingValue? { get(settings) }
}

extension ServingSettingField {
    static func flag(_ key: String, _ path: WritableKeyPath<ServingSettings, Bool?> & Sendable,
                     _ summary: String, notModelled: String? = nil) -> Self {
        Self(key: key, kind: .bool, summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map(SettingValue.bool) },
             assign: { s, v in if case .bool(let b)? = v { s[keyPath: path] = b } else { s[keyPath: path] = nil } })
    }

    static func integer(_ key: String, _ path: WritableKeyPath<ServingSettings, Int?> & Sendable,
                        _ range: ClosedRange<Int>, _ summary: String) -> Self {
        Self(key: key, kind: .integer(range), summary: summary, notModelled: nil,
             get: { s in s[keyPath: path].map(SettingValue.integer) },
             assign: { s, v in if case .integer(let i)? = v { s[keyPath: path] = i } else { s[keyPath: path] = nil } })
    }

    static func number(_ key: String, _ path: WritableKeyPath<ServingSettings, Double?> & Sendable,
                       _ range: ClosedRange<Double>, _ summary: String) -> Self {
        Self(key: key, kind: .number(range), summary: summary, notModelled: nil,
             get: { s in s[keyPath: path].map(SettingValue.number) },
             assign: { s, v in if case .number(let x)? = v { s[keyPath: path] = x } else { s[keyPath: path] = nil } })
    }

    static func text(_ key: String, _ path: WritableKeyPath<ServingSettings, String?> & Sendable,
                     _ summary: String) -> Self {
        Self(key: key, kind: .text, summary: summary, notModelled: nil,
             get: { s in s[keyPath: path].map(SettingValue.text) },
             assign: { s, v in if case .text(let t)? = v { s[keyPath: path] = t } else { s[keyPath: path] = nil } })
    }

    static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ path: WritableKeyPath<ServingSettings, E?> & Sendable, _ summary: String,
        notModelled: String? = nil) -> Self where E.RawValue == String {
        Self(key: key, kind: .choice(E.allCases.map(\.rawValue)), summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map { .text($0.rawValue) } },
             assign: { s, v in if case .text(let t)? = v { s[keyPath: path] = E(rawValue: t) } else { s[keyPath: path] = nil } })
    }
}

extension ServingSettings {
    /// Every serving setting.
    public static let fields: [ServingSettingField] = [
        .flag("cuda_graphs", \.cudaGraphs, "decode iterations replayed as CUDA graphs (no per-kernel host launches)"),
        .integer("cuda_graph_max_batch", \.cudaGraphMaxBatch, 1...PDCostLimits.servingSequences.maximum,
                 "largest running batch replayed from a captured graph; larger batches run eagerly"),
        .flag("chunked_prefill", \.chunkedPrefill, "long prompts split into chunks of at most max_num_batched_tokens"),
        .flag("mixed_batching", \.mixedBatching, "prefill tokens share an iteration with the running decodes"),
        .integer("max_num_batched_tokens", \.maxNumBatchedTokens, 1...PDCostLimits.seqLen.maximum,
                 "most tokens one iteration processes (prefill chunk + decodes)"),
        .integer("max_num_seqs", \.maxNumSeqs, 1...PDCostLimits.servingSequences.maximum,
                 "most sequences running at once (max batch size)"),
        .integer("kv_block_size", \.kvBlockSize, 1...65_536, "tokens per paged KV block"),
        .integer("kv_cache_max_tokens", \.kvCacheMaxTokens, 1...PDCostLimits.seqLen.maximum,
                 "cap on the KV pool in tokens (TensorRT-LLM KvCacheConfig.max_tokens); unset: no cap"),
        .number("gpu_memory_fraction", \.gpuMemoryFraction, 0.01...1,
                "share of GPU memory the engine may use (TensorRT-LLM: of the memory free after the weights)"),
        .flag("custom_all_reduce", \.customAllReduce, "one-shot NVLink all-reduce kernels for small TP messages instead of NCCL"),
        .flag("prefix_caching", \.prefixCaching, "prompt prefixes cached across requests (the workload's prefix_hit_ratio applies)"),
        .choice("kv_admission", \.kvAdmission,
                "on_demand: blocks allocated as tokens arrive, preempting when full; reserve_full: prompt + full output reserved at admission"),
        .choice("scheduler_policy", \.schedulerPolicy, "waiting-queue order",
                notModelled: "equal requests reach the same steady state in any order"),
        .choice("moe_routing", \.moeRouting,
                "uniform: tokens spread over the experts (trained router); concentrated: every token picks the same top-k (fake or zero weights)"),
        .choice("front_end", \.frontEnd,
                "none (in-process benchmark), http (OpenAI-compatible server) or triton (tensorrtllm_backend ensemble); unset: none offline, http online"),
        .text("engine_release", \.engineRelease, "engine release (\"0.9.0\", \"v0.6.0\"): selects that release's defaults"),
    ]

    /// The row for a key, or nil.
    public static func field(_ key: String) -> ServingSettingField? {
        fields.first { $0.key == key }
    }
}
