import PDCost

/// `pdcost-bench search`: evaluated plans per second and the time of the two acceptance
/// searches (issue 4) and the README quick start, with one thread and with every core:
/// `pdcost-bench search [--quick] [--reps N] [--threads N] [--no-meta]`.
///
/// On a shared machine wall time is noise; the split is measured without it by instruction
/// counts: `valgrind --tool=callgrind --separate-threads=yes --fair-sched=yes
/// --toggle-collect='$s6PDCost12SearchWorkerV4work*' --dump-after='<mangled PlanSearch.run>'
/// pdcost-bench search --quick --threads 2 --no-meta` writes one profile per `run`: the 1-thread
/// run's instructions, then the calling thread's share of the 2-thread run (the helper did the
/// rest). Issue 17 (Dec 2026): the calling thread's share was 48.7 % / 49.5 % / 51.1 % for the
/// 405B / DeepSeek-V3 / quick-start searches (49.0 / 50.1 / 49.7 % with whole layouts as items).
enum SearchBench {
    struct Case {
        let name: String
        let model: String
        let gpu: String
        let gpus: Int
        let setup: TrainingSetup
    }

    static let cases: [Case] = [
        Case(name: "Llama-3.1-405B, 16,384 H100", model: "llama3.1-405b", gpu: "H100-SXM-80GB", gpus: 16384,
             setup: TrainingSetup(seqLen: 8192, globalBatchSize: 2048, framework: .megatron)),
        Case(name: "DeepSeek-V3, 2,048 H800", model: "deepseek-v3", gpu: "H800-SXM-80GB", gpus: 2048,
             setup: TrainingSetup(seqLen: 4096, globalBatchSize: 15360, dtype: .fp8, framework: .megatron)),
        // The README quick start.
        Case(name: "Llama-3-70B, 64 H100", model: "llama3-70b", gpu: "H100-SXM-80GB", gpus: 64,
             setup: TrainingSetup(seqLen: 8192, globalBatchSize: 512, framework: .megatron)),
    ]

    static func run(arguments: [String]) {
        let quick = arguments.contains("--quick")
        // --reps N: runs per thread count (min and median reported; the machine may be shared).
        var reps = quick ? 1 : 5
        if let i = arguments.firstIndex(of: "--reps"), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 1 {
            reps = min(n, 1000)
        }
        // --threads N: the parallel run uses N threads (default 0, every core).
        var parallel = 0
        if let i = arguments.firstIndex(of: "--threads"), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 0 {
            parallel = min(n, 256)
        }
        for c in cases {
            do {
                let model = try ModelPresets.named(c.model)
                let cluster = Cluster(gpu: try GPUPresets.named(c.gpu), numGPUs: c.gpus)
                let cost = try CostModel(model: model, cluster: cluster, setup: c.setup)
                print("\(c.name) (seq \(c.setup.seqLen), global batch \(c.setup.globalBatchSize), \(c.setup.framework.kind.rawValue)):")
                var oneThreadCPU: Double?
                for threads in [1, parallel] {
                    var options = SearchOptions()
                    options.threads = threads
                    let search = try PlanSearch(cost: cost, options: options)
                    var runs: [SearchResult] = []
                    for _ in 0..<reps { runs.append(search.run()) }
                    runs.sort { $0.stats.elapsedSeconds < $1.stats.elapsedSeconds }
                    guard let r = runs.first else { continue }
                    let s = r.stats
                    let median = runs[runs.count / 2].stats.elapsedSeconds
                    let rate = s.elapsedSeconds > 0 ? Double(s.evaluated) / s.elapsedSeconds : 0
                    print("  threads=\(s.threads): \(fmt(s.elapsedSeconds * 1000, 1)) ms (min of \(reps); median "
                          + "\(fmt(median * 1000, 1)) ms), enumerated \(s.enumerated), "
                          + "evaluated \(s.evaluated), feasible \(s.feasible), \(Int(rate)) evaluated plans/s")
                    // The split itself, free of wall-clock noise: per thread units, plans priced and
                    // CPU time (the least total CPU over the runs). With two free cores the wall time
                    // is the busiest thread's CPU time, so 1-thread CPU / busiest thread CPU is the
                    // speedup the split allows.
                    guard let quiet = runs.min(by: { total($0) < total($1) }) else { continue }
                    let loads = quiet.workerLoads
                    let busiest = loads.map(\.cpuSeconds).max() ?? 0
                    let line = loads.map { "\($0.units) units/\($0.evaluated) plans/\(fmt($0.cpuSeconds * 1000, 1)) ms" }
                    print("  per thread: \(line.joined(separator: ", ")); serial \(fmt(quiet.serialCPUSeconds * 1000, 2)) ms; "
                          + "CPU \(fmt(total(quiet) * 1000, 1)) ms")
                    let span = quiet.serialCPUSeconds + busiest
                    if threads == 1 { oneThreadCPU = span }
                    if threads != 1, let one = oneThreadCPU, span > 0 {
                        print("  CPU-time speedup (1-thread CPU / serial + busiest thread's CPU): \(fmt(one / span, 2))x")
                    }
                    if threads != 1 {
                        let pruned = s.prunedInOrder.map { "\($0.reason.name)=\($0.count)" }.joined(separator: " ")
                        print("  pruned: \(pruned)")
                        for (i, e) in r.top.prefix(3).enumerated() {
                            print("  #\(i + 1) \(describe(e))")
                        }
                        if let why = r.explanation { print("  empty: \(why)") }
                    }
                }
            } catch {
                print("\(c.name): \(error.message)")
            }
        }
        if !arguments.contains("--no-meta") { metaPlan() }
    }

