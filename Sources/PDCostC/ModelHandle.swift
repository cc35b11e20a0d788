import CPDCost
import PDCost

// The object behind a `pdcost_model *`: a Swift class instance retained once for the caller
// (Unmanaged) and released by pdcost_model_free. Everything a getter needs is computed here,
// once, so the getters are a few loads.

final class ModelHandle: Sendable {
    let spec: ModelSpec
    let breakdown: ParameterBreakdown
    let active: Int
    /// What the loader read but could not price (`ModelLoadResult.warnings`); empty for presets.
    let warnings: [String]

    /// `spec` must be validated (the loader and the presets return validated specs), which
    /// guarantees the exact counts cannot overflow.
    init(_ spec: ModelSpec, warnings: [String] = []) {
        self.spec = spec
        self.warnings = warnings
        self.breakdown = ParameterCounter.breakdown(spec)
        self.active = ParameterCounter.active(spec)
    }

    /// A new +1 reference for the caller to own.
    func retainedPointer() -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(self).toOpaque())
    }

    /// The handle behind a caller's pointer, without taking ownership. NULL → PDCOST_EINVAL.
    static func borrow(_ pointer: OpaquePointer?, _ parameter: String = "model") throws(PDCostError) -> ModelHandle {
        guard let pointer else {
            throw .invalidArgument("\(parameter)=NULL must be a handle from pdcost_model_from_*")
        }
        return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    /// Drops the caller's reference.
    static func release(_ pointer: OpaquePointer) {
        Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(pointer)).release()
    }
}

/// Validates a `pdcost_model **out_model` parameter.
func outModel(_ pointer: UnsafeMutablePointer<OpaquePointer?>?) throws(PDCostError) -> UnsafeMutablePointer<OpaquePointer?> {
    guard let pointer else {
        throw .invalidArgument("out_model=NULL must point to a pdcost_model* variable")
    }
    return pointer
}
