/// Distinct routed experts a batch of tokens touches in one MoE layer.
///
/// With each token choosing k of E experts, a given expert is missed by one token with
/// probability 1 − k/E; if tokens route independently and uniformly, it is missed by all n
/// tokens with probability (1 − k/E)^n, so the expected number of distinct experts is
/// E · (1 − (1 − k/E)^n) — the occupancy (balls-into-bins) expectation (Feller, "An
/// Introduction to Probability Theory", Vol. 1, §II.11; used for MoE decode weight traffic in
/// e.g. the DeepSeek-V3 report's argument for large decode batches, arXiv 2412.19437 §3.4).
/// Real routers are skewed, so this is an upper bound on the distinct experts (and so on the
/// weight bytes) at a given batch; at n = 1 it is exactly k, and it tends to E as n grows.
public enum MoEOccupancy {
    /// Expected distinct experts for `tokens` tokens, `k` of `experts` each. Zero for no tokens.
    @inline(__always)
    public static func expectedDistinctExperts(experts: Int, perToken k: Int, tokens n: Double) -> Double {
        guard experts > 0, k > 0, n > 0 else { return 0 }
        let e = Double(experts)
        let kk = Double(min(k, experts))
        if kk >= e { return e }
        // (1 − k/E)^n = exp(n · ln(1 − k/E)), with the core's Foundation-free log/exp
        // (Calibration/Fit/FitMath.swift); k/E ≥ 2^-24 keeps ln(1 − k/E) accurate in a double.
        let missAll = FitMath.exp(n * FitMath.log(1 - kk / e))
        return e * (1 - missAll)
    }
}
