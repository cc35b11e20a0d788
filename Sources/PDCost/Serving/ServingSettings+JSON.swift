import FoundationEssentials

/// JSON form of the serving-engine settings, driven by `ServingSettings.fields`: a key left out
/// or `null` is "not stated" (the engine's default applies); an unknown key, or a value of the
/// wrong type or range, is an error naming the key and the value (`serving.<key>`).
extension ServingSettings: Decodable, SettingsDocument {
    static var keyPrefix: String { "serving" }
    static var keyNoun: String { "serving setting" }
    static var tableKeys: [String] { fields.map(\.key) }
    static func kind(of key: String) -> FrameworkSettingField.Kind? { field(key)?.kind }

    mutating func assign(_ key: String, _ value: SettingValue) throws(PDCostError) {
        try Self.field(key)?.set(&self, value)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(settingsFrom: decoder)
    }

    /// Parses a settings object from JSON bytes (the C ABI's, Python's and the CLI's form).
    /// Empty input means no settings.
    public static func decode(json bytes: some Collection<UInt8>) throws(PDCostError) -> ServingSettings {
        try decodeDocument(json: bytes, what: "serving settings")
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
            row += f.kind.jsonDescription
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
