/// Exact parameter counts of a model, per component.
///
/// The counts are those of the Hugging Face implementation of each architecture (every weight
/// matrix, bias and norm vector), so they match the numbers the model authors publish.
/// Multi-token-prediction blocks are counted apart: DeepSeek-V3's published 671B excludes them.
public struct ParameterBreakdown: Sendable, Hashable {
    /// Input token embedding, V·h.
    public var embedding: Int = 0
    /// Learned absolute position embedding (GPT-2), P·h.
    public var positionEmbedding: Int = 0
    /// Attention blocks of all decoder layers: projections, their biases, q/k norms, MLA norms.
    public var attention: Int = 0
    /// Feed-forward blocks of the dense layers.
    public var denseMLP: Int = 0
    /// Routed experts of all MoE layers.
    public var routedExperts: Int = 0
    /// Shared experts of all MoE layers, with their gate where the architecture has one.
    public var sharedExperts: Int = 0
    /// MoE routers (h·E, plus a per-expert bias where present).
    public var router: Int = 0
    /// Normalisation vectors: two per decoder layer and the final one.
    public var norms: Int = 0
    /// Output projection to the vocabulary; 0 when tied to the embedding.
    public var lmHead: Int = 0
    /// Multi-token-prediction blocks (not in `total`).
    public var mtp: Int = 0

    /// All parameters of the main model (without MTP blocks).
    public var total: Int {
        embedding + positionEmbedding + attention + denseMLP + routedExperts + sharedExperts
            + router + norms + lmHead
    }

    /// Parameters with MTP blocks included. (A DeepSeek-V3 checkpoint stores 1.85B more: its MTP
    /// module keeps its own copy of the embedding and output head.)
    public var totalWithMTP: Int { total + mtp }

    /// Components by name, in a stable order (for tables and JSON).
    public var components: [(name: String, count: Int)] {
        [("embedding", embedding), ("position_embedding", positionEmbedding),
         ("attention", attention), ("dense_mlp", denseMLP), ("routed_experts", routedExperts),
         ("shared_experts", sharedExperts), ("router", router), ("norms", norms),
         ("lm_head", lmHead), ("mtp", mtp)]
    }
}

/// Per-layer parameter counts: the plan-independent numbers the cost model splits by TP/PP/EP.
public struct LayerParameters: Sendable, Hashable {
    /// One attention block: projections, biases, q/k norms, MLA latent norms.
    public var attention: Int
    /// The two normalisation vectors of one decoder block.
    public var norms: Int
    /// One dense FFN (intermediate_size wide).
    public var denseMLP: Int
    /// One routed expert (moe_intermediate_size wide); 0 for a dense model.
    public var expert: Int
    /// All shared experts of one MoE layer, with their gate.
    public var sharedExperts: Int
    /// The router of one MoE layer.
    public var router: Int
}

public enum ParameterCounter {
    /// Per-layer counts, following the Hugging Face modelling code of each architecture
    /// (LlamaAttention/Qwen2Attention/Qwen3Attention, DeepseekV3Attention, GPT2Attention,
    /// LlamaMLP/GPT2MLP, DeepseekV3MoE/Qwen3MoeSparseMoeBlock/MixtralSparseMoeBlock).
    /// Call on a validated spec: the products cannot overflow there.
    public static func layer(_ m: ModelSpec) -> LayerParameters {
        let h = m.hiddenSize
        var attention: Int
        if let mla = m.mla {
            // DeepSeek-V2 §2.1 (arXiv 2405.04434): W^DQ, W^UQ/W^QR, W^DKV, W^KR, W^UK/W^UV, W^O,
            // plus the RMSNorms on the q and kv latents.
            let qOut = m.numAttentionHeads * mla.qkHeadDim
            let query = mla.qLoraRank > 0 ? h * mla.qLoraRank + mla.qLoraRank + mla.qLoraRank * qOut : h * qOut
            let kvDown = h * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank
            let kvUp = mla.kvLoraRank * m.numAttentionHeads * (mla.qkNopeHeadDim + mla.vHeadDim)
            let out = m.numAttentionHeads * mla.vHeadDim * h
            attention = query + kvDown + kvUp + out
        } else {
            let qWidth = m.numAttentionHeads * m.headDim
            let kvWidth = m.numKeyValueHeads * m.headDim
            attention = h * qWidth + 2 * h * kvWidth + qWidth * h
            if m.qkvBias { attention += qWidth + 2 * kvWidth }
            if m.qkNorm { attention += 2 * m.headDim }
        }
        if m.attentionOutputBias { attention += h }

        let denseMLP = mlpParameters(m, width: m.intermediateSize)
        var expert = 0, shared = 0, router = 0
        if let moe = m.moe {
            expert = mlpParameters(m, width: moe.expertIntermediateSize)
            if moe.sharedExpertIntermediateSize > 0 {
                shared = mlpParameters(m, width: moe.sharedExpertIntermediateSize)
                if moe.sharedExpertGate { shared += h }
            }
            router = h * moe.numExperts + (moe.routerBias ? moe.numExperts : 0)
        }
        return LayerParameters(attention: attention, norms: 2 * m.normKind.parameters(width: h),
                               denseMLP: denseMLP, expert: expert, sharedExperts: shared,
                               router: router)
    }

