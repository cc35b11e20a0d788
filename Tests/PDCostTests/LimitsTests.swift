import Foundation
import Testing
@testable import PDCost

/// The limits table (Support/Limits.swift): every limit is enforced at its boundary (the
/// maximum accepted, maximum + 1 rejected with a message quoting the table's range), and
/// setups no plan could be priced under are refused when the cost model is created.
@Suite struct LimitsTests {
    let llama = try! ModelPresets.named("llama3-8b")  // test fixture, not reachable from input
    let h100 = try! GPUPresets.named("H100-SXM-80GB")

    /// A tiny MoE model, so that each size can be pushed to its maximum without the
    /// parameter cap (2^52) firing first.
    func tiny() throws -> ModelSpec {
        var m = try ModelPresets.named("qwen3-30b-a3b")
        m.numLayers = 1; m.hiddenSize = 8; m.intermediateSize = 8; m.numAttentionHeads = 1
        m.numKeyValueHeads = 1; m.headDim = 8; m.vocabSize = 8; m.maxPositionEmbeddings = 8
        m.moe?.numExperts = 1; m.moe?.expertsPerToken = 1; m.moe?.expertIntermediateSize = 8
        m.moe?.firstDenseLayers = 0; m.moe?.layerFrequency = 1
        m.moe?.numSharedExperts = 0; m.moe?.sharedExpertIntermediateSize = 0
        return m
    }

    @Test("the table's values are the documented powers of two") func values() {
        // Independently stated: the header's macros and the README quote these numbers.
        #expect(PDCostLimits.seqLen.maximum == 2_147_483_648)
        #expect(PDCostLimits.microBatchSize.maximum == 1_048_576)
        #expect(PDCostLimits.globalBatchSize.maximum == 2_147_483_648)
        #expect(PDCostLimits.numGPUs.maximum == 16_777_216)
        #expect(PDCostLimits.parallelDegree.maximum == 16_777_216)
        #expect(PDCostLimits.jsonBytes.maximum == 67_108_864)
        #expect(PDCostLimits.jsonDepth.maximum == 64)
        #expect(PDCostLimits.parameters.maximum == 4_503_599_627_370_496)
        #expect(PDCostLimits.seqLen.range == "[1, 2^31]")
        #expect(PDCostLimits.zeroStage.range == "[0, 3]")
        #expect(PDCostLimits.searchTopK.range == "[1, 100000]")
        // Products the bounds are chosen for: exact in a double / an Int.
        #expect(PDCostLimits.seqLen.maximum * PDCostLimits.microBatchSize.maximum <= 1 << 53)
        #expect(PDCostLimits.seqLen.maximum.multipliedReportingOverflow(by: PDCostLimits.globalBatchSize.maximum).overflow == false)
        #expect(PDCostLimits.globalBatchSize.maximum <= Int(UInt32.max))
        #expect(PDCostLimits.numGPUs.maximum * PDCostLimits.parallelDegree.maximum <= 1 << 48)
    }

