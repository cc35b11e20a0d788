/// The plan-independent quantities of a (model, cluster, setup), computed once by `CostModel`
/// so that evaluating a plan is arithmetic on stored Doubles.
struct Workload: Sendable {
    // Model shape (Doubles so that evaluation never traps on integer overflow or division).
    let hidden: Double
    let heads: Double
    let kvHeads: Double
    /// Per-head widths of q/k and v (MLA: nope+rope and v_head_dim; else head_dim).
    let qkHeadDim: Double
    let vHeadDim: Double
    let ffn: Double
    let vocab: Double
    let layers: Double
    let moeLayers: Double
    let denseLayers: Double
    /// Dense layers before the first MoE layer (DeepSeek `first_k_dense_replace`).
    let leadingDenseLayers: Double
    /// Multi-token-prediction blocks (DeepSeek-V3 §2.2), run on the last stage after the main
    /// model, each with its own output-layer pass and loss.
    let mtpLayers: Double
    let gated: Bool
    /// Columns of the first MLP GEMM per unit of FFN width (gate+up = 2, up = 1).
    let fc1Factor: Double
    let rope: Bool
    let isMLA: Bool
    let qLoraRank: Double
    let kvLoraRank: Double
    let qkRopeDim: Double
    let isMoE: Bool
    let experts: Double
    let topK: Double
    let expertFFN: Double
    let sharedFFN: Double
    /// Width of what the routed experts read and write, and of every dispatched token: the
    /// LatentMoE latent width, or the hidden size (`MoESpec.expertWidth`).
    let expertHidden: Double
    /// LatentMoE: the latent width (0 without), and its two projections' parameters per layer.
    let moeLatent: Double
    let moeLatentParams: Double
    /// The routed experts carry biases (GPT-OSS), and the gated activation clamps its inputs
    /// (`ModelSpec.gluClampLimit`): what an eager expert epilogue pays for
    /// (`FrameworkProfile.eagerExpertEpilogue`).
    let expertBias: Bool
    let clampedGLU: Bool
    /// Group-limited routing: groups, and groups per token (0 = unrestricted).
    let routerGroups: Double
    let routerGroupsPerToken: Double
    /// Models with per-layer kinds (`ModelSpec.layers`) are priced as `layers` equal blocks
    /// whose parts are scaled to the model's totals (`TrainingLayerScales`); exactly 1 for a
    /// uniform model, so its numbers do not move.
    /// Token-mixer projection work per block over one attention block's.
    let mixerGEMMScale: Double
    /// Attention-core (and state-update) FLOPs over a full causal attention layer's.
    let attentionCoreScale: Double
    /// Tokens per attention span: the packed documents' mean length, or the sequence.
    let documentTokens: Double
    /// Forward HBM bytes per token of the state mixers' scans, averaged over the `layers` blocks
    /// (`StateMixerTraffic`; 0 without Mamba-2 or Gated DeltaNet layers), before the TP split.
    let stateMixerBytesPerToken: Double
    /// Dense-FFN work per non-MoE block over one dense FFN's (blocks without an FFN count 0).
    let denseFFNScale: Double

    // Parameters (counts), split into tensor-parallel-sharded and replicated parts.
    let attentionShardedParams: Double
    /// K and V projection weights (and biases) of one layer, part of `attentionShardedParams`;
    /// 0 for MLA, whose per-head K/V up-projections shard like Q.
    let kvProjectionParams: Double
    let attentionReplicatedParams: Double
    let normParams: Double
    let denseMLPShardedParams: Double
    let denseMLPReplicatedParams: Double
    let expertParams: Double
    let sharedExpertParams: Double
    let routerParams: Double
    let embeddingParams: Double
    let positionParams: Double
    let lmHeadParams: Double
    let finalNormParams: Double
    let tiedEmbeddings: Bool
    /// Weight elements that go through GEMMs per layer (for wgrad accumulation traffic).
    let totalParams: Double

