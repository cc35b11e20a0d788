import Testing
@testable import PDCost

/// Custom GPUs: the architecture is a field, unknown numbers are completed from a preset or the
/// architecture's reference part, and every filled value is reported.
@Suite("GPU completion")
struct GPUCompletionTests {
    static let gib = 1_073_741_824.0

    /// The A100 80GB SXM datasheet numbers (NVIDIA A100 datasheet, 80GB SXM column), stated in
    /// full, under a given name.
    func a100Numbers(_ name: String, architecture: GPUArchitecture?) -> GPUDraft {
        GPUDraft(name: name, architecture: architecture, numbers: [
            .memoryBytes: 80 * Self.gib, .fp32Flops: 19.5e12, .tf32Flops: 156e12, .fp16Flops: 312e12,
            .bf16Flops: 312e12, .hbmBandwidth: 2.039e12, .nvlinkBandwidth: 300e9,
            .networkBandwidth: 25e9, .pcieBandwidth: 32e9, .tdpWatts: 400, .gpusPerNode: 8,
        ])
    }

    func llama8B() throws -> ModelSpec {
        try ModelLoader.load(json: Array("""
            {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "intermediate_size": 14336,
             "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256}
            """.utf8))
    }

    func step(_ gpu: GPUSpec, dtype: Precision = .bf16) throws -> Prediction {
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64, dtype: dtype)
        return try CostModel(model: llama8B(), cluster: Cluster(gpu: gpu, numGPUs: 8), setup: setup)
            .evaluate(ParallelPlan(tp: 2, dp: 4, sequenceParallel: true))
    }

    @Test("the same A100 numbers predict the same step whatever the name")
    func nameDoesNotDecide() throws {
        // Before the architecture was a field, "HGX-A100-80GB" read as Hopper (first letter H)
        // and "Baseline-A100" as Blackwell (B): 3205 and 4636 ms against 2412 ms.
        let names: [(String, GPUArchitecture?)] = [
            ("A100-SXM-80GB", nil), ("HGX-A100-80GB", nil), ("Baseline-A100", .ampere),
        ]
        var steps: [Double] = []
        for (name, architecture) in names {
            let gpu = try GPUCompleter.complete(a100Numbers(name, architecture: architecture)).gpu
            #expect(gpu.architecture == .ampere, "\(name)")
            steps.append(try step(gpu).stepTime)
        }
        let preset = try step(GPUPresets.named("A100-SXM-80GB")).stepTime
        for s in steps { #expect(s == preset) }
    }

    @Test("the seed's H800 is completed from H800-SXM-80GB and keeps its own BF16 rate")
    func seedH800() throws {
        let c = try GPUCompleter.complete(GPUDraft(name: "H800", numbers: [
            .memoryBytes: 79.6 * Self.gib, .bf16Flops: 788e12,
        ]))
        #expect(c.gpu.bf16Flops == 788e12)                // stated: wins
        #expect(c.gpu.memoryBytes == 79.6 * Self.gib)
        #expect(c.gpu.nvlinkBandwidth == 400e9 / 2)      // H800 datasheet: NVLink 400 GB/s bidirectional
        #expect(c.gpu.hbmBandwidth == 3.35e12)           // H800 datasheet: 3.35 TB/s
        #expect(c.gpu.architecture == .hopper)
        #expect(c.basis == "H800-SXM-80GB")
        let fields = Set(c.filled.map(\.field))
        #expect(fields.isSuperset(of: ["architecture", "nvlink_bandwidth", "hbm_bandwidth", "fp8_flops",
                                      "network_bandwidth", "pcie_bandwidth", "tdp_watts", "gpus_per_node"]))
        #expect(!fields.contains("bf16_flops") && !fields.contains("memory_bytes"))
        #expect(c.filled.allSatisfy { $0.from == "preset H800-SXM-80GB" })
    }

    @Test("without a matching preset, the architecture's reference part is scaled by the stated peak")
    func architectureReference() throws {
        // Half an H100 SXM: bf16 494.7 of 989.4 TFLOPS → every unknown peak halves
        // (FP8 1978.9 / 2), bandwidths and memory are the H100 SXM's.
        let c = try GPUCompleter.complete(GPUDraft(name: "Lab-Part-7", architecture: .hopper,
                                                   numbers: [.bf16Flops: 494.7e12]))
        #expect(abs(c.gpu.fp8Flops - 1978.9e12 / 2) < 1e3)
        #expect(abs(c.gpu.fp32Flops - 67e12 / 2) < 1e3)
        #expect(c.gpu.nvlinkBandwidth == 450e9 && c.gpu.hbmBandwidth == 3.35e12)
        #expect(c.gpu.memoryBytes == 80 * Self.gib)
        #expect(c.basis == "H100-SXM-80GB")
        // A stated "no FP8" leaves FP8 at 0.
        let noFP8 = try GPUCompleter.complete(GPUDraft(name: "Lab-Part-8", architecture: .hopper, supportsFP8: false))
        #expect(noFP8.gpu.fp8Flops == 0 && !noFP8.gpu.supportsFP8)
    }

    @Test("a GPU with no matching preset and no architecture is rejected naming the field")
    func uncompletable() {
        do {
            _ = try GPUCompleter.complete(GPUDraft(name: "Mystery", numbers: [.memoryBytes: 80e9, .bf16Flops: 1e15]),
                                          fieldName: { "GPUSpec." + $0 })
            Issue.record("should not complete")
        } catch {
            #expect(error.kind == "invalidArgument")
            #expect(error.message.hasPrefix("GPUSpec.hbm_bandwidth=0 is unknown and no preset or architecture"))
            #expect(error.message.contains("set GPUSpec.architecture or the number"))
        }
    }

    @Test("preset matching: exact, family, none")
    func matching() {
        #expect(GPUPresetMatch.preset(for: "H800")?.gpu.name == "H800-SXM-80GB")
        #expect(GPUPresetMatch.preset(for: "A100-40GB")?.gpu.name == "A100-SXM-40GB")
        #expect(GPUPresetMatch.preset(for: "HGX-A100-80GB")?.gpu.name == "A100-SXM-80GB")
        #expect(GPUPresetMatch.preset(for: "NVIDIA H100 PCIe")?.gpu.name == "H100-PCIe-80GB")
        #expect(GPUPresetMatch.preset(for: "Baseline-A100") == nil)
        #expect(GPUPresetMatch.preset(for: "GeForce RTX 3090") == nil)
        #expect(GPUPresetMatch.preset(for: "B200-192GB")?.gpu.name == "B200")
    }

    @Test("compute capabilities map onto architectures")
    func computeCapability() {
        #expect(GPUArchitecture(computeCapabilityMajor: 7, minor: 0) == .volta)
        #expect(GPUArchitecture(computeCapabilityMajor: 8, minor: 6) == .ampere)
        #expect(GPUArchitecture(computeCapabilityMajor: 8, minor: 9) == .ada)
        #expect(GPUArchitecture(computeCapabilityMajor: 9, minor: 0) == .hopper)
        #expect(GPUArchitecture(computeCapabilityMajor: 10, minor: 0) == .blackwell)
        #expect(GPUArchitecture(computeCapabilityMajor: 10, minor: 3) == .blackwellUltra)  // B300
        #expect(GPUArchitecture(computeCapabilityMajor: 12, minor: 0) == .blackwell)  // RTX 50xx
        #expect(GPUArchitecture(computeCapabilityMajor: 7, minor: 5) == nil)  // Turing
    }

    /// Blackwell Ultra's sustained share of its datasheet rate, by the cube law of dynamic power
    /// (P ∝ SMs · f³) from B200's 0.815 at 1,000 W: 160 SMs instead of 148 at the same 2.25
    /// PFLOPS BF16 dense (clock 148/160 of B200's), 1,100 W (NVIDIA HGX B300):
    /// 0.815 · 1.1^(1/3) · (148/160)^(1/3) · (160/148) = 0.8861. GB300 states its higher clock in
    /// its 2.5 PFLOPS and runs at the same share; B200 and GB200 keep 0.815. So B300 prices GEMM-
    /// bound work 0.886/0.815 = 1.087× B200, inside nothing fitted (Megatron-Bridge's tables
    /// measure 1.10–1.16× at the same layout).
    @Test("Blackwell Ultra sustains a larger share of its peak than Blackwell")
    func blackwellUltraSustainedClock() throws {
        let ultra = EfficiencyProfile.defaults(for: .blackwellUltra)
        let blackwell = EfficiencyProfile.defaults(for: .blackwell)
        let derived = 0.815 * cubeRoot(1100.0 / 1000 / 8) * 2 * cubeRoot(148.0 / 160) * (160.0 / 148)
        #expect(abs(ultra.sustainedFraction - derived) < 0.001, "\(ultra.sustainedFraction) vs \(derived)")
        #expect(blackwell.sustainedFraction == 0.815)
        #expect(ultra.gemmPeakFraction16 == blackwell.gemmPeakFraction16)
        for name in ["B300", "GB300"] {
            #expect(try GPUPresets.named(name).architecture == .blackwellUltra)
        }
        let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 8, dtype: .bf16)
        let b300 = Rates(cluster: Cluster(gpu: try GPUPresets.named("B300"), numGPUs: 8), setup: setup)
        let b200 = Rates(cluster: Cluster(gpu: try GPUPresets.named("B200"), numGPUs: 8), setup: setup)
        #expect(abs(b300.gemm16 / b200.gemm16 - derived / 0.815) < 0.002)
    }

    @Test("fp32 training runs at the FP32 peak: MFU below 1, step slower by about the peak ratio")
    func fp32Training() throws {
        let h100 = try GPUPresets.named("H100-SXM-80GB")
        let bf16 = try step(h100, dtype: .bf16)
        let fp32 = try step(h100, dtype: .fp32)
        #expect(fp32.mfu > 0 && fp32.mfu < 1)
        // GEMMs and attention slow by 989.4 / 67 = 14.77 (H100 SXM5 whitepaper peaks); the
        // memory-bound kernels and communication do not, so the step slows by a little less.
        let peakRatio = 989.4 / 67
        let ratio = fp32.stepTime / bf16.stepTime
        #expect(ratio > 0.6 * peakRatio && ratio < 1.05 * peakRatio, "ratio \(ratio)")
    }
}
