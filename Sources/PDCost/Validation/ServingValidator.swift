/// A measured serving metric, by its `measured` key.
public enum ServingMetric: String, Sendable, Hashable, CaseIterable {
    case ttft = "ttft_ms"
    case itl = "itl_ms"
    case tpot = "tpot_ms"
    case endToEnd = "e2e_latency_ms"
    case outputTokensPerSecondPerGPU = "output_tokens_per_s_per_gpu"
    case peakMemory = "peak_memory_gib"

    /// The predicted value in the record's unit. The static-batch "token-to-token latency" is
    /// (batch latency − TTFT)/(output − 1): the TPOT (SCHEMA.md, metric definitions).
    func predicted(_ p: ServingPrediction, scenario: ServingScenario, memoryUnit: Double) -> Double {
        switch self {
        case .ttft: p.ttft * 1000
        case .itl: (scenario == .staticBatch ? p.tpot : p.itl) * 1000
        case .tpot: p.tpot * 1000
        case .endToEnd: p.endToEnd * 1000
        case .outputTokensPerSecondPerGPU: p.outputTokensPerSecondPerGPU
        case .peakMemory: p.peakMemoryBytes / memoryUnit
        }
    }

    func measured(_ m: ServingRun.Measured) -> Double? {
        switch self {
        case .ttft: m.ttftMs
        case .itl: m.itlMs
        case .tpot: m.tpotMs
        case .endToEnd: m.e2eLatencyMs
        case .outputTokensPerSecondPerGPU: m.outputTokensPerSecondPerGPU
        case .peakMemory: m.peakMemoryGiB
        }
    }
}

/// The outcome for one serving record.
public struct ServingRunValidation: Sendable {
    public var id: String
    public var sourceGroup: String
    public var complete: Bool
    /// Nil when predicted; otherwise why the record was skipped.
    public var skipped: String?
    public var comparisons: [(metric: ServingMetric, value: MetricComparison)] = []
    public var prediction: ServingPrediction?
}

/// Predicts every serving record of a measured-runs file and compares with what was measured.
public enum ServingValidator {
    public static func validate(json bytes: some Collection<UInt8>) throws(PDCostError) -> ServingValidationReport {
        ServingValidationReport(runs: try ServingRunsFile.decode(bytes).runs.map(validate))
    }

    public static func validate(_ run: ServingRun) -> ServingRunValidation {
        var result = ServingRunValidation(id: run.id, sourceGroup: run.sourceGroup ?? "unknown",
                                          complete: run.complete ?? false)
        let mapped: MappedServingRun
        switch run.mapped() {
        case .failure(let e): result.skipped = e.message; return result
        case .success(let m): mapped = m
        }
        let p: ServingPrediction
        do {
            p = try ServingCostModel(model: mapped.model, cluster: mapped.cluster, deployment: mapped.deployment)
                .evaluate(mapped.workload)
        } catch {
            result.skipped = error.message
            return result
        }
        result.prediction = p
        guard let m = run.measured else { return result }
        for metric in ServingMetric.allCases {
            guard let measured = metric.measured(m), measured.isFinite, measured > 0 else { continue }
            let c = MetricComparison(measured: measured, predicted: metric.predicted(
                p, scenario: mapped.workload.scenario, memoryUnit: run.memoryUnitBytes(mapped)))
            if c.errorPercent.isFinite { result.comparisons.append((metric, c)) }
        }
        return result
    }
}

/// MAPE per metric and source group, each group weighted equally in the overall figure.
public struct ServingValidationReport: Sendable {
    public var runs: [ServingRunValidation]

    public struct Cell: Sendable {
        public var mape: Double
        public var count: Int
        public var worst: Double
    }

    /// Source groups in first-seen order.
    public var groups: [String] {
        var seen: [String] = []
        for r in runs where !seen.contains(r.sourceGroup) { seen.append(r.sourceGroup) }
        return seen
    }

    public func cell(_ metric: ServingMetric, group: String?, completeOnly: Bool = false) -> Cell? {
        var sum = 0.0, n = 0, worst = 0.0
        for r in runs where (group == nil || r.sourceGroup == group) && (!completeOnly || r.complete) {
            for c in r.comparisons where c.metric == metric {
                let e = abs(c.value.errorPercent)
                sum += e
                n += 1
                worst = max(worst, e)
            }
        }
        return n > 0 ? Cell(mape: sum / Double(n), count: n, worst: worst) : nil
    }