    // Setup.
    let seqLen: Double
    /// Sequence length activation memory is sized for (max_seq_len when given).
    let memorySeqLen: Double
    let globalBatch: Double
    let fp8: Bool
    let dropout: Double
    let attentionDropout: Double
    /// Model FLOPs per token (causal attention, no recomputation): the MFU numerator.
    let modelFlopsPerToken: Double
    /// Forward attention-core FLOPs per token (causal) — HFU adds recomputed ones.
    let attentionForwardFlopsPerToken: Double
    let matmulForwardFlopsPerToken: Double
    let paramBytes: Double
    let masterBytes: Double
    let momentBytes: Double
    /// The moments keep their own 8-bit format (`Optimizer.quantizesMoments`), not the
    /// weights' width.
    let momentsQuantized: Bool
    /// Optimizer states in CUDA unified memory (`Optimizer.pagesStates`).
    let optimizerPaged: Bool
    let gradBufferBytes: Double
    let gradReduceBytes: Double
    let fp8CastBytes: Double
    /// Bytes per weight of the FP8 copy Transformer Engine caches between micro-batches.
    let fp8WeightCacheBytes: Double
    /// LoRA/QLoRA adapters and the frozen base (none for pre-training and SFT).
    let adapters: Adapters

    // Hardware rates.
    let rates: Rates
    let net: Interconnect
    /// NVLink bytes/s of a hierarchical expert dispatcher (`EfficiencyProfile.
    /// expertDispatchNVLinkFraction` of the one-direction NVLink rate).
    let dispatchNVLinkBandwidth: Double
    let efficiency: EfficiencyProfile
    let gpuMemory: Double
    /// FLOP/s denominators of MFU/HFU.
    let mfuPeak: Double

