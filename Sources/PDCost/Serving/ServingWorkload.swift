/// One static batch of requests: every sequence has the same prompt and output lengths and all
/// start together (the `trtllm-bench`/`vllm bench latency` fixed-length setting).
public struct ServingWorkload: Sendable, Hashable {
    /// Prompt tokens per sequence.
    public var inputTokens: Int
    /// Generated tokens per sequence (the first comes out of the prefill).
    public var outputTokens: Int
    /// Sequences decoded together (the concurrency).
    public var batchSize: Int

    public init(inputTokens: Int, outputTokens: Int, batchSize: Int = 1) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.batchSize = batchSize
    }

    /// Checks the sizes against the limits table; the error names the field and value.
    public func validated() throws(PDCostError) -> ServingWorkload {
        try PDCostLimits.seqLen.check(inputTokens, field: "input_tokens")
        try PDCostLimits.seqLen.check(outputTokens, field: "output_tokens")
        try PDCostLimits.seqLen.check(inputTokens + outputTokens, field: "input_tokens+output_tokens")
        try PDCostLimits.microBatchSize.check(batchSize, field: "batch_size")
        return self
    }

    /// Tokens a sequence holds in the cache at the end: input + output.
    public var totalTokens: Int { inputTokens + outputTokens }
}
