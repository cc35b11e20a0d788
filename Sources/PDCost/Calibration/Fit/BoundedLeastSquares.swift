/// Robust, box-constrained nonlinear least squares for a handful of parameters: projected
/// Levenberg–Marquardt (Moré 1978, "The Levenberg-Marquardt algorithm: implementation and
/// theory", with Marquardt's diagonal scaling) on a Huber loss (Huber 1964), solved by
/// iteratively reweighted Gauss–Newton steps, with a quadratic (ridge) prior pulling each
/// coordinate towards 0.
///
///     minimise  Σᵢ ρ(rᵢ(x)) + (ridge/2)·‖x‖²   subject to lower ≤ x ≤ upper
///     ρ(r) = r²/2 for |r| ≤ δ, δ·|r| − δ²/2 beyond   (Huber)
///
/// The Jacobian is a forward difference (backward at the upper bound). Coordinates at a bound
/// whose gradient points out of the box are held there for the step (the active set of a
/// projected method). With ~10 parameters the normal equations are 10×10: solved by Cholesky.
///
/// Sized for the runs fit (residuals are log errors of cost-model predictions, each evaluation
/// a few milliseconds), not for general use.
struct BoundedLeastSquares {
    var lower: [Double]
    var upper: [Double]
    /// Huber threshold in residual units (log error: 0.05 ≈ 5 %).
    var huberDelta = 0.05
    /// Weight of the prior ‖x‖²/2.
    var ridge = 1.0
    /// Per-coordinate factor on `ridge` (nil: 1 for every coordinate).
    var ridgeScale: [Double]?
    func ridge(_ j: Int) -> Double {
        guard let s = ridgeScale, j < s.count else { return ridge }
        return ridge * s[j]
    }
    var maxIterations = 60
    /// Finite-difference step in x.
    var differenceStep = 1e-4

    struct Outcome {
        var x: [Double]
        var cost: Double
        var iterations: Int
        var evaluations: Int
    }

    /// Minimises from `start` (clamped into the box). `residuals` must return the same count
    /// every call. `progress(iteration, cost)` is told after each iteration; returning false
    /// stops the minimisation where it is.
    func minimize(start: [Double], residuals: ([Double]) -> [Double],
                  progress: (Int, Double) -> Bool = { _, _ in true }) -> Outcome {
        let p = start.count
        var x = clamp(start)
        var r = residuals(x)
        var evaluations = 1
        var cost = loss(r, x)
        var mu = 1e-3
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            // Jacobian by forward (or backward) differences.
            var jacobian = [[Double]](repeating: [], count: p)
            for j in 0..<p {
                var h = differenceStep
                if x[j] + h > upper[j] { h = -h }
                var probe = x
                probe[j] += h
                let rj = residuals(probe)
                evaluations += 1
                jacobian[j] = zip(rj, r).map { ($0 - $1) / h }
            }
            // IRLS weights of the Huber loss at the current residuals.
            let w = r.map { abs($0) <= huberDelta ? 1 : huberDelta / abs($0) }
            // Normal equations: A = JᵀWJ + ridge·I, g = JᵀWr + ridge·x.
            var a = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            var g = [Double](repeating: 0, count: p)
            for j in 0..<p {
                for i in 0..<r.count { g[j] += jacobian[j][i] * w[i] * r[i] }
                g[j] += ridge(j) * x[j]
                for k in j..<p {
                    var s = 0.0
                    for i in 0..<r.count { s += jacobian[j][i] * w[i] * jacobian[k][i] }
                    a[j][k] = s
                    a[k][j] = s
                }
                a[j][j] += ridge(j)
            }
            // Active set: at a bound with the gradient pushing outwards.
            let free = (0..<p).filter { j in
                !((x[j] <= lower[j] && g[j] > 0) || (x[j] >= upper[j] && g[j] < 0))
            }
            if free.isEmpty { break }
            var accepted = false
            var improvement = 0.0
            var stepSize = 0.0
            for _ in 0..<12 {
                guard let delta = solveDamped(a, g, free: free, mu: mu) else { mu *= 10; continue }
                var candidate = x
                for (index, j) in free.enumerated() { candidate[j] += delta[index] }
                candidate = clamp(candidate)
                let rc = residuals(candidate)
                evaluations += 1
                let c = loss(rc, candidate)
                if c.isFinite && c < cost {
                    improvement = cost - c
                    stepSize = zip(candidate, x).map { abs($0 - $1) }.max() ?? 0
                    x = candidate
                    r = rc
                    cost = c
                    mu = max(mu / 3, 1e-9)
                    accepted = true
                    break
                }
                mu *= 4
            }
            if !progress(iterations, cost) { break }
            if !accepted || improvement <= 1e-12 * (1 + cost) || stepSize < 1e-8 { break }
        }
        return Outcome(x: x, cost: cost, iterations: iterations, evaluations: evaluations)
    }

    func clamp(_ x: [Double]) -> [Double] {
        x.indices.map { min(max(x[$0], lower[$0]), upper[$0]) }
    }

    /// Huber loss of the residuals plus the ridge prior.
    func loss(_ r: [Double], _ x: [Double]) -> Double {
        var total = 0.0
        for v in r {
            let a = abs(v)
            total += a <= huberDelta ? 0.5 * v * v : huberDelta * (a - 0.5 * huberDelta)
        }
        for (j, v) in x.enumerated() { total += 0.5 * ridge(j) * v * v }
        return total
    }

    /// Solves (A_ff + μ·diag(A_ff)) δ = −g_f on the free coordinates by Cholesky; nil if the
    /// matrix is not positive definite (then the caller raises μ).
    func solveDamped(_ a: [[Double]], _ g: [Double], free: [Int], mu: Double) -> [Double]? {
        let n = free.count
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (i, fi) in free.enumerated() {
            for (k, fk) in free.enumerated() { m[i][k] = a[fi][fk] }
            m[i][i] += mu * max(a[fi][fi], 1e-12)
        }
        guard let l = BoundedLeastSquares.cholesky(m) else { return nil }
        let b = free.map { -g[$0] }
        return BoundedLeastSquares.choleskySolve(l, b)
    }

    /// Lower-triangular L with L·Lᵀ = m, or nil when m is not positive definite.
    static func cholesky(_ m: [[Double]]) -> [[Double]]? {
        let n = m.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for k in 0...i {
                var s = m[i][k]
                for t in 0..<k { s -= l[i][t] * l[k][t] }
                if i == k {
                    guard s > 0, s.isFinite else { return nil }
                    l[i][i] = s.squareRoot()
                } else {
                    l[i][k] = s / l[k][k]
                }
            }
        }
        return l
    }

    static func choleskySolve(_ l: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var y = b
        for i in 0..<n {
            for t in 0..<i { y[i] -= l[i][t] * y[t] }
            y[i] /= l[i][i]
        }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            for t in (i + 1)..<n { x[i] -= l[t][i] * x[t] }
            x[i] /= l[i][i]
        }
        return x
    }
}
