/// How much of the s×s attention score matrix is computed.
public enum AttentionMask: String, Sendable, Hashable, CaseIterable {
    /// Causal (decoder) mask with a kernel that skips the masked half (FlashAttention-2): the
    /// attention core costs half of the full product. This is the default everywhere in pdcost.
    case causal
    /// The full s×s product, as in Narayanan et al. 2021 (arXiv 2104.04473, eq. 3) and the
    /// `12·L·s·d_attn` attention term that Megatron's and NeMo's MFU formulas have long used.
    case full
}

/// Floating-point operations per token of one sequence, for one model.
///
/// Conventions (Kaplan et al. 2020 §2.1; Narayanan et al. 2021 §5.1; Chowdhery et al. 2022 App. B):
/// - a matmul with an m×n weight costs 2·m·n FLOPs per token forward;
/// - the backward pass costs twice the forward (activation and weight gradients), so training
///   costs 3× forward: `6·N_active` for the weight matmuls;
/// - the attention core (QKᵀ and score·V) costs `2·s·(n_heads·d_qk + n_heads·d_v)` per token and
///   layer forward for a full mask, half that for a causal one; with d_qk = d_v = d_attn/heads
///   this gives the familiar `12·L·s·d_attn` per token for training;
/// - embedding lookups, norms, biases, activations and softmax are not counted (they are
///   memory-bound; the time model charges them at HBM bandwidth instead).
/// Multi-token-prediction blocks are not counted.
public struct FlopsPerToken: Sendable, Hashable {
    /// Weight parameters that take part in a matmul for one token (routed experts: top-k only;
    /// includes the LM head even when tied, excludes the embedding lookup).
    public var matmulParameters: Int
    /// Forward FLOPs of the weight matmuls: 2·matmulParameters.
    public var matmulForward: Double
    /// Forward FLOPs of the attention core at this sequence length and mask.
    public var attentionForward: Double
    public var sequenceLength: Int
    public var mask: AttentionMask

    /// Forward pass FLOPs per token.
    public var forward: Double { matmulForward + attentionForward }
    /// Forward plus backward FLOPs per token (3× forward), without recomputation: the
    /// "model FLOPs" of MFU (Chowdhery et al. 2022, App. B).
    public var training: Double { 3 * forward }
}

extension ParameterCounter {
    /// Weight parameters a token multiplies with: per-layer projections (no biases or norms),
    /// dense FFNs, top-k routed experts, shared experts, routers and the LM head.
    public static func activeMatmulParameters(_ m: ModelSpec) -> Int {
        let h = m.hiddenSize
        let attention = attentionMatmulParametersPerLayer(m)
        let matrices = m.mlpKind == .gated ? 3 : 2
        var ffn = m.numDenseLayers * matrices * h * m.intermediateSize
        if let moe = m.moe {
            let perMoELayer = matrices * moe.expertWidth(hidden: h) * moe.expertsPerToken * moe.expertIntermediateSize
                + matrices * h * moe.sharedExpertIntermediateSize
                + h * moe.numExperts + (moe.sharedExpertGate ? h : 0) + 2 * h * moe.latentSize
            ffn += m.numMoELayers * perMoELayer
        }
        return m.numAttentionLayers * attention + stateMixerMatmulParameters(m) + ffn + m.vocabSize * h
    }

    /// Projection weights of one attention block (q, k, v, o; MLA's down/up projections).
    static func attentionMatmulParametersPerLayer(_ m: ModelSpec) -> Int {
        let h = m.hiddenSize
        var attention: Int
        if let mla = m.mla {
            let qOut = m.numAttentionHeads * mla.qkHeadDim
            let query = mla.qLoraRank > 0 ? h * mla.qLoraRank + mla.qLoraRank * qOut : h * qOut
            attention = query + h * (mla.kvLoraRank + mla.qkRopeHeadDim)
                + mla.kvLoraRank * m.numAttentionHeads * (mla.qkNopeHeadDim + mla.vHeadDim)
                + m.numAttentionHeads * mla.vHeadDim * h
        } else {
            let qWidth = m.numAttentionHeads * m.headDim
            attention = 2 * h * qWidth + 2 * h * m.numKeyValueHeads * m.headDim
            if m.attentionOutputGate { attention += h * qWidth }
        }
        return attention
    }

