/// What `ServingCostModel.evaluate` predicts for one static batch. Times in seconds, bytes per
/// GPU, rates in tokens per second.
public struct ServingPrediction: Sendable, Hashable {
    // MARK: Memory (per GPU)
    public var weightsBytesPerGPU: Double
    public var activationBytesPerGPU: Double
    /// Memory left for the KV cache after weights, activations, graph pool and runtime.
    public var kvCacheBytesPerGPU: Double
    public var kvBytesPerTokenPerGPU: Double
    /// Largest number of sequences of this workload's length the cache holds.
    public var maxConcurrency: Int
    /// Whether `batchSize` sequences fit (`batchSize ≤ maxConcurrency`).
    public var fitsInMemory: Bool

    // MARK: Prefill
    /// Forward FLOPs of the whole batch's prompts (all ranks together).
    public var prefillFlops: Double
    /// Prefill time of the batch without its all-reduces.
    public var prefillComputeSeconds: Double
    /// The prefill's TP all-reduces.
    public var prefillCommunicationSeconds: Double
    /// Time to first token of a static batch: prefill of batch × input tokens.
    public var ttftSeconds: Double

    // MARK: Decode
    /// Bytes one decode step reads per GPU at the average context: weights + KV of the batch.
    public var decodeBytesPerStep: Double
    public var decodeMemorySeconds: Double
    public var decodeComputeSeconds: Double
    /// TP all-reduces of one decode step.
    public var decodeCommunicationSeconds: Double
    /// Time per output token (inter-token latency): max(memory, compute) + all-reduces.
    public var tpotSeconds: Double

    // MARK: End to end
    /// TTFT + (output − 1) · TPOT.
    public var endToEndSeconds: Double
    /// batch · output / end-to-end.
    public var outputTokensPerSecond: Double
    public var outputTokensPerSecondPerGPU: Double
}
