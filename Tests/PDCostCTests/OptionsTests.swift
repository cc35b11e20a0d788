import CPDCost
import Foundation
import Testing

// ABI 1 conventions: optional behaviour in options structs (NULL = defaults) instead of twin
// functions, and one progress callback (`progress`, `user`, the last two fields of each long
// call's options) whose nonzero return stops the call with PDCOST_ECANCELED.

/// Records the calls of a `pdcost_progress_fn`; returns nonzero on the call numbered `stopAt`
/// (1-based; 0 = never) or, with `stopWhenUnfinished`, on the first call with done < total.
final class ProgressRecorder {
    struct Call: Equatable {
        let stage: String
        let done: UInt64
        let total: UInt64
    }

    var calls: [Call] = []
    var stopAt = 0
    var stopWhenUnfinished = false
    /// The number of the call that returned nonzero first (0 = none).
    var stoppedOn = 0

    init(stopAt: Int = 0, stopWhenUnfinished: Bool = false) {
        self.stopAt = stopAt
        self.stopWhenUnfinished = stopWhenUnfinished
    }

    /// The C callback: `user` is an unretained ProgressRecorder.
    static var callback: pdcost_progress_fn { { user, stage, done, total in
        guard let user else { return 0 }
        let recorder = Unmanaged<ProgressRecorder>.fromOpaque(user).takeUnretainedValue()
        recorder.calls.append(Call(stage: stage.map { String(cString: $0) } ?? "<NULL>", done: done, total: total))
        let stop = recorder.calls.count == recorder.stopAt || (recorder.stopWhenUnfinished && done < total)
        if stop && recorder.stoppedOn == 0 { recorder.stoppedOn = recorder.calls.count }
        return stop ? 1 : 0
    } }

    /// Runs `body` with the recorder as `user`.
    func with<R>(_ body: (UnsafeMutableRawPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(Unmanaged.passUnretained(self).toOpaque()) }
    }
}

/// A cost model built through the C ABI (the caller frees it), or the failing status.
func cCostModel(_ presetName: String, gpus: UInt32, seq: UInt32, batch: UInt64,
                options: UnsafePointer<pdcost_cost_model_options>? = nil) -> (pdcost_status, OpaquePointer?) {
    let (_, model) = preset(presetName)
    defer { pdcost_model_free(model) }
    var cluster = pdcost_cluster()
    pdcost_cluster_init(&cluster)
    cluster.gpu = gpu("H100-SXM-80GB").1
    cluster.num_gpus = gpus
    var setup = pdcost_training_setup()
    pdcost_training_setup_init(&setup)
    setup.seq_len = seq
    setup.global_batch_size = batch
    var cost: OpaquePointer?
    let status = pdcost_cost_model_create(&cost, model, &cluster, &setup, options)
    return (status, cost)
}

/// Calls `body` with `text` as a borrowed (pointer, length) pair.
func borrowing<R>(_ text: String, _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
    let bytes = Array(text.utf8CString)
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, bytes.count - 1) }
}

/// A measured-runs file of a small Llama on one 8-GPU H100 node: `count` runs over tp x seq_len,
/// tokens/s/GPU made up but plausible (the tests check the calls, not the numbers).
func syntheticRunsJSON(count: Int = 10) -> String {
    let model = #"{"model_type": "llama", "num_hidden_layers": 16, "hidden_size": 2048, "intermediate_size": 8192, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 32000, "tie_word_embeddings": false, "hidden_act": "silu"}"#
    let shapes: [(tp: Int, seq: Int)] = [(1, 2048), (1, 4096), (1, 8192), (2, 2048), (2, 4096), (2, 8192),
                                         (4, 2048), (4, 4096), (4, 8192), (8, 4096), (8, 8192), (8, 2048)]
    let runs = (0..<count).map { i -> String in
        let (tp, seq) = shapes[i % shapes.count]
        let tokens = 52_000.0 * (1 - 0.04 * Double(tp.trailingZeroBitCount)) * (1 - 0.00001 * Double(seq / 64))
        return #"{"id": "r\#(i)", "source": "synthetic/H100-SXM-80GB", "kind": "training", "model": \#(model), "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8}, "parallel": {"tp": \#(tp), "pp": 1, "vpp": 1, "dp": \#(8 / tp), "cp": 1, "ep": 1, "sequence_parallel": \#(tp > 1), "zero_stage": 1, "fsdp": false}, "training": {"seq_len": \#(seq), "micro_batch_size": 1, "global_batch_size": 64, "dtype": "bf16", "recompute": "none"}, "framework": "megatron", "measured": {"tokens_per_s_per_gpu": \#(tokens)}, "complete": true}"#
    }
    return #"{"schema": "pdcost.runs/1", "runs": ["# + runs.joined(separator: ", ") + "]}"
}

