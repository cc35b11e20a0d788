import FoundationEssentials
import Testing
@testable import PDCost

/// Fitting efficiency scales to measured runs: recovery of known scales from synthetic runs,
/// the refuse-to-overfit rules, deterministic cross-validation, and profiles that change
/// predictions.
@Suite("RunsFit")
struct RunsFitTests {
    // MARK: Synthetic runs

    struct Shape {
        var layers: Int, hidden: Int, ffn: Int, heads: Int, kv: Int, vocab: Int
    }

    static let small = Shape(layers: 16, hidden: 2048, ffn: 8192, heads: 16, kv: 8, vocab: 32000)
    static let medium = Shape(layers: 32, hidden: 4096, ffn: 14336, heads: 32, kv: 8, vocab: 128256)

    static func record(id: String, source: String, model m: Shape, gpu: String, gpus: Int, tp: Int, dp: Int,
                       seq: Int, tokens: Double = 1000, reservedGiB: Double? = nil) -> String {
        """
        {"id": "\(id)", "source": "\(source)@0 table", "kind": "training",
         "model": {"model_type": "llama", "num_hidden_layers": \(m.layers), "hidden_size": \(m.hidden),
                   "intermediate_size": \(m.ffn), "num_attention_heads": \(m.heads),
                   "num_key_value_heads": \(m.kv), "head_dim": \(m.hidden / m.heads), "vocab_size": \(m.vocab),
                   "tie_word_embeddings": false, "hidden_act": "silu"},
         "hardware": {"gpu": "\(gpu)", "num_gpus": \(gpus), "gpus_per_node": 8},
         "parallel": {"tp": \(tp), "pp": 1, "vpp": 1, "dp": \(dp), "cp": 1, "ep": 1,
                      "sequence_parallel": \(tp > 1), "zero_stage": 1, "fsdp": false},
         "training": {"seq_len": \(seq), "micro_batch_size": 1, "global_batch_size": 64, "dtype": "bf16",
                      "recompute": "none"},
         "framework": "megatron",
         "measured": {"tokens_per_s_per_gpu": \(tokens)\(reservedGiB.map { ", \"peak_reserved_gib\": \($0)" } ?? "")},
         "complete": true}
        """
    }

    /// 40 runs: 2 models × 2 GPU generations × 5 plans (8 GPUs: TP 1/2/4/8; 16 GPUs over two
    /// nodes: TP 4 × DP 4) × 2 sequence lengths, in 4 sources (model × GPU).
    static func shapes(multiNode: Bool = true) -> [(id: String, source: String, model: Shape, gpu: String, gpus: Int, tp: Int, dp: Int, seq: Int)] {
        var out: [(String, String, Shape, String, Int, Int, Int, Int)] = []
        for (mName, model) in [("small", small), ("medium", medium)] {
            for gpu in ["H100-SXM-80GB", "A100-SXM-80GB"] {
                var plans = [(8, 1, 8), (8, 2, 4), (8, 4, 2), (8, 8, 1)]
                if multiNode { plans.append((16, 4, 4)) }
                for (gpus, tp, dp) in plans {
                    for seq in [2048, 8192] {
                        out.append(("\(mName)-\(gpu)-tp\(tp)-dp\(dp)-s\(seq)", "src/\(mName)-\(gpu)", model, gpu, gpus, tp, dp, seq))
                    }
                }
            }
        }
        return out.map { (id: $0.0, source: $0.1, model: $0.2, gpu: $0.3, gpus: $0.4, tp: $0.5, dp: $0.6, seq: $0.7) }
    }

    static func file(_ records: [String]) -> String {
        "{\"schema\": \"pdcost.runs/1\", \"runs\": [\n" + records.joined(separator: ",\n") + "\n]}"
    }

    /// Runs whose "measured" throughput is what the model predicts under `truth`: a fit from the
    /// defaults must find `truth` again.
    static func syntheticRuns(truth: CalibrationProfile, multiNode: Bool = true) throws -> MeasuredRunsFile {
        let list = shapes(multiNode: multiNode)
        let draft = try MeasuredRunsFile.decode(Array(file(list.map {
            record(id: $0.id, source: $0.source, model: $0.model, gpu: $0.gpu, gpus: $0.gpus, tp: $0.tp, dp: $0.dp, seq: $0.seq)
        }).utf8))
        let report = try Validator.validate(draft, profile: truth)
        var records: [String] = []
        for (shape, run) in zip(list, report.runs) {
            let p = try #require(run.prediction, "run \(shape.id) skipped: \(run.reason ?? "")")
            records.append(record(id: shape.id, source: shape.source, model: shape.model, gpu: shape.gpu,
                                  gpus: shape.gpus, tp: shape.tp, dp: shape.dp, seq: shape.seq,
                                  tokens: p.tokensPerSecondPerGPU))
        }
        return try MeasuredRunsFile.decode(Array(file(records).utf8))
    }

