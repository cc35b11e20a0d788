/// A plan search repeated under every combination of a few on/off framework settings, merged
/// into one ranking: "which plan, and should TP comm overlap / CUDA graphs be on?".
///
/// Only switches that a job can turn on or off without changing anything else are varied
/// (`SettingsSweep.variableKeys`); each variant is an ordinary `PlanSearch` over a cost model
/// whose framework has the variant's settings applied on top of the ones the caller stated.
/// Ties between variants keep the order of `variants` (every key off before on).
public struct SettingsSweep: Sendable {
    /// The settings a sweep may vary: boolean switches that change speed or memory only.
    public static let variableKeys = ["tp_comm_overlap", "cuda_graphs", "torch_compile", "overlap_grad_reduce",
                                      "overlap_param_gather", "overlap_p2p", "fp8_params", "moe_overlap_expert_comm"]
    /// At most this many keys (2^4 = 16 searches).
    public static let maxKeys = PDCostLimits.varySettingsKeys.maximum

    public let keys: [String]
    /// Variant i sets key j to `(i >> j) & 1 == 1`.
    public let variants: [FrameworkSettings]

    public init(keys: [String]) throws(PDCostError) {
        var seen: Set<String> = []
        for key in keys {
            guard Self.variableKeys.contains(key) else {
                throw .invalidArgument("vary_settings: '\(key)' cannot be varied; variable settings: "
                                       + Self.variableKeys.joined(separator: ", "))
            }
            guard seen.insert(key).inserted else { throw .invalidArgument("vary_settings: '\(key)' is listed twice") }
        }
        guard keys.count <= Self.maxKeys else {
            throw .invalidArgument("vary_settings: \(keys.count) keys > the maximum \(Self.maxKeys) (2^\(Self.maxKeys) searches)")
        }
        self.keys = keys
        var variants: [FrameworkSettings] = []
        for i in 0..<(1 << keys.count) {
            var s = FrameworkSettings()
            for (j, key) in keys.enumerated() {
                try FrameworkSettings.field(key)?.set(&s, .bool((i >> j) & 1 == 1))
            }
            variants.append(s)
        }
        self.variants = variants
    }

    /// One ranked plan and the variant it was priced under.
    public struct Entry: Sendable {
        public var variant: Int
        public var entry: SearchEntry
    }

    public struct Result: Sendable {
        public var keys: [String]
        public var variants: [FrameworkSettings]
        /// Each variant's own search.
        public var results: [SearchResult]
        /// The best plans over all variants, best first, at most `topK`.
        public var top: [Entry]
    }

    /// Runs one search per variant (sequentially; each search uses the options' threads).
    /// `progress` receives work units done of all variants' units (every variant searches the
    /// same space); return true to cancel.
    public func run(cost: CostModel, options: SearchOptions, cancellation: SearchCancellation? = nil,
                    progress: ((_ done: Int, _ total: Int) -> Bool)? = nil) throws(PDCostError) -> Result {
        var results: [SearchResult] = []
        var merged: [Entry] = []
        var stopped = false
        for (index, variant) in variants.enumerated() {
            if stopped || cancellation?.isCancelled == true { break }
            var setup = cost.setup
            setup.framework.apply(variant)
            let variantCost = try CostModel(model: cost.model, cluster: cost.cluster, setup: setup)
            let search = try PlanSearch(cost: variantCost, options: options)
            let result = search.run(cancellation: cancellation, progress: progress.map { report in
                { done, total in
                    let asked = report(index * total + done, variants.count * total)
                    if asked { stopped = true }
                    return asked
                }
            })
            results.append(result)
            merged += result.top.map { Entry(variant: index, entry: $0) }
            if result.stats.cancelled { stopped = true }
        }
        merged.sort { a, b in
            if SearchEntry.ranksBefore(a.entry, b.entry) { return true }
            if SearchEntry.ranksBefore(b.entry, a.entry) { return false }
            return a.variant < b.variant
        }
        return Result(keys: keys, variants: variants, results: results, top: Array(merged.prefix(options.topK)))
    }

}

extension SettingsSweep.Result {
    /// The sweep as one search result: the merged ranking, the Pareto front over every
    /// variant, counts summed, and the variant of each entry.
    public func combined() -> SearchResult {
        var stats = SearchStats()
        for r in results {
            stats.enumerated += r.stats.enumerated
            stats.evaluated += r.stats.evaluated
            stats.feasible += r.stats.feasible
            for (reason, count) in r.stats.pruned { stats.pruned[reason, default: 0] += count }
            stats.elapsedSeconds += r.stats.elapsedSeconds
            stats.threads = max(stats.threads, r.stats.threads)
            stats.workUnits += r.stats.workUnits
            stats.workUnitsDone += r.stats.workUnitsDone
            stats.cancelled = stats.cancelled || r.stats.cancelled
        }
        stats.cancelled = stats.cancelled || results.count < variants.count
        // Pareto over the union: keep an entry unless another is at least as good on both
        // axes and better on one.
        var candidates: [(variant: Int, entry: SearchEntry)] = []
        for (v, r) in results.enumerated() { candidates += r.pareto.map { (v, $0) } }
        let front = candidates.filter { a in
            !candidates.contains { b in
                b.entry.throughput >= a.entry.throughput && b.entry.peakAllocatedBytes <= a.entry.peakAllocatedBytes
                    && (b.entry.throughput > a.entry.throughput || b.entry.peakAllocatedBytes < a.entry.peakAllocatedBytes)
            }
        }.sorted { a, b in
            a.entry.peakAllocatedBytes != b.entry.peakAllocatedBytes ? a.entry.peakAllocatedBytes < b.entry.peakAllocatedBytes
                : (a.entry.throughput != b.entry.throughput ? a.entry.throughput < b.entry.throughput : a.variant < b.variant)
        }
        let closest = results.compactMap(\.closest).min { $0.peakAllocatedBytes < $1.peakAllocatedBytes }
        let closestStates = results.compactMap(\.closestModelStates).min { $0.bytes < $1.bytes }
        var out = SearchResult(top: top.map(\.entry), pareto: front.map(\.entry), stats: stats,
                               memoryLimitBytes: results.first?.memoryLimitBytes ?? 0,
                               closest: top.isEmpty ? closest : nil,
                               closestModelStates: top.isEmpty && closest == nil ? closestStates : nil)
        out.settingsVariants = variants
        out.topVariants = top.map(\.variant)
        out.paretoVariants = front.map(\.variant)
        return out
    }
}