@Suite struct CostModelOptionsTests {
    static let profile = #"{"format": "pdcost-profile", "version": 1, "created": "2026-01-01T00:00:00Z", "source": "manual", "efficiency": {"gemm_peak_fraction16": 0.3}}"#

    static func predict(_ cost: OpaquePointer?, tp: UInt32 = 8) -> pdcost_prediction {
        var plan = pdcost_plan()
        pdcost_plan_init(&plan)
        plan.tp = tp
        plan.dp = 8 / tp
        plan.sequence_parallel = tp > 1 ? 1 : 0
        var out = pdcost_prediction()
        pdcost_prediction_init(&out)
        #expect(pdcost_cost_model_predict(&out, cost, &plan) == PDCOST_OK, "\(lastError)")
        return out
    }

    @Test("NULL options, initialised options and a NULL profile all mean no profile")
    func defaults() {
        let (s1, plain) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64)
        defer { pdcost_cost_model_free(plain) }
        var options = pdcost_cost_model_options()
        pdcost_cost_model_options_init(&options)
        let (s2, initialised) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        defer { pdcost_cost_model_free(initialised) }
        #expect(s1 == PDCOST_OK && s2 == PDCOST_OK, "\(lastError)")
        let a = Self.predict(plain), b = Self.predict(initialised)
        #expect(a.step_time_s.bitPattern == b.step_time_s.bitPattern)
        #expect(a.reserved_bytes.bitPattern == b.reserved_bytes.bitPattern)
    }

    @Test("options->profile_json applies the profile (what _with_profile used to do)")
    func profileApplies() {
        let (_, plain) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64)
        defer { pdcost_cost_model_free(plain) }
        let (status, profiled) = borrowing(Self.profile) { json, length -> (pdcost_status, OpaquePointer?) in
            var options = pdcost_cost_model_options()
            pdcost_cost_model_options_init(&options)
            options.profile_json = json
            options.profile_length = length
            return cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        }
        defer { pdcost_cost_model_free(profiled) }
        #expect(status == PDCOST_OK, "\(lastError)")
        // A GEMM efficiency of 0.3 makes every step slower.
        #expect(Self.predict(profiled).compute_time_s > Self.predict(plain).compute_time_s)
    }

    @Test func badOptions() {
        var options = pdcost_cost_model_options()
        pdcost_cost_model_options_init(&options)
        options.version = 2
        var (status, cost) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        #expect(status == PDCOST_EVERSION && cost == nil)
        #expect(lastError.hasPrefix("options->version=2"))
        options.version = 1
        options.size = 8
        (status, cost) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        #expect(status == PDCOST_EVERSION && cost == nil)
        #expect(lastError.hasPrefix("options->size=8"))
        pdcost_cost_model_options_init(&options)
        options.profile_length = 5     // a length without a buffer
        (status, cost) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        #expect(status == PDCOST_EINVAL && cost == nil)
        #expect(lastError.hasPrefix("options->profile_json=NULL"))
        (status, cost) = borrowing(#"{"format": "not-a-profile", "version": 1, "created": "2026-01-01T00:00:00Z", "source": "manual", "efficiency": {}}"#) { json, length in
            options.profile_json = json
            options.profile_length = length
            return cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64, options: &options)
        }
        #expect(status == PDCOST_EINVAL && cost == nil)
        #expect(lastError.hasPrefix("options->profile_json: format='not-a-profile'"), "\(lastError)")
    }
}

