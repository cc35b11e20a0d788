import PDCost

/// `pdcost-bench serve-predict`: nanoseconds and heap allocations per `ServingCostModel.evaluate`
/// (targets: ≤ 1 µs, none). `pdcost-bench serve-search [--quick]`: deployment searches on up to
/// 64 GPUs (target: ≤ 50 ms), one thread and every core.
enum ServingBench {
    static func predict() {
        let cases: [(String, String, Int, ServingDeployment, ServingWorkload)] = [
            ("llama3-70b", "H100-SXM-80GB", 8, ServingDeployment(tp: 4, replicas: 2, weightPrecision: .fp8),
             ServingWorkload(scenario: .fixedConcurrency, inputTokens: 1024, outputTokens: 256, concurrency: 64)),
            ("llama3-70b", "H100-SXM-80GB", 8, ServingDeployment(tp: 8),
             ServingWorkload(scenario: .requestRate, inputTokens: 2048, outputTokens: 512, requestRate: 4)),
            ("mixtral-8x7b", "H100-SXM-80GB", 8, ServingDeployment(tp: 2, replicas: 4, expertParallel: true),
             ServingWorkload(scenario: .staticBatch, inputTokens: 512, outputTokens: 128, batchSize: 32)),
            ("deepseek-v3", "H200-SXM-141GB", 8,
             ServingDeployment(tp: 8, attentionDataParallel: true, weightPrecision: .fp8, engine: .sglang),
             ServingWorkload(scenario: .offlineMaxThroughput, inputTokens: 1000, outputTokens: 1000)),
        ]
        for (name, gpu, gpus, deployment, workload) in cases {
            do {
                let cluster = Cluster(gpu: try GPUPresets.named(gpu), numGPUs: gpus)
                let cost = try ServingCostModel(model: try ModelPresets.named(name), cluster: cluster, deployment: deployment)
                // Vary the load a little so nothing is hoisted out of the loop.
                var loads: [ServingWorkload] = []
                for k in 0..<4 {
                    var w = workload
                    w.batchSize += k
                    w.concurrency += k
                    w.requestRate += Double(k) * 0.25
                    loads.append(w)
                }
                let label = "\(name) \(deployment.engine.rawValue) tp=\(deployment.tp) \(workload.scenario.rawValue)"
                if let before = mallocCount() {
                    var sink = 0.0
                    for i in 0..<10_000 { sink += (try? cost.evaluate(loads[i & 3]).tpot) ?? 0 }
                    let after = mallocCount() ?? before
                    print("\(label.padding(58)) heap allocations in 10,000 evaluations: \(after - before)"
                          + (sink > 0 ? "" : " (sink 0)"))
                }
                let n = 1_000_000
                var checksum = 0.0
                let clock = ContinuousClock()
                let start = clock.now
                for i in 0..<n {
                    if let p = try? cost.evaluate(loads[i & 3]) { checksum += p.tpot + p.ttft }
                }
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                print("\(label.padding(58)) \(Int((seconds / Double(n) * 1e9).rounded())) ns per evaluate "
                      + "(checksum \(checksum > 0 ? "ok" : "0"))")
            } catch {
                print("\(name): \(error.message)")
            }
        }
    }

    struct Case {
        let name: String
        let model: String
        let gpu: String
        let gpus: Int
        let workload: ServingWorkload
        let targets: ServingTargets
        let disaggregated: Bool
    }

