/// Weight bytes of one model on one tensor-parallel rank, and the bytes a forward pass reads.
///
/// Split over TP (Megatron column/row parallel, Shoeybi et al. 2019 §3; vLLM
/// `ColumnParallelLinear`/`RowParallelLinear`, `VocabParallelEmbedding`, `ParallelLMHead`):
/// attention projections, dense FFNs, routed and shared experts (vLLM `FusedMoE` splits each
/// expert's width over TP when expert parallelism is off), the embedding and the LM head.
/// Replicated on every rank: norms, MoE routers and MLA's down-projections (vLLM
/// deepseek_v2.py builds `q_a_proj` and `kv_a_proj_with_mqa` as `ReplicatedLinear`).
///
/// Precision: decoder-block matrices at the weight precision; the embedding, LM head, norms and
/// routers stay 16-bit (vLLM and TensorRT Model Optimizer leave `lm_head` unquantised by
/// default; AutoAWQ's and GPTQ's `modules_to_not_convert` likewise).
public struct ServingWeights: Sendable, Hashable {
    /// All weights resident on one rank, bytes.
    public let bytesPerGPU: Double
    /// Bytes one forward pass reads on one rank apart from the routed experts: every resident
    /// weight but the embedding table (a lookup reads only the batch's rows).
    public let nonExpertReadBytes: Double
    /// One routed expert of one layer on one rank, bytes.
    public let expertBytesPerGPU: Double
    /// MoE layers (0 for a dense model).
    public let moeLayers: Int
    /// Routed experts per MoE layer and experts per token (0 for a dense model).
    public let numExperts: Int
    public let expertsPerToken: Int
    /// The embedding table and the LM head on one rank, bytes (16-bit).
    public let embeddingBytes: Double
    public let headBytes: Double

    /// `model` must be validated and `tp` ≥ 1. `attentionShards` is the split of the attention
    /// projections: `tp`, or 1 under attention data parallelism (every rank holds them all).
    public init(model m: ModelSpec, tp: Int, precision: WeightPrecision, attentionShards: Int? = nil) {
        let t = Double(max(tp, 1))
        let a = Double(max(attentionShards ?? tp, 1))
        let b = ParameterCounter.breakdown(m)
        let per = ParameterCounter.layer(m)
        let q = precision.bytesPerElement
        let half = 2.0
        let h = m.hiddenSize
        // MLA down-projections (replicated): W^DQ and W^DKV/W^KR with their latent norms.
        var replicatedAttention = 0
        if let mla = m.mla {
            let query = mla.qLoraRank > 0 ? h * mla.qLoraRank + mla.qLoraRank : 0
            replicatedAttention = m.numLayers * (query + h * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank)
        }
        let splitAttention = Double(b.attention - replicatedAttention)
        let splitBlocks = (splitAttention / a * t + Double(b.denseMLP + b.routedExperts + b.sharedExperts)) / t * q
        let replicatedBlocks = Double(replicatedAttention) * q + Double(b.norms + b.router) * half
        let embedding = Double(b.embedding + b.positionEmbedding) / t * half
        let head = Double(b.lmHead) / t * half
        bytesPerGPU = splitBlocks + replicatedBlocks + embedding + head
        embeddingBytes = embedding
        headBytes = head
        // A tied LM head is the embedding table, read whole by every forward pass.
        nonExpertReadBytes = bytesPerGPU - (m.tieWordEmbeddings ? 0 : embedding) - Double(b.routedExperts) / t * q
        expertBytesPerGPU = Double(per.expert) / t * q
        moeLayers = m.numMoELayers
        numExperts = m.moe?.numExperts ?? 0
        expertsPerToken = m.moe?.expertsPerToken ?? 0
    }

    /// Distinct routed experts `tokens` tokens touch in one MoE layer (`MoEOccupancy`).
    @inline(__always)
    public func distinctExperts(tokens: Double) -> Double {
        guard moeLayers > 0 else { return 0 }
        return MoEOccupancy.expectedDistinctExperts(experts: numExperts, perToken: expertsPerToken, tokens: tokens)
    }
}
