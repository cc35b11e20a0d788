import Testing
import PDCost

/// DeepSpeed ZeRO-Offload / ZeRO-Infinity: GPU and host memory against DeepSpeed's own
/// estimators and documentation, step-time terms against hand calculations, and the
/// settings' errors.
@Suite("DeepSpeed ZeRO-Offload and ZeRO-Infinity")
struct ZeROOffloadTests {
    static let gib = 1_073_741_824.0
    /// GiB to two decimals, as DeepSpeed's estimators print them (`{mem/2**30:.2f}GB`).
    static func printed(_ bytes: Double) -> Double { (bytes / gib * 100).rounded() / 100 }

    // MARK: DeepSpeed's "Memory Requirements" page (docs/code-docs/source/memory.rst)

    /// The page's example: t5-3b, "Model with 2851M total params, 32M largest layer params",
    /// 1 node × 8 GPUs, `estimate_zero{2,3}_model_states_mem_needs_all_cold`:
    ///
    ///     ZeRO-2:  127.45GB |   5.31GB | offload_optimizer=cpu
    ///     ZeRO-3:   71.69GB |   0.12GB | offload_param=cpu , offload_optimizer=cpu , zero_init=1
    ///               63.72GB |   0.78GB | offload_param=none, offload_optimizer=cpu , zero_init=1
    ///
    /// CPU figures are the estimators' host bytes × `additional_buffer_factor` 1.5. The ZeRO-3
    /// rows with zero_init=1 (and ZeRO-2's 16 B term) are the training-time residency pdcost
    /// reports; ZeRO-2's 127.45 is the start-up load, P × max(4 × 8 GPUs, 16) × 1.5, when
    /// each of the 8 processes builds the fp32 model before partitioning it (not modelled).
    static let t5Parameters = 2851e6
    static let t5LargestLayer = 32e6

    @Test("ZeRO-3, offload_param=cpu, offload_optimizer=cpu: 71.69 GB per CPU, 0.12 GB per GPU")
    func zero3BothOnCPU() {
        let gpu = ZeROOffload.gpuModelStateBytes(parameters: Self.t5Parameters, largestLayer: Self.t5LargestLayer,
                                                 stage: 3, ranks: 8, optimizerRatio: 1, parametersOffloaded: true)
        // 4 × largest layer (16-bit gathered weights and their gradient) = 128e6 B.
        #expect(gpu.weights + gpu.gradients + gpu.optimizer == 128e6)
        #expect(Self.printed(gpu.weights + gpu.gradients + gpu.optimizer) == 0.12)
        let host = 8 * ZeROOffload.hostBytesPerRank(sharded: Self.t5Parameters / 8, stage: 3, optimizer: .cpu, ratio: 1,
                                                    parameters: .cpu)
        // 18 B per parameter on the node: fp32 master, grads, two moments, 16-bit weights.
        #expect(abs(host - 18 * Self.t5Parameters) < 1)
        #expect(Self.printed(1.5 * host) == 71.69)
    }

    @Test("ZeRO-3, offload_optimizer=cpu only: 63.72 GB per CPU, 0.78 GB per GPU")
    func zero3OptimizerOnCPU() {
        let gpu = ZeROOffload.gpuModelStateBytes(parameters: Self.t5Parameters, largestLayer: Self.t5LargestLayer,
                                                 stage: 3, ranks: 8, optimizerRatio: 1, parametersOffloaded: false)
        // 4 × 32e6 + 2 × 2851e6 / 8 = 128e6 + 712.75e6.
        #expect(gpu.weights + gpu.gradients + gpu.optimizer == 840.75e6)
        #expect(Self.printed(gpu.weights + gpu.gradients + gpu.optimizer) == 0.78)
        let host = 8 * ZeROOffload.hostBytesPerRank(sharded: Self.t5Parameters / 8, stage: 3, optimizer: .cpu, ratio: 1,
                                                    parameters: .none)
        #expect(Self.printed(1.5 * host) == 63.72)
    }

    @Test("ZeRO-2, offload_optimizer=cpu: 5.31 GB per GPU; 16 B per parameter on the host")
    func zero2OptimizerOnCPU() {
        let gpu = ZeROOffload.gpuModelStateBytes(parameters: Self.t5Parameters, largestLayer: 0,
                                                 stage: 2, ranks: 8, optimizerRatio: 1, parametersOffloaded: false)
        #expect(gpu.weights == 2 * Self.t5Parameters && gpu.gradients == 0 && gpu.optimizer == 0)
        #expect(Self.printed(gpu.weights) == 5.31)
        let host = 8 * ZeROOffload.hostBytesPerRank(sharded: Self.t5Parameters / 8, stage: 2, optimizer: .cpu, ratio: 1,
                                                    parameters: .none)
        // memory.rst, ZeRO-2 offload_optimizer cpu: params × max(4 × n_gpus, 16) × 1.5; the 16 is
        // the training-time term (63.72), the 4 × 8 = 32 the start-up load (127.45).
        #expect(Self.printed(1.5 * host) == 63.72)
        #expect(Self.printed(1.5 * 32 * Self.t5Parameters) == 127.45)
    }

