// Defence in depth for the "no input crashes the host" promise: FoundationEssentials'
// JSONDecoder (swift-foundation, Swift 6.3.1) traps on a document that ends exactly where it
// exceeds its nesting limit of 512 (e.g. 513 bytes of "["), while building the error's source
// location. A config.json is a few levels deep, so documents nested deeper than `maxDepth`
// are rejected here, before the decoder sees them; every JSON decoder of the core calls it, so
// the Swift API is as safe as the C boundary. The scan is linear and allocation-free.
package enum JSONDepthGuard {
    package static let maxDepth = PDCostLimits.jsonDepth.maximum

    /// `what` names the document in the error ("model config", "measured-runs file").
    package static func check(_ bytes: some Sequence<UInt8>, what: String = "model config") throws(PDCostError) {
        var depth = 0
        var inString = false
        var escaped = false
        var offset = 0
        for byte in bytes {
            defer { offset += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth {
                    throw .parse("\(what): invalid JSON: nested deeper than \(maxDepth) levels at byte \(offset)")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
    }
}