    init(model m: ModelSpec, cluster: Cluster, setup: TrainingSetup) {
        hidden = Double(m.hiddenSize)
        heads = Double(m.numAttentionHeads)
        kvHeads = Double(m.numKeyValueHeads)
        if let mla = m.mla {
            qkHeadDim = Double(mla.qkHeadDim)
            vHeadDim = Double(mla.vHeadDim)
            qLoraRank = Double(mla.qLoraRank)
            kvLoraRank = Double(mla.kvLoraRank)
            qkRopeDim = Double(mla.qkRopeHeadDim)
            isMLA = true
        } else {
            qkHeadDim = Double(m.headDim)
            vHeadDim = Double(m.headDim)
            qLoraRank = 0
            kvLoraRank = 0
            qkRopeDim = 0
            isMLA = false
        }
        ffn = Double(m.intermediateSize)
        vocab = Double(m.vocabSize)
        layers = Double(m.numLayers)
        moeLayers = Double(m.numMoELayers)
        denseLayers = Double(m.numDenseLayers)
        leadingDenseLayers = Double(min(m.moe?.firstDenseLayers ?? 0, m.numLayers))
        mtpLayers = Double(m.mtpLayers)
        gated = m.mlpKind == .gated
        fc1Factor = gated ? 2 : 1
        expertBias = m.moe != nil && m.mlpBias
        clampedGLU = m.mlpKind == .gated && m.gluClampLimit > 0
        rope = m.learnedPositionEmbeddings == 0
        if let moe = m.moe {
            isMoE = true
            experts = Double(moe.numExperts)
            topK = Double(moe.expertsPerToken)
            expertFFN = Double(moe.expertIntermediateSize)
            sharedFFN = Double(moe.sharedExpertIntermediateSize)
            expertHidden = Double(moe.expertWidth(hidden: m.hiddenSize))
            moeLatent = Double(moe.latentSize)
            routerGroups = Double(moe.routerGroups)
            routerGroupsPerToken = Double(moe.routerGroupsPerToken)
        } else {
            isMoE = false
            experts = 0
            topK = 0
            expertFFN = 0
            expertHidden = Double(m.hiddenSize)
            moeLatent = 0
            sharedFFN = 0
            routerGroups = 0
            routerGroupsPerToken = 0
        }

        let scales = TrainingLayerScales(m, sequenceLength: setup.seqLen)
        mixerGEMMScale = scales.mixerGEMM
        denseFFNScale = scales.denseFFN
        let mamba = m.mamba.map {
            StateMixerTraffic.mamba2ForwardBytesPerToken($0) * Double(m.numLayers(mixer: .mamba2))
        } ?? 0
        let deltaNet = m.deltaNet.map {
            StateMixerTraffic.gatedDeltaNetForwardBytesPerToken($0) * Double(m.numLayers(mixer: .gatedDeltaNet))
        } ?? 0
        stateMixerBytesPerToken = (mamba + deltaNet) / Double(max(m.numLayers, 1))
        // Packed documents of mean length d: a token attends to its document's prefix, so the
        // attention core per token is that of a d-token sequence (for every layer kind: full,
        // windowed or state), and the kernel runs at d's efficiency.
        // Unstated, a framework whose fine-tuning recipes pack by default packs its dataset's
        // documents (`FrameworkProfile.forFineTuning`).
        let stated = setup.packedDocumentTokens ?? setup.pricedFramework.fineTuningPackedDocumentTokens
        let document = min(stated ?? setup.seqLen, setup.seqLen)
        documentTokens = Double(document)
        let packing: Double
        if document < setup.seqLen {
            let whole = ParameterCounter.flopsPerToken(m, sequenceLength: setup.seqLen, mask: .causal).attentionForward
            let packed = ParameterCounter.flopsPerToken(m, sequenceLength: document, mask: .causal).attentionForward
            packing = whole > 0 ? packed / whole : 1
        } else {
            packing = 1
        }
        attentionCoreScale = scales.attentionCore * packing

        // Parameters per layer, split by how Megatron-Core shards them: column/row-parallel
        // weights over TP; norms, MLA down-projections (`linear_q_down_proj`,
        // `linear_kv_down_proj` are duplicated) and row-parallel output biases replicated.
        let per = ParameterCounter.layer(m)
        let h = hidden
        var attnReplicated = 0.0
        if let mla = m.mla {
            let qDown = mla.qLoraRank > 0 ? Double(m.hiddenSize * mla.qLoraRank + mla.qLoraRank) : 0
            let kvDown = Double(m.hiddenSize * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank)
            attnReplicated = qDown + kvDown
        }
        if m.attentionOutputBias { attnReplicated += h }
        if m.qkNorm { attnReplicated += 2 * Double(m.headDim) }
        attentionReplicatedParams = attnReplicated
        attentionShardedParams = (Double(per.attention) - attnReplicated) * mixerGEMMScale
        if m.mla == nil {
            let kvWidth = Double(m.numKeyValueHeads * m.headDim)
            kvProjectionParams = 2 * h * kvWidth + (m.qkvBias ? 2 * kvWidth : 0)
        } else {
            kvProjectionParams = 0
        }
        normParams = Double(per.norms)
        let mlpBiasReplicated = m.mlpBias ? h : 0
        denseMLPReplicatedParams = mlpBiasReplicated
        denseMLPShardedParams = (Double(per.denseMLP) - mlpBiasReplicated) * denseFFNScale
        expertParams = Double(per.expert)
        sharedExpertParams = Double(per.sharedExperts)
        routerParams = Double(per.router)
        moeLatentParams = Double(per.moeLatentProjections)
        embeddingParams = Double(m.vocabSize) * h
        positionParams = Double(m.learnedPositionEmbeddings) * h
        tiedEmbeddings = m.tieWordEmbeddings
        lmHeadParams = Double(m.vocabSize) * h
        finalNormParams = Double(m.normKind.parameters(width: m.hiddenSize))
        totalParams = Double(ParameterCounter.breakdown(m).total)

        // Setup.
        seqLen = Double(setup.seqLen)
        memorySeqLen = Double(max(setup.maxSeqLen ?? setup.seqLen, setup.seqLen))
        globalBatch = Double(setup.globalBatchSize)
        fp8 = setup.dtype == .fp8
        let fw = setup.pricedFramework
        dropout = setup.dropout ?? fw.defaultDropout(modelType: m.modelType)
        attentionDropout = dropout
        let flops = ParameterCounter.flopsPerToken(m, sequenceLength: document, mask: .causal)
        let qkvWidth = m.mla == nil
            ? Double((m.numAttentionHeads + 2 * m.numKeyValueHeads) * m.headDim)
            : Double(m.numAttentionHeads) * (qkHeadDim + vHeadDim)
        adapters = Adapters(setup: setup.fineTuning, hidden: hidden, qkvWidth: qkvWidth,
                            attentionOutWidth: heads * vHeadDim, fc1Width: fc1Factor * ffn, ffn: ffn)
        if adapters.freezesBase {
            // A frozen base runs no weight-gradient GEMMs: its matmuls cost forward + input
            // gradient, 2× the forward, not 3× (NVIDIA dgxc-benchmarking counts LoRA MFU as
            // "the SFT formula × 2/3"); the adapters train in full (3× their forward).
            let adapterForward = denseLayers * adapters.forwardFlopsPerToken(moe: false)
                + moeLayers * adapters.forwardFlopsPerToken(moe: true)
            modelFlopsPerToken = flops.training - flops.matmulForward + 3 * adapterForward
        } else {
            modelFlopsPerToken = flops.training
        }
        attentionForwardFlopsPerToken = flops.attentionForward
        matmulForwardFlopsPerToken = flops.matmulForward
        paramBytes = setup.dtype == .fp32 ? 4 : 2
        masterBytes = setup.dtype == .fp32 ? 0 : Double(fw.optimizerMasterBytes ?? setup.masterBytes)
        momentBytes = setup.optimizer.bytesPerMoment * Double(setup.optimizer.momentTensors)
        momentsQuantized = setup.optimizer.quantizesMoments
        optimizerPaged = setup.optimizer.pagesStates
        gradBufferBytes = Double(setup.gradBytes ?? fw.gradBufferBytes)
        gradReduceBytes = Double(setup.gradBytes.map { min($0, fw.gradReduceBytes) } ?? fw.gradReduceBytes)
        // FP8 casts: read bf16 (2), write fp8 (1) and its transpose (1) for the backward GEMM;
        // current/block/row scaling first reads the tensor once more for its amax (TE
        // `Float8CurrentScaling`, torchao tensorwise dynamic scaling).
        // MXFP8 computes its block scales inside the cast kernel (TE `MXFP8Quantizer`), so it
        // reads the input once, as delayed scaling does.
        fp8CastBytes = fw.fp8Recipe == .delayed || fw.fp8Recipe == .mxfp8 ? 4 : 6
        // Hopper FP8 tensor cores take only the TN layout, so TE keeps the FP8 weight and its
        // transpose (2 B); Blackwell runs non-TN FP8 GEMMs (TE `is_non_tn_fp8_gemm_supported()`,
        // sm ≥ 10.0), so a per-tensor-scaled weight needs one copy (1 B). Block/MX scaling
        // keeps row- and column-wise quantisations (2 B) on either.
        let nonTN = cluster.gpu.architecture.isBlackwellFamily
        fp8WeightCacheBytes = nonTN && fw.fp8Recipe != .blockwise && fw.fp8Recipe != .mxfp8 ? 1 : 2

        rates = Rates(cluster: cluster, setup: setup)
        net = Interconnect(cluster: cluster)
        dispatchNVLinkBandwidth = max(cluster.gpu.nvlinkBandwidth * cluster.efficiency.expertDispatchNVLinkFraction, 1)
        efficiency = cluster.efficiency
        gpuMemory = cluster.gpu.memoryBytes
        let precision: Precision = setup.dtype
        let peak = cluster.gpu.peakFlops(precision)
        mfuPeak = peak > 0 ? peak : cluster.gpu.bf16Flops
    }

