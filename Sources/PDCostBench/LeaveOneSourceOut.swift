import PDCost

/// Leave-one-source-out check of the efficiency constants.
///
/// The defaults are not fitted to any table. To see whether the data would pull them somewhere
/// else — and whether a pull learned on some sources helps or hurts the others — two global
/// calibration knobs are fitted by grid search on every source but one and tested on the one
/// left out:
///   - a scale on the sustained tensor-core rate (GEMMs and attention, all generations),
///   - a scale on the achieved interconnect rates (NVLink and network).
/// Reported per held-out source: tokens/s/GPU MAPE with the defaults, with the knobs fitted
/// without it, and the fitted knobs.
enum LeaveOneSourceOut {
    static let computeScales: [Double] = stride(from: 0.80, through: 1.201, by: 0.025).map { $0 }
    static let networkScales: [Double] = stride(from: 0.6, through: 1.401, by: 0.1).map { $0 }

    static func efficiency(compute: Double, network: Double) -> (GPUSpec) -> EfficiencyProfile {
        { gpu in
            var e = EfficiencyProfile.defaults(for: gpu)
            e.sustainedFraction *= compute
            e.nvlinkFraction *= network
            e.networkFraction *= network
            return e
        }
    }

    /// Absolute tokens/s/GPU error (percent) of every complete ok run, keyed by source.
    static func errors(_ file: MeasuredRunsFile, compute: Double, network: Double) -> [(String, Double)] {
        let report = Validator.validate(file, efficiency: efficiency(compute: compute, network: network))
        var out: [(String, Double)] = []
        for run in report.runs where run.status == .ok && run.complete {
            if let c = run.comparison(.tokensPerSecondPerGPU), c.errorPercent.isFinite {
                out.append((run.sourceRepository, abs(c.errorPercent)))
            }
        }
        return out
    }

    static func mape(_ e: [(String, Double)], including: (String) -> Bool) -> (Double, Int) {
        let chosen = e.filter { including($0.0) }
        guard !chosen.isEmpty else { return (0, 0) }
        return (chosen.map(\.1).reduce(0, +) / Double(chosen.count), chosen.count)
    }

    static func run(_ file: MeasuredRunsFile) {
        // Errors for every grid point, computed once.
        var grid: [(compute: Double, network: Double, errors: [(String, Double)])] = []
        for c in computeScales {
            for n in networkScales {
                grid.append((c, n, errors(file, compute: c, network: n)))
            }
        }
        let defaults = errors(file, compute: 1, network: 1)
        let sources = Array(Set(defaults.map(\.0))).sorted()
        print("tokens/s/GPU MAPE (complete records), % — defaults vs knobs fitted without the source")
        print("source".padding(30) + "  n   default   LOSO-fitted   (compute, network) fitted on the others")
        var defaultSum = 0.0, fittedSum = 0.0, total = 0
        for source in sources {
            var best = (mape: Double.infinity, c: 1.0, n: 1.0)
            for g in grid {
                let m = mape(g.errors) { $0 != source }.0
                if m < best.mape { best = (m, g.compute, g.network) }
            }
            let held = grid.first { $0.compute == best.c && $0.network == best.n }?.errors ?? defaults
            let fitted = mape(held) { $0 == source }
            let base = mape(defaults) { $0 == source }
            defaultSum += base.0 * Double(base.1)
            fittedSum += fitted.0 * Double(fitted.1)
            total += base.1
            print(source.padding(30) + " \(base.1)".padding(5) + fmt(base.0).padding(10)
                  + fmt(fitted.0).padding(14) + "(\(fmt(best.c, 3)), \(fmt(best.n, 2)))")
        }
        var all = (mape: Double.infinity, c: 1.0, n: 1.0)
        for g in grid {
            let m = mape(g.errors) { _ in true }.0
            if m < all.mape { all = (m, g.compute, g.network) }
        }
        print("all".padding(30) + " \(total)".padding(5) + fmt(defaultSum / Double(max(total, 1))).padding(10)
              + fmt(fittedSum / Double(max(total, 1))).padding(14)
              + "(fit on all sources: \(fmt(all.c, 3)), \(fmt(all.n, 2)) → \(fmt(all.mape)))")
    }

    static func fmt(_ x: Double, _ digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let v = (x * scale).rounded() / scale
        return "\(v)"
    }
}
