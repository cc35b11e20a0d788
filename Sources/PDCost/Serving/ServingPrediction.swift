/// What `ServingCostModel.evaluate` predicts for one deployment under one workload. Times in
/// seconds, memory in bytes per GPU, rates in tokens (or requests) per second. The one table of
/// its fields, in C struct order, is `ServingPrediction.fields`.
public struct ServingPrediction: Sendable, Hashable {
    // MARK: Latency (per request)
    /// Time to first token, mean.
    public var ttft: Double = 0
    /// 90th and 99th percentile TTFT (equal to the mean where the load is deterministic).
    public var ttftP90: Double = 0
    public var ttftP99: Double = 0
    /// Time per output token after the first: (e2e − TTFT) / (output − 1).
    public var tpot: Double = 0
    /// Inter-token latency: the decode iteration time a streaming client sees.
    public var itl: Double = 0
    /// Request latency, mean and 99th percentile.
    public var endToEnd: Double = 0
    public var endToEndP99: Double = 0

    // MARK: Throughput
    public var outputTokensPerSecond: Double = 0
    /// Input + output tokens per second.
    public var totalTokensPerSecond: Double = 0
    public var outputTokensPerSecondPerGPU: Double = 0
    /// Decode speed one request sees: 1 / TPOT.
    public var outputTokensPerSecondPerUser: Double = 0
    public var requestsPerSecond: Double = 0

    // MARK: Batch
    /// Sequences running per replica in the steady state.
    public var runningBatch: Double = 0
    /// Largest number of this workload's sequences the KV cache of one replica holds.
    public var maxConcurrency: Double = 0
    /// Open-loop utilisation: offered load over capacity (1 = saturated).
    public var utilization: Double = 0

    // MARK: Phases
    /// Prefill of one request's prompt on an idle replica.
    public var prefillSeconds: Double = 0
    /// One steady-state iteration and its parts (per pipeline stage, summed over stages).
    public var iterationSeconds: Double = 0
    public var iterationComputeSeconds: Double = 0
    public var iterationMemorySeconds: Double = 0
    public var iterationCommunicationSeconds: Double = 0
    public var iterationOverheadSeconds: Double = 0

    // MARK: Memory (per GPU)
    public var weightsBytes: Double = 0
    /// The KV pool the engine allocates.
    public var kvCacheBytes: Double = 0
    /// KV the running batch occupies at its peak.
    public var kvUsedBytes: Double = 0
    public var activationBytes: Double = 0
    public var cudaGraphBytes: Double = 0
    /// CUDA context, library workspaces and communicator buffers outside the engine's pools.
    public var runtimeBytes: Double = 0
    /// What the GPU shows in use: all of the above.
    public var peakMemoryBytes: Double = 0
    public var kvBytesPerToken: Double = 0

    // MARK: Efficiency
    /// Model bandwidth utilisation: bytes a decode iteration must read over HBM bandwidth × time.
    public var mbu: Double = 0
    /// Model FLOPs utilisation: 2·N_active·tokens/s + attention over the dense peak.
    public var mfu: Double = 0
    public var numGPUs: Double = 0

    // MARK: Flags
    /// The running batch fits in the KV cache (static batch: the whole batch).
    public var fitsMemory: Bool = false
    /// Open-loop arrivals exceed what the deployment can serve; latencies grow without bound.
    public var saturated: Bool = false

    public init() {}
}

/// One row of the serving prediction table: name (C, JSON, Python), unit, meaning, value.
public struct ServingPredictionField: Sendable {
    public let name: String
    public let unit: PredictionField.Unit
    public let summary: String
    public let value: @Sendable (ServingPrediction) -> Double

    init(_ name: String, _ unit: PredictionField.Unit, _ summary: String,
         _ value: @escaping @Sendable (ServingPrediction) -> Double) {
        self.name = name
        self.unit = unit
        self.summary = summary
        self.value = value
    }
}