    /// Optimizer-state bytes the caching allocator holds: all of them, or none when the states
    /// are paged (managed memory outside the allocator, `Optimizer.pagesStates`). Every
    /// allocated figure — `evaluate`'s and the search's lower bound — counts the states so.
    @inline(__always)
    func allocatorOptimizerBytes(_ optimizer: Double) -> Double { optimizerPaged ? 0 : optimizer }
}

extension Workload {
    /// KV heads summed over the `t` ranks of a tensor-parallel group: each rank holds
    /// ceil(kv/t) of them, so kv when t divides kv, and t (one replicated head per rank) when
    /// t > kv. Replication is how TP goes past the KV-head count (vLLM
    /// model_executor/layers/linear.py, QKVParallelLinear: `num_kv_heads = max(1,
    /// total_num_kv_heads // tp_size)`, `num_kv_head_replicas = tp_size // total_num_kv_heads`;
    /// PaddleFormers' GQA tensor parallelism does the same). Formulas that
    /// divide a K/V width by t use this instead of the model's KV-head count. MLA shards per
    /// query head and keeps the model's count.
    @inline(__always)
    func kvHeadsAcrossTP(_ t: Double) -> Double {
        if isMLA || !(kvHeads > 0) { return kvHeads }
        return (kvHeads / max(t, 1)).rounded(.up) * max(t, 1)
    }

