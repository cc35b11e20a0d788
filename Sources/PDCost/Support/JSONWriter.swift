/// The one JSON writer of pdcost: every document the library, the C ABI and the CLI write
/// (predictions, search results, validation reports, settings, profiles, presets, calibration
/// reports) is a `JSONValue` turned into text here, so numbers and strings are formatted in
/// one way and a non-finite number can never leak out as a bare `inf` or `nan`.
///
/// Numbers: an integral Double below 10^15 in magnitude is written as an integer, any other
/// finite Double as Swift's `description` (the shortest text that reads back as the same
/// Double), so a value read back from JSON is bit-identical to the one computed.
///
/// Non-finite numbers (the policy stated in pdcost.h, "JSON output"):
/// - a result document (`document(_:)`: a prediction, a search, a validation or calibration
///   report) writes `null` for a derived quantity that overflowed and adds a top-level
///   `"warnings"` array naming each such field;
/// - a document that echoes input (`encode(_:what:)` with `.fail`: a profile, a model, a
///   preset table) refuses to write and names the field, because the value can only come
///   from an input that should have been rejected.
package enum JSONWriter {
    /// How far a document is spread over lines.
    package enum Layout: Sendable {
        /// One line: `{"a": 1, "b": [1, 2]}`.
        case compact
        /// Containers at nesting depth below `levels` have one member per line (indented by two
        /// spaces); deeper ones are written compactly on their member's line.
        case expanded(levels: Int)

        /// Every container expanded.
        package static let pretty = Layout.expanded(levels: .max)
    }

    /// What to do with a non-finite number.
    package enum NonFinite: Sendable {
        /// Write `null` and add a `"warnings"` entry naming the field (result documents).
        case nullWithWarning
        /// Throw `.invalidArgument` naming the field (documents that echo input).
        case fail
    }

    // MARK: - Scalars

    /// JSON text of a finite Double (see the type's comment); nil for NaN and infinities.
    package static func number(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A Double for a message: the JSON text, or `inf`/`-inf`/`nan`.
    package static func describe(_ x: Double) -> String {
        number(x) ?? (x.isNaN ? "nan" : x < 0 ? "-inf" : "inf")
    }

    /// `x` rounded to 6 decimals (for presentation values such as percentages and GiB);
    /// values too large to carry decimals are returned unchanged.
    package static func rounded6(_ x: Double) -> Double {
        guard x.isFinite, abs(x) < 1e15 else { return x }
        return (x * 1e6).rounded() / 1e6
    }

    /// A quoted JSON string: `"`, `\` and control characters escaped, everything else as is.
    package static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Documents

    /// A result document: non-finite numbers become `null`, each named in a top-level
    /// `"warnings"` array (appended to one the document already has). `newline` ends the text
    /// with a line feed.
    package static func document(_ value: JSONValue, layout: Layout = .pretty, newline: Bool = true) -> String {
        var renderer = Renderer(layout: layout)
        renderer.write(value, depth: 0, path: "")
        if !renderer.nonFinite.isEmpty, case .object(var members) = value {
            let notes = renderer.nonFinite.map { JSONValue.string("\($0.path) is not a finite number (\($0.value)); written as null") }
            if let i = members.firstIndex(where: { $0.key == "warnings" }), case .array(let old) = members[i].value {
                members[i].value = .array(old + notes)
            } else {
                members.append((key: "warnings", value: .array(notes)))
            }
            renderer = Renderer(layout: layout)
            renderer.write(.object(members), depth: 0, path: "")
        }
        return renderer.out + (newline ? "\n" : "")
    }

    /// A document of either policy. With `.fail` a non-finite number throws
    /// `.invalidArgument("<what>: field '<path>' is not a finite number (inf)")`; a document
    /// whose top level is not an object cannot carry warnings, so it fails that way too.
    package static func write(_ value: JSONValue, what: String, nonFinite: NonFinite,
                              layout: Layout = .pretty, newline: Bool = false) throws(PDCostError) -> String {
        var renderer = Renderer(layout: layout)
        renderer.write(value, depth: 0, path: "")
        guard let first = renderer.nonFinite.first else { return renderer.out + (newline ? "\n" : "") }
        if case .nullWithWarning = nonFinite, case .object = value {
            return document(value, layout: layout, newline: newline)
        }
        throw .invalidArgument("\(what): field '\(first.path.isEmpty ? "<root>" : first.path)' is not a finite number (\(first.value))")
    }

    /// An Encodable value (keys sorted, optionally converted to snake_case as Foundation's
    /// `.convertToSnakeCase` does) written by the same writer.
    package static func encode(_ value: some Encodable, what: String, snakeCaseKeys: Bool = false,
                               nonFinite: NonFinite = .fail, layout: Layout = .pretty) throws(PDCostError) -> String {
        let tree: JSONValue
        do {
            tree = try JSONValueEncoder(snakeCaseKeys: snakeCaseKeys).encode(value)
        } catch {
            throw .internalError("could not encode the \(what): \(error)")
        }
        return try write(tree, what: what, nonFinite: nonFinite, layout: layout)
    }

    private struct Renderer {
        let layout: Layout
        var out = ""
        var nonFinite: [(path: String, value: String)] = []

        init(layout: Layout) { self.layout = layout }

        private func expands(_ depth: Int) -> Bool {
            switch layout {
            case .compact: false
            case .expanded(let levels): depth < levels
            }
        }

        mutating func write(_ value: JSONValue, depth: Int, path: String) {
            switch value {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .uint(let u): out += String(u)
            case .number(let x):
                if let text = JSONWriter.number(x) {
                    out += text
                } else {
                    nonFinite.append((path.isEmpty ? "<root>" : path, JSONWriter.describe(x)))
                    out += "null"
                }
            case .string(let s): out += JSONWriter.string(s)
            case .array(let items):
                guard !items.isEmpty else { out += "[]"; return }
                let expand = expands(depth)
                out += "["
                for (i, item) in items.enumerated() {
                    separator(first: i == 0, expand: expand, depth: depth)
                    write(item, depth: depth + 1, path: path + "[\(i)]")
                }
                close("]", expand: expand, depth: depth)
            case .object(let members):
                guard !members.isEmpty else { out += "{}"; return }
                let expand = expands(depth)
                out += "{"
                for (i, member) in members.enumerated() {
                    separator(first: i == 0, expand: expand, depth: depth)
                    out += JSONWriter.string(member.key) + ": "
                    write(member.value, depth: depth + 1, path: path.isEmpty ? member.key : path + "." + member.key)
                }
                close("}", expand: expand, depth: depth)
            }
        }

        private mutating func separator(first: Bool, expand: Bool, depth: Int) {
            if expand {
                out += (first ? "\n" : ",\n") + String(repeating: "  ", count: depth + 1)
            } else if !first {
                out += ", "
            }
        }

        private mutating func close(_ bracket: String, expand: Bool, depth: Int) {
            if expand { out += "\n" + String(repeating: "  ", count: depth) }
            out += bracket
        }
    }
}
