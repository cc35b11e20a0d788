/// One priced plan of a search.
public struct SearchEntry: Sendable, Hashable {
    public var candidate: SearchCandidate
    public var prediction: Prediction
    /// The highest allocated memory over the pipeline stages (what decides an OOM), bytes.
    public var peakAllocatedBytes: Double

    public var plan: ParallelPlan { candidate.plan }
    /// Tokens per second of the job (every plan uses all GPUs, so this ranks like tokens/s/GPU).
    public var throughput: Double { prediction.tokensPerSecond }

    /// The ranking, a total order (so results do not depend on thread count or visit order):
    /// 1. higher throughput (tokens/s);
    /// 2. fewer GPUs per model replica (tp·pp·cp: more data parallelism, less to go wrong);
    /// 3. less peak allocated memory;
    /// 4. the candidate's fields in lexicographic order (smaller degrees, then smaller
    ///    micro-batch, then less recomputation, then less offload).
    public static func ranksBefore(_ a: SearchEntry, _ b: SearchEntry) -> Bool {
        if a.throughput != b.throughput { return a.throughput > b.throughput }
        let ra = a.candidate.replicaSize, rb = b.candidate.replicaSize
        if ra != rb { return ra < rb }
        if a.peakAllocatedBytes != b.peakAllocatedBytes { return a.peakAllocatedBytes < b.peakAllocatedBytes }
        return a.candidate.keyPrecedes(b.candidate)
    }
}

/// Counts of one search. `enumerated = feasible + Σ pruned`: every candidate the enumerator
/// produced either fits or was dropped for exactly one reason (see `SearchPruneReason`).
public struct SearchStats: Sendable, Hashable {
    /// Candidates produced: partial plans rejected by a constraint plus complete plans priced.
    public var enumerated: Int = 0
    /// Complete plans priced by the cost model.
    public var evaluated: Int = 0
    /// Priced plans that fit in memory.
    public var feasible: Int = 0
    /// Candidates dropped, per reason (only reasons with a non-zero count are listed).
    public var pruned: [SearchPruneReason: Int] = [:]
    public var elapsedSeconds: Double = 0
    /// Worker threads used.
    public var threads: Int = 0
    /// Work units (`PlanSpace.items`: tp × pipeline split × cp × ep × etp × ZeRO × offload
    /// choices that pass the expert, ZeRO and offload rules) and how many were searched.
    public var workUnits: Int = 0
    public var workUnitsDone: Int = 0
    /// Whether the search stopped early (cancellation); the results cover the units done.
    public var cancelled: Bool = false

    public init() {}

    /// Pruned counts in `SearchPruneReason` order, zero counts left out.
    public var prunedInOrder: [(reason: SearchPruneReason, count: Int)] {
        SearchPruneReason.allCases.compactMap { r in pruned[r].map { (r, $0) } }.filter { $0.count > 0 }
    }
}

/// What a search found.
public struct SearchResult: Sendable {
    /// The best plans that fit, best first (`SearchEntry.ranksBefore`), at most `topK`.
    public var top: [SearchEntry]
    /// The plans that fit and that no other fitting plan beats on both throughput and memory,
    /// by peak allocated memory ascending (throughput ascending with it).
    public var pareto: [SearchEntry]
    public var stats: SearchStats
    /// The memory limit a plan had to fit under (usable memory × (1 − safety margin)), bytes.
    public var memoryLimitBytes: Double
    /// When nothing fits: the priced plan that missed the limit by the least.
    public var closest: SearchEntry?
    /// When nothing was priced but plans were dropped by the memory bound: the least model-state
    /// bytes among them, and that candidate (its micro-batch size and recomputation are the
    /// first tried).
    public var closestModelStates: (candidate: SearchCandidate, bytes: Double)?
    /// A settings sweep (`SettingsSweep`): the settings of each variant, and for each entry of
    /// `top` and `pareto` the variant it was priced under. Empty for a single search.
    public var settingsVariants: [FrameworkSettings] = []
    public var topVariants: [Int] = []
    public var paretoVariants: [Int] = []
    /// What each worker thread did (the calling thread first): the evidence that the work
    /// split is even, free of the wall-clock noise of a shared machine (`pdcost-bench search`).
    package var workerLoads: [SearchWorkerLoad] = []
    /// CPU time of the calling thread outside its work loop: building the plan space, starting
    /// and joining the helpers, merging (the part no second thread shortens).
    package var serialCPUSeconds: Double = 0

