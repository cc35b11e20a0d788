/// One deployment the serving search priced, at one load.
public struct ServingSearchCandidate: Sendable, Hashable {
    /// Aggregated: the deployment. Disaggregated: the decode pool (`replicas` decode instances).
    public var deployment: ServingDeployment
    /// Disaggregated: the prefill pool (same engine, precisions and settings as the decode
    /// pool; its own tp, pp and replicas). nil when aggregated.
    public var prefillPool: ServingDeployment?
    /// The swept batch (static batch) or concurrency (closed loop) per replica, or the decode
    /// batch per decode replica when disaggregated; 0 when the scenario fixes the load.
    public var batchPerReplica: Int

    public init(deployment: ServingDeployment, prefillPool: ServingDeployment? = nil, batchPerReplica: Int) {
        self.deployment = deployment
        self.prefillPool = prefillPool
        self.batchPerReplica = batchPerReplica
    }

    public var isDisaggregated: Bool { prefillPool != nil }
    /// GPUs of the whole deployment (both pools when disaggregated).
    public var numGPUs: Int { deployment.numGPUs + (prefillPool?.numGPUs ?? 0) }

    /// A fixed lexicographic order over every field, the last tie rule of the ranking.
    func keyPrecedes(_ o: ServingSearchCandidate) -> Bool {
        var c = Self.cmp(isDisaggregated ? 1 : 0, o.isDisaggregated ? 1 : 0); if c != 0 { return c < 0 }
        c = Self.compare(deployment, o.deployment); if c != 0 { return c < 0 }
        if let p = prefillPool, let q = o.prefillPool {
            c = Self.compare(p, q); if c != 0 { return c < 0 }
        }
        return batchPerReplica < o.batchPerReplica
    }

    @inline(__always)
    static func cmp(_ x: Int, _ y: Int) -> Int { x < y ? -1 : (x > y ? 1 : 0) }

    /// tp, pp, replicas, attention-DP, EP, weight, KV precision, engine (declaration order).
    static func compare(_ a: ServingDeployment, _ b: ServingDeployment) -> Int {
        var c = cmp(a.tp, b.tp); if c != 0 { return c }
        c = cmp(a.pp, b.pp); if c != 0 { return c }
        c = cmp(a.replicas, b.replicas); if c != 0 { return c }
        c = cmp(a.attentionDataParallel ? 1 : 0, b.attentionDataParallel ? 1 : 0); if c != 0 { return c }
        c = cmp(a.expertParallel ? 1 : 0, b.expertParallel ? 1 : 0); if c != 0 { return c }
        c = cmp(a.weightPrecision.order, b.weightPrecision.order); if c != 0 { return c }
        c = cmp(a.kvCachePrecision.order, b.kvCachePrecision.order); if c != 0 { return c }
        return cmp(a.engine.order, b.engine.order)
    }
}

extension WeightPrecision {
    /// Declaration order.
    var order: Int {
        switch self {
        case .bf16: 0
        case .fp16: 1
        case .fp8: 2
        case .fp4: 3
        case .int4WeightOnly: 4
        }
    }
}

extension KVCachePrecision {
    var order: Int {
        switch self {
        case .bf16: 0
        case .fp16: 1
        case .fp8: 2
        }
    }
}

extension ServingEngine {
    var order: Int {
        switch self {
        case .vllm: 0
        case .sglang: 1
        case .tensorrtLLM: 2
        case .pytorch: 3
        }
    }
}

/// What a disaggregated deployment adds to its prediction: the two pools' capacities and the
/// KV hand-off (`DisaggregatedPricing`).
public struct ServingDisaggregation: Sendable, Hashable {
    /// Requests/s the prefill pool and the decode pool could each serve at this point.
    public var prefillCapacity: Double
    public var decodeCapacity: Double
    /// Offered load over prefill capacity.
    public var prefillUtilization: Double
    /// One request's prompt KV moved from a prefill GPU to a decode GPU, seconds.
    public var kvTransferSeconds: Double
    /// Prompts one prefill iteration carries.
    public var promptsPerPrefillIteration: Double
}

/// One priced point of a serving search.
public struct ServingSearchEntry: Sendable, Hashable {
    public var candidate: ServingSearchCandidate
    /// What was predicted. Aggregated: exactly `ServingCostModel(deployment).evaluate(workload)`.
    public var prediction: ServingPrediction
    /// The workload priced (the options' with the swept batch or concurrency filled in).
    public var workload: ServingWorkload
    /// Disaggregated points: the pools' figures; nil when aggregated.
    public var disaggregation: ServingDisaggregation?

    public var tokensPerSecondPerGPU: Double { prediction.outputTokensPerSecondPerGPU }
    public var tokensPerSecondPerUser: Double { prediction.outputTokensPerSecondPerUser }

    /// The ranking, a total order (results do not depend on thread count or visit order):
    /// 1. more output tokens/s/GPU; 2. more tokens/s/user; 3. fewer GPUs; 4. the candidate's
    /// fields in lexicographic order (aggregated first, smaller degrees, smaller batch).
    public static func ranksBefore(_ a: ServingSearchEntry, _ b: ServingSearchEntry) -> Bool {
        if a.tokensPerSecondPerGPU != b.tokensPerSecondPerGPU { return a.tokensPerSecondPerGPU > b.tokensPerSecondPerGPU }
        if a.tokensPerSecondPerUser != b.tokensPerSecondPerUser { return a.tokensPerSecondPerUser > b.tokensPerSecondPerUser }
        let ga = a.candidate.numGPUs, gb = b.candidate.numGPUs
        if ga != gb { return ga < gb }
        return a.candidate.keyPrecedes(b.candidate)
    }
}

