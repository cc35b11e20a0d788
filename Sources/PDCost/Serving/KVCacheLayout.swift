/// The KV cache of one model on one tensor-parallel rank: bytes per token and paged blocks.
///
/// - MHA/GQA/MQA: each layer caches a key and a value vector per KV head, so a token costs
///   2 · layers · kv_heads_per_rank · head_dim · bytes. KV heads are split over the TP ranks and
///   replicated when there are fewer heads than ranks: vLLM `ModelConfig.get_num_kv_heads`
///   (vllm/config/model.py) returns `max(1, total_num_kv_heads // tensor_parallel_size)`.
/// - MLA (DeepSeek-V2/V3, arXiv 2405.04434 §2.1.2): each layer caches one compressed latent
///   c^KV (kv_lora_rank) and the shared decoupled RoPE key k^R (qk_rope_head_dim) per token,
///   for all heads at once, so the cache is the same on every TP rank (vLLM: `get_num_kv_heads`
///   returns 1 for MLA, "during decode it becomes MQA"; the MLA backends,
///   vllm/v1/attention/backends/mla/common.py, store `kv_c` [Skv, Lkv] with `k_pe` [Skv, R];
///   SGLang's `MLATokenToKVPool` likewise holds kv_lora_rank + qk_rope_head_dim per token).
public struct KVCacheLayout: Sendable, Hashable {
    /// Cache bytes per token per TP rank, all layers.
    public let bytesPerToken: Double
    /// KV heads each rank holds (1 for MLA: the latent).
    public let kvHeadsPerRank: Int
    /// Cached elements per token per layer per rank.
    public let elementsPerTokenPerLayer: Int
    /// Tokens per paged block.
    public let blockSize: Int

    /// `model` must be validated; `tp` ≥ 1 and `blockSize` ≥ 1 (checked by the deployment).
    public init(model m: ModelSpec, tp: Int, precision: KVCachePrecision, blockSize: Int) {
        let t = max(tp, 1)
        if let mla = m.mla {
            kvHeadsPerRank = 1
            elementsPerTokenPerLayer = mla.kvLoraRank + mla.qkRopeHeadDim
        } else {
            kvHeadsPerRank = max(1, m.numKeyValueHeads / t)
            elementsPerTokenPerLayer = 2 * kvHeadsPerRank * m.headDim
        }
        bytesPerToken = Double(m.numLayers) * Double(elementsPerTokenPerLayer) * precision.bytesPerElement
        self.blockSize = max(blockSize, 1)
    }

    /// Blocks a sequence of `tokens` tokens occupies: ⌈tokens / block⌉ (a partly filled last
    /// block is held whole; Kwon et al. 2023, "PagedAttention", arXiv 2309.06180 §4.2).
    @inline(__always)
    public func blocks(forTokens tokens: Int) -> Int {
        tokens <= 0 ? 0 : (tokens - 1) / blockSize + 1
    }
}
