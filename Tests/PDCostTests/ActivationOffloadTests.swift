import Testing
import PDCost

/// Megatron-Core's layer activation offload (`settings.activation_offload_layers`, Megatron's
/// `cpu_offloading_num_layers`): device memory, host memory and exposed copy time against hand
/// calculations from the mechanism (megatron/core/cpu_offload.py: N layers' saved activations
/// to the host in the forward, back one layer ahead in the backward), and the combinations
/// Megatron-Core's TransformerConfig refuses.
@Suite("Layer activation offload")
struct ActivationOffloadTests {
    static let h100 = try! GPUPresets.named("H100-SXM-80GB")

    static func cost(offload: Int?, model: String = "llama3-8b", gpus: Int = 8, recompute: Recompute = .none,
                     framework: FrameworkProfile.Kind = .megatron,
                     settings: [String: SettingValue] = [:]) throws -> CostModel {
        var s = FrameworkSettings()
        if let offload { try FrameworkSettings.field("activation_offload_layers")!.set(&s, .integer(offload)) }
        for (key, value) in settings { try FrameworkSettings.field(key)!.set(&s, value) }
        let setup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: gpus, recompute: recompute,
                                  framework: FrameworkProfile(kind: framework, settings: s))
        return try CostModel(model: try ModelPresets.named(model), cluster: Cluster(gpu: Self.h100, numGPUs: gpus),
                             setup: setup)
    }

    /// Llama-3-8B, 32 layers, on 8 H100s, dp 8, one 8,192-token sequence per GPU.
    static let plan = ParallelPlan(dp: 8)
    /// The output layer keeps its bf16 input for the weight gradient: 2 B × 4,096 × 8,192
    /// (`activations` holds it besides the 32 layers' saved tensors).
    static let outputLayerInput = 2.0 * 4096 * 8192

    @Test("N = 8 of 32 layers: 7 layers' activations leave the device (one is being reloaded), 8 go to the host")
    func memory() throws {
        let base = try Self.cost(offload: nil).evaluate(Self.plan)
        let p = try Self.cost(offload: 8).evaluate(Self.plan)
        let perLayer = (base.memory.activations - Self.outputLayerInput) / 32
        #expect(perLayer > 0.5e9)  // ~1 GB per layer at 8,192 tokens: large enough to matter
        // Resident at the start of the backward: the 24 layers that stay plus the reloading one.
        #expect(abs((base.memory.activations - p.memory.activations) - 7 * perLayer) < 1)
        #expect(abs((base.memory.allocated - p.memory.allocated) - 7 * perLayer) < 1)
        // Pinned host copies: 8 layers per rank, 8 ranks on the node.
        #expect(base.hostMemoryPerNode == 0)
        #expect(abs(p.hostMemoryPerNode - 8 * 8 * perLayer) < 8)
    }

    @Test("each layer's copy stalls what its layer's compute does not cover")
    func exposedCopies() throws {
        let base = try Self.cost(offload: nil).evaluate(Self.plan)
        #expect(base.offloadTime == 0)
        let perLayer = (base.memory.activations - Self.outputLayerInput) / 32
        // PCIe Gen5 x16, 64 GB/s per direction × 0.8 (EfficiencyProfile.pcieFraction): ~22 ms per
        // 1.1 GB layer, more than a layer's forward (~2 × 0.22e9 × 8,192 FLOP ≈ 3.6 TFLOP, a few
        // ms) or backward, so every copy is partly exposed: N × (2 copy − forward − backward),
        // between 2·N·copy less the N layers' share of the compute and 2·N·copy.
        let copy = perLayer / (64e9 * 0.8)
        for n in [4, 8, 16] {
            let p = try Self.cost(offload: n).evaluate(Self.plan)
            let upper = Double(n) * 2 * copy
            let lower = upper - base.computeTime * Double(n) / 32
            #expect(p.offloadTime <= upper + 1e-12 && p.offloadTime >= lower, "N = \(n)")
            #expect(abs(p.stepTime - base.stepTime - p.offloadTime) < 1e-9, "N = \(n)")
        }
    }

    @Test("what Megatron-Core refuses is refused, naming the setting")
    func refused() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { _ = try Self.cost(offload: 8, recompute: .selective) }
            .contains("settings.activation_offload_layers=8 with recompute='selective'"))
        #expect(message { _ = try Self.cost(offload: 8, settings: ["cuda_graphs": .bool(true)]) }
            .contains("settings.activation_offload_layers=8 with settings.cuda_graphs=true"))
        #expect(message { _ = try Self.cost(offload: 32) }
            .contains("settings.activation_offload_layers=32 must be less than num_hidden_layers=32"))
        #expect(message { _ = try Self.cost(offload: 8, framework: .torchtitan) }
            .contains("framework torchtitan has no such switch"))
        let cost = try Self.cost(offload: 8)
        #expect(message { try ParallelPlan(pp: 2, dp: 4).validate(model: cost.model, cluster: cost.cluster, setup: cost.setup) }
            .contains("pp=2 with settings.activation_offload_layers=8"))
        // Zero offloaded layers is no offload, for any framework.
        #expect(message { _ = try Self.cost(offload: 0, framework: .torchtitan) } == "")
    }

    @Test("the plan search proposes only pp = 1 without recomputation under offload")
    func search() throws {
        let cost = try Self.cost(offload: 8, gpus: 16)
        var options = SearchOptions()
        options.topK = 50
        let result = try PlanSearch(cost: cost, options: options).run()
        #expect(!result.top.isEmpty)
        for entry in result.top {
            #expect(entry.candidate.plan.pp == 1)
            #expect(entry.candidate.recompute.granularity == .none)
        }
    }
}
