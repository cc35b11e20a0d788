import FoundationEssentials

/// A settings struct that JSON carries as one object whose keys are the rows of its table
/// (framework settings for training, engine settings for serving). Reading is shared: a key
/// left out or `null` is "not stated"; an unknown key, or a value of the wrong type or range,
/// is an error naming `<prefix>.<key>` and the value.
protocol SettingsDocument: Decodable {
    init()
    /// The key prefix messages use ("settings", "serving").
    static var keyPrefix: String { get }
    /// What one key is called in the unknown-key message ("setting", "serving setting").
    static var keyNoun: String { get }
    /// Every key, in table order.
    static var tableKeys: [String] { get }
    /// The kind of `key`, nil when the table has no such row.
    static func kind(of key: String) -> FrameworkSettingField.Kind?
    /// Sets `key` through its row, checking the value.
    mutating func assign(_ key: String, _ value: SettingValue) throws(PDCostError)
}

struct SettingsKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension SettingsDocument {
    /// Reads the object; a bad key or value is reported as a decoding error (so a measured run
    /// with a bad setting is skipped with the reason, not the whole file) carrying the
    /// `PDCostError` whose message names key and value.
    init(settingsFrom decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: SettingsKey.self)
        do {
            for key in c.allKeys {
                guard let kind = Self.kind(of: key.stringValue) else {
                    throw PDCostError.invalidArgument("\(Self.keyPrefix).\(key.stringValue) is not a known \(Self.keyNoun); known: "
                                                      + Self.tableKeys.joined(separator: ", "))
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
                    throw PDCostError.invalidArgument("\(Self.keyPrefix).\(key.stringValue) must be \(kind.typeName), not an array or object")
                }
                try assign(key.stringValue, value)
            }
        } catch let error as PDCostError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: error.message, underlyingError: error))
        }
    }

    /// Parses an object from JSON bytes (the C ABI's, Python's and the CLI's form); empty input
    /// means no settings. `what` names the document in parse errors.
    static func decodeDocument(json bytes: some Collection<UInt8>, what: String) throws(PDCostError) -> Self {
        if bytes.isEmpty { return Self() }
        try JSONReader.check(bytes, what: what)
        do {
            return try JSONDecoder().decode(Self.self, from: Data(bytes))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, let own = context.underlyingError as? PDCostError {
                throw own
            }
            throw .parse("\(what): " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("\(what): \(error)")
        }
    }
}

extension FrameworkSettingField.Kind {
    /// The row's type description in the `*_fields_json` tables: `"type"` and its range or
    /// choices.
    var jsonDescription: [(key: String, value: JSONValue)] {
        switch self {
        case .bool: [("type", "bool")]
        case .number(let r):
            [("type", "number"), ("minimum", .number(JSONWriter.rounded6(r.lowerBound))),
             ("maximum", .number(JSONWriter.rounded6(r.upperBound)))]
        case .integer(let r): [("type", "integer"), ("minimum", .int(r.lowerBound)), ("maximum", .int(r.upperBound))]
        case .choice(let options): [("type", "choice"), ("choices", .array(options.map(JSONValue.string)))]
        case .text: [("type", "string")]
        }
    }
}
