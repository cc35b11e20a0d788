/// The serving cost model of one deployment of one model: memory per GPU, the cost of one
/// engine iteration, and the steady state each load scenario settles in.
///
/// An iteration (one forward pass of the running batch, with whatever prefill tokens the
/// scheduler adds) is priced per kernel class on the roofline (Williams et al. 2009, CACM
/// 52(4)): the linear layers take max(GEMM FLOPs / rate, weight bytes / HBM bandwidth); the
/// attention max(FLOPs / rate, KV bytes / bandwidth); elementwise kernels their activation
/// traffic; then the TP all-reduces, the pipeline sends, and the kernel launch gaps. Decode is
/// memory-bound at small batches (every weight is read once per iteration, amortised over the
/// batch); prefill is compute-bound (2·N FLOPs per token plus causal attention).
///
/// Build once (checks, sizes and rates happen here), then call `evaluate`, which allocates
/// nothing.
public struct ServingCostModel: Sendable {
    public let model: ModelSpec
    public let cluster: Cluster
    public internal(set) var deployment: ServingDeployment
    public let settings: ResolvedServingSettings
    public let weights: ServingWeights
    public let kvCache: KVCacheLayout
    public let kernels: ServingKernels

    // Per GPU, per pipeline stage.
    let tp: Double
    let pp: Double
    var replicas: Double
    let stageLayers: Double
    let stageMoELayers: Double
    /// Weight bytes a stage's forward reads, apart from the routed experts.
    let stageNonExpertBytes: Double
    let kvBytesPerToken: Double
    /// The bounded and state layers of a model with per-layer kinds (nil: uniform model).
    let attentionLayout: AttentionLayout?
    let fullAttentionLayers: Double
    let gemmRate: Double
    let gemmHalfDimension: Double
    let groupedGemmFraction: Double
    /// c / (split dimension) of the dense and expert GEMMs, FLOP-weighted: the tile loss of
    /// the one dimension tensor parallelism cuts (EfficiencyProfile.gemmHalfDimension's
    /// 1 + c/m + c/n + c/k law, the unsplit n or k of ≥ 4096 contributing < 4 %).
    let denseSplitPenalty: Double
    let expertSplitPenalty: Double
    let attentionRate: Double
    let attentionHalfSequence: Double
    let hbmRate: Double
    let streamRate: Double
    let interconnect: Interconnect
    let matmulFlopsPerToken: Double
    /// The LM head's share of it, 2 · vocab · h: engines compute logits for decode tokens and
    /// for the last position of each prompt only (vLLM `LogitsProcessor` over
    /// `selected_token_indices`; TensorRT-LLM `gather_context_logits` off by default; SGLang
    /// `LogitsProcessor` prunes to the last token), never for the whole prompt.
    let headFlopsPerToken: Double
    /// The routed experts' share of `matmulFlopsPerToken` (0 for a dense model).
    let expertFlopsPerToken: Double
    /// Tokens each routed expert sees per token of the batch: k / E (balanced).
    let expertTokenShare: Double
    let attentionWidth: Double
    let hidden: Double
    let elementwiseBytesPerTokenLayer: Double
    /// Ops the host dispatches per decoder layer when the engine issues every op from Python
    /// (`ServingEngine.hostOpsPerLayer(model:)`; 0: kernels launched from C++ or a graph).
    let engineHostOpsPerLayer: Double
    let peakFlops: Double
    var memoryPlan: ServingMemory

