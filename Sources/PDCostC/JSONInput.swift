import CPDCost
import PDCost

/// Checks a caller's `(const char *json, size_t length)` pair and returns its bytes. The core
/// decoder each caller hands them to checks the JSON itself (`JSONReader`: syntax with line and
/// column, nesting, duplicate keys) before anything parses it. `parameter` names the pointer in
/// messages; `document` says what the bytes are ("model JSON document", "runs file").
func borrowedJSON(_ pointer: UnsafePointer<CChar>?, length: Int, parameter: String,
                  document: String) throws -> UnsafeRawBufferPointer {
    // size_t arrives as Int: a "length" above Int.max shows up negative here.
    let byteCount = UInt(bitPattern: length)
    guard byteCount <= UInt(maxJSONBytes) else {
        throw PDCostError.invalidArgument("length=\(byteCount) exceeds the \(maxJSONBytes >> 20) MiB limit for a \(document)")
    }
    guard pointer != nil || byteCount == 0 else {
        throw PDCostError.invalidArgument("\(parameter)=NULL with length=\(byteCount): pass a buffer of that many bytes")
    }
    return UnsafeRawBufferPointer(start: pointer, count: Int(byteCount))
}
