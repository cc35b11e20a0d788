import FoundationEssentials
import Testing
import PDCost

/// The real Hugging Face config.json files under Fixtures/hf_configs, found from this source
/// file's path (not Bundle resources), and the preset each one corresponds to.
enum TestFixtures {
    static let hfConfigDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .appendingPathComponent("hf_configs")

    /// Fixture file → the model preset built from the same config.
    static let hfConfigs: [HFFixture] = [
        HFFixture(file: "meta-llama__Llama-2-7b-hf.json", preset: "llama2-7b"),
        HFFixture(file: "meta-llama__Meta-Llama-3-70B.json", preset: "llama3-70b"),
        HFFixture(file: "meta-llama__Llama-3.1-405B.json", preset: "llama3.1-405b"),
        HFFixture(file: "mistralai__Mistral-7B-v0.1.json", preset: "mistral-7b"),
        HFFixture(file: "mistralai__Mixtral-8x7B-v0.1.json", preset: "mixtral-8x7b"),
        HFFixture(file: "Qwen__Qwen2.5-7B.json", preset: "qwen2.5-7b"),
        HFFixture(file: "Qwen__Qwen3-8B.json", preset: "qwen3-8b"),
        HFFixture(file: "Qwen__Qwen3-30B-A3B.json", preset: "qwen3-30b-a3b"),
        HFFixture(file: "Qwen__Qwen3-235B-A22B.json", preset: "qwen3-235b-a22b"),
        HFFixture(file: "deepseek-ai__DeepSeek-V3.json", preset: "deepseek-v3"),
    ]

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: hfConfigDirectory.appendingPathComponent(file)))
    }

    /// Loads JSON text through the public loader; nil when it loads, the error when it does not.
    static func loadError(_ json: String) -> PDCostError? {
        do {
            _ = try ModelLoader.load(json: Array(json.utf8))
            return nil
        } catch {
            return error
        }
    }
}

struct HFFixture: Sendable, CustomTestStringConvertible {
    var file: String
    var preset: String
    var testDescription: String { file }
}

extension PDCostError {
    /// The case name, for asserting the kind of an error apart from its message.
    var kind: String {
        switch self {
        case .invalidArgument: "invalidArgument"
        case .parse: "parse"
        case .notFound: "notFound"
        case .unsupported: "unsupported"
        case .infeasible: "infeasible"
        case .noDevice: "noDevice"
        case .io: "io"
        case .cancelled: "cancelled"
        case .internalError: "internalError"
        }
    }
}
