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
///
/// Layers that do not keep every token (per-layer kinds, `ModelSpec.layers`): a sliding-window
/// layer keeps at most W tokens and a chunked layer at most C (vLLM `SlidingWindowSpec` /
/// `ChunkedLocalAttentionSpec`, vllm/v1/kv_cache_interface.py), and a Mamba-2 or Gated DeltaNet
/// layer a fixed state per sequence (`MambaSpec`); only full-attention layers grow with the
/// context. `bytesPerToken` counts the full-attention layers; `extraSequenceBytes` the rest.
public struct KVCacheLayout: Sendable, Hashable {
    /// Cache bytes per token per TP rank, all full-attention layers (every layer of a uniform
    /// model).
    public let bytesPerToken: Double
    /// Bytes per cached token of the sliding-window and chunked layers together, and the
    /// tokens each keeps (0 when the model has none).
    public let slidingBytesPerToken: Double
    public let slidingWindow: Double
    public let chunkedBytesPerToken: Double
    public let attentionChunk: Double
    /// Recurrent state of the Mamba-2 / Gated DeltaNet layers per sequence per rank, bytes
    /// (state heads split over TP like attention heads; stored at the cache precision).
    public let stateBytesPerSequence: Double
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
        let perLayer = Double(elementsPerTokenPerLayer) * precision.bytesPerElement
        // Sparse-attention layers keep every token's latent and its indexer key (DeepSeek-V3.2
        // `Indexer.k_cache`, index_head_dim per token; stored here at the cache precision).
        let sparse = Double(m.numLayers(mixer: .sparseAttention))
        bytesPerToken = Double(m.numLayers(mixer: .fullAttention)) * perLayer
            + (sparse > 0 ? sparse * (perLayer + Double(m.sparseIndexer?.headDim ?? 0) * precision.bytesPerElement) : 0)
        slidingBytesPerToken = Double(m.numLayers(mixer: .slidingAttention)) * perLayer
        slidingWindow = Double(m.slidingWindow)
        chunkedBytesPerToken = Double(m.numLayers(mixer: .chunkedAttention)) * perLayer
        attentionChunk = Double(m.attentionChunkSize)
        stateBytesPerSequence = m.layers == nil ? 0
            : AttentionLayout(m).stateElementsPerSequence / Double(t) * precision.bytesPerElement
        self.blockSize = max(blockSize, 1)
    }

    /// Cache bytes per token per TP rank over every attention layer, windowed ones included:
    /// what one token of an engine's token cap (`max_tokens_in_paged_kv_cache`) occupies, since
    /// a token the engine admits takes a slot in every attention layer until its window passes.
    public var everyLayerBytesPerToken: Double { bytesPerToken + slidingBytesPerToken + chunkedBytesPerToken }

    /// Bytes per rank a sequence of `tokens` tokens holds beyond the full-attention layers'
    /// paged blocks: its sliding and chunked windows and its recurrent state. 0 for a uniform
    /// model, so adding it leaves their numbers unchanged.
    @inline(__always)
    public func extraSequenceBytes(tokens: Double) -> Double {
        let t = max(tokens, 0)
        return slidingBytesPerToken * min(t, slidingWindow) + chunkedBytesPerToken * min(t, attentionChunk)
            + stateBytesPerSequence
    }

    /// Blocks a sequence of `tokens` tokens occupies: ⌈tokens / block⌉ (a partly filled last
    /// block is held whole; Kwon et al. 2023, "PagedAttention", arXiv 2309.06180 §4.2).
    @inline(__always)
    public func blocks(forTokens tokens: Int) -> Int {
        tokens <= 0 ? 0 : (tokens - 1) / blockSize + 1
    }
}
