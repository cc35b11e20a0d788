/// Parameters one GPU holds on one pipeline stage, split by how they are replicated.
struct StageParameters {
    /// Dense parameters (replicated over dp·cp).
    var dense: Double = 0
    /// Expert parameters (replicated over the expert-data-parallel group).
    var expert: Double = 0
    /// Largest single layer's local parameters (FSDP gathers one layer at a time).
    var largestLayer: Double = 0
    /// Largest single parameter tensor: the vocabulary shard on stages holding the embedding
    /// or the output layer (layer matrices are far smaller and are left out).
    var largestTensor: Double = 0
    /// Embedding and output-layer parameters among `dense` (kept in 16-bit under QLoRA).
    var vocabulary: Double = 0
    /// Trainable LoRA adapter parameters (0 unless the base is frozen), besides `total`.
    var adapters: Double = 0
    var total: Double { dense + expert }
}

/// Bytes of model state (weights, gradients, optimizer) on one GPU.
struct ModelStateBytes {
    var parameters: Double = 0
    var gradients: Double = 0
    var optimizer: Double = 0
    /// Parameters sharded per GPU (what the optimizer updates).
    var shardedParameters: Double = 0
}

extension Workload {
    /// Local parameters of one dense-FFN layer and one MoE layer on a GPU.
    func layerParameters(_ c: PlanContext) -> (dense: Double, moe: Double, moeExperts: Double) {
        let attention = localAttentionShardedParams(c.tp) + attentionReplicatedParams + normParams
        let dense = attention + denseMLPShardedParams / c.tp + denseMLPReplicatedParams
        let experts = (experts / c.ep) * expertParams / c.etp
        // The LatentMoE projections are duplicated over TP, like the router.
        let moeDense = attention + sharedExpertParams / c.tp + routerParams + moeLatentParams
        return (dense, moeDense, experts)
    }

    /// Parameters of a stage with `layers` decoder layers, of which `leadingDense` are dense
    /// (DeepSeek's first_k_dense layers sit on the first stage), plus the embedding on the first
    /// stage and the final norm and output layer on the last (Megatron places a tied output
    /// layer's copy of the embedding on the last stage when pp > 1).
    func stageParameters(_ c: PlanContext, layers n: Double, first: Bool, last: Bool) -> StageParameters {
        let per = layerParameters(c)
        var s = StageParameters()
        var moeCount = 0.0, denseCount = n
        if isMoE {
            let leading = first ? min(leadingDenseLayers, n) : 0
            let perStageMoE = moeLayers / max(c.pp, 1)
            moeCount = max(min(n - leading, perStageMoE.rounded(.up)), 0)
            denseCount = n - moeCount
        }
        s.dense = denseCount * per.dense + moeCount * per.moe
        s.expert = moeCount * per.moeExperts
        s.largestLayer = max(denseCount > 0 ? per.dense : 0, moeCount > 0 ? per.moe + per.moeExperts : 0)
        let vocabShard = c.paddedVocab / c.tp * hidden
        if first || last { s.largestTensor = vocabShard }
        if first {
            s.dense += vocabShard + positionParams
            s.vocabulary += vocabShard + positionParams
        }
        if last {
            s.dense += finalNormParams
            if !tiedEmbeddings || !first {
                s.dense += vocabShard
                s.vocabulary += vocabShard
            }
        }
        if adapters.freezesBase {
            s.adapters = denseCount * adapters.parametersPerLayer(tp: c.tp, moe: false)
                + moeCount * adapters.parametersPerLayer(tp: c.tp, moe: true)
        }
        return s
    }

