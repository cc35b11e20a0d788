import Testing
import PDCost

/// Tensor parallelism beyond the KV-head count: each rank keeps ceil(kv/tp) whole KV heads
/// (replicated when tp > kv, as vLLM's QKVParallelLinear and PaddleFormers do), never a
/// fraction of one.
@Suite("Training KV-head replication")
struct TrainingKVReplicationTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    /// The seed's example: Qwen3-30B-A3B (h = 2048, 32 query heads, 4 KV heads, head_dim 128,
    /// 128 experts of width 768, vocab 151936, qk-norm) on 8×H100 with tp = 8, ep = 8,
    /// sharding stage 1, mbs 1, seq 8192, GAS 64, full recomputation (PaddleFormers).
    func seed() throws -> (CostModel, ParallelPlan, ModelSpec, Cluster, TrainingSetup) {
        let model = try ModelPresets.named("qwen3-30b-a3b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 64, dtype: .bf16,
                                  recompute: .full, maxSeqLen: 8192, framework: .paddleformers)
        let plan = ParallelPlan(tp: 8, pp: 1, dp: 1, ep: 8, zeroStage: 1)
        return (try CostModel(model: model, cluster: cluster, setup: setup), plan, model, cluster, setup)
    }

    @Test("seed plan tp=8 > 4 KV heads validates and evaluates")
    func seedEvaluates() throws {
        let (cost, plan, model, cluster, setup) = try seed()
        try plan.validate(model: model, cluster: cluster, setup: setup)
        let p = cost.evaluate(plan)
        #expect(p.stepTime.isFinite && p.stepTime > 0)
        #expect(p.tokensPerSecondPerGPU > 0)
        #expect(p.memory.allocated > 0 && p.memory.allocated < p.usableMemory)
        #expect(p.fitsMemory)
    }

    /// Weights per rank, by hand (bf16, 2 bytes each; ZeRO-1 keeps them unsharded):
    /// - attention: Q and O 2048·(32·128/8) = 1,048,576 each; K and V one whole (replicated)
    ///   head each, 2048·128 = 262,144 each; q/k norms 2·128 = 256 → 2,621,696
    ///   (kv/tp = ½ head would give 2,359,552);
    /// - two RMSNorms 2·2048 = 4,096; router 2048·128 = 262,144;
    /// - 128/8 = 16 local experts of 3·2048·768 = 4,718,592 → 75,497,472;
    /// per layer 78,385,408, × 48 layers = 3,762,499,584;
    /// - embedding and output layer: vocab padded to a multiple of 128·8 = 1024 → 152,576,
    ///   /8 = 19,072 rows × 2048 = 39,059,456 each; final norm 2,048.
    /// Total 3,840,620,544 parameters → 7,681,241,088 bytes.
    @Test("per-rank weights hold one whole KV head (hand count)")
    func seedWeights() throws {
        let (cost, plan, _, _, _) = try seed()
        let p = cost.evaluate(plan)
        #expect(close(p.memory.parameters, 7_681_241_088))
    }

    /// Stored activations of the attention block inside the TP region, per token (no SP, no
    /// recomputation): Q, K, V, the output (2 bytes each) and the fp32 log-sum-exp per local
    /// query head.
    /// tp = 4: Q 8 heads · 128 · 2 = 2048, K and V 1 head · 256 each = 512, O 2048, lse 8·4 = 32
    ///   → 4640 B/token;
    /// tp = 8: Q 1024, K and V still 1 replicated head each = 512, O 1024, lse 16 → 2576 B/token.
    /// Everything else in the layer (norm inputs, router, expert copies) does not depend on tp
    /// without SP, so the per-layer difference is (4640 − 2576) · 8192 tokens = 16,908,288 B.
    /// (K/V divided by tp, half a head per rank, would make it 2320 · 8192.)
    @Test("per-rank K/V activations stay one head when tp > kv")
    func seedActivations() throws {
        let (cost, _, _, _, _) = try seed()
        let tp4 = cost.activationBytesPerLayer(ParallelPlan(tp: 4, dp: 2, ep: 8), recompute: Recompute.none).moe
        let tp8 = cost.activationBytesPerLayer(ParallelPlan(tp: 8, dp: 1, ep: 8), recompute: Recompute.none).moe
        #expect(close(tp4 - tp8, (4640.0 - 2576.0) * 8192))
    }

    /// Replicated KV heads cost memory: at tp = 8 a rank holds as much K/V as at tp = 4, so the
    /// weights shrink by less than the Q/O share alone would suggest, but never grow.
    @Test("tp beyond kv still lowers per-rank weights")
    func monotone() throws {
        let (cost, _, _, _, _) = try seed()
        let w4 = cost.evaluate(ParallelPlan(tp: 4, dp: 2, ep: 8)).memory.parameters
        let w8 = cost.evaluate(ParallelPlan(tp: 8, dp: 1, ep: 8)).memory.parameters
        #expect(w8 < w4)
    }
}
