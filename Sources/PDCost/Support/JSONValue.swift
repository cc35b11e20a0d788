/// A JSON document as a value: what every document pdcost writes is built as, then turned
/// into text by `JSONWriter` (the one place that formats numbers and strings). Objects keep
/// their members in the order given, so a document's layout is decided where it is built;
/// Codable types reach this form through `JSONValueEncoder`, with sorted keys.
package indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case uint(UInt64)
    /// A Double; a non-finite one is never written as such (see `JSONWriter`).
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// `null` for nil, else the value made by `make`.
    package static func optional<T>(_ x: T?, _ make: (T) -> JSONValue) -> JSONValue {
        x.map(make) ?? .null
    }

    /// The member `key` of an object (the first, should a builder have repeated it).
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
}
