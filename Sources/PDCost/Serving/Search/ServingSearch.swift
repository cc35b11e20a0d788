import FoundationEssentials
import Synchronization

/// Searches the serving deployments of one model on a GPU budget: every replica layout
/// (tp × pp × attention-DP × EP × weight and KV precision × engine, `ServingDeploymentSpace`),
/// each at the batches, concurrencies or replica counts of the scenario, and with
/// `disaggregated` every prefill/decode pool pair and P:D split of the budget
/// (`DisaggregatedPricing`). Points that fit and meet the targets are ranked by output
/// tokens/s/GPU; the result also holds their Pareto front against tokens/s/user.
///
/// Two stages, each over work units taken by threads from a shared counter (the training
/// search's discipline, `PlanSearch`): 1. the layouts (each builds its cost model, prices its
/// aggregated points and records what the pairing needs); 2. the decode layouts (each pairs
/// with every prefill layout). Each thread keeps its own results, merged with a total order,
/// so the result is the same for any thread count. The calling thread is one of the workers;
/// the others are POSIX threads started and joined inside the call (`JoinedThreads`). The
/// progress callback runs on the calling thread only.
public struct ServingSearch: Sendable {
    public let model: ModelSpec
    public let cluster: Cluster
    public let options: ServingSearchOptions

    public init(model: ModelSpec, cluster: Cluster, options: ServingSearchOptions) throws(PDCostError) {
        self.model = try model.validated()
        self.cluster = try cluster.validated()
        self.options = try options.validated(cluster: self.cluster)
    }

    /// Runs the search.
    /// - Parameters:
    ///   - cancellation: set from any thread to stop early; the result then covers the work
    ///     units searched so far and `stats.cancelled` is true.
    ///   - progress: called on the calling thread with (stage, work units done, total of that
    ///     stage) every few milliseconds and once at the end of each stage; return true to stop
    ///     (the partial result is returned, flagged cancelled).
    public func run(cancellation: SearchCancellation? = nil,
                    progress: ((_ stage: ServingSearchStage, _ done: Int, _ total: Int) -> Bool)? = nil)
        -> ServingSearchResult {
        let clock = ContinuousClock()
        let start = clock.now
        let space = ServingDeploymentSpace(model: model, cluster: cluster, options: options)
        let worker = ServingSearchWorker(model: model, cluster: cluster, options: options, space: space)
        let units = space.layouts.count
        let requested = options.threads > 0 ? options.threads : max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let threads = max(min(requested, units), 1)
        let accumulators = (0..<threads).map { _ in ServingSearchAccumulator(topK: options.topK) }

        var stopped = false
        var started = 1
        var totalUnits = units
        var done = 0
        let first = Self.stage(.aggregated, units: units, threads: threads, accumulators: accumulators,
                               cancellation: cancellation, progress: progress) { i, acc in worker.aggregated(i, into: acc) }
        started = first.threads
        done += first.done
        stopped = first.stopped || first.done < units
        if options.disaggregated {
            totalUnits += units
            if !stopped {
                let second = Self.stage(.disaggregated, units: units, threads: threads, accumulators: accumulators,
                                        cancellation: cancellation, progress: progress) { i, acc in
                    worker.disaggregated(i, into: acc)
                }
                started = max(started, second.threads)
                done += second.done
                stopped = second.stopped || second.done < units
            }
        }
        let merged = ServingSearchAccumulator.merge(accumulators, topK: options.topK, layoutPruned: space.pruned)
        var stats = merged.stats
        stats.layouts = units
        stats.threads = started
        stats.workUnits = totalUnits
        stats.workUnitsDone = done
        stats.cancelled = stopped
        let elapsed = clock.now - start
        stats.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return ServingSearchResult(top: merged.top, pareto: merged.pareto, stats: stats, budget: space.budget,
                                   targets: options.targets, closest: merged.closest?.entry,
                                   closestMiss: merged.closest?.miss)
    }

    /// Runs `body` over work units 0..<units on `threads` threads (the caller one of them).
    /// Returns the threads that ran, the units done and whether the caller's callback or the
    /// cancellation stopped it.
    private static func stage(_ stage: ServingSearchStage, units: Int, threads: Int,
                              accumulators: [ServingSearchAccumulator], cancellation: SearchCancellation?,
                              progress: ((ServingSearchStage, Int, Int) -> Bool)?,
                              body: @escaping @Sendable (Int, ServingSearchAccumulator) -> Void)
        -> (threads: Int, done: Int, stopped: Bool) {
        let clock = ContinuousClock()
        let shared = SearchShared()
        var lastReport = clock.now
        var stoppedByCaller = false
        let report: () -> Void = {
            guard let progress, !stoppedByCaller else { return }
            let now = clock.now
            if now - lastReport < .milliseconds(5) { return }
            lastReport = now
            if progress(stage, shared.done.load(ordering: .relaxed), units) {
                stoppedByCaller = true
                shared.stop.store(true, ordering: .relaxed)
            }
        }
        @Sendable func work(_ acc: ServingSearchAccumulator, _ afterUnit: () -> Void) {
            while true {
                if shared.stop.load(ordering: .relaxed) { return }
                if let cancellation, cancellation.isCancelled {
                    shared.stop.store(true, ordering: .relaxed)
                    return
                }
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= units { return }
                body(index, acc)
                acc.unitsDone += 1
                shared.done.wrappingAdd(1, ordering: .relaxed)
                afterUnit()
            }
        }
        var started = 1
        if threads == 1 {
            work(accumulators[0], report)
        } else {
            var helpers = JoinedThreads()
            for index in 1..<threads {
                let acc = accumulators[index]
                let ok = helpers.start {
                    work(acc, {})
                    shared.finished.wrappingAdd(1, ordering: .releasing)
                }
                if !ok { break }   // refused by the system: the others take its units
            }
            started += helpers.count
            work(accumulators[0], report)
            while shared.finished.load(ordering: .acquiring) < helpers.count {
                if cancellation?.isCancelled == true { shared.stop.store(true, ordering: .relaxed) }
                report()
                JoinedThreads.sleep(microseconds: 200)
            }
            helpers.joinAll()
        }
        let done = shared.done.load(ordering: .relaxed)
        if let progress, !stoppedByCaller, progress(stage, done, units) { stoppedByCaller = true }
        if cancellation?.isCancelled == true && done < units { stoppedByCaller = true }
        return (started, done, stoppedByCaller)
    }
}
