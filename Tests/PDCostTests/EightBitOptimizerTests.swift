import Testing
import PDCost

/// bitsandbytes' 8-bit AdamW against hand calculations: each moment is one byte plus one fp32
/// absmax per block of 2,048 values (Dettmers et al. 2022 §2), the master copy stays fp32.
@Suite("8-bit optimizer states")
struct EightBitOptimizerTests {
    static let h100 = Cluster(gpu: try! GPUPresets.named("H100-SXM-80GB"), numGPUs: 1)
    /// 8,030,261,248 parameters (Meta's Llama-3-8B config; ParameterCountTests).
    static let base8B = 8_030_261_248.0

    static func predict(_ optimizer: Optimizer, method: FineTuning.Method = .sft) throws -> Prediction {
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1, optimizer: optimizer,
                                  fineTuning: FineTuning(method: method))
        let cost = try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: h100, setup: setup)
        return cost.evaluate(ParallelPlan())
    }

    @Test("AdamW8bit keeps 4 + 2·(1 + 4/2048) = 6.0039 B of optimizer state per parameter, Adam 12")
    func stateBytes() throws {
        let adam = try Self.predict(.adamw)
        let eight = try Self.predict(.adamw8bit)
        #expect(abs(adam.memory.optimizer - 12 * Self.base8B) < 1)
        #expect(abs(eight.memory.optimizer - 6.00390625 * Self.base8B) < 1)
        // Weights and gradients are the optimizer's business only through the update.
        #expect(eight.memory.parameters == adam.memory.parameters)
        #expect(eight.memory.gradients == adam.memory.gradients)
    }

    @Test("the optimizer step moves 18 B per parameter instead of Adam's 30")
    func stepTraffic() throws {
        let adam = try Self.predict(.adamw)
        let eight = try Self.predict(.adamw8bit)
        // Both add the same gradient-buffer zeroing; the difference is (30 − 18.0078) B × Ψ over
        // the same memory-bound rate, so the 8-bit step is strictly shorter.
        #expect(eight.optimizerTime < adam.optimizerTime)
        #expect(eight.optimizerTime > 0.5 * adam.optimizerTime)
    }

    @Test("the name is bitsandbytes' and Hugging Face's")
    func name() {
        #expect(Optimizer(rawValue: "adamw_8bit") == .adamw8bit)
    }
}

/// bitsandbytes' paged optimizers: states in CUDA managed memory (outside the caching
/// allocator), paged to the host when the device is full (Dettmers et al. 2023 §3).
@Suite("Paged optimizer states")
struct PagedOptimizerTests {
    @Test("paged states leave the allocator's figures; what the device cannot hold crosses PCIe twice a step")
    func paged() throws {
        let adam = try EightBitOptimizerTests.predict(.adamw)
        let paged = try EightBitOptimizerTests.predict(.pagedAdamw)
        let psi = EightBitOptimizerTests.base8B
        // Full fine-tuning of Llama-3-8B on one H100 with Adam: 2 + 4 + 12 B per parameter
        // does not fit in 80 GB; with the 12 B paged the allocator holds 96 GB less.
        #expect(!adam.fitsMemory)
        #expect(abs(paged.memory.optimizer - 12 * psi) < 1)
        #expect(abs((adam.memory.allocated - paged.memory.allocated) - 12 * psi) < 1)
        #expect(paged.fitsMemory)
        // Overflow: the states beyond what the device leaves after reserved memory and the
        // runtime; paged in and out each step at the PCIe rate.
        let room = max(paged.memory.total - paged.memory.reserved - paged.memory.frameworkOverhead, 0)
        let overflow = 12 * psi - room
        #expect(overflow > 0)
        let cluster = EightBitOptimizerTests.h100
        let pcie = cluster.gpu.pcieBandwidth * cluster.efficiency.pcieFraction
        #expect(abs(paged.offloadTime - 2 * overflow / pcie) <= 1e-9 * paged.offloadTime)
        #expect(paged.stepTime > paged.offloadTime)
        // 8-bit paged states: 4 + 2·(1 + 4/2048) B per parameter.
        let paged8 = try EightBitOptimizerTests.predict(.pagedAdamw8bit)
        #expect(abs(paged8.memory.optimizer - 6.00390625 * psi) < 1)
        #expect(paged8.offloadTime < paged.offloadTime)
    }
}

/// The search's memory lower bound counts what the allocator holds, so paged optimizer states
/// (outside it) prune nothing that fits.
@Suite("Paged optimizer states in the search")
struct PagedOptimizerSearchTests {
    @Test("the lower bound removes no plan that fits when the states are paged")
    func lowerBound() throws {
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 8, optimizer: .pagedAdamw,
                                  fineTuning: FineTuning(method: .sft))
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let cost = try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: cluster, setup: setup)
        var options = SearchOptions()
        options.topK = 50
        options.threads = 1
        let pruned = try PlanSearch(cost: cost, options: options).run()
        options.memoryLowerBoundPruning = false
        let full = try PlanSearch(cost: cost, options: options).run()
        #expect(full.stats.feasible > 0)
        #expect(pruned.stats.feasible == full.stats.feasible)
    }
}
