import FoundationEssentials
import Testing
@testable import PDCost

/// Issue 14 item 6: within one cluster the runs fit cross-validates by model
/// (leave-one-model-out), keeps a parameter only if it helps the models it was not fitted on,
/// and fits the memory terms (fragmentation, workspaces) to measured allocated/reserved memory.
@Suite("RunsFitSelection")
struct RunsFitSelectionTests {
    typealias Shape = RunsFitTests.Shape

    static let models: [(name: String, shape: Shape)] = [
        ("small", RunsFitTests.small),
        ("medium", RunsFitTests.medium),
        ("wide", Shape(layers: 24, hidden: 3072, ffn: 8192, heads: 24, kv: 8, vocab: 64000)),
    ]

    /// One cluster (one source, H100): per model, 8 GPUs at TP 1/2/4/8 and 16 GPUs over two
    /// nodes at TP 4 × DP 4, each at two sequence lengths (10 runs per model).
    static func plans() -> [(id: String, model: Int, gpus: Int, tp: Int, dp: Int, seq: Int)] {
        var out: [(String, Int, Int, Int, Int, Int)] = []
        for (m, model) in models.enumerated() {
            for (gpus, tp, dp) in [(8, 1, 8), (8, 2, 4), (8, 4, 2), (8, 8, 1), (16, 4, 4)] {
                for seq in [2048, 8192] { out.append(("\(model.name)-tp\(tp)-dp\(dp)-s\(seq)", m, gpus, tp, dp, seq)) }
            }
        }
        return out.map { (id: $0.0, model: $0.1, gpus: $0.2, tp: $0.3, dp: $0.4, seq: $0.5) }
    }

    static func record(id: String, model m: Shape, gpus: Int, tp: Int, dp: Int, seq: Int,
                       measured: String) -> String {
        """
        {"id": "\(id)", "source": "our/cluster@0 table", "kind": "training",
         "model": {"model_type": "llama", "num_hidden_layers": \(m.layers), "hidden_size": \(m.hidden),
                   "intermediate_size": \(m.ffn), "num_attention_heads": \(m.heads),
                   "num_key_value_heads": \(m.kv), "head_dim": \(m.hidden / m.heads), "vocab_size": \(m.vocab),
                   "tie_word_embeddings": false, "hidden_act": "silu"},
         "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": \(gpus), "gpus_per_node": 8},
         "parallel": {"tp": \(tp), "pp": 1, "vpp": 1, "dp": \(dp), "cp": 1, "ep": 1,
                      "sequence_parallel": \(tp > 1), "zero_stage": 1, "fsdp": false},
         "training": {"seq_len": \(seq), "micro_batch_size": 1, "global_batch_size": 64, "dtype": "bf16",
                      "recompute": "none"},
         "framework": "megatron",
         "measured": {\(measured)},
         "complete": true}
        """
    }

    /// The cluster's runs with "measured" values predicted under `truth`, then passed through
    /// `measure(run index, prediction)` (which writes the `measured` object's body).
    static func runs(truth: CalibrationProfile,
                     measure: (Int, Prediction) -> String) throws -> MeasuredRunsFile {
        let list = Self.plans()
        let draft = try MeasuredRunsFile.decode(Array(RunsFitTests.file(list.map {
            record(id: $0.id, model: models[$0.model].shape, gpus: $0.gpus, tp: $0.tp, dp: $0.dp, seq: $0.seq,
                   measured: "\"tokens_per_s_per_gpu\": 1000")
        }).utf8))
        let report = try Validator.validate(draft, profile: truth)
        var records: [String] = []
        for (i, (plan, run)) in zip(list, report.runs).enumerated() {
            let p = try #require(run.prediction, "run \(plan.id) skipped: \(run.reason ?? "")")
            records.append(record(id: plan.id, model: models[plan.model].shape, gpus: plan.gpus, tp: plan.tp,
                                  dp: plan.dp, seq: plan.seq, measured: measure(i, p)))
        }
        return try MeasuredRunsFile.decode(Array(RunsFitTests.file(records).utf8))
    }

