#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// Output structs that can grow: every one starts with `uint32_t size; uint32_t version;`, which
// the caller set (with the struct's _INIT macro). The library checks that header before doing
// any work and then writes at most `size` bytes, leaving the caller's size/version as they were,
// so an older caller with a smaller struct keeps working after fields are appended.

/// Checks the `size`/`version` header every boundary struct starts with and returns the
/// caller's size. NULL, version 0, a version newer than `latestVersion` or a size below
/// `minimumSize` (sizeof version 1) are errors naming the parameter.
func checkedStructSize(_ pointer: UnsafeRawPointer?, _ parameter: String, type: String,
                       minimumSize: Int, latestVersion: Int32) throws -> Int {
    guard let pointer else {
        throw PDCostError.invalidArgument("\(parameter)=NULL must point to a \(type) initialised with its _INIT macro")
    }
    let size = pointer.loadUnaligned(as: UInt32.self)
    let version = pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
    if version == 0 || Int64(version) > Int64(latestVersion) {
        throw BoundaryError(status: PDCOST_EVERSION, message: "\(parameter)->version=\(version) is not supported: this library knows \(type) versions 1...\(latestVersion) (initialise it with the _INIT macro)")
    }
    if Int(size) < minimumSize {
        throw BoundaryError(status: PDCOST_EVERSION, message: "\(parameter)->size=\(size) is smaller than \(type) version 1 (\(minimumSize) bytes; initialise it with the _INIT macro)")
    }
    return Int(size)
}

/// Reads a versioned input struct. `minimumSize` is sizeof its version 1 (the whole struct for
/// those still at version 1); an older caller's smaller struct is read as far as its `size`
/// goes and the appended fields are zero, which every appended field documents as its default.
func readVersioned<T: BitwiseCopyable>(_ pointer: UnsafePointer<T>?, _ parameter: String, type: String,
                                       latestVersion: Int32, minimumSize: Int = MemoryLayout<T>.size) throws -> T {
    let size = try checkedStructSize(pointer.map(UnsafeRawPointer.init), parameter, type: type,
                                     minimumSize: minimumSize, latestVersion: latestVersion)
    // Non-nil: checkedStructSize rejected NULL.
    guard let pointer else { throw PDCostError.internalError("\(parameter): NULL after the check") }
    if size >= MemoryLayout<T>.size { return UnsafeRawPointer(pointer).loadUnaligned(as: T.self) }
    return withUnsafeTemporaryAllocation(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment) { buffer in
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        buffer.baseAddress!.copyMemory(from: UnsafeRawPointer(pointer), byteCount: size)
        return buffer.baseAddress!.loadUnaligned(as: T.self)
    }
}

/// A validated destination for a versioned output struct `T`.
struct VersionedOutput<T> {
    let pointer: UnsafeMutablePointer<T>
    /// The caller's `size`, at least `minimumSize`.
    let callerSize: Int

    /// Reads only the 8-byte header (the caller's struct may be smaller than this library's `T`).
    /// - Parameters:
    ///   - minimumSize: sizeof version 1 of the struct; a smaller `size` cannot be filled.
    ///   - latestVersion: the newest version this library knows.
    init(_ pointer: UnsafeMutablePointer<T>?, _ parameter: String, type: String,
         minimumSize: Int, latestVersion: Int32) throws {
        callerSize = try checkedStructSize(pointer.map(UnsafeRawPointer.init), parameter, type: type,
                                           minimumSize: minimumSize, latestVersion: latestVersion)
        guard let pointer else { throw PDCostError.internalError("\(parameter): NULL after the check") }
        self.pointer = pointer
    }

    /// Copies `value` past the header, at most the caller's `size` bytes in all.
    func write(_ value: T) {
        let count = min(callerSize, MemoryLayout<T>.size)
        let headerSize = 8
        guard count > headerSize else { return }
        withUnsafeBytes(of: value) { source in
            guard let base = source.baseAddress else { return }
            memcpy(UnsafeMutableRawPointer(pointer) + headerSize, base + headerSize, count - headerSize)
        }
    }
}

/// Fills a result struct's run of doubles from a field table: each `(index, value)` the producer
/// reports is stored at `first + index · 8` bytes into `out`, none reaching `limit` (the byte
/// offset of the first non-double member). The layout tests check that the header declares the
/// doubles in the table's order.
func storeDoubles<T>(in out: inout T, first: Int, limit: Int, _ produce: ((Int, Double) -> Void) -> Void) {
    withUnsafeMutableBytes(of: &out) { raw in
        produce { index, value in
            let offset = first + index * MemoryLayout<Double>.stride
            if offset + MemoryLayout<Double>.size <= limit { raw.storeBytes(of: value, toByteOffset: offset, as: Double.self) }
        }
    }
}