    /// Tensor-parallel-sharded attention parameters on one rank: Q and output projections
    /// divide by t; the K/V projections hold ceil(kv/t) heads (replicated when t > kv).
    @inline(__always)
    func localAttentionShardedParams(_ t: Double) -> Double {
        let t = max(t, 1)
        let kvShare = kvHeads > 0 ? kvHeadsAcrossTP(t) / kvHeads : 1
        return (attentionShardedParams - kvProjectionParams + kvProjectionParams * kvShare) / t
    }
}

/// Achieved compute and memory rates of one GPU, with the efficiency curves applied.
struct Rates: Sendable {
    /// Large-GEMM FLOP/s in the 16-bit and FP8 paths (datasheet peak × MAMF fraction × clock).
    let gemm16: Double
    let gemm8: Double
    let halfDimension: Double
    /// 16-bit tensor peak at the sustained, power-limited clock (attention kernels scale from it),
    /// and the FP8 one (the 16-bit one where the GPU has no FP8 tensor path).
    let tensor16: Double
    let tensor8: Double
    let attentionForwardFraction: Double
    let attentionBackwardFraction: Double
    let attentionHalfSequence: Double
    /// Softmax exponentials per second a fused attention kernel sustains
    /// (`EfficiencyProfile.attentionExponentialsPerFlop` on the 16-bit tensor peak, same clock).
    let exponentials: Double
    /// Fused-attention time with attention dropout on over none, for the kernel that runs
    /// (`EfficiencyProfile.attentionDropoutSlowdown`).
    let attentionDropoutSlowdown: Double
    /// Achieved HBM bytes/s.
    let hbm: Double
    let kernelFloor: Double
    /// Shortest time of one expert's GEMM in a per-expert grouped GEMM: 16-bit and FP8.
    let perExpertGEMM16: Double
    let perExpertGEMM8: Double

