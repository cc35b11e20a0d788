import FoundationEssentials
import PDCost

/// `pdcost-bench fit FILE [--params a,b] [--cv auto|none|leave-one-source-out|k-fold|leave-one-model-out] [--out P]`:
/// fits the efficiency scales to a runs file and prints tokens/s/GPU MAPE before and after, the
/// cross-validated figure before (defaults on each held-out fold) and after (scales fitted
/// without it), the fitted scales, what was dropped and the time taken.
enum FitBench {
    static func run(_ path: String, _ arguments: [String]) {
        var options = RunsFitOptions(runsFile: path)
        var out: String?
        var i = 0
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--params": options.parameters = value.split(separator: ",").map(String.init); i += 1
            case "--cv":
                guard let method = CrossValidationMethod(rawValue: value) else { fail("--cv \(value)?") }
                options.crossValidation = method; i += 1
            case "--out": out = value; i += 1
            case "--complete": options.completeOnly = true
            case "--all": options.selection = .all
            case "--prior": options.priorWeight = Double(value) ?? 1; i += 1
            case "--huber": options.huberDelta = Double(value) ?? 0.05; i += 1
            default: fail("unknown option \(arguments[i])")
            }
            i += 1
        }
        let file: MeasuredRunsFile
        do { file = try MeasuredRunsFile.decode(readFile(path)) } catch { fail(error.message) }
        let clock = ContinuousClock()
        let start = clock.now
        var lastMessage = ""
        let result: RunsFitResult
        do {
            result = try RunsFitter.fit(file, options: options) { _, message in
                // Print only stage changes, not every iteration.
                let stage = message.split(separator: ":").first.map(String.init) ?? message
                if stage != lastMessage { print("  … \(message)"); lastMessage = stage }
                return false
            }
        } catch {
            fail(error.message)
        }
        let elapsed = clock.now - start
        print("runs used \(result.runs) (tokens/s/GPU stated: \(result.tokensRuns)), skipped \(result.skipped.count)")
        print("tokens/s/GPU MAPE  before \(fmt(result.mapeBefore))%  after \(fmt(result.mapeAfter))%")
        if let m = result.memoryMapeBefore, let a = result.memoryMapeAfter {
            print("memory MAPE (allocated/reserved/device)  before \(fmt(m))%  after \(fmt(a))%")
        }
        if let cv = result.crossValidation {
            print("cross-validated (\(cv.method), \(cv.runs) held-out runs)  before \(fmt(cv.mapeBefore))%  after \(fmt(cv.mape))%")
            if let mb = cv.memoryMapeBefore, let ma = cv.memoryMape {
                print("cross-validated memory (\(cv.memoryMeasurements) held-out measurements)  before \(fmt(mb))%  after \(fmt(ma))%")
            }
            for fold in cv.folds {
                let scales = fold.scales.sorted { $0.key < $1.key }.map { "\($0.key)=\(fmt($0.value, 3))" }
                let memory = fold.memoryMapeBefore.map { b in "  mem \(fmt(b))% → \(fmt(fold.memoryMape ?? b))%" } ?? ""
                print("  \(fold.label.padding(30)) n=\(fold.runs)  \(fmt(fold.mapeBefore))% → \(fmt(fold.mape))%\(memory)  "
                      + scales.joined(separator: " "))
            }
        }
        print("fitted scales (iterations \(result.iterations), evaluations \(result.evaluations)):")
        for f in result.fitted {
            print("  \(f.name.padding(30)) × \(fmt(f.scale, 4))  box [\(fmt(f.lowerScale, 3)), \(fmt(f.upperScale, 3))]"
                  + "  runs responding \(f.exercisedRuns)" + (f.atBound ? "  (at bound)" : ""))
        }
        for k in result.kept { print("  kept \(k.name): \(k.reason)") }
        for d in result.dropped { print("  dropped \(d.name): \(d.reason)") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("time \(fmt(seconds, 2)) s")
        if let out {
            do {
                try Data(result.profile.encoded()).write(to: URL(fileURLWithPath: out))
                print("profile written to \(out)")
            } catch {
                fail("cannot write \(out): \(error)")
            }
        }
    }

    static func fmt(_ x: Double, _ digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return "\((x * scale).rounded() / scale)"
    }
}