    public init(model: ModelSpec, cluster: Cluster, deployment: ServingDeployment,
                kernels: ServingKernels = ServingKernels()) throws(PDCostError) {
        let m = try model.validated()
        let c = try cluster.validated()
        let d = try deployment.validated(model: m, cluster: c)
        let rs = d.settings.resolved(engine: d.engine, gpu: c.gpu)
        self.model = m
        self.cluster = c
        self.deployment = d
        self.settings = rs
        self.kernels = kernels
        tp = Double(d.tp)
        pp = Double(d.pp)
        replicas = Double(d.replicas)
        let w = ServingWeights(model: m, tp: d.tp, precision: d.weightPrecision,
                               attentionShards: d.attentionDataParallel ? 1 : d.tp)
        weights = w
        kvCache = KVCacheLayout(model: m, tp: d.attentionDataParallel ? 1 : d.tp,
                                precision: d.kvCachePrecision, blockSize: rs.kvBlockSize)
        stageLayers = Double(m.numLayers) / pp
        stageMoELayers = Double(m.numMoELayers) / pp
        // A stage holds 1/pp of the decoder blocks and the larger of the embedding (first
        // stage) and the LM head (last stage): the busiest stage sets the pace.
        let blocks = w.bytesPerGPU - w.embeddingBytes - w.headBytes
        let stageWeights = blocks / pp + (d.pp == 1 ? w.embeddingBytes + w.headBytes : max(w.embeddingBytes, w.headBytes))
        // With pp micro-batches in flight every stage runs each step and the busiest one (the
        // last, with the LM head) sets the pace; with one batch in flight the stages run in
        // turn, so their sum reads the head once: spread it over the stages.
        stageNonExpertBytes = (w.nonExpertReadBytes - w.headBytes) / pp
            + (d.engine.pipelinesMicroBatches ? w.headBytes : w.headBytes / pp)
        kvBytesPerToken = kvCache.bytesPerToken / pp
        attentionLayout = m.layers == nil ? nil : AttentionLayout(m)
        fullAttentionLayers = Double(m.numLayers(mixer: .fullAttention))
        let e = c.efficiency
        // Large-GEMM rate: MAMF fraction of the dense peak in the GEMM precision (burst rates:
        // serving iterations are milliseconds, not the power-soaked sustained rate of training).
        // W8A8 FP8 runs on FP8 tensor cores where the GPU has them; elsewhere (A100) FP8
        // checkpoints run weight-only (vLLM Marlin FP8, fp8_marlin.py) at the 16-bit rate.
        // NVFP4 runs at twice the FP8 peak on Blackwell (NVIDIA B200 datasheet: 9 vs 4.5 PFLOPS
        // dense).
        // Under sustained load (a benchmark, a busy server) the GPU runs at its power-limited
        // clock: the training model's sustained fraction and (P/P_ref)^(1/3) law
        // (Training/Workload.swift).
        let power = e.referencePowerWatts > 0 && c.gpu.tdpWatts > 0 ? c.gpu.tdpWatts / e.referencePowerWatts : 1
        let clock = (power >= 1 ? 1 : FitMath.exp(FitMath.log(power) / 3)) * e.sustainedFraction
        let peak16 = max(c.gpu.bf16Flops, c.gpu.fp16Flops)
        switch d.weightPrecision {
        case .fp8 where c.gpu.supportsFP8: gemmRate = c.gpu.peakFlops(.fp8) * e.gemmPeakFraction8 * clock
        case .fp4: gemmRate = 2 * c.gpu.peakFlops(.fp8) * e.gemmPeakFraction8 * clock
        default: gemmRate = peak16 * e.gemmPeakFraction16 * clock
        }
        peakFlops = peak16
        gemmHalfDimension = e.gemmHalfDimension
        groupedGemmFraction = e.groupedGemmFraction
        // Megatron TP splits QKV and gate/up along their outputs and the attention output and
        // down projections along their inputs: per rank (q + 2·kv)·d/tp, h/tp, 2·I/tp, I/tp.
        let c0 = e.gemmHalfDimension
        let h = Double(m.hiddenSize), hd = Double(m.headDim)
        let qkv = Double(m.numAttentionHeads + 2 * m.numKeyValueHeads) * hd
        let attnOut = Double(m.numAttentionHeads) * hd
        let inter = Double(m.intermediateSize)
        let mlpMatrices = m.mlpKind == .gated ? 3.0 : 2.0
        let splitOf = { (width: Double) in c0 * Double(d.tp) / max(width, 1) }
        let attnFlops = h * (qkv + attnOut)
        let mlpFlops = mlpMatrices * h * inter
        let attnPenalty = (h * qkv * splitOf(qkv) + h * attnOut * splitOf(attnOut)) / max(attnFlops, 1)
        let mlpPenalty = ((mlpMatrices - 1) * splitOf((mlpMatrices - 1) * inter) + splitOf(inter)) / mlpMatrices
        denseSplitPenalty = m.numDenseLayers > 0
            ? (attnFlops * attnPenalty + mlpFlops * mlpPenalty) / (attnFlops + mlpFlops) : attnPenalty
        if let moe = m.moe {
            let width = Double(moe.expertIntermediateSize)
            expertSplitPenalty = d.expertParallel ? c0 / max(width, 1)
                : ((mlpMatrices - 1) * splitOf((mlpMatrices - 1) * width) + splitOf(width)) / mlpMatrices
        } else {
            expertSplitPenalty = 0
        }
        // Prefill attention in 16-bit at the fused-kernel fraction (FA3/cuDNN, FlashInfer, XQA).
        attentionRate = peak16 * e.attentionForwardFraction * clock
        attentionHalfSequence = e.attentionHalfSequence
        hbmRate = c.gpu.hbmBandwidth * e.hbmFraction
        streamRate = c.gpu.hbmBandwidth * e.hbmStreamFraction
        interconnect = Interconnect(cluster: c)
        matmulFlopsPerToken = 2 * Double(ParameterCounter.activeMatmulParameters(m))
        headFlopsPerToken = 2 * Double(m.vocabSize) * Double(m.hiddenSize)
        if let moe = m.moe {
            expertFlopsPerToken = 2 * Double(m.numMoELayers * moe.expertsPerToken * ParameterCounter.layer(m).expert)
            expertTokenShare = Double(moe.expertsPerToken) / Double(max(moe.numExperts, 1))
        } else {
            expertFlopsPerToken = 0
            expertTokenShare = 0
        }
        if let mla = m.mla {
            attentionWidth = Double(m.numAttentionHeads * (mla.qkHeadDim + mla.vHeadDim))
        } else {
            attentionWidth = Double(2 * m.numAttentionHeads * m.headDim)
        }
        hidden = Double(m.hiddenSize)
        elementwiseBytesPerTokenLayer = ServingMemory.elementwiseBytesPerTokenLayer(model: m, tp: d.tp)
        engineHostOpsPerLayer = d.engine.hostOpsPerLayer(model: m) ?? 0
        memoryPlan = ServingMemory(model: m, gpu: c.gpu, settings: rs, tp: d.tp, pp: d.pp,
                                   weightsBytes: stageWeights, kvBytesPerToken: kvCache.everyLayerBytesPerToken / pp,
                                   blockSize: rs.kvBlockSize)
    }

