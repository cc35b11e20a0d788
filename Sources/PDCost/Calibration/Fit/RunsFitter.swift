/// Fits the cost model's efficiency constants to measured runs (issue 5, §2).
///
/// Method:
/// 1. Every run of the file is mapped once onto cost-model inputs (runs the validator would
///    skip are skipped here, with the same reason).
/// 2. Each fit parameter is a factor s on one or more constants, shared by all GPU generations,
///    fitted as x = ln s inside a box (see `FitParameter`).
/// 3. Residuals are log errors ln(predicted/measured): of tokens/s/GPU (or step time) for
///    throughput parameters, of reserved/device memory for allocator parameters. Log errors
///    treat 10 % too fast and 10 % too slow alike and weigh a 500 tokens/s run like a 20 000
///    tokens/s one. The loss is Huber (δ = 0.05, i.e. quadratic up to 5 % error, linear beyond)
///    so that a few runs the model cannot express do not drag every scale, plus a weak ridge
///    prior λ‖ln s‖²/2 (λ = 0.01 by default) that keeps the normal equations well posed.
/// 4. The data-support rule: before fitting, each parameter is probed (ln s ± 0.1); a run
///    "exercises" it when its log error moves by at least 0.005 per unit of ln s. A parameter
///    exercised by fewer than `minimumRunsPerParameter` runs is dropped with the reason (a
///    network bandwidth with only single-node runs, all-to-all without expert parallelism), and
///    so are the least informative ones when there are more parameters than runs / that minimum.
/// 5. Forward selection (`RunsFitOptions.selection`): among the supported parameters, only
///    those that lower the cross-validated error on held-out runs, consistently across folds,
///    are fitted; the others are dropped with the reason, the kept ones carry theirs. Fitting
///    every supported parameter lowers the error on the runs fitted and raises it on runs held
///    out. Throughput parameters are judged on tokens/s, memory parameters (fragmentation,
///    workspaces, runtime memory) on measured allocated/reserved/device memory, each its own
///    metric. Within one cluster (fewer than 3 sources) the folds are the models
///    (leave-one-model-out; leave-one-run-out when the runs are of one model): a scale is kept
///    only if it helps the cluster's models it was not fitted on (issue 14 item 6: a time-only
///    fit on the twelve SimuMax B200 Llama-3-70B runs made other models' predictions worse).
/// 6. Cross-validation refits on each training fold (applying rules 4 and 5 again, nested) and
///    predicts the held-out runs, so the figure reports what a calibration does for runs it has
///    not seen.
public enum RunsFitter {
    /// A run exercises a parameter when |d ln(prediction) / d ln(scale)| reaches this.
    static let exercisedElasticity = 0.005
    /// Half-width of the probe in ln(scale) (±10 %), wide enough to step over the kinks of the
    /// model's max() terms (roofline, fully hidden communication).
    static let probe = 0.1

