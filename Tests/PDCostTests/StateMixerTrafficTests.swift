import FoundationEssentials
import Testing
@testable import PDCost

@Suite("Mamba-2 scan traffic")
struct StateMixerTrafficTests {
    /// Nemotron 3 Nano's mixer (64 heads × 64, N = 128, 8 groups), by hand: I = 4096, G·N = 1024,
    /// X = 6144, Z = 10,304, fp32 chunk states 4·64·64·128/128 = 16,384 B per token.
    /// copy 4·10,304 = 41,216; conv 4·6144 = 24,576; chunk_state 8192 + 2048 + 16,384 = 26,624;
    /// state_passing 32,768; bmm_chunk 4·8·128 = 4096; chunk_scan 24,576 + 2048 + 16,384 + 4096
    /// = 47,104; gated norm 24,576; copies 16,384: 217,344 B per token forward.
    @Test func nemotronNanoForwardBytes() {
        let s = Mamba2Spec(numHeads: 64, headDim: 64, stateSize: 128, groups: 8, convKernel: 4,
                           convBias: true, projectionBias: false)
        #expect(StateMixerTraffic.mamba2ForwardBytesPerToken(s) == 217_344)
    }

    /// The scan's bytes, not its FLOPs, price a Mamba layer: one layer's forward over 8192
    /// tokens on an H100 (3.35 TB/s at the elementwise share 0.8) takes 217,344 · 8192 /
    /// 2.68e12 ≈ 0.66 ms, where its ~3.4 MFLOP per token at an attention kernel's rate would
    /// take ~0.05 ms. The model prices a Nemotron-H step above what GEMMs and attention alone give.
    @Test func hybridStepPaysTheScan() throws {
        let model = try ModelLoader.load(json: try TestFixtures.bytes("nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json"))
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 8)
        let w = Workload(model: model, cluster: cluster, setup: setup)
        let perToken = w.stateMixerBytesPerToken
        // 23 of the 52 layers are Mamba-2.
        #expect(abs(perToken - 217_344.0 * 23 / 52) < 1e-6)
        let plan = ParallelPlan(dp: 8, ep: 8)
        let c = PlanContext(plan: plan, workload: w, microBatchSize: 1, recompute: setup.recompute, offloadRatio: 0)
        let (dense, _) = w.layerTimes(c, framework: setup.pricedFramework)
        let scan = 8192 * perToken / (3.35e12 * cluster.efficiency.hbmFraction)
        #expect(dense.forward > scan && dense.backward > 2.5 * scan)
    }
}

@Suite("LatentMoE pricing")
struct LatentMoETests {
    /// Megatron-Core dispatches the latent, not the hidden state (MoELayer.preprocess projects
    /// first): Nemotron 3 Super's all-to-all bytes are 1024/4096 of what the same experts on h
    /// would send. Over two H100 nodes (ep 16) the fixed latencies are a small part.
    @Test func allToAllAtTheLatentWidth() throws {
        let latent = try ModelLoader.load(json: try TestFixtures.bytes("nvidia__NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4.json"))
        #expect(latent.moe?.latentSize == 1024)
        var wide = latent
        wide.moe?.latentSize = 0
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 16)
        func ep(_ m: ModelSpec) -> Double {
            let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 16)
            let w = Workload(model: m, cluster: cluster, setup: setup)
            let c = PlanContext(plan: ParallelPlan(dp: 16, ep: 16), workload: w, microBatchSize: 1,
                                recompute: setup.recompute, offloadRatio: 0)
            let t = w.layerTimes(c, framework: setup.pricedFramework)
            return w.layerCommunication(c, framework: setup.pricedFramework, dense: t.dense, moe: t.moe).moe.ep.total
        }
        let ratio = ep(latent) / ep(wide)
        #expect(ratio > 0.25 && ratio < 0.26, "\(ratio)")
    }
}

@Suite("Gated DeltaNet scan traffic")
struct DeltaNetTrafficTests {
    /// Qwen3-Next-80B-A3B's mixer (32 value heads, 16 key heads, head widths 128, chunk 64), by
    /// hand: scan 8·32 + 14·32·128 + 12·32·128 + 12·32·64 + 4·32·128·128/64 = 164,096; conv over
    /// 2·2048 + 4096 = 8192 channels 32,768; gated norm 6·4096 = 24,576; in-projection split
    /// 4·(4096 + 8192 + 64) = 49,408: 270,848 B per token forward.
    @Test func qwen3NextForwardBytes() throws {
        let model = try ModelLoader.load(json: try TestFixtures.bytes("Qwen__Qwen3-Next-80B-A3B-Instruct.json"))
        let s = try #require(model.deltaNet)
        #expect(StateMixerTraffic.gatedDeltaNetForwardBytesPerToken(s) == 270_848)
    }
}
