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
public struct MetricSummary: Sendable, Hashable {
    public var n: Int = 0
    public var mape: Double = 0
    public var maxAbsPercent: Double = 0
    public var completeN: Int = 0
    public var completeMape: Double = 0

    public init() {}

    /// Statistics over the ok runs' comparisons of `metric`.
    public init(metric: ValidationMetric, runs: some Sequence<RunValidation>) {
        var sum = 0.0, completeSum = 0.0
        for run in runs where run.status == .ok {
            guard let c = run.comparison(metric), c.errorPercent.isFinite else { continue }
            let e = abs(c.errorPercent)
            n += 1
            sum += e
            maxAbsPercent = max(maxAbsPercent, e)
            if run.complete {
                completeN += 1
                completeSum += e
            }
        }
        mape = n > 0 ? sum / Double(n) : 0
        completeMape = completeN > 0 ? completeSum / Double(completeN) : 0
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
    /// `{"id", "status", "reason"?, "source", "complete", "fits_memory"?,
    /// "peak_allocated_gib_predicted"?, "usable_gib"?, <metric>: {"measured", "predicted",
    /// "error_pct"}}` (the feasibility keys for ok runs); each
    /// summary entry `{"n", "mape", "max_abs_pct", "complete_n", "complete_mape"}` (percent).
    public func json() -> String {
        var out = "{\n  \"runs\": ["
        for (i, run) in runs.enumerated() {
            out += i == 0 ? "\n    {" : ",\n    {"
            out += "\"id\": " + JSONText.string(run.id)
            out += ", \"status\": " + JSONText.string(run.status.rawValue)
            if let reason = run.reason { out += ", \"reason\": " + JSONText.string(reason) }
            out += ", \"source\": " + JSONText.string(run.sourceRepository)
            out += ", \"complete\": " + (run.complete ? "true" : "false")
            if let f = run.feasibility {
                let gib = 1_073_741_824.0
                out += ", \"fits_memory\": " + (f.fits ? "true" : "false")
                    + ", \"peak_allocated_gib_predicted\": " + JSONText.number(f.peakAllocated / gib)
                    + ", \"usable_gib\": " + JSONText.number(f.usable / gib)
            }
            for (metric, c) in run.comparisons {
                out += ", " + JSONText.string(metric.rawValue) + ": {\"measured\": " + JSONText.number(c.measured)
                    + ", \"predicted\": " + JSONText.number(c.predicted)
                    + ", \"error_pct\": " + JSONText.number(c.errorPercent) + "}"
            }
            out += "}"
        }
        out += runs.isEmpty ? "],\n  \"summary\": {" : "\n  ],\n  \"summary\": {"
        for (i, entry) in summary.enumerated() {
            let s = entry.value
            out += (i == 0 ? "\n    " : ",\n    ") + JSONText.string(entry.metric.rawValue)
                + ": {\"n\": \(s.n), \"mape\": " + JSONText.number(s.mape)
                + ", \"max_abs_pct\": " + JSONText.number(s.maxAbsPercent)
                + ", \"complete_n\": \(s.completeN), \"complete_mape\": " + JSONText.number(s.completeMape) + "}"
        }
        out += "\n  }\n}\n"
        return out
    }
}

/// Minimal JSON text helpers (the report's layout is fixed, so it is written directly).
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A finite number exactly: the shortest text that reads back as the same Double (Swift's
    /// `description`), so a prediction read from JSON equals the one read from the C struct;
    /// NaN and infinities become null.
    static func exactNumber(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A finite number with up to 6 significant decimals; NaN and infinities become null.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        let rounded = (x * 1e6).rounded() / 1e6
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return "\(rounded)"
    }
}