    init(cluster: Cluster, setup: TrainingSetup) {
        let gpu = cluster.gpu, e = cluster.efficiency
        // Sustained clock under a lower power limit: (P/P_ref)^(1/3), capped at 1.
        let ratio = e.referencePowerWatts > 0 && gpu.tdpWatts > 0 ? gpu.tdpWatts / e.referencePowerWatts : 1
        let clock = (ratio >= 1 ? 1 : cubeRoot(ratio)) * e.sustainedFraction
        // FP32 training runs its matmuls on the FP32 (non-tensor) path: PyTorch has
        // `torch.backends.cuda.matmul.allow_tf32 = False` by default since 1.12 (PyTorch docs,
        // "CUDA semantics", TensorFloat-32 (TF32) on Ampere (and later) devices), so an fp32
        // GEMM runs at the FP32 CUDA-core peak, and fp32 attention (no FlashAttention kernel
        // takes fp32) runs on the same units. MFU divides by the same peak (`Workload.mfuPeak`).
        let tensorPeak16 = gpu.bf16Flops > 0 ? gpu.bf16Flops : gpu.fp16Flops
        let p16: Double
        switch setup.dtype {
        case .fp32: p16 = gpu.fp32Flops
        case .fp16: p16 = gpu.fp16Flops
        case .tf32: p16 = gpu.tf32Flops
        case .bf16, .fp8: p16 = tensorPeak16
        }
        tensor16 = max(p16 * clock, 1)
        exponentials = max(tensorPeak16 * clock * e.attentionExponentialsPerFlop * e.attentionExponentialFraction, 1)
        tensor8 = gpu.fp8Flops > 0 ? max(gpu.fp8Flops * clock, 1) : tensor16
        gemm16 = max(tensor16 * e.gemmPeakFraction16, 1)
        let p8 = gpu.fp8Flops * clock * e.gemmPeakFraction8
        gemm8 = p8 > 0 ? p8 : gemm16
        halfDimension = e.gemmHalfDimension
        // Deterministic Transformer Engine attention runs FlashAttention-2 off Hopper
        // (`FrameworkProfile.deterministicAttention`).
        let generation = gpu.architecture
        let deterministicFallback = setup.pricedFramework.deterministicAttention
            && setup.pricedFramework.attentionKernel == .vendor && generation != .hopper
        let portable = setup.pricedFramework.attentionKernel == .portable || deterministicFallback
        attentionDropoutSlowdown = portable ? e.portableAttentionDropoutSlowdown : e.attentionDropoutSlowdown
        attentionForwardFraction = portable ? e.portableAttentionForwardFraction : e.attentionForwardFraction
        // Deterministic backward kernels accumulate dQ in a fixed order instead of racing
        // atomic adds (FlashAttention-2: one thread block per head walks the key blocks;
        // cuDNN/FA3/FA4: serialised dQ reductions).
        let deterministic = setup.pricedFramework.deterministicAttention
        attentionBackwardFraction = portable
            ? e.portableAttentionBackwardFraction
                / (deterministic ? e.portableAttentionDeterministicBackwardSlowdown : 1)
            : e.attentionBackwardFraction / (deterministic ? e.attentionDeterministicBackwardSlowdown : 1)
        attentionHalfSequence = e.attentionHalfSequence
        hbm = max(gpu.hbmBandwidth * e.hbmFraction, 1)
        kernelFloor = e.kernelFloorSeconds
        perExpertGEMM16 = e.groupedGemmPerExpertSeconds16
        perExpertGEMM8 = e.groupedGemmPerExpertSeconds
    }

    /// GEMM of m×k by k×n: compute at the shape-dependent rate or HBM traffic, whichever is
    /// longer (roofline), and never shorter than one kernel.
    @inline(__always)
    func gemm(_ m: Double, _ n: Double, _ k: Double, fp8: Bool) -> Double {
        if !(m > 0 && n > 0 && k > 0) { return 0 }
        let shape = 1 + halfDimension / m + halfDimension / n + halfDimension / k
        let compute = 2 * m * n * k * shape / (fp8 ? gemm8 : gemm16)
        let bytes = (m * k + k * n) * (fp8 ? 1 : 2) + m * n * 2
        return max(max(compute, bytes / hbm), kernelFloor)
    }

    /// `groups` GEMMs of the same shape in one grouped kernel (MoE experts): the shape penalty
    /// of one group, the HBM traffic of all, one kernel floor.
    @inline(__always)
    func groupedGEMM(groups: Double, rows: Double, _ n: Double, _ k: Double, fp8: Bool) -> Double {
        if !(groups > 0 && rows > 0 && n > 0 && k > 0) { return 0 }
        let shape = 1 + halfDimension / rows + halfDimension / n + halfDimension / k
        let compute = 2 * groups * rows * n * k * shape / (fp8 ? gemm8 : gemm16)
        let bytes = groups * ((rows * k + k * n) * (fp8 ? 1 : 2) + rows * n * 2)
        return max(max(compute, bytes / hbm), kernelFloor)
    }

