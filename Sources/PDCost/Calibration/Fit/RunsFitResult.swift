/// What a runs fit found: the profile to commit, and the evidence for and against it.
public struct RunsFitResult: Sendable {
    /// `source` = "runs-fit", `efficiency_scale` = the fitted scales, `fit` = the summary.
    public var profile: CalibrationProfile
    public var fitted: [FittedScale]
    /// Why each fitted parameter was kept (the cross-validated gain that selected it).
    public var kept: [KeptParameter]
    public var dropped: [DroppedParameter]
    /// Runs the fit used (predicted, with something measured to compare).
    public var runs: Int
    /// Runs that could not be used, with the validator's reason.
    public var skipped: [(id: String, reason: String)]
    /// tokens/s/GPU MAPE (percent) over the runs used that state it, with the defaults and with
    /// the fitted profile.
    public var mapeBefore: Double
    public var mapeAfter: Double
    public var tokensRuns: Int
    /// Memory MAPE (percent: allocated, reserved, device, each measurement one entry) over the
    /// runs used that measured memory, with the defaults and with the fitted profile; nil when
    /// no run measured memory.
    public var memoryMapeBefore: Double?
    public var memoryMapeAfter: Double?
    public var crossValidation: CrossValidationResult?
    public var iterations: Int
    /// Cost-model evaluations of the whole run set (fit and cross-validation).
    public var evaluations: Int
}

/// One fitted scale.
public struct FittedScale: Sendable, Hashable {
    public var name: String
    /// The efficiency constants it multiplies.
    public var constants: [String]
    public var scale: Double
    public var lowerScale: Double
    public var upperScale: Double
    /// Runs whose prediction responds to it.
    public var exercisedRuns: Int
    /// True when the scale ended on its box.
    public var atBound: Bool { scale <= lowerScale * 1.0001 || scale >= upperScale * 0.9999 }
}

/// A parameter fitted, and why.
public struct KeptParameter: Sendable, Hashable {
    public var name: String
    public var reason: String
}

/// A parameter asked for but not fitted.
public struct DroppedParameter: Sendable, Hashable {
    public var name: String
    public var reason: String
}

/// Error on runs the fit did not see.
public struct CrossValidationResult: Sendable {
    /// "leave-one-source-out", "leave-one-model-out", "leave-one-run-out" or "5-fold".
    public var method: String
    /// tokens/s/GPU MAPE (percent) over every held-out run: with the defaults, and with the
    /// scales fitted on the other folds.
    public var mapeBefore: Double
    public var mape: Double
    public var runs: Int
    /// Memory MAPE (percent) over every held-out memory measurement, with the defaults and with
    /// the profile fitted on the other folds; nil when no held-out run measured memory.
    public var memoryMapeBefore: Double?
    public var memoryMape: Double?
    /// Held-out memory measurements.
    public var memoryMeasurements: Int = 0
    public var folds: [Fold]

    public struct Fold: Sendable {
        /// The held-out source, or "fold i/k".
        public var label: String
        public var runs: Int
        public var mapeBefore: Double
        public var mape: Double
        public var memoryMapeBefore: Double?
        public var memoryMape: Double?
        public var scales: [String: Double]
        public var dropped: [String]
    }
}