@Suite struct ValidateOptionsTests {
    static func validate(_ runs: String, _ options: UnsafePointer<pdcost_validate_options>?) -> (pdcost_status, String?) {
        borrowing(runs) { json, length in
            var report: UnsafeMutablePointer<CChar>?
            let status = pdcost_validate_runs(&report, json, length, options)
            return (status, take(report))
        }
    }

    @Test("NULL options: a JSON report; flags and profile in the options struct")
    func flagsAndProfile() throws {
        let runs = syntheticRunsJSON(count: 4)
        let (status, json) = Self.validate(runs, nil)
        #expect(status == PDCOST_OK, "\(lastError)")
        let root = try #require(try parseJSON(json) as? [String: Any])
        #expect((root["runs"] as? [Any])?.count == 4)
        #expect(root["summary"] != nil)

        var options = pdcost_validate_options()
        pdcost_validate_options_init(&options)
        let (initStatus, initJSON) = Self.validate(runs, &options)
        #expect(initStatus == PDCOST_OK && initJSON == json)

        options.flags = PDCOST_VALIDATE_TEXT
        let (textStatus, text) = Self.validate(runs, &options)
        #expect(textStatus == PDCOST_OK, "\(lastError)")
        #expect(text?.hasPrefix("{") == false && text?.isEmpty == false)

        options.flags = 0
        let (profiledStatus, profiled) = borrowing(CostModelOptionsTests.profile) { profile, length in
            options.profile_json = profile
            options.profile_length = length
            return Self.validate(runs, &options)
        }
        #expect(profiledStatus == PDCOST_OK, "\(lastError)")
        #expect(profiled != nil && profiled != json, "the profile changed no prediction")
    }

    @Test func badOptions() {
        let runs = syntheticRunsJSON(count: 2)
        var options = pdcost_validate_options()
        pdcost_validate_options_init(&options)
        options.flags = 4
        #expect(Self.validate(runs, &options) == (PDCOST_EINVAL, nil))
        #expect(lastError.hasPrefix("options->flags=4"))
        options.flags = 0
        options.reserved = 1
        #expect(Self.validate(runs, &options) == (PDCOST_EINVAL, nil))
        #expect(lastError.hasPrefix("options->reserved=1"))
        options.reserved = 0
        options.version = 3
        #expect(Self.validate(runs, &options) == (PDCOST_EVERSION, nil))
        #expect(lastError.hasPrefix("options->version=3"))
        options.version = 1
        options.profile_length = 3
        #expect(Self.validate(runs, &options) == (PDCOST_EINVAL, nil))
        #expect(lastError.hasPrefix("options->profile_json=NULL"))
        var report: UnsafeMutablePointer<CChar>?
        #expect(pdcost_validate_runs(nil, "{}", 2, nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_report=NULL"))
        #expect(pdcost_validate_runs(&report, nil, 4, nil) == PDCOST_EINVAL)
        #expect(report == nil)
    }
}

@Suite struct FitProgressTests {
    static let runs = syntheticRunsJSON(count: 10)

    /// Fits the synthetic runs (one parameter, 2-fold CV, few iterations) with `recorder` as
    /// the progress callback (none when nil).
    static func fit(_ recorder: ProgressRecorder?) -> (pdcost_status, String?) {
        var options = pdcost_fit_options()
        pdcost_fit_options_init(&options)
        options.cross_validation = UInt32(PDCOST_CV_KFOLD.rawValue)
        options.folds = 2
        options.max_iterations = 5
        options.min_runs_per_parameter = 3
        return "gemm_peak_fraction16".withCString { parameters in
            options.parameters = parameters
            return borrowing(runs) { json, length in
                var profile: UnsafeMutablePointer<CChar>? = nil
                let status: pdcost_status
                if let recorder {
                    status = recorder.with { user in
                        options.progress = ProgressRecorder.callback
                        options.user = user
                        return pdcost_fit_runs(&profile, json, length, &options)
                    }
                } else {
                    status = pdcost_fit_runs(&profile, json, length, &options)
                }
                return (status, take(profile))
            }
        }
    }

