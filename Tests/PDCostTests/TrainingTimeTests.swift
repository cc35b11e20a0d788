import Testing
import PDCost

/// Time model pieces against hand calculations.
@Suite("Training time")
struct TrainingTimeTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    /// A test GPU with round numbers: 100 GB/s NVLink, 10 GB/s NIC.
    func testCluster(gpus: Int, perNode: Int) -> Cluster {
        let gpu = GPUSpec(name: "TEST", architecture: .ampere, memoryBytes: 80e9, fp32Flops: 1e12, tf32Flops: 1e12, fp16Flops: 1e14,
                          bf16Flops: 1e14, fp8Flops: 0, hbmBandwidth: 1e12, nvlinkBandwidth: 100e9,
                          networkBandwidth: 10e9, pcieBandwidth: 10e9, tdpWatts: 400, gpusPerNode: perNode)
        var e = EfficiencyProfile.defaults(for: .ampere)
        e.nvlinkFraction = 1
        e.networkFraction = 1
        e.nvlinkStepLatency = 2e-6
        e.networkStepLatency = 5e-6
        return Cluster(gpu: gpu, numGPUs: gpus, gpusPerNode: perNode, efficiency: e)
    }

    /// Ring all-reduce (NCCL PERFORMANCE.md): each rank sends and receives 2(n−1)/n of the
    /// buffer. 1 GB over 8 GPUs at 100 GB/s: 2·7/8·1e9 / 1e11 = 17.5 ms, plus 2·7 steps of 2 µs
    /// and one call latency of 8.4 µs (NCCL tuning.cc baseLat, Ring/Simple).
    @Test("ring all-reduce by hand: 1 GB, 8 GPUs, 100 GB/s")
    func ringAllReduce() {
        let net = Interconnect(cluster: testCluster(gpus: 8, perNode: 8))
        let t = net.allReduce(bytes: 1e9, ranks: 8, perNode: 8)
        #expect(close(t, 2 * 7.0 / 8 * 1e9 / 100e9 + 14 * 2e-6 + 8.4e-6))
        // All-gather and reduce-scatter move half of that (one call latency too).
        #expect(close(net.allGather(bytes: 1e9, ranks: 8, perNode: 8), 7.0 / 8 * 1e9 / 100e9 + 7 * 2e-6 + 8.4e-6))
        // One rank: nothing to do.
        #expect(net.allReduce(bytes: 1e9, ranks: 1, perNode: 1) == 0)
    }

    /// Across nodes with one member per node the NIC paces the ring: 4 nodes at 10 GB/s,
    /// 2·3/4·1e9/1e10 = 150 ms plus 2·3 network steps of 5 µs and the 8.4 µs call latency.
    @Test("ring all-reduce across nodes: the NIC is the bottleneck")
    func ringAcrossNodes() {
        let net = Interconnect(cluster: testCluster(gpus: 32, perNode: 8))
        let t = net.allReduce(bytes: 1e9, ranks: 4, perNode: 1)
        #expect(close(t, 2 * 3.0 / 4 * 1e9 / 10e9 + 6 * 5e-6 + 8.4e-6))
    }

    /// Blackwell NVLink5 collectives carry SimuMax's measured latencies (b200_bf16_ceperm.json):
    /// a 64 MiB all-gather over 8 B200s is 7/8 · 67,108,864 B / (0.673 · 900 GB/s) = 96.95 µs
    /// of data, 7 steps · 8.6 µs = 60.2 µs and a 24 µs call: 181.15 µs.
    @Test("B200 all-gather latency by hand")
    func blackwellAllGather() throws {
        let cluster = Cluster(gpu: try GPUPresets.named("B200"), numGPUs: 8)
        let net = Interconnect(cluster: cluster)
        let bw = 0.673 * cluster.gpu.nvlinkBandwidth
        #expect(close(cluster.gpu.nvlinkBandwidth, 900e9))
        let expected = 7.0 / 8 * 67_108_864 / bw + 7 * 8.6e-6 + 24e-6
        #expect(close(net.allGather(bytes: 67_108_864, ranks: 8, perNode: 8), expected))
        #expect(abs(expected - 181.15e-6) < 0.01e-6)
    }

    /// 1F1B (Narayanan et al. 2021 §2.2): bubble fraction (p − 1)/m; interleaved (p − 1)/(v·m).
    @Test("pipeline bubble fraction")
    func bubble() {
        #expect(close(PipelineSchedule.bubbleFraction(stages: 8, virtualStages: 1, microBatches: 32), 7.0 / 32))
        #expect(close(PipelineSchedule.bubbleFraction(stages: 8, virtualStages: 4, microBatches: 32), 7.0 / 128))
        #expect(PipelineSchedule.bubbleFraction(stages: 1, virtualStages: 1, microBatches: 32) == 0)
        // In-flight micro-batches (Korthikanti §4.2.3): the first stage of 1F1B holds p; the
        // interleaved first stage holds p·v + p − 1 chunks, i.e. ×(1 + (p−1)/(p·v)) of the
        // layers' worth.
        #expect(PipelineSchedule.inFlightChunks(stage: 0, stages: 8, virtualStages: 1, microBatches: 64) == 8)
        #expect(PipelineSchedule.inFlightChunks(stage: 7, stages: 8, virtualStages: 1, microBatches: 64) == 1)
        let chunks = PipelineSchedule.inFlightChunks(stage: 0, stages: 8, virtualStages: 4, microBatches: 64)
        #expect(chunks == 8 * 4 + 8 - 1)
        #expect(close(chunks / 4, 8 * (1 + 7.0 / 32)))
        // Few micro-batches cap the warm-up.
        #expect(PipelineSchedule.inFlightChunks(stage: 0, stages: 8, virtualStages: 1, microBatches: 3) == 3)
    }

    /// The step of a balanced pipeline is (m + p − 1) micro-batch slots: the bubble the
    /// cost model reports is (p − 1)/m of its busy time.
    @Test("cost model bubble equals (p − 1)/m of the busy time for a balanced pipeline")
    func costModelBubble() throws {
        let model = try ModelPresets.named("llama3-70b")
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64, framework: .megatron)
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 32)
        let cost = try CostModel(model: model, cluster: cluster, setup: setup)
        let plan = ParallelPlan(tp: 8, pp: 4, dp: 1, sequenceParallel: true)
        let p = cost.evaluate(plan)
        #expect(p.microBatches == 64)
        // Stages differ only by the embedding and the output layer, so the bubble is close to
        // (p − 1)/m of the compute.
        let ratio = p.bubbleTime / (p.computeTime + p.tensorParallelComm.exposed + p.pipelineComm.exposed)
        #expect(abs(ratio - 3.0 / 64) < 0.02)
    }

    @Test("throughput, MFU and time invariants")
    func invariants() throws {
        let model = try ModelPresets.named("llama3-8b")
        let setup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 512, dtype: .bf16,
                                  framework: .megatronBridge)
        for gpus in [8, 64] {
            let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
            let cost = try CostModel(model: model, cluster: cluster, setup: setup)
            let p = cost.evaluate(ParallelPlan(tp: 2, dp: gpus / 2, sequenceParallel: true))
            #expect(p.stepTime > 0)
            #expect(p.mfu > 0.2 && p.mfu < 0.8)
            #expect(close(p.tokensPerSecond, 512 * 8192 / p.stepTime))
            #expect(close(p.tokensPerSecondPerGPU * Double(gpus), p.tokensPerSecond))
            #expect(p.fitsMemory)
            // Without TP the same run does not fit with Megatron-LM's fp32 main grads: 6 bytes
            // of weights and grads per parameter, ~34 GiB of activations and the fp32 logits
            // exceed 80 GB. (Megatron-Bridge's perf configs keep bf16 grads, 4 bytes.)
            var fp32Grads = setup
            fp32Grads.framework = .megatron
            let megatron = try CostModel(model: model, cluster: cluster, setup: fp32Grads)
            #expect(!megatron.evaluate(ParallelPlan(tp: 1, dp: gpus)).fitsMemory)
        }
        // FP8 is faster than BF16 on the same plan, but not twice as fast (attention and
        // memory-bound work stay in 16 bit).
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        var fp8Setup = setup
        fp8Setup.dtype = .fp8
        let bf16 = try CostModel(model: model, cluster: cluster, setup: setup).evaluate(ParallelPlan(tp: 1, dp: 8))
        let fp8 = try CostModel(model: model, cluster: cluster, setup: fp8Setup).evaluate(ParallelPlan(tp: 1, dp: 8))
        #expect(fp8.stepTime < bf16.stepTime)
        #expect(fp8.stepTime > bf16.stepTime / 2)
        // FP8 on a GPU without FP8 units is refused.
        let a100 = Cluster(gpu: try GPUPresets.named("A100-SXM-80GB"), numGPUs: 8)
        #expect(throws: PDCostError.self) { try CostModel(model: model, cluster: a100, setup: fp8Setup) }
    }
}
