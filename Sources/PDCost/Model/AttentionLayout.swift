/// The per-token cost of a model's token mixers beyond full attention: sliding-window and
/// chunked attention layers, whose context is bounded, and recurrent state layers, whose cost
/// does not grow with the context. Computed once from a spec (counts and widths only), so
/// evaluating it at a sequence length is a few arithmetic operations, allocation-free.
public struct AttentionLayout: Sendable, Hashable {
    /// Layers of each bounded kind and their bound in tokens.
    public let slidingLayers: Double
    public let window: Double
    public let chunkedLayers: Double
    public let chunk: Double
    /// DeepSeek sparse-attention layers: the core reads `topK` keys; the indexer scores every
    /// prior key over `indexerWidth` (heads · head_dim) in its q·k product.
    public let sparseLayers: Double
    public let topK: Double
    public let indexerWidth: Double
    /// q·k plus score·v width of one attention layer, all heads (FlopsPerToken's convention).
    public let attentionWidth: Double
    /// Forward FLOPs per token of all state layers together (independent of the context).
    public let stateFlopsPerToken: Double
    /// State bytes per sequence per layer kind, in elements: Mamba-2 (conv + SSM state) and
    /// Gated DeltaNet (conv + recurrent state), summed over their layers.
    public let stateElementsPerSequence: Double

    /// SSD chunk length of the Mamba-2 kernel (transformers NemotronH `chunk_size`, 128 in every
    /// published config) and the chunk of FLA's chunked Gated DeltaNet kernel
    /// (fla/ops/gated_delta_rule/chunk.py, BT = 64).
    static let mambaChunk = 128.0
    static let deltaNetChunk = 64.0

    public init(_ m: ModelSpec) {
        slidingLayers = Double(m.numLayers(mixer: .slidingAttention))
        window = Double(m.slidingWindow)
        chunkedLayers = Double(m.numLayers(mixer: .chunkedAttention))
        chunk = Double(m.attentionChunkSize)
        sparseLayers = Double(m.numLayers(mixer: .sparseAttention))
        topK = Double(m.sparseIndexer?.topK ?? 0)
        indexerWidth = Double(m.sparseIndexer?.numHeads ?? 0) * Double(m.sparseIndexer?.headDim ?? 0)
        if let mla = m.mla {
            attentionWidth = Double(m.numAttentionHeads) * Double(mla.qkHeadDim + mla.vHeadDim)
        } else {
            attentionWidth = 2 * Double(m.numAttentionHeads) * Double(m.headDim)
        }
        var flops = 0.0, state = 0.0
        if let s = m.mamba {
            // SSD (Dao & Gu 2024, arXiv 2405.21060 §6): within a chunk of Q tokens the dual
            // (attention-like) form costs 2·Q·(N + P) per head and token, half of it under the
            // causal mask; passing the N×P state between chunks reads and writes it (4·N·P).
            // The depthwise conv costs 2·k per channel.
            let n = Double(s.stateSize), p = Double(s.headDim), heads = Double(s.numHeads)
            let perLayer = heads * (Self.mambaChunk * (n + p) + 4 * n * p) + 2 * Double(s.convKernel * s.convWidth)
            let layers = Double(m.numLayers(mixer: .mamba2))
            flops += layers * perLayer
            // Cache per sequence: the conv window ((k−1)·conv width) and the SSM state (H·P·N)
            // (vLLM MambaStateShapeCalculator.mamba2_state_shape).
            state += layers * (Double(s.convKernel - 1) * Double(s.convWidth) + heads * p * n)
        }
        if let s = m.deltaNet {
            // Chunked gated delta rule (Yang et al. 2024, arXiv 2412.06464 §3.3): per value head
            // and token, intra-chunk products over C tokens (C·(d_k + d_v), causal half) and the
            // d_k×d_v state: WY correction, update and readout (6·d_k·d_v).
            let dk = Double(s.keyHeadDim), dv = Double(s.valueHeadDim), heads = Double(s.numValueHeads)
            let convWidth = Double(2 * s.keyWidth + s.valueWidth)
            let perLayer = heads * (Self.deltaNetChunk * (dk + dv) + 6 * dk * dv) + 2 * Double(s.convKernel) * convWidth
            let layers = Double(m.numLayers(mixer: .gatedDeltaNet))
            flops += layers * perLayer
            // vLLM MambaStateShapeCalculator.gated_delta_net_state_shape: conv (k−1)·conv width,
            // recurrent state v_heads·d_k·d_v.
            state += layers * (Double(s.convKernel - 1) * convWidth + heads * dk * dv)
        }
        stateFlopsPerToken = flops
        stateElementsPerSequence = state
    }

    /// Mean context a token attends to in a layer bounded to `w` tokens, for a sequence of `s`.
    /// Causal sliding window: the first w tokens see 1…w, the rest w: mean w − w²/(2s) (s/2 when
    /// s ≤ w); without the mask min(s, w).
    @inline(__always)
    static func slidingContext(_ s: Double, _ w: Double, causal: Bool) -> Double {
        guard w > 0, s > w else { return causal ? s / 2 : s }
        return causal ? w - w * w / (2 * s) : w
    }

    /// Chunked attention: each token sees its own chunk's prefix (causal) or whole chunk.
    @inline(__always)
    static func chunkedContext(_ s: Double, _ c: Double, causal: Bool) -> Double {
        guard c > 0, s > c else { return causal ? s / 2 : s }
        let full = (s / c).rounded(.down), rest = s - full * c
        if !causal { return (full * c * c + rest * rest) / s }
        return (full * c * c / 2 + rest * rest / 2) / s
    }

    /// Forward attention-core FLOPs per token of the sliding and chunked layers.
    @inline(__always)
    public func boundedAttentionFlops(sequenceLength s: Double, causal: Bool) -> Double {
        guard s > 0 else { return 0 }
        // Sparse layers: each query reads its top-k of the prefix (as a window of k for the
        // count), and the indexer's q·k over the whole prefix costs 2·width per key.
        let sparse = sparseLayers > 0
            ? sparseLayers * (2 * attentionWidth * Self.slidingContext(s, topK, causal: causal)
                              + 2 * indexerWidth * (causal ? s / 2 : s)) : 0
        return 2 * attentionWidth * (slidingLayers * Self.slidingContext(s, window, causal: causal)
                                     + chunkedLayers * Self.chunkedContext(s, chunk, causal: causal)) + sparse
    }
}