    @Test("progress: a stage, done of total thousandths, ending with (\"done\", 1000, 1000)")
    func shape() throws {
        let recorder = ProgressRecorder()
        let (status, profile) = Self.fit(recorder)
        #expect(status == PDCOST_OK, "\(lastError)")
        let root = try #require(try parseJSON(profile) as? [String: Any])
        #expect(root["format"] as? String == "pdcost-profile")
        let calls = recorder.calls
        #expect(calls.count >= 3)
        #expect(calls.allSatisfy { $0.total == 1000 && $0.done <= 1000 && !$0.stage.isEmpty })
        #expect(calls.first?.stage.hasPrefix("fitting") == true)
        #expect(calls.first?.done == 0)
        #expect(calls.last == .init(stage: "done", done: 1000, total: 1000))
        #expect(calls.contains { $0.stage.hasPrefix("cross-validation") })
        // Without a callback: the same profile (its creation time apart).
        let (plainStatus, plain) = Self.fit(nil)
        #expect(plainStatus == PDCOST_OK)
        let undated = { (text: String?) in text?.split(separator: "\n").filter { !$0.contains("\"created\"") } }
        #expect(undated(plain) == undated(profile))
    }

    @Test("a nonzero return on the first, a middle or the last call: PDCOST_ECANCELED, no profile")
    func cancel() {
        let total = { let r = ProgressRecorder(); _ = Self.fit(r); return r.calls.count }()
        #expect(total >= 3)
        for k in Set([1, total / 2, total]) {
            let recorder = ProgressRecorder(stopAt: k)
            let (status, profile) = Self.fit(recorder)
            #expect(status == PDCOST_ECANCELED, "stop on call \(k) of \(total)")
            #expect(profile == nil)
            #expect(recorder.calls.count == k, "called again after a stop")
            #expect(!lastError.isEmpty)
        }
    }

    @Test func badOptions() {
        var options = pdcost_fit_options()
        pdcost_fit_options_init(&options)
        var profile: UnsafeMutablePointer<CChar>?
        options.version = 3  // version 2 (1.8) appended the run overrides
        #expect(pdcost_fit_runs(&profile, "{}", 2, &options) == PDCOST_EVERSION)
        #expect(lastError.hasPrefix("options->version=3"))
        options.version = 1
        options.cross_validation = 9
        #expect(pdcost_fit_runs(&profile, "{}", 2, &options) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("options->cross_validation=9"))
        options.cross_validation = 0
        options.flags = 8
        #expect(pdcost_fit_runs(&profile, "{}", 2, &options) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("options->flags=8"))
        #expect(profile == nil)
        #expect(pdcost_fit_runs(nil, "{}", 2, nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_profile_json=NULL"))
    }
}

@Suite struct SearchProgressTests {
    static func options(_ recorder: ProgressRecorder, user: UnsafeMutableRawPointer, threads: UInt32) -> pdcost_search_options {
        var o = pdcost_search_options()
        pdcost_search_options_init(&o)
        o.threads = threads
        o.progress = ProgressRecorder.callback
        o.user = user
        return o
    }

    static func stats(_ result: OpaquePointer?) -> pdcost_search_stats {
        var s = pdcost_search_stats()
        pdcost_search_stats_init(&s)
        #expect(pdcost_search_result_stats(&s, result) == PDCOST_OK, "\(lastError)")
        return s
    }

