import Testing
@testable import PDCost

/// The step and serving timelines and the run plan, against schedules and sums derived by hand.
@Suite("Traces and run plans")
struct TraceTests {
    // MARK: - Pipeline schedule

    /// pp = 2, m = 4, 1F1B, forward 1 and backward 2 per micro-batch. Rank 0 warms up with
    /// pp − 0 − 1 = 1 forward, rank 1 with none. Placing each block as soon as its rank is free
    /// and its neighbour has handed it on (by hand):
    ///   rank 1: F0 [1,2] B0 [2,4] F1 [4,5] B1 [5,7] F2 [7,8] B2 [8,10] F3 [10,11] B3 [11,13]
    ///   rank 0: F0 [0,1] F1 [1,2] B0 [4,6] F2 [6,7] B1 [7,9] F3 [9,10] B2 [10,12] B3 [13,15]
    /// The end, 15, is m·(F + B) + (pp − 1)·(F + B) = 12 + 3 (Narayanan et al. 2021 §2.2).
    @Test("1F1B on two ranks and four micro-batches, block by block")
    func handSchedule() {
        let blocks = StepTimeline.schedule(pp: 2, vpp: 1, microBatches: 4, forward: 1, backward: 2)
        func spans(_ rank: Int) -> [String] {
            blocks.filter { $0.rank == rank }.sorted { $0.start < $1.start }
                .map { "\($0.kind == .forward ? "F" : "B")\($0.microBatch) \(Int($0.start))-\(Int($0.end))" }
        }
        #expect(spans(0) == ["F0 0-1", "F1 1-2", "B0 4-6", "F2 6-7", "B1 7-9", "F3 9-10", "B2 10-12", "B3 13-15"])
        #expect(spans(1) == ["F0 1-2", "B0 2-4", "F1 4-5", "B1 5-7", "F2 7-8", "B2 8-10", "F3 10-11", "B3 11-13"])
    }

