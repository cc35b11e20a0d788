import CPDCost

// The runtime version functions. Their values are the header's macros as this library was
// compiled against them, so a caller comparing its own macros with these detects a
// header/library mismatch. None of them touches the error message.

@_cdecl("pdcost_version_major")
public func pdcost_version_major() -> Int32 { PDCOST_VERSION_MAJOR }

@_cdecl("pdcost_version_minor")
public func pdcost_version_minor() -> Int32 { PDCOST_VERSION_MINOR }

@_cdecl("pdcost_version_patch")
public func pdcost_version_patch() -> Int32 { PDCOST_VERSION_PATCH }

@_cdecl("pdcost_abi_version")
public func pdcost_abi_version() -> Int32 { PDCOST_ABI_VERSION }

/// The header's PDCOST_VERSION_STRING as a C string, allocated once (thread-safe lazy global
/// initialisation) and never freed: library-owned for the life of the process. Immutable after
/// initialisation, hence safe to share.
private nonisolated(unsafe) let versionCString: UnsafePointer<CChar>? =
    libraryOwnedCopy(PDCOST_VERSION_STRING).map { UnsafePointer($0) }

@_cdecl("pdcost_version_string")
public func pdcost_version_string() -> UnsafePointer<CChar> {
    versionCString ?? staticCString("unknown")
}