    /// Fits `file` under `options`. `progress(fraction, message)` is called as work proceeds
    /// (fraction in [0, 1]); returning true cancels the fit (a `.cancelled` error saying so),
    /// as it does for every long call (plan search, GPU calibration).
    public static func fit(_ file: MeasuredRunsFile, options: RunsFitOptions = RunsFitOptions(),
                           progress callback: (Double, String) -> Bool = { _, _ in false }) throws(PDCostError) -> RunsFitResult {
        var cancelled = false
        // Internally `progress` answers "go on?", which the fitting loops read.
        func progress(_ fraction: Double, _ message: String) -> Bool {
            if !cancelled && callback(fraction, message) { cancelled = true }
            return !cancelled
        }
        let cancelError = PDCostError.cancelled("fit cancelled by the progress callback")
        let options = try options.validated()
        let candidates = try FitParameter.parseList((options.parameters ?? FitParameter.defaultNames)
                                                        .joined(separator: ","))

        // 1. Samples.
        var samples: [FitSample] = []
        var skipped: [(id: String, reason: String)] = []
        for run in file.runs {
            if options.completeOnly && run.complete != true {
                skipped.append((run.id, "not marked complete"))
                continue
            }
            switch FitSample.make(run) {
            case .success(let sample): samples.append(sample)
            case .failure(let error): skipped.append((run.id, error.message))
            }
        }
        if samples.count < options.minimumRunsPerParameter {
            throw .invalidArgument("only \(samples.count) usable runs (\(skipped.count) skipped): a fit needs at least "
                                   + "\(options.minimumRunsPerParameter) runs per parameter")
        }
        let evaluator = Evaluator()
        let cv = crossValidationPlan(samples, options: options)
        let units = Double(1 + cv.folds.count)

        // 2–4. The fit on every run.
        // Every progress result is honoured, the first and last included: a cancel always ends
        // in `.cancelled`, never in a profile (pdcost.h: "returns PDCOST_ECANCELED").
        if !progress(0, "fitting \(candidates.count) parameters to \(samples.count) runs") { throw cancelError }
        let full = try fitSubset(samples, candidates: candidates, options: options, evaluator: evaluator) { f, m in
            progress(f / units, m)
        }
        if cancelled { throw cancelError }
        var evaluations = full.evaluations

        // The profile, with scales rounded to 4 decimals (what a committed file holds); the
        // "after" figures are those of the rounded profile.
        var scales: [String: Double] = [:]
        var fitted: [FittedScale] = []
        for (j, parameter) in full.parameters.enumerated() {
            let scale = (FitMath.exp(full.x[j]) * 10_000).rounded() / 10_000
            for constant in parameter.constants { scales[constant] = scale }
            fitted.append(FittedScale(name: parameter.name, constants: parameter.constants, scale: scale,
                                      lowerScale: parameter.lowerScale, upperScale: parameter.upperScale,
                                      exercisedRuns: full.exercised[j]))
        }
        let rounded = full.parameters.map { p in FitMath.log(scales[p.constants[0]] ?? 1) }
        let before = evaluator.errors(samples, parameters: [], x: [])
        let after = evaluator.errors(samples, parameters: full.parameters, x: rounded)
        evaluations += 2

        // 5. Cross-validation.
        var cvResult: CrossValidationResult?
        if !cv.folds.isEmpty {
            var folds: [CrossValidationResult.Fold] = []
            var sumBefore = 0.0, sumAfter = 0.0, count = 0
            var memoryBefore = 0.0, memoryAfter = 0.0, memoryCount = 0
            for (k, fold) in cv.folds.enumerated() {
                // Sorted: a Set's iteration order differs between instances, and the error sums
                // must not depend on it (same inputs, bit-identical CV figures).
                let heldOut = fold.heldOut.sorted().map { samples[$0] }
                let training = samples.indices.filter { !fold.heldOut.contains($0) }.map { samples[$0] }
                let base = Double(k + 1)
                let label = fold.label
                if !progress(base / units, "cross-validation \(k + 1)/\(cv.folds.count): holding out \(label)") {
                    throw cancelError
                }
                var foldScales: [String: Double] = [:]
                var foldDropped: [String] = []
                // Defaults for memory too: the fold fit always has both targets' errors.
                var fittedErrors = evaluator.errors(heldOut, parameters: [], x: [])
                let defaultErrors = fittedErrors
                if let foldFit = try? fitSubset(training, candidates: candidates, options: options,
                                                evaluator: evaluator, report: { f, m in
                    progress((base + f) / units, "cross-validation \(k + 1)/\(cv.folds.count) (\(label)): \(m)")
                }) {
                    evaluations += foldFit.evaluations + 1
                    fittedErrors = evaluator.errors(heldOut, parameters: foldFit.parameters, x: foldFit.x)
                    for (j, p) in foldFit.parameters.enumerated() { foldScales[p.name] = FitMath.exp(foldFit.x[j]) }
                    foldDropped = foldFit.dropped.map(\.name)
                } else {
                    // Too little training data for any parameter: the fold keeps the defaults.
                    foldDropped = candidates.map(\.name)
                }
                // After the fold's fit whether or not it succeeded: a fold fit that fails (try?)
                // after a cancel must not let the last fold finish as if nothing happened.
                if cancelled { throw cancelError }
                sumBefore += defaultErrors.tokensAPE.reduce(0, +)
                sumAfter += fittedErrors.tokensAPE.reduce(0, +)
                count += defaultErrors.tokensAPE.count
                memoryBefore += defaultErrors.memoryAPE.reduce(0, +)
                memoryAfter += fittedErrors.memoryAPE.reduce(0, +)
                memoryCount += defaultErrors.memoryAPE.count
                let hasMemory = !defaultErrors.memoryAPE.isEmpty
                folds.append(.init(label: label, runs: heldOut.count, mapeBefore: mean(defaultErrors.tokensAPE),
                                   mape: mean(fittedErrors.tokensAPE),
                                   memoryMapeBefore: hasMemory ? mean(defaultErrors.memoryAPE) : nil,
                                   memoryMape: hasMemory ? mean(fittedErrors.memoryAPE) : nil,
                                   scales: foldScales, dropped: foldDropped))
            }
            let m = Double(memoryCount)
            cvResult = CrossValidationResult(method: cv.method, mapeBefore: count > 0 ? sumBefore / Double(count) : 0,
                                             mape: count > 0 ? sumAfter / Double(count) : 0, runs: count,
                                             memoryMapeBefore: memoryCount > 0 ? memoryBefore / m : nil,
                                             memoryMape: memoryCount > 0 ? memoryAfter / m : nil,
                                             memoryMeasurements: memoryCount, folds: folds)
        }
        if !progress(1, "done") { throw cancelError }

        let usesMemory = !before.memoryAPE.isEmpty
        var summary = CalibrationProfile.FitSummary(
            runsFile: options.runsFile, runs: samples.count, parameters: full.parameters.map(\.name),
            mapeBefore: rounded4(mean(before.tokensAPE)), mapeAfter: rounded4(mean(after.tokensAPE)),
            cvMape: cvResult.map { rounded4($0.mape) }, cvMethod: cvResult?.method,
            cvMapeBefore: cvResult.map { rounded4($0.mapeBefore) },
            dropped: full.dropped.isEmpty ? nil : Dictionary(full.dropped.map { ($0.name, $0.reason) },
                                                             uniquingKeysWith: { a, _ in a }))
        summary.kept = full.kept.isEmpty ? nil : Dictionary(full.kept.map { ($0.name, $0.reason) },
                                                            uniquingKeysWith: { a, _ in a })
        if usesMemory {
            summary.memoryMapeBefore = rounded4(mean(before.memoryAPE))
            summary.memoryMapeAfter = rounded4(mean(after.memoryAPE))
        }
        summary.cvMemoryMapeBefore = cvResult?.memoryMapeBefore.map(rounded4)
        summary.cvMemoryMape = cvResult?.memoryMape.map(rounded4)
        var profile = CalibrationProfile(source: "runs-fit", fit: summary)
        profile.efficiencyScale = scales
        return RunsFitResult(profile: profile, fitted: fitted, kept: full.kept, dropped: full.dropped, runs: samples.count,
                             skipped: skipped, mapeBefore: mean(before.tokensAPE), mapeAfter: mean(after.tokensAPE),
                             tokensRuns: before.tokensAPE.count,
                             memoryMapeBefore: usesMemory ? mean(before.memoryAPE) : nil,
                             memoryMapeAfter: usesMemory ? mean(after.memoryAPE) : nil,
                             crossValidation: cvResult, iterations: full.iterations, evaluations: evaluations)
    }