    // MARK: Through the cost model

    static let h100 = try! GPUPresets.named("H100-SXM-80GB")
    /// Meta's Llama-3-8B: 8,030,261,248 parameters (ParameterCountTests).
    static let p8B = 8_030_261_248.0

    static func cost(_ settings: [String: SettingValue], gpus: Int = 1, ratio: Double = 0,
                     framework: FrameworkProfile.Kind = .deepspeed, batch: Int? = nil,
                     microBatch: Int = 1) throws -> CostModel {
        var s = FrameworkSettings()
        for (key, value) in settings { try FrameworkSettings.field(key)!.set(&s, value) }
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: microBatch, globalBatchSize: batch ?? gpus * microBatch,
                                  recompute: .full,
                                  optimizerOffloadRatio: ratio,
                                  framework: FrameworkProfile(kind: framework, settings: s))
        return try CostModel(model: try ModelPresets.named("llama3-8b"),
                             cluster: Cluster(gpu: Self.h100, numGPUs: gpus), setup: setup)
    }

    @Test("Llama-3-8B full fine-tune on one 80 GB H100: fits only with ZeRO-Offload")
    func singleGPUOffload() throws {
        let plan = ParallelPlan(zeroStage: 2)
        // Without offload: 2 + 2 + 12 B per parameter on the GPU = 128 GB > 80 GB.
        let plain = try Self.cost([:]).evaluate(plan)
        #expect(!plain.fitsMemory)
        #expect(plain.hostMemoryPerNode == 0)
        let p = try Self.cost(["offload_optimizer": .text("cpu")]).evaluate(plan)
        #expect(p.fitsMemory)
        #expect(p.memory.optimizer == 0 && p.memory.gradients == 0)
        #expect(abs(p.memory.parameters - 2 * Self.p8B) < 1)
        // Host: 16 B per parameter + the pinned 16-bit buffer of the largest tensor, the
        // 128,256 × 4096 embedding (2 × 525,336,576 B).
        #expect(abs(p.hostMemoryPerNode - (16 * Self.p8B + 2 * 525_336_576)) < 1)
        #expect(p.hostMemoryCapacity == 2 * 1_099_511_627_776)
        // CPU Adam: 8.03e9 parameters at 4e9/s = 2.0076 s (memory-bound alternative: 30 B ×
        // 8.03e9 / 614.4 GB/s = 0.39 s, shorter).
        #expect(abs(p.offload.cpuOptimizerTime - Self.p8B / 4e9) < 1e-9)
        // Updated bf16 weights back over PCIe Gen5 at 64 GB/s × 0.8 (pcie_fraction).
        #expect(abs(p.offload.parameterCopyTime - 2 * Self.p8B / (64e9 * 0.8)) < 1e-9)
        // bf16 gradients to the host: 0.314 s per micro-batch, longer than one 4096-token
        // sequence's backward (~6 × 8e9 × 4096 × 2/3 FLOP at < 1 PFLOP/s ≈ 0.2 s): partly exposed.
        #expect(abs(p.offload.gradientCopy.total - 2 * Self.p8B / (64e9 * 0.8)) < 1e-9)
        #expect(p.offload.gradientCopy.exposed > 0 && p.offload.gradientCopy.exposed < p.offload.gradientCopy.total)
        // Four sequences per micro-batch: a backward of ≥ 0.5 s hides the copy.
        let wide = try Self.cost(["offload_optimizer": .text("cpu")], microBatch: 4).evaluate(plan)
        #expect(wide.offload.gradientCopy.exposed == 0)
        // ZeRO-1 reduces (and copies) once, after the last backward: all of it waits.
        let z1 = try Self.cost(["offload_optimizer": .text("cpu")], microBatch: 4).evaluate(ParallelPlan(zeroStage: 1))
        #expect(z1.offload.gradientCopy.exposed == 2 * Self.p8B / (64e9 * 0.8))
        #expect(z1.memory.gradients == 2 * Self.p8B)  // the full bf16 accumulation buffer stays
        #expect(p.offloadTime >= p.offload.parameterCopyTime)
        #expect(p.optimizerTime >= p.offload.cpuOptimizerTime)
        #expect(p.stepTime > plain.stepTime)
    }

    @Test("ZeRO-3 on 8 GPUs with both offloads: 18 B per parameter per node, as estimate_zero3_model_states_mem_needs")
    func zero3NodeHostMemory() throws {
        let cost = try Self.cost(["offload_optimizer": .text("cpu"), "offload_param": .text("cpu")], gpus: 8)
        let p = cost.evaluate(ParallelPlan(dp: 8, zeroStage: 3))
        // stage3.py: cpu_mem = total_params × 18 × gpus_factor(1 node) × 1.5.
        #expect(abs(1.5 * p.hostMemoryPerNode - Self.p8B * 18 * 1.5) < 16)
        #expect(p.memory.optimizer == 0)
        #expect(p.offload.parameterFetch.total > 0)
        #expect(p.offload.parameterCopyTime == 0)
    }

    @Test("ZeRO-Infinity: NVMe keeps only pinned swap buffers in host memory and adds NVMe traffic")
    func nvme() throws {
        let cost = try Self.cost(["offload_optimizer": .text("nvme"), "offload_param": .text("nvme")], gpus: 8)
        let p = cost.evaluate(ParallelPlan(dp: 8, zeroStage: 3))
        // Per rank: 4 optimizer swap buffers of min(sub_group_size 1e9, 8.03e9 / 8) fp32
        // elements (16e9 B) + 5 parameter buffers of 1e8 bf16 elements (1e9 B); 8 ranks.
        #expect(abs(p.hostMemoryPerNode - 8 * (16e9 + 1e9)) < 1)
        // States and fp32 gradient: read 16 B, write 16 B per parameter; the node's 8.03e9
        // parameters over 25 GB/s.
        #expect(abs(p.offload.nvmeOptimizerTime - Self.p8B * 32 / 25e9) < 1e-6)
        // ZeRO-1/2 keep "nvme" optimizer states in host memory (stage_1_and_2.py `cpu_offload`).
        let z2 = try Self.cost(["offload_optimizer": .text("nvme")], gpus: 8).evaluate(ParallelPlan(dp: 8, zeroStage: 2))
        #expect(z2.offload.nvmeOptimizerTime == 0)
        #expect(z2.hostMemoryPerNode > 16 * Self.p8B)
    }

    @Test("A host too small for the offloaded states does not fit")
    func hostCapacity() throws {
        var s = FrameworkSettings()
        try FrameworkSettings.field("offload_optimizer")!.set(&s, .text("cpu"))
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1, recompute: .full,
                                  framework: FrameworkProfile(kind: .deepspeed, settings: s))
        var host = HostSpec.dgxH100
        host.memoryBytes = 64 * Self.gib   // < 16 B × 8.03e9 = 128 GB
        let cost = try CostModel(model: try ModelPresets.named("llama3-8b"),
                                 cluster: Cluster(gpu: Self.h100, numGPUs: 1, host: host), setup: setup)
        #expect(!cost.evaluate(ParallelPlan(zeroStage: 2)).fitsMemory)
    }

    // MARK: Errors name the key and the ZeRO stage

    @Test("offload_param below ZeRO-3, a partial ratio below ZeRO-3, offload for another framework")
    func errors() throws {
        let cost = try Self.cost(["offload_param": .text("cpu")], gpus: 8)
        #expect {
            try ParallelPlan(dp: 8, zeroStage: 2).validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        } throws: { error in
            "\(error)".contains("offload_param='cpu'") && "\(error)".contains("zero_stage=2")
        }
        let partial = try Self.cost(["offload_optimizer": .text("cpu")], gpus: 8, ratio: 0.5)
        #expect {
            try ParallelPlan(dp: 8, zeroStage: 1).validate(model: partial.model, cluster: partial.cluster, setup: partial.setup)
        } throws: { error in "\(error)".contains("optimizer_offload_ratio=0.5") && "\(error)".contains("zero_stage=1") }
        #expect(throws: PDCostError.self) { _ = try Self.cost(["offload_optimizer": .text("cpu")], framework: .megatron) }
        #expect(throws: PDCostError.self) { _ = try Self.cost(["offload_optimizer": .text("none")], ratio: 1) }
        // A ratio alone offloads to the CPU (DeepSpeed's only host device), the whole of it.
        let ratioOnly = try Self.cost([:], ratio: 1).evaluate(ParallelPlan(zeroStage: 2))
        #expect(ratioOnly.offload.cpuOptimizerTime > 0)
    }

    @Test("runs files and settings JSON read offload_optimizer / offload_param; DeepSpeed's default is none")
    func settingsJSON() throws {
        let s = try FrameworkSettings.decode(json: Array(#"{"offload_optimizer": "nvme", "offload_param": "cpu"}"#.utf8))
        #expect(s.offloadOptimizer == .nvme && s.offloadParam == .cpu)
        #expect {
            _ = try FrameworkSettings.decode(json: Array(#"{"offload_optimizer": "disk"}"#.utf8))
        } throws: { error in "\(error)".contains("settings.offload_optimizer='disk'") }
        // offload_config.py: `device: OffloadDeviceEnum = "none"`; no such switch elsewhere.
        #expect(FrameworkProfile.deepspeed.effectiveSetting("offload_optimizer") == .text("none"))
        #expect(FrameworkProfile.megatron.effectiveSetting("offload_param") == nil)
    }

    // MARK: Search

    @Test("the search varies offload for DeepSpeed and prunes what DeepSpeed refuses")
    func search() throws {
        let cost = try Self.cost([:])
        var options = SearchOptions()
        options.optimizerOffloadRatios = [0, 1]
        let result = try PlanSearch(cost: cost, options: options).run()
        let best = try #require(result.top.first)
        #expect(best.candidate.optimizerOffloadRatio == 1)
        #expect(best.candidate.plan.zeroStage >= 1)
        #expect((result.stats.pruned[.optimizerOffload] ?? 0) > 0)

        let params = try Self.cost(["offload_param": .text("cpu")], gpus: 8, batch: 8)
        let r = try PlanSearch(cost: params, options: options).run()
        #expect(r.top.allSatisfy { $0.candidate.plan.zeroStage == 3 || $0.candidate.plan.fsdp })
        #expect(!r.top.isEmpty)
    }

    // MARK: The Hugging Face Trainer's DeepSpeed engine

    @Test("hf-trainer with a deepspeed json offloads as DeepSpeed does; its FSDP refuses the keys")
    func trainerDeepSpeedOffload() throws {
        let cpu: [String: SettingValue] = ["offload_optimizer": .text("cpu")]
        // ZeRO-2 without FSDP runs DeepSpeed's engine (transformers integrations/deepspeed.py):
        // 16-bit weights on the GPU (2 B × 8,030,261,248), the optimizer states and fp32
        // gradients on the host: 16 B per parameter + the pinned bf16 copy of the largest
        // tensor, the 128,256 × 4,096 embedding (2 × 525,336,576 B) — DeepSpeed's figures.
        let p = try Self.cost(cpu, framework: .hfTrainer).evaluate(ParallelPlan(zeroStage: 2))
        #expect(p.fitsMemory)
        #expect(p.memory.optimizer == 0 && p.memory.gradients == 0)
        #expect(abs(p.memory.parameters - 2 * Self.p8B) < 1)
        #expect(abs(p.hostMemoryPerNode - (16 * Self.p8B + 2 * 525_336_576)) < 1)
        #expect(abs(p.offload.cpuOptimizerTime - Self.p8B / 4e9) < 1e-9)
        #expect(FrameworkProfile.hfTrainer.effectiveSetting("offload_optimizer") == .text("none"))

        // accelerate's FSDP is not DeepSpeed: the key is refused naming fsdp.
        let fsdp = try Self.cost(cpu, gpus: 8, framework: .hfTrainer)
        #expect {
            try ParallelPlan(dp: 8, zeroStage: 3, fsdp: true).validate(model: fsdp.model, cluster: fsdp.cluster,
                                                                       setup: fsdp.setup)
        } throws: { error in "\(error)".contains("offload_optimizer='cpu'") && "\(error)".contains("fsdp=true") }
        // DDP (ZeRO-0) has no ZeRO optimizer to offload.
        #expect {
            try ParallelPlan(dp: 8, zeroStage: 0).validate(model: fsdp.model, cluster: fsdp.cluster, setup: fsdp.setup)
        } throws: { error in "\(error)".contains("zero_stage=0") }

        // The search prices the Trainer's ZeRO-3 as DeepSpeed's once offload_param is stated.
        var options = SearchOptions()
        options.optimizerOffloadRatios = [0, 1]
        let params = try Self.cost(["offload_param": .text("cpu")], gpus: 8, framework: .hfTrainer, batch: 8)
        let r = try PlanSearch(cost: params, options: options).run()
        #expect(!r.top.isEmpty)
        #expect(r.top.allSatisfy { $0.candidate.plan.zeroStage == 3 && !$0.candidate.plan.fsdp })
    }
}
