import Testing
@testable import PDCost

@Suite("FP8 attention (fp8_attention)")
struct FP8AttentionTests {
    /// Llama-3-70B on one H100 rank (tp 1), seq 8192, FP8: the fused attention kernel runs at the
    /// FP8 tensor rate, 1978.9 against 989.4 TFLOPS (datasheet, the preset), so its time is that ratio of the
    /// 16-bit kernel's; Q, K and V are cast first: 8192 · (64·128 + 8·(128 + 128)) elements,
    /// read 2 B and written 1 B, at 3.35 TB/s · 0.8.
    @Test func kernelAtTheFP8RatePlusCasts() throws {
        let model = try ModelPresets.named("llama3-70b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        func attention(_ fp8Attention: Bool?) -> LayerTime {
            var s = FrameworkSettings()
            s.fp8Attention = fp8Attention
            let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 8, dtype: .fp8,
                                      framework: FrameworkProfile(kind: .megatron, settings: s))
            let w = Workload(model: model, cluster: cluster, setup: setup)
            let c = PlanContext(plan: ParallelPlan(dp: 8), workload: w, microBatchSize: 1,
                                recompute: setup.recompute, offloadRatio: 0)
            return w.layerTimes(c, framework: setup.pricedFramework).dense
        }
        let plain = attention(nil), fp8 = attention(true)
        let casts = 3.0 * 8192 * (64 * 128 + 8 * 256) / (3.35e12 * cluster.efficiency.hbmFraction)
        let kernel = fp8.attentionForward - casts
        #expect(abs(kernel / plain.attentionForward - cluster.gpu.bf16Flops / cluster.gpu.fp8Flops) < 1e-9,
                "\(kernel / plain.attentionForward)")
        #expect(abs(cluster.gpu.bf16Flops / cluster.gpu.fp8Flops - 0.5) < 1e-3)
        #expect(attention(false).attentionForward == plain.attentionForward)
    }
}

@Suite("Selective recomputation of the MoE block")
struct MoERecomputeTests {
    /// Megatron-Core's `moe` recompute module checkpoints MoELayer.forward from routing through
    /// the combine, so the backward re-runs the forward's dispatch and combine: with nothing
    /// overlapped, half of the exposed EP time comes again. Qwen3-30B-A3B over two H100 nodes
    /// (ep 16), against the same cluster with a network a million times faster (the compute, and
    /// so the recomputed compute, is the same).
    @Test func moeRecomputeRepeatsTheForwardAllToAll() throws {
        let model = try ModelPresets.named("qwen3-30b-a3b")
        var gpu = try GPUPresets.named("H100-SXM-80GB")
        func predict(_ gpu: GPUSpec) throws -> Prediction {
            var s = FrameworkSettings()
            s.moeRouterForceBalance = true
            let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 64,
                                      recompute: Recompute(.selective, modules: [.moe]),
                                      framework: FrameworkProfile(kind: .megatron, settings: s))
            return try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 16), setup: setup)
                .evaluate(ParallelPlan(dp: 16, ep: 16))
        }
        let slow = try predict(gpu)
        gpu.networkBandwidth *= 1e6
        gpu.nvlinkBandwidth *= 1e6
        let fast = try predict(gpu)
        let extra = slow.recomputeTime - fast.recomputeTime
        let halfEP = (slow.expertParallelComm.exposed - fast.expertParallelComm.exposed) / 2
        #expect(halfEP > 0.1 && abs(extra - halfEP) < 1e-9 * slow.stepTime, "\(extra) vs \(halfEP)")
    }
}
