/// One measured run ready for fitting: mapped once onto cost-model inputs, with the measured
/// values the fit compares against. Re-predicting it under other efficiency constants only
/// rebuilds the cost model (the efficiency is folded into its precomputed rates), never the
/// mapping (model loading, plan validation), which is most of the cost of a `Validator` pass.
struct FitSample: Sendable {
    let id: String
    let source: String
    let complete: Bool
    let generation: GPUArchitecture
    let mapped: MappedRun
    let measuredTokensPerSecondPerGPU: Double?
    let measuredStepTime: Double?
    /// Measured memory metrics, in bytes: allocated (workspaces), reserved (fragmentation on
    /// top), and the framework's reported peak when that peak is reserved or device memory
    /// (runtime memory outside the allocator). `peak_memory_gib` of a framework that reports
    /// allocated memory counts as allocated when `peak_allocated_gib` is not stated.
    let measuredMemory: [(metric: ValidationMetric, bytes: Double)]
    /// The model's architecture (the spec less its display name): the group of
    /// leave-one-model-out cross-validation.
    let modelKey: ModelSpec

    /// The run as a sample, or nil when it cannot be predicted or measured nothing the fit uses
    /// (the reason is the validator's, so the fit and `pdcost validate` skip the same runs).
    static func make(_ run: MeasuredRun) -> Result<FitSample, PDCostError> {
        let mapped: MappedRun
        switch run.mapped() {
        case .failure(let error): return .failure(error)
        case .success(let m): mapped = m
        }
        do {
            _ = try CostModel(model: mapped.model, cluster: mapped.cluster, setup: mapped.setup)
        } catch {
            return .failure(error)
        }
        let m = run.measured
        let gib = 1_073_741_824.0
        var memory: [(ValidationMetric, Double)] = []
        if let v = m?.peakAllocatedGiB, v > 0, v.isFinite { memory.append((.peakAllocatedGiB, v * gib)) }
        if let v = m?.peakReservedGiB, v > 0, v.isFinite { memory.append((.peakReservedGiB, v * gib)) }
        if let v = m?.peakMemoryGiB, v > 0, v.isFinite,
           mapped.setup.framework.reportedPeak != .allocated || m?.peakAllocatedGiB == nil {
            memory.append((.peakMemoryGiB, v * gib))
        }
        let tokens = m?.tokensPerSecondPerGPU.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        let step = m?.stepTime.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        if tokens == nil && step == nil && memory.isEmpty {
            return .failure(.invalidArgument("no tokens/s, step time or memory to fit to"))
        }
        var key = mapped.model
        key.name = ""
        return .success(FitSample(id: run.id, source: run.sourceRepository, complete: run.complete ?? false,
                                  generation: mapped.cluster.gpu.architecture, mapped: mapped,
                                  measuredTokensPerSecondPerGPU: tokens, measuredStepTime: step,
                                  measuredMemory: memory.map { (metric: $0.0, bytes: $0.1) }, modelKey: key))
    }

    var hasThroughput: Bool { measuredTokensPerSecondPerGPU != nil || measuredStepTime != nil }

    /// The prediction with `efficiency` in place of the cluster's defaults (nil only if the cost
    /// model rejects the cluster, which `make` already ruled out).
    func predict(_ efficiency: EfficiencyProfile) -> Prediction? {
        var cluster = mapped.cluster
        cluster.efficiency = efficiency
        guard let cost = try? CostModel(model: mapped.model, cluster: cluster, setup: mapped.setup) else { return nil }
        return cost.evaluate(mapped.plan)
    }

    /// log(predicted / measured) of throughput: tokens/s/GPU where measured, else the inverse
    /// ratio of step times (so that positive always means "predicted faster").
    func throughputLogError(_ p: Prediction) -> Double? {
        if let measured = measuredTokensPerSecondPerGPU {
            return p.tokensPerSecondPerGPU > 0 ? FitMath.log(p.tokensPerSecondPerGPU / measured) : nil
        }
        if let measured = measuredStepTime {
            return p.stepTime > 0 ? FitMath.log(measured / p.stepTime) : nil
        }
        return nil
    }

    /// log(predicted / measured) of each memory metric, in `measuredMemory` order. The
    /// predicted figure is the one `Validator.validate` compares (same stage, same metric).
    func memoryLogErrors(_ p: Prediction, into out: inout [Double]) {
        for (metric, measured) in measuredMemory {
            let predicted = mapped.predictedMemory(p, metric) ?? 0
            out.append(predicted > 0 ? FitMath.log(predicted / measured) : 0)
        }
    }

    /// |predicted − measured| / measured of tokens/s/GPU, in percent (nil when not measured):
    /// the error `ValidationReport` averages into its MAPE.
    func tokensAbsolutePercentError(_ p: Prediction) -> Double? {
        guard let measured = measuredTokensPerSecondPerGPU else { return nil }
        return abs(p.tokensPerSecondPerGPU - measured) / measured * 100
    }
}
