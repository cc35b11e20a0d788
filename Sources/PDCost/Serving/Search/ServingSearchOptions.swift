/// Latency targets a deployment must meet to be ranked: the time to first token at a
/// percentile and the time per output token. nil: no target.
public struct ServingTargets: Sendable, Hashable {
    /// Largest time to first token, seconds, at `percentile`.
    public var maxTTFT: Double?
    /// Largest time per output token after the first, seconds (the prediction's `tpot`: the
    /// steady-state decode iteration, the same for every request).
    public var maxTPOT: Double?
    /// Which TTFT the target applies to.
    public var percentile: ServingPercentile

    public init(maxTTFT: Double? = nil, maxTPOT: Double? = nil, percentile: ServingPercentile = .p50) {
        self.maxTTFT = maxTTFT
        self.maxTPOT = maxTPOT
        self.percentile = percentile
    }
}

/// The TTFT percentile a target applies to.
public enum ServingPercentile: String, Sendable, Hashable, CaseIterable {
    /// The prediction's mean TTFT (`ttft`) stands in for the median.
    case p50
    /// `ttftP90`.
    case p90
    /// `ttftP99`.
    case p99

    /// The TTFT of `p` this percentile reads.
    @inline(__always)
    public func ttft(_ p: ServingPrediction) -> Double {
        switch self {
        case .p50: p.ttft
        case .p90: p.ttftP90
        case .p99: p.ttftP99
        }
    }
}

/// The knobs of a serving deployment search (`ServingSearch`): the GPU budget, the requests,
/// the targets, and which deployments to try. Every limit is inclusive; nil means "as far as
/// the model and cluster allow".
///
/// The load: for `static_batch` and `online_fixed_concurrency` the search sweeps the batch
/// (sequences per replica) or the concurrency (requests in flight per replica) over the powers
/// of two up to `maxBatch`, which traces the front of tokens/s/GPU against tokens/s/user; the
/// workload's own `batchSize`/`concurrency` are ignored. `offline_max_throughput` prices the
/// one point the engine settles in (with `disaggregated`, the decode batch is swept as for a
/// closed loop). `online_request_rate` and `burst_all_at_once` fix the whole deployment's load,
/// so the search varies the replica count instead. With `sweepLoad` off, `static_batch` and
/// `online_fixed_concurrency` keep the workload's own `batchSize` (per replica) or
/// `concurrency` (whole deployment) and vary the replica count too: "which deployment serves
/// 64 concurrent users".
public struct ServingSearchOptions: Sendable, Hashable {
    /// Prompt and output lengths, the scenario and (for request rate and burst) the load.
    public var workload: ServingWorkload
    /// GPUs the deployment may use; nil = the cluster's `numGPUs`. An aggregated deployment
    /// runs ⌊budget / (tp·pp)⌋ replicas (the sweep scenarios) or 1…that many (request rate,
    /// burst); a disaggregated one uses exactly the budget (prefill + decode GPUs).
    public var maxGPUs: Int? = nil
    /// Largest per-replica batch or concurrency of the sweep (powers of two from 1).
    public var maxBatch: Int = 1024
    /// `static_batch` and `online_fixed_concurrency`: true sweeps the batch or concurrency per
    /// replica (the workload's own is ignored); false keeps the workload's `batchSize` (per
    /// replica) or `concurrency` (whole deployment) and varies the replicas 1…⌊budget/(tp·pp)⌋.
    /// Not with `disaggregated` (its decode batch is always swept).
    public var sweepLoad: Bool = true
    public var targets: ServingTargets = ServingTargets()
    /// Engines to try; by default the serving engines (continuous batching). The eager
    /// PyTorch loop (`.pytorch`) is tried only when named, and only for `static_batch`.
    public var engines: [ServingEngine] = ServingEngine.allCases.filter(\.continuousBatching)
    /// Weight precisions to try; nil = bf16, plus fp8 where the GPU has FP8 tensor cores and
    /// fp4 where it has FP4 ones.
    public var weightPrecisions: [WeightPrecision]? = nil
    /// KV-cache precisions to try; nil = bf16, plus fp8 where the GPU has FP8 tensor cores.
    public var kvCachePrecisions: [KVCachePrecision]? = nil
    /// Largest tensor-parallel degree (every degree 1…maxTP is tried); nil = the GPUs of one node.
    public var maxTP: Int? = nil
    /// Largest pipeline-parallel degree (powers of two 1, 2, 4 … are tried); nil = as far as the
    /// budget and the layer count allow.
    public var maxPP: Int? = nil
    /// MoE models: also try experts placed whole on the TP ranks (`expertParallel`).
    public var tryExpertParallel: Bool = true
    /// MoE models: also try attention data parallel over the TP ranks (tp > 1).
    public var tryAttentionDataParallel: Bool = true
    /// Also try disaggregated prefill/decode pools (DistServe, Splitwise); needs a closed-loop
    /// or offline scenario and at least 2 output tokens.
    public var disaggregated: Bool = false
    /// Engine settings applied to every deployment (unset keys: the engine's defaults).
    public var settings: ServingSettings = ServingSettings()
    /// Entries returned, ranked by output tokens/s/GPU.
    public var topK: Int = 10
    /// Worker threads; 0 = every core.
    public var threads: Int = 0

