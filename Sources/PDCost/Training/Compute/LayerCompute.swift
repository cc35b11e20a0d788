/// GPU time of one transformer layer for one micro-batch on one rank, without communication.
///
/// Work is charged per kernel family:
/// - every GEMM at its shape-dependent rate (`Rates.gemm`: a roofline of tensor-core rate and
///   HBM traffic); the backward runs two GEMMs of the same shape per linear (activation and
///   weight gradients), so it costs twice the forward (Narayanan et al. 2021 §5.1), plus the
///   read-modify-write of the fp32 main gradient the weight gradient accumulates into
///   (Megatron `gradient_accumulation_fusion`);
/// - FP8 (Transformer Engine, torchao) runs only the linear layers' GEMMs at the FP8 rate and
///   adds the casts of their inputs (forward) and output gradients (backward);
/// - the attention core as fused flash attention (forward, and backward at 2.5× its FLOPs), or,
///   without it, batched GEMMs over the full s×s scores plus a memory-bound softmax;
/// - norms, residual adds with dropout, RoPE, activation functions, MoE routing and
///   permutation as HBM traffic;
/// - host launch time per kernel, which bounds the layer when kernels are short (eager mode).
struct LayerTime {
    var forward: Double = 0
    var backward: Double = 0
    /// Forward time of the parts the recomputation policy recomputes (selective); for full
    /// recomputation the whole `forward` is repeated instead.
    var selectiveRecompute: Double = 0
    /// Attention-core times (what CP communication overlaps with).
    var attentionForward: Double = 0
    var attentionBackward: Double = 0
    /// GEMM forward times of the linears whose backward hides TP communication.
    var columnParallelGEMM: Double = 0
    var rowParallelGEMM: Double = 0
    /// The MLP's share of `columnParallelGEMM` (fc1; shared experts' fc1 in an MoE layer): each
    /// backward collective can only hide behind the GEMM it is paired with.
    var mlpColumnParallelGEMM: Double = 0
    /// Host time to issue the layer's operations (forward + backward).
    var host: Double = 0
    /// GPU idle time behind host synchronisations (dropless MoE dispatch), per micro-batch.
    var hostStall: Double = 0
    /// Forward FLOPs recomputed by the selective policy (for HFU), per micro-batch.
    var selectiveRecomputeFlops: Double = 0
}

extension Workload {
    /// K/V heads over the TP group as the attention kernel sees them: the query heads when the
    /// model repeats K/V before the call (torchtitan), else the (replicated) KV heads.
    @inline(__always)
    func attentionRepeatsOrKV(_ fw: FrameworkProfile, _ t: Double) -> Double {
        if isMLA { return heads }
        return fw.attentionRepeatsKVHeads ? max(heads, kvHeadsAcrossTP(t)) : kvHeadsAcrossTP(t)
    }

