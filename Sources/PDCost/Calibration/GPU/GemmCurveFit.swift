/// The cost model's GEMM curve fitted to a shape sweep of one precision.
///
/// The model (EfficiencyProfile.gemmHalfDimension; Workload.swift `Rates.gemm`) times a GEMM as
/// 2mnk·(1 + c/m + c/n + c/k) / R, with R the large-GEMM rate and c the dimension at which half a
/// tile's work is quantization and fill loss. A timed batch of back-to-back GEMMs also carries a
/// fixed per-launch gap t₀, so the fit is
///
///     t = 2mnk·(1/R) + 2mnk·(1/m + 1/n + 1/k)·(c/R) + t₀,
///
/// linear in (1/R, c/R, t₀), solved by least squares on relative error.
///
/// Shapes that run at the launch floor (within 3× of the sweep's fastest) say nothing about R or
/// c — the cost model carries the floor as `kernelFloorSeconds`, a max, not a sum — and are left
/// out while at least three samples of two shapes remain. A negative c or t₀ (noise on a sweep
/// that does not resolve it) is pinned to 0 and the rest refitted, c kept before t₀: the cost
/// model times a GEMM as 2mnk·(1 + c/m + c/n + c/k)/R with no per-GEMM t₀, so a t₀ would take
/// shape loss the model must carry in c. Measured on an H200 (bf16, cuBLAS 13.1): 512³ and 1024³
/// both take ~8 µs; with them, c without t₀ read the floor as tile loss (c ≈ 1,400, R ≈ 1.6× the
/// datasheet); without them R = 879 TFLOP/s and c = 164, which reproduce the 2048³–8192³ shapes
/// within 3 %.
public struct GemmCurveFit: Sendable, Equatable {
    /// Large-GEMM rate R, FLOP/s.
    public var rate: Double
    /// c, elements.
    public var halfDimension: Double
    /// t₀, seconds per GEMM.
    public var launchOverhead: Double
    /// Distinct shapes used.
    public var samples: Int
    /// RMS relative error of the fit over the samples.
    public var rmsRelativeError: Double

    /// Fits (m, n, k, seconds) samples; nil with fewer than one usable sample. One shape gives R
    /// at c = `fallbackHalfDimension`, two give R and c.
    public static func fit(_ samples: [(m: Int, n: Int, k: Int, seconds: Double)],
                           fallbackHalfDimension: Double) -> GemmCurveFit? {
        let valid = samples.filter { $0.m > 0 && $0.n > 0 && $0.k > 0 && $0.seconds.isFinite && $0.seconds > 0 }
        guard let fastest = valid.map(\.seconds).min() else { return nil }
        let computeBound = valid.filter { $0.seconds > 3 * fastest }
        let shapes = Set(computeBound.map { 1 / Double($0.m) + 1 / Double($0.n) + 1 / Double($0.k) })
        let usable = computeBound.count >= 3 && shapes.count >= 2 ? computeBound : valid
        let flops = usable.map { 2 * Double($0.m) * Double($0.n) * Double($0.k) }
        let shape = usable.map { 1 / Double($0.m) + 1 / Double($0.n) + 1 / Double($0.k) }
        let times = usable.map(\.seconds)

        // Candidate models: (1/R, c/R, t0), (1/R, c/R), (1/R, t0), then (1/R) at c fixed.
        func fitted(useC: Bool, useT0: Bool) -> GemmCurveFit? {
            let width = 1 + (useC ? 1 : 0) + (useT0 ? 1 : 0)
            guard usable.count >= width, Set(shape).count >= (useC ? 2 : 1) else { return nil }
            let rows = (0..<usable.count).map { i -> [Double] in
                var row = [flops[i]]
                if useC { row.append(flops[i] * shape[i]) }
                if useT0 { row.append(1) }
                return row
            }
            guard let x = RelativeLeastSquares.solve(rows: rows, targets: times), x[0] > 0 else { return nil }
            let c = useC ? x[1] / x[0] : 0
            let t0 = useT0 ? x[width - 1] : 0
            if c < 0 || t0 < 0 { return nil }
            return GemmCurveFit(rate: 1 / x[0], halfDimension: c, launchOverhead: t0, samples: usable.count,
                                rmsRelativeError: RelativeLeastSquares.rmsRelativeResidual(rows: rows, targets: times, x: x))
        }
        if let fit = fitted(useC: true, useT0: true) ?? fitted(useC: true, useT0: false)
            ?? fitted(useC: false, useT0: true) {
            return fit
        }
        // R alone with c fixed: t = 2mnk(1 + c·s)/R.
        let c = max(fallbackHalfDimension, 0)
        let rows = (0..<usable.count).map { [flops[$0] * (1 + c * shape[$0])] }
        guard let x = RelativeLeastSquares.solve(rows: rows, targets: times), x[0] > 0 else { return nil }
        return GemmCurveFit(rate: 1 / x[0], halfDimension: c, launchOverhead: 0, samples: usable.count,
                            rmsRelativeError: RelativeLeastSquares.rmsRelativeResidual(rows: rows, targets: times, x: x))
    }
}

