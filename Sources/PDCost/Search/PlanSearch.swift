import FoundationEssentials
import Synchronization

/// Searches every valid parallel plan of a cost model's (model, cluster, setup), prices each
/// with `CostModel.evaluate`, and ranks the ones that fit.
///
/// The setup's micro-batch size, recomputation and offload ratio are replaced by the options'
/// lists; everything else (sequence length, global batch, dtype, optimizer, framework) is the
/// cost model's. See `PlanSpace` for the constraints and `SearchEntry.ranksBefore` for the
/// ranking.
///
/// Threads take work units (`PlanSpace.items`: one layout's ep × etp × ZeRO × offload choice,
/// largest first) from a shared counter; each keeps its own results, merged at the end with a
/// total order, so the result is the same for any thread count. The calling thread is one of
/// the workers; the others are POSIX threads this call starts and joins before it returns
/// (`JoinedThreads`), so no thread outlives the call. The progress callback runs on the
/// calling thread only.
public struct PlanSearch: Sendable {
    public let cost: CostModel
    public let options: SearchOptions

    public init(cost: CostModel, options: SearchOptions = SearchOptions()) throws(PDCostError) {
        self.cost = cost
        self.options = try options.validated()
    }

    /// Runs the search.
    /// - Parameters:
    ///   - cancellation: set from any thread to stop early; the result then covers the work
    ///     units searched so far and `stats.cancelled` is true.
    ///   - progress: called on the calling thread with (work units done, total) every few
    ///     milliseconds and once at the end; return true to cancel.
    public func run(cancellation: SearchCancellation? = nil,
                    progress: ((_ done: Int, _ total: Int) -> Bool)? = nil) -> SearchResult {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = JoinedThreads.threadCPUNanoseconds()
        let space = PlanSpace(model: cost.model, cluster: cost.cluster, setup: cost.setup, options: options)
        let usable = cost.evaluate(ParallelPlan(dp: cost.cluster.numGPUs)).usableMemory
        let limit = usable * (1 - options.memorySafetyMargin)
        let requested = options.threads > 0 ? options.threads : max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let threads = max(min(requested, space.items.count), 1)
        let workers = (0..<threads).map { _ in SearchAccumulator(topK: options.topK) }
        let shared = SearchShared()
        let total = space.items.count
        let worker = SearchWorker(cost: cost, space: space, limit: limit)

        var lastReport = clock.now
        // Once the caller asks to stop it is not called again, and the result says cancelled
        // even when the ask came on the last call.
        var stoppedByCaller = false
        // The caller's own loop: work, and between units report progress.
        let report: () -> Void = {
            guard let progress, !stoppedByCaller else { return }
            let now = clock.now
            if now - lastReport < .milliseconds(5) { return }
            lastReport = now
            if progress(shared.done.load(ordering: .relaxed), total) {
                stoppedByCaller = true
                shared.stop.store(true, ordering: .relaxed)
            }
        }
        var started = 1
        if threads == 1 {
            worker.work(workers[0], shared: shared, cancellation: cancellation, afterUnit: report)
        } else {
            var helpers = JoinedThreads()
            for index in 1..<threads {
                let accumulator = workers[index]
                let ok = helpers.start {
                    worker.work(accumulator, shared: shared, cancellation: cancellation, afterUnit: {})
                    shared.finished.wrappingAdd(1, ordering: .releasing)
                }
                // Refused by the system (thread limit): the workers that run take its units.
                if !ok { break }
            }
            started += helpers.count
            worker.work(workers[0], shared: shared, cancellation: cancellation, afterUnit: report)
            // The helpers finish their last unit; keep reporting progress meanwhile. Without a
            // callback there is nothing to report: join at once rather than waking up on a
            // polling interval after the last helper is done (the helpers watch the cancellation
            // token themselves).
            if progress != nil {
                while shared.finished.load(ordering: .acquiring) < helpers.count {
                    if cancellation?.isCancelled == true { shared.stop.store(true, ordering: .relaxed) }
                    report()
                    JoinedThreads.sleep(microseconds: 100)
                }
            }
            helpers.joinAll()
        }
        let done = shared.done.load(ordering: .relaxed)
        if let progress, !stoppedByCaller, progress(done, total) { stoppedByCaller = true }

        let merged = SearchAccumulator.merge(workers, topK: options.topK, unitPruned: space.unitPruned)
        var stats = merged.stats
        stats.threads = started
        stats.workUnits = total
        stats.cancelled = done < total || stoppedByCaller
        let elapsed = clock.now - start
        stats.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        var result = SearchResult(top: merged.top, pareto: merged.pareto, stats: stats, memoryLimitBytes: limit,
                                  closest: merged.closest, closestModelStates: merged.closestBound)
        result.workerLoads = workers.prefix(started).map {
            SearchWorkerLoad(units: $0.unitsDone, evaluated: $0.evaluated, cpuSeconds: Double($0.cpuNanoseconds) * 1e-9)
        }
        let callingThread = JoinedThreads.threadCPUNanoseconds() &- cpuStart
        result.serialCPUSeconds = Double(max(callingThread &- workers[0].cpuNanoseconds, 0)) * 1e-9
        return result
    }
}

