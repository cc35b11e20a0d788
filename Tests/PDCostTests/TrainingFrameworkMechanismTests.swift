import Testing
import PDCost

/// Framework behaviours that change cost without changing the plan: PyTorch's experimental
/// context parallelism (torchtitan), DTensor TP saving gathered linear inputs, and
/// Megatron-Bridge's bf16 gradient buffer. Byte counts are derived by hand in the comments;
/// collective times use the documented `Interconnect` formulas on those byte counts.
@Suite("Training framework mechanisms")
struct TrainingFrameworkMechanismTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    /// Llama-3-8B (32 layers, h = 4096, 32 query heads, 8 KV heads, d = 128) on 8×H100.
    func llama8B(seq: Int, gbs: Int, framework: FrameworkProfile, dtype: Precision = .bf16) throws
        -> (CostModel, Cluster) {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: seq, microBatchSize: 1, globalBatchSize: gbs, dtype: dtype,
                                  framework: framework)
        return (try CostModel(model: model, cluster: cluster, setup: setup), cluster)
    }

    /// torchtitan, cp = 4 over one node, seq 32768 → T = 8192 local tokens, dp = 2, gbs 2 →
    /// one micro-batch. torchtitan repeats K/V to the 32 query heads before SDPA, so a rank's
    /// K+V is 8192 · (32·128 + 32·128) · 2 B = 134,217,728 B. Per layer (PyTorch allgather
    /// rotater): forward all-gather of 4 · 134,217,728 B, backward the same all-gather plus
    /// 3 ring steps of the fp32 dK/dV (2 · 134,217,728 B) to the next rank. × 32 layers.
    @Test("torchtitan CP: repeated K/V all-gathered per pass, fp32 dK/dV per step (hand bytes)")
    func torchContextParallelBytes() throws {
        let (cost, cluster) = try llama8B(seq: 32768, gbs: 2, framework: .torchtitan)
        let plan = ParallelPlan(tp: 1, dp: 2, cp: 4, zeroStage: 3, fsdp: true)
        let p = cost.evaluate(plan)
        let net = Interconnect(cluster: cluster)
        let kv = 134_217_728.0
        let gather = net.allGather(bytes: 4 * kv, ranks: 4, perNode: 4)
        let dkv = net.sendRecv(bytes: 2 * kv, acrossNodes: false)
        #expect(close(p.contextParallelComm.total, 32 * (2 * gather + 3 * dkv)))
    }

    /// Megatron (TE P2P ring): K/V with the model's 8 KV heads, 8192 · (8·128·2) · 2 B =
    /// 33,554,432 B per step forward, twice that (K/V and their gradients) backward, 3 steps.
    @Test("Megatron CP: KV heads only, P2P per ring step (hand bytes)")
    func transformerEngineContextParallelBytes() throws {
        let (cost, cluster) = try llama8B(seq: 32768, gbs: 2, framework: .megatron)
        let p = cost.evaluate(ParallelPlan(tp: 1, dp: 2, cp: 4))
        let net = Interconnect(cluster: cluster)
        let kv = 33_554_432.0
        let perLayer = 3 * net.sendRecv(bytes: kv, acrossNodes: false) + 3 * net.sendRecv(bytes: 2 * kv, acrossNodes: false)
        #expect(close(p.contextParallelComm.total, 32 * perLayer))
    }

    /// DTensor TP with SP keeps the gathered QKV and FC1 inputs: tp = 4, seq 4096, bf16, no
    /// recomputation → per layer 2 GEMM inputs · (4096 − 4096/4) tokens · 4096 · 2 B =
    /// 50,331,648 B more than the SP-sharded inputs Megatron keeps.
    @Test("DTensor TP saves gathered linear inputs (hand bytes)")
    func gatheredLinearInputs() throws {
        var sharded = FrameworkProfile.torchtitan
        sharded.savesGatheredLinearInputs = false
        let plan = ParallelPlan(tp: 4, dp: 2, sequenceParallel: true, zeroStage: 3, fsdp: true)
        let (gatheredCost, _) = try llama8B(seq: 4096, gbs: 2, framework: .torchtitan)
        let (shardedCost, _) = try llama8B(seq: 4096, gbs: 2, framework: sharded)
        let a = gatheredCost.activationBytesPerLayer(plan, recompute: Recompute.none).dense
        let b = shardedCost.activationBytesPerLayer(plan, recompute: Recompute.none).dense
        #expect(close(a - b, 2 * 3072 * 4096 * 2))
    }

    /// Megatron-Bridge perf configs set `grad_reduce_in_fp32: false`: with bf16 weights and
    /// ZeRO-1 the gradient buffer is 2 B per parameter, the same bytes as the weights;
    /// Megatron-LM's default fp32 main grads are twice the weights.
    @Test("Megatron-Bridge keeps bf16 gradients, Megatron-LM fp32")
    func bridgeGradientBytes() throws {
        let plan = ParallelPlan(tp: 1, dp: 8, zeroStage: 1)
        let (bridge, _) = try llama8B(seq: 4096, gbs: 64, framework: .megatronBridge)
        let (megatron, _) = try llama8B(seq: 4096, gbs: 64, framework: .megatron)
        let b = bridge.evaluate(plan).memory, m = megatron.evaluate(plan).memory
        #expect(close(b.gradients, b.parameters))
        #expect(close(m.gradients, 2 * m.parameters))
    }
}