    static func truth(_ scales: [String: Double]) -> CalibrationProfile {
        var p = CalibrationProfile(source: "manual")
        p.efficiencyScale = scales
        return p
    }

    static let attentionConstants = FitParameter.groups["attention"] ?? []

    // MARK: Recovery

    @Test("a fit from the defaults recovers known scales from synthetic runs")
    func recoversKnownScales() throws {
        var scales = ["gemm_peak_fraction16": 0.9, "nvlink_fraction": 0.85]
        for c in Self.attentionConstants { scales[c] = 0.8 }
        let runs = try Self.syntheticRuns(truth: Self.truth(scales))
        for selection in [ParameterSelection.all, .forward] {
            var options = RunsFitOptions(parameters: ["gemm_peak_fraction16", "attention", "nvlink_fraction"],
                                         crossValidation: .none)
            options.selection = selection
            let result = try RunsFitter.fit(runs, options: options)
            let fitted = Dictionary(uniqueKeysWithValues: result.fitted.map { ($0.name, $0.scale) })
            // Tolerance 1 %: the data are exact, only the weak prior (λ = 0.01) and the
            // finite-difference Jacobian keep the optimum off the truth.
            #expect(abs((fitted["gemm_peak_fraction16"] ?? 0) - 0.9) < 0.009, "\(selection): \(fitted)")
            #expect(abs((fitted["attention"] ?? 0) - 0.8) < 0.008, "\(selection): \(fitted)")
            #expect(abs((fitted["nvlink_fraction"] ?? 0) - 0.85) < 0.0085, "\(selection): \(fitted)")
            #expect(result.mapeBefore > 5)
            #expect(result.mapeAfter < 0.5)
            // The profile carries the group's scale on each of its constants.
            for c in Self.attentionConstants {
                #expect(result.profile.efficiencyScale?[c] == fitted["attention"])
            }
            #expect(result.profile.source == "runs-fit")
            #expect(result.profile.fit?.parameters.sorted() == ["attention", "gemm_peak_fraction16", "nvlink_fraction"])
        }
    }

    @Test("the fit's errors are the validator's: MAPE after equals a validation under the profile")
    func fitAgreesWithValidator() throws {
        let runs = try Self.syntheticRuns(truth: Self.truth(["gemm_peak_fraction16": 0.9]))
        let result = try RunsFitter.fit(runs, options: RunsFitOptions(parameters: ["attention"], crossValidation: .none,
                                                                      selection: .all))
        let before = Validator.validate(runs).summary(.tokensPerSecondPerGPU)
        let after = try Validator.validate(runs, profile: result.profile).summary(.tokensPerSecondPerGPU)
        #expect(abs((before.mape ?? .nan) - result.mapeBefore) < 1e-9)
        #expect(abs((after.mape ?? .nan) - result.mapeAfter) < 1e-9)
        // Attention cannot stand in for a 10 % GEMM loss exactly, but it moves the right way.
        #expect(result.mapeAfter < result.mapeBefore)
        #expect((result.fitted.first?.scale ?? 1) < 1)
    }

    // MARK: Refusing to overfit

    @Test("a parameter no run exercises is dropped with the reason")
    func dropsUnexercisedParameter() throws {
        // Single-node runs only: nothing crosses the network.
        let runs = try Self.syntheticRuns(truth: Self.truth(["nvlink_fraction": 0.85]), multiNode: false)
        let result = try RunsFitter.fit(runs, options: RunsFitOptions(parameters: ["nvlink_fraction", "network_fraction"],
                                                                      crossValidation: .none, selection: .all))
        #expect(result.fitted.map(\.name) == ["nvlink_fraction"])
        let dropped = try #require(result.dropped.first { $0.name == "network_fraction" })
        #expect(dropped.reason.contains("no run responds"))
        #expect(result.profile.fit?.dropped?["network_fraction"] != nil)
        #expect(result.profile.efficiencyScale?["network_fraction"] == nil)
    }

