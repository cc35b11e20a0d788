/// The metrics a measured-runs file can state, under their JSON names.
public enum ValidationMetric: String, Sendable, Hashable, CaseIterable {
    case tokensPerSecondPerGPU = "tokens_per_s_per_gpu"
    case stepTime = "step_time_s"
    case peakAllocatedGiB = "peak_allocated_gib"
    case peakReservedGiB = "peak_reserved_gib"
    case peakMemoryGiB = "peak_memory_gib"
}

/// Predicted against measured for one metric of one run.
public struct MetricComparison: Sendable, Hashable {
    public var measured: Double
    public var predicted: Double
    /// Signed error in percent: (predicted − measured) / measured · 100.
    public var errorPercent: Double

    public init(measured: Double, predicted: Double) {
        self.measured = measured
        self.predicted = predicted
        errorPercent = measured != 0 ? (predicted - measured) / measured * 100 : .nan
    }
}

/// The outcome for one run.
public struct RunValidation: Sendable {
    public enum Status: String, Sendable { case ok, skipped }
    public var id: String
    public var status: Status
    /// Why a run was skipped.
    public var reason: String?
    /// Measured values that were not compared, each naming the field and the value
    /// (`measured.tokens_per_s_per_gpu=-5 must be > 0`).
    public var invalid: [String] = []
    public var sourceRepository: String
    public var framework: String
    public var gpu: String
    public var complete: Bool
    /// Comparisons in `ValidationMetric.allCases` order, for the metrics the run states.
    public var comparisons: [(metric: ValidationMetric, value: MetricComparison)]
    /// The prediction (ok runs only).
    public var prediction: Prediction?

    public func comparison(_ metric: ValidationMetric) -> MetricComparison? {
        comparisons.first { $0.metric == metric }?.value
    }

    /// Feasibility of the published plan in the model: the largest allocated peak over the
    /// pipeline stages against the memory the caching allocator can use (ok runs only).
    public var feasibility: (fits: Bool, peakAllocated: Double, usable: Double)? {
        guard let p = prediction else { return nil }
        let peak = max(p.memory.allocated, max(p.firstStageAllocated, p.lastStageAllocated))
        return (p.fitsMemory, peak, p.usableMemory)
    }
}

/// Error statistics of one metric over a set of runs (percent).
/// A statistic over no comparison is nil (JSON `null`, "–" in the text table), never 0.
public struct MetricSummary: Sendable, Hashable {
    public var n: Int = 0
    public var mape: Double?
    public var maxAbsPercent: Double?
    public var completeN: Int = 0
    public var completeMape: Double?

    public init() {}

    /// Statistics over the ok runs' comparisons of `metric`.
    public init(metric: ValidationMetric, runs: some Sequence<RunValidation>) {
        var sum = 0.0, completeSum = 0.0, maxAbs = 0.0
        for run in runs where run.status == .ok {
            // The validator keeps only comparisons with a finite error (others are `invalid`).
            guard let c = run.comparison(metric), c.errorPercent.isFinite else { continue }
            let e = abs(c.errorPercent)
            n += 1
            sum += e
            maxAbs = max(maxAbs, e)
            if run.complete {
                completeN += 1
                completeSum += e
            }
        }
        mape = n > 0 ? sum / Double(n) : nil
        maxAbsPercent = n > 0 ? maxAbs : nil
        completeMape = completeN > 0 ? completeSum / Double(completeN) : nil
    }
}

/// Predicted against measured for every run of a measured-runs file.
public struct ValidationReport: Sendable {
    public var runs: [RunValidation]
    /// One entry per metric, in `ValidationMetric.allCases` order.
    public var summary: [(metric: ValidationMetric, value: MetricSummary)]

    public init(runs: [RunValidation]) {
        self.runs = runs
        summary = ValidationMetric.allCases.map { ($0, MetricSummary(metric: $0, runs: runs)) }
    }

    public func summary(_ metric: ValidationMetric) -> MetricSummary {
        summary.first { $0.metric == metric }?.value ?? MetricSummary()
    }

    /// Complete runs whose published plan the model predicts not to fit in GPU memory: a
    /// measured run did fit, so each one names a memory term that is too large.
    public var completeRunsNotFitting: [RunValidation] {
        runs.filter { $0.complete && $0.feasibility.map { !$0.fits } == true }
    }

    /// Summaries per source repository, sorted by name.
    public func summaryBySource() -> [(source: String, runs: Int, skipped: Int, metrics: [(metric: ValidationMetric, value: MetricSummary)])] {
        var order: [String] = []
        var groups: [String: [RunValidation]] = [:]
        for run in runs {
            if groups[run.sourceRepository] == nil { order.append(run.sourceRepository) }
            groups[run.sourceRepository, default: []].append(run)
        }
        return order.sorted().map { source in
            let group = groups[source] ?? []
            return (source, group.count, group.filter { $0.status == .skipped }.count,
                    ValidationMetric.allCases.map { ($0, MetricSummary(metric: $0, runs: group)) })
        }
    }

    /// The report as JSON: `{"runs": [...], "summary": {...}}`. Each run is
    /// `{"id", "status", "reason"?, "source", "complete", "invalid"?, "fits_memory"?,
    /// "peak_allocated_gib_predicted"?, "usable_gib"?, <metric>: {"measured", "predicted",
    /// "error_pct"}}` (the feasibility keys for ok runs; `invalid` lists the measured values
    /// that were not compared, each naming the field and value); each summary entry
    /// `{"n", "mape", "max_abs_pct", "complete_n", "complete_mape"}` (percent; a statistic over
    /// no run is null). Decimals are rounded to 6 places.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .expanded(levels: 2))
    }

    package var jsonValue: JSONValue {
        func n(_ x: Double) -> JSONValue { .number(JSONWriter.rounded6(x)) }
        func n(_ x: Double?) -> JSONValue { x.map { .number(JSONWriter.rounded6($0)) } ?? .null }
        let runs = runs.map { run -> JSONValue in
            var members: [(key: String, value: JSONValue)] = [
                ("id", .string(run.id)), ("status", .string(run.status.rawValue)),
            ]
            if let reason = run.reason { members.append(("reason", .string(reason))) }
            members.append(("source", .string(run.sourceRepository)))
            members.append(("complete", .bool(run.complete)))
            if !run.invalid.isEmpty { members.append(("invalid", .array(run.invalid.map(JSONValue.string)))) }
            if let f = run.feasibility {
                let gib = 1_073_741_824.0
                members.append(("fits_memory", .bool(f.fits)))
                members.append(("peak_allocated_gib_predicted", n(f.peakAllocated / gib)))
                members.append(("usable_gib", n(f.usable / gib)))
            }
            for (metric, c) in run.comparisons {
                members.append((metric.rawValue, .object([("measured", n(c.measured)), ("predicted", n(c.predicted)),
                                                          ("error_pct", n(c.errorPercent))])))
            }
            return .object(members)
        }
        let summary = summary.map { entry -> (key: String, value: JSONValue) in
            let s = entry.value
            return (entry.metric.rawValue, .object([("n", .int(s.n)), ("mape", n(s.mape)),
                                                    ("max_abs_pct", n(s.maxAbsPercent)),
                                                    ("complete_n", .int(s.completeN)),
                                                    ("complete_mape", n(s.completeMape))]))
        }
        return .object([("runs", .array(runs)), ("summary", .object(summary))])
    }
}
