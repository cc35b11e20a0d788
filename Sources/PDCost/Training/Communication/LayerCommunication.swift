/// Tensor-, context- and expert-parallel communication of one layer for one micro-batch
/// (forward + backward), split into exposed and overlapped time.
///
/// - TP without SP: two all-reduces of the s·b·h activation forward (after the attention and
///   MLP output projections) and two backward (Shoeybi et al. 2019, Fig. 3: f/g operators).
/// - TP with SP: each all-reduce becomes an all-gather before the column-parallel GEMM and a
///   reduce-scatter after the row-parallel one (Korthikanti et al. 2022 §4.2.2). Backward: the
///   row-parallel output gradient is all-gathered, the column-parallel input gradient
///   reduce-scattered, and the saved SP-sharded input re-gathered for the weight gradient.
///   Megatron overlaps that re-gather with the data-gradient GEMM and the input-gradient
///   reduce-scatter with the weight-gradient GEMM (tensor_parallel/layers.py,
///   LinearWithGradAccumulationAndAsyncCommunication); the forward collectives are exposed
///   unless TP communication overlap (TE userbuffers / AsyncTP) pipelines them with the GEMMs.
///   With FP8, the gathered GEMM inputs travel in FP8 (TE casts before the all-gather).
/// - CP: ring exchange of the local K and V (backward: K, V and their gradients) in cp−1 steps,
///   each overlapped with the attention of the previous block (Liu et al. 2023, Ring
///   Attention; Megatron-Core context parallelism); PyTorch's experimental CP (torchtitan)
///   all-gathers K/V once per pass instead and overlaps it with the local block only.
/// - EP: all-to-all dispatch and combine of the routed token copies forward, and again
///   backward (Lepikhin et al. 2020, GShard §2.2).
struct LayerCommunication {
    var tp = CommunicationTime()
    /// Exposed forward TP time, repeated when the layer is recomputed.
    var tpForwardExposed: Double = 0
    var cp = CommunicationTime()
    var cpForwardExposed: Double = 0
    var ep = CommunicationTime()
    var epForwardExposed: Double = 0
    var exposed: Double { tp.exposed + cp.exposed + ep.exposed }
    var forwardExposed: Double { tpForwardExposed + cpForwardExposed + epForwardExposed }
}