    /// Weights (and biases) of one FFN of the given width.
    static func mlpParameters(_ m: ModelSpec, width f: Int) -> Int {
        let h = m.hiddenSize
        switch m.mlpKind {
        case .gated: return 3 * h * f + (m.mlpBias ? 2 * f + h : 0)
        case .plain: return 2 * h * f + (m.mlpBias ? f + h : 0)
        }
    }

    /// The exact breakdown of a validated spec.
    public static func breakdown(_ m: ModelSpec) -> ParameterBreakdown {
        let per = layer(m)
        let h = m.hiddenSize
        let moeLayers = m.numMoELayers
        var b = ParameterBreakdown()
        b.embedding = m.vocabSize * h
        b.positionEmbedding = m.learnedPositionEmbeddings * h
        b.attention = m.numLayers * per.attention
        b.denseMLP = (m.numLayers - moeLayers) * per.denseMLP
        if let moe = m.moe {
            b.routedExperts = moeLayers * moe.numExperts * per.expert
            b.sharedExperts = moeLayers * per.sharedExperts
            b.router = moeLayers * per.router
        }
        b.norms = m.numLayers * per.norms + m.normKind.parameters(width: h)
        b.lmHead = m.tieWordEmbeddings ? 0 : m.vocabSize * h
        // DeepSeek-V3 §2.2 (arXiv 2412.19437): each MTP module has RMSNorms on the hidden state
        // and the embedding, a 2h→h projection, one transformer block (an MoE block in V3) and a
        // final norm; the embedding and output head are shared with the main model.
        if m.mtpLayers > 0 {
            let ffn = m.moe.map { $0.numExperts * per.expert + per.sharedExperts + per.router } ?? per.denseMLP
            let block = per.attention + per.norms + ffn
            let module = 2 * m.normKind.parameters(width: h) + 2 * h * h + block + m.normKind.parameters(width: h)
            b.mtp = m.mtpLayers * module
        }
        return b
    }

    /// Parameters one token uses: everything but the routed experts it is not sent to.
    public static func active(_ m: ModelSpec) -> Int {
        let b = breakdown(m)
        guard let moe = m.moe else { return b.total }
        let activeExperts = m.numMoELayers * moe.expertsPerToken * layer(m).expert
        return b.total - b.routedExperts + activeExperts
    }

    /// A floating-point estimate of the total with MTP, safe to compute on any input: used by
    /// validation to reject specs whose exact count would overflow.
    static func estimateTotal(_ m: ModelSpec) -> Double {
        let h = Double(m.hiddenSize), L = Double(m.numLayers) + Double(m.mtpLayers) + 1
        let heads = Double(m.numAttentionHeads), d = Double(m.headDim)
        var perLayer = 4 * h * heads * d + 3 * h * Double(m.intermediateSize) + 4 * h
        if let mla = m.mla {
            let q = Double(mla.qLoraRank), kv = Double(mla.kvLoraRank)
            let qk = Double(mla.qkNopeHeadDim) + Double(mla.qkRopeHeadDim)
            let nopeV = Double(mla.qkNopeHeadDim) + Double(mla.vHeadDim)
            perLayer += q * (h + heads * qk) + h * heads * qk + h * (kv + qk) + kv * heads * nopeV
                + heads * Double(mla.vHeadDim) * h
        }
        if let moe = m.moe {
            let experts = Double(moe.numExperts) + 1
            perLayer += 3 * h * (experts * Double(moe.expertIntermediateSize)
                                 + Double(moe.sharedExpertIntermediateSize)) + h * experts
        }
        return L * perLayer + 2 * Double(m.vocabSize) * h + Double(m.learnedPositionEmbeddings) * h
    }
}
