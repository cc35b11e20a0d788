/// Activation bytes one transformer layer stores for its backward pass, per micro-batch and GPU.
///
/// The accounting follows Korthikanti et al. 2022 (arXiv 2205.05198, §4.1 and Table 2), which
/// counts, per layer, 2-byte activations and 1-byte dropout masks for every tensor the backward
/// needs: `sbh(34 + 5as/h)` for GPT-3 without parallelism. The same tensor list is generalised
/// here:
/// - GQA/MQA: K and V have `kv_heads·head_dim` columns instead of `h`;
/// - gated MLPs (SwiGLU): the FC1 output holds gate and up (2f), and the activation output (f)
///   is the FC2 input;
/// - fused (flash) attention stores Q, K, V, its output and the fp32 log-sum-exp instead of the
///   s×s softmax, its dropout mask and output (Dao et al. 2022 §3.1);
/// - sequence parallelism divides the tensors outside the TP region (norm inputs, linear inputs,
///   dropout masks) by t (Korthikanti §4.2.2); context parallelism divides the sequence by cp;
/// - FP8 linear layers save their inputs as 1-byte FP8 (Transformer Engine saves the cast);
/// - MoE layers store the router's fp32 scores and, for each of the top-k copies of a token,
///   the expert input, FC1 output and activation output (Megatron-Core applies the routing
///   probabilities inside the activation, so the unpermute keeps no FC2 output);
/// - MLA stores the q and kv latents and their normed copies, plus per-head q, k, v.
/// Recomputation removes what it recomputes (Korthikanti §5: selective drops the attention
/// core; full keeps only the layer input, 2sbh, SP-sharded when SP is on).
struct LayerActivations {
    /// Bytes stored under the run's recomputation policy (for `.full`: the layer input).
    var stored: Double
    /// Bytes the layer stores without recomputation (what its backward re-materialises).
    var full: Double
    /// The layer input alone (what full recomputation keeps).
    var input: Double
}

