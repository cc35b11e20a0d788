#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// Strings across the boundary: borrowing the caller's `const char *` inputs (checked for NULL
// and UTF-8) and handing out library-allocated `char *` results that only
// pdcost_string_free() releases (one allocator per side).

/// Longest caller string echoed back in an error message; the message buffer is finite and the
/// rest of the message (e.g. the list of known names) matters more than a runaway input.
let maxEchoedBytes = 200

/// Borrows a caller's NUL-terminated string as UTF-8 text. NULL → PDCOST_EINVAL and invalid
/// UTF-8 → PDCOST_EPARSE, both naming `parameter`.
func utf8String(_ pointer: UnsafePointer<CChar>?, _ parameter: String) throws(PDCostError) -> String {
    guard let pointer else {
        throw .invalidArgument("\(parameter)=NULL must be a NUL-terminated string")
    }
    guard let text = String(validatingCString: pointer) else {
        throw .parse("\(parameter) is not valid UTF-8: '\(echo(pointer))'")
    }
    return text
}

/// A caller's string for an error message: invalid UTF-8 repaired, long input shortened.
func echo(_ pointer: UnsafePointer<CChar>) -> String {
    let length = strlen(pointer)
    let bytes = UnsafeRawBufferPointer(start: pointer, count: min(length, maxEchoedBytes))
    let text = String(decoding: bytes, as: UTF8.self)
    return length > maxEchoedBytes ? text + "...(\(length) bytes)" : text
}

/// Shortens text for an error message.
func echo(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.count > maxEchoedBytes else { return text }
    return String(decoding: utf8.prefix(maxEchoedBytes), as: UTF8.self) + "...(\(utf8.count) bytes)"
}

/// A malloc'ed, NUL-terminated copy of `text`, or nil when out of memory.
func libraryOwnedCopy(_ text: String) -> UnsafeMutablePointer<CChar>? {
    var text = text
    return text.withUTF8 { bytes -> UnsafeMutablePointer<CChar>? in
        guard let copy = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else {
            return nil
        }
        if let base = bytes.baseAddress, bytes.count > 0 {
            memcpy(copy, base, bytes.count)
        }
        copy[bytes.count] = 0
        return copy
    }
}

/// Validates a `char **out` parameter.
func outString(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
               _ parameter: String) throws(PDCostError) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    guard let pointer else {
        throw .invalidArgument("\(parameter)=NULL must point to a char* variable")
    }
    return pointer
}

/// Stores a library-owned copy of `text` in `*out`.
func store(_ text: String, in out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws(PDCostError) {
    guard let copy = libraryOwnedCopy(text) else {
        throw .internalError("out of memory copying a string of \(text.utf8.count) bytes")
    }
    out.pointee = copy
}

/// `void pdcost_string_free(char *string);`
@_cdecl("pdcost_string_free")
public func pdcost_string_free(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}