extension ServingPrediction {
    /// Every double of `pdcost_serving_prediction`, in struct order; the integers after them
    /// are `fits_memory` and `saturated`.
    public static let fields: [ServingPredictionField] = [
        .init("ttft_s", .seconds, "time to first token, mean") { $0.ttft },
        .init("ttft_p90_s", .seconds, "time to first token, 90th percentile") { $0.ttftP90 },
        .init("ttft_p99_s", .seconds, "time to first token, 99th percentile") { $0.ttftP99 },
        .init("tpot_s", .seconds, "time per output token after the first") { $0.tpot },
        .init("itl_s", .seconds, "inter-token latency (one decode iteration)") { $0.itl },
        .init("e2e_s", .seconds, "request latency, mean") { $0.endToEnd },
        .init("e2e_p99_s", .seconds, "request latency, 99th percentile") { $0.endToEndP99 },
        .init("output_tokens_per_s", .tokensPerSecond, "generated tokens/s, whole deployment") { $0.outputTokensPerSecond },
        .init("total_tokens_per_s", .tokensPerSecond, "input + output tokens/s, whole deployment") { $0.totalTokensPerSecond },
        .init("output_tokens_per_s_per_gpu", .tokensPerSecond, "generated tokens/s per GPU") { $0.outputTokensPerSecondPerGPU },
        .init("output_tokens_per_s_per_user", .tokensPerSecond, "decode speed one request sees (1/TPOT)") { $0.outputTokensPerSecondPerUser },
        .init("requests_per_s", .count, "completed requests per second") { $0.requestsPerSecond },
        .init("running_batch", .count, "sequences running per replica in the steady state") { $0.runningBatch },
        .init("max_concurrency", .count, "sequences of this workload the KV cache of one replica holds") { $0.maxConcurrency },
        .init("utilization", .ratio, "offered load over capacity (open loop; 1 = saturated)") { $0.utilization },
        .init("prefill_s", .seconds, "prefill of one prompt on an idle replica") { $0.prefillSeconds },
        .init("iteration_s", .seconds, "one steady-state engine iteration") { $0.iterationSeconds },
        .init("iteration_compute_s", .seconds, "iteration: GEMM and attention FLOP time") { $0.iterationComputeSeconds },
        .init("iteration_memory_s", .seconds, "iteration: weight and KV read time beyond compute") { $0.iterationMemorySeconds },
        .init("iteration_communication_s", .seconds, "iteration: TP all-reduces, EP all-to-alls, PP sends") { $0.iterationCommunicationSeconds },
        .init("iteration_overhead_s", .seconds, "iteration: kernel launch gaps and host scheduling") { $0.iterationOverheadSeconds },
        .init("weights_bytes", .bytes, "weights per GPU") { $0.weightsBytes },
        .init("kv_cache_bytes", .bytes, "KV pool per GPU") { $0.kvCacheBytes },
        .init("kv_used_bytes", .bytes, "KV the running batch occupies per GPU") { $0.kvUsedBytes },
        .init("activation_bytes", .bytes, "activation workspace per GPU") { $0.activationBytes },
        .init("cuda_graph_bytes", .bytes, "CUDA-graph pool per GPU") { $0.cudaGraphBytes },
        .init("runtime_bytes", .bytes, "CUDA context, workspaces and communicator buffers per GPU") { $0.runtimeBytes },
        .init("peak_memory_bytes", .bytes, "memory in use per GPU") { $0.peakMemoryBytes },
        .init("kv_bytes_per_token", .bytes, "KV cache bytes per token per GPU") { $0.kvBytesPerToken },
        .init("mbu", .ratio, "model bandwidth utilisation of a decode iteration") { $0.mbu },
        .init("mfu", .ratio, "model FLOPs utilisation") { $0.mfu },
        .init("num_gpus", .count, "GPUs of the deployment") { $0.numGPUs },
    ]
}
