/// Which parameters the runs can support: the data-support rule (enough runs respond) and
/// forward selection by cross-validation (a parameter must lower the error on runs the fit did
/// not see).
extension RunsFitter {
    struct Support {
        var kept: [(parameter: FitParameter, exercised: Int, information: Double)]
        var dropped: [DroppedParameter]
        var evaluations: Int
    }

    /// The data-support rule. Each candidate is probed at ln s = ±0.1 (inside its box); a run
    /// "exercises" it when its log error moves by at least `exercisedElasticity` per unit of
    /// ln s. Fewer than `minimumRunsPerParameter` such runs: dropped. More candidates of one
    /// target (throughput, memory) than the runs measuring that target / minimum: the least
    /// informative (smallest Σ slope²) are dropped. The count is per target because each is
    /// fitted to its own rows (tokens/s, memory): twelve runs with both support two throughput
    /// and two memory parameters.
    static func supported(_ samples: [FitSample], candidates: [FitParameter], options: RunsFitOptions,
                          evaluator: Evaluator) -> Support {
        let minimum = options.minimumRunsPerParameter
        var result = Support(kept: [], dropped: [], evaluations: 0)
        for parameter in candidates {
            let lower = max(-probe, FitMath.log(parameter.lowerScale))
            let upper = min(probe, FitMath.log(parameter.upperScale))
            let width = upper - lower
            let down = evaluator.residuals(samples, parameters: [parameter], x: [lower])
            let up = evaluator.residuals(samples, parameters: [parameter], x: [upper])
            result.evaluations += 2
            var exercisedRuns = Set<Int>()
            var information = 0.0
            if width > 0 {
                for i in up.values.indices {
                    let slope = abs(up.values[i] - down.values[i]) / width
                    information += slope * slope
                    if slope >= exercisedElasticity { exercisedRuns.insert(up.sample[i]) }
                }
            }
            if exercisedRuns.count < minimum {
                let what = parameter.target == .memory
                    ? "no run's measured memory (allocated, reserved or device) depends on it"
                    : "nothing in these runs uses it"
                let why = exercisedRuns.isEmpty
                    ? "no run responds to it (\(what))"
                    : "only \(exercisedRuns.count) runs respond to it (the rule is \(minimum) per parameter)"
                result.dropped.append(DroppedParameter(name: parameter.name, reason: why))
            } else {
                result.kept.append((parameter, exercisedRuns.count, information))
            }
        }
        var keep = Set<Int>()
        for target in [FitParameter.Target.throughput, .memory] {
            let measuring = samples.filter { target == .throughput ? $0.hasThroughput : !$0.measuredMemory.isEmpty }.count
            let allowed = measuring / minimum
            let indices = result.kept.indices.filter { result.kept[$0].parameter.target == target }
            // Stable: ties in information keep the order asked for.
            let order = indices.sorted { a, b in
                let (ia, ib) = (result.kept[a].information, result.kept[b].information)
                return ia != ib ? ia > ib : a < b
            }
            keep.formUnion(order.prefix(allowed))
            let what = target == .throughput ? "tokens/s or step time" : "memory"
            for index in order.dropFirst(allowed) {
                result.dropped.append(DroppedParameter(
                    name: result.kept[index].parameter.name,
                    reason: "\(measuring) runs with \(what) measured support at most \(allowed) such parameters "
                        + "(\(minimum) runs each); it is among the least informative"))
            }
        }
        result.kept = result.kept.indices.filter { keep.contains($0) }.map { result.kept[$0] }
        return result
    }

    /// A parameter must lower the cross-validated error by this share to be added.
    static let selectionMargin = 0.01

