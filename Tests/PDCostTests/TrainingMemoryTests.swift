import Testing
import PDCost

/// Memory model against independent hand calculations.
@Suite("Training memory")
struct TrainingMemoryTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    /// Rajbhandari et al. 2020 ("ZeRO"), §5.1 / Figure 1: Ψ = 7.5B parameters, N_d = 64 GPUs,
    /// mixed-precision Adam (2 + 2 + K bytes, K = 12): 120 GB, 31.4 GB, 16.6 GB, 1.88 GB per GPU
    /// for the baseline and stages 1–3.
    @Test("ZeRO paper §5: 7.5B on 64 GPUs → 120 / 31.4 / 16.6 / 1.88 GB")
    func zeroPaper() {
        let psi = 7.5e9
        func total(_ stage: Int) -> Double {
            let b = ZeRO.modelStateBytes(parameters: psi, stage: stage, ranks: 64)
            return (b.weights + b.gradients + b.optimizer) / 1e9
        }
        // Stage 0: 16 Ψ = 120 GB.
        #expect(close(total(0), 120))
        // Stage 1: 4Ψ + 12Ψ/64 = 30 + 1.40625 = 31.40625 GB.
        #expect(close(total(1), 31.40625))
        #expect(abs(total(1) - 31.4) < 0.05)
        // Stage 2: 2Ψ + 14Ψ/64 = 15 + 1.640625 = 16.640625 GB.
        #expect(close(total(2), 16.640625))
        #expect(abs(total(2) - 16.6) < 0.05)
        // Stage 3: 16Ψ/64 = 1.875 GB.
        #expect(close(total(3), 1.875))
    }

    /// Korthikanti et al. 2022 (arXiv 2205.05198), Table 2, for GPT-3 175B (s = 2048, b = 1,
    /// h = 12288, a = 96, t = 8): activation bytes per layer. The formulas of the table:
    ///   no parallelism               sbh(34 + 5as/h)
    ///   tensor parallel              sbh(10 + 24/t + 5as/(ht))
    ///   tensor + sequence parallel   sbh/t · (34 + 5as/h)
    ///   TP + selective recompute     sbh(10 + 24/t)
    ///   TP + SP + selective          sbh/t · 34
    ///   full recompute               2sbh
    /// That model stores the attention scores (no flash attention), uses dropout everywhere
    /// and a GeLU MLP of width 4h, in 16-bit activations.
    @Test("Korthikanti Table 2: GPT-3 175B activations per layer")
    func korthikantiTable2() throws {
        let model = try ModelPresets.named("gpt3-175b")
        var framework = FrameworkProfile.megatron
        framework.attentionKernel = .unfused
        let setup = TrainingSetup(seqLen: 2048, microBatchSize: 1, globalBatchSize: 8, dtype: .bf16,
                                  dropout: 0.1, framework: framework)
        let cluster = Cluster(gpu: try GPUPresets.named("A100-SXM-80GB"), numGPUs: 8)
        let cost = try CostModel(model: model, cluster: cluster, setup: setup)
        let s = 2048.0, b = 1.0, h = 12288.0, a = 96.0, t = 8.0
        let sbh = s * b * h
        let noPar = cost.activationBytesPerLayer(ParallelPlan(tp: 1, dp: 8), recompute: Recompute.none).dense
        #expect(close(noPar, sbh * (34 + 5 * a * s / h)))
        // 2048·12288·(34 + 80) = 2,868,903,936 bytes ≈ 2.87 GB: the table's "no parallelism" row.
        #expect(close(noPar, 2_868_903_936))

        let tpPlan = ParallelPlan(tp: 8, dp: 1, sequenceParallel: false)
        let tpOnly = cost.activationBytesPerLayer(tpPlan, recompute: Recompute.none).dense
        #expect(close(tpOnly, sbh * (10 + 24 / t + 5 * a * s / (h * t))))

        let spPlan = ParallelPlan(tp: 8, dp: 1, sequenceParallel: true)
        let tpSP = cost.activationBytesPerLayer(spPlan, recompute: Recompute.none).dense
        #expect(close(tpSP, sbh / t * (34 + 5 * a * s / h)))

        let tpSelective = cost.activationBytesPerLayer(tpPlan, recompute: .selective).dense
        #expect(close(tpSelective, sbh * (10 + 24 / t)))

        let tpSPSelective = cost.activationBytesPerLayer(spPlan, recompute: .selective).dense
        #expect(close(tpSPSelective, sbh / t * 34))

        let full = cost.activationBytesPerLayer(tpPlan, recompute: .full).dense
        #expect(close(full, 2 * sbh))
    }

    /// Flash attention drops the 5as/h score terms and keeps an fp32 log-sum-exp per head;
    /// GQA shrinks K and V; SwiGLU keeps gate and up (4f) plus the product (2f).
    @Test("generalised activations: flash attention, GQA, SwiGLU (Llama-3-8B)")
    func llamaActivations() throws {
        let model = try ModelPresets.named("llama3-8b")
        let setup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 8, dtype: .bf16,
                                  framework: .megatron)
        let cost = try CostModel(model: model, cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8),
                                 setup: setup)
        let bytes = cost.activationBytesPerLayer(ParallelPlan(tp: 1, dp: 8)).dense
        // Per token: LN1 in 2h, QKV in 2h, Q 2h, K 2·1024, V 2·1024, O 2h, lse 4·32,
        // LN2 in 2h, FC1 in 2h, gate+up 4f, SwiGLU out 2f, with h = 4096, f = 14336.
        let h = 4096.0, f = 14336.0
        let perToken = 12 * h + 4 * 1024 + 4 * 32 + 6 * f
        #expect(close(bytes, perToken * 8192))
    }

    /// Megatron's distributed optimizer: 2 (bf16 weights) + 4 (fp32 main grads) + 12/d bytes per
    /// parameter (d = dp·cp); the memory estimator of Megatron-Bridge prints 6 + 12/8 = 7.5 at
    /// d = 8.
    @Test("distributed optimizer: 6 + 12/d bytes per parameter")
    func distributedOptimizer() throws {
        let model = try ModelPresets.named("llama3-8b")
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64, framework: .megatron)
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let cost = try CostModel(model: model, cluster: cluster, setup: setup)
        let p = cost.evaluate(ParallelPlan(tp: 1, dp: 8, zeroStage: 1))
        let params = Double(ParameterCounter.breakdown(model).total)
        let stateBytes = p.memory.parameters + p.memory.gradients + p.memory.optimizer
        // Vocabulary 128256 is already a multiple of 128: no padding at tp = 1.
        #expect(close(stateBytes / params, 6 + 12.0 / 8, 1e-6))
    }

    @Test("more tensor parallelism, less memory per GPU; recomputation trades memory for time")
    func invariants() throws {
        let model = try ModelPresets.named("llama3-70b")
        let setup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 64, dtype: .bf16,
                                  framework: .megatron)
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 64)
        let cost = try CostModel(model: model, cluster: cluster, setup: setup)
        var previous = Double.infinity
        for tp in [1, 2, 4, 8] {
            let plan = ParallelPlan(tp: tp, pp: 4, dp: 16 / tp, sequenceParallel: true)
            try plan.validate(model: model, cluster: cluster, setup: setup)
            let p = cost.evaluate(plan)
            #expect(p.memory.allocated < previous)
            #expect(p.memory.reserved >= p.memory.allocated)
            #expect(p.memory.total > p.memory.reserved)
            #expect(p.memory.activationBufferPool == p.memory.reserved - p.memory.allocated)
            previous = p.memory.allocated
        }
        let plan = ParallelPlan(tp: 8, pp: 4, dp: 2, sequenceParallel: true)
        let none = cost.evaluate(plan, microBatchSize: 1, recompute: .none, optimizerOffloadRatio: 0)
        let full = cost.evaluate(plan, microBatchSize: 1, recompute: .full, optimizerOffloadRatio: 0)
        #expect(full.memory.activations < none.memory.activations)
        #expect(full.stepTime > none.stepTime)
        #expect(full.hfu > full.mfu)
        #expect(abs(none.hfu - none.mfu) < 1e-12)
        // Offloading optimizer states frees GPU memory and costs PCIe time.
        let offload = cost.evaluate(plan, microBatchSize: 1, recompute: .none, optimizerOffloadRatio: 1)
        #expect(offload.memory.optimizer == 0)
        #expect(offload.offloadTime > 0)
        // The first stage of 1F1B holds pp micro-batches, the last one.
        #expect(none.firstStageAllocated > none.lastStageAllocated - 4 * 1_073_741_824)
    }

    /// A plan whose live memory fits never reports more than the device holds: the caching
    /// allocator frees its cache and retries before failing (CUDACachingAllocator.cpp,
    /// `release_cached_blocks`), so reserved + runtime ≤ capacity. Llama-3-8B with ZeRO-1 over
    /// 8 H100s holds ~60 GB of model states; growing the sequence walks the activations up to
    /// the capacity; wherever it still fits, the
    /// cache is what is left (capacity − runtime − allocated) or the fragmentation estimate,
    /// whichever is smaller.
    @Test("reserved memory is capped by the device when the plan fits")
    func reservedCappedByCapacity() throws {
        let model = try ModelPresets.named("llama3-8b")
        let gpu = try GPUPresets.named("H100-SXM-80GB")
        var sawCap = false
        for seq in stride(from: 1024, through: 16384, by: 256) {
            let setup = TrainingSetup(seqLen: seq, microBatchSize: 1, globalBatchSize: 8,
                                      framework: .megatron)
            let cost = try CostModel(model: model, cluster: Cluster(gpu: gpu, numGPUs: 8), setup: setup)
            let p = cost.evaluate(ParallelPlan(tp: 1, pp: 1, dp: 8, sequenceParallel: false, zeroStage: 1))
            if p.fitsMemory {
                #expect(p.memory.total <= gpu.memoryBytes * (1 + 1e-12))
                #expect(p.memory.reserved <= p.usableMemory * (1 + 1e-12))
                let room = gpu.memoryBytes - p.memory.frameworkOverhead - p.memory.allocated
                let frag = cost.cluster.efficiency.allocatorFragmentation
                if p.memory.activationBufferPool < frag * (p.memory.activations + p.memory.temporaryBuffers) * 0.999 {
                    #expect(abs(p.memory.activationBufferPool - room) <= 1e-6 * gpu.memoryBytes)
                    sawCap = true
                }
            }
        }
        #expect(sawCap)
    }
}
