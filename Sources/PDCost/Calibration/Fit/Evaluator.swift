/// Predicts a set of samples under given scales: the residual function of the fit and the error
/// figures of its report.
struct Evaluator: Sendable {
    /// Each generation's defaults, in `GPUArchitecture.allCases` order.
    let defaults: [EfficiencyProfile] = GPUArchitecture.allCases.map { EfficiencyProfile.defaults(for: $0) }

    /// Residual rows and the sample each row belongs to.
    struct Residuals {
        var values: [Double] = []
        var sample: [Int] = []
    }

    /// Absolute percentage errors of tokens/s/GPU and of the fitted memory metrics.
    struct Errors {
        var tokensAPE: [Double] = []
        var memoryAPE: [Double] = []
    }

    /// The efficiency of each generation with `parameters` scaled by e^x.
    func efficiencies(_ parameters: [FitParameter], x: [Double]) -> [EfficiencyProfile] {
        defaults.map { base in
            var e = base
            for (j, parameter) in parameters.enumerated() {
                parameter.apply(scale: FitMath.exp(x[j]), to: &e, defaults: base)
            }
            return e
        }
    }

    func generationIndex(_ g: GPUArchitecture) -> Int {
        GPUArchitecture.allCases.firstIndex(of: g) ?? 0
    }

    /// Log errors of every sample: throughput rows when a throughput parameter is fitted,
    /// memory rows when a memory parameter is. Row count depends only on the samples and the
    /// targets, never on x.
    func residuals(_ samples: [FitSample], parameters: [FitParameter], x: [Double]) -> Residuals {
        let table = efficiencies(parameters, x: x)
        let throughput = parameters.contains { $0.target == .throughput }
        let memory = parameters.contains { $0.target == .memory }
        var out = Residuals()
        out.values.reserveCapacity(samples.count * 2)
        out.sample.reserveCapacity(samples.count * 2)
        for (i, sample) in samples.enumerated() {
            let prediction = sample.predict(table[generationIndex(sample.generation)])
            if throughput && sample.hasThroughput {
                out.values.append(prediction.flatMap { sample.throughputLogError($0) } ?? 0)
                out.sample.append(i)
            }
            if memory && !sample.measuredMemory.isEmpty {
                let before = out.values.count
                if let prediction {
                    sample.memoryLogErrors(prediction, into: &out.values)
                } else {
                    out.values.append(contentsOf: [Double](repeating: 0, count: sample.measuredMemory.count))
                }
                out.sample.append(contentsOf: [Int](repeating: i, count: out.values.count - before))
            }
        }
        return out
    }

    /// Percentage errors of tokens/s/GPU (every sample that states it) and of the fitted memory
    /// metrics.
    func errors(_ samples: [FitSample], parameters: [FitParameter], x: [Double]) -> Errors {
        let table = efficiencies(parameters, x: x)
        var out = Errors()
        var logs: [Double] = []
        for sample in samples {
            guard let p = sample.predict(table[generationIndex(sample.generation)]) else { continue }
            if let e = sample.tokensAbsolutePercentError(p) { out.tokensAPE.append(e) }
            logs.removeAll(keepingCapacity: true)
            sample.memoryLogErrors(p, into: &logs)
            for l in logs { out.memoryAPE.append(abs(FitMath.exp(l) - 1) * 100) }
        }
        return out
    }
}