/// The stage a serving search is in, as its progress callback reports it.
public enum ServingSearchStage: String, Sendable, Hashable, CaseIterable {
    /// Building each replica layout's cost model and pricing aggregated deployments; the work
    /// units are the layouts.
    case aggregated
    /// Pairing prefill and decode pools; the work units are the decode layouts.
    case disaggregated
}

/// Counts of one serving search. `enumerated = feasible + Σ pruned`: every candidate either
/// met every constraint and target or was dropped for exactly one reason.
public struct ServingSearchStats: Sendable, Hashable {
    public var enumerated: Int = 0
    /// Points priced (aggregated predictions and disaggregated combinations).
    public var evaluated: Int = 0
    /// Priced points that fit and meet the targets.
    public var feasible: Int = 0
    /// Of them, disaggregated.
    public var feasibleDisaggregated: Int = 0
    /// Candidates dropped, per reason (only reasons with a non-zero count are listed).
    public var pruned: [ServingSearchPruneReason: Int] = [:]
    /// Replica layouts (tp × pp × attention-DP × EP × precisions × engine) that passed the
    /// structural rules, and how many cost models were built.
    public var layouts: Int = 0
    public var elapsedSeconds: Double = 0
    public var threads: Int = 0
    /// Work units of both stages and how many were searched.
    public var workUnits: Int = 0
    public var workUnitsDone: Int = 0
    public var cancelled: Bool = false

    public init() {}

    /// Pruned counts in `ServingSearchPruneReason` order, zero counts left out.
    public var prunedInOrder: [(reason: ServingSearchPruneReason, count: Int)] {
        ServingSearchPruneReason.allCases.compactMap { r in pruned[r].map { (r, $0) } }.filter { $0.count > 0 }
    }
}

/// What a serving search found.
public struct ServingSearchResult: Sendable {
    /// The best points that fit and meet the targets, best first
    /// (`ServingSearchEntry.ranksBefore`), at most `topK`.
    public var top: [ServingSearchEntry]
    /// The points no other feasible point beats on both output tokens/s/GPU and tokens/s/user:
    /// by tokens/s/user descending (tokens/s/GPU ascending with it).
    public var pareto: [ServingSearchEntry]
    public var stats: ServingSearchStats
    /// The GPU budget searched.
    public var budget: Int
    /// The targets searched under.
    public var targets: ServingTargets = ServingTargets()
    /// Of the priced points that fit but miss a target, the one that misses by the least
    /// (`closestMiss`; ties by the ranking); nil when no point missed only a target. What to
    /// relax when `top` is empty.
    public var closest: ServingSearchEntry? = nil
    /// How far `closest` misses: the largest of achieved / target over the targets set.
    public var closestMiss: Double? = nil

    /// Why the result is empty, in words; nil when some point is feasible.
    public var explanation: String? {
        guard top.isEmpty else { return nil }
        var text: String
        if stats.cancelled && stats.workUnitsDone < stats.workUnits {
            text = "the search was cancelled before any feasible deployment was found"
        } else if stats.enumerated == 0 {
            text = "no candidate deployment: the limits leave no parallel degree to try"
        } else {
            text = "no deployment fits and meets the targets"
        }
        let reasons = stats.prunedInOrder.map { "\($0.reason.name)=\($0.count)" }
        if !reasons.isEmpty { text += " (pruned: " + reasons.joined(separator: ", ") + ")" }
        if let closest { text += "; closest: " + Self.describe(closest, targets: targets) }
        return text
    }

    /// One line for an entry measured against the targets: "tp=8 pp=1 replicas=2 (16 GPUs)
    /// vllm fp8/fp8 kv, concurrency 64: TTFT p50 1.21 s (target 0.2 s), TPOT 31.2 ms".
    public static func describe(_ e: ServingSearchEntry, targets: ServingTargets) -> String {
        func layout(_ d: ServingDeployment) -> String {
            var s = "tp=\(d.tp) pp=\(d.pp) replicas=\(d.replicas)"
            if d.expertParallel { s += " ep" }
            if d.attentionDataParallel { s += " attention-dp" }
            return s
        }
        let c = e.candidate
        let d = c.deployment
        var text = c.prefillPool.map { "prefill " + layout($0) + " + decode " } ?? ""
        text += layout(d) + " (\(c.numGPUs) GPUs) \(d.engine.rawValue) \(d.weightPrecision.rawValue) weights, "
            + "\(d.kvCachePrecision.rawValue) KV"
        let w = e.workload
        switch w.scenario {
        case .staticBatch: text += ", batch \(w.batchSize)/replica"
        case .fixedConcurrency: text += ", concurrency \(w.concurrency)"
        default: break
        }
        func time(_ s: Double) -> String {
            s >= 1 ? "\(JSONWriter.describe((s * 100).rounded() / 100)) s" : "\(JSONWriter.describe((s * 10000).rounded() / 10)) ms"
        }
        let p = e.prediction
        text += ": TTFT \(targets.percentile.rawValue) \(time(targets.percentile.ttft(p)))"
        if let t = targets.maxTTFT { text += " (target \(time(t)))" }
        text += ", TPOT \(time(p.tpot))"
        if let t = targets.maxTPOT { text += " (target \(time(t)))" }
        return text
    }
}