extension Workload {
    /// Stored activations of one dense-FFN layer and one MoE layer for one micro-batch on the
    /// given plan.
    func layerActivations(_ c: PlanContext, framework fw: FrameworkProfile) -> (dense: LayerActivations, moe: LayerActivations) {
        let t = c.tp
        let T = c.memoryTokens                 // tokens in the TP region (gathered)
        let Tsp = c.memoryTokensSP             // tokens outside it (SP-sharded)
        let h = hidden
        let lb: Double = fp8 ? 1 : 2           // bytes of a saved linear-layer input
        let mask: Double = dropout > 0 ? 1 : 0 // dropout mask bytes per element
        let mods = c.recompute.granularity == .selective ? c.recompute.modules : []

        // ---- Attention block ----
        // Outside the TP region (per SP token): LN input (2h), its output as the QKV GEMM input
        // (lb·h), the dropout mask after the output projection (h); MLA latents and their normed
        // copies.
        let latents = isMLA ? 2 * qLoraRank + lb * qLoraRank + 2 * (kvLoraRank + qkRopeDim) + lb * kvLoraRank : 0
        let lnOut = mods.contains(.layerNorm) ? 0 : lb * h
        let attnOutsideFull = 2 * h + lb * h + mask * h + latents
        let attnOutside = 2 * h + lnOut + mask * h + latents
        // Inside the TP region (per gathered token, divided by t): Q, K, V, the attention
        // output (= projection input, plus its FP8 copy), and the attention core's own state.
        let qWidth = heads * qkHeadDim
        // K/V over the TP group (× T/t below): replicated KV heads when t > kv.
        let kvTP = kvHeadsAcrossTP(t)
        let kWidth = isMLA ? heads * qkHeadDim : kvTP * qkHeadDim
        let vWidth = isMLA ? heads * vHeadDim : kvTP * vHeadDim
        let oWidth = heads * vHeadDim
        let qkv = 2 * (qWidth + kWidth + vWidth)
        let output = 2 * oWidth + (fp8 ? oWidth : 0)
        let core: Double = fw.flashAttention
            ? 4 * heads                                                   // fp32 log-sum-exp
            : heads * memorySeqLen / c.cp * (2 + 3 * (attentionDropout > 0 ? 1 : 0))  // 5as
        let attnInsideFull = qkv + output + core
        var attnInside = output
        if !(isMLA && mods.contains(.mlaUpProjection)) { attnInside += qkv }
        if !mods.contains(.coreAttention) { attnInside += core }

        // ---- Dense MLP block ----
        // Outside: LN input (2h), FC1 input (lb·h), dropout mask (h). Inside: FC1 output
        // (2·fc1Factor·f: gate and up for SwiGLU) and the activation output (lb·f, FC2 input).
        let mlpOutsideFull = 2 * h + lb * h + mask * h
        let mlpOutside = 2 * h + lnOut + mask * h
        let mlpInsideFull = 2 * fc1Factor * ffn + lb * ffn
        let mlpInside = mods.contains(.mlp) ? 0 : mlpInsideFull

        // DTensor TP keeps the gathered inputs of the QKV and FC1 GEMMs: the (t−1)/t of them
        // beyond the SP shard counted above (see `savesGatheredLinearInputs`).
        let gatheredTokens = fw.savesGatheredLinearInputs && c.sp ? T - Tsp : 0
        let gatheredAttnFull = isMLA ? 0 : gatheredTokens * lb * h
        let gatheredAttn = isMLA ? 0 : gatheredTokens * lnOut
        let gatheredMLPFull = gatheredTokens * lb * h
        let gatheredMLP = mods.contains(.mlp) ? 0 : gatheredTokens * lnOut

        let input = 2 * h * Tsp
        let denseFull = (attnOutsideFull + mlpOutsideFull) * Tsp + (attnInsideFull + mlpInsideFull) * T / t
            + gatheredAttnFull + gatheredMLPFull
        var denseStored: Double
        if mods.contains(.torchtitanOps) {
            // torchtitan op-level SAC keeps the matmul outputs except every second one (q, v,
            // the attention output and lse, the first MLP GEMM output, the block output) and
            // the block input; elementwise results are recomputed.
            denseStored = 4 * h * Tsp + (2 * qWidth + 2 * vWidth + 2 * oWidth + core + 2 * ffn) * T / t
        } else {
            denseStored = (attnOutside + mlpOutside) * Tsp + (attnInside + mlpInside) * T / t
                + gatheredAttn + gatheredMLP
        }

        // ---- MoE block ----
        var moeStored = 0.0, moeFull = 0.0
        if isMoE {
            let copies = topK * Tsp * c.etp                         // token copies per rank
            let fe = expertFFN / c.etp
            let router = 9 * experts * Tsp                          // fp32 logits and probs, map
            // Per copy: expert input (lb·h), FC1 output, activation output and its fp32
            // routing probability. Megatron-Core's grouped experts apply the probabilities inside
            // the activation (weighted SwiGLU, moe/experts.py TEGroupedMLP with permuted_probs),
            // so the unpermute keeps no per-copy FC2 output.
            // LatentMoE: copies carry the latent (`expertHidden`); the two projections keep
            // their inputs, the normed hidden state (counted with the block's norm) and the
            // combined latent output (Tsp · latent).
            // An eager GLU clamp (`FrameworkProfile.eagerExpertEpilogue`) keeps its concatenated
            // clamped FC1 output (2 · fe values) for the fused GeGLU's backward.
            let clampCopy = fw.eagerExpertEpilogue && clampedGLU ? 2 * fe * 2 : 0
            let expertsFull = copies * (lb * expertHidden + 2 * fc1Factor * fe + lb * fe + 4 + clampCopy)
                + lb * moeLatent * Tsp
            let expertsStored = expertsFull - (mods.contains(.moeActivation) ? copies * lb * fe : 0)
            let sharedInside = 2 * fc1Factor * sharedFFN + lb * sharedFFN
            let sharedFull = sharedFFN > 0 ? sharedInside * T / t : 0
            let sharedStored = mods.contains(.sharedExperts) ? 0 : sharedFull
            let mlpNormFull = mlpOutsideFull * Tsp
            let mlpNorm = mlpOutside * Tsp
            let attnFull = attnOutsideFull * Tsp + attnInsideFull * T / t + gatheredAttnFull
            let attnStored = attnOutside * Tsp + attnInside * T / t + gatheredAttn
            moeFull = attnFull + mlpNormFull + router + expertsFull + sharedFull
            moeStored = mods.contains(.moe)
                ? attnStored + mlpNorm
                : attnStored + mlpNorm + router + expertsStored + sharedStored
        }

        if c.recompute.granularity == .full {
            denseStored = input
            moeStored = input
        }
        return (LayerActivations(stored: denseStored, full: denseFull, input: input),
                LayerActivations(stored: moeStored, full: moeFull, input: input))
    }
}