    // MARK: - One fit

    struct SubsetFit {
        var parameters: [FitParameter]
        var x: [Double]
        var exercised: [Int]
        var kept: [KeptParameter]
        var dropped: [DroppedParameter]
        var iterations: Int
        var evaluations: Int
    }

    /// Applies the data-support rule to `candidates` on `samples`, selects among the survivors
    /// (see `RunsFitOptions.selection`), then fits what remains. `report(fraction, message)`
    /// follows the work (selection up to 0.8, then the final fit's iterations).
    static func fitSubset(_ samples: [FitSample], candidates: [FitParameter], options: RunsFitOptions,
                          evaluator: Evaluator, report: (Double, String) -> Bool) throws(PDCostError) -> SubsetFit {
        var support = supported(samples, candidates: candidates, options: options, evaluator: evaluator)
        var dropped = support.dropped
        var kept: [KeptParameter] = []
        var evaluations = support.evaluations
        if support.kept.isEmpty {
            throw .invalidArgument("no parameter can be fitted to these \(samples.count) runs: "
                                   + dropped.map { "\($0.name): \($0.reason)" }.joined(separator: "; "))
        }
        if options.selection == .forward {
            let chosen = forwardSelection(samples, supported: support.kept.map(\.parameter), options: options,
                                          evaluator: evaluator, report: { f, m in report(0.8 * f, m) })
            evaluations += chosen.evaluations
            dropped += chosen.dropped
            kept = chosen.kept
            support.kept = support.kept.filter { k in chosen.selected.contains(k.parameter) }
        }
        let parameters = support.kept.map(\.parameter)
        if options.selection == .all {
            kept = support.kept.map { KeptParameter(name: $0.parameter.name, reason: "selection off (all): "
                + "\($0.exercised) runs respond to it (the data-support rule only)") }
        }
        if parameters.isEmpty {
            return SubsetFit(parameters: [], x: [], exercised: [], kept: [], dropped: dropped, iterations: 0,
                             evaluations: evaluations)
        }
        let start = options.selection == .forward ? 0.8 : 0
        let fit = fitScales(samples, parameters: parameters, options: options, evaluator: evaluator) { i, cost in
            report(start + (1 - start) * min(Double(i) / Double(options.maxIterations), 1),
                   "fitting \(parameters.map(\.name).joined(separator: ", ")): iteration \(i), loss \(short(cost))")
        }
        return SubsetFit(parameters: parameters, x: fit.x, exercised: support.kept.map(\.exercised), kept: kept,
                         dropped: dropped,
                         iterations: fit.iterations, evaluations: evaluations + fit.evaluations)
    }

