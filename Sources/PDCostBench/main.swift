// pdcost-bench: timing and development commands for the Swift core.
//
//   pdcost-bench validate FILE [--json] [--only-complete] [--profile P]   predicted vs measured for a runs file
//   pdcost-bench explain FILE ID                             full prediction breakdown of one run
//   pdcost-bench time                                        evaluations per second
//   pdcost-bench loso FILE                                   leave-one-source-out check
//   pdcost-bench search [--quick] [--reps N] [--threads N] [--no-meta]   plan-search speed, per-thread split (issues 4, 17)
//   pdcost-bench serve-predict                                ns and allocations per serving evaluate
//   pdcost-bench serve-search [--quick]                       serving deployment-search speed
//   pdcost-bench fit FILE [--params a,b] [--cv M] [--out P]   fit efficiency scales (FitBench.swift)
//   pdcost-bench rederive PROFILE [--out FILE]               a GPU profile's parameters from its own measurements
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import PDCost

func readFile(_ path: String) -> [UInt8] {
    do {
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        fail("cannot read \(path): \(error)")
    }
}

func fail(_ message: String) -> Never {
    print("pdcost-bench: \(message)")
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else {
    print("usage: pdcost-bench validate FILE [--json] [--only-complete] | explain FILE ID | time | loso FILE")
    exit(2)
}

switch command {
case "validate":
    guard args.count >= 2 else { fail("validate needs a FILE") }
    do {
        // --profile P: predictions under a calibration profile (e.g. one `fit --out` wrote).
        let report: ValidationReport
        if let i = args.firstIndex(of: "--profile"), i + 1 < args.count {
            let profile = try CalibrationProfile.decode(readFile(args[i + 1]))
            report = try Validator.validate(json: readFile(args[1]), profile: profile)
        } else {
            report = try Validator.validate(json: readFile(args[1]))
        }
        if args.contains("--json") {
            print(report.json(), terminator: "")
        } else {
            print(ValidationRenderer.render(report, onlyComplete: args.contains("--only-complete")), terminator: "")
        }
    } catch {
        fail(error.message)
    }
case "serve-validate":
    guard args.count >= 2 else { fail("serve-validate needs a FILE") }
    do {
        let report = try ServingValidator.validate(json: readFile(args[1]))
        if args.contains("--tsv") {
            for r in report.runs {
                for c in r.comparisons {
                    print("\(r.id)\t\(r.sourceGroup)\t\(c.metric.rawValue)\t\(c.value.measured)\t\(c.value.predicted)")
                }
            }
            exit(0)
        }
        print(report.rendered(), terminator: "")
        if let id = args.firstIndex(of: "--show").map({ args[$0 + 1] }) {
            for r in report.runs where r.id.contains(id) {
                print(r.id, r.skipped ?? "", r.comparisons.map { "\($0.metric.rawValue) m=\($0.value.measured) p=\(Int($0.value.predicted * 100) / 100)" })
                if let p = r.prediction {
                    for f in ServingPrediction.fields { print("   \(f.name) = \(f.value(p))") }
                }
            }
        }
    } catch {
        fail(error.message)
    }
case "explain":
    guard args.count >= 3 else { fail("explain needs FILE and ID") }
    do {
        let file = try MeasuredRunsFile.decode(readFile(args[1]))
        for run in file.runs where run.id.hasPrefix(args[2]) {
            Explain.print(run)
        }
    } catch {
        fail(error.message)
    }
case "time":
    Timing.run()
case "search":
    SearchBench.run(arguments: Array(args.dropFirst()))
case "serve-predict":
    ServingBench.predict()
case "serve-search":
    ServingBench.search(arguments: Array(args.dropFirst()))
case "loso":
    guard args.count >= 2 else { fail("loso needs a FILE") }
    do {
        let file = try MeasuredRunsFile.decode(readFile(args[1]))
        LeaveOneSourceOut.run(file)
    } catch {
        fail(error.message)
    }
case "fit":
    guard args.count >= 2 else { fail("fit needs a FILE") }
    FitBench.run(args[1], Array(args.dropFirst(2)))
case "rederive":
    guard args.count >= 2 else { fail("rederive needs a PROFILE") }
    Rederive.run(args[1], Array(args.dropFirst(2)))
default:
    fail("unknown command '\(command)'")
}
