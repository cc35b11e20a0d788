import Foundation
import Testing
@testable import PDCost

/// The one JSON writer (valid JSON whatever the numbers, exact round trips) and the one
/// JSON reader (positions, duplicate keys, depth), and the validator's measured values.
@Suite("JSON")
struct JSONTests {
    /// Parses with Foundation's JSONSerialization, which rejects `inf`, `nan`, `Infinity`.
    static func strictParse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func parseError(_ text: String, what: String = "model config") -> String? {
        do {
            try JSONReader.check(Array(text.utf8), what: what)
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: writer

    @Test("finite numbers are written exactly and read back bit for bit")
    func numbersRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1e15, 1e15 - 1, 123456789012345.6, 1e300, 1.7976931348623157e308,
                                .leastNonzeroMagnitude, 2.2250738585072014e-308, 1.0 / 3, 12.345678901234567]
        for _ in 0..<2000 { values.append(Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)) }
        for x in values {
            let text = try #require(JSONWriter.number(x))
            let back = try #require(Double(text))
            #expect(back == x, "\(x) → \(text)")
            _ = try Self.strictParse(text)
        }
        #expect(JSONWriter.number(.infinity) == nil)
        #expect(JSONWriter.number(.nan) == nil)
    }

    @Test("a non-finite result becomes null with a warning naming the field")
    func nonFiniteResult() throws {
        let doc: PDCost.JSONValue = .object([("a", .number(1.5)),
                                      ("b", .array([.number(.infinity), .object([("c", .number(-.infinity))])])),
                                      ("d", .number(.nan))])
        for layout in [JSONWriter.Layout.compact, .pretty, .expanded(levels: 1)] {
            let text = JSONWriter.document(doc, layout: layout)
            let parsed = try #require(try Self.strictParse(text) as? [String: Any])
            #expect(parsed["b"] as? [Any] != nil)
            #expect(parsed["d"] is NSNull)
            let warnings = try #require(parsed["warnings"] as? [String])
            #expect(warnings == ["b[0] is not a finite number (inf); written as null",
                                 "b[1].c is not a finite number (-inf); written as null",
                                 "d is not a finite number (nan); written as null"])
        }
        #expect(!JSONWriter.document(.object([("a", 1)])).contains("warnings"))
    }

    @Test("a document that echoes input refuses a non-finite number, naming the field")
    func nonFiniteInput() {
        let doc: PDCost.JSONValue = .object([("gpus", .array([.object([("memory_bytes", .number(.infinity))])]))])
        #expect(throws: PDCostError.invalidArgument("GPU table: field 'gpus[0].memory_bytes' is not a finite number (inf)")) {
            try JSONWriter.write(doc, what: "GPU table", nonFinite: .fail)
        }
    }

    @Test("a prediction that overflowed stays valid JSON")
    func overflowingPrediction() throws {
        var p = Prediction()
        p.stepTime = .infinity
        p.tokensPerSecond = 0
        p.memory.activations = 1e308 * 10
        p.mfu = 0.123456789
        let text = p.json()
        let parsed = try #require(try Self.strictParse(text) as? [String: Any])
        #expect(parsed["step_time_s"] is NSNull)
        #expect((parsed["mfu"] as? NSNumber)?.doubleValue == 0.123456789)
        let warnings = try #require(parsed["warnings"] as? [String])
        #expect(warnings.count == 2)
        #expect(warnings[0].hasPrefix("step_time_s is not a finite number (inf)"))
        #expect(warnings[1].hasPrefix("activation_bytes "))
    }

    @Test("the Codable path writes what Foundation's JSONEncoder writes")
    func codableMatchesFoundation() throws {
        struct Inner: Codable { var fooBar: Double; var optionalValue: Int?; var list: [String?] }
        struct Doc: Codable {
            var zeta: String; var alpha: Inner; var myURLValue: UInt64; var table: [String: Double]
            var nothing: Int?
        }
        let doc = Doc(zeta: "q\"\\\n\u{1}é", alpha: Inner(fooBar: 0.1, optionalValue: nil, list: ["a", nil]),
                      myURLValue: .max, table: ["tf32Flops": 2.5e14, "sm_version": 90], nothing: nil)
        for snake in [false, true] {
            let ours = try JSONWriter.encode(doc, what: "test", snakeCaseKeys: snake)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if snake { encoder.keyEncodingStrategy = .convertToSnakeCase }
            let theirs = String(decoding: try encoder.encode(doc), as: UTF8.self)
            let a = try #require(try Self.strictParse(ours) as? NSDictionary)
            let b = try #require(try Self.strictParse(theirs) as? NSDictionary)
            #expect(a == b, "\(ours)\n\(theirs)")
            // Same keys in the same (sorted) order.
            #expect(ours.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "")
                        == theirs.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: ""))
        }
        for key in ["memoryBytes", "fp32Flops", "myURLProperty", "URL", "a", "aB", "already_snake", "smVersion", "x1Y2"] {
            #expect(JSONValueEncoder.snakeCase(key) == Self.foundationSnake(key), "\(key)")
        }
    }

    static func foundationSnake(_ key: String) -> String {
        struct K: CodingKey {
            var stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        struct One: Encodable {
            var key: String
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: K(stringValue: key))
            }
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let text = (try? encoder.encode(One(key: key))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return String(text.dropFirst(2).prefix { $0 != "\"" })
    }

    // MARK: reader

    @Test("syntax errors name the line and column")
    func syntaxPositions() {
        // Line 3 is `  "b" 2`: the value 2 is at column 7 where ':' belongs.
        #expect(Self.parseError("{\n  \"a\": 1,\n  \"b\" 2\n}")
                    == "model config: invalid JSON at line 3, column 7: expected ':' after the key 'b', found '2'")
        // Missing comma: `"b": 2` on line 3 follows `"a": 1` with no ','.
        #expect(Self.parseError("{\n  \"a\": 1\n  \"b\": 2\n}")
                    == "model config: invalid JSON at line 3, column 3: expected ',' or '}' after an object member, found '\"'")
        #expect(Self.parseError("{\"a\": [1, 2,]}")
                    == "model config: invalid JSON at line 1, column 13: trailing comma before ']'")
        #expect(Self.parseError("{\"a\": 1,}") == "model config: invalid JSON at line 1, column 9: trailing comma before '}'")
        #expect(Self.parseError("") == "model config: invalid JSON at line 1, column 1: unexpected end of input, expected a value")
        #expect(Self.parseError("{\"a\": NaN}")
                    == "model config: invalid JSON at line 1, column 7: unexpected 'N': NaN and Infinity are not JSON numbers")
        #expect(Self.parseError("{\"a\": 1e400}")
                    == "model config: invalid JSON at line 1, column 7: number 1e400 is too large for a 64-bit float")
        #expect(Self.parseError("{\"a\": 01}") == "model config: invalid JSON at line 1, column 7: a number may not have a leading zero")
        #expect(Self.parseError("{\"a\": 1} x") == "model config: invalid JSON at line 1, column 10: unexpected 'x' after the JSON value")
        // Columns count characters: "é" is one column although two bytes.
        #expect(Self.parseError("{\"é\": tru}") == "model config: invalid JSON at line 1, column 10: unexpected '}', expected 'true'")
        #expect(Self.parseError("{\"a\": \"x\ny\"}")
                    == "model config: invalid JSON at line 1, column 9: control character U+000A in a string must be escaped")
        #expect(Self.parseError("\u{FEFF}{}")?.contains("byte order mark") == true)
        #expect(Self.parseError("{\"a\": \"\\q\"}") == "model config: invalid JSON at line 1, column 8: invalid escape '\\q' in a string")
        var bad = Array("{\"a\": \"".utf8); bad += [0xFF]; bad += Array("\"}".utf8)
        #expect(throws: PDCostError.parse("model config: invalid JSON at line 1, column 8: invalid UTF-8 (byte 0xFF) in a string")) {
            try JSONReader.check(bad, what: "model config")
        }
        #expect(Self.parseError(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
                    == "model config: invalid JSON at line 1, column 65: nested deeper than 64 levels")
        #expect(Self.parseError(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(Self.parseError("{\"a\": [1, -2.5e-3, true, false, null, \"\\u00e9\\ud83d\\ude00\"], \"b\": {}}") == nil)
    }

    @Test("a repeated key is rejected with its path and both positions")
    func duplicateKeys() {
        let config = "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 64,\n    \"hidden_size\": 128\n}"
        #expect(throws: PDCostError.parse("model config: duplicate key 'hidden_size' at line 4, column 5 "
                                          + "(first at line 3, column 3); every key may appear once in an object")) {
            try HuggingFaceConfig.decode(Array(config.utf8))
        }
        // The same key in different objects is fine; an escaped spelling of the same key is not.
        #expect(Self.parseError("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}}") == nil)
        #expect(Self.parseError("{\"runs\": [{}, {\"m\": {\"x\": 1, \"\\u0078\": 2}}]}", what: "measured-runs file")
                    == "measured-runs file: duplicate key 'runs[1].m.x' at line 1, column 30 (first at line 1, column 22); "
                    + "every key may appear once in an object")
        #expect(throws: PDCostError.self) { try FrameworkSettings.decode(json: Array("{\"cuda_graphs\": true, \"cuda_graphs\": false}".utf8)) }
    }

    // MARK: measured values

    static func run(_ id: String, measured: String) -> String {
        """
        {"id": "\(id)", "source": "example/repo@abc", "kind": "training",
         "model": {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
                   "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
                   "vocab_size": 128256},
         "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8},
         "parallel": {"tp": 1, "pp": 1, "dp": 8, "cp": 1, "zero_stage": 1},
         "training": {"seq_len": 4096, "micro_batch_size": 1, "global_batch_size": 64, "dtype": "bf16",
                      "recompute": "full"},
         "framework": "megatron", "measured": \(measured), "complete": true}
        """
    }

    @Test("a measured value ≤ 0 or too small to compare is reported per run, never counted")
    func invalidMeasured() throws {
        let file = "{\"schema\": \"pdcost.runs/1\", \"runs\": [" + [
            Self.run("negative", measured: "{\"tokens_per_s_per_gpu\": -5, \"step_time_s\": 10}"),
            Self.run("zero", measured: "{\"tokens_per_s_per_gpu\": 0}"),
            Self.run("tiny", measured: "{\"step_time_s\": 1e-320}"),
            Self.run("huge", measured: "{\"tokens_per_s_per_gpu\": 1e300}"),
        ].joined(separator: ",") + "]}"
        let report = try Validator.validate(json: Array(file.utf8))
        let byID = Dictionary(uniqueKeysWithValues: report.runs.map { ($0.id, $0) })
        #expect(byID["negative"]?.invalid == ["measured.tokens_per_s_per_gpu=-5 must be > 0 and finite"])
        #expect(byID["negative"]?.comparison(.tokensPerSecondPerGPU) == nil)
        #expect(byID["negative"]?.comparison(.stepTime) != nil)
        #expect(byID["zero"]?.invalid == ["measured.tokens_per_s_per_gpu=0 must be > 0 and finite"])
        #expect(byID["tiny"]?.invalid.first?.hasPrefix("measured.step_time_s=1e-320: the error against the prediction") == true)
        let tokens = report.summary(.tokensPerSecondPerGPU)
        #expect(tokens.n == 1)
        #expect(abs((tokens.mape ?? 0) - 100) < 1e-6)
        #expect(report.summary(.stepTime).n == 1)
        let json = try #require(try Self.strictParse(report.json()) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs[0]["invalid"] as? [String] == ["measured.tokens_per_s_per_gpu=-5 must be > 0 and finite"])
        let huge = try #require(runs[3]["tokens_per_s_per_gpu"] as? [String: Any])
        #expect((huge["measured"] as? NSNumber)?.doubleValue == 1e300)
        let text = ValidationRenderer.render(report)
        #expect(text.contains("not compared: measured.tokens_per_s_per_gpu=-5 must be > 0 and finite"))
    }

    @Test("an empty summary is null in JSON and – in the table")
    func emptySummary() throws {
        let report = try Validator.validate(json: Array("{\"schema\": \"pdcost.runs/1\", \"runs\": []}".utf8))
        #expect(report.summary(.stepTime).mape == nil)
        let json = try #require(try Self.strictParse(report.json()) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: [String: Any]])
        #expect(summary["step_time_s"]?["n"] as? Int == 0)
        #expect(summary["step_time_s"]?["mape"] is NSNull)
        #expect(summary["step_time_s"]?["complete_mape"] is NSNull)
        #expect(summary["step_time_s"]?["max_abs_pct"] is NSNull)
        let text = ValidationRenderer.render(report)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("step_time_s ") })
        #expect(line.split(separator: " ") == ["step_time_s", "0", "–", "–", "0", "–"])
    }
}