    /// Memory of one GPU for this deployment.
    public var memory: ServingMemory { memoryPlan }

    /// Causal attention forward FLOPs of one sequence of `s` tokens (all ranks): per layer
    /// 2 · s² · (d_qk + d_v) · heads / 2 (FlopsPerToken's convention, FLOPs.swift).
    @inline(__always)
    public func prefillAttentionFlops(sequenceLength s: Double) -> Double {
        guard let layout = attentionLayout else { return Double(model.numLayers) * s * s * attentionWidth }
        // Full layers as above; windowed layers over min(s, W) context; state layers per token.
        return s * (fullAttentionLayers * s * attentionWidth + layout.boundedAttentionFlops(sequenceLength: s, causal: true)
                    + layout.stateFlopsPerToken)
    }

    /// Attention FLOPs of one decoded token over `context` cached tokens (all ranks): full
    /// layers over the whole context, windowed layers over their window, state layers per token.
    @inline(__always)
    func decodeAttentionFlopsPerToken(context: Double) -> Double {
        guard let layout = attentionLayout else { return 2 * Double(model.numLayers) * context * attentionWidth }
        let windowed = layout.slidingLayers * min(context, layout.window > 0 ? layout.window : context)
            + layout.chunkedLayers * min(context, layout.chunk > 0 ? layout.chunk : context)
            + layout.sparseLayers * min(context, layout.topK > 0 ? layout.topK : context)
        return 2 * (fullAttentionLayers * context + windowed) * attentionWidth + layout.stateFlopsPerToken
            + 2 * layout.sparseLayers * layout.indexerWidth * context
    }

    /// Per-sequence KV bytes per GPU beyond the full-attention layers' blocks (windows, state).
    @inline(__always)
    func extraKVBytes(tokens: Double) -> Double {
        attentionLayout == nil ? 0 : kvCache.extraSequenceBytes(tokens: tokens) / pp
    }

    /// Forward FLOPs of a batch of prompts (all ranks): 2 · N_active · tokens, the LM head at
    /// the last position only, and attention.
    @inline(__always)
    public func prefillFlops(batch: Double, inputTokens s: Double) -> Double {
        batch * ((matmulFlopsPerToken - headFlopsPerToken) * s + headFlopsPerToken
                 + prefillAttentionFlops(sequenceLength: s))
    }