    /// Compute times of one dense layer and one MoE layer.
    func layerTimes(_ c: PlanContext, framework fw: FrameworkProfile) -> (dense: LayerTime, moe: LayerTime) {
        let r = rates
        let t = c.tp, T = c.tokens, Tsp = c.tokensSP, h = hidden
        let f8 = fp8
        let mods = c.recompute.granularity == .selective ? c.recompute.modules : []
        let scale = fw.elementwiseTrafficScale
        let cast = f8 ? fp8CastBytes : 0

        // ---- Attention block GEMMs ----
        var attnGEMM = 0.0, upProj = 0.0, qkvOut = 0.0, column = 0.0, row = 0.0
        if isMLA {
            let qDown = qLoraRank > 0 ? r.gemm(Tsp, qLoraRank, h, fp8: f8) : 0
            let qUp = qLoraRank > 0 ? r.gemm(T, heads * qkHeadDim / t, qLoraRank, fp8: f8)
                                    : r.gemm(T, heads * qkHeadDim / t, h, fp8: f8)
            let kvDown = r.gemm(Tsp, kvLoraRank + qkRopeDim, h, fp8: f8)
            let kvUp = r.gemm(T, heads * (qkHeadDim - qkRopeDim + vHeadDim) / t, kvLoraRank, fp8: f8)
            let o = r.gemm(T, h, heads * vHeadDim / t, fp8: f8)
            attnGEMM = qDown + qUp + kvDown + kvUp + o
            upProj = (qLoraRank > 0 ? qUp : 0) + kvUp
            column = qUp + kvUp
            row = o
            qkvOut = T * heads * (2 * qkHeadDim + vHeadDim) / t
        } else {
            // K/V columns over the TP group: replicated heads count once per rank.
            let qkvWidth = (heads + 2 * kvHeadsAcrossTP(t)) * qkHeadDim
            let qkv = r.gemm(T, qkvWidth / t, h, fp8: f8)
            let o = r.gemm(T, h, heads * vHeadDim / t, fp8: f8)
            attnGEMM = qkv + o
            column = qkv
            row = o
            qkvOut = T * qkvWidth / t
        }
        if mixerGEMMScale != 1 {
            // Hybrid / per-layer models: the mean token-mixer projection work of a block.
            attnGEMM *= mixerGEMMScale
            column *= mixerGEMMScale
            row *= mixerGEMMScale
        }

        // ---- Attention core ----
        let localHeads = heads / t
        var attnF = 0.0, attnB = 0.0, attnKernels = 1.0
        if fw.flashAttention {
            // Causal: half of the s×s products; CP gives each rank 1/cp of the work
            // (load-balanced chunks, Megatron-Core/TE context parallelism).
            let flops = c.mbs * localHeads * 2 * seqLen * seqLen * (qkHeadDim + vHeadDim) * 0.5 / c.cp
                * attentionCoreScale
            let fp8Core = f8 && fw.fp8Attention
            // One score per 2·(d_qk + d_v) forward FLOPs (Q·Kᵀ and P·V).
            let a = r.flashAttention(forwardFlops: flops, scores: flops / (2 * (qkHeadDim + vHeadDim)),
                                     localSeq: min(c.localSeq, documentTokens), headDim: qkHeadDim, fp8: fp8Core)
            // Attention dropout: Philox draws per score element forward and again backward
            // (measured kernel ratio, `EfficiencyProfile.attentionDropoutSlowdown`).
            let drop = attentionDropout > 0 ? r.attentionDropoutSlowdown : 1
            attnF = a.forward * drop
            attnB = a.backward * drop
            if fp8Core {
                // Q, K and V cast to FP8 before the kernel (read 2 B, write 1 B per element), and
                // the output gradient before the backward (TE `FusedAttnFunc` with fp8_dpa).
                let kvLocal = attentionRepeatsOrKV(fw, t) / t
                let qkv = T * (localHeads * qkHeadDim + kvLocal * (qkHeadDim + vHeadDim))
                attnF += r.memoryBound(3 * qkv, kernels: 3)
                attnB += r.memoryBound(3 * T * localHeads * vHeadDim, kernels: 1)
            }
            if c.cp > 1 {
                let steps = c.cp - 1
                let outElements = T * localHeads * vHeadDim
                if fw.contextParallelImplementation == .torchAllGather {
                    // PyTorch's ring attention merges each block in eager fp32 ops
                    // (torch/distributed/tensor/experimental/_attention.py, `_SDPAMerger`):
                    // forward per step, bf16→fp32 block output (6 B), out − block_out (12),
                    // × sigmoid(Δlse) (8), out − … (12), and for the half-query blocks a
                    // `_partial_update` cat (8) ≈ 46 B per output element, plus the
                    // torch.cat of K and V before each exchange (4 B per K/V element).
                    // Backward per step: dq += (10, plus a cat on partial steps: ≈ 14 avg),
                    // dk/dv fp32 accumulation with partial cats (≈ 22 each), their cat for
                    // the next rank (8 each), and the K/V cat (4 each).
                    let kvLocal = attentionRepeatsOrKV(fw, t) / t
                    let kvElements = T * kvLocal * (qkHeadDim + vHeadDim)
                    attnF += r.memoryBound(steps * (46 * outElements + 4 * kvElements), kernels: 6 * steps)
                    attnB += r.memoryBound(steps * (14 * outElements + 34 * kvElements), kernels: 10 * steps)
                    attnKernels = 8 * c.cp
                } else {
                    // Ring steps run as separate kernels and merge partial outputs through fp32
                    // out/lse corrections (TE AttnFuncWithCPAndKVP2P): read+write of O per step.
                    let merge = steps * outElements * 12
                    attnF += r.memoryBound(merge, kernels: steps)
                    attnB += r.memoryBound(merge, kernels: steps)
                    attnKernels = 2 * c.cp
                }
            }
        } else {
            // Materialised scores (Megatron-LM 2021): QKᵀ and P·V as batched GEMMs over full
            // s×s blocks, fused scale-mask-softmax, dropout on the probabilities.
            let groups = c.mbs * localHeads
            let s = c.localSeq
            let bmm = r.groupedGEMM(groups: groups, rows: s, s, qkHeadDim, fp8: false)
                + r.groupedGEMM(groups: groups, rows: s, vHeadDim, s, fp8: false)
            let scores = groups * s * s
            let drop: Double = attentionDropout > 0 ? 5 : 0
            attnF = bmm + r.memoryBound(scores * (4 + drop), kernels: 2)
            attnB = 2 * bmm + r.memoryBound(scores * (6 + drop), kernels: 2)
            attnKernels = 4
            if attentionCoreScale != 1 {
                attnF *= attentionCoreScale
                attnB *= attentionCoreScale
            }
        }

        // ---- Elementwise (forward bytes) common to all layers ----
        let maskBytes: Double = dropout > 0 ? 1 : 0
        var common = 2 * Tsp * h * 4                                  // two norms: read + write
        common += 2 * Tsp * h * (6 + maskBytes)                       // residual adds (+ dropout)
        if isMLA { common += Tsp * (qLoraRank + kvLoraRank) * 4 }     // latent norms
        if rope {
            common += isMLA ? T * (localHeads + 1) * qkRopeDim * 4
                            : T * (localHeads + kvHeadsAcrossTP(t) / t) * qkHeadDim * 4
        }
        // State mixers' scans (Mamba-2, Gated DeltaNet), heads sharded over TP: memory-bound
        // (StateMixerTraffic).
        let stateF = r.memoryBound(T * stateMixerBytesPerToken / t, kernels: 0)
        let stateB = StateMixerTraffic.backwardOverForward * stateF
        // FP8 casts: attention inputs forward (QKV input, projection input).
        let attnCastF = cast * (Tsp * h + T * heads * vHeadDim / t)
        let attnCastB = cast * (qkvOut + T * h)

        // ---- Dense MLP ----
        let fc1 = r.gemm(T, fc1Factor * ffn / t, h, fp8: f8) * denseFFNScale
        let fc2 = r.gemm(T, h, ffn / t, fp8: f8) * denseFFNScale
        let act = T * ffn / t * (gated ? 6 : 4) * denseFFNScale
        let mlpCastF = cast * (Tsp * h + T * ffn / t)
        let mlpCastB = cast * (T * fc1Factor * ffn / t + T * h)

        // Weight-gradient accumulation into the main grad: read + write per weight element.
        // A frozen base (LoRA/QLoRA) runs the input-gradient GEMM only (`wgrad` 1 → 0) and
        // accumulates nothing; its adapters add their thin GEMMs, priced as the traffic they
        // cause forward and (twice) backward (`Adapters.forwardBytesPerToken`).
        let attnWeights = localAttentionShardedParams(t) + attentionReplicatedParams
        let frozen = adapters.freezesBase
        let wgrad: Double = frozen ? 0 : 1
        let gradRMW = frozen ? 0 : 2 * gradBufferBytes
        // QLoRA dequantises each NF4 weight to 16-bit before its GEMM, forward and again for
        // the input gradient (bitsandbytes `dequantize_4bit`): read 4.127 bits, write 2 B.
        let dequant = adapters.quantizedBase ? FineTuning.nf4BitsPerWeight / 8 + 2 : 0
        let denseAdapterF = frozen ? r.memoryBound(T * adapters.forwardBytesPerToken(tp: t, moe: false), kernels: 0) : 0
        let moeAdapterF = frozen ? r.memoryBound(T * adapters.forwardBytesPerToken(tp: t, moe: true), kernels: 0) : 0

        var dense = LayerTime()
        let denseEW = (common + act) * scale + attnCastF + mlpCastF
        let denseEWB = 2 * (common + act) * scale + attnCastB + mlpCastB
        let denseWeights = attnWeights + denseMLPShardedParams / t
        let denseDequant = r.memoryBound(dequant * denseWeights, kernels: 0)
        dense.forward = attnGEMM + fc1 + fc2 + attnF + stateF + r.memoryBound(denseEW, kernels: 0) + denseAdapterF + denseDequant
        dense.backward = (1 + wgrad) * (attnGEMM + fc1 + fc2) + attnB + stateB
            + r.memoryBound(denseEWB + gradRMW * denseWeights, kernels: 0) + 2 * denseAdapterF + denseDequant
        dense.attentionForward = attnF
        dense.attentionBackward = attnB
        dense.columnParallelGEMM = column + fc1
        dense.mlpColumnParallelGEMM = fc1
        dense.rowParallelGEMM = row + fc2
        // Host operations of a Megatron/TE layer: ~25 forward (fused LayerNorm-linear modules,
        // RoPE, attention, bias-dropout-add, FP8 scaling updates) and ~1.5× that backward.
        let denseOps = 2.5 * (22 + attnKernels + (f8 ? 4 : 0) + (dropout > 0 ? 2 : 0))
        dense.host = denseOps * fw.hostSecondsPerOp * fw.hostOpScale
        // Selective recomputation of chosen modules.
        var sel = 0.0, selFlops = 0.0
        let attnCoreFlops = c.mbs * localHeads * 2 * seqLen * seqLen * (qkHeadDim + vHeadDim) * 0.5 / c.cp
            * attentionCoreScale
        if mods.contains(.coreAttention) { sel += attnF; selFlops += attnCoreFlops }
        if mods.contains(.mlaUpProjection) { sel += upProj }
        if mods.contains(.layerNorm) { sel += r.memoryBound(2 * Tsp * h * 4 * scale, kernels: 2) }
        var denseSel = sel, denseSelFlops = selFlops
        if mods.contains(.mlp) {
            denseSel += fc1 + fc2 + r.memoryBound(act * scale, kernels: 1)
            denseSelFlops += 2 * T * 3 * h * ffn / t
        }
        if mods.contains(.torchtitanOps) {
            // Every second matmul and all elementwise work are recomputed.
            denseSel += 0.5 * (attnGEMM + fc1 + fc2) + r.memoryBound(denseEW, kernels: 0)
            denseSelFlops += 0.5 * 2 * T * denseWeights
        }
        dense.selectiveRecompute = denseSel
        dense.selectiveRecomputeFlops = denseSelFlops

        // ---- MoE layer ----
        var moe = LayerTime()
        if isMoE {
            // Token copies of the busiest rank: each local token's top-k copies, gathered over
            // the expert-TP group (every etp rank computes all of the group's tokens on 1/etp
            // of each expert's width), times the load of the busiest rank (padding to capacity
            // or router imbalance, `FrameworkProfile.moeRankLoadFactor`).
            let copies = topK * Tsp * c.etp * fw.moeRankLoadFactor
            let localExperts = max(experts / c.ep, 1)
            let rows = copies / localExperts
            let fe = expertFFN / c.etp
            // The experts read and write `eh` values per token: the hidden size, or the LatentMoE
            // latent, whose two projections (h → latent before the dispatch, back after the
            // combine) run on every local token (`MoESpec.latentSize`).
            let eh = expertHidden
            let router = r.gemm(Tsp, experts, h, fp8: false)
            let latent = moeLatent > 0
                ? r.gemm(Tsp, moeLatent, h, fp8: f8) + r.gemm(Tsp, h, moeLatent, fp8: f8) : 0
            // Grouped GEMMs over the local experts at the rate their tokens per expert allow
            // (`ExpertPhysics.groupedSaturation`, SimuMax B200 table): forward and data
            // gradient on one curve, the weight gradient (reduction over the tokens) on its own.
            let satF = ExpertPhysics.groupedSaturation(tokens: rows, halfTokens: efficiency.groupedGemmHalfTokens)
            let satW = ExpertPhysics.groupedSaturation(tokens: rows, halfTokens: efficiency.groupedGemmWgradHalfTokens)
            // The MoE half is captured in a CUDA graph only when nothing in it waits for the
            // host (`FrameworkProfile.moeGraphCaptured`).
            let graphed = fw.moeGraphCaptured
            // Launch floor of the expert GEMMs (`FrameworkProfile.expertGEMMLaunch`): per expert
            // from the host, per expert from a graph or TE's op fuser, or one grouped kernel.
            let launch = fw.expertGEMMLaunch
            let e1 = r.expertGEMM(experts: localExperts, rows: rows, fc1Factor * fe, eh, fp8: f8, saturation: satF, launch: launch)
            let e2 = r.expertGEMM(experts: localExperts, rows: rows, eh, fe, fp8: f8, saturation: satF, launch: launch)
            let e1W = r.expertGEMM(experts: localExperts, rows: rows, fc1Factor * fe, eh, fp8: f8, saturation: satW, launch: launch)
            let e2W = r.expertGEMM(experts: localExperts, rows: rows, eh, fe, fp8: f8, saturation: satW, launch: launch)
            let expertLaunches = f8 ? 12 * localExperts * r.kernelFloor : 0
            var shared = 0.0, sharedFC1 = 0.0, sharedEW = 0.0, sharedCastF = 0.0, sharedCastB = 0.0
            if sharedFFN > 0 {
                sharedFC1 = r.gemm(T, fc1Factor * sharedFFN / t, h, fp8: f8)
                shared = sharedFC1 + r.gemm(T, h, sharedFFN / t, fp8: f8)
                sharedEW = T * sharedFFN / t * (gated ? 6 : 4)
                sharedCastF = cast * (Tsp * h + T * sharedFFN / t)
                sharedCastB = cast * (T * fc1Factor * sharedFFN / t + T * h)
            }
            // Routing: fp32 scores, top-k, aux-loss statistics (≈ 16 bytes per score);
            // permute and unpermute copy every token copy once each way.
            var routing = Tsp * experts * 16 + 2 * (Tsp * eh * 2 + copies * eh * 2)
            // After the dispatch all-to-all the copies arrive grouped by source rank; with
            // several local experts they are regrouped by expert for the grouped GEMM and put
            // back in rank order before the combine (Megatron-Core MoEAlltoAllTokenDispatcher:
            // `sort_chunks_by_idxs(..., sort_input_by_local_experts)` /
            // `restore_output_by_local_experts`, or the drop-and-pad transpose().contiguous()):
            // two more read+write passes over the copies.
            if c.ep > 1 && localExperts > 1 { routing += 2 * 2 * copies * eh * 2 }
            let expertAct = copies * fe * (gated ? 6 : 4)
            // Eager expert epilogue (`FrameworkProfile.eagerExpertEpilogue`), bytes per copy.
            // The per-expert FC2 bias `t + b·p` with the fp32 probability: b·p written and read
            // in fp32 (8·eh), t read (2·eh), the fp32 sum written (4·eh), concatenated (8·eh)
            // and cast back (6·eh): 28·eh forward; the backward casts the gradient through fp32
            // and reduces the bias and probability gradients (≈ 20·eh). The clamp: two clamps
            // each reading and writing half the FC1 output (4·fe each), their concatenation
            // (8·fe): 16·fe forward; the backward splits the gradient and masks it (≈ 20·fe).
            var epilogueF = 0.0, epilogueB = 0.0, epilogueOps = 0.0
            if fw.eagerExpertEpilogue {
                if expertBias {
                    epilogueF += 28 * eh
                    epilogueB += 20 * eh
                    epilogueOps += 2 * localExperts + 2          // mul and add per expert, cat, cast
                }
                if clampedGLU {
                    epilogueF += 16 * fe
                    epilogueB += 20 * fe
                    epilogueOps += 3
                }
            }
            let epilogueForward = r.memoryBound(copies * epilogueF, kernels: 0)
            let epilogueBackward = r.memoryBound(copies * epilogueB, kernels: 0)
            let expertCastF = cast * (copies * eh + copies * fe) + (moeLatent > 0 ? cast * Tsp * (h + moeLatent) : 0)
            let expertCastB = cast * (copies * fc1Factor * fe + copies * eh) + (moeLatent > 0 ? cast * Tsp * (moeLatent + h) : 0)
            let moeEW = (common + routing + expertAct + sharedEW) * scale + attnCastF + expertCastF + sharedCastF
            let moeEWB = 2 * (common + routing + expertAct + sharedEW) * scale + attnCastB + expertCastB + sharedCastB
            let expertWeights = localExperts * expertParams / c.etp
            let moeWeights = attnWeights + expertWeights + sharedExpertParams / t + routerParams + moeLatentParams
            let gemms = attnGEMM + router + shared + latent
            let moeDequant = r.memoryBound(dequant * moeWeights, kernels: 0)
            moe.forward = gemms + e1 + e2 + attnF + stateF + r.memoryBound(moeEW, kernels: 0) + epilogueForward
                + moeAdapterF + moeDequant
            // Backward: data gradients at the forward rate, weight gradients at theirs (none for
            // a frozen base).
            moe.backward = (1 + wgrad) * gemms + (e1 + e2) + wgrad * (e1W + e2W) + attnB + stateB + epilogueBackward
                + r.memoryBound(moeEWB + gradRMW * moeWeights, kernels: 0) + expertLaunches
                + 2 * moeAdapterF + moeDequant
            moe.attentionForward = attnF
            moe.attentionBackward = attnB
            moe.columnParallelGEMM = column + sharedFC1
            moe.mlpColumnParallelGEMM = sharedFC1
            moe.rowParallelGEMM = row
            // Host operations: the attention half as in a dense layer (capturable by CUDA
            // graphs); the MoE half — router and aux-loss bookkeeping (~20), token dispatcher with
            // its all-to-alls and permutations (~20), per-expert GEMM launches and, in FP8, per-
            // expert quantisation (Megatron-Core moe/experts.py TEGroupedMLP), activation, shared
            // experts — stays eager unless the whole MoE half is graph-captured (`moeGraphCaptured`).
            let attnOps = 2.5 * (12 + attnKernels + (f8 ? 2 : 0))
            let expertOps = launch == .single ? (f8 ? 6 : 3) : (f8 ? 3 : 2) * localExperts
            let moeOps = 2.5 * (40 + expertOps + 2 + (sharedFFN > 0 ? 6 : 0) + (moeLatent > 0 ? 2 : 0)
                                + epilogueOps)
            moe.host = attnOps * fw.hostSecondsPerOp * fw.hostOpScale
                + moeOps * fw.hostSecondsPerOp * (graphed ? fw.hostOpScale : 1)
            if fw.moeHostSync {
                // The dispatcher's host sync drains the launch queue once per forward: the
                // eager MoE half that follows (dispatch, permutation, per-expert GEMMs and
                // casts, combine) runs only as fast as the host issues it until its GPU work
                // lets the host get ahead again (`ExpertPhysics.hostSyncStall`). Forward is 1
                // of the 2.5 units the op counts above hold.
                let expertForward = e1 + e2 + shared + epilogueForward
                    + r.memoryBound((routing + expertAct + sharedEW) * scale + expertCastF + sharedCastF, kernels: 0)
                moe.hostStall = ExpertPhysics.hostSyncStall(
                    kernelsAfterSync: moeOps / 2.5, hostSecondsPerKernel: fw.hostSecondsPerOp,
                    gpuAfterSync: expertForward, roundTrip: efficiency.hostSyncRoundTripSeconds)
            }
            var moeSel = sel, moeSelFlops = selFlops
            if mods.contains(.moeActivation) { moeSel += r.memoryBound(expertAct * scale, kernels: 1) }
            if mods.contains(.moe) {
                moeSel += router + latent + e1 + e2 + moe.hostStall + shared + r.memoryBound((routing + expertAct + sharedEW) * scale, kernels: 0)
                moeSelFlops += 2 * copies * expertParams / c.etp + 2 * Tsp * moeLatentParams
            } else if mods.contains(.sharedExperts) {
                moeSel += shared
            }
            moe.selectiveRecompute = moeSel
            moe.selectiveRecomputeFlops = moeSelFlops
        }
        if fw.deterministicFill {
            // Deterministic mode NaN-fills each freshly allocated output (see
            // `FrameworkProfile.deterministicFill`): forward, the tensors a layer produces — about
            // what it stores for the backward without recomputation (Korthikanti et al. 2022) —
            // and backward their gradients, the same bytes again.
            let a = layerActivations(c, framework: fw)
            dense.forward += r.memoryBound(a.dense.full, kernels: 0)
            dense.backward += r.memoryBound(a.dense.full, kernels: 0)
            moe.forward += r.memoryBound(a.moe.full, kernels: 0)
            moe.backward += r.memoryBound(a.moe.full, kernels: 0)
        }
        return (dense, moe)
    }