    @Test("names are unique, ranges ordered, JSON matches the table") func json() throws {
        let names = PDCostLimits.all.map(\.name)
        #expect(Set(names).count == names.count)
        for l in PDCostLimits.all {
            #expect(l.minimum <= l.maximum, "\(l.name)")
            for text in [l.name, l.unit, l.why, l.range] + l.fields {
                #expect(!text.contains("\"") && !text.contains("\\"), "\(l.name): \(text)")
            }
        }
        let data = Data(PDCostLimits.json().utf8)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["version"] as? Int == PDCostLimits.version)
        let table = try #require(root["limits"] as? [String: [String: Any]])
        #expect(Set(table.keys) == Set(names))
        for l in PDCostLimits.all {
            let entry = try #require(table[l.name])
            #expect(entry["minimum"] as? Int == l.minimum)
            #expect(entry["maximum"] as? Int == l.maximum)
            #expect(entry["range"] as? String == l.range)
            #expect(entry["unit"] as? String == l.unit)
            #expect(entry["fields"] as? [String] == l.fields)
        }
    }

    @Test("training setup: maximum accepted, maximum + 1 rejected naming the field") func setupBounds() throws {
        let cluster = Cluster(gpu: h100, numGPUs: 8)
        let seqMax = 1 << 31, mbsMax = 1 << 20, gbsMax = 1 << 31
        _ = try CostModel(model: llama, cluster: cluster, setup: TrainingSetup(seqLen: seqMax, globalBatchSize: 1))
        _ = try CostModel(model: llama, cluster: cluster,
                          setup: TrainingSetup(seqLen: 8, microBatchSize: mbsMax, globalBatchSize: mbsMax))
        _ = try CostModel(model: llama, cluster: cluster, setup: TrainingSetup(seqLen: 8, globalBatchSize: gbsMax))
        let cases: [(TrainingSetup, String)] = [
            (TrainingSetup(seqLen: seqMax + 1, globalBatchSize: 1), "seq_len=2147483649 must be in [1, 2^31]"),
            (TrainingSetup(seqLen: 0, globalBatchSize: 1), "seq_len=0 must be in [1, 2^31]"),
            (TrainingSetup(seqLen: 8, microBatchSize: mbsMax + 1, globalBatchSize: mbsMax + 1),
             "micro_batch_size=1048577 must be in [1, 2^20]"),
            (TrainingSetup(seqLen: 8, microBatchSize: 0, globalBatchSize: 8), "micro_batch_size=0 must be in [1, 2^20]"),
            (TrainingSetup(seqLen: 8, globalBatchSize: gbsMax + 1), "global_batch_size=2147483649 must be in [1, 2^31]"),
            (TrainingSetup(seqLen: 8, globalBatchSize: 0), "global_batch_size=0 must be in [1, 2^31]"),
            (TrainingSetup(seqLen: 8, microBatchSize: 3, globalBatchSize: 64),
             "global_batch_size=64 is not a multiple of micro_batch_size=3"),
            (TrainingSetup(seqLen: 8, globalBatchSize: 8, maxSeqLen: seqMax + 1), "max_seq_len=2147483649 must be in [1, 2^31]"),
            (TrainingSetup(seqLen: 8, globalBatchSize: 8, recompute: Recompute(.full, numLayers: 33)),
             "recompute_num_layers=33 exceeds num_hidden_layers=32"),
            (TrainingSetup(seqLen: 8, globalBatchSize: 8, recompute: Recompute(.full, numLayers: 0)),
             "recompute_num_layers=0 must be in [1, 2^24]"),
            (TrainingSetup(seqLen: 8, globalBatchSize: 8, optimizerOffloadRatio: 1.5),
             "optimizer_offload_ratio=1.5 must be in [0, 1]"),
        ]
        for (setup, message) in cases {
            #expect(throws: PDCostError.invalidArgument(message)) {
                _ = try CostModel(model: llama, cluster: cluster, setup: setup)
            }
        }
        // recompute_num_layers: the model's layers accepted; the table's maximum without a model.
        _ = try CostModel(model: llama, cluster: cluster,
                          setup: TrainingSetup(seqLen: 8, globalBatchSize: 8, recompute: Recompute(.full, numLayers: 32)))
        _ = try TrainingSetup(seqLen: 8, globalBatchSize: 8, recompute: Recompute(.full, numLayers: 1 << 24)).validated()
        #expect(throws: PDCostError.invalidArgument("recompute_num_layers=16777217 must be in [1, 2^24]")) {
            _ = try TrainingSetup(seqLen: 8, globalBatchSize: 8, recompute: Recompute(.full, numLayers: (1 << 24) + 1)).validated()
        }
    }

    @Test("cluster: GPUs and GPUs per node at their bounds") func clusterBounds() throws {
        let max = 1 << 24
        _ = try Cluster(gpu: h100, numGPUs: max, gpusPerNode: max).validated()
        #expect(throws: PDCostError.invalidArgument("num_gpus=16777217 must be in [1, 2^24]")) {
            _ = try Cluster(gpu: h100, numGPUs: max + 1).validated()
        }
        #expect(throws: PDCostError.invalidArgument("num_gpus=0 must be in [1, 2^24]")) {
            _ = try Cluster(gpu: h100, numGPUs: 0).validated()
        }
        #expect(throws: PDCostError.invalidArgument("gpus_per_node=16777217 must be in [1, 2^24]")) {
            _ = try Cluster(gpu: h100, numGPUs: 8, gpusPerNode: max + 1).validated()
        }
    }

    @Test("plan: parallel degrees at their bound") func degreeBounds() throws {
        let max = 1 << 24
        let cluster = Cluster(gpu: h100, numGPUs: max)
        let setup = TrainingSetup(seqLen: 8192, globalBatchSize: max)
        try ParallelPlan(dp: max).validate(model: llama, cluster: cluster, setup: setup)
        for (name, plan) in [("tp", ParallelPlan(tp: max + 1)), ("pp", ParallelPlan(pp: max + 1)),
                             ("vpp", ParallelPlan(vpp: max + 1)), ("dp", ParallelPlan(dp: max + 1)),
                             ("cp", ParallelPlan(cp: max + 1)), ("ep", ParallelPlan(ep: max + 1)),
                             ("etp", ParallelPlan(etp: max + 1))] {
            #expect(throws: PDCostError.invalidArgument("\(name)=16777217 must be in [1, 2^24]")) {
                try plan.validate(model: llama, cluster: cluster, setup: setup)
            }
        }
        #expect(throws: PDCostError.invalidArgument("zero_stage=4 must be in [0, 3]")) {
            try ParallelPlan(dp: max, zeroStage: 4).validate(model: llama, cluster: cluster, setup: setup)
        }
        try ParallelPlan(dp: max, zeroStage: 3).validate(model: llama, cluster: cluster, setup: setup)
    }

    @Test("model sizes at their bounds") func modelBounds() throws {
        let max = 1 << 24
        let fields: [(String, WritableKeyPath<ModelSpec, Int>)] = [
            ("num_hidden_layers", \.numLayers), ("hidden_size", \.hiddenSize),
            ("intermediate_size", \.intermediateSize), ("num_attention_heads", \.numAttentionHeads),
            ("vocab_size", \.vocabSize), ("head_dim", \.headDim),
        ]
        for (name, path) in fields {
            var m = try tiny()
            m[keyPath: path] = max
            _ = try m.validated()
            m[keyPath: path] = max + 1
            #expect(throws: PDCostError.invalidArgument("\(name)=16777217 must be in [1, 2^24]")) { _ = try m.validated() }
        }
        var m = try tiny()
        m.moe?.numExperts = max
        _ = try m.validated()
        m.moe?.numExperts = max + 1
        #expect(throws: PDCostError.invalidArgument("num_experts=16777217 must be in [1, 2^24]")) { _ = try m.validated() }
        m = try tiny()
        m.mtpLayers = max + 1
        #expect(throws: PDCostError.invalidArgument("num_nextn_predict_layers=16777217 must be in [0, 2^24]")) {
            _ = try m.validated()
        }
    }

    @Test("search options read the table") func searchBounds() throws {
        var o = SearchOptions()
        o.microBatchSizes = Array(1...16)
        _ = try o.validated()
        o.microBatchSizes = Array(1...17)
        #expect(throws: PDCostError.invalidArgument("micro_batch_sizes.count=17 must be in [1, 16]")) { _ = try o.validated() }
        o.microBatchSizes = [1 << 20]
        _ = try o.validated()
        o.microBatchSizes = [(1 << 20) + 1]
        #expect(throws: PDCostError.invalidArgument("micro_batch_sizes[]=1048577 must be in [1, 2^20]")) { _ = try o.validated() }
        o = SearchOptions()
        o.topK = 100_001
        #expect(throws: PDCostError.invalidArgument("top_k=100001 must be in [1, 100000]")) { _ = try o.validated() }
        o = SearchOptions()
        o.maxTP = (1 << 24) + 1
        #expect(throws: PDCostError.invalidArgument("max_tp=16777217 must be in [1, 2^24]")) { _ = try o.validated() }
        #expect(SettingsSweep.maxKeys == PDCostLimits.varySettingsKeys.maximum)
        #expect(JSONReader.maxDepth == PDCostLimits.jsonDepth.maximum)
    }
}
