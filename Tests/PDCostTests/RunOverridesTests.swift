import Foundation
import Testing
import PDCost

/// Run-overrides documents: values a runs file leaves unstated, stated per run with a source.
@Suite("Run overrides")
struct RunOverridesTests {
    static let runs = ValidationTests.file

    static func overrides(_ entries: String) -> [UInt8] {
        Array(#"{"schema": "pdcost.run-overrides/1", "overrides": [\#(entries)]}"#.utf8)
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as PDCostError { return error.message } catch { return "\(error)" }
        return "no error"
    }

    /// Restating a run through a document predicts exactly what editing the record does.
    @Test("an override equals writing the values into the record")
    func equivalentToEditingTheRecord() throws {
        var file = try MeasuredRunsFile.decode(Array(Self.runs.utf8))
        let document = try RunOverrides.decode(Self.overrides("""
            {"ids": ["llama8b"], "source": "launch script", "settings": {"cuda_graphs": true},
             "training": {"recompute": "selective", "recompute_modules": ["mlp"]}, "parallel": {"cp": null}}
            """))
        let applied = try document.apply(to: &file)
        #expect(applied == RunOverrides.Applied(entries: 1, runs: 1))

        let edited = Self.runs
            .replacingOccurrences(of: #""settings": {"tp_comm_overlap": false, "cuda_graphs": false}"#,
                                  with: #""settings": {"tp_comm_overlap": false, "cuda_graphs": true}"#)
            .replacingOccurrences(of: #""recompute": "none", "recompute_num_layers": null, "recompute_modules": null"#,
                                  with: #""recompute": "selective", "recompute_num_layers": null, "recompute_modules": ["mlp"]"#)
        #expect(edited != Self.runs)
        let direct = try MeasuredRunsFile.decode(Array(edited.utf8))

        let viaOverrides = Validator.validate(file).runs.first { $0.id == "llama8b" }
        let viaRecord = Validator.validate(direct).runs.first { $0.id == "llama8b" }
        let a = try #require(viaOverrides?.comparison(.tokensPerSecondPerGPU)?.predicted)
        let b = try #require(viaRecord?.comparison(.tokensPerSecondPerGPU)?.predicted)
        #expect(a == b)
        // The restated switches matter (selective MLP recompute repeats the MLP forward).
        let before = try #require(Validator.validate(try MeasuredRunsFile.decode(Array(Self.runs.utf8)))
            .runs.first { $0.id == "llama8b" }?.comparison(.tokensPerSecondPerGPU)?.predicted)
        #expect(a < before)
        // `null` keeps the run's value: cp stays 2.
        #expect(file.runs.first { $0.id == "llama8b" }?.parallel?.cp == 2)
    }

    @Test("misspelt keys, unknown ids and double naming are errors that name them")
    func errors() throws {
        func decodeError(_ entries: String) -> String {
            Self.message { _ = try RunOverrides.decode(Self.overrides(entries)) }
        }
        #expect(decodeError(#"{"ids": ["a"], "source": "s", "training": {"recompute_module": ["mlp"]}}"#)
            .contains("'training.recompute_module' is not a runs-file training field"))
        #expect(decodeError(#"{"ids": ["a"], "source": "s", "parallel": {"tensor_parallel": 2}}"#)
            .contains("'parallel.tensor_parallel'"))
        #expect(decodeError(#"{"ids": ["a"], "source": "s", "settings": {"cuda_graph": true}}"#)
            .contains("cuda_graph"))
        #expect(decodeError(#"{"ids": ["a"], "source": "s", "measured": {"step_time_s": 1}}"#)
            .contains("'measured' is not an entry member"))
        #expect(decodeError(#"{"ids": ["a"], "settings": {"cuda_graphs": true}}"#).contains("source"))
        #expect(decodeError(#"{"ids": ["a"], "source": "  ", "settings": {"cuda_graphs": true}}"#)
            .contains("must say where the values come from"))
        #expect(decodeError(#"{"ids": [], "source": "s", "settings": {"cuda_graphs": true}}"#)
            .contains("at least one run id"))
        #expect(decodeError(#"{"ids": ["a"], "source": "s"}"#).contains("states no settings"))
        #expect(Self.message { _ = try RunOverrides.decode(Array(#"{"schema": "pdcost.runs/1", "overrides": []}"#.utf8)) }
            .contains("schema='pdcost.runs/1' is not pdcost.run-overrides/1"))
        #expect(Self.message { _ = try RunOverrides.decode(Self.overrides("")) }.contains("overrides is empty"))

        func applyError(_ entries: String) throws -> String {
            var file = try MeasuredRunsFile.decode(Array(Self.runs.utf8))
            let document = try RunOverrides.decode(Self.overrides(entries))
            return Self.message { try document.apply(to: &file) }
        }
        #expect(try applyError(#"{"ids": ["llama9b"], "source": "s", "settings": {"cuda_graphs": true}}"#)
            == "overrides[0].ids: no run in the runs file has id 'llama9b'")
        #expect(try applyError("""
            {"ids": ["llama8b"], "source": "s", "settings": {"cuda_graphs": true}},
            {"ids": ["badplan", "llama8b"], "source": "t", "settings": {"cuda_graphs": false}}
            """) == "run 'llama8b' is named by overrides[0] and overrides[1]; name each run once")
        #expect(try applyError(#"{"ids": ["infer"], "source": "s", "settings": {"cuda_graphs": true}}"#)
            .contains("'infer' is an inference record"))
        #expect(try applyError(#"{"ids": ["broken"], "source": "s", "settings": {"cuda_graphs": true}}"#)
            .contains("'broken' did not decode"))
    }
}