    /// The settings `top[index]` was priced under (empty settings for a single search).
    public func settings(ofTop index: Int) -> FrameworkSettings {
        index < topVariants.count && topVariants[index] < settingsVariants.count
            ? settingsVariants[topVariants[index]] : FrameworkSettings()
    }

    /// Why the result is empty, in words; nil when some plan fits.
    public var explanation: String? {
        guard top.isEmpty else { return nil }
        let gib = 1_073_741_824.0
        func g(_ x: Double) -> String { SearchText.fixed(x / gib, 1) + " GiB" }
        var text: String
        if let closest {
            let miss = closest.peakAllocatedBytes - memoryLimitBytes
            text = "no plan fits in memory: the closest, " + SearchText.describe(closest.candidate)
                + ", needs " + g(closest.peakAllocatedBytes) + " at its peak stage against a limit of "
                + g(memoryLimitBytes) + " (misses by " + g(miss) + ")"
        } else if let (candidate, bytes) = closestModelStates {
            text = "no plan fits in memory: even the model states alone (weights, gradients, optimizer) "
                + "of the smallest candidate, " + SearchText.describe(candidate, partial: true) + ", need "
                + g(bytes) + " against a limit of " + g(memoryLimitBytes) + " (misses by " + g(bytes - memoryLimitBytes)
                + "); more GPUs, ZeRO/FSDP sharding or optimizer offload would be needed"
        } else if stats.cancelled && stats.workUnitsDone < stats.workUnits {
            text = "the search was cancelled before any plan that fits was found"
        } else if stats.enumerated == 0 {
            text = "no candidate plan: the limits leave no parallel degree to try"
        } else {
            text = "no valid plan: every candidate breaks a constraint"
        }
        let reasons = stats.prunedInOrder.map { "\($0.reason.name)=\($0.count)" }
        if !reasons.isEmpty { text += " (pruned: " + reasons.joined(separator: ", ") + ")" }
        return text
    }
}

/// Small text helpers for explanations and tables.
enum SearchText {
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (abs(x) * scale).rounded()
        let whole = Int(r / scale)
        let frac = Int(r - Double(whole) * scale)
        var f = String(frac)
        while f.count < digits { f = "0" + f }
        return (x < 0 && r > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + f : "")
    }

    /// `tp=8 pp=16 (7/8/7) vpp=1 cp=1 dp=128 ep=1 zero=1 sp mbs=1 recompute=full`.
    static func describe(_ c: SearchCandidate, partial: Bool = false) -> String {
        let p = c.plan
        var s = "tp=\(p.tp) pp=\(p.pp)"
        if p.firstStageLayers != nil || p.lastStageLayers != nil {
            s += " (first=\(p.firstStageLayers.map(String.init) ?? "even") last=\(p.lastStageLayers.map(String.init) ?? "even"))"
        }
        s += " vpp=\(p.vpp) cp=\(p.cp) dp=\(p.dp)"
        if p.ep > 1 || p.expertTP > 1 { s += " ep=\(p.ep) etp=\(p.expertTP)" }
        s += p.fsdp ? " fsdp" : " zero=\(p.zeroStage)"
        if c.optimizerOffloadRatio > 0 { s += " offload=\(c.optimizerOffloadRatio)" }
        if partial { return s }
        if p.effectiveSequenceParallel { s += " sp" }
        s += " mbs=\(c.microBatchSize) recompute=" + recomputeName(c.recompute)
        return s
    }

    static func recomputeName(_ r: Recompute) -> String {
        switch r.granularity {
        case .none: "none"
        case .selective: "selective"
        case .full: r.numLayers.map { "full(\($0))" } ?? "full"
        }
    }
}

/// One worker thread's share of a search.
package struct SearchWorkerLoad: Sendable, Hashable {
    /// Work units taken, and plans priced in them.
    package var units: Int
    package var evaluated: Int
    /// CPU time of the thread inside its work loop (CLOCK_THREAD_CPUTIME_ID), seconds.
    package var cpuSeconds: Double
}
