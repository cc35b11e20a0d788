/// The serving engine's switches that change speed or memory, each optional: nil means the
/// engine's default (`ServingSettings.defaults(engine:gpu:)`). The one table of keys, kinds and
/// meanings is `ServingSettings.fields` (ServingSettings+Fields.swift); JSON, the C ABI, Python
/// and the CLI follow from it.
public struct ServingSettings: Sendable, Hashable {
    /// Decode iterations replayed as CUDA graphs (no per-kernel host launches).
    public var cudaGraphs: Bool?
    /// Largest running batch replayed from a captured graph; bigger batches run eagerly.
    public var cudaGraphMaxBatch: Int?
    /// Long prompts split into chunks of at most `maxNumBatchedTokens` per iteration.
    public var chunkedPrefill: Bool?
    /// Prefill tokens share an iteration with the running decodes (vLLM V1 always; TensorRT-LLM
    /// in-flight batching; SGLang only with `--enable-mixed-chunk`).
    public var mixedBatching: Bool?
    /// Most tokens one iteration processes (prefill chunk + decodes).
    public var maxNumBatchedTokens: Int?
    /// Most sequences running at once (the engine's max batch size).
    public var maxNumSeqs: Int?
    /// Tokens per paged KV block (page).
    public var kvBlockSize: Int?
    /// Cap on the KV pool, in tokens (TensorRT-LLM `KvCacheConfig.max_tokens`; benchmarks set
    /// it to exactly what the batch needs).
    public var kvCacheMaxTokens: Int?
    /// Share of GPU memory the engine may use (of all memory, or of the free memory for
    /// engines whose rule says so, `ServingEngine.memoryFractionOfFree`).
    public var gpuMemoryFraction: Double?
    /// One-shot NVLink all-reduce kernels for small TP messages instead of NCCL.
    public var customAllReduce: Bool?
    /// Prompt prefixes cached across requests (the workload's hit ratio applies when on).
    public var prefixCaching: Bool?
    /// How a request's KV cache is admitted.
    public var kvAdmission: KVAdmission?
    /// Queue order.
    public var schedulerPolicy: SchedulerPolicy?
    /// How MoE tokens spread over the experts.
    public var moeRouting: MoERouting?
    /// What stands between the client and the engine (unset: none for static and offline
    /// runs, an HTTP server for online ones).
    public var frontEnd: FrontEnd?
    /// The engine release as published ("0.9.0", "0.17", "v0.6.0"): selects that release's
    /// defaults where they differ from the current ones.
    public var engineRelease: String?

    /// No setting stated: every key takes the engine's default.
    public init() {}

    public init(cudaGraphs: Bool? = nil, cudaGraphMaxBatch: Int? = nil, chunkedPrefill: Bool? = nil,
                mixedBatching: Bool? = nil, maxNumBatchedTokens: Int? = nil, maxNumSeqs: Int? = nil,
                kvBlockSize: Int? = nil, kvCacheMaxTokens: Int? = nil, gpuMemoryFraction: Double? = nil, customAllReduce: Bool? = nil,
                prefixCaching: Bool? = nil, kvAdmission: KVAdmission? = nil,
                schedulerPolicy: SchedulerPolicy? = nil, moeRouting: MoERouting? = nil, frontEnd: FrontEnd? = nil, engineRelease: String? = nil) {
        self.cudaGraphs = cudaGraphs
        self.cudaGraphMaxBatch = cudaGraphMaxBatch
        self.chunkedPrefill = chunkedPrefill
        self.mixedBatching = mixedBatching
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.maxNumSeqs = maxNumSeqs
        self.kvBlockSize = kvBlockSize
        self.kvCacheMaxTokens = kvCacheMaxTokens
        self.gpuMemoryFraction = gpuMemoryFraction
        self.customAllReduce = customAllReduce
        self.prefixCaching = prefixCaching
        self.kvAdmission = kvAdmission
        self.schedulerPolicy = schedulerPolicy
        self.moeRouting = moeRouting
        self.frontEnd = frontEnd
        self.engineRelease = engineRelease
    }

    /// (major, minor) of a release text: leading "v" dropped, the first two numbers.
    public static func releaseVersion(_ text: String) -> (major: Int, minor: Int)? {
        var t = Substring(text)
        if t.first == "v" || t.first == "V" { t = t.dropFirst() }
        let parts = t.prefix { $0.isNumber || $0 == "." }.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    /// These settings with every unset key taken from `base`.
    public func filled(from base: ServingSettings) -> ServingSettings {
        var out = self
        for field in Self.fields where field.get(out) == nil {
            field.assign(&out, field.get(base))
        }
        return out
    }
}

/// Every setting resolved against the engine's defaults: what the cost model reads.
public struct ResolvedServingSettings: Sendable, Hashable {
    public let engine: ServingEngine
    public let cudaGraphs: Bool
    public let cudaGraphMaxBatch: Int
    public let chunkedPrefill: Bool
    public let mixedBatching: Bool
    public let maxNumBatchedTokens: Int
    public let maxNumSeqs: Int
    public let kvBlockSize: Int
    /// KV pool cap in tokens; nil: no cap.
    public let kvCacheMaxTokens: Int?
    public let gpuMemoryFraction: Double
    public let customAllReduce: Bool
    public let prefixCaching: Bool
    public let kvAdmission: KVAdmission
    public let moeRouting: MoERouting
    /// Nil: decided by the load scenario.
    public let frontEnd: FrontEnd?

    init(engine: ServingEngine, _ s: ServingSettings) {
        self.engine = engine
        cudaGraphs = s.cudaGraphs ?? true
        cudaGraphMaxBatch = s.cudaGraphMaxBatch ?? 512
        chunkedPrefill = s.chunkedPrefill ?? true
        mixedBatching = s.mixedBatching ?? true
        maxNumBatchedTokens = s.maxNumBatchedTokens ?? 8192
        maxNumSeqs = s.maxNumSeqs ?? 256
        kvBlockSize = s.kvBlockSize ?? 16
        kvCacheMaxTokens = s.kvCacheMaxTokens
        gpuMemoryFraction = s.gpuMemoryFraction ?? 0.9
        customAllReduce = s.customAllReduce ?? true
        prefixCaching = s.prefixCaching ?? false
        kvAdmission = s.kvAdmission ?? .onDemand
        moeRouting = s.moeRouting ?? .uniform
        frontEnd = s.frontEnd
    }
}
