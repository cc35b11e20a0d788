/// Predicts every run of a measured-runs file and compares with what was measured.
public enum Validator {
    /// Validates the runs of a `pdcost.runs/1` file given as bytes.
    public static func validate(json bytes: some Collection<UInt8>,
                                efficiency: ((GPUSpec) -> EfficiencyProfile)? = nil) throws(PDCostError) -> ValidationReport {
        validate(try MeasuredRunsFile.decode(bytes), efficiency: efficiency)
    }

    /// Validates decoded runs. `efficiency` overrides the per-GPU efficiency profile (for
    /// calibration experiments); nil uses the defaults.
    public static func validate(_ file: MeasuredRunsFile,
                                efficiency: ((GPUSpec) -> EfficiencyProfile)? = nil) -> ValidationReport {
        ValidationReport(runs: file.runs.map { validate($0, efficiency: efficiency) })
    }

    /// One run: map, predict, compare each metric the run states.
    public static func validate(_ run: MeasuredRun,
                                efficiency: ((GPUSpec) -> EfficiencyProfile)? = nil) -> RunValidation {
        var result = RunValidation(id: run.id, status: .skipped, reason: nil,
                                   sourceRepository: run.sourceRepository,
                                   framework: run.framework ?? "?", gpu: run.hardware?.gpu ?? "?",
                                   complete: run.complete ?? false, comparisons: [], prediction: nil)
        let mapped: MappedRun
        switch run.mapped(efficiency: efficiency) {
        case .failure(let error):
            result.reason = error.message
            return result
        case .success(let m):
            mapped = m
        }
        let cost: CostModel
        do {
            cost = try CostModel(model: mapped.model, cluster: mapped.cluster, setup: mapped.setup)
        } catch {
            result.reason = error.message
            return result
        }
        let p = cost.evaluate(mapped.plan)
        result.status = .ok
        result.prediction = p
        let gib = 1_073_741_824.0
        let m = run.measured
        let stated: [(ValidationMetric, Double?)] = [(.tokensPerSecondPerGPU, m?.tokensPerSecondPerGPU),
                                                     (.stepTime, m?.stepTime),
                                                     (.peakAllocatedGiB, m?.peakAllocatedGiB),
                                                     (.peakReservedGiB, m?.peakReservedGiB),
                                                     (.peakMemoryGiB, m?.peakMemoryGiB)]
        var comparisons: [(ValidationMetric, MetricComparison)] = []
        for case let (metric, measured?) in stated {
            // A measured speed, time or memory is positive and finite; anything else is a
            // recording error, reported per run and never counted (nor silently dropped).
            let field = "measured.\(metric.rawValue)=\(JSONWriter.describe(measured))"
            guard measured.isFinite, measured > 0 else {
                result.invalid.append("\(field) must be > 0 and finite")
                continue
            }
            let predicted: Double
            switch metric {
            case .tokensPerSecondPerGPU: predicted = p.tokensPerSecondPerGPU
            case .stepTime: predicted = p.stepTime
            case .peakAllocatedGiB, .peakReservedGiB, .peakMemoryGiB:
                predicted = (mapped.predictedMemory(p, metric) ?? 0) / gib
            }
            let comparison = MetricComparison(measured: measured, predicted: predicted)
            guard comparison.errorPercent.isFinite else {
                result.invalid.append("\(field): the error against the prediction \(JSONWriter.describe(predicted)) is not finite")
                continue
            }
            comparisons.append((metric, comparison))
        }
        result.comparisons = comparisons.map { (metric: $0.0, value: $0.1) }
        return result
    }
}
