/// The training cost model of one (model, cluster, setup): built once, then `evaluate` prices
/// any parallel plan with arithmetic on precomputed values — no allocation, no throwing, no
/// transcendental functions — so a plan search can call it millions of times.
///
/// `evaluate` assumes a plan that passed `ParallelPlan.validate(model:cluster:setup:)`; an
/// invalid plan yields meaningless numbers but never traps.
public struct CostModel: Sendable {
    public let model: ModelSpec
    public let cluster: Cluster
    public let setup: TrainingSetup
    let w: Workload
    /// `setup.pricedFramework`, resolved once: the hot path reads it without rebuilding it.
    let fw: FrameworkProfile

    /// Validates the inputs and precomputes everything that does not depend on the plan.
    public init(model: ModelSpec, cluster: Cluster, setup: TrainingSetup) throws(PDCostError) {
        let cluster = try cluster.validated()
        let model = try model.validated()
        // Everything no plan can change is checked here, so a setup that every later
        // `predict` would reject is refused at creation (TrainingSetup+Validation.swift).
        let setup = try setup.validated(for: model)
        if setup.dtype == .fp8 && cluster.gpu.fp8Flops <= 0 {
            throw .unsupported("dtype=fp8 needs FP8 tensor cores; \(cluster.gpu.name) has none")
        }
        if setup.dtype == .fp32 && cluster.gpu.fp32Flops <= 0 {
            throw .invalidArgument("dtype=fp32 needs the GPU's FP32 peak; \(cluster.gpu.name) has gpu.fp32_flops=0")
        }
        if setup.dtype == .bf16 && cluster.gpu.bf16Flops <= 0 {
            throw .unsupported("dtype=bf16 is not supported by \(cluster.gpu.name) (no BF16 tensor cores)")
        }
        self.model = model
        self.cluster = cluster
        self.setup = setup
        self.w = Workload(model: model, cluster: cluster, setup: setup)
        self.fw = setup.pricedFramework
    }

    /// Prices a plan with the setup's micro-batch size, recomputation and offload ratio.
    public func evaluate(_ plan: ParallelPlan) -> Prediction {
        evaluate(plan, microBatchSize: setup.microBatchSize, recompute: setup.recompute,
                 optimizerOffloadRatio: setup.optimizerOffloadRatio)
    }