    @Test("within one cluster: a scale that generalises is kept and recovered, one that only fits some models is rejected")
    func generalisingVersusOverfitting() throws {
        // Truth: GEMMs run at 0.9 × the default rate on every model. On top, the two-node runs
        // (the only ones whose DP all-reduce crosses the network) are 8 % slower than that for
        // "small" and 8 % faster for "medium": a network scale fitted without one of them moves
        // the wrong way for it, so it cannot lower the leave-one-model-out error.
        let list = Self.plans()
        let file = try Self.runs(truth: RunsFitTests.truth(["gemm_peak_fraction16": 0.9])) { i, p in
            let plan = list[i]
            var factor = 1.0
            if plan.gpus > 8 { factor = plan.model == 0 ? 0.92 : plan.model == 1 ? 1.08 : 1 }
            return "\"tokens_per_s_per_gpu\": \(p.tokensPerSecondPerGPU * factor)"
        }
        let result = try RunsFitter.fit(file, options: RunsFitOptions(
            parameters: ["gemm_peak_fraction16", "network_fraction"]))
        let cv = try #require(result.crossValidation)
        // One source: automatic cross-validation holds out each of the 3 models.
        #expect(cv.method == "leave-one-model-out")
        #expect(cv.folds.count == 3)
        let gemm = try #require(result.fitted.first { $0.name == "gemm_peak_fraction16" })
        #expect(abs(gemm.scale - 0.9) < 0.01, "gemm scale \(gemm.scale), truth 0.9")
        #expect(result.kept.contains { $0.name == "gemm_peak_fraction16" && $0.reason.contains("leave-one-model-out") })
        #expect(!result.fitted.contains { $0.name == "network_fraction" })
        let rejected = try #require(result.dropped.first { $0.name == "network_fraction" })
        #expect(rejected.reason.contains("cross-validated"), "\(rejected.reason)")
        // The held-out models are predicted better than with the defaults (0.9 × GEMM rate
        // makes the defaults several percent too fast on every run).
        #expect(cv.mape < cv.mapeBefore)
        #expect(result.profile.fit?.kept?["gemm_peak_fraction16"] != nil)
    }

    @Test("memory terms are recovered from synthetic allocated/reserved; runtime memory, unmeasured, is not fitted")
    func memoryRecovery() throws {
        // Truth: fragmentation 0.6 × the default (0.25 → 0.15 of the churning memory) and
        // workspaces 4 × the framework's 0.25 GiB (1 GiB). Allocated moves with the workspaces
        // only; reserved with both. No run states device memory, so nothing constrains the
        // runtime memory outside the allocator.
        let gib = 1_073_741_824.0
        let truth = RunsFitTests.truth(["allocator_fragmentation": 0.6, "allocator_workspace_scale": 4])
        let file = try Self.runs(truth: truth) { _, p in
            "\"peak_allocated_gib\": \(p.memory.allocated / gib), \"peak_reserved_gib\": \(p.memory.reserved / gib)"
        }
        let result = try RunsFitter.fit(file, options: RunsFitOptions(
            parameters: ["allocator_fragmentation", "allocator_workspace_scale", "runtime_memory_scale"]))
        let fragmentation = try #require(result.fitted.first { $0.name == "allocator_fragmentation" })
        let workspace = try #require(result.fitted.first { $0.name == "allocator_workspace_scale" })
        #expect(abs(fragmentation.scale - 0.6) < 0.01, "fragmentation scale \(fragmentation.scale)")
        #expect(abs(workspace.scale - 4) < 0.04, "workspace scale \(workspace.scale)")
        let runtime = try #require(result.dropped.first { $0.name == "runtime_memory_scale" })
        #expect(runtime.reason.contains("no run responds"), "\(runtime.reason)")
        let cv = try #require(result.crossValidation)
        #expect(cv.method == "leave-one-model-out")
        let before = try #require(cv.memoryMapeBefore)
        let after = try #require(cv.memoryMape)
        #expect(after < 0.1 * before, "cross-validated memory MAPE \(before)% → \(after)%")
        #expect(result.profile.fit?.cvMemoryMape != nil)
        #expect((result.memoryMapeAfter ?? 1) < 0.01)
    }

    @Test("runs of one model are held out one run at a time, and say so")
    func leaveOneRunOut() throws {
        let list = Self.plans()
        let records = list.filter { $0.model == 0 }.map {
            Self.record(id: $0.id, model: Self.models[0].shape, gpus: $0.gpus, tp: $0.tp, dp: $0.dp, seq: $0.seq,
                        measured: "\"tokens_per_s_per_gpu\": 1000")
        }
        let file = try MeasuredRunsFile.decode(Array(RunsFitTests.file(records).utf8))
        let result = try RunsFitter.fit(file, options: RunsFitOptions(parameters: ["gemm_peak_fraction16"],
                                                                       crossValidation: .leaveOneModelOut))
        #expect(result.crossValidation?.method == "leave-one-run-out")
        #expect(result.crossValidation?.folds.count == 10)
    }
}