    /// Projection weights of the Mamba-2 and Gated DeltaNet mixers and of the sparse-attention
    /// indexers, summed over their layers
    /// (in and out projections; the depthwise convolution is counted in `stateMixerFlops`).
    static func stateMixerMatmulParameters(_ m: ModelSpec) -> Int {
        let h = m.hiddenSize
        var total = 0
        if let s = m.mamba {
            total += m.numLayers(mixer: .mamba2) * (h * (s.innerWidth + s.convWidth + s.numHeads) + s.innerWidth * h)
        }
        if let s = m.deltaNet {
            total += m.numLayers(mixer: .gatedDeltaNet)
                * (h * (2 * s.keyWidth + 2 * s.valueWidth + 2 * s.numValueHeads) + s.valueWidth * h)
        }
        if let s = m.sparseIndexer {
            // The lightning indexer's projections (wq_b, wk, weights_proj).
            let qIn = (m.mla?.qLoraRank ?? 0) > 0 ? (m.mla?.qLoraRank ?? 0) : h
            total += m.numLayers(mixer: .sparseAttention) * (qIn * s.numHeads * s.headDim + h * s.headDim + h * s.numHeads)
        }
        return total
    }

    /// FLOPs per token at a sequence length; see `FlopsPerToken` for the conventions.
    public static func flopsPerToken(_ m: ModelSpec, sequenceLength s: Int,
                                     mask: AttentionMask = .causal) -> FlopsPerToken {
        let n = activeMatmulParameters(m)
        let qkWidth: Double, vWidth: Double
        if let mla = m.mla {
            qkWidth = Double(m.numAttentionHeads * mla.qkHeadDim)
            vWidth = Double(m.numAttentionHeads * mla.vHeadDim)
        } else {
            qkWidth = Double(m.numAttentionHeads * m.headDim)
            vWidth = qkWidth
        }
        let maskFraction = mask == .causal ? 0.5 : 1.0
        var attention = Double(m.numLayers(mixer: .fullAttention)) * 2 * Double(max(s, 0)) * (qkWidth + vWidth) * maskFraction
        if m.layers != nil {
            let layout = AttentionLayout(m)
            attention += layout.boundedAttentionFlops(sequenceLength: Double(max(s, 0)), causal: mask == .causal)
                + layout.stateFlopsPerToken
        }
        return FlopsPerToken(matmulParameters: n, matmulForward: 2 * Double(n),
                             attentionForward: attention, sequenceLength: s, mask: mask)
    }
}

/// Scales that let the training model, which prices `layers` equal blocks of attention plus
/// FFN, price a model with per-layer kinds: each part of the equal block is scaled so the sum
/// over blocks matches the model (FLOP-for-FLOP for the token mixers and FFNs). Exactly 1 for
/// a uniform model. An approximation for hybrids: every block carries the mean mixer, so
/// per-layer placement over pipeline stages is averaged.
struct TrainingLayerScales: Sendable {
    var mixerGEMM = 1.0
    var attentionCore = 1.0
    var denseFFN = 1.0

    init(_ m: ModelSpec, sequenceLength s: Int) {
        guard m.layers != nil else { return }
        var uniform = m
        uniform.layers = nil
        let L = Double(m.numLayers)
        // Mixer projections: attention layers' own plus the state mixers', over L attention blocks.
        let attention = Double(ParameterCounter.attentionMatmulParametersPerLayer(m))
        if attention > 0 {
            mixerGEMM = (Double(m.numAttentionLayers) * attention
                         + Double(ParameterCounter.stateMixerMatmulParameters(m))) / (L * attention)
        }
        let actual = ParameterCounter.flopsPerToken(m, sequenceLength: s, mask: .causal).attentionForward
        let full = ParameterCounter.flopsPerToken(uniform, sequenceLength: s, mask: .causal).attentionForward
        if full > 0 { attentionCore = actual / full }
        // The training model gives every non-MoE block a dense FFN.
        let nonMoE = m.numLayers - m.numMoELayers
        denseFFN = nonMoE > 0 ? Double(m.numDenseLayers) / Double(nonMoE) : 1
    }
}
