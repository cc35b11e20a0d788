import Testing
@testable import PDCost

/// The serving deployment search: determinism, cancellation, counts, targets, the Pareto
/// front, disaggregated pool sizes and option errors.
@Suite("Serving search")
struct ServingSearchTests {
    static func cluster(_ gpu: String = "H100-SXM-80GB", gpus: Int = 8) throws -> Cluster {
        Cluster(gpu: try GPUPresets.named(gpu), numGPUs: gpus)
    }

    static func options(_ scenario: ServingScenario = .fixedConcurrency, input: Int = 1024, output: Int = 256,
                        engines: [ServingEngine] = [.vllm]) -> ServingSearchOptions {
        var o = ServingSearchOptions(workload: ServingWorkload(scenario: scenario, inputTokens: input, outputTokens: output,
                                                               requestRate: 4))
        o.engines = engines
        o.maxPP = 2
        o.maxBatch = 256
        o.topK = 20
        return o
    }

    static func search(_ model: String, _ o: ServingSearchOptions, gpu: String = "H100-SXM-80GB",
                       gpus: Int = 8) throws -> ServingSearchResult {
        try ServingSearch(model: try ModelPresets.named(model), cluster: try cluster(gpu, gpus: gpus), options: o).run()
    }

    /// Everything that must not depend on threads or on the run.
    static func fingerprint(_ r: ServingSearchResult) -> [String] {
        var lines = r.top.map { "top \($0.candidate) \($0.prediction)" }
        lines += r.pareto.map { "front \($0.candidate) \($0.prediction)" }
        let s = r.stats
        lines.append("\(s.enumerated) \(s.evaluated) \(s.feasible) \(s.feasibleDisaggregated) \(s.layouts) "
                     + "\(s.prunedInOrder.map { "\($0.reason.name)=\($0.count)" })")
        return lines
    }

    static func prunedSum(_ s: ServingSearchStats) -> Int { s.pruned.values.reduce(0, +) }

    @Test("same result twice, and with 1 and 3 threads (aggregated and disaggregated)")
    func determinism() throws {
        var o = Self.options()
        o.disaggregated = true
        o.targets = ServingTargets(maxTTFT: 2, maxTPOT: 0.05)
        var prints: [[String]] = []
        for threads in [1, 1, 3] {
            o.threads = threads
            let r = try Self.search("llama3-8b", o)
            #expect(!r.stats.cancelled)
            #expect(!r.top.isEmpty)
            prints.append(Self.fingerprint(r))
        }
        #expect(prints[0] == prints[1])
        #expect(prints[0] == prints[2])
    }

    @Test("cancellation: a cancelled token searches nothing; a stop from progress returns a partial result")
    func cancellation() throws {
        var o = Self.options()
        o.disaggregated = true
        let model = try ModelPresets.named("llama3-8b")
        let search = try ServingSearch(model: model, cluster: try Self.cluster(), options: o)
        let token = SearchCancellation()
        token.cancel()
        let none = search.run(cancellation: token)
        #expect(none.stats.cancelled)
        #expect(none.stats.workUnitsDone == 0)
        #expect(none.top.isEmpty && none.stats.evaluated == 0)
        #expect(none.explanation?.contains("cancelled") == true)

        var calls: [ServingSearchStage] = []
        let partial = search.run { stage, done, total in
            calls.append(stage)
            #expect(done <= total)
            return true
        }
        // Asked to stop at its first report (at the latest, the end of the aggregated stage):
        // the disaggregated stage never runs.
        #expect(calls == [.aggregated])
        #expect(partial.stats.cancelled)
        #expect(partial.stats.workUnitsDone < partial.stats.workUnits)
        #expect(partial.stats.feasibleDisaggregated == 0)
        #expect(partial.stats.enumerated == partial.stats.feasible + Self.prunedSum(partial.stats))

        let full = search.run()
        #expect(!full.stats.cancelled)
        #expect(full.stats.workUnitsDone == full.stats.workUnits)
        #expect(full.stats.workUnits == 2 * full.stats.layouts)
    }

