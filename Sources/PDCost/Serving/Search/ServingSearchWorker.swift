/// Per-layout figures the disaggregated stage reads, written by the aggregated stage.
struct ServingLayoutFigures: Sendable {
    let cost: ServingCostModel
    let prefill: DisaggregatedPricing.PrefillPool
    let decodeLimit: Double
    /// The decode iteration at each batch of the sweep.
    let decode: [IterationCost]
}

/// One slot per layout, each written by the one worker that built that layout (stage 1) and
/// read after every worker has been joined (stage 2).
final class ServingLayoutTable: @unchecked Sendable {
    let count: Int
    private let slots: UnsafeMutablePointer<ServingLayoutFigures?>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(index: Int) -> ServingLayoutFigures? {
        get { slots[index] }
        set { slots[index] = newValue }
    }
}

/// The enumeration below the layouts: batches, replicas, and prefill/decode pairs.
struct ServingSearchWorker: Sendable {
    let model: ModelSpec
    let cluster: Cluster
    let options: ServingSearchOptions
    let space: ServingDeploymentSpace
    let table: ServingLayoutTable
    let sweep: [Int]
    /// Layouts sharing engine, precisions and settings with each layout (prefill partners).
    let partners: [[Int]]

    init(model: ModelSpec, cluster: Cluster, options: ServingSearchOptions, space: ServingDeploymentSpace) {
        self.model = model
        self.cluster = cluster
        self.options = options
        self.space = space
        table = ServingLayoutTable(count: space.layouts.count)
        sweep = options.batchSweep
        var partners: [[Int]] = []
        if options.disaggregated {
            let layouts = space.layouts
            for d in layouts {
                partners.append(layouts.indices.filter { i in
                    let p = layouts[i]
                    return p.engine == d.engine && p.weightPrecision == d.weightPrecision
                        && p.kvCachePrecision == d.kvCachePrecision
                })
            }
        }
        self.partners = partners
    }

    // MARK: Stage 1: aggregated

    /// Builds layout `index`'s cost model and prices its aggregated deployments.
    func aggregated(_ index: Int, into acc: ServingSearchAccumulator) {
        var d = space.layouts[index]
        let most = space.budget / d.gpusPerReplica
        d.replicas = options.variesReplicas ? 1 : most
        let cost: ServingCostModel
        do { cost = try ServingCostModel(model: model, cluster: cluster, deployment: d) } catch {
            acc.prune(.deploymentInvalid)
            return
        }
        // Per GPU: the same for every batch and replica count.
        if !cost.memory.weightsFit { acc.prune(.weightsMemory); return }
        if options.disaggregated { record(index, cost) }
        var w = options.workload
        if options.sweepsBatch {
            let isStatic = w.scenario == .staticBatch
            let held = ServingSteadyState(m: cost, w: w).kvConcurrency(peak: isStatic)
            for b in sweep {
                if Double(b) > held { acc.prune(.kvCapacity); continue }
                if isStatic { w.batchSize = b } else { w.concurrency = b * most }
                price(cost, w, batch: b, into: acc)
            }
        } else if options.variesReplicas {
            let batch = w.scenario == .staticBatch ? w.batchSize : 0
            for r in 1...most {
                price(r == 1 ? cost : ServingCostModel(cost, replicas: r), w, batch: batch, into: acc)
            }
        } else {
            price(cost, w, batch: 0, into: acc)
        }
    }

    @inline(__always)
    private func price(_ cost: ServingCostModel, _ w: ServingWorkload, batch: Int, into acc: ServingSearchAccumulator) {
        let p: ServingPrediction
        do { p = try cost.evaluate(w) } catch { acc.prune(.noPrediction); return }
        acc.evaluated &+= 1
        let entry = { ServingSearchEntry(candidate: ServingSearchCandidate(deployment: cost.deployment, batchPerReplica: batch),
                                         prediction: p, workload: w, disaggregation: nil) }
        if let reason = judge(p) {
            acc.prune(reason)
            if reason == .ttftTarget || reason == .tpotTarget { acc.offerClosest(entry(), miss: miss(p)) }
            return
        }
        acc.addFeasible(entry())
    }