    @Test("Makespan m(F+B) + (pp−1)(F+B)/vpp", arguments: [(4, 1, 8), (8, 1, 3), (1, 1, 4), (4, 2, 8), (4, 3, 12), (2, 4, 8)])
    func scheduleFormula(_ c: (Int, Int, Int)) {
        let (pp, vpp, m) = c
        let blocks = StepTimeline.schedule(pp: pp, vpp: vpp, microBatches: m, forward: 1, backward: 2)
        #expect(blocks.count == 2 * m * pp * vpp)
        let end = blocks.map(\.end).max() ?? 0
        #expect(abs(end - (3 * Double(m) + 3 * Double(pp - 1) / Double(vpp))) < 1e-9)
        for r in 0..<pp {   // a rank never runs two blocks at once
            let s = blocks.filter { $0.rank == r }.sorted { $0.start < $1.start }
            for (a, b) in zip(s, s.dropFirst()) { #expect(a.end <= b.start + 1e-12) }
        }
    }

    // MARK: - Step timeline

    /// A prediction built by hand: 4 micro-batches of 3 s busy on each of 2 ranks, the balanced
    /// bubble (pp − 1)·3 = 3 s, then DP 1 s, optimizer 2 s, host 0.5 s: step = 12 + 3 + 3.5.
    static func handPrediction(recompute: Double = 0) -> Prediction {
        var p = Prediction()
        p.microBatches = 4
        p.bubbleTime = 3
        p.recomputeTime = recompute
        p.dataParallelComm.exposed = 1
        p.tensorParallelComm.exposed = 1.2
        p.optimizerTime = 2
        p.hostOverheadTime = 0.5
        p.stepTime = 12 + 3 + 1 + 2 + 0.5
        return p
    }

    @Test("Hand prediction: makespan = step, forward 1 s, backward 2 s, tail after the last block")
    func handTimeline() throws {
        let t = try StepTimeline.timeline(Self.handPrediction(), pp: 2, vpp: 1)
        #expect(abs(t.makespan - 18.5) < 1e-12)
        #expect(t.lanes == ["pipeline rank 0", "rank 0 exposed communication",
                            "pipeline rank 1", "rank 1 exposed communication"])
        let forward = t.events.filter { $0.category == "forward" }
        #expect(forward.count == 8 && forward.allSatisfy { abs($0.duration - 1) < 1e-12 })
        #expect(t.events.filter { $0.category == "backward" }.allSatisfy { abs($0.duration - 2) < 1e-12 })
        // TP exposed 1.2 s of 12 s busy: a tenth of each block, at its end, on the odd lane.
        let comm = t.events.filter { $0.category == "communication" }
        #expect(comm.count == 16 && comm.allSatisfy { $0.lane % 2 == 1 })
        #expect(abs(comm.reduce(0) { $0 + $1.duration } / 2 - 1.2) < 1e-12)   // per rank
        #expect(abs((comm.first?.args["tp"] ?? 0) - 0.3) < 1e-12)             // 1.2 s / 4
        // The tail on every rank: DP at 15 s on the communication lane, optimizer at 16 s, host at 18 s.
        let dp = t.events.filter { $0.category == "dp" }
        #expect(dp.count == 2 && dp.allSatisfy { $0.start == 15 && $0.lane % 2 == 1 })
        #expect(t.events.filter { $0.category == "optimizer" }.allSatisfy { $0.start == 16 && $0.duration == 2 })
        #expect(t.events.filter { $0.category == "host" }.allSatisfy { $0.start == 18 })
        #expect(t.events.filter { $0.category == "offload" }.isEmpty)
    }

    @Test("Recomputation: its share of each micro-batch runs first in the backward block")
    func recomputeSlices() throws {
        // 0.4 s over 4 micro-batches: 0.1 s each; forward (3 − 0.1)/3, backward the rest.
        let t = try StepTimeline.timeline(Self.handPrediction(recompute: 0.4), pp: 2, vpp: 1)
        let rc = t.events.filter { $0.category == "recompute" }
        #expect(rc.count == 8 && rc.allSatisfy { abs($0.duration - 0.1) < 1e-12 })
        let fwd = 2.9 / 3
        #expect(t.events.filter { $0.category == "forward" }.allSatisfy { abs($0.duration - fwd) < 1e-12 })
        #expect(t.events.filter { $0.category == "backward" }.allSatisfy { abs($0.duration - (3 - fwd - 0.1)) < 1e-12 })
        #expect(abs(t.makespan - 18.5) < 1e-12)
    }

    @Test("A real prediction: pp 1 traces exactly the step; pp 4 the step less its bubble plus the drawn one")
    func realPrediction() throws {
        let model = try ModelPresets.named("llama3-70b")
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64, framework: .megatron)
        let cost = try CostModel(model: model, cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 32),
                                 setup: setup)
        let flat = cost.evaluate(ParallelPlan(tp: 8, pp: 1, dp: 4, sequenceParallel: true, zeroStage: 1))
        let one = try StepTimeline.timeline(flat, pp: 1, vpp: 1)
        #expect(abs(one.makespan / flat.stepTime - 1) < 1e-12)
        let plan = ParallelPlan(tp: 8, pp: 4, dp: 1, sequenceParallel: true)
        let p = cost.evaluate(plan)
        let t = try StepTimeline.timeline(p, pp: 4, vpp: 1)
        // Busy per micro-batch u = (step − bubble − tail)/m; the drawn bubble is (pp − 1)·u.
        let tail = p.dataParallelComm.exposed + p.optimizerTime + p.offloadTime + p.hostOverheadTime
        let u = (p.stepTime - p.bubbleTime - tail) / p.microBatches
        #expect(abs(t.makespan - (p.stepTime - p.bubbleTime + 3 * u)) < 1e-9 * p.stepTime)
        #expect(abs(t.makespan / p.stepTime - 1) < 0.01)
        #expect(t.events.filter { $0.category == "forward" }.count == 64 * 4)
    }

    @Test("Trace JSON: microseconds, metadata names, otherData in ms")
    func traceJSON() throws {
        let text = try StepTimeline.timeline(Self.handPrediction(), pp: 2, vpp: 1).traceJSON()
        // The writer's compact layout separates with ", " and ": ".
        let has = { (piece: String) in text.contains(piece) }
        #expect(text.hasPrefix(#"{"traceEvents": [{"ph": "M", "pid": 0, "name": "process_name", "args": {"name": "training step"}}"#))
        #expect(has(#""tid": 2, "name": "thread_name", "args": {"name": "pipeline rank 1"}"#))
        // The hand schedule's rank-0 B0 runs 4-6 s: ts 4e6 us, dur 2e6 us.
        #expect(has(#""tid": 0, "name": "backward mb0", "cat": "backward", "ts": 4000000, "dur": 2000000"#))
        #expect(has(#""displayTimeUnit": "ms""#))
        #expect(has(#""predicted_step_ms": 18500, "traced_step_ms": 18500"#))
    }

    @Test("A step beyond trace_blocks is refused naming micro_batches")
    func tooManyBlocks() {
        var p = Self.handPrediction()
        p.microBatches = 524_288
        #expect(throws: PDCostError.self) { try StepTimeline.timeline(p, pp: 2, vpp: 1) }
        do { _ = try StepTimeline.timeline(p, pp: 2, vpp: 1) } catch { #expect("\(error)".contains("micro_batches=524288")) }
    }

    // MARK: - Serving timeline

    @Test("One request: TTFT, then (output − 1) tokens of TPOT; ends at the predicted e2e", arguments: [5, 3000])
    func servingRequest(_ output: Int) throws {
        let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"),
                                        cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 1),
                                        deployment: ServingDeployment())
        let p = try cost.evaluate(ServingWorkload(inputTokens: 1000, outputTokens: output, batchSize: 8))
        let t = try ServingTimeline.timeline(p, outputTokens: output)
        #expect(abs(t.makespan / p.endToEnd - 1) < 1e-12)
        let request = t.events.filter { $0.lane == 0 }
        #expect(abs(request.reduce(0) { $0 + $1.duration } - p.endToEnd) < 1e-9 * p.endToEnd)
        let prefill = request.first { $0.category == "prefill" }
        #expect(prefill.map { abs($0.start + $0.duration - p.ttft) < 1e-15 } == true)
        let drawn = min(output - 1, ServingTimeline.drawnIterations)
        #expect(request.filter { $0.category == "decode" }.count == drawn + (output - 1 > drawn ? 1 : 0))
        // Each drawn token's engine slices add up to the token's gap (parts + other prompts).
        let engine = t.events.filter { $0.lane == 1 && $0.start < p.ttft + p.tpot * 0.999 }
        #expect(abs(engine.reduce(0) { $0 + $1.duration } - p.tpot) < 1e-9 * p.tpot)
    }

    // MARK: - Run plan

    @Test("Run plan arithmetic by hand")
    func runPlan() throws {
        // 2e12 tokens at 1e6 tokens/s: 2e6 s = 555.56 h = 23.148 days; 64 GPUs → 35,555.6
        // GPU-hours, $71,111.1 at $2; 64 × 700 W × 1.0 × 1.2 × 555.56 h = 29.867 MWh; 30 days
        // need 2e12 / 2,592,000 s = 771,604.9 tokens/s.
        let plan = try RunPlan(RunPlanInputs(gpus: 64, tokensPerSecond: 1e6, tokens: 2e12, parameters: 7e9,
                                             pricePerGPUHour: 2, boardPowerWatts: 700, targetDays: 30))
        let hours = 2e6 / 3600
        #expect(abs(plan.days - hours / 24) < 1e-12)
        #expect(abs(plan.gpuHours - 64 * hours) < 1e-9)
        #expect(abs((plan.cost ?? 0) - 128 * hours) < 1e-9)
        #expect(abs(plan.energyMWh - 64 * 700 * 1.2 * hours / 1e6) < 1e-12)
        #expect(abs(plan.requiredTokensPerSecond - 2e12 / 2_592_000) < 1e-6)
        #expect(plan.meetsTargetDays)
        #expect(abs(plan.tokensPerParameter - 2e12 / 7e9) < 1e-9)
        #expect(try RunPlan(RunPlanInputs(gpus: 64, tokensPerSecond: 1e6, tokens: 2e12, boardPowerWatts: 700,
                                          targetDays: 20)).meetsTargetDays == false)
    }

    @Test("Compute-optimal tokens (Hoffmann et al. 2022, Table 3 and Chinchilla itself)")
    func chinchilla() throws {
        // 70 B parameters ↔ 1.4 T tokens; Chinchilla's budget 6 · 70e9 · 1.4e12 = 5.88e23 FLOPs.
        let byParameters = try RunPlan(RunPlanInputs(gpus: 8, tokensPerSecond: 1, parameters: 70e9, boardPowerWatts: 700))
        #expect(abs(byParameters.tokens - 1.4e12) < 1)
        let byBudget = try RunPlan(RunPlanInputs(gpus: 8, tokensPerSecond: 1, computeBudgetFLOPs: 6 * 70e9 * 1.4e12,
                                                 boardPowerWatts: 700))
        #expect(abs(byBudget.parameters / 70e9 - 1) < 1e-12 && abs(byBudget.tokens / 1.4e12 - 1) < 1e-12)
        #expect(byBudget.tokensPerParameter == 0)
    }

    @Test("Bad run-plan inputs name the field and value")
    func runPlanErrors() {
        func message(_ inputs: RunPlanInputs) -> String {
            do { _ = try RunPlan(inputs, prefix: "inputs->"); return "" } catch { return "\(error)" }
        }
        #expect(message(RunPlanInputs(gpus: 8, tokensPerSecond: 1, tokens: 1, boardPowerWatts: 700, pue: -1))
            .contains("inputs->pue=-1 must be a finite number > 0"))
        #expect(message(RunPlanInputs(gpus: 8, tokensPerSecond: .infinity, tokens: 1, boardPowerWatts: 700))
            .contains("inputs->tokens_per_second=inf"))
        #expect(message(RunPlanInputs(gpus: 8, tokensPerSecond: 1, boardPowerWatts: 700)).contains("inputs->tokens"))
        #expect(message(RunPlanInputs(gpus: 0, tokensPerSecond: 1, tokens: 1, boardPowerWatts: 700)).contains("inputs->gpus=0"))
        // Found by the fuzz target: 1e23 FLOPs compute-optimally is 2.04e11 tokens; over a
        // target of 2.2e-308 days that is an infinite throughput, refused naming target_days.
        #expect(message(RunPlanInputs(gpus: 249, tokensPerSecond: 1e6, computeBudgetFLOPs: 1e23, boardPowerWatts: 700,
                                      targetDays: 2.2250738585072014e-308)).contains("inputs->target_days="))
        #expect(message(RunPlanInputs(gpus: 8, tokensPerSecond: 1, tokens: 1e300, parameters: 1e-300, boardPowerWatts: 700))
            .contains("inputs->parameters="))
    }
}
