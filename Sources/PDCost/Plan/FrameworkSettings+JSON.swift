import FoundationEssentials

/// JSON form of the settings: the `settings` object of SCHEMA.md. Reading is driven by
/// `FrameworkSettings.fields`: `null` is "not stated", an unknown key or a value of the wrong
/// type or range is an error that names the key and the value.
extension FrameworkSettings: Decodable {
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
            // Reported as a decoding error (so a measured run with a bad setting is skipped
            // with the reason, not the whole file); the message names key and value.
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: error.message, underlyingError: error))
        }
    }

    private mutating func read(_ c: KeyedDecodingContainer<Key>) throws {
        for key in c.allKeys {
            guard let field = Self.field(key.stringValue) else {
                throw PDCostError.invalidArgument("settings.\(key.stringValue) is not a known setting; known: "
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
                throw PDCostError.invalidArgument("settings.\(key.stringValue) must be \(field.typeName), not an array or object")
            }
            try field.set(&self, value)
        }
    }

    /// Parses a settings object from JSON bytes (the C ABI's and the CLI's form). Empty input
    /// means no settings.
    public static func decode(json bytes: some Collection<UInt8>) throws(PDCostError) -> FrameworkSettings {
        if bytes.isEmpty { return FrameworkSettings() }
        try JSONReader.check(bytes, what: "settings")
        let data = Data(bytes)
        do {
            return try JSONDecoder().decode(FrameworkSettings.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, let own = context.underlyingError as? PDCostError {
                throw own
            }
            throw .parse("settings: " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("settings: \(error)")
        }
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
            row.append(("defaults", .object(FrameworkProfile.Kind.allCases.map { kind in
                (key: kind.rawValue, value: FrameworkProfile.preset(kind).effectiveSetting(f.key)?.jsonValue ?? .null)
            })))
            row.append(("not_modelled", .optional(f.notModelled) { .string($0) }))
            return .object(row)
        }
        return JSONWriter.document(.array(rows), layout: .expanded(levels: 1))
    }
}
