import FoundationEssentials
import Testing
import PDCost

/// Regressions for what 20 minutes of fuzzing the C entry points found
/// (Tests/fuzz/findings/README.md).
@Suite("Fuzz findings")
struct FuzzFindingsTests {
    /// A Blackwell part stated with an FP16 peak of DBL_MAX: its FP8 peak, scaled from the B200
    /// reference by that ratio, overflows. The completion refuses it naming the field it could
    /// not fill, instead of handing back an infinite peak (finding gpu-complete-non-finite).
    @Test("a peak that would be filled as infinity is refused, naming it")
    func nonFiniteFill() {
        let draft = GPUDraft(name: "custom", architecture: .blackwell, numbers: [.fp16Flops: .greatestFiniteMagnitude])
        do {
            _ = try GPUCompleter.complete(draft)
            Issue.record("completed a GPU with an overflowing filled peak")
        } catch {
            #expect(error.message.hasPrefix("fp8_flops cannot be filled: "), "\(error.message)")
        }
    }

    /// A node size beyond the limits table (2^24) is refused on its field, not clamped
    /// (finding gpu-complete-gpus-per-node-clamped).
    @Test("gpus_per_node beyond the limit is an error, not a clamp")
    func nodeSizeNotClamped() {
        let draft = GPUDraft(name: "H100-SXM-80GB", numbers: [.gpusPerNode: Double(1 << 24) + 1])
        do {
            _ = try GPUCompleter.complete(draft)
            Issue.record("a node size of 2^24 + 1 was accepted")
        } catch {
            #expect(error.message == "gpus_per_node=16777217.0 must be in [1, 2^24]", "\(error.message)")
        }
    }

    /// max_vpp is accepted up to 2^24, but no chunk can hold less than a layer: the search's
    /// interleaving loop is bounded by the layers of a stage, so max_vpp = 2^24 finds exactly
    /// what max_vpp = 16 finds on a 16-layer model, quickly (finding search-max-vpp: 22.6 s).
    @Test("max_vpp far beyond the layers changes nothing and costs nothing")
    func maxVPPBounded() throws {
        let model = try ModelLoader.load(json: Array("""
            {"model_type": "llama", "num_hidden_layers": 16, "hidden_size": 1024, "intermediate_size": 4096,
             "num_attention_heads": 16, "num_key_value_heads": 8, "vocab_size": 32000}
            """.utf8))
        let cost = try CostModel(model: model, cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 16),
                                 setup: TrainingSetup(seqLen: 2048, globalBatchSize: 64))
        var small = SearchOptions()
        small.maxVPP = 16
        small.threads = 1
        small.topK = 1000
        var huge = small
        huge.maxVPP = 1 << 24
        let clock = ContinuousClock()
        let start = clock.now
        let a = try PlanSearch(cost: cost, options: huge).run()
        #expect(clock.now - start < .seconds(5))
        let b = try PlanSearch(cost: cost, options: small).run()
        #expect(a.top.map(\.candidate) == b.top.map(\.candidate))
        #expect(a.stats.evaluated == b.stats.evaluated && a.stats.feasible == b.stats.feasible)
    }
}
