/// What one worker thread has found so far: counts, its best `topK` plans, its Pareto front
/// and the closest misses. Workers never share one; `merge` combines them in a way that does
/// not depend on which worker saw which plan (every choice uses the total order
/// `SearchEntry.ranksBefore`). Insertion allocates nothing once the arrays reach capacity.
final class SearchAccumulator {
    let topK: Int
    var pruned: [Int]
    var evaluated = 0
    var feasible = 0
    var unitsDone = 0
    /// CPU time of the worker's thread in its work loop.
    var cpuNanoseconds = 0
    /// Best first, at most topK.
    var top: [SearchEntry]
    /// By memory ascending; throughput strictly ascending.
    var pareto: [SearchEntry]
    var closest: SearchEntry?
    var closestBound: (candidate: SearchCandidate, bytes: Double)?

    /// Entries of `top` reserved when a worker starts.
    static let reservedTopEntries = 1024

    init(topK: Int) {
        self.topK = topK
        pruned = [Int](repeating: 0, count: SearchPruneReason.allCases.count)
        top = []
        // top_k may be up to 100 000 and every worker thread has its own list: reserving all of
        // it up front would ask for threads × 100 001 entries (gigabytes) before any plan fits.
        // Past this cap the list grows on demand, which only happens with that many results.
        top.reserveCapacity(min(topK, SearchAccumulator.reservedTopEntries) + 1)
        pareto = []
        pareto.reserveCapacity(64)
    }

    @inline(__always)
    func prune(_ reason: SearchPruneReason) { pruned[reason.rawValue] &+= 1 }

    /// A priced plan that fits.
    func addFeasible(_ e: SearchEntry) {
        feasible &+= 1
        if top.count < topK || SearchEntry.ranksBefore(e, top[top.count - 1]) {
            var lo = 0, hi = top.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if SearchEntry.ranksBefore(top[mid], e) { lo = mid + 1 } else { hi = mid }
            }
            top.insert(e, at: lo)
            if top.count > topK { top.removeLast() }
        }
        addToPareto(e)
    }

    func addToPareto(_ e: SearchEntry) {
        let m = e.peakAllocatedBytes, t = e.throughput
        // First entry with memory > m.
        var lo = 0, hi = pareto.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if pareto[mid].peakAllocatedBytes <= m { lo = mid + 1 } else { hi = mid }
        }
        var start = lo
        if lo > 0 {
            let pred = pareto[lo - 1]
            // pred has the highest throughput among entries using ≤ m bytes.
            if pred.throughput > t { return }
            if pred.throughput == t {
                if pred.peakAllocatedBytes < m { return }
                if SearchEntry.ranksBefore(pred, e) { return }   // exact tie: the better-ranked stays
            }
            if pred.peakAllocatedBytes == m { start = lo - 1 }
        }
        var end = lo
        while end < pareto.count && pareto[end].throughput <= t { end += 1 }
        pareto.replaceSubrange(start..<end, with: CollectionOfOne(e))
    }

    /// A priced plan that does not fit (or has no usable prediction).
    func addInfeasible(_ e: SearchEntry, reason: SearchPruneReason = .outOfMemory) {
        prune(reason)
        guard reason == .outOfMemory else { return }
        if let c = closest {
            if e.peakAllocatedBytes > c.peakAllocatedBytes { return }
            if e.peakAllocatedBytes == c.peakAllocatedBytes && !e.candidate.keyPrecedes(c.candidate) { return }
        }
        closest = e
    }

    /// A candidate dropped by the memory bound with `bytes` of model states.
    func addBoundMiss(_ candidate: SearchCandidate, bytes: Double) {
        prune(.memoryLowerBound)
        if let c = closestBound {
            if bytes > c.bytes { return }
            if bytes == c.bytes && !candidate.keyPrecedes(c.candidate) { return }
        }
        closestBound = (candidate, bytes)
    }

    /// Combines worker results into one (deterministic for any split of the work).
    static func merge(_ workers: [SearchAccumulator], topK: Int, unitPruned: [Int])
        -> (top: [SearchEntry], pareto: [SearchEntry], stats: SearchStats, closest: SearchEntry?,
            closestBound: (candidate: SearchCandidate, bytes: Double)?) {
        var counts = unitPruned
        var stats = SearchStats()
        var top: [SearchEntry] = []
        var front: [SearchEntry] = []
        var closest: SearchEntry?
        var closestBound: (candidate: SearchCandidate, bytes: Double)?
        for w in workers {
            for i in counts.indices { counts[i] += w.pruned[i] }
            stats.evaluated += w.evaluated
            stats.feasible += w.feasible
            stats.workUnitsDone += w.unitsDone
            top += w.top
            front += w.pareto
            if let c = w.closest {
                if let best = closest {
                    if c.peakAllocatedBytes < best.peakAllocatedBytes
                        || (c.peakAllocatedBytes == best.peakAllocatedBytes && c.candidate.keyPrecedes(best.candidate)) {
                        closest = c
                    }
                } else { closest = c }
            }
            if let b = w.closestBound {
                if let best = closestBound {
                    if b.bytes < best.bytes || (b.bytes == best.bytes && b.candidate.keyPrecedes(best.candidate)) {
                        closestBound = b
                    }
                } else { closestBound = b }
            }
        }
        top.sort(by: SearchEntry.ranksBefore)
        if top.count > topK { top.removeLast(top.count - topK) }
        // Pareto front of the union of the workers' fronts: sweep by memory, keep rising throughput.
        front.sort { a, b in
            a.peakAllocatedBytes != b.peakAllocatedBytes ? a.peakAllocatedBytes < b.peakAllocatedBytes
                : SearchEntry.ranksBefore(a, b)
        }
        var pareto: [SearchEntry] = []
        for e in front where pareto.last.map({ e.throughput > $0.throughput }) ?? true {
            pareto.append(e)
        }
        var pruned: [SearchPruneReason: Int] = [:]
        for r in SearchPruneReason.allCases where counts[r.rawValue] > 0 { pruned[r] = counts[r.rawValue] }
        stats.pruned = pruned
        stats.enumerated = stats.feasible + counts.reduce(0, +)
        return (top, pareto, stats, closest, closestBound)
    }
}
