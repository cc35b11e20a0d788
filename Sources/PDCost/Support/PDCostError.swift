/// The one error type of the core. Every case carries a message that names the field and the
/// value at fault, because the message is what a user in a Python launcher or a C scheduler sees.
///
/// The cases map one-to-one onto the status codes of the C ABI (`pdcost_status` in pdcost.h).
public enum PDCostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value is out of range, missing, or inconsistent with another value.
    case invalidArgument(String)
    /// Input bytes are not valid UTF-8 / JSON, or a JSON value has the wrong type.
    case parse(String)
    /// A preset name (model or GPU) is unknown.
    case notFound(String)
    /// A valid request for something pdcost does not model (an unknown architecture, say).
    case unsupported(String)
    /// A parallel plan violates a constraint of the model or the cluster.
    case infeasible(String)
    /// No usable GPU, driver or runtime library.
    case noDevice(String)
    /// A file could not be read or written.
    case io(String)
    /// A progress callback asked a long operation (search, calibration, fit) to stop.
    case cancelled(String)
    /// A bug in pdcost: an invariant that no input should be able to break.
    case internalError(String)

    public var message: String {
        switch self {
        case .invalidArgument(let m), .parse(let m), .notFound(let m), .unsupported(let m),
             .infeasible(let m), .noDevice(let m), .io(let m), .cancelled(let m), .internalError(let m):
            return m
        }
    }

    public var description: String { message }
}