    static let cases: [Case] = [
        Case(name: "Llama-3-70B, 64 H100, closed loop 1024/256", model: "llama3-70b", gpu: "H100-SXM-80GB", gpus: 64,
             workload: ServingWorkload(scenario: .fixedConcurrency, inputTokens: 1024, outputTokens: 256),
             targets: ServingTargets(maxTTFT: 2, maxTPOT: 0.1, percentile: .p50), disaggregated: false),
        Case(name: "Llama-3-70B, 64 H100, closed loop, + disaggregated", model: "llama3-70b", gpu: "H100-SXM-80GB", gpus: 64,
             workload: ServingWorkload(scenario: .fixedConcurrency, inputTokens: 1024, outputTokens: 256),
             targets: ServingTargets(maxTTFT: 2, maxTPOT: 0.1, percentile: .p50), disaggregated: true),
        Case(name: "Llama-3-70B, 64 H100, 8 requests/s Poisson", model: "llama3-70b", gpu: "H100-SXM-80GB", gpus: 64,
             workload: ServingWorkload(scenario: .requestRate, inputTokens: 1024, outputTokens: 256, requestRate: 8),
             targets: ServingTargets(maxTTFT: 1, maxTPOT: 0.05, percentile: .p99), disaggregated: false),
        Case(name: "Mixtral-8x7B, 64 H100, closed loop 2048/512", model: "mixtral-8x7b", gpu: "H100-SXM-80GB", gpus: 64,
             workload: ServingWorkload(scenario: .fixedConcurrency, inputTokens: 2048, outputTokens: 512),
             targets: ServingTargets(maxTTFT: 2, maxTPOT: 0.1, percentile: .p90), disaggregated: false),
        Case(name: "DeepSeek-V3, 64 H200, closed loop, + disaggregated", model: "deepseek-v3", gpu: "H200-SXM-141GB", gpus: 64,
             workload: ServingWorkload(scenario: .fixedConcurrency, inputTokens: 1000, outputTokens: 1000),
             targets: ServingTargets(maxTTFT: 3, maxTPOT: 0.1, percentile: .p50), disaggregated: true),
    ]

    static func search(arguments: [String]) {
        let quick = arguments.contains("--quick")
        for c in cases {
            do {
                let cluster = Cluster(gpu: try GPUPresets.named(c.gpu), numGPUs: c.gpus)
                var options = ServingSearchOptions(workload: c.workload)
                options.targets = c.targets
                options.disaggregated = c.disaggregated
                print("\(c.name):")
                for threads in [1, 0] {
                    options.threads = threads
                    let search = try ServingSearch(model: try ModelPresets.named(c.model), cluster: cluster, options: options)
                    var best: ServingSearchResult?
                    for _ in 0..<(quick ? 1 : 3) {
                        let r = search.run()
                        if let b = best, b.stats.elapsedSeconds <= r.stats.elapsedSeconds { continue }
                        best = r
                    }
                    guard let r = best else { continue }
                    let s = r.stats
                    print("  threads=\(s.threads): \(SearchBench.fmt(s.elapsedSeconds * 1000, 1)) ms, layouts \(s.layouts), "
                          + "enumerated \(s.enumerated), priced \(s.evaluated), feasible \(s.feasible) "
                          + "(disaggregated \(s.feasibleDisaggregated)), front \(r.pareto.count)")
                    if threads == 0 {
                        print("  pruned: " + s.prunedInOrder.map { "\($0.reason.name)=\($0.count)" }.joined(separator: " "))
                        for (i, e) in r.top.prefix(3).enumerated() { print("  #\(i + 1) \(describe(e))") }
                        if let why = r.explanation { print("  empty: \(why)") }
                    }
                }
            } catch {
                print("\(c.name): \(error.message)")
            }
        }
    }

    static func describe(_ e: ServingSearchEntry) -> String {
        func d(_ x: ServingDeployment) -> String {
            "tp=\(x.tp) pp=\(x.pp) x\(x.replicas)\(x.expertParallel ? " ep" : "")\(x.attentionDataParallel ? " adp" : "")"
        }
        let c = e.candidate, p = e.prediction
        var s = c.prefillPool.map { "P[\(d($0))] D[\(d(c.deployment))]" } ?? d(c.deployment)
        s += " \(c.deployment.weightPrecision.rawValue)/kv-\(c.deployment.kvCachePrecision.rawValue) "
            + "\(c.deployment.engine.rawValue) batch \(c.batchPerReplica): "
            + "\(Int(p.outputTokensPerSecondPerGPU)) tok/s/GPU, \(Int(p.outputTokensPerSecondPerUser)) tok/s/user, "
            + "TTFT \(SearchBench.fmt(p.ttft * 1000, 0)) ms, TPOT \(SearchBench.fmt(p.tpot * 1000, 1)) ms"
        return s
    }
}
