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
    /// LatentMoE projections around the routed experts (h → latent and back), all MoE layers.
    public var moeLatentProjections: Int = 0
    /// Normalisation vectors: two per decoder layer and the final one.
    public var norms: Int = 0
    /// Output projection to the vocabulary; 0 when tied to the embedding.
    public var lmHead: Int = 0
    /// Multi-token-prediction blocks (not in `total`).
    public var mtp: Int = 0

    /// All parameters of the main model (without MTP blocks).
    public var total: Int {
        embedding + positionEmbedding + attention + denseMLP + routedExperts + sharedExperts
            + router + moeLatentProjections + norms + lmHead
    }

    /// Parameters with MTP blocks included. (A DeepSeek-V3 checkpoint stores 1.85B more: its MTP
    /// module keeps its own copy of the embedding and output head.)
    public var totalWithMTP: Int { total + mtp }

    /// Components by name, in a stable order (for tables and JSON).
    public var components: [(name: String, count: Int)] {
        [("embedding", embedding), ("position_embedding", positionEmbedding),
         ("attention", attention), ("dense_mlp", denseMLP), ("routed_experts", routedExperts),
         ("shared_experts", sharedExperts), ("router", router),
         ("moe_latent_projections", moeLatentProjections), ("norms", norms),
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
    /// The two LatentMoE projections of one MoE layer (0 without a latent width).
    public var moeLatentProjections: Int = 0
    /// One Mamba-2 mixer and one Gated DeltaNet mixer (0 when the model has none).
    public var mamba: Int = 0
    public var deltaNet: Int = 0
    /// One lightning indexer of a sparse-attention layer (0 when the model has none).
    public var indexer: Int = 0
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
        // Extras of newer architectures (all 0/false for a plain transformer):
        // Qwen3-Next `attn_output_gate` doubles q_proj (transformers Qwen3NextAttention);
        // OLMo 2 / MiniMax-M2 norm the whole q and k widths, not one head;
        // GPT-OSS keeps one learned sink logit per head (transformers GptOssAttention.sinks).
        if m.mla == nil {
            if m.attentionOutputGate { attention += h * m.numAttentionHeads * m.headDim }
            if m.qkNorm, m.qkNormScope == .fullWidth {
                attention += (m.numAttentionHeads + m.numKeyValueHeads) * m.headDim - 2 * m.headDim
            }
        }
        if m.attentionSinks { attention += m.numAttentionHeads }

        let denseMLP = mlpParameters(m, width: m.intermediateSize)
        var expert = 0, shared = 0, router = 0, latent = 0
        if let moe = m.moe {
            // LatentMoE experts read and write the latent width (transformers NemotronH
            // `LatentMoE`: fc1_latent_proj / fc2_latent_proj Linear(h ↔ latent, bias=mlp_bias)).
            expert = mlpParameters(m, width: moe.expertIntermediateSize, input: moe.expertWidth(hidden: h))
            if moe.latentSize > 0 {
                latent = 2 * h * moe.latentSize + (m.mlpBias ? moe.latentSize + h : 0)
            }
            if moe.sharedExpertIntermediateSize > 0 {
                shared = mlpParameters(m, width: moe.sharedExpertIntermediateSize)
                if moe.sharedExpertGate { shared += h }
            }
            router = h * moe.numExperts + (moe.routerBias ? moe.numExperts : 0)
        }
        let norms = m.normsPerLayer == 2 ? 2 * m.normKind.parameters(width: h)
            : m.normsPerLayer * m.normKind.parameters(width: h)
        return LayerParameters(attention: attention, norms: norms,
                               denseMLP: denseMLP, expert: expert, sharedExperts: shared,
                               router: router, moeLatentProjections: latent, mamba: m.mamba.map { mambaParameters($0, hidden: h) } ?? 0,
                               deltaNet: m.deltaNet.map { deltaNetParameters($0, hidden: h) } ?? 0,
                               indexer: m.sparseIndexer.map { indexerParameters($0, m) } ?? 0)
    }

    /// One lightning indexer (DeepSeek-V3.2 `Indexer`): wq_b from the q latent (or h), wk, the
    /// k LayerNorm (scale and bias) and weights_proj.
    static func indexerParameters(_ s: SparseIndexerSpec, _ m: ModelSpec) -> Int {
        let qIn = (m.mla?.qLoraRank ?? 0) > 0 ? (m.mla?.qLoraRank ?? 0) : m.hiddenSize
        return qIn * s.numHeads * s.headDim + m.hiddenSize * s.headDim + 2 * s.headDim + m.hiddenSize * s.numHeads
    }

    /// One Mamba-2 mixer (transformers `NemotronHMamba2Mixer`): in_proj h → (z, xBC, dt) =
    /// 2·inner + 2·groups·N + heads; a depthwise causal conv over xBC (kernel k, optional bias);
    /// dt_bias, A_log and D per head; a gated RMSNorm over inner; out_proj inner → h.
    static func mambaParameters(_ s: Mamba2Spec, hidden h: Int) -> Int {
        let inProj = h * (s.innerWidth + s.convWidth + s.numHeads) + (s.projectionBias ? s.innerWidth + s.convWidth + s.numHeads : 0)
        let conv = s.convWidth * s.convKernel + (s.convBias ? s.convWidth : 0)
        let outProj = s.innerWidth * h + (s.projectionBias ? h : 0)
        return inProj + conv + 3 * s.numHeads + s.innerWidth + outProj
    }

    /// One Gated DeltaNet mixer (transformers `Qwen3NextGatedDeltaNet`): in_proj_qkvz h →
    /// 2·key + 2·value widths, in_proj_ba h → 2·v_heads, a bias-free depthwise conv over q, k, v
    /// (kernel k), dt_bias and A_log per value head, a gated RMSNorm of one value head's width,
    /// out_proj value → h.
    static func deltaNetParameters(_ s: DeltaNetSpec, hidden h: Int) -> Int {
        let inProj = h * (2 * s.keyWidth + 2 * s.valueWidth) + h * 2 * s.numValueHeads
        let conv = (2 * s.keyWidth + s.valueWidth) * s.convKernel
        return inProj + conv + 2 * s.numValueHeads + s.valueHeadDim + s.valueWidth * h
    }

    /// Weights (and biases) of one FFN of the given width, reading and writing `input` values
    /// (the hidden size unless a LatentMoE expert).
    static func mlpParameters(_ m: ModelSpec, width f: Int, input: Int? = nil) -> Int {
        let h = input ?? m.hiddenSize
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
        // Token mixers: attention blocks, plus Mamba-2 / Gated DeltaNet mixers of hybrid models.
        b.attention = m.numAttentionLayers * per.attention
            + m.numLayers(mixer: .mamba2) * per.mamba + m.numLayers(mixer: .gatedDeltaNet) * per.deltaNet
            + m.numLayers(mixer: .sparseAttention) * per.indexer
        b.denseMLP = m.numDenseLayers * per.denseMLP
        if let moe = m.moe {
            b.routedExperts = moeLayers * moe.numExperts * per.expert
            b.sharedExperts = moeLayers * per.sharedExperts
            b.router = moeLayers * per.router
            b.moeLatentProjections = moeLayers * per.moeLatentProjections
        }
        b.norms = m.numLayers * per.norms + m.normKind.parameters(width: h)
            + (m.embeddingNorm ? m.normKind.parameters(width: h) : 0)
        b.lmHead = m.tieWordEmbeddings ? 0 : m.vocabSize * h
        // DeepSeek-V3 §2.2 (arXiv 2412.19437): each MTP module has RMSNorms on the hidden state
        // and the embedding, a 2h→h projection, one transformer block (an MoE block in V3) and a
        // final norm; the embedding and output head are shared with the main model.
        if m.mtpLayers > 0 {
            let ffn = m.moe.map { $0.numExperts * per.expert + per.sharedExperts + per.router + per.moeLatentProjections }
                ?? per.denseMLP
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
            let latent = Double(moe.latentSize)
            perLayer += 3 * max(h, latent) * (experts * Double(moe.expertIntermediateSize)
                                              + Double(moe.sharedExpertIntermediateSize)) + h * experts + 2 * h * latent
        }
        if let s = m.mamba {
            let inner = Double(s.numHeads) * Double(s.headDim), groups = Double(s.groups) * Double(s.stateSize)
            perLayer += h * (3 * inner + 2 * groups + Double(s.numHeads)) + Double(s.convKernel + 1) * (inner + 2 * groups)
        }
        if let s = m.deltaNet {
            let key = Double(s.numKeyHeads) * Double(s.keyHeadDim), value = Double(s.numValueHeads) * Double(s.valueHeadDim)
            perLayer += h * (2 * key + 3 * value + 2 * Double(s.numValueHeads)) + Double(s.convKernel) * (2 * key + value)
                + Double(s.valueHeadDim)
        }
        if let s = m.sparseIndexer {
            perLayer += (Double(m.mla?.qLoraRank ?? 0) + h) * Double(s.numHeads) * Double(s.headDim)
                + h * (Double(s.headDim) + Double(s.numHeads)) + 2 * Double(s.headDim)
        }
        perLayer += Double(max(m.normsPerLayer - 2, 0)) * 2 * h + (m.attentionOutputGate ? h * heads * d : 0)
        return L * perLayer + 2 * Double(m.vocabSize) * h + Double(m.learnedPositionEmbeddings) * h
    }
}
