import Testing
@testable import PDCost

/// A progress callback that cancels always ends the fit in `.cancelled`, whichever call it
/// cancels on: the fuzzer (Tests/fuzz, corpus/regression-fit-cancel-at-done) found that a
/// cancel at the first ("fitting …") or the last ("done") call was ignored and a profile came
/// back, against pdcost.h ("returns PDCOST_ECANCELED").
@Suite("Fit cancellation")
struct FitCancellationTests {
    static func runs() throws -> MeasuredRunsFile {
        try RunsFitTests.syntheticRuns(truth: RunsFitTests.truth(["gemm_peak_fraction16": 0.9]))
    }

    static var options: RunsFitOptions {
        var o = RunsFitOptions()
        o.parameters = ["gemm_peak_fraction16"]
        o.maxIterations = 5
        o.crossValidation = .kFold
        o.folds = 2
        return o
    }

    /// Fits, cancelling on call `cancelAt` (1-based; 0 = never); returns the calls made and
    /// whether the fit threw `.cancelled`.
    static func fit(_ file: MeasuredRunsFile, cancelAt: Int) throws -> (calls: [String], cancelled: Bool) {
        var calls: [String] = []
        do {
            _ = try RunsFitter.fit(file, options: options) { _, message in
                calls.append(message)
                return calls.count == cancelAt
            }
            return (calls, false)
        } catch .cancelled {
            return (calls, true)
        }
    }

    @Test("a cancel on the first, a middle and the last progress call ends in .cancelled")
    func cancelAnywhere() throws {
        let file = try Self.runs()
        let full = try Self.fit(file, cancelAt: 0)
        #expect(!full.cancelled)
        #expect(full.calls.first?.hasPrefix("fitting") == true)
        #expect(full.calls.last == "done")
        let total = full.calls.count
        for k in [1, 2, total / 2, total - 1, total] where k >= 1 {
            let r = try Self.fit(file, cancelAt: k)
            #expect(r.cancelled, "cancel on call \(k) of \(total) (\(full.calls[k - 1])) was ignored")
            // The callback is not called again once it has cancelled.
            #expect(r.calls.count == k)
        }
    }
}