    /// The bounded robust least-squares fit of `parameters` (ln-scales from 0).
    static func fitScales(_ samples: [FitSample], parameters: [FitParameter], options: RunsFitOptions,
                          evaluator: Evaluator,
                          progress: (Int, Double) -> Bool = { _, _ in true }) -> BoundedLeastSquares.Outcome {
        var solver = BoundedLeastSquares(lower: parameters.map { FitMath.log($0.lowerScale) },
                                         upper: parameters.map { FitMath.log($0.upperScale) },
                                         huberDelta: options.huberDelta, ridge: options.priorWeight,
                                         maxIterations: options.maxIterations)
        // A memory term is a small share of the figure it is fitted to (1 GiB of workspaces in a
        // 30 GiB peak: d ln(memory)/d ln(scale) ≈ 0.03), so a prior of fixed weight in ln s would
        // pull it far towards the default (a 4× workspace scale came back as 3.85). Its prior
        // is weighted by its mean squared elasticity over the memory rows instead: the same
        // weak prior per unit of the measured figure's log error as a throughput scale (whose
        // elasticity is about 1) gets.
        if let firstMemory = parameters.first(where: { $0.target == .memory }) {
            // Rows of memory only: a memory parameter alone yields the memory rows.
            let base = evaluator.residuals(samples, parameters: [firstMemory], x: [0])
            solver.ridgeScale = parameters.map { parameter in
                guard parameter.target == .memory else { return 1 }
                let step = FitMath.log(parameter.upperScale) > memoryPriorProbe ? memoryPriorProbe : -memoryPriorProbe
                let moved = evaluator.residuals(samples, parameters: [parameter], x: [step])
                guard moved.values.count == base.values.count, !base.values.isEmpty else { return 1 }
                var sum = 0.0
                for i in moved.values.indices {
                    let slope = (moved.values[i] - base.values[i]) / step
                    sum += slope * slope
                }
                return min(max(sum / Double(base.values.count), 1e-6), 1)
            }
        }
        return solver.minimize(start: [Double](repeating: 0, count: parameters.count),
                               residuals: { x in evaluator.residuals(samples, parameters: parameters, x: x).values },
                               progress: progress)
    }

