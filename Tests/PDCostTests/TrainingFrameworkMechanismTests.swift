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
    /// 4 passes of the fp32 dK/dV (2 · 134,217,728 B) to the next rank — one after each
    /// block, the last one bringing each rank's gradients home after the loop, exposed.
    /// × 32 layers.
    @Test("torchtitan CP: repeated K/V all-gathered per pass, fp32 dK/dV after each block (hand bytes)")
    func torchContextParallelBytes() throws {
        let (cost, cluster) = try llama8B(seq: 32768, gbs: 2, framework: .torchtitan)
        let plan = ParallelPlan(tp: 1, dp: 2, cp: 4, zeroStage: 3, fsdp: true)
        let p = cost.evaluate(plan)
        let net = Interconnect(cluster: cluster)
        let kv = 134_217_728.0
        let gather = net.allGather(bytes: 4 * kv, ranks: 4, perNode: 4)
        let dkv = net.sendRecv(bytes: 2 * kv, acrossNodes: false)
        #expect(close(p.contextParallelComm.total, 32 * (2 * gather + 4 * dkv)))
        #expect(p.contextParallelComm.exposed >= 32 * dkv * (1 - 1e-9))
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

    /// torch.distributed.pipelining (torchtitan) keeps a receive buffer per micro-batch and the
    /// output of each in-flight micro-batch; Megatron two P2P buffers. pp = 2, dp = 4, seq 4096,
    /// mbs 1, gbs 32 → m = 32 / 4 = 8 micro-batches; one boundary activation is
    /// 4096 · 4096 · 2 B = 33,554,432 B (B). First stage: 8 gradient receive buffers + 2 kept
    /// outputs (1F1B in flight on stage 0: min(p − 0, m) = 2) = 10 B against Megatron's 2 B →
    /// 8 B = 268,435,456 B more. Last stage: 8 activation receive buffers, of which its 1
    /// in-flight micro-batch is the first layer's stored input → 7 B against 2 B → 5 B =
    /// 167,772,160 B more.
    @Test("torchtitan PP: per-micro-batch receive buffers and kept stage outputs (hand bytes)")
    func pipelineBuffersPerMicroBatch() throws {
        var twoBuffers = FrameworkProfile.torchtitan
        twoBuffers.pipelineBuffersPerMicroBatch = false
        let plan = ParallelPlan(tp: 1, pp: 2, dp: 4, zeroStage: 3, fsdp: true)
        let (perMB, _) = try llama8B(seq: 4096, gbs: 32, framework: .torchtitan)
        let (pair, _) = try llama8B(seq: 4096, gbs: 32, framework: twoBuffers)
        let a = perMB.evaluate(plan), b = pair.evaluate(plan)
        #expect(close(a.firstStageAllocated - b.firstStageAllocated, 268_435_456, 1e-6))
        #expect(close(a.lastStageAllocated - b.lastStageAllocated, 167_772_160, 1e-6))
    }

    /// Deterministic mode NaN-fills every new CUDA tensor (`empty_cuda` →
    /// `fill_empty_deterministic_`): one extra HBM write of each layer's outputs forward and of
    /// their gradients backward, and of the logits both ways. Llama-3-8B on one H100, seq 4096,
    /// one micro-batch, no recomputation (Megatron, no dropout for llama): Δstep =
    /// (2 · 32 · A + 2 · L) / (3.35e12 B/s · 0.80), with A the layer's stored activation bytes
    /// and L = 4096 tokens · 128,256 vocab · 6 B (bf16 logits + fp32 copy) = 3,152,019,456 B.
    @Test("Deterministic mode: one extra write of each output (hand bytes / HBM rate)")
    func deterministicFill() throws {
        var filled = FrameworkProfile.megatron
        filled.deterministicFill = true
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 1)
        func cost(_ fw: FrameworkProfile) throws -> CostModel {
            try CostModel(model: model, cluster: cluster,
                          setup: TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1,
                                               dtype: .bf16, framework: fw))
        }
        let plan = ParallelPlan()
        let base = try cost(.megatron), det = try cost(filled)
        let a = base.activationBytesPerLayer(plan, recompute: Recompute.none).dense
        let logits = 3_152_019_456.0
        let expected = (2 * 32 * a + 2 * logits) / (3.35e12 * 0.80)
        #expect(close(det.evaluate(plan).stepTime - base.evaluate(plan).stepTime, expected, 1e-6))
    }

    /// torchtitan with PP keeps every micro-batch's unsharded gradients accumulated in fp32, and
    /// the last backward copies each layer into an fp32 reduce-scatter input before freeing it.
    /// Llama-3-8B, pp = 2, dp = 4 (FSDP over 4): a layer has 2·4096² + 2·4096·1024 + 3·4096·14336
    /// + 2·4096 = 218,112,000 parameters; the last stage 16 layers + final norm (4096) + output
    /// layer (128,256·4096 = 525,336,576) = 4,015,132,672. Gradients: fp32 shards 4 · total/4
    /// + fp32 accumulated 4 · total + one layer's reduce-scatter input 4 · 218,112,000
    /// = 4,015,132,672 + 16,060,530,688 + 872,448,000 = 20,948,111,360 B.
    @Test("torchtitan PP: accumulated fp32 gradients plus one reduce-scatter input (hand bytes)")
    func pipelinedFSDPGradients() throws {
        let (cost, _) = try llama8B(seq: 4096, gbs: 32, framework: .torchtitan)
        let p = cost.evaluate(ParallelPlan(tp: 1, pp: 2, dp: 4, zeroStage: 3, fsdp: true))
        #expect(close(p.memory.gradients, 20_948_111_360, 1e-5))
    }

    /// Attention dropout slows the fused kernel by a measured ratio (cuDNN, H200, sbhd, p = 0.1:
    /// 0.614 / 0.594 ms = 1.034; TransformerEngine issue #3312). Llama-3-8B on one H100-SXM
    /// (989.4 TFLOPS bf16, 700 W = the reference power, sustained 0.848), seq 4096, one
    /// micro-batch, dropout 0.1. Per layer the causal attention forward is
    /// F = 32 heads · 2 · 4096² · (128 + 128) · 0.5 = 137,438,953,472 FLOPs at
    /// rate = 989.4e12 · 0.848 · 4096/(4096 + 512) · 1 (d = 128) = 745.79 TFLOP/s:
    /// forward F/(0.62·rate) = 0.29724 ms, backward 2.5F/(0.48·rate) = 0.95983 ms.
    /// Δstep against a kernel without the slowdown = 32 · 0.034 · 1.25707 ms = 1.3677 ms.
    @Test("Attention dropout: measured fused-kernel slowdown on the attention core (hand FLOPs)")
    func attentionDropoutSlowdown() throws {
        let model = try ModelPresets.named("llama3-8b")
        let gpu = try GPUPresets.named("H100-SXM-80GB")
        var free = EfficiencyProfile.defaults(for: gpu)
        #expect(free.attentionDropoutSlowdown == 1.034)
        free.attentionDropoutSlowdown = 1
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1, dtype: .bf16,
                                  dropout: 0.1, framework: .megatron)
        let slowed = try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 1), setup: setup)
        let plain = try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 1, efficiency: free),
                                  setup: setup)
        let flops = 32.0 * 2 * 4096 * 4096 * 256 * 0.5
        let rate = 989.4e12 * 0.848 * 4096 / 4608
        let core = flops / (0.62 * rate) + 2.5 * flops / (0.48 * rate)
        let plan = ParallelPlan()
        let delta = slowed.evaluate(plan).stepTime - plain.evaluate(plan).stepTime
        #expect(close(delta, 32 * 0.034 * core, 1e-6))
        #expect(close(delta, 1.3677e-3, 1e-3))
        // Without dropout the ratio never applies.
        var noDrop = setup
        noDrop.dropout = 0
        let a = try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 1), setup: noDrop)
        let b = try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 1, efficiency: free), setup: noDrop)
        #expect(a.evaluate(plan).stepTime == b.evaluate(plan).stepTime)
    }

    /// Deterministic Transformer Engine attention (`NVTE_ALLOW_NONDETERMINISTIC_ALGO=0`) drops
    /// cuDNN for training off Hopper (get_attention_backend, "Filter: Determinism"): on B200 it
    /// runs FlashAttention-2's deterministic backward; H100 keeps cuDNN's deterministic one.
    ///
    /// Llama-3-8B, one B200 (2.25 PFLOPS bf16, 1000 W = the reference power, sustained 0.815),
    /// seq 4096, no dropout. Per layer the causal attention forward is F = 137,438,953,472 FLOPs
    /// (see the dropout test) at rate = 2.25e15 · 0.815 · 4096/(4096 + 512) = 1.63 PFLOP/s;
    /// FlashAttention-2's backward takes 2.5F/(0.145 · rate) = 1.45377 ms, and 1.75× that when
    /// deterministic (flash-attention PR #1893): Δstep = 32 · 0.75 · 1.45377 ms = 34.89 ms.
    @Test("Deterministic TE attention: FlashAttention-2's deterministic backward on Blackwell, cuDNN's on Hopper (hand FLOPs)")
    func deterministicAttentionBackend() throws {
        let model = try ModelPresets.named("llama3-8b")
        func step(_ gpuName: String, _ fw: FrameworkProfile, seq: Int = 8192, dropout: Double = 0.1) throws -> Double {
            let cluster = Cluster(gpu: try GPUPresets.named(gpuName), numGPUs: 1)
            let setup = TrainingSetup(seqLen: seq, microBatchSize: 1, globalBatchSize: 1, dtype: .bf16,
                                      dropout: dropout, framework: fw)
            return try CostModel(model: model, cluster: cluster, setup: setup).evaluate(ParallelPlan()).stepTime
        }
        var det = FrameworkProfile.megatron
        det.deterministicAttention = true
        var flash = FrameworkProfile.megatron
        flash.attentionKernel = .portable
        var detFlash = flash
        detFlash.deterministicAttention = true
        #expect(try step("B200", det) == step("B200", detFlash))
        #expect(try step("B200", det) > step("B200", flash))
        #expect(try step("B200", flash) > step("B200", .megatron))
        // Hopper keeps cuDNN, whose deterministic backward is 1.2× slower (PR #1893).
        #expect(try step("H100-SXM-80GB", det) > step("H100-SXM-80GB", .megatron))
        #expect(try step("H100-SXM-80GB", det) < step("H100-SXM-80GB", flash))

        let bwd = 2.5 * 137_438_953_472 / (0.145 * 2.25e15 * 0.815 * 4096 / 4608)
        #expect(close(bwd, 1.45377e-3, 1e-4))
        let delta = try step("B200", det, seq: 4096, dropout: 0) - step("B200", flash, seq: 4096, dropout: 0)
        #expect(close(delta, 32 * 0.75 * bwd, 1e-6))

        var stated = FrameworkSettings()
        stated.deterministicAttention = true
        let applied = FrameworkProfile(kind: .megatron, settings: stated)
        #expect(applied.deterministicAttention && !applied.deterministicFill)
    }
}