    @Test("every candidate is counted once: structural prunes, layouts × sweep, no unmirrored rule")
    func countsAddUp() throws {
        // Llama-3-70B on 8 H100, vLLM, bf16 weights and KV, pp 1, no targets: tp = 1…8, of which
        // 3, 5, 6 and 7 do not divide the 64 heads; 4 layouts remain. A layout whose weights fit
        // yields one candidate per batch of the sweep (1…256: 9), priced or beyond the KV.
        var o = Self.options()
        o.maxPP = 1
        o.weightPrecisions = [.bf16]
        o.kvCachePrecisions = [.bf16]
        let r = try Self.search("llama3-70b", o)
        let s = r.stats
        #expect(s.layouts == 4)
        #expect(s.pruned[.tensorParallelHeads] == 4)
        #expect(s.pruned[.deploymentInvalid] == nil)
        // 140 GB of bf16 weights cannot fit one 80 GB GPU.
        let noWeights = s.pruned[.weightsMemory, default: 0]
        #expect(noWeights >= 1)
        let sweep = 9
        #expect(s.enumerated == 4 + noWeights + (4 - noWeights) * sweep)
        #expect(s.enumerated == s.feasible + Self.prunedSum(s))
        #expect(s.evaluated + s.pruned[.kvCapacity, default: 0] == (4 - noWeights) * sweep)
        // No targets and a closed loop: every priced point is feasible.
        #expect(s.feasible == s.evaluated)
    }

    @Test("targets hold for every returned entry; entries reproduce through evaluate")
    func targetsRespected() throws {
        for percentile in ServingPercentile.allCases {
            var o = Self.options(.requestRate, engines: [.vllm, .tensorrtLLM])
            o.targets = ServingTargets(maxTTFT: 0.5, maxTPOT: 0.03, percentile: percentile)
            let r = try Self.search("llama3-8b", o)
            #expect(!r.top.isEmpty)
            #expect(r.stats.enumerated == r.stats.feasible + Self.prunedSum(r.stats))
            for e in r.top + r.pareto {
                #expect(percentile.ttft(e.prediction) <= 0.5)
                #expect(e.prediction.tpot <= 0.03)
                #expect(e.prediction.fitsMemory && !e.prediction.saturated)
                #expect(e.candidate.numGPUs <= 8)
                let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"), cluster: try Self.cluster(),
                                                deployment: e.candidate.deployment)
                #expect(try cost.evaluate(e.workload) == e.prediction)
            }
            for (a, b) in zip(r.top, r.top.dropFirst()) { #expect(ServingSearchEntry.ranksBefore(a, b)) }
        }
    }

    @Test("tight targets prune by TTFT and TPOT, and nothing is left")
    func impossibleTargets() throws {
        var o = Self.options()
        o.targets = ServingTargets(maxTTFT: 1e-6)
        let r = try Self.search("llama3-8b", o)
        #expect(r.top.isEmpty && r.pareto.isEmpty)
        #expect(r.stats.pruned[.ttftTarget, default: 0] == r.stats.evaluated)
        #expect(r.explanation?.contains("ttft_target") == true)
        o.targets = ServingTargets(maxTPOT: 1e-6)
        let t = try Self.search("llama3-8b", o)
        #expect(t.top.isEmpty && t.stats.pruned[.tpotTarget, default: 0] == t.stats.evaluated)
    }

