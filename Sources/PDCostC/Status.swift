import CPDCost
import PDCost

// Status codes and the thread-local error message: every fallible thunk runs its body through
// `withStatus`, so the mapping from a Swift error to (status, message) lives in one place.

extension PDCostError {
    /// The C status of this error (the cases map one-to-one onto `pdcost_status`).
    var status: pdcost_status {
        switch self {
        case .invalidArgument: PDCOST_EINVAL
        case .parse: PDCOST_EPARSE
        case .notFound: PDCOST_ENOTFOUND
        case .unsupported: PDCOST_EUNSUPPORTED
        case .infeasible: PDCOST_EINFEASIBLE
        case .noDevice: PDCOST_ENODEVICE
        case .io: PDCOST_EIO
        case .cancelled: PDCOST_ECANCELED
        case .internalError: PDCOST_EINTERNAL
        }
    }
}

/// An error raised by the C boundary itself for a status the core has no case for
/// (PDCOST_EVERSION: the core has no C structs).
struct BoundaryError: Error {
    let status: pdcost_status
    let message: String
}

/// Runs the body of a fallible thunk. Success empties this thread's message and returns
/// PDCOST_OK; a `PDCostError` or `BoundaryError` stores its message and returns its status.
/// The body writes its out-parameters only after everything that can fail has succeeded, so
/// on failure they are left untouched, as pdcost.h promises.
@inline(__always)
func withStatus(_ body: () throws -> Void) -> pdcost_status {
    do {
        try body()
        cpdcost_clear_last_error()
        return PDCOST_OK
    } catch let error as PDCostError {
        setLastError(error.message)
        return error.status
    } catch let error as BoundaryError {
        setLastError(error.message)
        return error.status
    } catch {
        setLastError("unexpected error: \(error)")
        return PDCOST_EINTERNAL
    }
}

/// Copies `message` into this thread's error buffer (which truncates it safely if too long).
func setLastError(_ message: String) {
    var message = message
    message.withUTF8 { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
            cpdcost_set_last_error(chars.baseAddress, chars.count)
        }
    }
}

/// A pointer to a NUL-terminated string literal in the library's read-only data: the storage
/// of `const char *` results that the caller must not free.
func staticCString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// `const char *pdcost_status_name(pdcost_status status);`
///
/// Infallible, and it leaves the error message alone: callers commonly write
/// `printf("%s: %s", pdcost_status_name(s), pdcost_last_error())`, whose arguments C evaluates
/// in no fixed order.
@_cdecl("pdcost_status_name")
public func pdcost_status_name(_ status: pdcost_status) -> UnsafePointer<CChar> {
    switch status {
    case PDCOST_OK: staticCString("PDCOST_OK")
    case PDCOST_EINVAL: staticCString("PDCOST_EINVAL")
    case PDCOST_EPARSE: staticCString("PDCOST_EPARSE")
    case PDCOST_ENOTFOUND: staticCString("PDCOST_ENOTFOUND")
    case PDCOST_EUNSUPPORTED: staticCString("PDCOST_EUNSUPPORTED")
    case PDCOST_EVERSION: staticCString("PDCOST_EVERSION")
    case PDCOST_EINFEASIBLE: staticCString("PDCOST_EINFEASIBLE")
    case PDCOST_ENODEVICE: staticCString("PDCOST_ENODEVICE")
    case PDCOST_EIO: staticCString("PDCOST_EIO")
    case PDCOST_ECANCELED: staticCString("PDCOST_ECANCELED")
    case PDCOST_EINTERNAL: staticCString("PDCOST_EINTERNAL")
    default: staticCString("PDCOST_UNKNOWN")
    }
}

extension PDCostError {
    /// The same error with `prefix` in front of its message.
    func prefixed(_ prefix: String) -> PDCostError {
        switch self {
        case .invalidArgument(let m): .invalidArgument(prefix + m)
        case .parse(let m): .parse(prefix + m)
        case .notFound(let m): .notFound(prefix + m)
        case .unsupported(let m): .unsupported(prefix + m)
        case .infeasible(let m): .infeasible(prefix + m)
        case .noDevice(let m): .noDevice(prefix + m)
        case .io(let m): .io(prefix + m)
        case .cancelled(let m): .cancelled(prefix + m)
        case .internalError(let m): .internalError(prefix + m)
        }
    }
}