extension Workload {
    func layerCommunication(_ c: PlanContext, framework fw: FrameworkProfile,
                            dense dt: LayerTime, moe mt: LayerTime)
        -> (dense: LayerCommunication, moe: LayerCommunication) {
        let n = net, t = c.tp, T = c.tokens, h = hidden
        var dense = LayerCommunication(), moe = LayerCommunication()
        let exposedFraction = fw.tpCommOverlap ? (fw.tpOverlapExposedShare ?? efficiency.tpOverlapExposedFraction) : 1

        if t > 1 {
            let S = T * h * 2
            let inputBytes: Double = fp8 ? 1 : 2
            let attnIn = isMLA ? T * (qLoraRank + kvLoraRank + qkRopeDim) * inputBytes : T * h * inputBytes
            let mlpIn = T * h * inputBytes
            let g = c.tpPerNode
            func ag(_ x: Double) -> Double { n.allGather(bytes: x, ranks: t, perNode: g) }
            func ar(_ x: Double) -> Double { n.allReduce(bytes: x, ranks: t, perNode: g) }
            let rsS = ag(S), agS = rsS
            let asyncBackward = fw.kind != .torchtitan

            // Each linear's backward collective hides only behind that linear's own GEMMs
            // (the async handle is waited for before the next module's backward starts: TE
            // linear.py / layernorm_linear.py `_Linear.backward`), so the attention and MLP
            // halves are overlapped separately.
            func tpComm(hasMLP: Bool, lt: LayerTime, exposedShare: Double) -> (CommunicationTime, Double) {
                var fwd: Double, bwdExposed: Double, bwdTotal: Double
                let mlpScale: Double = hasMLP ? 1 : 0
                let mlpColumn = hasMLP ? lt.mlpColumnParallelGEMM : 0
                let attnColumn = max(0, lt.columnParallelGEMM - lt.mlpColumnParallelGEMM)
                if c.sp {
                    fwd = ag(attnIn) + rsS + mlpScale * (ag(mlpIn) + rsS)
                    let rowGrad = agS * (1 + mlpScale)
                    let dgradRS = rsS * (1 + mlpScale)
                    let regather = ag(attnIn) + mlpScale * ag(mlpIn)
                    bwdTotal = rowGrad + dgradRS + regather
                    bwdExposed = asyncBackward
                        ? rowGrad + max(0, rsS - attnColumn) + max(0, ag(attnIn) - attnColumn)
                            + mlpScale * (max(0, rsS - mlpColumn) + max(0, ag(mlpIn) - mlpColumn))
                        : bwdTotal
                } else {
                    fwd = ar(S) * (1 + mlpScale)
                    bwdTotal = fwd
                    bwdExposed = asyncBackward
                        ? max(0, ar(S) - attnColumn) + mlpScale * max(0, ar(S) - mlpColumn)
                        : bwdTotal
                }
                let total = fwd + bwdTotal
                let exposed = (fwd + bwdExposed) * exposedShare
                return (CommunicationTime(exposed: exposed, overlapped: total - exposed), fwd * exposedShare)
            }
            let d = tpComm(hasMLP: true, lt: dt, exposedShare: exposedFraction)
            dense.tp = d.0
            dense.tpForwardExposed = d.1
            if isMoE {
                // Routed experts with etp = 1 take the SP-sharded tokens straight to the
                // all-to-all; only shared experts need the TP gather/scatter.
                let m = tpComm(hasMLP: sharedFFN > 0, lt: mt, exposedShare: exposedFraction)
                moe.tp = m.0
                moe.tpForwardExposed = m.1
            }
        }

        if c.cp > 1 {
            // Replicated KV heads travel on every rank; a model that repeats K/V to the query
            // heads before the attention call sends the repeated tensors.
            let kvOnWire = attentionRepeatsOrKV(fw, t)
            let kWidth = kvOnWire * qkHeadDim
            let vWidth = kvOnWire * vHeadDim
            let kv = T * (kWidth + vWidth) / t * 2
            let across = c.cpPerNode < c.cp
            let steps = c.cp - 1
            let allGather = fw.contextParallelImplementation == .torchAllGather
            // TE P2P: each block's K/V (backward: K/V and dK/dV) goes to the next rank while
            // the current block computes. PyTorch allgather: one all-gather of every rank's
            // K/V (again in the backward), waited for after the local block; the fp32 dK/dV
            // accumulators (2·kv bytes) go to the next rank after every block, each waited for
            // after the next block's backward — and the last, which brings each rank's dK/dV
            // home, after the loop with nothing left to hide it
            // (torch/distributed/tensor/experimental/_attention.py,
            // `_templated_ring_attention_backward`: `dkv_rotater.next_buffer()` after the loop).
            let gather = allGather ? n.allGather(bytes: kv * c.cp, ranks: c.cp, perNode: c.cpPerNode) : 0
            let dkv = n.sendRecv(bytes: 2 * kv, acrossNodes: across)
            let fwd = allGather ? gather : steps * n.sendRecv(bytes: kv, acrossNodes: across)
            let bwd = allGather ? gather + c.cp * dkv : steps * dkv
            for which in 0..<2 {
                let lt = which == 0 ? dt : mt
                var fExp: Double, bExp: Double
                if allGather {
                    let blockF = lt.attentionForward / c.cp, blockB = lt.attentionBackward / c.cp
                    fExp = max(0, gather - blockF)
                    bExp = max(0, gather - blockB) + steps * max(0, dkv - blockB) + dkv
                } else {
                    fExp = max(0, fwd - lt.attentionForward * steps / c.cp)
                    bExp = max(0, bwd - lt.attentionBackward * steps / c.cp)
                }
                let comm = CommunicationTime(exposed: fExp + bExp, overlapped: fwd + bwd - fExp - bExp)
                if which == 0 { dense.cp = comm; dense.cpForwardExposed = fExp }
                else { moe.cp = comm; moe.cpForwardExposed = fExp }
            }
        }

        if isMoE && (c.ep > 1 || c.etp > 1) {
            // One dispatch or combine of the busiest rank's tokens (bf16 on the wire), at the
            // experts' width (LatentMoE dispatches the latent, `MoESpec.latentSize`).
            let tokenBytes = c.tokensSP * expertHidden * 2 * fw.moeRankLoadFactor
            var a2a = 0.0
            if c.ep > 1 {
                if fw.moeDispatcher.isHierarchical {
                    a2a = hierarchicalDispatch(c, tokenBytes: tokenBytes)
                } else {
                    // Megatron-Core alltoall/allgather: every routed copy travels.
                    a2a = n.allToAll(bytesPerRank: topK * tokenBytes, ranks: c.ep, perNode: c.epPerNode)
                }
            }
            if c.etp > 1 {
                // Expert tensor parallelism: the dispatched copies are all-gathered over the
                // etp group before the experts and reduce-scattered after them (Megatron-Core
                // token_dispatcher.py, `gather_from_sequence_parallel_region` over the expert
                // TP group, and its reduce-scatter in the combine).
                let g = net.membersPerNode(ranks: c.etp, stride: 1)
                a2a += n.allGather(bytes: topK * tokenBytes * c.etp, ranks: c.etp, perNode: g)
            }
            // Dispatch and combine forward, and their transposes backward.
            let forwardA2A = 2 * a2a, backwardA2A = 2 * a2a
            var forwardExposed = forwardA2A, backwardExposed = backwardA2A
            if fw.overlapExpertComm {
                // Megatron-Core's combined 1F1B (`overlap_moe_expert_parallel_comm`, "Combined
                // 1F1B: Expert-Parallel All-to-All Overlap"): the forward of one micro-batch
                // and the backward of another run layer by layer together, each one's
                // all-to-alls on a communication stream under the other's compute. A pair hides
                // at most its partner's compute: the forward's dispatch and combine under the
                // partner layer's backward, the backward's under its forward. Passes without a
                // partner — the pipeline warm-up (rank 0 of Megatron-Core's interleaved
                // schedule: (pp − 1)·2 + (vpp − 1)·pp forward passes; the first micro-batch
                // without a pipeline) and as many cool-down backwards — hide nothing; so does
                // a pipeline without interleaving, where Megatron-Core does not run it
                // (it needs the interleaved 1F1B schedule when pp > 1).
                let passes = max(c.microBatches * c.vpp, 1)
                let warmup = c.pp > 1 ? (c.pp - 1) * 2 + (c.vpp - 1) * c.pp : 1
                let unpaired = c.pp > 1 && c.vpp <= 1 ? 1 : min(warmup / passes, 1)
                forwardExposed = unpaired * forwardA2A + (1 - unpaired) * max(0, forwardA2A - mt.backward)
                backwardExposed = unpaired * backwardA2A + (1 - unpaired) * max(0, backwardA2A - mt.forward)
            }
            let total = forwardA2A + backwardA2A, exposed = forwardExposed + backwardExposed
            moe.ep = CommunicationTime(exposed: exposed, overlapped: total - exposed)
            moe.epForwardExposed = forwardExposed
        }
        return (dense, moe)
    }