    @Test("the front is non-dominated, and no feasible entry beats a front point on both axes")
    func frontNonDominated() throws {
        var o = Self.options(engines: ServingEngine.allCases.filter(\.continuousBatching))
        o.disaggregated = true
        o.topK = 1000
        let r = try Self.search("llama3-8b", o)
        #expect(r.pareto.count >= 2)
        func dominates(_ a: ServingSearchEntry, _ b: ServingSearchEntry) -> Bool {
            a.tokensPerSecondPerGPU >= b.tokensPerSecondPerGPU && a.tokensPerSecondPerUser >= b.tokensPerSecondPerUser
                && (a.tokensPerSecondPerGPU > b.tokensPerSecondPerGPU || a.tokensPerSecondPerUser > b.tokensPerSecondPerUser)
        }
        for f in r.pareto {
            for g in r.pareto { #expect(!dominates(g, f)) }
            for e in r.top { #expect(!dominates(e, f)) }
        }
        // Along the front, per-user speed falls as per-GPU throughput rises; its last point is
        // the best-ranked entry's throughput.
        for (a, b) in zip(r.pareto, r.pareto.dropFirst()) {
            #expect(a.tokensPerSecondPerUser > b.tokensPerSecondPerUser)
            #expect(a.tokensPerSecondPerGPU < b.tokensPerSecondPerGPU)
        }
        #expect(r.pareto.last?.tokensPerSecondPerGPU == r.top.first?.tokensPerSecondPerGPU)
    }

    @Test("disaggregated: prefill + decode GPUs fill the budget; capacity and TTFT follow the pools")
    func disaggregatedPools() throws {
        var o = Self.options()
        o.disaggregated = true
        o.topK = 1000
        let r = try Self.search("llama3-8b", o)
        let split = r.top.filter(\.candidate.isDisaggregated)
        #expect(r.stats.feasibleDisaggregated > 0)
        #expect(!split.isEmpty)
        for e in split {
            guard let pre = e.candidate.prefillPool, let d = e.disaggregation else { continue }
            #expect(pre.numGPUs + e.candidate.deployment.numGPUs == 8)
            #expect(e.prediction.numGPUs == 8)
            #expect(pre.engine == e.candidate.deployment.engine)
            #expect(pre.kvCachePrecision == e.candidate.deployment.kvCachePrecision)
            // Decode-bound: y replicas × b sequences each finish a request every (output − 1)
            // decode iterations.
            let y = Double(e.candidate.deployment.replicas), b = Double(e.candidate.batchPerReplica)
            let expected = y * b / (255 * e.prediction.tpot)
            #expect(abs(e.prediction.requestsPerSecond - expected) <= 1e-9 * expected)
            #expect(e.prediction.requestsPerSecond < d.prefillCapacity)
            // A prompt is prefilled and its KV moved before its first token.
            #expect(e.prediction.ttft >= e.prediction.prefillSeconds + d.kvTransferSeconds)
            #expect(d.kvTransferSeconds > 0)
        }
        // A budget too small for two pools leaves every pair pruned.
        var one = o
        one.maxGPUs = 1
        let tiny = try Self.search("llama3-8b", one)
        #expect(tiny.stats.feasibleDisaggregated == 0)
        #expect(tiny.stats.pruned[.poolSplit, default: 0] > 0)
    }

    @Test("request rate: the replica count varies within the budget")
    func replicasVary() throws {
        var o = Self.options(.requestRate)
        o.maxPP = 1
        o.topK = 1000
        let r = try Self.search("llama3-8b", o)
        let counts = Set(r.top.map(\.candidate.deployment.replicas))
        #expect(counts.count > 1)
        for e in r.top { #expect(e.candidate.deployment.numGPUs <= 8) }
    }

    @Test("MoE: expert parallel and attention-DP variants; fp4 refused on Hopper")
    func moeAndPrecision() throws {
        var o = Self.options(.offlineMaxThroughput)
        o.maxPP = 1
        o.weightPrecisions = [.fp8, .fp4]
        o.kvCachePrecisions = [.fp8]
        let r = try Self.search("mixtral-8x7b", o)
        // fp4 has no H100 kernel path: one candidate per (tp, attention-DP, EP) prefix that
        // reached the precision level.
        #expect(r.stats.pruned[.precisionUnsupported, default: 0] > 0)
        #expect(r.stats.pruned[.attentionDataParallelTP] == 1)   // tp = 1 only
        #expect(r.top.contains { $0.candidate.deployment.expertParallel })
        #expect(r.top.allSatisfy { $0.candidate.deployment.weightPrecision == .fp8 })
        #expect(r.stats.pruned[.deploymentInvalid] == nil)
    }

    @Test("option errors name the field and value")
    func errors() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = try Self.cluster()
        func message(_ edit: (inout ServingSearchOptions) -> Void) -> String {
            var o = Self.options()
            edit(&o)
            do { _ = try ServingSearch(model: model, cluster: cluster, options: o); return "" } catch { return error.message }
        }
        #expect(message { $0.maxGPUs = 16 }.contains("max_gpus=16"))
        #expect(message { $0.maxBatch = 0 }.contains("max_batch=0"))
        #expect(message { $0.topK = 0 }.contains("top_k=0"))
        #expect(message { $0.threads = -1 }.contains("threads=-1"))
        #expect(message { $0.maxTP = 0 }.contains("max_tp=0"))
        #expect(message { $0.engines = [] }.contains("engines"))
        #expect(message { $0.weightPrecisions = [] }.contains("weight_precisions"))
        #expect(message { $0.targets.maxTTFT = -1 }.contains("targets.max_ttft_s=-1"))
        #expect(message { $0.targets.maxTPOT = .nan }.contains("targets.max_tpot_s"))
        #expect(message { $0.workload.inputTokens = 0 }.contains("input_tokens=0"))
        #expect(message { $0.settings.maxNumSeqs = 0 }.contains("settings.max_num_seqs"))
        #expect(message { $0.disaggregated = true; $0.workload.scenario = .staticBatch }.contains("scenario=static_batch"))
        #expect(message { $0.disaggregated = true; $0.workload.outputTokens = 1 }.contains("output_tokens=1"))
        #expect(message { $0.disaggregated = true; $0.sweepLoad = false }.contains("sweep_load"))
        #expect(message { _ in } == "")
    }

    @Test("a fixed concurrency keeps the workload's load and varies the replicas; every entry meets the targets")
    func fixedLoad() throws {
        var o = Self.options(input: 4096, output: 128)
        o.sweepLoad = false
        o.workload.concurrency = 32
        o.targets = ServingTargets(maxTTFT: 1.0, percentile: .p90)
        let r = try Self.search("llama3-8b", o)
        #expect(!r.top.isEmpty)
        for e in r.top + r.pareto {
            #expect(e.workload.concurrency == 32)
            #expect(e.candidate.batchPerReplica == 0)
            #expect(e.prediction.ttftP90 <= 1.0)
        }
        #expect(Set(r.top.map { $0.candidate.deployment.replicas }).count >= 1)
    }

    @Test("an impossible target leaves the result empty and names the closest point")
    func closest() throws {
        var o = Self.options(input: 32768, output: 256)
        o.sweepLoad = false
        o.workload.concurrency = 64
        o.targets = ServingTargets(maxTTFT: 0.001)
        let r = try Self.search("llama3-8b", o)
        #expect(r.top.isEmpty)
        let c = try #require(r.closest)
        let miss = try #require(r.closestMiss)
        #expect(miss > 1 && abs(miss - c.prediction.ttft / 0.001) < 1e-9 * miss)
        #expect((r.stats.pruned[.ttftTarget] ?? 0) > 0)
        let text = try #require(r.explanation)
        #expect(text.contains("closest: tp="))
        #expect(text.contains("ttft_target="))
        #expect(r.json().contains("\"closest_miss\""))
    }

    @Test("JSON names the entries, the front and every pruned reason")
    func json() throws {
        var o = Self.options()
        o.disaggregated = true
        o.targets = ServingTargets(maxTPOT: 0.02)
        let r = try Self.search("llama3-8b", o)
        let text = r.json()
        #expect(text.contains("\"results\""))
        #expect(text.contains("\"pareto\""))
        #expect(text.contains("\"output_tokens_per_s_per_gpu\""))
        for (reason, _) in r.stats.prunedInOrder { #expect(text.contains("\"\(reason.name)\"")) }
    }
}
