/// Data-parallel communication of one step: gradient reduction and parameter gathers, with the
/// part each framework hides under computation.
///
/// - ZeRO-0 / DDP: all-reduce of the gradients over dp·cp (PyTorch DDP; Li et al. 2020).
/// - ZeRO-1 / Megatron distributed optimizer: reduce-scatter of the gradients and all-gather of
///   the updated bf16 parameters (Rajbhandari et al. 2020 §5.1: same volume as an all-reduce).
///   With `overlap_grad_reduce`, buckets of the last micro-batch's backward reduce while
///   earlier layers still compute; the last bucket stays exposed. With
///   `overlap_param_gather`, the gathers run under the next step's first forward.
///   Megatron buckets hold max(40 M, 1 M·dp) parameters (distributed/
///   distributed_data_parallel.py).
/// - ZeRO-2 (DeepSpeed): gradients reduce-scattered every micro-batch.
/// - ZeRO-3 / FSDP: each layer's parameters are gathered before its forward (and again before
///   its backward when they are resharded) and its gradients reduce-scattered after its
///   backward, prefetched one layer ahead (Zhao et al. 2023, "PyTorch FSDP", §3.3).
/// Expert parameters reduce over the expert-data-parallel group instead of dp·cp.
struct DataParallelTimes {
    var comm = CommunicationTime()
}

extension Workload {
    /// - Parameters:
    ///   - stage: parameters of the critical (first) stage on one GPU.
    ///   - layers: decoder layers of that stage.
    ///   - forward/backward: that stage's compute per micro-batch.
    func dataParallel(_ c: PlanContext, framework fw: FrameworkProfile, stage: StageParameters,
                      layers: Double, forward: Double, backward: Double) -> CommunicationTime {
        let n = net
        let group = fw.shardsOverContextParallel ? c.denseShardGroup : c.dp
        let g = c.dpPerNode
        let m = c.microBatches
        // DDP over resident weights (torch.optim on fp32 parameters) all-reduces `.grad` in
        // its own dtype (DDP buckets take the parameter dtype); FSDP and DeepSpeed reduce in
        // their reduce dtype.
        let resident = fw.residentWeightBytes(zeroStage: c.zeroStage, fsdp: c.fsdpWrapped)
        let gradBytes: Double = if let r = resident, !c.fsdp { Double(r) } else { gradReduceBytes }
        if group <= 1 && c.edp <= 1 { return CommunicationTime() }

        // A frozen base (LoRA/QLoRA) reduces and updates only its adapters; FSDP still
        // gathers the base weights for compute.
        let frozen = adapters.freezesBase
        if c.fsdp {
            // Per layer: gather bf16 weights, reduce-scatter gradients in the reduce dtype.
            let layerParams = stage.largestLayer
            let layerGrads = frozen ? stage.adapters / max(layers, 1) : layerParams
            let agLayer = n.allGather(bytes: layerParams * paramBytes, ranks: group, perNode: g)
            let rsLayer = n.reduceScatter(bytes: layerGrads * gradBytes, ranks: group, perNode: g)
            let perLayerF = forward / max(layers, 1)
            let perLayerB = backward / max(layers, 1)
            // With pipelining torchtitan does not reshard after forward and reduces once per
            // step; otherwise every micro-batch gathers twice and reduces once.
            let reshard = c.pp <= 1
            let gathersPerMB: Double = reshard ? 2 : 0
            var total: Double
            var exposed: Double
            if reshard {
                // A deferred reduction (`fsdpDefersGradientSync`) reduce-scatters in the last
                // micro-batch only; the others gather and compute.
                let synced = fw.fsdpDefersGradientSync ? min(m, 1) : m
                let fExp = max(0, agLayer - perLayerF)
                let bExp = max(0, agLayer + rsLayer - perLayerB)
                let bExpNoSync = max(0, agLayer - perLayerB)
                total = m * layers * gathersPerMB * agLayer + synced * layers * rsLayer
                exposed = m * (layers * fExp + agLayer) + layers * (synced * bExp + (m - synced) * bExpNoSync)
                    + synced * rsLayer
            } else {
                let ag = layers * agLayer, rs = layers * rsLayer
                total = ag + rs
                exposed = max(0, ag - forward) + agLayer + max(0, rs - backward) + rsLayer
            }
            // Embedding / output layer shards.
            let ends = stage.total - layers * stage.largestLayer
            if ends > 0 {
                let e = n.allGather(bytes: ends * paramBytes, ranks: group, perNode: g)
                    + (frozen ? 0 : n.reduceScatter(bytes: ends * gradBytes, ranks: group, perNode: g))
                total += e
                exposed += e
            }
            exposed = min(exposed, total)
            return CommunicationTime(exposed: exposed, overlapped: total - exposed)
        }

        // Dense and expert gradient volumes (bytes) and parameter-gather volumes.
        let denseTrained = frozen ? stage.adapters : stage.dense
        let expertTrained = frozen ? 0 : stage.expert
        let denseGrad = denseTrained * gradBytes
        let expertGrad = expertTrained * gradBytes
        var reduce: Double, gather = 0.0
        if c.zeroStage == 0 {
            reduce = n.allReduce(bytes: denseGrad, ranks: group, perNode: g)
                + n.allReduce(bytes: expertGrad, ranks: c.edp, perNode: c.edpPerNode)
        } else {
            reduce = n.reduceScatter(bytes: denseGrad, ranks: group, perNode: g)
                + n.reduceScatter(bytes: expertGrad, ranks: c.edp, perNode: c.edpPerNode)
            gather = n.allGather(bytes: denseTrained * paramBytes, ranks: group, perNode: g)
                + n.allGather(bytes: expertTrained * paramBytes, ranks: c.edp, perNode: c.edpPerNode)
        }
        if c.zeroStage == 2 {
            // Reduced every micro-batch, overlapped with that micro-batch's backward.
            let total = m * reduce + gather
            let exposed = m * max(0, reduce - backward) + gather
            return CommunicationTime(exposed: exposed, overlapped: total - exposed)
        }
        let bucket = max(40e6, 1e6 * group)
        let buckets = max(((denseTrained + expertTrained) / bucket).rounded(.up), 1)
        let reduceExposed = fw.overlapGradReduce ? max(0, reduce - backward) + reduce / buckets : reduce
        let gatherExposed = fw.overlapParamGather ? max(0, gather - forward) + gather / buckets : gather
        let total = reduce + gather
        let exposed = min(reduceExposed + gatherExposed, total)
        return CommunicationTime(exposed: exposed, overlapped: total - exposed)
    }
}
