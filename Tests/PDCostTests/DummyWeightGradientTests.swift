import Testing
import PDCost

/// Megatron's placeholder weight gradients (DummyWeightGradients.swift) against hand counts.
@Suite("Dummy weight gradients")
struct DummyWeightGradientTests {
    /// Llama-3-8B (h 4096, 32 heads, 8 KV heads of 128, FFN 14336, vocab 128256), seq 4096,
    /// mbs 1, tp 2 with SP, pp 1, dp 4, Megatron with the unfused loss (6 B per logit).
    func temporaryBuffers(torch: String?) throws -> Double {
        var settings = FrameworkSettings()
        settings.torchVersion = torch
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 8,
                                  framework: FrameworkProfile(kind: .megatron, settings: settings))
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let cost = try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: cluster, setup: setup)
        return cost.evaluate(ParallelPlan(tp: 2, pp: 1, dp: 4, sequenceParallel: true, zeroStage: 1))
            .memory.temporaryBuffers
    }

    /// The loss working set, larger than one layer's backward here, holds the bf16 logits and
    /// their fp32 copy, 4096 · 64128 · 6 = 1,576,009,728 B (vocab 128256 is a multiple of
    /// 128·tp), plus the output layer's placeholder gradient, 2 · 64128 · 4096 = 525,336,576 B;
    /// with the 0.25 GiB workspace 2,369,781,760 B. TE's cached dummies (torch ≥ 2.8 dates the
    /// stack to TE ≥ 2.3) add one bf16 copy of a layer's local GEMM weights: QKV + output
    /// (4096·4096 + 2·4096·1024 + 4096·4096 = 41,943,040) and FC1 + FC2 (3·4096·14336 =
    /// 176,160,768), over tp 2, two bytes each: 218,103,808 B.
    @Test("loss working set with the output layer's placeholder; TE's cached dummies per layer shape")
    func handCounts() throws {
        let old = try temporaryBuffers(torch: nil)
        #expect(abs(old - 2_369_781_760) < 1)
        let new = try temporaryBuffers(torch: "2.8")
        #expect(abs(new - old - 218_103_808) < 1)
        // An older stack (TE < 2.3 with torch 2.7 in the NGC pairing) caches none.
        #expect(abs(try temporaryBuffers(torch: "2.7") - old) < 1)
    }
}