    static func total(_ r: SearchResult) -> Double { r.workerLoads.reduce(r.serialCPUSeconds) { $0 + $1.cpuSeconds } }

    /// Meta's published Llama-3.1-405B plan (Dubey et al. 2024, §3.3.2 and Table 4: TP8, PP16,
    /// CP1, DP128, seq 8192, 16M-token batches; one layer fewer on the first and last stage).
    static func metaPlan() {
        do {
            let model = try ModelPresets.named("llama3.1-405b")
            let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 16384)
            let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 2048, framework: .megatron)
            let cost = try CostModel(model: model, cluster: cluster, setup: setup)
            // Meta reports 400 TFLOPs/GPU, 41 % BF16 MFU for this plan (Table 4), interleaved
            // with one layer per model chunk (vpp = 8, embedding and loss as chunks).
            print("Meta plan tp=8 pp=16 (7/8/7) cp=1 dp=128 sp, mbs=1 (published: 41 % MFU):")
            for vpp in [1, 8] {
                for zero in [1, 3] {
                    let plan = ParallelPlan(tp: 8, pp: 16, vpp: vpp, dp: 128, cp: 1, sequenceParallel: true,
                                            zeroStage: zero, firstStageLayers: 7, lastStageLayers: 7)
                    for (name, r) in [("none", Recompute.none), ("selective", .selective), ("full", .full)] {
                        let p = cost.evaluate(plan, microBatchSize: 1, recompute: r, optimizerOffloadRatio: 0)
                        let peak = max(p.firstStageAllocated, p.lastStageAllocated, p.memory.allocated)
                        print("  vpp=\(vpp) zero=\(zero) recompute=\(name): \(Int(p.tokensPerSecondPerGPU)) tokens/s/GPU, "
                              + "MFU \(fmt(p.mfu * 100, 1)) %, peak allocated \(fmt(peak / 1_073_741_824, 1)) GiB "
                              + "of \(fmt(p.usableMemory / 1_073_741_824, 1)), fits \(p.fitsMemory)")
                    }
                }
            }
        } catch {
            print("meta plan: \(error.message)")
        }
    }

    static func describe(_ e: SearchEntry) -> String {
        let p = e.plan, c = e.candidate
        var s = "tp=\(p.tp) pp=\(p.pp) vpp=\(p.vpp) cp=\(p.cp) dp=\(p.dp) ep=\(p.ep) etp=\(p.expertTP)"
        if p.firstStageLayers != nil || p.lastStageLayers != nil {
            s += " first=\(p.firstStageLayers.map(String.init) ?? "-") last=\(p.lastStageLayers.map(String.init) ?? "-")"
        }
        s += " zero=\(p.zeroStage)\(p.fsdp ? "/fsdp" : "") sp=\(p.sequenceParallel ? 1 : 0) mbs=\(c.microBatchSize)"
        s += " recompute=\(c.recompute.granularity.rawValue)\(c.recompute.numLayers.map { "(\($0))" } ?? "")"
        s += ": \(Int(e.prediction.tokensPerSecondPerGPU)) tokens/s/GPU, MFU \(fmt(e.prediction.mfu * 100, 1)) %, "
            + "peak \(fmt(e.peakAllocatedBytes / 1_073_741_824, 1)) GiB"
        return s
    }

    static func fmt(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        return "\(r)"
    }
}