    /// Prices a plan with per-call training knobs (what a plan search varies besides the split).
    public func evaluate(_ plan: ParallelPlan, microBatchSize: Int, recompute: Recompute,
                         optimizerOffloadRatio: Double) -> Prediction {
        let c = context(plan, microBatchSize: microBatchSize, recompute: recompute,
                        optimizerOffloadRatio: optimizerOffloadRatio)
        let e = w.efficiency
        var p = Prediction()
        p.microBatches = c.microBatches

        // ---- Per-layer work for one micro-batch ----
        let times = w.layerTimes(c, framework: fw)
        let comm = w.layerCommunication(c, framework: fw, dense: times.dense, moe: times.moe)
        let ends = w.endTimes(c, framework: fw)
        let chunkLayers = max(c.layersMiddle / c.vpp, 1)
        // Fraction of layers fully recomputed (Megatron block method: N per model chunk).
        var recomputed = 0.0
        if recompute.granularity == .full {
            recomputed = recompute.numLayers.map { min(Double(max($0, 0)) / chunkLayers, 1) } ?? 1
        }

        // Selective recomputation of the whole MoE block (`moe`) re-runs its dispatch and combine
        // too: Megatron-Core checkpoints MoELayer.forward from routing through the combine
        // (core_v0.17.1 transformer/moe/moe_layer.py, `moe_layer_recompute`).
        let moeCommRecomputed = recompute.granularity == .selective && recompute.modules.contains(.moe)
        func layerStep(_ lt: LayerTime, _ lc: LayerCommunication) -> (time: Double, recompute: Double) {
            let extra = recomputed * (lt.forward + lc.forwardExposed + lt.hostStall) + lt.selectiveRecompute
                + (moeCommRecomputed ? lc.epForwardExposed : 0)
            let gpu = lt.forward + lt.backward + extra + lc.exposed + lt.hostStall
            let host = lt.host * (1 + recomputed)
            return (max(gpu, host), extra)
        }
        let dStep = layerStep(times.dense, comm.dense)
        let mStep = layerStep(times.moe, comm.moe)

        // ---- Stages ----
        func mix(_ layers: Double, first: Bool) -> (dense: Double, moe: Double) {
            if !w.isMoE { return (layers, 0) }
            let leading = first ? min(w.leadingDenseLayers, layers) : 0
            let moe = max(min(layers - leading, (w.moeLayers / c.pp).rounded(.up)), 0)
            return (layers - moe, moe)
        }
        let mixFirst = mix(c.layersFirst, first: true)
        let mixMiddle = mix(c.layersMiddle, first: false)
        var mixLast = mix(c.layersLast, first: c.pp <= 1)
        // MTP blocks (DeepSeek-V3 §2.2) sit on the last stage: one transformer block each (MoE
        // in V3), plus its own output-layer pass and loss.
        if w.mtpLayers > 0 {
            if w.isMoE { mixLast.moe += w.mtpLayers } else { mixLast.dense += w.mtpLayers }
        }
        var mixSingle = mixFirst
        if c.pp <= 1 && w.mtpLayers > 0 {
            if w.isMoE { mixSingle.moe += w.mtpLayers } else { mixSingle.dense += w.mtpLayers }
        }

        // Pipeline send/recv of the (SP-sharded) boundary activation, each way per chunk.
        var ppExposedPerMB = 0.0, ppExposedOnce = 0.0, ppTotal = 0.0
        if c.pp > 1 {
            let bytes = c.tokensSP * w.hidden * 2
            let p2p = w.net.sendRecv(bytes: bytes, acrossNodes: c.ppAcrossNodes)
            ppTotal = 2 * c.microBatches * c.vpp * p2p
            if fw.overlapP2P && c.vpp > 1 {
                ppExposedOnce = 2 * (c.pp - 1) * p2p
            } else {
                ppExposedPerMB = 2 * c.vpp * p2p
                ppExposedOnce = 2 * (c.pp - 1) * p2p
            }
        }

        func stageTime(_ mx: (dense: Double, moe: Double), first: Bool, last: Bool) -> Double {
            var t = mx.dense * dStep.time + mx.moe * mStep.time + ppExposedPerMB
            if first { t += ends.first.0 + ends.first.1 }
            if last { t += (1 + w.mtpLayers) * (ends.last.0 + ends.last.1) }
            return t
        }
        let single = c.pp <= 1
        let tFirst = stageTime(single ? mixSingle : mixFirst, first: true, last: single)
        let tMiddle = single ? tFirst : stageTime(mixMiddle, first: false, last: false)
        let tLast = single ? tFirst : stageTime(mixLast, first: false, last: true)
        let pipe = PipelineSchedule.step(first: tFirst, middle: tMiddle, last: tLast, stages: c.pp,
                                         virtualStages: c.vpp, microBatches: c.microBatches)

        // Communication totals over the step (critical stage: the first).
        let m = c.microBatches
        let layersDense = mixFirst.dense, layersMoE = mixFirst.moe
        func scaled(_ x: CommunicationTime, _ k: Double) -> CommunicationTime {
            CommunicationTime(exposed: x.exposed * k, overlapped: x.overlapped * k)
        }
        func add(_ a: CommunicationTime, _ b: CommunicationTime) -> CommunicationTime {
            CommunicationTime(exposed: a.exposed + b.exposed, overlapped: a.overlapped + b.overlapped)
        }
        p.tensorParallelComm = add(scaled(comm.dense.tp, m * layersDense), scaled(comm.moe.tp, m * layersMoE))
        p.contextParallelComm = add(scaled(comm.dense.cp, m * layersDense), scaled(comm.moe.cp, m * layersMoE))
        p.expertParallelComm = scaled(comm.moe.ep, m * layersMoE)
        p.pipelineComm = CommunicationTime(exposed: ppExposedPerMB * m + ppExposedOnce,
                                           overlapped: max(ppTotal - ppExposedPerMB * m - ppExposedOnce, 0))

        // ---- Data parallel, optimizer, offload ----
        let stageFirst = w.stageParameters(c, layers: c.layersFirst, first: true, last: single)
        var stageLast = w.stageParameters(c, layers: c.layersLast, first: single, last: true)
        if w.mtpLayers > 0 {
            // Each MTP module: a block like the model's (MoE in V3), two norms and a 2h→h
            // projection; embedding and output layer are shared with the main model.
            let per = w.layerParameters(c)
            let block = w.isMoE ? (per.moe, per.moeExperts) : (per.dense, 0)
            stageLast.dense += w.mtpLayers * (block.0 + 2 * w.hidden * w.hidden / c.tp)
            stageLast.expert += w.mtpLayers * block.1
        }
        let fwdFirst = mixFirst.dense * times.dense.forward + mixFirst.moe * times.moe.forward
        let bwdFirst = mixFirst.dense * times.dense.backward + mixFirst.moe * times.moe.backward
        p.dataParallelComm = w.dataParallel(c, framework: fw, stage: stageFirst, layers: c.layersFirst,
                                            forward: fwdFirst, backward: bwdFirst)
        let stateFirst = w.modelState(c, stage: stageFirst, framework: fw)
        let stateLast = w.modelState(c, stage: stageLast, framework: fw)
        let busiest = stateFirst.shardedParameters >= stateLast.shardedParameters ? stateFirst : stateLast
        let busiestStage = stateFirst.shardedParameters >= stateLast.shardedParameters ? stageFirst : stageLast
        // Per parameter: read and write the master copy and each moment, read the fp32
        // gradient, write the 16-bit weights — Adam 2·4 + 2·8 + 4 + 2 = 30 B, SGD 22 B, 8-bit
        // AdamW 18 B; plus zeroing the local gradient buffer.
        let perParam = 2 * 4 + 2 * w.momentBytes + 4 + 2
        let optimizerBytes = busiest.shardedParameters * perParam * (1 - c.offloadRatio)
            + busiestStage.total * w.gradBufferBytes
        p.optimizerTime = w.rates.memoryBound(optimizerBytes, kernels: 8)
        let ranksPerNode = Double(cluster.gpusPerNodeUsed)
        // Host memory per node: the busiest stage's rank on every GPU of the node.
        let hostPerRank: Double
        if c.optimizerDevice != .none || c.parameterDevice != .none {
            // DeepSpeed ZeRO-Offload / ZeRO-Infinity (ZeROOffload.swift).
            let o = offloadTimes(c, sharded: busiest.shardedParameters, ranksPerNode: ranksPerNode,
                                 forward: fwdFirst, backward: bwdFirst)
            p.offload = o
            p.optimizerTime += o.cpuOptimizerTime
            p.offloadTime = o.gradientCopy.exposed + o.parameterCopyTime + o.nvmeOptimizerTime + o.parameterFetch.exposed
            hostPerRank = ZeROOffload.hostBytesPerRank(sharded: busiest.shardedParameters, stage: c.fsdp ? 3 : c.zeroStage,
                                                       optimizer: c.optimizerDevice, ratio: c.offloadRatio,
                                                       parameters: c.parameterDevice, weightBytes: w.paramBytes,
                                                       masterBytes: w.masterBytes, momentBytes: w.momentBytes,
                                                       largestTensor: busiestStage.largestTensor)
        } else {
            // Other frameworks' offload: the states cross PCIe to the GPU for the update and back.
            let offloaded = c.offloadRatio * busiest.shardedParameters * (w.masterBytes + w.momentBytes)
            p.offloadTime = w.net.hostCopy(bytes: 2 * offloaded)
            hostPerRank = offloaded
        }
        p.hostMemoryPerNode = hostPerRank * ranksPerNode
        p.hostMemoryCapacity = cluster.host.memoryBytes
        p.hostOverheadTime = fw.stepOverheadSeconds
        // Autocast over wider resident weights (`FrameworkProfile.autocastCastsWeights`): each
        // micro-batch reads every local weight and writes its 16-bit copy (4 + 2 B), and its
        // backward casts the 16-bit weight gradient up and accumulates it (2 + 4 + 4 B); a
        // frozen base has no weight gradient.
        var castTime = 0.0
        if fw.autocastCastsWeights && !c.fsdp,
           let r = fw.residentWeightBytes(zeroStage: c.zeroStage, fsdp: c.fsdpWrapped), Double(r) > w.paramBytes {
            let perWeight = Double(r) + w.paramBytes
                + (w.adapters.freezesBase ? 0 : w.paramBytes + 2 * Double(r))
            castTime = w.rates.memoryBound(m * busiestStage.total * perWeight, kernels: 0)
        }

        // ---- Memory per stage ----
        let acts = w.layerActivations(c, framework: fw)
        let frag = fw.expandableSegments ? e.expandableFragmentation : e.allocatorFragmentation
        // Device memory the caching allocator can hand out: capacity less the CUDA context and
        // library workspaces it does not manage.
        // The framework's figures times the cluster's factors (`EfficiencyProfile`
        // `runtimeMemoryScale`, `allocatorWorkspaceScale`: 1 unless a profile fitted them).
        let runtimeBytes = fw.runtimeBytes * e.runtimeMemoryScale
        let workspaceBytes = fw.allocatorWorkspaceBytes * e.allocatorWorkspaceScale
        let usable = max(w.gpuMemory - runtimeBytes, 0)
        // Layer activation offload (Megatron-Core `cpu_offloading_num_layers`; pp = 1 and no
        // recomputation, `ParallelPlan.validate`): fewer layers' activations on the device, N on
        // the host, and the copies a layer's compute does not cover (`ActivationOffload`).
        var offload = ActivationOffload(offloadLayers: 0, stageLayers: 0, storedBytesPerLayer: 0)
        if fw.activationOffloadLayers > 0 && single {
            let layers = c.layersFirst
            let mx = mixSingle
            func perLayer(_ dense: Double, _ moe: Double) -> Double {
                layers > 0 ? (mx.dense * dense + mx.moe * moe) / layers : 0
            }
            offload = ActivationOffload(offloadLayers: fw.activationOffloadLayers, stageLayers: layers,
                                        storedBytesPerLayer: perLayer(acts.dense.stored, acts.moe.stored))
            let copy = w.net.hostCopy(bytes: offload.bytesPerLayer)
            p.offloadTime += m * offload.exposedTime(copy: copy,
                                                     forwardPerLayer: perLayer(times.dense.forward, times.moe.forward),
                                                     backwardPerLayer: perLayer(times.dense.backward, times.moe.backward))
            p.hostMemoryPerNode += offload.hostBytes * ranksPerNode
        }
        func stageMemory(index: Double, layers: Double, mx: (dense: Double, moe: Double),
                         stage: StageParameters, state: ModelStateBytes, first: Bool, last: Bool) -> MemoryBreakdown {
            var mem = MemoryBreakdown()
            mem.parameters = state.parameters
            mem.gradients = state.gradients
            if fw.fsdpDefersGradientSync && c.fsdp && (m > 1 || c.pp > 1) {
                // Unsharded gradients kept across micro-batches in the reduce dtype until the
                // last one reduce-scatters them (`FrameworkProfile.fsdpDefersGradientSync`).
                mem.gradients += w.gradReduceBytes * (w.adapters.freezesBase ? stage.adapters : stage.total)
            }
            mem.optimizer = state.optimizer
            // Stored activations of the in-flight model-chunk micro-batches.
            let chunks = PipelineSchedule.inFlightChunks(stage: index, stages: c.pp, virtualStages: c.vpp,
                                                         microBatches: m)
            let perLayerStored = layers > 0 ? (mx.dense * acts.dense.stored + mx.moe * acts.moe.stored) / layers : 0
            let perLayerFull = layers > 0 ? (mx.dense * acts.dense.full + mx.moe * acts.moe.full) / layers : 0
            let perLayer = recompute.granularity == .full
                ? recomputed * perLayerStored + (1 - recomputed) * perLayerFull
                : perLayerStored
            mem.activations = chunks * max(layers / c.vpp - offload.residentReduction, 0) * perLayer
            // Embedding output kept for the first layer's backward is in the layer's input.
            // Transient: the backward working set of one layer (gradients mirror its
            // activations; a recomputed layer also re-materialises them), and at the loss the
            // logits with their fp32 copy.
            let layerFull = max(acts.dense.full, acts.moe.full)
            var layerTransient = layerFull * (recompute.granularity == .full ? 2 : 1)
            // Eager composite ops (norms, SwiGLU, RoPE written as several PyTorch ops) keep
            // fp32/bf16 intermediates alive in the backward: about one more layer's worth.
            if fw.elementwiseTrafficScale > 1 { layerTransient += layerFull }
            var lossTransient = 0.0
            if last {
                lossTransient = c.memoryTokens * c.paddedVocab / c.tp * fw.logitsBytesPerElement
                    + w.outputLayerDummyGradientBytes(c, framework: fw)
                // The output layer keeps its input for the weight gradient: SP-sharded in
                // Megatron (re-gathered in the backward), gathered in DTensor TP (torchtitan).
                let gathered = fw.savesGatheredLinearInputs ? c.memoryTokens : c.memoryTokensSP
                mem.activations += 2 * w.hidden * gathered
            }
            // The loss's logits are freed once the output layer's backward has produced the
            // hidden-state gradient, before the last decoder layer's backward starts: the two
            // working sets follow each other, so the peak holds the larger one, not both.
            // torchtitan keeps the sum its reserved-peak calibration was made with (its eager
            // loss and FSDP2's gradient buffers overlap the last layers' backward).
            var temporary = fw.kind == .torchtitan ? layerTransient + lossTransient
                                                   : max(layerTransient, lossTransient)
            temporary += workspaceBytes
            // TE's cached dummy weight gradients: allocated once, never freed (see
            // DummyWeightGradients.swift), so they add to the peak but not to the cache churn.
            let dummyWeightGradients = w.dummyWeightGradientBytes(c, framework: fw, dense: mx.dense, moe: mx.moe)
            mem.temporaryBuffers = temporary + dummyWeightGradients
            if c.pp > 1 {
                // One stage-boundary activation (bf16, sequence-sharded under SP).
                let boundary = c.memoryTokensSP * w.hidden * 2
                if fw.pipelineBuffersPerMicroBatch {
                    // torch.distributed.pipelining: a receive buffer per micro-batch and local
                    // stage for activations (non-first stages) and for gradients (non-last
                    // stages), plus the kept output of each in-flight micro-batch (see
                    // `FrameworkProfile.pipelineBuffersPerMicroBatch`).
                    let v = max(c.vpp, 1)
                    let forwardReceivers = first ? v - 1 : v
                    let gradientReceivers = last ? v - 1 : v
                    // An in-flight micro-batch's activation buffer is its first layer's stored
                    // input, already counted in `activations`.
                    let aliased = chunks * forwardReceivers / v
                    mem.communicationBuffers = boundary * (max(forwardReceivers * m - aliased, 0)
                                                           + gradientReceivers * m)
                    mem.activations += boundary * chunks * gradientReceivers / v
                } else {
                    // Megatron: one send and one receive buffer in flight.
                    mem.communicationBuffers = 2 * boundary
                }
            }
            // TP-overlap staging buffers (a few gathered activations).
            let overlapBuffers = fw.tpCommOverlap && c.tp > 1 ? 3 * c.memoryTokens * w.hidden * 2 : 0
            if !fw.tpOverlapBuffersOutsideAllocator { mem.communicationBuffers += overlapBuffers }
            // Paged optimizer states are resident in what the device leaves (`total`), the rest
            // paged to the host (`allocatorOptimizerBytes`).
            mem.allocated = mem.parameters + mem.gradients + w.allocatorOptimizerBytes(mem.optimizer) + mem.activations
                + mem.communicationBuffers + mem.temporaryBuffers
            if fw.shardingReleaseGrads && m <= 1 {
                // Gradients freed after every step (PaddleFormers `enable_release_grads`) are
                // allocated again as the single micro-batch's backward frees its activations:
                // the two are never all live at once, so the peak holds the larger of them.
                mem.allocated -= min(mem.gradients, mem.activations)
            }
            mem.activationBufferPool = frag * (mem.activations + temporary)
            mem.frameworkOverhead = runtimeBytes + (fw.tpOverlapBuffersOutsideAllocator ? overlapBuffers : 0)
            // When what is live fits, the cache cannot outgrow the device: on a failed
            // cudaMalloc the caching allocator frees its cached blocks and retries
            // (c10/cuda/CUDACachingAllocator.cpp, `release_cached_blocks`), so reserved memory
            // stops at what the device leaves it. Only a plan that does not fit keeps the
            // uncapped estimate (it reports how far over the device it is).
            let cacheRoom = max(w.gpuMemory - mem.frameworkOverhead - mem.allocated, 0)
            mem.activationBufferPool = mem.allocated <= usable ? min(mem.activationBufferPool, cacheRoom)
                                                                : mem.activationBufferPool
            mem.reserved = mem.allocated + mem.activationBufferPool
            mem.total = mem.reserved + mem.frameworkOverhead
            if w.optimizerPaged {
                mem.total += min(mem.optimizer, max(w.gpuMemory - mem.total, 0))
            }
            return mem
        }
        let memFirst = stageMemory(index: 0, layers: c.layersFirst, mx: mixFirst, stage: stageFirst,
                                   state: stateFirst, first: true, last: single)
        var peak = memFirst
        p.peakStage = 0
        p.firstStageAllocated = memFirst.allocated
        p.firstStageReserved = memFirst.reserved
        p.lastStageAllocated = memFirst.allocated
        p.lastStageReserved = memFirst.reserved
        if !single {
            let memLast = stageMemory(index: c.pp - 1, layers: c.layersLast + w.mtpLayers, mx: mixLast, stage: stageLast,
                                      state: stateLast, first: false, last: true)
            p.lastStageAllocated = memLast.allocated
            p.lastStageReserved = memLast.reserved
            if memLast.reserved > peak.reserved {
                peak = memLast
                p.peakStage = max(plan.pp, 1) - 1
            }
            // A middle stage can also peak when it holds more than the first: more layers, or
            // receive buffers in both directions (per-micro-batch pipeline buffers).
            if c.pp > 2 && (c.layersMiddle > c.layersFirst || fw.pipelineBuffersPerMicroBatch) {
                let stageMid = w.stageParameters(c, layers: c.layersMiddle, first: false, last: false)
                let memMid = stageMemory(index: 1, layers: c.layersMiddle, mx: mixMiddle, stage: stageMid,
                                         state: w.modelState(c, stage: stageMid, framework: fw),
                                         first: false, last: false)
                if memMid.reserved > peak.reserved {
                    peak = memMid
                    p.peakStage = 1
                }
            }
        }
        p.memory = peak
        p.usableMemory = usable
        // The caching allocator releases its cached blocks and retries before it raises an
        // out-of-memory error (CUDACachingAllocator: `release_cached_blocks` on a failed
        // cudaMalloc), so a plan fails only when what must be live — allocated — does not fit.
        var peakAllocated = memFirst.allocated
        if !single { peakAllocated = max(peakAllocated, max(p.lastStageAllocated, peak.allocated)) }
        p.fitsMemory = peakAllocated <= p.usableMemory && p.hostMemoryPerNode <= p.hostMemoryCapacity
        if w.optimizerPaged {
            // What of the paged states the device cannot hold crosses PCIe twice a step: paged
            // in for the update, out again as the next step's activations need the room.
            let overflow = max(peak.optimizer - max(w.gpuMemory - (peak.reserved + peak.frameworkOverhead), 0), 0)
            p.offloadTime += w.net.hostCopy(bytes: 2 * overflow)
        }

        // ---- Step ----
        let overlapped = p.tensorParallelComm.overlapped + p.contextParallelComm.overlapped
            + p.expertParallelComm.overlapped + p.dataParallelComm.overlapped + p.pipelineComm.overlapped
        let interference = e.overlapInterference * overlapped
        let layerExposedComm = m * (layersDense * comm.dense.exposed + layersMoE * comm.moe.exposed)
            + ppExposedPerMB * m
        p.recomputeTime = m * (layersDense * dStep.recompute + layersMoE * mStep.recompute)
        p.computeTime = max(pipe.busy - layerExposedComm, 0) + interference + castTime
        p.bubbleTime = pipe.bubble
        p.stepTime = pipe.busy + pipe.bubble + interference + castTime + ppExposedOnce + p.dataParallelComm.exposed
            + p.optimizerTime + p.offloadTime + p.hostOverheadTime

        // ---- Throughput and utilisation ----
        let tokensPerStep = w.globalBatch * w.seqLen
        let gpus = c.tp * c.pp * c.dp * c.cp
        p.tokensPerSecond = p.stepTime > 0 ? tokensPerStep / p.stepTime : 0
        p.tokensPerSecondPerGPU = p.tokensPerSecond / gpus
        p.mfu = p.tokensPerSecondPerGPU * w.modelFlopsPerToken / w.mfuPeak
        var extraFlops = recomputed * (w.matmulForwardFlopsPerToken - 2 * w.vocab * w.hidden + w.attentionForwardFlopsPerToken)
        let tokensPerRankMB = c.tokens
        if tokensPerRankMB > 0 {
            extraFlops += (w.denseLayers * times.dense.selectiveRecomputeFlops
                           + w.moeLayers * times.moe.selectiveRecomputeFlops) * c.tp / tokensPerRankMB
        }
        p.hfu = p.tokensPerSecondPerGPU * (w.modelFlopsPerToken + extraFlops) / w.mfuPeak
        return p
    }