    /// The one place a priced point is held against memory, saturation and the targets.
    @inline(__always)
    func judge(_ p: ServingPrediction) -> ServingSearchPruneReason? {
        let g = p.outputTokensPerSecondPerGPU
        if !(g.isFinite && g > 0 && p.tpot.isFinite && p.tpot > 0) { return .noPrediction }
        if !p.fitsMemory { return .kvCapacity }
        if p.saturated { return .saturated }
        let t = options.targets
        if let maxTTFT = t.maxTTFT, !(t.percentile.ttft(p) <= maxTTFT) { return .ttftTarget }
        if let maxTPOT = t.maxTPOT, !(p.tpot <= maxTPOT) { return .tpotTarget }
        return nil
    }

    /// How far a priced point misses the targets: the largest of achieved / target over the
    /// targets set (> 1 for a point `judge` refused for a target).
    func miss(_ p: ServingPrediction) -> Double {
        let t = options.targets
        var m = 0.0
        if let maxTTFT = t.maxTTFT { m = max(m, t.percentile.ttft(p) / maxTTFT) }
        if let maxTPOT = t.maxTPOT { m = max(m, p.tpot / maxTPOT) }
        return m
    }

    private func record(_ index: Int, _ cost: ServingCostModel) {
        let w = options.workload
        let single = ServingCostModel(cost, replicas: 1)
        let decode = sweep.map { DisaggregatedPricing.decodeIteration(single, w, batch: Double($0)) }
        table[index] = ServingLayoutFigures(cost: single, prefill: DisaggregatedPricing.prefillPool(single, w),
                                            decodeLimit: DisaggregatedPricing.decodeLimit(single, w), decode: decode)
    }

    // MARK: Stage 2: disaggregated

    /// Pairs decode layout `index` with every prefill layout of its engine and precisions.
    func disaggregated(_ index: Int, into acc: ServingSearchAccumulator) {
        // A layout without figures was pruned in stage 1 (weights), with all its extensions.
        guard let dec = table[index] else { return }
        let budget = space.budget
        let gd = space.layouts[index].gpusPerReplica
        // Decode batches beyond the KV pool: one candidate per batch.
        var batches = 0
        for b in sweep {
            if Double(b) <= dec.decodeLimit { batches += 1 } else { acc.prune(.kvCapacity) }
        }
        if batches == 0 { return }
        let acrossNodes = budget > cluster.gpusPerNode
        var w = options.workload
        for pi in partners[index] {
            guard let pre = table[pi] else { continue }
            if !pre.prefill.usable { acc.prune(.kvCapacity); continue }
            let gp = space.layouts[pi].gpusPerReplica
            if gp + gd > budget { acc.prune(.poolSplit); continue }
            let transfer = DisaggregatedPricing.kvTransferSeconds(
                model: dec.cost.model, precision: dec.cost.deployment.kvCachePrecision, inputTokens: w.inputTokens,
                prefillGPUs: gp, decodeGPUs: gd, interconnect: dec.cost.interconnect, acrossNodes: acrossNodes)
            for x in 1...((budget - gd) / gp) {
                let rest = budget - x * gp
                if rest % gd != 0 { acc.prune(.poolSplit); continue }
                let y = rest / gd
                for (bi, b) in sweep.enumerated() where Double(b) <= dec.decodeLimit {
                    let (p, extra) = DisaggregatedPricing.price(
                        prefill: pre.prefill, decode: dec.cost, decodeIteration: dec.decode[bi], workload: w,
                        prefillReplicas: x, decodeReplicas: y, batch: Double(b), kvTransfer: transfer, gpus: budget)
                    acc.evaluated &+= 1
                    let reason = judge(p)
                    if let reason, reason != .ttftTarget && reason != .tpotTarget { acc.prune(reason); continue }
                    var decodePool = dec.cost.deployment
                    decodePool.replicas = y
                    var prefillPool = pre.cost.deployment
                    prefillPool.replicas = x
                    w.concurrency = b * y
                    let entry = ServingSearchEntry(
                        candidate: ServingSearchCandidate(deployment: decodePool, prefillPool: prefillPool, batchPerReplica: b),
                        prediction: p, workload: w, disaggregation: extra)
                    if let reason {
                        acc.prune(reason)
                        acc.offerClosest(entry, miss: miss(p))
                        continue
                    }
                    acc.addFeasible(entry)
                }
            }
        }
    }
}