/// Bus bandwidth and per-step latency of the cost model's collectives (Collectives.swift,
/// single node: t = busFactor·S / B + steps·λ, nccl-tests' bus-bandwidth convention) fitted to
/// all-reduce, all-gather and reduce-scatter samples by least squares on relative error; the
/// all-to-all efficiency relative to B (t = (n−1)/n·S / (B·f) + 2λ) from the all-to-all samples.
public struct CollectiveFit: Sendable, Equatable {
    /// B, bytes/s.
    public var busBandwidth: Double
    /// λ, seconds per ring step.
    public var stepLatency: Double
    /// f, or nil without all-to-all samples.
    public var allToAllFraction: Double?
    public var rmsRelativeError: Double

    public static func fit(_ samples: [CalibrationProfile.CollectiveSample]) -> CollectiveFit? {
        let ring = samples.filter {
            $0.op != CollectiveOp.allToAll.rawValue && $0.ranks > 1 && $0.bytes > 0 && $0.seconds.isFinite && $0.seconds > 0
        }
        let rows = ring.compactMap { s -> [Double]? in
            guard let op = CollectiveOp(rawValue: s.op) else { return nil }
            return [op.busFactor(ranks: s.ranks) * s.bytes, op.latencySteps(ranks: s.ranks)]
        }
        guard rows.count == ring.count, !rows.isEmpty else { return nil }
        let times = ring.map(\.seconds)
        var bandwidth = 0.0, latency = 0.0, rows2 = rows, x: [Double] = []
        if rows.count >= 2, let both = RelativeLeastSquares.solve(rows: rows, targets: times), both[0] > 0, both[1] >= 0 {
            x = both
            bandwidth = 1 / both[0]
            latency = both[1]
        } else {
            rows2 = rows.map { [$0[0]] }
            guard let one = RelativeLeastSquares.solve(rows: rows2, targets: times), one[0] > 0 else { return nil }
            x = one
            bandwidth = 1 / one[0]
        }
        let rms = RelativeLeastSquares.rmsRelativeResidual(rows: rows2, targets: times, x: x)

        // All-to-all: t − 2λ = a/f with a = (n−1)/n·S/B; 1/f by weighted least squares (w = 1/t²).
        var fraction: Double?
        var num = 0.0, den = 0.0
        for s in samples where s.op == CollectiveOp.allToAll.rawValue && s.ranks > 1 && s.bytes > 0 && s.seconds > 0 {
            let a = CollectiveOp.allToAll.busFactor(ranks: s.ranks) * s.bytes / bandwidth
            let b = CollectiveOp.allToAll.latencySteps(ranks: s.ranks) * latency
            let w = 1 / (s.seconds * s.seconds)
            num += w * (s.seconds - b) * a
            den += w * a * a
        }
        if den > 0, num > 0 { fraction = den / num }
        return CollectiveFit(busBandwidth: bandwidth, stepLatency: latency, allToAllFraction: fraction,
                             rmsRelativeError: rms)
    }
}
