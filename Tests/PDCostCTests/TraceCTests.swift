import CPDCost
import Foundation
import Testing

/// The 1.5 doors through the C ABI as a C caller sees them: the run-plan structs' initialisers,
/// a version-1-sized caller, a trace parsed as JSON (a trace-event document whose makespan is
/// the hand schedule's).
@Suite struct TraceCTests {
    @Test("pdcost_run_plan_inputs_init / pdcost_run_plan_init write the _INIT values")
    func initialisers() {
        InitializerTests.verify("pdcost_run_plan_inputs", pdcost_run_plan_inputs_init, size: \.size, version: \.version,
                                expectedVersion: PDCOST_RUN_PLAN_INPUTS_VERSION,
                                set: { $0.size = UInt32(MemoryLayout<pdcost_run_plan_inputs>.size); $0.version = 1; $0.gpus = 1 },
                                check: { $0.gpus == 1 && $0.reserved == 0 && $0.tokens == 0 && $0.pue == 0 && $0.target_days == 0 })
        InitializerTests.verify("pdcost_run_plan", pdcost_run_plan_init, size: \.size, version: \.version,
                                expectedVersion: PDCOST_RUN_PLAN_VERSION,
                                set: { $0.size = UInt32(MemoryLayout<pdcost_run_plan>.size); $0.version = 1 },
                                check: { $0.tokens == 0 && $0.required_tokens_per_second == 0 && $0.has_cost == 0
                                    && $0.meets_target_days == 0 && $0.pue == 0 })
    }

    @Test("An output struct smaller than version 1 is refused before any work")
    func smallOutput() {
        var inputs = pdcost_run_plan_inputs()
        pdcost_run_plan_inputs_init(&inputs)
        inputs.tokens_per_second = 1
        inputs.tokens = 1
        inputs.board_power_w = 700
        var out = pdcost_run_plan()
        pdcost_run_plan_init(&out)
        out.size = 16
        #expect(pdcost_plan_run(&out, &inputs) == PDCOST_EVERSION)
        #expect(lastError.contains("out->size=16"))
        #expect(out.tokens == 0)
    }

    /// pp = 1, 3 micro-batches of 3 s (forward 1, backward 2) and a 0.5 s optimizer step: the
    /// rank runs F B F B F B back to back, 9 s, then the optimizer: 9.5 s.
    @Test("A one-rank trace parses as a trace-event document ending at the step")
    func oneRankDocument() throws {
        var p = pdcost_prediction()
        pdcost_prediction_init(&p)
        p.step_time_s = 9.5
        p.optimizer_time_s = 0.5
        p.micro_batches = 3
        var plan = pdcost_plan()
        pdcost_plan_init(&plan)
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_prediction_trace(&json, &p, &plan) == PDCOST_OK)
        let text = try #require(take(json))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(doc["displayTimeUnit"] as? String == "ms")
        let events = try #require(doc["traceEvents"] as? [[String: Any]])
        let blocks = events.filter { ["forward", "backward"].contains($0["cat"] as? String) }
            .map { ($0["name"] as? String ?? "", ($0["ts"] as? Double ?? -1) / 1e6, ($0["dur"] as? Double ?? -1) / 1e6) }
        #expect(blocks.map(\.0) == ["forward mb0", "backward mb0", "forward mb1", "backward mb1", "forward mb2", "backward mb2"])
        #expect(blocks.map(\.1) == [0, 1, 3, 4, 6, 7])
        let optimizer = try #require(events.first { $0["cat"] as? String == "optimizer" })
        #expect(optimizer["ts"] as? Double == 9e6 && optimizer["dur"] as? Double == 5e5)
        let other = try #require(doc["otherData"] as? [String: Any])
        #expect(other["traced_step_ms"] as? Double == 9500)
    }

    /// Edge values in every double the 1.5 doors read: each call returns a status (never traps),
    /// and a failure names a field with its value.
    @Test("Non-finite, negative, huge and tiny inputs are refused or priced, never a trap")
    func edgeValues() {
        let edges: [Double] = [.nan, .infinity, -.infinity, -0.0, -1, 0, 5e-324, 1e308, .greatestFiniteMagnitude]
        let runFields: [WritableKeyPath<pdcost_run_plan_inputs, Double>] = [
            \.tokens_per_second, \.tokens, \.parameters, \.compute_budget_flops, \.price_per_gpu_hour,
            \.board_power_w, \.power_fraction, \.pue, \.target_days]
        for field in runFields {
            for value in edges {
                var inputs = pdcost_run_plan_inputs()
                pdcost_run_plan_inputs_init(&inputs)
                inputs.tokens_per_second = 1e6
                inputs.tokens = 1e12
                inputs.board_power_w = 700
                inputs[keyPath: field] = value
                var out = pdcost_run_plan()
                pdcost_run_plan_init(&out)
                let status = pdcost_plan_run(&out, &inputs)
                #expect(status == PDCOST_OK || (status == PDCOST_EINVAL && lastError.contains("inputs->")),
                        "\(field) = \(value): \(lastError)")
                if status == PDCOST_OK { #expect(out.days.isFinite && out.energy_mwh.isFinite && out.cost.isFinite) }
            }
        }
        let traceFields: [WritableKeyPath<pdcost_prediction, Double>] = [
            \.step_time_s, \.bubble_time_s, \.recompute_time_s, \.optimizer_time_s, \.offload_time_s,
            \.host_overhead_time_s, \.micro_batches]
        for field in traceFields {
            for value in edges {
                var p = pdcost_prediction()
                pdcost_prediction_init(&p)
                p.step_time_s = 10
                p.micro_batches = 4
                p[keyPath: field] = value
                var plan = pdcost_plan()
                pdcost_plan_init(&plan)
                plan.pp = 2
                var json: UnsafeMutablePointer<CChar>?
                let status = pdcost_prediction_trace(&json, &p, &plan)
                #expect(status == PDCOST_OK || (status == PDCOST_EINVAL && lastError.contains("prediction->")
                                                || lastError.contains("micro_batches")),
                        "\(field) = \(value): \(lastError)")
                _ = take(json)
            }
        }
    }
}