    /// Weights, gradients and optimizer states of a stage on one GPU.
    ///
    /// - Megatron-style (ZeRO ≤ 2 without FSDP): weights in their compute precision; a full
    ///   gradient buffer (fp32 main grads in Megatron) unless ZeRO-2 shards it; optimizer states
    ///   (fp32 master + moments) sharded over dp·cp (experts: over edp) from ZeRO-1 on
    ///   (Rajbhandari et al. 2020 §5.1: (2 + 2 + K)Ψ, (2 + 2 + K/N)Ψ, (2 + (2 + K)/N)Ψ,
    ///   (2 + 2 + K)Ψ/N for stages 0–3 with K = 12).
    /// - FSDP/ZeRO-3: weights, gradients and optimizer states all sharded; FSDP2 keeps fp32
    ///   sharded weights (no separate master copy) and gathers bf16 copies of the layers being
    ///   computed (torch.distributed.fsdp.fully_shard with MixedPrecisionPolicy).
    /// The offload ratio moves that fraction of the optimizer states to the host; DeepSpeed's
    /// offload also moves gradient and parameter partitions (ZeROOffload.swift).
    func modelState(_ c: PlanContext, stage s: StageParameters, framework fw: FrameworkProfile) -> ModelStateBytes {
        if adapters.freezesBase { return frozenBaseState(c, stage: s, framework: fw) }
        if let resident = fw.residentWeightBytes(zeroStage: c.zeroStage, fsdp: c.fsdpWrapped) {
            return residentWeightState(c, stage: s, framework: fw, resident: Double(resident))
        }
        var b = ModelStateBytes()
        let denseShard = fw.shardsOverContextParallel ? c.denseShardGroup : c.dp
        let expertShard = c.edp
        let stateBytes = masterBytes + momentBytes          // K = 12 for Adam
        let keep = 1 - c.offloadRatio
        // FP8 training without FP8 weights keeps an FP8 copy (and its transpose) of each GEMM
        // weight between micro-batches (Transformer Engine caches the cast on the first
        // micro-batch, `is_first_microbatch`).
        let fp8Cache: Double = fp8 && !fw.fp8Params && fw.kind != .torchtitan ? fp8WeightCacheBytes : 0
        let weightBytes = (fp8 && fw.fp8Params ? 2 : paramBytes) + fp8Cache
        if c.fsdp {
            let shardedDense = s.dense / denseShard
            let shardedExpert = s.expert / expertShard
            let sharded = shardedDense + shardedExpert
            b.shardedParameters = sharded
            if fw.kind == .torchtitan {
                // fp32 sharded weights, fp32 sharded grads, moments; bf16 gathered layers.
                b.parameters = 4 * sharded + paramBytes * s.largestLayer * fw.fsdpUnshardedLayers
                b.gradients = 4 * sharded + 4 * s.largestLayer
                b.optimizer = momentBytes * sharded * keep
                if c.pp > 1 {
                    // With pipelining torchtitan keeps the stage unsharded between micro-batches
                    // (`reshard_after_forward=False` when PP is on: parallelize.py), and FSDP2
                    // accumulates the unsharded gradients of all micro-batches in the reduce
                    // dtype until the last one reduce-scatters them
                    // (FSDPParam.to_accumulated_grad_if_needed). The last micro-batch's
                    // backward then copies each layer's accumulated gradient into a fresh
                    // reduce-scatter input in the reduce dtype before freeing it
                    // (torch/distributed/fsdp/_fully_shard/_fsdp_collectives.py, `foreach_reduce`:
                    // `torch.empty(reduce_scatter_input_numel, dtype=reduce_dtype)` + copy-in),
                    // so one layer is held twice, as in the unpipelined case above.
                    b.parameters = 4 * sharded + paramBytes * s.total
                    b.gradients = 4 * sharded + Double(fw.gradReduceBytes) * (s.total + s.largestLayer)
                }
            } else if c.optimizerDevice != .none || c.parameterDevice != .none {
                // DeepSpeed ZeRO-3 with ZeRO-Offload / ZeRO-Infinity (ZeROOffload.swift).
                let d = ZeROOffload.gpuModelStateBytes(parameters: sharded, largestLayer: s.largestLayer, stage: 3,
                                                       ranks: 1, optimizerRatio: c.optimizerDevice != .none ? c.offloadRatio : 0,
                                                       parametersOffloaded: c.parameterDevice != .none,
                                                       weightBytes: weightBytes, gradientBytes: gradBufferBytes,
                                                       optimizerBytes: stateBytes, gatheredLayers: fw.fsdpUnshardedLayers)
                b.parameters = d.weights
                b.gradients = d.gradients
                b.optimizer = d.optimizer
            } else {
                // ZeRO-3 / Megatron-FSDP: bf16 sharded weights and grads, fp32 states.
                b.parameters = weightBytes * sharded + paramBytes * s.largestLayer * fw.fsdpUnshardedLayers
                b.gradients = gradBufferBytes * sharded + gradBufferBytes * s.largestLayer
                b.optimizer = stateBytes * sharded * keep
            }
            return b
        }
        // ZeRO stages 0–2 on dense and expert parameters, each over its own replica group.
        let dense = ZeRO.modelStateBytes(parameters: s.dense, stage: c.zeroStage, ranks: denseShard,
                                         weightBytes: weightBytes, gradientBytes: gradBufferBytes,
                                         optimizerBytes: stateBytes * keep)
        let expert = ZeRO.modelStateBytes(parameters: s.expert, stage: c.zeroStage, ranks: expertShard,
                                          weightBytes: weightBytes, gradientBytes: gradBufferBytes,
                                          optimizerBytes: stateBytes * keep)
        b.parameters = dense.weights + expert.weights
        b.gradients = dense.gradients + expert.gradients
        if c.optimizerDevice != .none && c.zeroStage == 2 {
            // DeepSpeed ZeRO-Offload at stage 2: the gradient partition moves to the host with
            // the optimizer states (ZeROOffload.gpuModelStateBytes).
            b.gradients *= 1 - c.offloadRatio
        }
        b.optimizer = dense.optimizer + expert.optimizer
        if !fw.shardingSplitParam, c.zeroStage >= 1, denseShard > 1 {
            // Sharding V1 assigns whole tensors to ranks by size (greedy), so the fullest rank
            // holds up to the largest tensor's states beyond the even share (list scheduling
            // bound: max load ≤ mean + largest item; Graham 1969).
            b.optimizer += stateBytes * keep * min(s.largestTensor, s.dense * (1 - 1 / denseShard))
        }
        b.shardedParameters = c.zeroStage >= 1 ? s.dense / denseShard + s.expert / expertShard : s.total
        return b
    }