    /// One dispatch (or combine) by a hierarchical dispatcher, DeepEP normal kernels or
    /// HybridEP: each token goes once to every node holding one of its experts, over RDMA to
    /// the GPU of the same local index, which forwards it over NVLink to the token's GPUs in
    /// that node (deepseek-ai/DeepEP README.md, "Normal kernels with NVLink and RDMA
    /// forwarding"). Per rank: network bytes = token bytes × distinct remote nodes; NVLink
    /// bytes = token bytes × (distinct GPUs in its own node other than itself + forwarded
    /// copies of what arrives from other nodes). The two legs pipeline, so the slower paces it.
    /// Expectations over routing from `ExpertPhysics.expectedDistinctBuckets` (balanced router,
    /// group-limited when the model says so: DeepSeek-V3's 4 of 8 groups reach at most 4 nodes).
    func hierarchicalDispatch(_ c: PlanContext, tokenBytes: Double) -> Double {
        let ep = c.ep, g = max(min(c.epPerNode, ep), 1)
        let nodes = max((ep / g).rounded(.up), 1)
        let gpus = ExpertPhysics.expectedDistinctBuckets(topK: topK, experts: experts, buckets: ep,
                                                         groups: routerGroups, groupsPerToken: routerGroupsPerToken)
        let remoteNodes = nodes > 1
            ? ExpertPhysics.expectedDistinctBuckets(topK: topK, experts: experts, buckets: nodes, groups: routerGroups,
                                                    groupsPerToken: routerGroupsPerToken) * (nodes - 1) / nodes
            : 0
        // Touched GPUs: (g − 1)/ep of them in the own node besides this one; those in other
        // nodes arrive by RDMA at one GPU per node, which forwards to the other (g − 1)/g.
        let nvlinkCopies = gpus * (g - 1) / ep + gpus * (ep - g) / ep * (g - 1) / g
        let nvlink = tokenBytes * nvlinkCopies / dispatchNVLinkBandwidth
        let network = tokenBytes * remoteNodes / net.networkBandwidth
        let latency = (nodes > 1 ? net.networkStepLatency : 0) + net.nvlinkStepLatency + net.callLatency
        return max(nvlink, network) + latency
    }
}
