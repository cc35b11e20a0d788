/// Logarithm and exponential for the fit (the core stays free of libm/Foundation math, as
/// `cubeRoot` in Workload.swift does): accurate to a few ulps over the range the fit uses.
enum FitMath {
    /// Natural logarithm for positive finite x, without Foundation: x = m·2^e with m in [1, 2),
    /// then ln m = 2·atanh((m−1)/(m+1)) by its series (|t| ≤ 1/3, 20 terms: error < 1e-20).
    static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
        let e = Double(x.exponent)
        let m = x.significand
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var term = t, sum = 0.0
        var k = 1.0
        for _ in 0..<20 {
            sum += term / k
            term *= t2
            k += 2
        }
        return 2 * sum + e * 0.6931471805599453
    }

    /// e^x without Foundation: x = k·ln 2 + r with |r| ≤ ln2/2, e^r by its Taylor series.
    static func exp(_ x: Double) -> Double {
        guard x.isFinite else { return x > 0 ? .infinity : (x.isNaN ? .nan : 0) }
        if x > 709 { return .infinity }
        if x < -745 { return 0 }
        let ln2 = 0.6931471805599453
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0, sum = 1.0
        for n in 1..<25 {
            term *= r / Double(n)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }
}
