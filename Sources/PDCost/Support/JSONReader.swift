// The one gate every JSON input of pdcost passes (model configs, measured-runs files,
// calibration profiles, settings objects, the C ABI's JSON arguments) before Foundation's
// JSONDecoder maps it onto Swift types. One linear pass over the bytes, which:
// - checks the whole RFC 8259 grammar and UTF-8, and reports a syntax error with its line and
//   column (1-based; columns count characters): `model config: invalid JSON at line 12,
//   column 7: expected ',' or '}' after an object member`;
// - rejects a key repeated in one object, naming its path and both positions: Python's json
//   and Hugging Face keep the last value, Foundation's decoder the first, so a config with a
//   repeated key means different things to different readers; refusing it is the only
//   answer that agrees with both;
// - rejects a number that does not fit a Double (`1e400`), which would otherwise read as
//   infinity;
// - limits nesting to `maxDepth`: FoundationEssentials' JSONDecoder (swift-foundation, Swift
//   6.3.1) traps on a document that ends exactly where it exceeds its own limit of 512 (e.g. 513
//   bytes of "["), so no document that deep may reach it. A config.json is a few levels deep.
package enum JSONReader {
    package static let maxDepth = PDCostLimits.jsonDepth.maximum

    /// Checks `bytes`; `what` names the document in the error ("model config",
    /// "measured-runs file"). Throws `.parse` with the position of the first problem.
    package static func check(_ bytes: some Collection<UInt8>, what: String) throws(PDCostError) {
        let result = bytes.withContiguousStorageIfAvailable { scan($0, what: what) }
            ?? Array(bytes).withUnsafeBufferPointer { scan($0, what: what) }
        if let result { throw result }
    }

    private static func scan(_ buffer: UnsafeBufferPointer<UInt8>, what: String) -> PDCostError? {
        var scanner = Scanner(bytes: buffer, what: what)
        do throws(PDCostError) {
            try scanner.document()
        } catch {
            return error
        }
        return nil
    }

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        let what: String
        var i = 0
        var line = 1
        var lineStart = 0
        var depth = 0
        var path: [PathComponent] = []

        init(bytes: UnsafeBufferPointer<UInt8>, what: String) {
            b = bytes
            self.what = what
        }

        // MARK: positions and errors

        /// (line, column) of byte `offset` on the current line (column in characters).
        func position(_ offset: Int, line: Int, lineStart: Int) -> (line: Int, column: Int) {
            var column = 1
            var k = lineStart
            while k < offset && k < b.count {
                if b[k] & 0xC0 != 0x80 { column += 1 }
                k += 1
            }
            return (line, column)
        }

        func here(_ offset: Int? = nil) -> String {
            let p = position(offset ?? i, line: line, lineStart: lineStart)
            return "line \(p.line), column \(p.column)"
        }

        func fail(_ message: String, at offset: Int? = nil) -> PDCostError {
            .parse("\(what): invalid JSON at \(here(offset)): \(message)")
        }

        /// The character at `i` for a message: `'x'`, or `U+000A`, or `byte 0xFF`.
        func found() -> String {
            guard i < b.count else { return "the end of the input" }
            let c = b[i]
            if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            if c < 0x80 { return c == 0x20 ? "a space" : "U+" + hex(UInt32(c), 4) }
            if let length = utf8Length(at: i), let text = String(validating: UnsafeBufferPointer(rebasing: b[i..<(i + length)]), as: UTF8.self) {
                return "'\(text)'"
            }
            return "invalid UTF-8 (byte 0x" + hex(UInt32(c), 2) + ")"
        }

        func hex(_ v: UInt32, _ width: Int) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }

        var pathText: String {
            var out = ""
            for component in path {
                switch component {
                case .key(let k): out += out.isEmpty ? k : "." + k
                case .index(let n): out += "[\(n)]"
                }
            }
            return out
        }

        // MARK: grammar

        mutating func document() throws(PDCostError) {
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
                throw fail("the document starts with a UTF-8 byte order mark; save it without one")
            }
            skipSpace()
            try value()
            skipSpace()
            if i < b.count { throw fail("unexpected \(found()) after the JSON value") }
        }

        mutating func skipSpace() {
            while i < b.count {
                switch b[i] {
                case 0x20, 0x09, 0x0D: i += 1
                case 0x0A: i += 1; line += 1; lineStart = i
                default: return
                }
            }
        }

        mutating func value() throws(PDCostError) {
            guard i < b.count else { throw fail("unexpected end of input, expected a value") }
            switch b[i] {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): _ = try string(keepBytes: false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw fail("unexpected \(found()): NaN and Infinity are not JSON numbers")
            default:
                throw fail("unexpected \(found()), expected a value")
            }
        }

        mutating func enter() throws(PDCostError) {
            depth += 1
            if depth > JSONReader.maxDepth {
                throw fail("nested deeper than \(JSONReader.maxDepth) levels")
            }
        }

        mutating func object() throws(PDCostError) {
            try enter()
            i += 1
            // Where each key starts (byte offset and its line); columns are counted only for a
            // message, so a long single-line document stays linear.
            var seen: [[UInt8]: (offset: Int, line: Int, lineStart: Int)] = [:]
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") {
                i += 1
                depth -= 1
                return
            }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else {
                    if i < b.count, b[i] == UInt8(ascii: "}") { throw fail("trailing comma before '}'") }
                    throw fail("expected a string key, found \(found())")
                }
                let keyAt = (offset: i, line: line, lineStart: lineStart)
                let key = try string(keepBytes: true)
                let keyText = String(decoding: key, as: UTF8.self)
                if let first = seen[key] {
                    path.append(.key(keyText))
                    let name = pathText
                    path.removeLast()
                    let now = position(keyAt.offset, line: keyAt.line, lineStart: keyAt.lineStart)
                    let then = position(first.offset, line: first.line, lineStart: first.lineStart)
                    throw .parse("\(what): duplicate key '\(name)' at line \(now.line), column \(now.column) "
                                 + "(first at line \(then.line), column \(then.column)); "
                                 + "every key may appear once in an object")
                }
                seen[key] = keyAt
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else {
                    throw fail("expected ':' after the key '\(keyText)', found \(found())")
                }
                i += 1
                skipSpace()
                path.append(.key(keyText))
                try value()
                path.removeLast()
                skipSpace()
                guard i < b.count else { throw fail("unexpected end of input, expected ',' or '}'") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}' after an object member, found \(found())")
            }
            depth -= 1
        }

        mutating func array() throws(PDCostError) {
            try enter()
            i += 1
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") {
                i += 1
                depth -= 1
                return
            }
            var index = 0
            while true {
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
                path.append(.index(index))
                try value()
                path.removeLast()
                index += 1
                skipSpace()
                guard i < b.count else { throw fail("unexpected end of input, expected ',' or ']'") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; break }
                throw fail("expected ',' or ']' after an array element, found \(found())")
            }
            depth -= 1
        }

        mutating func literal(_ word: StaticString) throws(PDCostError) {
            let start = i
            let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for expected in text {
                guard i < b.count, b[i] == expected else {
                    throw fail("unexpected \(found()), expected '\(word)'", at: i < b.count ? i : start)
                }
                i += 1
            }
        }

        func isDigit(_ k: Int) -> Bool { k < b.count && b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "9") }

        mutating func number() throws(PDCostError) {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw fail("expected a digit after '-', found \(found())") }
            if b[i] == UInt8(ascii: "0") {
                i += 1
                if isDigit(i) { throw fail("a number may not have a leading zero", at: start) }
            } else {
                while isDigit(i) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard isDigit(i) else { throw fail("expected a digit after '.', found \(found())") }
                while isDigit(i) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard isDigit(i) else { throw fail("expected a digit in the exponent, found \(found())") }
                while isDigit(i) { i += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            if let x = Double(text), !x.isFinite {
                throw fail("number \(text) is too large for a 64-bit float", at: start)
            }
        }

        /// Length of the valid UTF-8 sequence starting at `k`, nil if it is not one.
        func utf8Length(at k: Int) -> Int? {
            let c = b[k]
            func cont(_ j: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { j < b.count && range.contains(b[j]) }
            switch c {
            case 0x00...0x7F: return 1
            case 0xC2...0xDF: return cont(k + 1) ? 2 : nil
            case 0xE0: return cont(k + 1, 0xA0...0xBF) && cont(k + 2) ? 3 : nil
            case 0xE1...0xEC, 0xEE...0xEF: return cont(k + 1) && cont(k + 2) ? 3 : nil
            case 0xED: return cont(k + 1, 0x80...0x9F) && cont(k + 2) ? 3 : nil
            case 0xF0: return cont(k + 1, 0x90...0xBF) && cont(k + 2) && cont(k + 3) ? 4 : nil
            case 0xF1...0xF3: return cont(k + 1) && cont(k + 2) && cont(k + 3) ? 4 : nil
            case 0xF4: return cont(k + 1, 0x80...0x8F) && cont(k + 2) && cont(k + 3) ? 4 : nil
            default: return nil
            }
        }

        /// Scans a string at `i` (on its opening quote); returns its decoded UTF-8 bytes when
        /// `keepBytes` (for keys), else an empty array.
        mutating func string(keepBytes: Bool) throws(PDCostError) -> [UInt8] {
            let open = i
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("unterminated string (it starts here)", at: open) }
                let c = b[i]
                switch c {
                case UInt8(ascii: "\""):
                    i += 1
                    return out
                case UInt8(ascii: "\\"):
                    i += 1
                    guard i < b.count else { throw fail("unterminated string (it starts here)", at: open) }
                    let e = b[i]
                    var decoded: UInt8?
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = e
                    case UInt8(ascii: "b"): decoded = 0x08
                    case UInt8(ascii: "f"): decoded = 0x0C
                    case UInt8(ascii: "n"): decoded = 0x0A
                    case UInt8(ascii: "r"): decoded = 0x0D
                    case UInt8(ascii: "t"): decoded = 0x09
                    case UInt8(ascii: "u"):
                        let scalar = try unicodeEscape()
                        if keepBytes { out.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                        continue
                    default:
                        throw fail("invalid escape '\\\(found().trimmingQuotes)' in a string", at: i - 1)
                    }
                    if keepBytes, let decoded { out.append(decoded) }
                    i += 1
                case 0x00..<0x20:
                    throw fail("control character \(found()) in a string must be escaped")
                case 0x20..<0x80:
                    if keepBytes { out.append(c) }
                    i += 1
                default:
                    guard let length = utf8Length(at: i) else { throw fail("\(found()) in a string") }
                    if keepBytes { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + length)])) }
                    i += length
                }
            }
        }

        /// `\uXXXX` (with `i` on the `u`), a surrogate pair taking two escapes.
        mutating func unicodeEscape() throws(PDCostError) -> Unicode.Scalar {
            let at = i - 1
            let high = try hex4()
            if (0xDC00...0xDFFF).contains(high) { throw fail("invalid \\u escape: a lone low surrogate", at: at) }
            if (0xD800...0xDBFF).contains(high) {
                guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                    throw fail("invalid \\u escape: a high surrogate without its low half", at: at)
                }
                i += 1
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail("invalid \\u escape: a high surrogate without its low half", at: at)
                }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw fail("invalid \\u escape", at: at) }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw fail("invalid \\u escape", at: at) }
            return scalar
        }

        /// The four hex digits after `u` (with `i` on the `u`); leaves `i` after them.
        mutating func hex4() throws(PDCostError) -> UInt32 {
            i += 1
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard i < b.count else { throw fail("unterminated \\u escape") }
                let c = b[i]
                let digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw fail("expected 4 hex digits after \\u, found \(found())")
                }
                v = v << 4 | digit
                i += 1
            }
            return v
        }
    }
}

private extension String {
    var trimmingQuotes: String {
        hasPrefix("'") && hasSuffix("'") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