    /// Model state when the optimizer updates the resident weights themselves (torch.optim on
    /// the module's parameters: Hugging Face Trainer, NeMo AutoModel; see
    /// `FrameworkProfile.residentWeightBytes`), with `r` bytes per resident element:
    /// - FSDP (torch `fully_shard` / FSDP1 FULL_SHARD): weights, gradients and moments sharded
    ///   over dp (r + r + K·r bytes per parameter over the group, K = the optimizer's moment
    ///   tensors), plus the 16-bit gathered layers (the one computed and the prefetched one) and
    ///   one layer's unsharded gradient before its reduce-scatter (16-bit, or the reduce dtype
    ///   when wider). With pipelining the stage stays gathered between micro-batches (AutoModel:
    ///   "pipeline-parallel layers do not reshard after forward", FSDP2Config).
    /// - DDP (ZeRO-0): everything replicated: r-byte weights, `.grad` and moments, DDP's
    ///   bucket copy of the gradients (`ddpGradientBucketCopy`) and autocast's 16-bit weight
    ///   copies (`autocastCastsWeights`, when r is wider than the compute dtype).
    /// Gradients a deferred FSDP reduction keeps across micro-batches are added by the caller
    /// (they depend on the micro-batch count, which the search's lower bound leaves out).
    /// E.g. HF Trainer, Llama-3-8B (Ψ = 8.03 B), FSDP over 8: (4 + 4 + 8)Ψ/8 = 16.1 GB
    /// plus two gathered layers (2 × 218 M × 2 B).
    func residentWeightState(_ c: PlanContext, stage s: StageParameters, framework fw: FrameworkProfile,
                             resident r: Double) -> ModelStateBytes {
        var b = ModelStateBytes()
        let keep = 1 - c.offloadRatio
        let moments = momentsQuantized ? momentBytes : r * momentBytes / 4
        if c.fsdp {
            let denseShard = fw.shardsOverContextParallel ? c.denseShardGroup : c.dp
            let sharded = s.dense / denseShard + s.expert / c.edp
            b.shardedParameters = sharded
            let gathered = c.pp > 1 ? s.total : s.largestLayer * fw.fsdpUnshardedLayers
            b.parameters = r * sharded + paramBytes * gathered
            b.gradients = r * sharded + max(paramBytes, gradReduceBytes) * s.largestLayer
            b.optimizer = moments * sharded * keep
            return b
        }
        let casts = fw.autocastCastsWeights && r > paramBytes ? paramBytes * s.total : 0
        b.parameters = r * s.total + casts
        b.gradients = r * s.total * (fw.ddpGradientBucketCopy ? 2 : 1)
        b.optimizer = moments * s.total * keep
        b.shardedParameters = s.total
        return b
    }
}