    /// The plan's derived quantities with the framework's reading of the offload ratio
    /// (`FrameworkProfile.optimizerOffload`): what every pricing of a plan starts from.
    func context(_ plan: ParallelPlan, microBatchSize: Int, recompute: Recompute,
                 optimizerOffloadRatio: Double) -> PlanContext {
        let offload = fw.optimizerOffload(ratio: optimizerOffloadRatio)
        return PlanContext(plan: plan, workload: w, microBatchSize: microBatchSize, recompute: recompute,
                           offloadRatio: offload.ratio, optimizerDevice: offload.device,
                           parameterDevice: fw.parameterOffload)
    }

    /// The host side of DeepSpeed offload over one step, for a rank whose optimizer partition
    /// is `sharded` parameters, `forward`/`backward` being one micro-batch's compute on it.
    func offloadTimes(_ c: PlanContext, sharded: Double, ranksPerNode g: Double,
                      forward: Double, backward: Double) -> OffloadBreakdown {
        var o = OffloadBreakdown()
        let m = c.microBatches
        let host = cluster.host
        let nvme = max(host.nvmeBandwidth, 1)
        if c.optimizerDevice != .none {
            let r = c.offloadRatio
            let copy = w.net.hostCopy(bytes: r * sharded * w.gradBufferBytes)
            if c.zeroStage >= 2 || c.fsdp {
                // ZeRO-2/3: each micro-batch's reduced 16-bit gradient partition goes to the
                // host as its buckets finish (stage_1_and_2.py
                // `async_accumulate_grad_in_cpu_via_gpu`; stage3.py `partition_grads` into the
                // fp32 CPU buffer), under that backward; only what outlasts the backward shows
                // (Ren et al. 2021 §4.1, Figure 5).
                let exposed = m * max(copy - backward, 0)
                o.gradientCopy = CommunicationTime(exposed: exposed, overlapped: m * copy - exposed)
            } else {
                // ZeRO-1 reduces once, after the last backward (engine.py `allreduce_gradients`:
                // `reduce_gradients` at the accumulation boundary), so the one copy waits.
                o.gradientCopy = CommunicationTime(exposed: copy, overlapped: 0)
            }
            // CPU Adam over the node's partitions: the core rate or host memory bandwidth,
            // whichever binds (HostSpec). No delayed parameter update: the GPU waits.
            let nodeParameters = r * sharded * g
            o.cpuOptimizerTime = max(nodeParameters / max(host.cpuAdamParametersPerSecond, 1),
                                     nodeParameters * ZeROOffload.cpuAdamBytesPerParameter / max(host.memoryBandwidth, 1))
            // The updated 16-bit partition back to the GPU (stage_1_and_2.py
            // `bit16_partitions[partition_id].data.copy_(fp32_partition.data)`), unless the
            // parameters themselves live on the host.
            if c.parameterDevice == .none { o.parameterCopyTime = w.net.hostCopy(bytes: r * sharded * w.paramBytes) }
            if c.optimizerDevice == .nvme && c.fsdp {
                // ZeRO-Infinity: each rank's states (master, moments) and fp32 gradient read
                // before its sub-group's step and written after, all ranks' drives in parallel
                // (bandwidth-centric partitioning, SC'21 §6.1); not pipelined with the step
                // (`pipeline_read`/`pipeline_write` default false).
                let perParameter = 2 * (w.masterBytes + w.momentBytes) + 2 * ZeROOffload.hostGradientBytes
                o.nvmeOptimizerTime = r * sharded * g * perParameter / nvme
            }
        }
        if c.parameterDevice != .none {
            // ZeRO-3 parameter offload: every forward and backward fetches each rank's 16-bit
            // partition to the GPU (then all-gathers it), prefetched under the previous layers'
            // compute (ZeRO-Infinity §6.2 overlap-centric design); from NVMe the node's drives
            // are shared by its ranks.
            let bytes = 2 * sharded * w.paramBytes
            var fetch = w.net.hostCopy(bytes: bytes)
            if c.parameterDevice == .nvme { fetch = max(fetch, bytes * g / nvme) }
            let exposed = m * max(fetch - forward - backward, 0)
            o.parameterFetch = CommunicationTime(exposed: exposed, overlapped: m * fetch - exposed)
            if c.parameterDevice == .nvme {
                // The updated partition written back after the step.
                o.parameterFetch.exposed += sharded * w.paramBytes * g / nvme
            }
        }
        return o
    }
}

extension CostModel {
    /// Activation bytes one decoder layer stores for its backward pass, per micro-batch and GPU
    /// (Korthikanti et al. 2022, Table 2, generalised; see `ActivationMemory.swift`), for a
    /// dense-FFN layer and for an MoE layer (0 for dense models).
    public func activationBytesPerLayer(_ plan: ParallelPlan, microBatchSize: Int? = nil,
                                        recompute: Recompute? = nil) -> (dense: Double, moe: Double) {
        let c = context(plan, microBatchSize: microBatchSize ?? setup.microBatchSize,
                        recompute: recompute ?? setup.recompute, optimizerOffloadRatio: setup.optimizerOffloadRatio)
        let a = w.layerActivations(c, framework: fw)
        return (a.dense.stored, w.isMoE ? a.moe.stored : 0)
    }
}