    @Test("progress: stage \"search\", done of total work units, once more with done == total")
    func shape() {
        let (status, cost) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64)
        #expect(status == PDCOST_OK, "\(lastError)")
        defer { pdcost_cost_model_free(cost) }
        let recorder = ProgressRecorder()
        var result: OpaquePointer?
        let run = recorder.with { user in
            var o = Self.options(recorder, user: user, threads: 1)
            return pdcost_search_run(&result, cost, &o)
        }
        defer { pdcost_search_result_free(result) }
        #expect(run == PDCOST_OK, "\(lastError)")
        #expect(pdcost_search_result_count(result) > 0)
        let s = Self.stats(result)
        #expect(s.cancelled == 0 && s.work_units_done == s.work_units && s.work_units > 0)
        let calls = recorder.calls
        #expect(!calls.isEmpty)
        #expect(calls.allSatisfy { $0.stage == "search" && $0.total == s.work_units && $0.done <= $0.total })
        #expect(calls.last?.done == s.work_units)
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.done <= $1.done })
    }

    @Test("a stopped search returns PDCOST_ECANCELED and the partial result, which is freed",
          arguments: [UInt32(1), 2])
    func cancel(threads: UInt32) throws {
        // Large enough that the first progress report (after a few milliseconds) comes before
        // the end.
        let (status, cost) = cCostModel("deepseek-v3", gpus: 1024, seq: 4096, batch: 1024)
        #expect(status == PDCOST_OK, "\(lastError)")
        defer { pdcost_cost_model_free(cost) }
        let recorder = ProgressRecorder(stopWhenUnfinished: true)
        var result: OpaquePointer?
        let run = recorder.with { user in
            var o = Self.options(recorder, user: user, threads: threads)
            return pdcost_search_run(&result, cost, &o)
        }
        defer { pdcost_search_result_free(result) }
        #expect(run == PDCOST_ECANCELED, "\(lastError)")
        #expect(recorder.stoppedOn == 1)
        #expect(lastError.contains("stopped"), "\(lastError)")
        let partial = try #require(result, "*out_result not set on PDCOST_ECANCELED")
        let s = Self.stats(partial)
        #expect(s.cancelled == 1)
        #expect(s.work_units_done < s.work_units)
        #expect(pdcost_search_result_count(partial) <= 10)
        #expect(recorder.calls.allSatisfy { $0.stage == "search" && $0.total == s.work_units })
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_search_result_to_json(&json, partial) == PDCOST_OK)
        #expect(take(json)?.contains("\"cancelled\": true") == true)
    }

    @Test func badOptions() {
        let (_, cost) = cCostModel("llama3-8b", gpus: 8, seq: 4096, batch: 64)
        defer { pdcost_cost_model_free(cost) }
        var o = pdcost_search_options()
        pdcost_search_options_init(&o)
        o.version = 2
        var result: OpaquePointer?
        #expect(pdcost_search_run(&result, cost, &o) == PDCOST_EVERSION)
        #expect(lastError.hasPrefix("options->version=2"))
        #expect(result == nil)
        #expect(pdcost_search_run(nil, cost, nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_result=NULL"))
        #expect(pdcost_search_run(&result, nil, nil) == PDCOST_EINVAL)
        #expect(result == nil)
    }
}

@Suite struct FitLeaveOneModelOutCTests {
    /// PDCOST_CV_LEAVE_ONE_MODEL_OUT (1.4): the synthetic runs are of one model, so each run is
    /// held out in turn and the summary says "leave-one-run-out"; every parameter asked for is
    /// either kept (with its cross-validated gain) or dropped (with the reason).
    @Test("PDCOST_CV_LEAVE_ONE_MODEL_OUT reaches the fit; the summary carries kept and dropped")
    func leaveOneModelOut() throws {
        var options = pdcost_fit_options()
        pdcost_fit_options_init(&options)
        options.cross_validation = UInt32(PDCOST_CV_LEAVE_ONE_MODEL_OUT.rawValue)
        options.max_iterations = 10
        options.min_runs_per_parameter = 3
        let (status, text) = "gemm_peak_fraction16,allocator_workspace_scale".withCString { parameters in
            options.parameters = parameters
            return borrowing(syntheticRunsJSON(count: 6)) { json, length in
                var profile: UnsafeMutablePointer<CChar>? = nil
                let status = pdcost_fit_runs(&profile, json, length, &options)
                return (status, take(profile))
            }
        }
        #expect(status == PDCOST_OK, "\(lastError)")
        let root = try #require(try parseJSON(text) as? [String: Any])
        let fit = try #require(root["fit"] as? [String: Any])
        #expect(fit["cv_method"] as? String == "leave-one-run-out")
        let kept = (fit["kept"] as? [String: String]) ?? [:]
        let dropped = (fit["dropped"] as? [String: String]) ?? [:]
        #expect(Set(kept.keys).union(dropped.keys) == ["gemm_peak_fraction16", "allocator_workspace_scale"])
        // No run states memory: the workspace term is not fitted, and says why.
        #expect(dropped["allocator_workspace_scale"]?.contains("measured memory") == true)
        #expect(fit["cv_memory_mape"] == nil)
    }
}
