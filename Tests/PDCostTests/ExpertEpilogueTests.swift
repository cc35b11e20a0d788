import FoundationEssentials
import Testing
@testable import PDCost

/// Megatron-Core (core_v0.17.1) runs GPT-OSS's expert bias and GLU clamp as eager ops around
/// its fused activation; their bytes are priced, and only under the Megatron-family frameworks.
@Suite("Eager expert epilogue")
struct ExpertEpilogueTests {
    /// GPT-OSS-120B on H100 at mbs 1, seq 4096, EP 8, force-balanced: 4 · 4096 = 16,384 routed
    /// copies per rank; expert width and hidden size 2880. Per copy, forward: the clamp 16 · 2880
    /// bytes, the FC2 bias 28 · 2880; backward 20 · 2880 each. At 3.35 TB/s · 0.8 the clamp alone
    /// adds 16,384 · 16 · 2880 / 2.68e12 = 0.282 ms to the forward.
    @Test func gptOssClampAndBiasBytes() throws {
        let base = try ModelLoader.load(json: try TestFixtures.bytes("openai__gpt-oss-120b.json"))
        #expect(base.gluClampLimit == 7)
        var unclamped = base
        unclamped.gluClampLimit = 0
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        var s = FrameworkSettings()
        s.moeRouterForceBalance = true
        func moe(_ m: ModelSpec, _ kind: FrameworkProfile.Kind) -> LayerTime {
            let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 8, framework: FrameworkProfile(kind: kind, settings: s))
            let w = Workload(model: m, cluster: cluster, setup: setup)
            let c = PlanContext(plan: ParallelPlan(dp: 8, ep: 8), workload: w, microBatchSize: 1,
                                recompute: setup.recompute, offloadRatio: 0)
            return w.layerTimes(c, framework: setup.pricedFramework).moe
        }
        let rate = 3.35e12 * cluster.efficiency.hbmFraction
        let clamped = moe(base, .megatronBridge), plain = moe(unclamped, .megatronBridge)
        let forward = (clamped.forward - clamped.hostStall) - (plain.forward - plain.hostStall)
        #expect(abs(forward - 16_384 * 16 * 2880 / rate) < 1e-9, "\(forward)")
        #expect(abs((clamped.backward - plain.backward) - 16_384 * 20 * 2880 / rate) < 1e-9)
        // With Megatron-Core's TE op fuser (core_v0.18+) the clamp runs fused: no extra bytes.
        s.teOpFuser = true
        let fusedClamped = moe(base, .megatronBridge), fusedPlain = moe(unclamped, .megatronBridge)
        #expect(fusedClamped.backward == fusedPlain.backward)
        s.teOpFuser = nil
        // torchtitan's experts are not this code: no epilogue bytes there.
        let titanClamped = moe(base, .torchtitan), titanPlain = moe(unclamped, .torchtitan)
        #expect(titanClamped.backward == titanPlain.backward)
    }
}

@Suite("Grouped-GEMM launches")
struct GroupedLaunchTests {
    /// TE's multi-stream grouped GEMM costs ~33 µs per expert GEMM when the GEMMs are tiny
    /// (TransformerEngine PR #3134: 8 experts × 128 tokens, 0.267 ms against 0.069 ms for one
    /// fused launch); replayed from a graph, or fused into one launch (TE op fuser), only the
    /// kernel floor is left. 64 experts of 16 rows: 64 · 33 µs against 64 · 4 µs.
    @Test func perExpertIssueCostAndItsRemoval() throws {
        let cluster = Cluster(gpu: try GPUPresets.named("B300"), numGPUs: 8)
        let rates = Rates(cluster: cluster, setup: TrainingSetup(seqLen: 4096, globalBatchSize: 8, dtype: .fp8))
        let issued = rates.expertGEMM(experts: 64, rows: 16, 512, 512, fp8: true, saturation: 1, launch: .perExpert)
        let fused = rates.expertGEMM(experts: 64, rows: 16, 512, 512, fp8: true, saturation: 1, launch: .graphed)
        #expect(abs(issued - 64 * 33e-6) < 1e-12)
        #expect(abs(fused - 64 * 4e-6) < 1e-12)
        // One grouped kernel for all 64 (torchtitan's `torch._grouped_mm`): one 4 µs floor, or
        // the work itself when longer — 2 · 64 · 16 · 512 · 512 FLOPs is ~0.3 µs at FP8 rates,
        // and the bytes 64 · ((16 · 512 + 512 · 512) · 1 + 16 · 512 · 2) = 17.3 MB read and
        // written, ~2.7 µs at 8 TB/s · 0.8 — so the floor.
        let single = rates.expertGEMM(experts: 64, rows: 16, 512, 512, fp8: true, saturation: 1,
                                      launch: .single)
        #expect(abs(single - 4e-6) < 1e-12)
    }

