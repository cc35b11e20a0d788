/// A plan-level serving model for one deployment of one model: TP over one node, PP = 1, a
/// static batch of equal requests.
///
/// Physics (roofline, Williams et al. 2009, CACM 52(4)): every phase costs
/// max(FLOPs / achieved FLOP rate, bytes / achieved HBM bandwidth) plus its exposed TP
/// all-reduces. Prefill is compute-bound at long prompts (GEMM + causal attention FLOPs); a
/// decode step is memory-bound at small batches (it reads all weights once, the batch's KV
/// cache, and — for MoE — only the experts its tokens touch), amortised over the batch.
/// Rates come from the existing `EfficiencyProfile` (large-GEMM peak fraction, attention
/// forward fraction and its sequence saturation, HBM fraction) and the all-reduces from
/// `Interconnect` (NCCL ring latency + bus bandwidth; small decode messages are latency-bound).
///
/// Build once (the checks and the weight/KV sizes happen here), then call `evaluate`, which
/// allocates nothing.
public struct ServingCostModel: Sendable {
    public let model: ModelSpec
    public let cluster: Cluster
    public let deployment: ServingDeployment
    public let weights: ServingWeights
    public let kvCache: KVCacheLayout

    // Precomputed rates and sizes.
    let tp: Double
    let gemmRate: Double
    let attentionRate: Double
    let attentionHalfSequence: Double
    let hbmRate: Double
    let interconnect: Interconnect
    let matmulFlopsPerToken: Double
    let attentionWidth: Double
    let layers: Double
    let hidden: Double
    let activationBytes: Double
    let kernelFloor: Double

    public init(model: ModelSpec, cluster: Cluster, deployment: ServingDeployment) throws(PDCostError) {
        let m = try model.validated()
        let c = try cluster.validated()
        let d = try deployment.validated(model: m, cluster: c)
        self.model = m
        self.cluster = c
        self.deployment = d
        weights = ServingWeights(model: m, tp: d.tp, precision: d.weightPrecision)
        kvCache = KVCacheLayout(model: m, tp: d.tp, precision: d.kvCachePrecision, blockSize: d.blockSize)
        let e = c.efficiency
        tp = Double(d.tp)
        // Large-GEMM rate: MAMF fraction of the dense peak in the GEMM precision (burst, not the
        // power-soaked `sustainedFraction` of training: serving steps are milliseconds long).
        let p = d.weightPrecision.computePrecision
        let peak = c.gpu.peakFlops(p) > 0 ? c.gpu.peakFlops(p) : c.gpu.peakFlops(.bf16)
        gemmRate = peak * (p == .fp8 ? e.gemmPeakFraction8 : e.gemmPeakFraction16)
        // Prefill attention runs in 16-bit at the fused-kernel fraction (FA3/cuDNN, FlashInfer).
        let peak16 = max(c.gpu.bf16Flops, c.gpu.fp16Flops)
        attentionRate = peak16 * e.attentionForwardFraction
        attentionHalfSequence = e.attentionHalfSequence
        hbmRate = c.gpu.hbmBandwidth * e.hbmFraction
        interconnect = Interconnect(cluster: c)
        matmulFlopsPerToken = 2 * Double(ParameterCounter.activeMatmulParameters(m))
        if let mla = m.mla {
            attentionWidth = Double(m.numAttentionHeads * (mla.qkHeadDim + mla.vHeadDim))
        } else {
            attentionWidth = Double(2 * m.numAttentionHeads * m.headDim)
        }
        layers = Double(m.numLayers)
        hidden = Double(m.hiddenSize)
        activationBytes = ServingMemory.activationBytes(model: m, tp: d.tp, tokens: d.maxBatchedTokens)
        kernelFloor = e.kernelFloorSeconds
    }

    /// Memory of one rank for this deployment.
    public var memory: ServingMemory {
        ServingMemory(totalBytes: cluster.gpu.memoryBytes, deployment: deployment,
                      weightsBytes: weights.bytesPerGPU, activationBytes: activationBytes)
    }