    /// Forward selection: starting from the defaults, add the parameter that lowers the
    /// cross-validated error most (folds as in `crossValidationPlan`, inside `samples`), while
    /// that gain is consistent across folds — larger than one standard error of the per-fold
    /// gains, the "one-standard-error rule" (Hastie, Tibshirani & Friedman, "The Elements of
    /// Statistical Learning", 2nd ed., §7.10; Breiman et al. 1984) — and at least
    /// `selectionMargin` of the error. With leave-one-source-out folds this asks that a scale
    /// help the sources it was not fitted on, not just the pooled figure, which one large
    /// source can dominate. Throughput and memory parameters are selected separately, each on
    /// its own error. Where the samples cannot be split into folds, every supported parameter
    /// is kept.
    ///
    /// `report(fraction, message)` is told after each trial fit (fraction of an upper bound on
    /// the trials); returning false stops the selection with what it has chosen so far.
    static func forwardSelection(_ samples: [FitSample], supported: [FitParameter], options: RunsFitOptions,
                                 evaluator: Evaluator, report: (Double, String) -> Bool = { _, _ in true })
        -> (selected: [FitParameter], kept: [KeptParameter], dropped: [DroppedParameter], evaluations: Int) {
        var inner = options
        inner.crossValidation = .automatic
        let plan = crossValidationPlan(samples, options: inner)
        guard plan.folds.count >= 2 else {
            return (supported, supported.map { KeptParameter(name: $0.name, reason: "too few runs or groups to "
                + "cross-validate: kept on the data-support rule only") }, [], 0)
        }
        var kept: [KeptParameter] = []
        var evaluations = 0
        var selected: [FitParameter] = []
        var dropped: [DroppedParameter] = []
        let n = Double(supported.count)
        let maxTrials = max(n * (n + 1) / 2, 1)
        var trials = 0.0
        var stopped = false
        for target in [FitParameter.Target.throughput, .memory] where !stopped {
            var remaining = supported.filter { $0.target == target }
            if remaining.isEmpty { continue }
            var chosen: [FitParameter] = []
            var current = foldErrors(samples, parameters: [], target: target, plan: plan, options: options,
                                     evaluator: evaluator, evaluations: &evaluations)
            while !remaining.isEmpty {
                var bestIndex = -1
                var bestErrors = current
                for (index, candidate) in remaining.enumerated() {
                    let errors = foldErrors(samples, parameters: chosen + [candidate], target: target,
                                            plan: plan, options: options, evaluator: evaluator,
                                            evaluations: &evaluations)
                    if errors.pooled < bestErrors.pooled {
                        bestErrors = errors
                        bestIndex = index
                    }
                    trials += 1
                    if !report(min(trials / maxTrials, 1), "selecting: \((chosen + [candidate]).map(\.name).joined(separator: "+")) "
                               + "→ \(plan.method) MAPE \(short(errors.pooled))% (now \(short(current.pooled))%)") {
                        stopped = true
                        break
                    }
                }
                guard bestIndex >= 0, !stopped else { break }
                let gain = FoldErrors.pairedGain(from: current, to: bestErrors)
                guard gain.mean > gain.standardError, gain.mean > selectionMargin * current.pooled else { break }
                let metric = target == .throughput ? "tokens/s" : "memory"
                kept.append(KeptParameter(
                    name: remaining[bestIndex].name,
                    reason: "lowers the \(plan.method) cross-validated \(metric) MAPE from \(short2(current.pooled))% "
                        + "to \(short2(bestErrors.pooled))% (gain \(short2(gain.mean)) ± \(short2(gain.standardError)) "
                        + "points over \(plan.folds.count) folds)"))
                chosen.append(remaining.remove(at: bestIndex))
                current = bestErrors
            }
            selected += chosen
            let metric = target == .throughput ? "tokens/s" : "memory"
            for parameter in remaining {
                dropped.append(DroppedParameter(
                    name: parameter.name,
                    reason: "does not lower the \(plan.method) cross-validated \(metric) error consistently "
                        + "(by more than one standard error across folds and \(Int(selectionMargin * 100)) %; "
                        + "\(short2(current.pooled))% without it)"))
            }
        }
        return (selected, kept, dropped, evaluations)
    }

    /// `x` with two decimals, for reasons.
    static func short2(_ x: Double) -> String { "\((x * 100).rounded() / 100)" }

    /// Held-out absolute percentage errors of one candidate set, per fold.
    struct FoldErrors {
        /// Per fold: sum of APE and count.
        var sums: [Double] = []
        var counts: [Int] = []
        var pooled: Double {
            let n = counts.reduce(0, +)
            return n > 0 ? sums.reduce(0, +) / Double(n) : 0
        }

        /// The pooled gain (percentage points) of `b` over `a` and its standard error over the
        /// folds: per-fold gains gᶠ weighted by fold size wᶠ = nᶠ/N, SE² = K/(K−1)·Σ wᶠ²(gᶠ − ḡ)².
        static func pairedGain(from a: FoldErrors, to b: FoldErrors) -> (mean: Double, standardError: Double) {
            let total = Double(a.counts.reduce(0, +))
            let k = a.counts.filter { $0 > 0 }.count
            guard total > 0, k >= 2, a.counts.count == b.counts.count else { return (0, .infinity) }
            var gains: [(w: Double, g: Double)] = []
            for f in a.counts.indices where a.counts[f] > 0 {
                gains.append((Double(a.counts[f]) / total, (a.sums[f] - b.sums[f]) / Double(a.counts[f])))
            }
            let mean = gains.reduce(0) { $0 + $1.w * $1.g }
            var variance = 0.0
            for (w, g) in gains { variance += w * w * (g - mean) * (g - mean) }
            variance *= Double(k) / Double(k - 1)
            return (mean, variance.squareRoot())
        }
    }

    /// Held-out errors per fold after fitting `parameters` on the rest of each fold:
    /// tokens/s/GPU for throughput, reserved/device memory for memory.
    static func foldErrors(_ samples: [FitSample], parameters: [FitParameter], target: FitParameter.Target,
                           plan: CrossValidationPlan, options: RunsFitOptions, evaluator: Evaluator,
                           evaluations: inout Int) -> FoldErrors {
        var result = FoldErrors()
        for fold in plan.folds {
            let heldOut = fold.heldOut.sorted().map { samples[$0] }
            var x: [Double] = []
            var fitted: [FitParameter] = []
            if !parameters.isEmpty {
                let training = samples.indices.filter { !fold.heldOut.contains($0) }.map { samples[$0] }
                let outcome = fitScales(training, parameters: parameters, options: options, evaluator: evaluator)
                evaluations += outcome.evaluations
                x = outcome.x
                fitted = parameters
            }
            let errors = evaluator.errors(heldOut, parameters: fitted, x: x)
            evaluations += 1
            let values = target == .throughput ? errors.tokensAPE : errors.memoryAPE
            result.sums.append(values.reduce(0, +))
            result.counts.append(values.count)
        }
        return result
    }
}
