/// What one worker thread of a serving search has found: counts, its best `topK` entries and
/// its Pareto front of tokens/s/GPU against tokens/s/user. Workers never share one; `merge`
/// combines them with the total order `ServingSearchEntry.ranksBefore`, so the result does not
/// depend on which worker saw which point. Insertion allocates nothing once the arrays reach
/// capacity.
final class ServingSearchAccumulator {
    let topK: Int
    var pruned: [Int]
    var evaluated = 0
    var feasible = 0
    var feasibleDisaggregated = 0
    var unitsDone = 0
    /// Best first, at most topK.
    var top: [ServingSearchEntry]
    /// By tokens/s/user strictly descending; tokens/s/GPU strictly ascending.
    var pareto: [ServingSearchEntry]
    /// The priced point that fits but misses the targets by the least (`closestMiss`).
    var closest: ServingSearchEntry?
    var closestMiss = Double.infinity

    init(topK: Int) {
        self.topK = topK
        pruned = [Int](repeating: 0, count: ServingSearchPruneReason.allCases.count)
        top = []
        top.reserveCapacity(min(topK, SearchAccumulator.reservedTopEntries) + 1)
        pareto = []
        pareto.reserveCapacity(64)
    }

    @inline(__always)
    func prune(_ reason: ServingSearchPruneReason, count: Int = 1) { pruned[reason.rawValue] &+= count }

    /// A priced point that fits but misses a target by `miss` (achieved / target, the largest
    /// over the targets): kept if it misses by less than the closest so far (ties: ranking).
    func offerClosest(_ e: ServingSearchEntry, miss: Double) {
        guard miss.isFinite else { return }
        if let c = closest, !(miss < closestMiss || (miss == closestMiss && ServingSearchEntry.ranksBefore(e, c))) { return }
        closest = e
        closestMiss = miss
    }

    /// A priced point that fits and meets the targets.
    func addFeasible(_ e: ServingSearchEntry) {
        feasible &+= 1
        if e.candidate.isDisaggregated { feasibleDisaggregated &+= 1 }
        if top.count < topK || ServingSearchEntry.ranksBefore(e, top[top.count - 1]) {
            var lo = 0, hi = top.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if ServingSearchEntry.ranksBefore(top[mid], e) { lo = mid + 1 } else { hi = mid }
            }
            top.insert(e, at: lo)
            if top.count > topK { top.removeLast() }
        }
        addToPareto(e)
    }

    /// Keeps `pareto` the set of points no other beats on both axes (exact ties: the
    /// better-ranked point stays).
    func addToPareto(_ e: ServingSearchEntry) {
        let u = e.tokensPerSecondPerUser, g = e.tokensPerSecondPerGPU
        // First entry with tokens/s/user < u: before it, every entry is at least as fast per user.
        var lo = 0, hi = pareto.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if pareto[mid].tokensPerSecondPerUser >= u { lo = mid + 1 } else { hi = mid }
        }
        var start = lo
        if lo > 0 {
            // The best per GPU among the entries at least as fast per user.
            let pred = pareto[lo - 1]
            let pu = pred.tokensPerSecondPerUser, pg = pred.tokensPerSecondPerGPU
            if pg > g { return }
            if pg == g {
                if pu > u { return }
                if ServingSearchEntry.ranksBefore(pred, e) { return }   // exact tie
            }
            if pu == u { start = lo - 1 }   // e beats pred per GPU (or wins the tie)
        }
        // Entries slower per user and no better per GPU are dominated by e.
        var end = lo
        while end < pareto.count && pareto[end].tokensPerSecondPerGPU <= g { end += 1 }
        pareto.replaceSubrange(start..<end, with: CollectionOfOne(e))
    }

    /// Combines worker results into one (deterministic for any split of the work).
    static func merge(_ workers: [ServingSearchAccumulator], topK: Int, layoutPruned: [Int])
        -> (top: [ServingSearchEntry], pareto: [ServingSearchEntry], stats: ServingSearchStats,
            closest: (entry: ServingSearchEntry, miss: Double)?) {
        var counts = layoutPruned
        var stats = ServingSearchStats()
        var top: [ServingSearchEntry] = []
        var front: [ServingSearchEntry] = []
        let nearest = ServingSearchAccumulator(topK: 1)
        for w in workers {
            if let c = w.closest { nearest.offerClosest(c, miss: w.closestMiss) }
            for i in counts.indices { counts[i] += w.pruned[i] }
            stats.evaluated += w.evaluated
            stats.feasible += w.feasible
            stats.feasibleDisaggregated += w.feasibleDisaggregated
            stats.workUnitsDone += w.unitsDone
            top += w.top
            front += w.pareto
        }
        top.sort(by: ServingSearchEntry.ranksBefore)
        if top.count > topK { top.removeLast(top.count - topK) }
        // Front of the union: sweep by tokens/s/user descending, keep rising tokens/s/GPU.
        front.sort { a, b in
            if a.tokensPerSecondPerUser != b.tokensPerSecondPerUser {
                return a.tokensPerSecondPerUser > b.tokensPerSecondPerUser
            }
            return ServingSearchEntry.ranksBefore(a, b)
        }
        var pareto: [ServingSearchEntry] = []
        for e in front where pareto.last.map({ e.tokensPerSecondPerGPU > $0.tokensPerSecondPerGPU }) ?? true {
            pareto.append(e)
        }
        var pruned: [ServingSearchPruneReason: Int] = [:]
        for r in ServingSearchPruneReason.allCases where counts[r.rawValue] > 0 { pruned[r] = counts[r.rawValue] }
        stats.pruned = pruned
        stats.enumerated = stats.feasible + counts.reduce(0, +)
        return (top, pareto, stats, nearest.closest.map { ($0, nearest.closestMiss) })
    }
}

extension ServingSearchAccumulator: @unchecked Sendable {}   // each is touched by one worker at a time
