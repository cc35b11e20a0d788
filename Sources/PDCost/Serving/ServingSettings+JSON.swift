import FoundationEssentials

/// JSON form of the serving-engine settings, driven by `ServingSettings.fields`: a key left out
/// or `null` is "not stated" (the engine's default applies); an unknown key, or a value of the
/// wrong type or range, is an error naming the key and the value (`serving.<key>`).
extension ServingSettings: Decodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: Key.self)
        do {
            try read(c)
        } catch let error as PDCostError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: error.message, underlyingError: error))
        }
    }

    private mutating func read(_ c: KeyedDecodingContainer<Key>) throws {
        for key in c.allKeys {
            guard let field = Self.field(key.stringValue) else {
                throw PDCostError.invalidArgument("serving.\(key.stringValue) is not a known serving setting; known: "
                                                  + Self.fields.map(\.key).joined(separator: ", "))
            }
            if try c.decodeNil(forKey: key) { continue }
            let value: SettingValue
            if let b = try? c.decode(Bool.self, forKey: key) {
                value = .bool(b)
            } else if let i = try? c.decode(Int.self, forKey: key) {
                value = .integer(i)
            } else if let x = try? c.decode(Double.self, forKey: key) {
                value = .number(x)
            } else if let s = try? c.decode(String.self, forKey: key) {
                value = .text(s)
            } else {
                throw PDCostError.invalidArgument("serving.\(key.stringValue) must be \(field.kind.typeName), not an array or object")
            }
            try field.set(&self, value)
        }
    }

    /// Parses a settings object from JSON bytes (the C ABI's, Python's and the CLI's form).
    /// Empty input means no settings.
    public static func decode(json bytes: some Collection<UInt8>) throws(PDCostError) -> ServingSettings {
        if bytes.isEmpty { return ServingSettings() }
        try JSONReader.check(bytes, what: "serving settings")
        let data = Data(bytes)
        do {
            return try JSONDecoder().decode(ServingSettings.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, let own = context.underlyingError as? PDCostError {
                throw own
            }
            throw .parse("serving settings: " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("serving settings: \(error)")
        }
    }

    /// The stated keys as a JSON object, in table order (`{}` when none is stated).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object(Self.fields.compactMap { f in f.get(self).map { (key: f.key, value: $0.jsonValue) } })
    }

    /// What a deployment prices under: `{"engine", "given": {the stated keys}, "defaulted":
    /// {every other key: the engine's default on this GPU, or null (no such limit)}}`.
    package func resolvedJSONValue(engine: ServingEngine, gpu: GPUSpec) -> JSONValue {
        let defaults = Self.defaults(engine: engine, gpu: gpu)
        var given: [(key: String, value: JSONValue)] = []
        var defaulted: [(key: String, value: JSONValue)] = []
        for field in Self.fields {
            if let stated = field.get(self) {
                given.append((field.key, stated.jsonValue))
            } else {
                defaulted.append((field.key, field.get(defaults)?.jsonValue ?? .null))
            }
        }
        return .object([("engine", .string(engine.rawValue)), ("given", .object(given)),
                        ("defaulted", .object(defaulted))])
    }

    /// `resolvedJSONValue` as compact JSON.
    public func resolvedJSON(engine: ServingEngine, gpu: GPUSpec) -> String {
        JSONWriter.document(resolvedJSONValue(engine: engine, gpu: gpu), layout: .compact, newline: false)
    }

    /// The GPU the table's `defaults` are stated for (some engine defaults depend on GPU
    /// memory; `pdcost_serving_predict_json` reports the ones a deployment used).
    public static let fieldsReferenceGPU = "H100-SXM-80GB"

    /// The table as JSON, for the C ABI and the doors built from it: `[{"key", "type",
    /// "choices"|"minimum"/"maximum", "summary", "not_modelled", "defaults": {engine: its
    /// default on the reference GPU, or null}}]`, one row per line.
    public static func fieldsJSON() -> String {
        let gpu = (try? GPUPresets.named(fieldsReferenceGPU)) ?? GPUPresets.h100SXM80GB
        let engineDefaults = ServingEngine.allCases.map { ($0, defaults(engine: $0, gpu: gpu)) }
        let rows = fields.map { f -> JSONValue in
            var row: [(key: String, value: JSONValue)] = [("key", .string(f.key))]
            switch f.kind {
            case .bool: row.append(("type", "bool"))
            case .number(let r):
                row += [("type", "number"), ("minimum", .number(JSONWriter.rounded6(r.lowerBound))),
                        ("maximum", .number(JSONWriter.rounded6(r.upperBound)))]
            case .integer(let r):
                row += [("type", "integer"), ("minimum", .int(r.lowerBound)), ("maximum", .int(r.upperBound))]
            case .choice(let options):
                row += [("type", "choice"), ("choices", .array(options.map(JSONValue.string)))]
            case .text: row.append(("type", "string"))
            }
            row.append(("summary", .string(f.summary)))
            row.append(("not_modelled", .optional(f.notModelled) { .string($0) }))
            row.append(("defaults", .object(engineDefaults.map { engine, d in
                (key: engine.rawValue, value: f.get(d)?.jsonValue ?? .null)
            })))
            return .object(row)
        }
        return JSONWriter.document(.array(rows), layout: .expanded(levels: 1))
    }
}