    public init(workload: ServingWorkload) {
        self.workload = workload
    }

    /// Scenarios whose load the search sweeps per replica.
    var sweepsBatch: Bool {
        sweepLoad && (workload.scenario == .staticBatch || workload.scenario == .fixedConcurrency)
    }

    /// Scenarios whose load is the whole deployment's: the replica count is a choice.
    var variesReplicas: Bool {
        workload.scenario == .requestRate || workload.scenario == .burst
            || (!sweepLoad && (workload.scenario == .staticBatch || workload.scenario == .fixedConcurrency))
    }

    /// The batch/concurrency values of the sweep: 1, 2, 4 … ≤ maxBatch.
    var batchSweep: [Int] {
        var out: [Int] = []
        var b = 1
        while b <= maxBatch {
            out.append(b)
            if b > maxBatch / 2 { break }
            b *= 2
        }
        return out
    }

    /// Weight precisions tried on `gpu`.
    func weightChoices(_ gpu: GPUSpec) -> [WeightPrecision] {
        if let weightPrecisions { return Self.unique(weightPrecisions) }
        var out: [WeightPrecision] = [.bf16]
        if gpu.supportsFP8 { out.append(.fp8) }
        if gpu.supportsFP4 { out.append(.fp4) }
        return out
    }

    /// KV-cache precisions tried on `gpu`.
    func kvChoices(_ gpu: GPUSpec) -> [KVCachePrecision] {
        if let kvCachePrecisions { return Self.unique(kvCachePrecisions) }
        return gpu.supportsFP8 ? [.bf16, .fp8] : [.bf16]
    }

    static func unique<T: Equatable>(_ xs: [T]) -> [T] {
        var out: [T] = []
        for x in xs where !out.contains(x) { out.append(x) }
        return out
    }

    /// Checks the options against a cluster; the error names the field and the value.
    public func validated(cluster: Cluster) throws(PDCostError) -> ServingSearchOptions {
        let w = try workload.validated()
        if let maxGPUs {
            try PDCostLimits.numGPUs.check(maxGPUs, field: "max_gpus")
            if maxGPUs > cluster.numGPUs {
                throw .invalidArgument("max_gpus=\(maxGPUs) exceeds the cluster's num_gpus=\(cluster.numGPUs)")
            }
        }
        try PDCostLimits.servingSequences.check(maxBatch, field: "max_batch")
        if let maxTP { try PDCostLimits.parallelDegree.check(maxTP, field: "max_tp") }
        if let maxPP { try PDCostLimits.parallelDegree.check(maxPP, field: "max_pp") }
        for (name, value) in [("targets.max_ttft_s", targets.maxTTFT), ("targets.max_tpot_s", targets.maxTPOT)] {
            if let value, !(value.isFinite && value > 0) {
                throw .invalidArgument("\(name)=\(JSONWriter.describe(value)) must be a finite number of seconds > 0")
            }
        }
        if engines.isEmpty { throw .invalidArgument("engines is empty: give at least one engine") }
        try PDCostLimits.searchList.check(engines.count, field: "engines.count")
        if w.scenario != .staticBatch, let e = engines.first(where: { !$0.continuousBatching }) {
            throw .invalidArgument("engines contains '\(e.rawValue)', which runs one static batch: it needs scenario static_batch; scenario=\(w.scenario.rawValue)")
        }
        if let weightPrecisions {
            if weightPrecisions.isEmpty { throw .invalidArgument("weight_precisions is empty: give at least one precision") }
            try PDCostLimits.searchList.check(weightPrecisions.count, field: "weight_precisions.count")
        }
        if let kvCachePrecisions {
            if kvCachePrecisions.isEmpty { throw .invalidArgument("kv_cache_precisions is empty: give at least one precision") }
            try PDCostLimits.searchList.check(kvCachePrecisions.count, field: "kv_cache_precisions.count")
        }
        if disaggregated {
            if w.scenario != .fixedConcurrency && w.scenario != .offlineMaxThroughput {
                throw .invalidArgument("disaggregated=true needs scenario online_fixed_concurrency or "
                                       + "offline_max_throughput; scenario=\(w.scenario.rawValue)")
            }
            if !sweepLoad {
                throw .invalidArgument("disaggregated=true sweeps the decode batch: it needs sweep_load=true")
            }
            if w.outputTokens < 2 {
                throw .invalidArgument("disaggregated=true needs output_tokens >= 2 (the decode pool makes "
                                       + "tokens after the first); output_tokens=\(w.outputTokens)")
            }
        }
        for field in ServingSettings.fields {
            if let v = field.get(settings) { _ = try field.kind.validated(v, key: "settings.\(field.key)") }
        }
        try PDCostLimits.searchTopK.check(topK, field: "top_k")
        try PDCostLimits.searchThreads.check(threads, field: "threads")
        var out = self
        out.workload = w
        return out
    }
}