    /// Distinct routed experts a forward pass over `tokens` tokens reads per MoE layer.
    @inline(__always)
    func touchedExperts(tokens: Double) -> Double {
        settings.moeRouting == .concentrated
            ? min(Double(weights.expertsPerToken), Double(weights.numExperts))
            : weights.distinctExperts(tokens: tokens)
    }

    /// One pipeline stage's forward pass on one GPU: `decodes` sequences at mean context
    /// `context` and `prefill` prompt tokens of prompts `promptLength` long.
    @inline(__always)
    func stage(decodes b: Double, context: Double, prefill p: Double, promptLength s: Double) -> IterationCost {
        let tokens = b + p
        guard tokens > 0 else { return IterationCost() }
        // Linear layers: FLOPs at the GEMM rate, degraded by the token dimension's tile fill
        // (EfficiencyProfile.gemmHalfDimension), against one read of the weights.
        // Routed experts run as a grouped GEMM whose token dimension is each expert's share of
        // the batch, tokens · k / E (all tokens under concentrated routing): few tokens per
        // expert fill few tiles (SimuMax's B200 grouped-GEMM table: 0.2 of peak at ~130 tokens
        // per expert, 0.5 near 1,000).
        let logitTokens = b + (p > 0 ? p / max(s, 1) : 0)
        let denseFlops = ((matmulFlopsPerToken - expertFlopsPerToken - headFlopsPerToken) * tokens
                          + headFlopsPerToken * logitTokens) / (tp * pp)
        let expertFlops = expertFlopsPerToken * tokens / (tp * pp)
        let perExpert = settings.moeRouting == .concentrated ? tokens : max(tokens * expertTokenShare, 1)
        let gemmSeconds = denseFlops / (gemmRate / (1 + gemmHalfDimension / tokens + denseSplitPenalty))
            + expertFlops / (gemmRate * groupedGemmFraction / (1 + gemmHalfDimension / perExpert + expertSplitPenalty))
        let expertBytes = stageMoELayers * touchedExperts(tokens: tokens) * weights.expertBytesPerGPU
        let weightSeconds = (stageNonExpertBytes + expertBytes) / streamRate
        // Attention: prefill at the fused-kernel rate with its sequence saturation s/(s + s½)
        // (Training/Workload.swift's law); decode reads each sequence's cache once (2 FLOPs per
        // cached element per query, far below the bandwidth roofline).
        let layers = stageLayers
        var prefillAttention = p > 0
            ? p * s * layers * attentionWidth / tp / (attentionRate * s / (s + attentionHalfSequence)) : 0
        var decodeAttentionFlops = b * context * layers * 2 * attentionWidth / tp
        var kvBytes = (b * context + tokens) * kvBytesPerToken
        if let layout = attentionLayout {
            // Per-layer kinds: full layers see the whole context, windowed layers at most their
            // window, state layers cost a fixed amount per token (AttentionLayout).
            let perTokenPrefill = (fullAttentionLayers * s * attentionWidth
                + layout.boundedAttentionFlops(sequenceLength: s, causal: true) + layout.stateFlopsPerToken) / pp
            prefillAttention = p > 0 ? p * perTokenPrefill / tp / (attentionRate * s / (s + attentionHalfSequence)) : 0
            decodeAttentionFlops = b * decodeAttentionFlopsPerToken(context: context) / pp / tp
            kvBytes = (b * context + tokens) * kvBytesPerToken + b * extraKVBytes(tokens: context)
        }
        let attentionSeconds = max(prefillAttention + decodeAttentionFlops / gemmRate, kvBytes / streamRate)
        let elementwise = tokens * layers * elementwiseBytesPerTokenLayer / hbmRate
        let gpu = max(gemmSeconds, weightSeconds) + attentionSeconds + elementwise
        let compute = gemmSeconds + prefillAttention + decodeAttentionFlops / gemmRate
        // TP all-reduces: two per layer of tokens × hidden 16-bit values (Shoeybi et al. 2019
        // §3, Fig. 4); one-shot kernels below their size cap, NCCL above.
        var comm = 0.0
        if tp > 1 {
            let bytes = tokens * hidden * 2
            let one: Double
            if settings.customAllReduce, bytes <= kernels.customAllReduceMaxBytes {
                // One shot: every rank reads the whole buffer of each of its tp − 1 peers.
                // Two shots (reduce-scatter, then all-gather): 2 · (tp − 1)/tp of it, at two
                // barriers. Engines switch to two shots as the message grows (vLLM
                // custom_all_reduce.cuh: above 256 KB at 8 GPUs, 512 KB at 4; TensorRT-LLM
                // customAllReduceKernels the same way), i.e. take the faster.
                let barrier = kernels.customAllReduceLatency + kernels.customAllReducePeerLatency * (tp - 1)
                let oneShot = barrier + bytes * (tp - 1) / interconnect.nvlinkBandwidth
                let twoShot = 2 * barrier + 2 * bytes * (tp - 1) / tp / interconnect.nvlinkBandwidth
                one = min(oneShot, twoShot)
            } else {
                one = interconnect.allReduce(bytes: bytes, ranks: tp, perNode: tp)
            }
            // Attention: one all-reduce per layer, none when each rank attends its own
            // sequences (attention data parallel). FFN: one all-reduce per dense layer; MoE
            // layers under expert parallelism instead dispatch each token's hidden state to
            // its k experts' ranks and combine the results, two all-to-alls of
            // tokens·k·h 16-bit values over the ranks (Lepikhin et al. 2021, GShard, §2.2).
            let attention = deployment.attentionDataParallel ? 0 : layers * one
            var ffn = layers * one
            if deployment.expertParallel, stageMoELayers > 0 {
                let perRank = tokens * Double(weights.expertsPerToken) * hidden * 2 / tp
                let a2a = interconnect.allToAll(bytesPerRank: perRank, ranks: tp, perNode: tp)
                ffn = (layers - stageMoELayers) * one + stageMoELayers * 2 * a2a
            }
            comm = attention + ffn
        }
        let tensorParallelComm = comm
        if pp > 1 {
            // One activation send to the next stage (NCCL send/recv on NVLink or the network).
            comm += interconnect.sendRecv(bytes: tokens * hidden * 2, acrossNodes: tp * pp > Double(cluster.gpusPerNode))
        }
        let tensorParallelOps: Double = tp > 1 ? 2 : 0
        let moeOps = kernels.extraKernelsPerMoELayer * stageMoELayers
        let overhead: Double
        if engineHostOpsPerLayer > 0 {
            // Python issues every op (the eager engine): the host runs ahead of the GPU until
            // the step's synchronisation, so the stage takes the longer of the host's issue
            // time and the GPU's work (TP all-reduces included; each is one more dispatched op);
            // only the host time the GPU does not cover is added. The pipeline hop waits for
            // the stage's last kernel, so it is not hidden.
            let ops = (engineHostOpsPerLayer + tensorParallelOps) * layers + moeOps
            overhead = max(0, ops * kernels.eagerHostSecondsPerOp - (gpu + tensorParallelComm))
        } else {
            // Kernel launch gaps: replayed from a CUDA graph when the engine captured one for
            // this batch (decode-only iterations up to the capture size), launched by the host
            // otherwise.
            let graphed = settings.cudaGraphs && b <= Double(settings.cudaGraphMaxBatch)
                && (p == 0 || settings.engine != .sglang)
            let gap = graphed ? kernels.graphKernelGap : kernels.eagerKernelGap
            overhead = ((kernels.kernelsPerLayer + tensorParallelOps) * layers + moeOps) * gap
        }
        return IterationCost(compute: compute, gpu: gpu, communication: comm, overhead: overhead)
    }