    /// Causal attention forward FLOPs of one sequence of `s` tokens (all ranks): per layer
    /// 2 · s² · (d_qk + d_v) · heads / 2 (FlopsPerToken's convention, FLOPs.swift).
    @inline(__always)
    public func prefillAttentionFlops(sequenceLength s: Double) -> Double {
        layers * s * s * attentionWidth
    }

    /// Forward FLOPs of a batch of prompts (all ranks): 2 · N_active · tokens + attention.
    @inline(__always)
    public func prefillFlops(batch: Double, inputTokens s: Double) -> Double {
        batch * (matmulFlopsPerToken * s + prefillAttentionFlops(sequenceLength: s))
    }

    /// The TP all-reduces of one forward pass over `tokens` tokens: two per layer (after the
    /// attention output and the FFN down projections, Shoeybi et al. 2019 §3, Fig. 4), each
    /// of tokens · hidden 16-bit activations.
    @inline(__always)
    func allReduceSeconds(tokens: Double) -> Double {
        guard tp > 1 else { return 0 }
        let one = interconnect.allReduce(bytes: tokens * hidden * 2, ranks: tp, perNode: tp)
        return 2 * layers * one
    }

    public func evaluate(_ workload: ServingWorkload) throws(PDCostError) -> ServingPrediction {
        let w = try workload.validated()
        let batch = Double(w.batchSize)
        let input = Double(w.inputTokens)
        let output = Double(w.outputTokens)

        // Memory.
        let mem = memory
        let maxConcurrency = kvCache.maxSequences(freeBytes: mem.kvCacheBytes, tokensPerSequence: w.totalTokens)

        // Prefill: GEMMs at the large-GEMM rate or the weight read, whichever is slower;
        // attention at the fused-kernel rate with its sequence saturation s/(s + s½)
        // (the training model's attention law, Training/Workload.swift).
        let prefillTokens = batch * input
        let gemmSeconds = matmulFlopsPerToken * prefillTokens / tp / gemmRate
        let prefillRead = weights.readBytes(tokens: prefillTokens) / hbmRate
        let saturation = input / (input + attentionHalfSequence)
        let attentionSeconds = batch * prefillAttentionFlops(sequenceLength: input) / tp
            / (attentionRate * saturation)
        let prefillCompute = max(gemmSeconds, prefillRead) + attentionSeconds
        let prefillComm = allReduceSeconds(tokens: prefillTokens)
        let ttft = prefillCompute + prefillComm

        // Decode at the average context of the static batch: steps 2…output see contexts
        // input+1 … input+output−1, average input + output/2.
        let context = input + output / 2
        let kvRead = batch * context * kvCache.bytesPerToken
        let decodeBytes = weights.readBytes(tokens: batch) + kvRead
        let decodeMemory = decodeBytes / hbmRate
        // Decode compute: GEMMs over `batch` tokens and attention scores over the context
        // (2 · context · width per token and layer: no causal halving for one query).
        let decodeFlops = batch * (matmulFlopsPerToken + 2 * layers * context * attentionWidth)
        let decodeCompute = decodeFlops / tp / gemmRate
        let decodeComm = allReduceSeconds(tokens: batch)
        let tpot = max(decodeMemory, decodeCompute, kernelFloor) + decodeComm

        let e2e = ttft + (output - 1) * tpot
        let rate = e2e > 0 ? batch * output / e2e : 0
        return ServingPrediction(
            weightsBytesPerGPU: weights.bytesPerGPU, activationBytesPerGPU: mem.activationBytes,
            kvCacheBytesPerGPU: mem.kvCacheBytes, kvBytesPerTokenPerGPU: kvCache.bytesPerToken,
            maxConcurrency: maxConcurrency, fitsInMemory: w.batchSize <= maxConcurrency,
            prefillFlops: prefillFlops(batch: batch, inputTokens: input),
            prefillComputeSeconds: prefillCompute, prefillCommunicationSeconds: prefillComm,
            ttftSeconds: ttft, decodeBytesPerStep: decodeBytes, decodeMemorySeconds: decodeMemory,
            decodeComputeSeconds: decodeCompute, decodeCommunicationSeconds: decodeComm,
            tpotSeconds: tpot, endToEndSeconds: e2e, outputTokensPerSecond: rate,
            outputTokensPerSecondPerGPU: rate / tp)
    }
}
