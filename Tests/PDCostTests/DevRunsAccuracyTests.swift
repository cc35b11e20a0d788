import FoundationEssentials
import Testing
import PDCost

/// The published measured runs beside the repository (shared/validation/dev_runs.json, present
/// in CI). These tests guard accuracy against regressions and check that validation reads the
/// structured `settings`, never the free-text `notes`.
@Suite("Accuracy on the published runs")
struct DevRunsAccuracyTests {
    static let devRuns = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/validation/dev_runs.json")

    static var available: Bool {
        (try? Data(contentsOf: devRuns)) != nil || ProcessInfoShim.isCI
    }

    static func bytes() throws -> [UInt8] { Array(try Data(contentsOf: devRuns)) }

    /// MAPE (percent) recorded when the guard was last moved, complete records: tokens/s/GPU
    /// and each memory metric. A change may lower them; raising one by more than 0.3 points
    /// fails. Update them (and the README table, `pdcost validate`) when physics improves.
    static let recorded: [(ValidationMetric, Double)] = [
        (.tokensPerSecondPerGPU, 4.99),
        (.peakAllocatedGiB, 0.85),
        (.peakReservedGiB, 0.35),
        (.peakMemoryGiB, 4.34),
    ]

    @Test("complete-record MAPE does not rise more than 0.3 points", .enabled(if: available))
    func accuracyGuard() throws {
        let report = try Validator.validate(json: try Self.bytes())
        for (metric, recorded) in Self.recorded {
            let summary = report.summary(metric)
            #expect(summary.completeN > 0, "\(metric.rawValue): no complete record")
            let mape = try #require(summary.completeMape, "\(metric.rawValue): no complete MAPE")
            #expect(mape <= recorded + 0.3,
                    "\(metric.rawValue): complete MAPE \(mape) % > recorded \(recorded) % + 0.3")
        }
    }

    /// Tokens/s/GPU over every mixture-of-experts record with a throughput (complete or not:
    /// the token-drop and dropless Megatron-Bridge runs), recorded when the guard was last
    /// moved: MAPE and the largest error, percent. Each may fall; rising by more than 0.5
    /// points fails.
    static let recordedMoE = (mape: 10.83, maxAbs: 76.9)

    @Test("MoE tokens/s/GPU MAPE and worst record do not rise", .enabled(if: available))
    func moeAccuracyGuard() throws {
        let bytes = try Self.bytes()
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        let moe = document.moeRunIDs()
        #expect(moe.count >= 50, "expected the MoE records, found \(moe.count)")
        let report = try Validator.validate(json: bytes)
        var errors: [Double] = []
        for run in report.runs where moe.contains(run.id) {
            if let c = run.comparison(.tokensPerSecondPerGPU) { errors.append(abs(c.errorPercent)) }
        }
        #expect(errors.count >= 50)
        let mape = errors.reduce(0, +) / Double(max(errors.count, 1))
        let worst = errors.max() ?? 0
        #expect(mape <= Self.recordedMoE.mape + 0.5, "MoE MAPE \(mape) % > recorded \(Self.recordedMoE.mape) %")
        #expect(worst <= Self.recordedMoE.maxAbs + 0.5, "worst MoE error \(worst) % > recorded \(Self.recordedMoE.maxAbs) %")
    }

    @Test("predictions are identical with every notes field blanked", .enabled(if: available))
    func notesAreNotRead() throws {
        let original = try Self.bytes()
        var document = try JSONDecoder().decode(JSONValue.self, from: Data(original))
        let blanked = document.blankingNotes()
        #expect(blanked > 200, "expected a notes field in every run, blanked \(blanked)")
        let stripped = Array(try JSONEncoder().encode(document))
        let a = try Validator.validate(json: original).json()
        let b = try Validator.validate(json: stripped).json()
        #expect(a == b)
    }
}

/// `CI` set in the environment (CI must not skip the guard for want of the file).
enum ProcessInfoShim {
    static var isCI: Bool {
        #if canImport(Glibc) || canImport(Darwin)
        return getenv("CI") != nil
        #else
        return false
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Any JSON document, to edit the runs file in a test.
enum JSONValue: Codable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let x): try c.encode(x)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Ids of the runs whose model has routed experts (`model.num_experts` > 0).
    func moeRunIDs() -> Set<String> {
        guard case .object(let top) = self, case .array(let runs)? = top["runs"] else { return [] }
        var ids = Set<String>()
        for case .object(let run) in runs {
            guard case .string(let id)? = run["id"], case .object(let model)? = run["model"],
                  case .number(let experts)? = model["num_experts"], experts > 0 else { continue }
            ids.insert(id)
        }
        return ids
    }

    /// Sets every `notes` value to "" (recursively); returns how many there were.
    mutating func blankingNotes() -> Int {
        switch self {
        case .array(var items):
            var n = 0
            for i in items.indices { n += items[i].blankingNotes() }
            self = .array(items)
            return n
        case .object(var fields):
            var n = 0
            for key in Array(fields.keys) {
                if key == "notes" { fields[key] = .string(""); n += 1 } else if var v = fields[key] {
                    n += v.blankingNotes()
                    fields[key] = v
                }
            }
            self = .object(fields)
            return n
        default:
            return 0
        }
    }
}
