/// How `RunsFitter.fit` fits and cross-validates.
public struct RunsFitOptions: Sendable {
    /// Names of the parameters to fit (`FitParameter.named`: a group such as "attention" or an
    /// efficiency constant); nil fits `FitParameter.defaultNames`.
    public var parameters: [String]?
    public var crossValidation: CrossValidationMethod = .automatic
    /// Folds of k-fold cross-validation.
    public var folds: Int = 5
    /// Levenberg–Marquardt iterations per fit.
    public var maxIterations: Int = 60
    /// The data-support rule: a parameter needs this many runs that respond to it, and the fit
    /// as a whole this many runs per parameter. Parameters that fail it are dropped with the
    /// reason, never fitted on too little data.
    public var minimumRunsPerParameter: Int = 5
    /// Fit only records marked `complete` (every setting that decides speed is known).
    public var completeOnly: Bool = false
    /// Recorded in the profile's fit summary.
    public var runsFile: String?
    /// Weight λ of the prior λ·(ln s)²/2 per parameter. The default (σ = 10 in ln s) only keeps
    /// the normal equations well posed; deciding which scales the data can move is the job of
    /// the support rule and of forward selection, which do not bias a scale they keep (a
    /// strong prior would: on dev runs λ = 1 held the NVLink scale at 0.89 where the data
    /// and the cross-validated error both ask for ~0.62).
    public var priorWeight: Double = 0.01
    /// Huber threshold of the loss, in log error.
    public var huberDelta: Double = 0.05
    /// Which of the supported parameters are fitted.
    public var selection: ParameterSelection = .forward

    public init(parameters: [String]? = nil, crossValidation: CrossValidationMethod = .automatic,
                folds: Int = 5, maxIterations: Int = 60, minimumRunsPerParameter: Int = 5,
                completeOnly: Bool = false, runsFile: String? = nil, selection: ParameterSelection = .forward) {
        self.parameters = parameters
        self.crossValidation = crossValidation
        self.folds = folds
        self.maxIterations = maxIterations
        self.minimumRunsPerParameter = minimumRunsPerParameter
        self.completeOnly = completeOnly
        self.runsFile = runsFile
        self.selection = selection
    }

    /// Checks the numbers; the error names the field.
    func validated() throws(PDCostError) -> RunsFitOptions {
        if !(2...100).contains(folds) { throw .invalidArgument("folds=\(folds) must be in 2...100") }
        if !(1...10_000).contains(maxIterations) {
            throw .invalidArgument("max_iterations=\(maxIterations) must be in 1...10000")
        }
        if !(priorWeight.isFinite && priorWeight >= 0 && priorWeight <= 1e6) {
            throw .invalidArgument("prior_weight=\(priorWeight) must be in [0, 1e6]")
        }
        if !(huberDelta.isFinite && huberDelta > 0 && huberDelta <= 10) {
            throw .invalidArgument("huber_delta=\(huberDelta) must be in (0, 10]")
        }
        if !(1...1000).contains(minimumRunsPerParameter) {
            throw .invalidArgument("min_runs_per_parameter=\(minimumRunsPerParameter) must be in 1...1000")
        }
        return self
    }
}

/// Which supported parameters a fit keeps.
public enum ParameterSelection: String, Sendable, CaseIterable {
    /// Forward selection by cross-validation: only parameters that lower the error on held-out
    /// runs (see `RunsFitter.forwardSelection`).
    case forward
    /// Every parameter that passes the data-support rule.
    case all
}

/// How the fit's error on unseen runs is estimated.
public enum CrossValidationMethod: String, Sendable, CaseIterable {
    /// Leave-one-source-out when the runs come from at least 3 sources (several clusters);
    /// else leave-one-model-out (one cluster: does a calibration learned on some models carry
    /// over to its other models), which is leave-one-run-out when the runs are of one model.
    case automatic = "auto"
    case none
    /// Fit on every source but one, test on that one, for each source: the honest test of
    /// "does a calibration learned on other people's runs carry over to mine".
    case leaveOneSourceOut = "leave-one-source-out"
    /// Runs dealt round-robin (file order) into k folds: deterministic.
    case kFold = "k-fold"
    /// Fit on every model's runs but one, test on that model's, for each model (a model is its
    /// architecture: `ModelSpec` less the display name). With the runs of one model only, each
    /// run is held out in turn and the method reports itself as "leave-one-run-out".
    case leaveOneModelOut = "leave-one-model-out"
}
