/// One quantity a runs fit can adjust: a multiplicative scale on one or more efficiency
/// constants (`EfficiencyProfile.parameters`), shared by every GPU generation. A fitted scale
/// becomes `efficiency_scale` entries of the profile, one per constant, each with the scale.
///
/// Scales, not absolute values, because the runs come from several GPU generations whose
/// defaults differ (A100 GEMMs reach 86 % of peak, B200 78 %): what transfers between them is
/// "this framework / this cluster runs GEMMs 5 % slower than the public figures", a factor.
public struct FitParameter: Sendable, Hashable {
    /// The name used in `--params` and in `FitSummary.parameters`.
    public let name: String
    /// The efficiency constants it scales.
    public let constants: [String]
    /// Which measured quantity it is fitted to.
    public let target: Target
    /// Box on the scale. Derived from the constants' physical bounds over every generation's
    /// defaults (beyond them the clamp in `CalibrationProfile.apply` makes the scale inert),
    /// and never wider than [1/10, 10].
    public let lowerScale: Double
    public let upperScale: Double

    public enum Target: String, Sendable, Hashable {
        /// Step time (tokens/s/GPU).
        case throughput
        /// Reserved / device memory (`peak_reserved_gib`, `peak_memory_gib`).
        case memory
    }

    public static func == (a: FitParameter, b: FitParameter) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension FitParameter {
    /// Named groups of constants that only move together in the data. Fused attention's
    /// forward and backward rates always add up in a step (backward = 2.5× the forward FLOPs),
    /// and a run uses either the vendor or the portable kernel, so one factor on all four is
    /// what measured step times can determine.
    public static let groups: [String: [String]] = [
        "attention": ["attention_forward_fraction", "attention_backward_fraction",
                      "portable_attention_forward_fraction", "portable_attention_backward_fraction"],
    ]

    /// Constants compared against memory rather than step time.
    static let memoryConstants: Set<String> = ["allocator_fragmentation", "expandable_fragmentation",
                                                "allocator_workspace_scale", "runtime_memory_scale"]

    /// The default set: what the issue names (GEMM efficiency per dtype, attention efficiency,
    /// the sequence-length knee of attention, per-collective bandwidth, overlap, allocator
    /// fragmentation), and the other memory terms (issue 14 item 6): fragmentation with
    /// expandable segments, the allocator-visible workspaces and the runtime memory outside the
    /// allocator, each fitted only where a run's measured memory responds to it. Constants left out either duplicate one of these in every run
    /// (`sustained_fraction` scales GEMMs and attention together) or are measured better by
    /// micro-benchmarks than by step times (latencies, HBM and PCIe fractions); name them in
    /// `parameters` to fit them anyway.
    public static let defaultNames: [String] = [
        "gemm_peak_fraction16", "gemm_peak_fraction8", "attention", "attention_half_sequence",
        "nvlink_fraction", "network_fraction", "all_to_all_fraction", "overlap_interference",
        "tp_overlap_exposed_fraction", "allocator_fragmentation", "expandable_fragmentation",
        "allocator_workspace_scale", "runtime_memory_scale",
    ]

    /// Every name `named(_:)` accepts: the groups, then each efficiency constant.
    public static var knownNames: [String] {
        groups.keys.sorted() + EfficiencyProfile.parameters.map(\.name)
    }

    /// The parameter called `name` (a group or a constant); the error lists the known names.
    public static func named(_ name: String) throws(PDCostError) -> FitParameter {
        let trimmed = name.trimmedForFit
        let constants: [String]
        if let group = groups[trimmed] {
            constants = group
        } else if EfficiencyProfile.parameter(named: trimmed) != nil {
            constants = [trimmed]
        } else {
            throw .invalidArgument("parameter '\(trimmed)' is not fittable; known: " + knownNames.joined(separator: ", "))
        }
        // Scale box: [min over constants and generations of lower/default,
        //             max of upper/default], within [0.1, 10].
        var lower = 1.0, upper = 1.0
        for constant in constants {
            guard let p = EfficiencyProfile.parameter(named: constant) else { continue }
            for generation in GPUArchitecture.allCases {
                let value = EfficiencyProfile.defaults(for: generation)[keyPath: p.keyPath]
                guard value > 0 else { continue }
                lower = min(lower, p.lowerBound / value)
                upper = max(upper, p.upperBound / value)
            }
        }
        let memory = constants.allSatisfy { memoryConstants.contains($0) }
        if !memory && constants.contains(where: { memoryConstants.contains($0) }) {
            throw .invalidArgument("parameter '\(trimmed)' mixes memory and throughput constants")
        }
        return FitParameter(name: trimmed, constants: constants, target: memory ? .memory : .throughput,
                            lowerScale: max(lower, 0.1), upperScale: min(upper, 10))
    }

    /// Parses a comma-separated list ("gemm_peak_fraction16, attention"); empty entries are
    /// ignored, duplicates are an error.
    public static func parseList(_ text: String) throws(PDCostError) -> [FitParameter] {
        var result: [FitParameter] = []
        for piece in text.split(separator: ",") {
            let name = String(piece).trimmedForFit
            if name.isEmpty { continue }
            let parameter = try named(name)
            if result.contains(parameter) { throw .invalidArgument("parameter '\(name)' is listed twice") }
            if let clash = result.first(where: { !Set($0.constants).isDisjoint(with: parameter.constants) }) {
                throw .invalidArgument("parameters '\(clash.name)' and '\(name)' scale the same constant")
            }
            result.append(parameter)
        }
        if result.isEmpty { throw .invalidArgument("parameters='\(text)' names no parameter") }
        return result
    }

    /// `efficiency` with `scale` applied to this parameter's constants, each clamped to its
    /// bounds (as `CalibrationProfile.apply` does with `efficiency_scale`).
    func apply(scale: Double, to efficiency: inout EfficiencyProfile, defaults: EfficiencyProfile) {
        for constant in constants {
            guard let p = EfficiencyProfile.parameter(named: constant) else { continue }
            let value = defaults[keyPath: p.keyPath] * scale
            efficiency[keyPath: p.keyPath] = min(max(value, p.lowerBound), p.upperBound)
        }
    }
}

fileprivate extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation needed).
    var trimmedForFit: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s.removeLast() }
        return String(s)
    }
}