    /// The GEMMs of `experts` local experts with `rows` tokens each, in a grouped kernel that
    /// runs at `saturation` of the large-GEMM rate (`ExpertPhysics.groupedSaturation`: the
    /// measured grouped-GEMM curve already holds the tile losses of expert-sized n and k, so no
    /// further shape penalty), or its HBM traffic, and never shorter than the per-expert GEMM
    /// floor (`EfficiencyProfile.groupedGemmPerExpertSeconds` in FP8, `…Seconds16` in 16-bit:
    /// Transformer Engine's GroupedLinear issues one cuBLASLt GEMM per expert), the kernel floor
    /// per expert when graphed, or one floor for a single grouped kernel (`launch`).
    @inline(__always)
    func expertGEMM(experts: Double, rows: Double, _ n: Double, _ k: Double, fp8: Bool,
                    saturation: Double, launch: FrameworkProfile.ExpertGEMMLaunch) -> Double {
        if !(experts > 0 && rows > 0 && n > 0 && k > 0 && saturation > 0) { return 0 }
        let compute = 2 * experts * rows * n * k / ((fp8 ? gemm8 : gemm16) * saturation)
        let bytes = experts * ((rows * k + k * n) * (fp8 ? 1 : 2) + rows * n * 2)
        let launches: Double
        switch launch {
        case .perExpert: launches = experts * max(fp8 ? perExpertGEMM8 : perExpertGEMM16, kernelFloor)
        case .graphed: launches = experts * kernelFloor   // no launch or stream hand-off each
        case .single: launches = kernelFloor              // one grouped kernel
        }
        return max(max(compute, bytes / hbm), launches)
    }

    /// Fused attention over `flops` forward FLOPs and `scores` score elements at local sequence
    /// length `s` and head width `d`: forward and backward (2.5× the forward FLOPs) times.
    /// `fp8`: the kernel's FP8 variant runs at the same share of the FP8 tensor rate (FlashAttention-3
    /// FP8 forward ~1.2 PFLOPS of H100's 1979, against ~0.6–0.65 of 989 in 16-bit: Shah et al.
    /// 2024, arXiv 2407.08608, §4.1); no public backward figure, so the backward keeps its ratio.
    /// Each pass also exponentiates every score once (the backward recomputes P), so neither is
    /// shorter than the scores at the sustained exponential rate (`exponentials`): what bounds
    /// narrow heads and FP8 attention on Blackwell.
    @inline(__always)
    func flashAttention(forwardFlops: Double, scores: Double, localSeq s: Double, headDim d: Double,
                        fp8: Bool = false) -> (forward: Double, backward: Double) {
        if !(forwardFlops > 0) { return (0, 0) }
        // Sequence saturation s/(s + s½) and head-width factor d/(d + 32), normalised at d = 128.
        let saturation = s / (s + attentionHalfSequence)
        let width = min((d / (d + 32)) / 0.8, 1.1)
        let rate = (fp8 ? tensor8 : tensor16) * saturation * width
        let softmax = max(scores, 0) / (exponentials * saturation)
        let forward = max(forwardFlops / (rate * attentionForwardFraction), softmax)
        let backward = max(2.5 * forwardFlops / (rate * attentionBackwardFraction), softmax)
        return (max(forward, kernelFloor), max(backward, kernelFloor))
    }

    /// Memory-bound work moving `bytes` through HBM in `kernels` kernels.
    @inline(__always)
    func memoryBound(_ bytes: Double, kernels: Double) -> Double {
        max(bytes / hbm, kernels * kernelFloor)
    }
}

/// Cube root of 0 < x ≤ 1 by Newton's method (keeps the core free of Foundation's `pow`).
func cubeRoot(_ x: Double) -> Double {
    guard x > 0 else { return 0 }
    var y = 1.0
    for _ in 0..<60 { y -= (y * y * y - x) / (3 * y * y) }
    return y
}
