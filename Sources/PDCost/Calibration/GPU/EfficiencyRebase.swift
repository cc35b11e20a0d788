/// Re-expresses an efficiency profile written for one GPU description against another, so that
/// every rate the cost model derives (Workload.swift `Rates`, Collectives.swift `Interconnect`)
/// stays the same: each fraction of a peak is multiplied by old peak / new peak.
///
/// Used to turn a profile relative to a datasheet (what a team commits) into one for a GPUSpec
/// that holds measured rates (the seed's calibrated hardware config, whose "peaks" are what the
/// GPU achieved): there the measured fractions become 1 and, e.g., attention's share of the
/// tensor rate grows by datasheet/measured. The sustained-clock factor (P/P_ref)^(1/3) of both
/// descriptions is folded in the same way.
public enum EfficiencyRebase {
    /// The rebased profile and the names of parameters that had to be clamped to their bounds
    /// (the rates those parameters give then differ).
    public static func rebase(_ e: EfficiencyProfile, from old: GPUSpec, to new: GPUSpec)
        -> (efficiency: EfficiencyProfile, clamped: [String]) {
        var result = e
        var clamped: [String] = []
        let tensor = ratio(tensorPeak(old) * powerClock(old, e), tensorPeak(new) * powerClock(new, e))
        let fp8 = ratio(old.fp8Flops * powerClock(old, e), new.fp8Flops * powerClock(new, e))
        let scalings: [(String, Double?)] = [
            ("gemm_peak_fraction16", tensor), ("gemm_peak_fraction8", fp8),
            ("attention_forward_fraction", tensor), ("attention_backward_fraction", tensor),
            ("portable_attention_forward_fraction", tensor), ("portable_attention_backward_fraction", tensor),
            ("hbm_fraction", ratio(old.hbmBandwidth, new.hbmBandwidth)),
            ("nvlink_fraction", ratio(old.nvlinkBandwidth, new.nvlinkBandwidth)),
            ("network_fraction", ratio(old.networkBandwidth, new.networkBandwidth)),
            ("pcie_fraction", ratio(old.pcieBandwidth, new.pcieBandwidth)),
        ]
        for (name, factor) in scalings {
            guard let factor, let parameter = EfficiencyProfile.parameter(named: name) else { continue }
            let value = e[keyPath: parameter.keyPath] * factor
            let bounded = min(max(value, parameter.lowerBound), parameter.upperBound)
            if abs(bounded - value) > 1e-9 * max(abs(value), 1) { clamped.append(name) }
            result[keyPath: parameter.keyPath] = bounded
        }
        return (result, clamped)
    }

    /// The 16-bit tensor peak `Rates` uses for BF16 runs (FP16 where the part has no BF16).
    static func tensorPeak(_ gpu: GPUSpec) -> Double {
        gpu.bf16Flops > 0 ? gpu.bf16Flops : gpu.fp16Flops
    }

    /// The sustained-clock factor of `Rates`: (P/P_ref)^(1/3) below the reference power, else 1;
    /// 1 for an unknown board power (0).
    public static func powerClock(_ gpu: GPUSpec, _ e: EfficiencyProfile) -> Double {
        let ratio = e.referencePowerWatts > 0 && gpu.tdpWatts > 0 ? gpu.tdpWatts / e.referencePowerWatts : 1
        return ratio >= 1 ? 1 : cubeRoot(ratio)
    }

    /// a/b when both are positive, else nil (that parameter is left alone).
    private static func ratio(_ a: Double, _ b: Double) -> Double? {
        a > 0 && b > 0 && a.isFinite && b.isFinite ? a / b : nil
    }
}
