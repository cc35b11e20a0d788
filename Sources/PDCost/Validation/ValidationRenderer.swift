/// Human-readable tables of a validation report: one line per run, then the summary per
/// metric and per source.
public enum ValidationRenderer {
    public static func render(_ report: ValidationReport, onlyComplete: Bool = false) -> String {
        var out = ""
        let columns: [(ValidationMetric, String)] = [
            (.tokensPerSecondPerGPU, "tok/s/GPU"), (.stepTime, "step s"),
            (.peakAllocatedGiB, "alloc GiB"), (.peakReservedGiB, "resv GiB"), (.peakMemoryGiB, "peak GiB"),
        ]
        out += pad("run", 58) + pad("gpu", 15)
        for (_, title) in columns { out += pad(title, 26, left: true) }
        out += "\n" + String(repeating: "-", count: 58 + 15 + 26 * columns.count) + "\n"
        for run in report.runs where !onlyComplete || run.complete {
            out += pad(String(run.id.prefix(56)) + (run.complete ? "" : "*"), 58) + pad(String(run.gpu.prefix(14)), 15)
            if run.status == .skipped {
                out += "skipped: " + (run.reason ?? "") + "\n"
                continue
            }
            for (metric, _) in columns {
                if let c = run.comparison(metric) {
                    out += pad("\(fmt(c.measured)) → \(fmt(c.predicted)) \(signed(c.errorPercent))", 26, left: true)
                } else {
                    out += pad("", 26, left: true)
                }
            }
            out += "\n"
            for note in run.invalid { out += "    not compared: " + note + "\n" }
        }
        out += "(* incomplete record; arrows read measured → predicted, error in %)\n\n"
        out += "metric                    n   MAPE%   max|e|%   complete_n  complete MAPE%\n"
        for (metric, s) in report.summary {
            out += pad(metric.rawValue, 22) + pad("\(s.n)", 5, left: true) + pad(fmt1(s.mape), 8, left: true)
                + pad(fmt1(s.maxAbsPercent), 10, left: true) + pad("\(s.completeN)", 13, left: true)
                + pad(fmt1(s.completeMape), 16, left: true) + "\n"
        }
        let notFitting = report.completeRunsNotFitting
        out += "\ncomplete runs predicted not to fit in memory: "
            + (notFitting.isEmpty ? "none" : "\(notFitting.count)") + "\n"
        for run in notFitting {
            guard let f = run.feasibility else { continue }
            out += "  " + run.id + ": allocated \(fmt(f.peakAllocated / 1_073_741_824)) GiB > usable "
                + "\(fmt(f.usable / 1_073_741_824)) GiB\n"
        }
        out += "\nper source (MAPE% all / complete, n):\n"
        for group in report.summaryBySource() {
            out += pad(group.source, 30) + " runs \(group.runs), skipped \(group.skipped)"
            for (metric, s) in group.metrics where s.n > 0 {
                out += "  \(metric.rawValue) \(fmt1(s.mape))/\(fmt1(s.completeMape)) (n=\(s.n))"
            }
            out += "\n"
        }
        return out
    }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s + " " }
        let space = String(repeating: " ", count: width - n)
        return left ? space + s : s + space
    }

    static func fmt(_ x: Double) -> String {
        guard x.isFinite else { return "nan" }
        if abs(x) >= 1e15 { return JSONWriter.describe(x) }
        if abs(x) >= 1000 { return String(Int64(x.rounded())) }
        if abs(x) >= 10 { return fmt1(x) }
        return String(Int64((x * 100).rounded())).withDecimal(2)
    }

    /// One decimal; "–" for a statistic over no run.
    static func fmt1(_ x: Double?) -> String {
        guard let x else { return "–" }
        guard x.isFinite else { return "nan" }
        if abs(x) >= 1e14 { return JSONWriter.describe(x) }
        return String(Int64((x * 10).rounded())).withDecimal(1)
    }

    static func signed(_ x: Double) -> String {
        guard x.isFinite else { return "(nan)" }
        return "(" + (x >= 0 ? "+" : "") + fmt1(x) + ")"
    }
}

private extension String {
    /// Inserts a decimal point `places` digits from the right of an integer string.
    func withDecimal(_ places: Int) -> String {
        var digits = self
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
        while digits.count <= places { digits = "0" + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -places)
        return (negative ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }
}