    @Test("more parameters than runs / 5 are not fitted; too few runs is an error")
    func refusesTooManyParameters() throws {
        let all = try Self.syntheticRuns(truth: Self.truth(["gemm_peak_fraction16": 0.9]))
        // 12 runs support 2 parameters at 5 runs each.
        let twelve = MeasuredRunsFile(schema: all.schema, runs: Array(all.runs.prefix(12)))
        let result = try RunsFitter.fit(twelve, options: RunsFitOptions(
            parameters: ["gemm_peak_fraction16", "attention", "hbm_fraction", "sustained_fraction"],
            crossValidation: .none, selection: .all))
        #expect(result.fitted.count == 2)
        #expect(result.dropped.filter { $0.reason.contains("support at most 2 such parameters") }.count == 2)

        let four = MeasuredRunsFile(schema: all.schema, runs: Array(all.runs.prefix(4)))
        #expect(throws: PDCostError.self) {
            _ = try RunsFitter.fit(four, options: RunsFitOptions(parameters: ["gemm_peak_fraction16"]))
        }
        // A parameter nothing exercises, alone: refused, not fitted to noise.
        #expect(throws: PDCostError.self) {
            _ = try RunsFitter.fit(all, options: RunsFitOptions(parameters: ["all_to_all_fraction"]))
        }
    }

    @Test("parameter lists: unknown, duplicated and overlapping names are errors")
    func parameterLists() throws {
        #expect(try FitParameter.parseList(" attention , nvlink_fraction ").map(\.name) == ["attention", "nvlink_fraction"])
        #expect(throws: PDCostError.self) { _ = try FitParameter.parseList("gemm_speed") }
        #expect(throws: PDCostError.self) { _ = try FitParameter.parseList("attention,attention") }
        #expect(throws: PDCostError.self) { _ = try FitParameter.parseList("attention,attention_forward_fraction") }
        #expect(throws: PDCostError.self) { _ = try FitParameter.parseList(" , ") }
        // Box of the GEMM scale: the bounds [0.2, 1] over the generations' defaults, so that
        // the scale can reach each bound on every generation: 0.2 / largest default and
        // 1 / smallest default.
        let gemm = try FitParameter.named("gemm_peak_fraction16")
        let defaults = GPUArchitecture.allCases.map { EfficiencyProfile.defaults(for: $0).gemmPeakFraction16 }
        #expect(abs(gemm.lowerScale - 0.2 / (defaults.max() ?? 1)) < 1e-12)
        #expect(abs(gemm.upperScale - 1 / (defaults.min() ?? 1)) < 1e-12)
        #expect(try FitParameter.named("allocator_fragmentation").target == .memory)
    }

    // MARK: Cross-validation

    @Test("cross-validation is deterministic: leave-one-source-out and k-fold")
    func crossValidationDeterministic() throws {
        let runs = try Self.syntheticRuns(truth: Self.truth(["gemm_peak_fraction16": 0.9]))
        for method in [CrossValidationMethod.leaveOneSourceOut, .kFold] {
            let options = RunsFitOptions(parameters: ["gemm_peak_fraction16"], crossValidation: method)
            let a = try RunsFitter.fit(runs, options: options)
            let b = try RunsFitter.fit(runs, options: options)
            let cvA = try #require(a.crossValidation)
            let cvB = try #require(b.crossValidation)
            #expect(cvA.mape == cvB.mape)
            #expect(cvA.folds.map(\.label) == cvB.folds.map(\.label))
            #expect(cvA.runs == 40)
            // Exact synthetic data: a scale fitted without a fold predicts it too.
            #expect(cvA.mape < 0.5 && cvA.mapeBefore > 5)
        }
        let loso = try RunsFitter.fit(runs, options: RunsFitOptions(parameters: ["gemm_peak_fraction16"]))
        #expect(loso.crossValidation?.method == "leave-one-source-out")
        #expect(loso.crossValidation?.folds.count == 4)
        let kfold = try RunsFitter.fit(runs, options: RunsFitOptions(parameters: ["gemm_peak_fraction16"],
                                                                     crossValidation: .kFold, folds: 4))
        #expect(kfold.crossValidation?.method == "4-fold")
        // Round-robin in file order: fold 1 holds runs 0, 4, 8, … (10 of 40).
        #expect(kfold.crossValidation?.folds.first?.runs == 10)
    }

    // MARK: Profiles

    @Test("a fitted profile round-trips through JSON with snake_case keys")
    func profileRoundTrip() throws {
        let runs = try Self.syntheticRuns(truth: Self.truth(["nvlink_fraction": 0.85]), multiNode: false)
        var options = RunsFitOptions(parameters: ["nvlink_fraction", "network_fraction"], crossValidation: .kFold,
                                     selection: .all)
        options.runsFile = "runs.json"
        let profile = try RunsFitter.fit(runs, options: options).profile
        let bytes = try profile.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        for key in ["\"efficiency_scale\"", "\"nvlink_fraction\"", "\"mape_before\"", "\"cv_mape\"", "\"runs_file\"",
                    "\"network_fraction\"", "\"dropped\""] {
            #expect(text.contains(key), "\(key) missing in \(text)")
        }
        #expect(try CalibrationProfile.decode(bytes) == profile)
    }

    @Test("a profile changes predictions in the expected direction")
    func profileChangesPredictions() throws {
        let model = try ModelLoader.load(json: Array("""
            {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "intermediate_size": 14336,
             "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256}
            """.utf8))
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64, dtype: .bf16)
        let plan = ParallelPlan(tp: 2, dp: 4, sequenceParallel: true)
        let base = try CostModel(model: model, cluster: cluster, setup: setup).evaluate(plan)

        let slowGEMM = try cluster.applying(Self.truth(["gemm_peak_fraction16": 0.5]))
        // Hopper default 0.80 × 0.5 = 0.40.
        #expect(abs(slowGEMM.efficiency.gemmPeakFraction16 - 0.40) < 1e-12)
        let slow = try CostModel(model: model, cluster: slowGEMM, setup: setup).evaluate(plan)
        #expect(slow.tokensPerSecondPerGPU < base.tokensPerSecondPerGPU * 0.8)

        // A scale past the bound clamps: 0.80 × 2 = 1.6 → 1.
        let clamped = try cluster.applying(Self.truth(["gemm_peak_fraction16": 2]))
        #expect(clamped.efficiency.gemmPeakFraction16 == 1)

        var moreFragmentation = CalibrationProfile(source: "manual")
        moreFragmentation.efficiency = ["allocator_fragmentation": 0.5]
        let frag = try CostModel(model: model, cluster: try cluster.applying(moreFragmentation), setup: setup).evaluate(plan)
        #expect(frag.memory.reserved > base.memory.reserved)
        #expect(frag.memory.allocated == base.memory.allocated)
        #expect(frag.tokensPerSecondPerGPU == base.tokensPerSecondPerGPU)
    }

    @Test("over a runs file, absolute overrides apply only to the profile's generation")
    func overridesApplyToTheirGeneration() throws {
        var profile = CalibrationProfile(source: "gpu-microbenchmarks", generation: "ampere")
        profile.efficiency = ["gemm_peak_fraction16": 0.5]
        let h100 = try profile.efficiency(forRunOn: try GPUPresets.named("H100-SXM-80GB"))
        let a100 = try profile.efficiency(forRunOn: try GPUPresets.named("A100-SXM-80GB"))
        #expect(h100 == EfficiencyProfile.defaults(for: .hopper))
        #expect(a100.gemmPeakFraction16 == 0.5)
    }

    // MARK: Solver

    @Test("bounded least squares: the unconstrained optimum, and the bound when it lies outside")
    func solver() {
        // r = (x − 0.2, 2·(x − 0.2)): minimum at x = 0.2 (Huber δ large → plain least squares,
        // no prior).
        var solver = BoundedLeastSquares(lower: [-1], upper: [1], huberDelta: 10, ridge: 0)
        let free = solver.minimize(start: [0]) { x in [x[0] - 0.2, 2 * (x[0] - 0.2)] }
        #expect(abs(free.x[0] - 0.2) < 1e-6)
        // Same with the box [−1, 0.1]: the optimum is the bound 0.1.
        solver.upper = [0.1]
        let bounded = solver.minimize(start: [0]) { x in [x[0] - 0.2, 2 * (x[0] - 0.2)] }
        #expect(bounded.x[0] == 0.1)
        // Huber: one outlier among five residuals x − yᵢ, y = (0, 0, 0, 0, 10), δ = 0.05. The
        // outlier's pull is capped at δ, the four inliers' is 4x: 4x = δ → x = 0.0125 (where
        // least squares would give the mean, 2).
        let robust = BoundedLeastSquares(lower: [-100], upper: [100], huberDelta: 0.05, ridge: 0)
            .minimize(start: [0]) { x in [x[0], x[0], x[0], x[0], x[0] - 10] }
        #expect(abs(robust.x[0] - 0.0125) < 1e-4)
    }

    @Test("FitMath log and exp agree with known values")
    func fitMath() {
        #expect(abs(FitMath.log(1) - 0) < 1e-15)
        #expect(abs(FitMath.log(2) - 0.6931471805599453) < 1e-15)
        #expect(abs(FitMath.log(0.85) - (-0.16251892949777494)) < 1e-14)
        #expect(abs(FitMath.exp(1) - 2.718281828459045) < 1e-14)
        #expect(abs(FitMath.exp(FitMath.log(0.9)) - 0.9) < 1e-14)
    }
}
