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
