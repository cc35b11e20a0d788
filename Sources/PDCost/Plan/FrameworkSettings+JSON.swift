import FoundationEssentials

/// JSON form of the settings: the `settings` object of SCHEMA.md. Reading is driven by
/// `FrameworkSettings.fields`: `null` is "not stated", an unknown key or a value of the wrong
/// type or range is an error that names the key and the value.
extension FrameworkSettings: Decodable, SettingsDocument {
    static var keyPrefix: String { "settings" }
    static var keyNoun: String { "setting" }
    static var tableKeys: [String] { fields.map(\.key) }
    static func kind(of key: String) -> FrameworkSettingField.Kind? { field(key)?.kind }

    mutating func assign(_ key: String, _ value: SettingValue) throws(PDCostError) {
        try Self.field(key)?.set(&self, value)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(settingsFrom: decoder)
    }

    /// Parses a settings object from JSON bytes (the C ABI's and the CLI's form). Empty input
    /// means no settings.
    public static func decode(json bytes: some Collection<UInt8>) throws(PDCostError) -> FrameworkSettings {
        try decodeDocument(json: bytes, what: "settings")
    }

    /// The stated keys as a JSON object, in table order (`{}` when none is stated).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object(Self.fields.compactMap { f in f.get(self).map { (key: f.key, value: $0.jsonValue) } })
    }

    /// The table as JSON, for the C ABI and the doors built from it:
    /// `[{"key", "type", "choices"|"minimum"/"maximum", "summary", "defaults": {framework:
    /// the value its preset uses, or null}, "not_modelled"}]`, one row per line.
    public static func fieldsJSON() -> String {
        let rows = fields.map { f -> JSONValue in
            var row: [(key: String, value: JSONValue)] = [("key", .string(f.key))]
            row += f.kind.jsonDescription
            row.append(("summary", .string(f.summary)))
            row.append(("defaults", .object(FrameworkProfile.Kind.allCases.map { kind in
                (key: kind.rawValue, value: FrameworkProfile.preset(kind).effectiveSetting(f.key)?.jsonValue ?? .null)
            })))
            row.append(("not_modelled", .optional(f.notModelled) { .string($0) }))
            return .object(row)
        }
        return JSONWriter.document(.array(rows), layout: .expanded(levels: 1))
    }
}
