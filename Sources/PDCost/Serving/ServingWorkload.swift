/// How requests arrive, as the benchmark harnesses define it (shared/validation/SCHEMA.md,
/// "Inference (serving) records").
public enum ServingScenario: String, Sendable, Hashable, CaseIterable {
    /// One batch of `batchSize` requests, all prefilled then decoded together
    /// (`trtllm-bench latency`, `vllm bench latency`, the TensorRT-LLM 0.9 static sweeps).
    case staticBatch = "static_batch"
    /// All requests queued at once; the engine runs as many as fit (`trtllm-bench throughput`,
    /// `vllm bench throughput`, `bench_serving --request-rate inf`).
    case offlineMaxThroughput = "offline_max_throughput"
    /// Closed loop: `concurrency` requests always in flight (`--max-concurrency`, GenAI-Perf).
    case fixedConcurrency = "online_fixed_concurrency"
    /// Open loop: Poisson arrivals at `requestRate` requests/s (`bench_serving --request-rate`).
    case requestRate = "online_request_rate"
    /// `numRequests` requests sent at once to a server, measured to the last completion.
    case burst = "burst_all_at_once"
}

/// The requests one deployment serves: lengths and load.
public struct ServingWorkload: Sendable, Hashable {
    public var scenario: ServingScenario
    /// Prompt tokens per request (mean when lengths vary).
    public var inputTokens: Int
    /// Generated tokens per request (the first comes out of the prefill).
    public var outputTokens: Int
    /// Sequences of a static batch (per replica).
    public var batchSize: Int
    /// Requests in flight in the closed loop (whole deployment).
    public var concurrency: Int
    /// Open-loop arrival rate, requests/s (whole deployment).
    public var requestRate: Double
    /// Requests of a burst or offline run (whole deployment); 0: as many as the engine keeps busy.
    public var numRequests: Int
    /// Share of each prompt found in the prefix cache (skipped by the prefill when the engine
    /// caches prefixes).
    public var prefixHitRatio: Double

    public init(scenario: ServingScenario = .staticBatch, inputTokens: Int, outputTokens: Int,
                batchSize: Int = 1, concurrency: Int = 1, requestRate: Double = 1,
                numRequests: Int = 0, prefixHitRatio: Double = 0) {
        self.scenario = scenario
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.requestRate = requestRate
        self.numRequests = numRequests
        self.prefixHitRatio = prefixHitRatio
    }

    /// Checks the sizes against the limits table; the error names the field and value.
    public func validated() throws(PDCostError) -> ServingWorkload {
        try PDCostLimits.seqLen.check(inputTokens, field: "input_tokens")
        try PDCostLimits.seqLen.check(outputTokens, field: "output_tokens")
        try PDCostLimits.seqLen.check(inputTokens + outputTokens, field: "input_tokens+output_tokens")
        switch scenario {
        case .staticBatch: try PDCostLimits.servingSequences.check(batchSize, field: "batch_size")
        case .fixedConcurrency: try PDCostLimits.servingSequences.check(concurrency, field: "concurrency")
        case .requestRate:
            guard requestRate.isFinite, requestRate > 0, requestRate <= 1e9 else {
                throw .invalidArgument("request_rate=\(JSONWriter.describe(requestRate)) must be in (0, 1e9] requests/s")
            }
        case .burst: try PDCostLimits.servingRequests.check(numRequests, field: "num_requests")
        case .offlineMaxThroughput:
            if numRequests != 0 { try PDCostLimits.servingRequests.check(numRequests, field: "num_requests") }
        }
        guard prefixHitRatio.isFinite, prefixHitRatio >= 0, prefixHitRatio < 1 else {
            throw .invalidArgument("prefix_hit_ratio=\(JSONWriter.describe(prefixHitRatio)) must be in [0, 1)")
        }
        return self
    }

    /// Tokens a sequence holds in the cache at the end: input + output.
    public var totalTokens: Int { inputTokens + outputTokens }
}
