/// Memory of one serving rank and the largest concurrency its KV cache admits.
///
/// vLLM sizes the cache as (vllm/v1/worker/gpu_worker.py `determine_available_memory`):
/// total memory × `gpu_memory_utilization` − weights − peak activation of a profiling forward
/// pass over `max_num_batched_tokens` − non-torch memory; the CUDA-graph pool is taken from
/// what is left. The cache is then cut into blocks and a sequence needs ⌈tokens/block⌉ of them.
public struct ServingMemory: Sendable, Hashable {
    public let totalBytes: Double
    public let weightsBytes: Double
    /// Peak transient activations of the profiling pass.
    public let activationBytes: Double
    public let cudaGraphPoolBytes: Double
    public let runtimeReserveBytes: Double
    /// Memory left for the KV cache (negative when the weights alone do not fit).
    public let kvCacheBytes: Double

    /// Peak activation of one forward pass over `tokens` tokens on one rank, bytes, 16-bit
    /// activations: four hidden-width buffers live at once (residual, normed input, attention
    /// output, block output) and the FFN's gate/up output and activated product (3 · I_tp wide;
    /// for MoE the top-k experts' and shared experts' widths together), plus fp32 logits for up
    /// to 256 sampled sequences (vLLM V0 `max_num_seqs` default) over the full vocabulary.
    public static func activationBytes(model m: ModelSpec, tp: Int, tokens: Int) -> Double {
        let t = Double(max(tp, 1))
        var ffnWidth = Double(m.intermediateSize)
        if let moe = m.moe {
            let routed = Double(moe.expertsPerToken) * Double(moe.expertIntermediateSize)
                + Double(moe.sharedExpertIntermediateSize)
            ffnWidth = max(m.numDenseLayers > 0 ? ffnWidth : 0, routed)
        }
        let n = Double(max(tokens, 0))
        let perToken = 2 * (4 * Double(m.hiddenSize) + 3 * ffnWidth / t)
        let logits = Double(min(max(tokens, 0), 256)) * Double(m.vocabSize) * 4
        return n * perToken + logits
    }

    public init(totalBytes: Double, deployment d: ServingDeployment, weightsBytes: Double,
                activationBytes: Double) {
        self.totalBytes = totalBytes
        self.weightsBytes = weightsBytes
        self.activationBytes = activationBytes
        cudaGraphPoolBytes = d.cudaGraphPoolBytes
        runtimeReserveBytes = d.runtimeReserveBytes
        kvCacheBytes = totalBytes * d.memoryFraction - weightsBytes - activationBytes
            - d.cudaGraphPoolBytes - d.runtimeReserveBytes
    }
}
