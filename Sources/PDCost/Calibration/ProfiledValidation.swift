/// Predicting with a calibration profile: on one cluster (`Cluster.applying`) and over a
/// measured-runs file whose runs span GPU generations (`Validator.validate(json:profile:)`).
///
/// Which parts of a profile apply where:
/// - `efficiency_scale` factors apply to every cluster (they are relative to each generation's
///   defaults, which is how a fit over runs on several generations is expressed);
/// - `efficiency` absolute overrides describe one machine. On a cluster the caller chose they
///   always apply; over a runs file they apply to the runs on the profile's `generation` only
///   (to all runs when the profile names no generation), so a profile measured on an H100 does
///   not set the GEMM efficiency of an A100 run.
extension Cluster {
    /// This cluster with the profile's scales and overrides applied to its efficiency.
    public func applying(_ profile: CalibrationProfile) throws(PDCostError) -> Cluster {
        var cluster = self
        cluster.efficiency = try profile.apply(to: efficiency)
        return cluster
    }
}

extension CalibrationProfile {
    /// The efficiency for a run on `gpu` in a multi-generation runs file (see the file comment):
    /// scales always, absolute overrides only on the profile's generation.
    public func efficiency(forRunOn gpu: GPUSpec) throws(PDCostError) -> EfficiencyProfile {
        let base = EfficiencyProfile.defaults(for: gpu)
        if let generation, generation.lowercased() != gpu.architecture.rawValue {
            var scalesOnly = self
            scalesOnly.efficiency = [:]
            return try scalesOnly.apply(to: base)
        }
        return try apply(to: base)
    }

    /// A per-GPU efficiency function for `Validator`, checked up front on every generation's
    /// defaults so that no run can fail on it later.
    func efficiencyFunction() throws(PDCostError) -> (GPUSpec) -> EfficiencyProfile {
        for generation in GPUArchitecture.allCases {
            _ = try apply(to: EfficiencyProfile.defaults(for: generation))
        }
        let profile = self
        return { gpu in
            // Checked above for every generation's defaults, which are the only bases used.
            (try? profile.efficiency(forRunOn: gpu)) ?? EfficiencyProfile.defaults(for: gpu)
        }
    }
}

extension Validator {
    /// Validates a runs file with predictions made under `profile` (nil: the defaults).
    public static func validate(json bytes: some Collection<UInt8>,
                                profile: CalibrationProfile?) throws(PDCostError) -> ValidationReport {
        guard let profile else { return try validate(json: bytes) }
        return try validate(json: bytes, efficiency: profile.efficiencyFunction())
    }

    /// Validates decoded runs with predictions made under `profile`.
    public static func validate(_ file: MeasuredRunsFile,
                                profile: CalibrationProfile) throws(PDCostError) -> ValidationReport {
        validate(file, efficiency: try profile.efficiencyFunction())
    }
}