    /// One iteration of a replica: every stage once, plus the host's scheduling step. With
    /// pp > 1 the replica keeps pp batches in flight (vLLM virtual engines, TensorRT-LLM
    /// micro-batches), each of `decodes / pp` sequences; a token takes all pp stages.
    /// An engine with one batch in flight (`ServingEngine.pipelinesMicroBatches` false) runs
    /// the whole batch through every stage in turn: pp stage times of the full batch.
    @inline(__always)
    func iteration(decodes b: Double, context: Double, prefill p: Double, promptLength s: Double) -> IterationCost {
        let inFlight = settings.engine.pipelinesMicroBatches ? pp : 1
        var one = stage(decodes: b / inFlight, context: context, prefill: p / inFlight, promptLength: s)
        one.scale(pp)
        one.overhead += settings.engine.stepHostSeconds
        return one
    }

    /// Time from the start of the iteration that takes a prompt (`prompt` tokens, possibly
    /// several prompts of `promptLength`) to its first token, with `decodes` sequences running.
    /// Without pipeline parallelism that is one iteration. With pp stages a prompt cannot use
    /// the stages at once — its tokens pass through all of them in turn — except as chunks:
    /// under chunked prefill each chunk of the token budget enters the next micro-batch while
    /// the previous one moves down the pipe (vLLM V1 advances `num_computed_tokens` when it
    /// schedules a chunk, so the request's next chunk is schedulable at once), giving
    /// (chunks + pp − 1) stage times (the pipeline fill of GPipe, Huang et al. 2019).
    @inline(__always)
    func promptLatency(decodes b: Double, context: Double, prompt p: Double, promptLength s: Double) -> IterationCost {
        guard pp > 1 else { return iteration(decodes: b, context: context, prefill: p, promptLength: s) }
        let budget = max(Double(settings.maxNumBatchedTokens) - (settings.mixedBatching ? b / pp : 0), 1)
        let chunk = settings.chunkedPrefill ? min(p, budget) : p
        let chunks = chunk > 0 ? (p / chunk).rounded(.up) : 1
        var one = stage(decodes: b / pp, context: context, prefill: chunk, promptLength: s)
        one.scale(chunks + pp - 1)
        one.overhead += settings.engine.stepHostSeconds
        return one
    }

