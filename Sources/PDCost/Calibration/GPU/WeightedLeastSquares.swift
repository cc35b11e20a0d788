/// Linear least squares with relative residuals, for the small fits of the micro-benchmarks
/// (2–3 unknowns, tens of samples): minimise Σ ((Σ_j x_j·a_ij − y_i) / y_i)², i.e. weights 1/y²,
/// so that a 10 µs sample counts as much as a 10 ms one.
///
/// Columns are scaled to unit size before solving the normal equations (FLOP counts ~1e12 next
/// to constant 1 terms), and the system is solved by Gaussian elimination with partial pivoting.
/// Returns nil for a singular system or non-finite input.
enum RelativeLeastSquares {
    static func solve(rows: [[Double]], targets: [Double]) -> [Double]? {
        guard let width = rows.first?.count, width > 0, rows.count == targets.count,
              rows.count >= width, rows.allSatisfy({ $0.count == width }) else { return nil }
        // Row weights 1/y; column scales so each column's largest weighted entry is 1.
        var scale = [Double](repeating: 0, count: width)
        for (row, y) in zip(rows, targets) {
            guard y.isFinite, y > 0, row.allSatisfy(\.isFinite) else { return nil }
            for j in 0..<width { scale[j] = max(scale[j], abs(row[j] / y)) }
        }
        guard scale.allSatisfy({ $0 > 0 }) else { return nil }
        // Normal equations (AᵀA)x = Aᵀb on the weighted, scaled system (b = 1 after weighting).
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: width + 1), count: width)
        for (row, y) in zip(rows, targets) {
            let a = (0..<width).map { row[$0] / y / scale[$0] }
            for i in 0..<width {
                for j in 0..<width { matrix[i][j] += a[i] * a[j] }
                matrix[i][width] += a[i]
            }
        }
        for column in 0..<width {
            var pivot = column
            for r in column..<width where abs(matrix[r][column]) > abs(matrix[pivot][column]) { pivot = r }
            guard abs(matrix[pivot][column]) > 1e-12 else { return nil }
            if pivot != column { matrix.swapAt(pivot, column) }
            for r in 0..<width where r != column {
                let factor = matrix[r][column] / matrix[column][column]
                if factor == 0 { continue }
                for c in column...width { matrix[r][c] -= factor * matrix[column][c] }
            }
        }
        let solution = (0..<width).map { matrix[$0][width] / matrix[$0][$0] / scale[$0] }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }

    /// Root-mean-square relative residual of `x` on the system.
    static func rmsRelativeResidual(rows: [[Double]], targets: [Double], x: [Double]) -> Double {
        guard !rows.isEmpty else { return 0 }
        var sum = 0.0
        for (row, y) in zip(rows, targets) {
            var fit = 0.0
            for (a, b) in zip(row, x) { fit += a * b }
            let r = (fit - y) / y
            sum += r * r
        }
        return (sum / Double(rows.count)).squareRoot()
    }
}

/// Median of a non-empty sample (mean of the middle two for an even count).
func median(_ values: [Double]) -> Double? {
    let sorted = values.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return nil }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