    /// 16-bit expert GEMMs need no scales: TE's multi-stream GEMM of a small BF16 expert takes
    /// ≈ 10 µs, not the 33 µs of a scaled low-precision one. SimuMax's measured B200 table
    /// (MooreThreads/SimuMax configs/system/b200_bf16_ceperm.json, `group_matmul`, forward,
    /// fp32 main grad; time = 2·M·N·K·groups / (efficiency · 2.25 PFLOPS)):
    ///   80 experts × 308 tokens, N 5120, K 1536: 0.2350 → 733 µs;
    ///   256 × 128, N 7168, K 2048: 0.1782 → 2,400 µs;
    ///   256 × 128, N 4096, K 7168: 0.2081 → 4,109 µs;
    ///   32 × 1024, N 4096, K 7168: 0.4571 → 1,871 µs.
    /// pdcost prices each within 30 % (with a 33 µs floor the first two came out 3.6× and 3.5×).
    @Test func sixteenBitExpertsMeetSimuMaxB200() throws {
        let cluster = Cluster(gpu: try GPUPresets.named("B200"), numGPUs: 8)
        let rates = Rates(cluster: cluster, setup: TrainingSetup(seqLen: 4096, globalBatchSize: 8, dtype: .bf16))
        let half = EfficiencyProfile.defaults(for: .blackwell).groupedGemmHalfTokens
        let points: [(experts: Double, m: Double, n: Double, k: Double, seconds: Double)] = [
            (80, 308, 5120, 1536, 733e-6), (256, 128, 7168, 2048, 2400e-6),
            (256, 128, 4096, 7168, 4109e-6), (32, 1024, 4096, 7168, 1871e-6),
        ]
        for p in points {
            let t = rates.expertGEMM(experts: p.experts, rows: p.m, p.n, p.k, fp8: false,
                                     saturation: ExpertPhysics.groupedSaturation(tokens: p.m, halfTokens: half),
                                     launch: .perExpert)
            #expect(abs(t / p.seconds - 1) < 0.30, "\(p): \(t)")
        }
        // The first is floor-bound: 80 experts × 10 µs.
        let floorBound = rates.expertGEMM(experts: 80, rows: 308, 5120, 1536, fp8: false,
                                          saturation: ExpertPhysics.groupedSaturation(tokens: 308, halfTokens: half),
                                          launch: .perExpert)
        #expect(abs(floorBound - 80 * 10e-6) < 1e-12)
    }

    /// torchtitan prices its experts as one launch each (no per-expert issue), Megatron-Bridge
    /// as TE's multi-stream GroupedLinear: with 128 experts on one GPU and few tokens each, the
    /// BF16 torchtitan MoE layer is the faster by at least 128 experts · (10 − 4) µs per GEMM in
    /// the forward (fc1 and fc2; 10 µs is the 16-bit per-expert floor).
    @Test func torchtitanExpertsAreOneLaunch() throws {
        let model = try ModelLoader.load(json: try TestFixtures.bytes("Qwen__Qwen3-30B-A3B.json"))
        #expect(FrameworkProfile.torchtitan.expertGEMMSingleLaunch)
        #expect(!FrameworkProfile.megatronBridge.expertGEMMSingleLaunch)
        let cluster = Cluster(gpu: try GPUPresets.named("H200-SXM-141GB"), numGPUs: 1)
        func gemms(_ kind: FrameworkProfile.Kind) -> Double {
            var s = FrameworkSettings()
            s.moeRouterForceBalance = true
            let setup = TrainingSetup(seqLen: 2048, globalBatchSize: 1, framework: FrameworkProfile(kind: kind, settings: s))
            let w = Workload(model: model, cluster: cluster, setup: setup)
            let c = PlanContext(plan: ParallelPlan(), workload: w, microBatchSize: 1,
                                recompute: setup.recompute, offloadRatio: 0)
            let t = w.layerTimes(c, framework: setup.pricedFramework).moe
            return t.forward - t.hostStall
        }
        #expect(gemms(.megatronBridge) - gemms(.torchtitan) > 2 * 128 * (10e-6 - 4e-6))
    }

    /// The op fuser's single launch reaches the layer: Nemotron 3 Super's MoE layer at ep 8
    /// (64 local experts) prices faster with `te_op_fuser`.
    @Test func teOpFuserReachesTheLayer() throws {
        let model = try ModelLoader.load(json: try TestFixtures.bytes("nvidia__NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4.json"))
        let cluster = Cluster(gpu: try GPUPresets.named("B300"), numGPUs: 8)
        func moe(_ fuser: Bool?) -> LayerTime {
            var s = FrameworkSettings()
            s.moeRouterForceBalance = true
            s.teOpFuser = fuser
            let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 8, dtype: .fp8,
                                      framework: FrameworkProfile(kind: .megatronBridge, settings: s))
            let w = Workload(model: model, cluster: cluster, setup: setup)
            let c = PlanContext(plan: ParallelPlan(dp: 8, ep: 8), workload: w, microBatchSize: 1,
                                recompute: setup.recompute, offloadRatio: 0)
            return w.layerTimes(c, framework: setup.pricedFramework).moe
        }
        #expect(moe(true).backward < moe(nil).backward)
    }
}