    public func evaluate(_ workload: ServingWorkload) throws(PDCostError) -> ServingPrediction {
        let w = try workload.validated()
        guard deployment.engine.continuousBatching else { return try evaluateStatic(w) }
        return ServingSteadyState(m: self, w: w).prediction()
    }

    /// An engine without continuous batching (`ServingEngine.continuousBatching` false) runs
    /// only the static batch it is given. Its memory is that batch's: the activation of one
    /// prefill over every prompt (batch × input tokens: no token budget splits it) and a
    /// cache of batch × (input + output) tokens preallocated up front (bench/serve.py
    /// `_Runner.__init__`), unless the settings state `max_num_batched_tokens` or
    /// `kv_cache_max_tokens`. Rebuilds the memory plan: not allocation-free.
    func evaluateStatic(_ w: ServingWorkload) throws(PDCostError) -> ServingPrediction {
        guard w.scenario == .staticBatch else {
            throw .unsupported("workload.scenario='\(w.scenario.rawValue)' needs continuous batching; engine='\(deployment.engine.rawValue)' runs one static batch (scenario 'static_batch')")
        }
        var given = deployment.settings
        let batch = Double(w.batchSize), input = Double(w.inputTokens), output = Double(w.outputTokens)
        // Validated workloads keep batch × tokens ≤ 2^20 · 2^31 (PDCostLimits): exact in Int.
        given.maxNumBatchedTokens = given.maxNumBatchedTokens ?? Int(batch * input)
        given.kvCacheMaxTokens = given.kvCacheMaxTokens ?? Int(batch * (input + output))
        var sized = self
        sized.memoryPlan = ServingMemory(model: model, gpu: cluster.gpu,
                                         settings: given.resolved(engine: deployment.engine, gpu: cluster.gpu),
                                         tp: deployment.tp, pp: deployment.pp, weightsBytes: memoryPlan.weightsBytes,
                                         kvBytesPerToken: kvCache.everyLayerBytesPerToken / pp,
                                         blockSize: settings.kvBlockSize)
        return ServingSteadyState(m: sized, w: w).prediction()
    }
}

/// The time of one iteration, split the way the prediction reports it.
struct IterationCost {
    /// FLOP time of GEMMs and attention.
    var compute: Double = 0
    /// GPU time of all kernels (roofline per kernel class).
    var gpu: Double = 0
    var communication: Double = 0
    /// Launch gaps and host scheduling.
    var overhead: Double = 0

    var total: Double { gpu + communication + overhead }
    var memoryBound: Double { max(gpu - compute, 0) }

    mutating func scale(_ k: Double) {
        compute *= k
        gpu *= k
        communication *= k
        overhead *= k
    }

    static func + (a: IterationCost, b: IterationCost) -> IterationCost {
        IterationCost(compute: a.compute + b.compute, gpu: a.gpu + b.gpu,
                      communication: a.communication + b.communication, overhead: a.overhead + b.overhead)
    }
}