    /// Forward and backward time of the pre- and post-processing of one micro-batch: the
    /// embedding lookup on the first stage, the final norm, output layer and loss on the last.
    func endTimes(_ c: PlanContext, framework fw: FrameworkProfile) -> (first: (Double, Double), last: (Double, Double)) {
        let r = rates
        let T = c.tokens, Tsp = c.tokensSP, h = hidden
        let vShard = c.paddedVocab / c.tp
        // Embedding: gather forward; backward builds a dense bf16 gradient (zero-fill +
        // index_add) and accumulates it into the fp32 main grad.
        let embF = r.memoryBound(Tsp * h * 2 * 2, kernels: 2)
        // A frozen base (LoRA/QLoRA) keeps no embedding gradient and no output-layer weight
        // gradient.
        let frozen = adapters.freezesBase
        let embB = frozen ? 0 : r.memoryBound(vShard * h * (2 + 2 + 2 * gradBufferBytes) + T * h * 2, kernels: 3)
        // Output layer in 16-bit (Megatron's output_layer and torchao's default filter keep it
        // out of FP8), the vocab-parallel cross entropy over fp32 logits.
        let head = r.gemm(T, vShard, h, fp8: false)
        let logits = T * vShard * fw.logitsBytesPerElement
        // Deterministic mode NaN-fills the new logits tensors forward and their gradient
        // backward (`FrameworkProfile.deterministicFill`): one more write of each.
        let fill = fw.deterministicFill ? logits : 0
        let lastF = head + r.memoryBound(Tsp * h * 4 + 2 * logits + fill, kernels: 6)
        let lastB = (frozen ? 1 : 2) * head
            + r.memoryBound(logits + fill + (frozen ? 0 : h * vShard * 2 * gradBufferBytes), kernels: 4)
        return ((embF, embB), (lastF, lastB))
    }
}
