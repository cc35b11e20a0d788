/// Memory of one serving GPU and the KV pool the engine carves out of it.
///
/// vLLM (vllm/v1/worker/gpu_worker.py `determine_available_memory`): total × 
/// `gpu_memory_utilization` − weights − the peak activation of a profiling forward pass over
/// `max_num_batched_tokens` − non-torch memory (CUDA context, NCCL, cuBLAS); the CUDA-graph pool
/// is captured afterwards out of the same budget. SGLang (`mem_fraction_static`) budgets weights
/// + KV pool as that fraction of the GPU. TensorRT-LLM gives the KV cache
/// `free_gpu_memory_fraction` of what is free after the engine and its workspaces are loaded.
/// A `kv_cache_max_tokens` cap (TensorRT-LLM `max_tokens`) bounds the pool in tokens.
/// Every pool is allocated up front, so the memory a GPU shows in use is the sum of the parts.
public struct ServingMemory: Sendable, Hashable {
    public let totalBytes: Double
    public let weightsBytes: Double
    /// Peak transient activations of one forward pass over `max_num_batched_tokens`.
    public let activationBytes: Double
    public let cudaGraphBytes: Double
    public let runtimeBytes: Double
    /// The KV pool (0 when nothing is left for it).
    public let kvCacheBytes: Double
    /// Whether the weights and workspaces fit before any KV cache.
    public let weightsFit: Bool
    /// Memory in use once the engine has started: every pool.
    public var usedBytes: Double { weightsBytes + activationBytes + cudaGraphBytes + runtimeBytes + kvCacheBytes }

    /// CUDA context, cuBLAS/cuBLASLt and engine workspaces outside the engine's pools
    /// (~0.75 GiB: the context alone is 300–500 MiB, PyTorch "CUDA semantics"), plus per
    /// peer GPU the communicators' buffers: NCCL's per-peer channel buffers (NCCL_BUFFSIZE
    /// 4 MiB × send/recv × up to 32 NVLink channels) and the one-shot all-reduce's IPC
    /// workspace. TensorRT-LLM 0.9's static sweeps (NVML used memory less weights, KV pool and
    /// activations) grow ~0.9 GB per TP peer, Llama-2-70B at TP 1–8 on H100/H200.
    public static func runtimeBytes(tp: Int, pp: Int) -> Double {
        let gib = 1_073_741_824.0
        return 0.75 * gib + 0.85 * gib * Double(max(tp * pp - 1, 0))
    }

    /// Peak activation of one forward pass over `tokens` tokens on one rank, bytes, 16-bit
    /// activations: four hidden-width buffers live at once (residual, normed input, attention
    /// output, block output) and the FFN's gate/up output and activated product (3 · I_tp wide;
    /// for MoE the top-k experts' and shared experts' widths together), plus fp32 logits for up
    /// to 256 sampled sequences over the full vocabulary (vLLM samples the last token of each
    /// sequence; the profiling pass samples at most `max_num_seqs`).
    public static func activationBytes(model m: ModelSpec, tp: Int, tokens: Int) -> Double {
        let t = Double(max(tp, 1))
        let n = Double(max(tokens, 0))
        let perToken = 2 * (4 * Double(m.hiddenSize) + 3 * ffnWidth(m) / t)
        let logits = Double(min(max(tokens, 0), 256)) * Double(m.vocabSize) / t * 4
        return n * perToken + logits
    }

    /// HBM traffic of the elementwise kernels of one layer per token on one rank, bytes: the
    /// two norms and two residual adds read and write the hidden state (8 · h values), rotary
    /// embedding rewrites q and k, the gated activation reads 2 · I and writes I (16-bit).
    public static func elementwiseBytesPerTokenLayer(model m: ModelSpec, tp: Int) -> Double {
        let t = Double(max(tp, 1))
        let qk = Double((m.numAttentionHeads + m.numKeyValueHeads) * m.headDim) / t
        return 2 * (8 * Double(m.hiddenSize) + 2 * qk + 3 * ffnWidth(m) / t)
    }

    static func ffnWidth(_ m: ModelSpec) -> Double {
        var width = Double(m.intermediateSize)
        if let moe = m.moe {
            let routed = Double(moe.expertsPerToken) * Double(moe.expertIntermediateSize)
                + Double(moe.sharedExpertIntermediateSize)
            width = max(m.numDenseLayers > 0 ? width : 0, routed)
        }
        return width
    }

    init(model m: ModelSpec, gpu: GPUSpec, settings s: ResolvedServingSettings, tp: Int, pp: Int,
         weightsBytes: Double, kvBytesPerToken: Double, blockSize: Int) {
        totalBytes = gpu.memoryBytes
        self.weightsBytes = weightsBytes
        activationBytes = Self.activationBytes(model: m, tp: tp, tokens: s.maxNumBatchedTokens)
        // The graph pool holds the intermediates of the largest captured decode batch (graphs
        // of all sizes share one pool, torch.cuda.graph_pool_handle).
        cudaGraphBytes = s.cudaGraphs
            ? Self.activationBytes(model: m, tp: tp, tokens: min(s.cudaGraphMaxBatch, s.maxNumSeqs)) : 0
        runtimeBytes = Self.runtimeBytes(tp: tp, pp: pp)
        let fixed = weightsBytes + activationBytes + cudaGraphBytes + runtimeBytes
        var pool: Double
        if s.engine.memoryFractionOfFree {
            pool = s.gpuMemoryFraction * (totalBytes - fixed)
        } else {
            pool = s.gpuMemoryFraction * totalBytes - fixed
        }
        if let cap = s.kvCacheMaxTokens {
            // Whole blocks: the cap is rounded up to the block size.
            let blocks = (Double(cap) / Double(max(blockSize, 1))).rounded(.up)
            pool = min(pool, blocks * Double(max(blockSize, 1)) * kvBytesPerToken)
        }
        weightsFit = fixed < totalBytes && pool > 0
        kvCacheBytes = max(pool, 0)
    }
}