/// A flag that stops a running search from any thread.
public final class SearchCancellation: Sendable {
    let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Counters the workers share.
final class SearchShared: Sendable {
    /// Index of the next work unit to take.
    let next = Atomic<Int>(0)
    /// Work units finished.
    let done = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    /// Helper threads that have left their work loop.
    let finished = Atomic<Int>(0)
}

extension SearchAccumulator: @unchecked Sendable {}   // each is touched by one worker at a time

/// The enumeration inside work items: everything below (layout, ep, etp, ZeRO, offload),
/// without allocation.
struct SearchWorker: Sendable {
    let cost: CostModel
    let space: PlanSpace
    let limit: Double

    func work(_ acc: SearchAccumulator, shared: SearchShared, cancellation: SearchCancellation?,
              afterUnit: () -> Void) {
        let units = space.items
        let cpuStart = JoinedThreads.threadCPUNanoseconds()
        defer { acc.cpuNanoseconds &+= JoinedThreads.threadCPUNanoseconds() &- cpuStart }
        while true {
            if shared.stop.load(ordering: .relaxed) { return }
            if let cancellation, cancellation.isCancelled {
                shared.stop.store(true, ordering: .relaxed)
                return
            }
            let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
            if index >= units.count { return }
            search(units[index], into: acc)
            acc.unitsDone += 1
            shared.done.wrappingAdd(1, ordering: .relaxed)
            afterUnit()
        }
    }

    func search(_ item: PlanSpace.WorkItem, into acc: SearchAccumulator) {
        let o = space.options
        let u = space.units[item.unit]
        let ratio = space.offloadRatios[item.ratio]
        let zero = item.zeroStage
        var plan = ParallelPlan(tp: u.tp, pp: u.pp, vpp: 1, dp: u.dp, cp: u.cp, ep: item.ep,
                                etp: space.isMoE && item.etp > 1 ? item.etp : nil, sequenceParallel: false,
                                zeroStage: zero, fsdp: item.fsdp,
                                firstStageLayers: u.split.explicitFirst, lastStageLayers: u.split.explicitLast)
        // 7. Memory lower bound (constraints 5 and 6 were checked when the items were made).
        if o.memoryLowerBoundPruning {
            let bound = cost.modelStateLowerBound(plan, optimizerOffloadRatio: ratio)
            if !(bound <= limit) {
                let firstRecompute: Recompute = o.recompute.contains(.none) ? .none
                    : (o.recompute.contains(.selective) ? space.selectiveRecompute : .full)
                acc.addBoundMiss(SearchCandidate(plan: plan, microBatchSize: space.microBatchSizes[0],
                                                 recompute: firstRecompute, optimizerOffloadRatio: ratio),
                                 bytes: bound)
                return
            }
        }
        searchBelowZero(&plan, u, ratio: ratio, into: acc)
    }

    /// vpp × sequence parallelism × micro-batch × recomputation.
    private func searchBelowZero(_ plan: inout ParallelPlan, _ u: PlanSpace.WorkUnit, ratio: Double,
                                 into acc: SearchAccumulator) {
        let o = space.options
        let tp = u.tp, dp = u.dp
        for vpp in 1...u.maxVPP {
            // 8. Interleaving.
            if vpp > 1 && !u.split.cutsIntoChunks(vpp: vpp) {
                acc.prune(.virtualPipelineLayerSplit); continue
            }
            plan.vpp = vpp
            let chunk = max(u.split.middle / vpp, 1)
            for spIndex in 0..<2 {
                let sp = spIndex == 1
                // 9. Sequence parallelism.
                if tp == 1 { if sp { break } } else {
                    switch o.sequenceParallel {
                    case .on: if !sp { continue }
                    case .off: if sp { continue }
                    case .both: break
                    }
                    if sp && u.localSeq % tp != 0 { acc.prune(.sequenceParallelSequence); continue }
                }
                plan.sequenceParallel = sp
                for mbs in space.microBatchSizes {
                    // 4. Whole gradient accumulation per micro-batch size.
                    if space.globalBatch % (mbs * dp) != 0 { acc.prune(.globalBatch); continue }
                    // 10. Recomputation (none only under activation offload, which Megatron-Core
                    // refuses to combine with it: `TrainingSetup.validated`).
                    if o.recompute.contains(.none) { price(plan, mbs, .none, ratio, acc) }
                    if space.offloadsActivations { continue }
                    if o.recompute.contains(.selective) { price(plan, mbs, space.selectiveRecompute, ratio, acc) }
                    if o.recompute.contains(.full) { price(plan, mbs, .full, ratio, acc) }
                    if o.recompute.contains(.partialFull) && chunk > 1 {
                        for n in 1..<chunk { price(plan, mbs, Recompute(.full, numLayers: n), ratio, acc) }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func price(_ plan: ParallelPlan, _ mbs: Int, _ recompute: Recompute, _ ratio: Double,
                       _ acc: SearchAccumulator) {
        let p = cost.evaluate(plan, microBatchSize: mbs, recompute: recompute, optimizerOffloadRatio: ratio)
        acc.evaluated &+= 1
        let peak = max(p.firstStageAllocated, max(p.lastStageAllocated, p.memory.allocated))
        let candidate = SearchCandidate(plan: plan, microBatchSize: mbs, recompute: recompute, optimizerOffloadRatio: ratio)
        let entry = SearchEntry(candidate: candidate, prediction: p, peakAllocatedBytes: peak)
        if !(p.tokensPerSecond.isFinite && p.tokensPerSecond > 0 && peak.isFinite) {
            acc.addInfeasible(entry, reason: .noPrediction)
        } else if p.fitsMemory && peak <= limit {
            acc.addFeasible(entry)
        } else {
            acc.addInfeasible(entry)
        }
    }
}