    /// Mean over source groups of each group's MAPE (equal weight per publication).
    public func groupWeighted(_ metric: ServingMetric) -> Double? {
        let cells = groups.compactMap { cell(metric, group: $0) }
        guard !cells.isEmpty else { return nil }
        return cells.map(\.mape).reduce(0, +) / Double(cells.count)
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    public var predictedCount: Int { runs.filter { $0.skipped == nil }.count }

    /// A plain-text table: one row per source group, one column per metric (MAPE % and n).
    public func rendered() -> String {
        let metrics = ServingMetric.allCases
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        var out = "serving records: \(runs.count), predicted \(predictedCount), skipped \(runs.count - predictedCount)\n"
        out += pad("source group", 36) + metrics.map { pad($0.rawValue, 30) }.joined() + "\n"
        for g in groups {
            out += pad(g, 36)
            for m in metrics {
                if let c = cell(m, group: g) {
                    out += pad("\(ServingValidationReport.oneDecimal(c.mape))% n\(c.count) max\(Int(c.worst.rounded()))", 30)
                } else {
                    out += pad("-", 30)
                }
            }
            out += "\n"
        }
        out += pad("group-weighted", 36)
        for m in metrics {
            out += pad(groupWeighted(m).map { "\(ServingValidationReport.oneDecimal($0))%" } ?? "-", 30)
        }
        out += "\n"
        for (reason, n) in skippedReasons { out += "skipped \(n): \(reason)\n" }
        return out
    }
}

extension ServingValidationReport {
    /// The report as JSON: `{"records", "predicted", "skipped", "metrics": [metric keys],
    /// "groups": [{"source_group", "metrics": {metric: {"mape", "n", "worst"} | null}}],
    /// "group_weighted": {metric: MAPE | null}, "overall": {metric: {"mape", "n", "worst"} | null},
    /// "skipped_reasons": [{"reason", "count"}] (most frequent first), "runs": [{"id",
    /// "source_group", "complete", "skipped": reason | null, comparisons: {metric:
    /// {"measured", "predicted", "error_pct"}}}]}`. Metrics are the `measured` keys of the runs
    /// file (ttft_ms, itl_ms, tpot_ms, e2e_latency_ms, output_tokens_per_s_per_gpu,
    /// peak_memory_gib); errors and MAPE in percent, rounded to 6 places.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .expanded(levels: 2))
    }

    package var jsonValue: JSONValue {
        func n(_ x: Double) -> JSONValue { .number(JSONWriter.rounded6(x)) }
        func cellJSON(_ c: Cell?) -> JSONValue {
            .optional(c) { .object([("mape", n($0.mape)), ("n", .int($0.count)), ("worst", n($0.worst))]) }
        }
        let metrics = ServingMetric.allCases
        let groupsValue: JSONValue = .array(groups.map { g in
            .object([("source_group", .string(g)),
                     ("metrics", .object(metrics.map { ($0.rawValue, cellJSON(cell($0, group: g))) }))])
        })
        let runsValue: JSONValue = .array(runs.map { r in
            .object([
                ("id", .string(r.id)), ("source_group", .string(r.sourceGroup)), ("complete", .bool(r.complete)),
                ("skipped", .optional(r.skipped) { .string($0) }),
                ("comparisons", .object(r.comparisons.map { c in
                    (c.metric.rawValue, .object([("measured", n(c.value.measured)), ("predicted", n(c.value.predicted)),
                                                 ("error_pct", n(c.value.errorPercent))]))
                })),
            ])
        })
        return .object([
            ("records", .int(runs.count)), ("predicted", .int(predictedCount)),
            ("skipped", .int(runs.count - predictedCount)),
            ("metrics", .array(metrics.map { .string($0.rawValue) })),
            ("groups", groupsValue),
            ("group_weighted", .object(metrics.map { m in (m.rawValue, .optional(groupWeighted(m)) { n($0) }) })),
            ("overall", .object(metrics.map { ($0.rawValue, cellJSON(cell($0, group: nil))) })),
            ("skipped_reasons", .array(skippedReasons.map { .object([("reason", .string($0.reason)), ("count", .int($0.count))]) })),
            ("runs", runsValue),
        ])
    }

    /// Why records were skipped, most frequent first (ties: first seen).
    public var skippedReasons: [(reason: String, count: Int)] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for r in runs {
            guard let s = r.skipped else { continue }
            if counts[s] == nil { order.append(s) }
            counts[s, default: 0] += 1
        }
        return order.enumerated().sorted { a, b in
            let ca = counts[a.element] ?? 0, cb = counts[b.element] ?? 0
            return ca != cb ? ca > cb : a.offset < b.offset
        }.map { ($0.element, counts[$0.element] ?? 0) }
    }
}