    // MARK: - Cross-validation plan

    struct CrossValidationPlan {
        var method: String
        var folds: [(label: String, heldOut: Set<Int>)]
    }

    /// Deterministic folds: sources sorted by name (LOSO), models in order of first appearance
    /// (LOMO; runs in file order when there is one model), or samples dealt round-robin in file
    /// order (k-fold). Only samples with a tokens/s figure count towards "a source with runs".
    static func crossValidationPlan(_ samples: [FitSample], options: RunsFitOptions) -> CrossValidationPlan {
        var bySource: [String: Set<Int>] = [:]
        for (i, s) in samples.enumerated() { bySource[s.source, default: []].insert(i) }
        let sourcesWithTokens = Set(samples.filter { $0.measuredTokensPerSecondPerGPU != nil }.map(\.source))
        var method = options.crossValidation
        if method == .automatic { method = sourcesWithTokens.count >= 3 ? .leaveOneSourceOut : .leaveOneModelOut }
        switch method {
        case .leaveOneModelOut:
            return modelPlan(samples)
        case .none, .automatic:
            return CrossValidationPlan(method: "none", folds: [])
        case .leaveOneSourceOut:
            let folds = bySource.keys.sorted().filter { sourcesWithTokens.contains($0) }.map { source in
                (label: source, heldOut: bySource[source] ?? [])
            }
            return CrossValidationPlan(method: "leave-one-source-out", folds: folds.count >= 2 ? folds : [])
        case .kFold:
            let k = min(options.folds, samples.count)
            guard k >= 2 else { return CrossValidationPlan(method: "none", folds: []) }
            let folds = (0..<k).map { f in
                (label: "fold \(f + 1)/\(k)", heldOut: Set(samples.indices.filter { $0 % k == f }))
            }
            return CrossValidationPlan(method: "\(k)-fold", folds: folds)
        }
    }

    /// Leave-one-model-out folds: one per model architecture, in order of first appearance;
    /// with one model, one per run ("leave-one-run-out"), since holding out the only model
    /// leaves nothing to fit.
    static func modelPlan(_ samples: [FitSample]) -> CrossValidationPlan {
        var order: [ModelSpec] = []
        var groups: [ModelSpec: Set<Int>] = [:]
        for (i, s) in samples.enumerated() {
            if groups[s.modelKey] == nil { order.append(s.modelKey) }
            groups[s.modelKey, default: []].insert(i)
        }
        if order.count >= 2 {
            let folds = order.map { key -> (label: String, heldOut: Set<Int>) in
                let members = groups[key] ?? []
                let first = members.min().map { samples[$0].mapped.model.name } ?? "?"
                return (label: "model \(first) (\(members.count) runs)", heldOut: members)
            }
            return CrossValidationPlan(method: "leave-one-model-out", folds: folds)
        }
        guard samples.count >= 2 else { return CrossValidationPlan(method: "none", folds: []) }
        return CrossValidationPlan(method: "leave-one-run-out",
                                   folds: samples.indices.map { (label: "run \(samples[$0].id)", heldOut: [$0]) })
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Probe of the memory prior's elasticity, in ln s.
    static let memoryPriorProbe = 0.05

    static func rounded4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    static func short(_ x: Double) -> String { "\((x * 1e5).rounded() / 1e5)" }
}
