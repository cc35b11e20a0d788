#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened at run time (dlopen/dlsym), so that libpdcost has no build-time or
/// load-time dependency on CUDA and still loads on machines without it.
///
/// Libraries are never closed: the CUDA runtime, cuBLAS and NCCL start threads and register
/// exit handlers, and unloading them under a running process is unsafe (PyTorch never unloads
/// them either). dlopen is reference-counted, so reopening is cheap.
struct DynamicLibrary: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// The name or path that opened.
    let path: String

    /// Opens the first of `names` that loads, trying each first in the directories of
    /// $PDCOST_CUDA_LIBRARY_PATH (colon-separated), then through the dynamic linker's own search
    /// (LD_LIBRARY_PATH, the ld.so cache; a library already loaded in the process, e.g. by
    /// PyTorch, matches by its SONAME). On failure, the dlerror text of each attempt.
    static func open(_ names: [String]) -> (library: DynamicLibrary?, errors: [String]) {
        var candidates: [String] = []
        if let raw = getenv("PDCOST_CUDA_LIBRARY_PATH") {
            let dirs = String(cString: raw).split(separator: ":").map(String.init).filter { !$0.isEmpty }
            for dir in dirs { candidates += names.map { dir + "/" + $0 } }
        }
        candidates += names
        var errors: [String] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                return (DynamicLibrary(handle: handle, path: candidate), [])
            }
            if let message = dlerror() { errors.append(String(cString: message)) }
        }
        return (nil, errors)
    }

    /// The symbol as a C function pointer of type `T`, or nil if the library lacks it.
    func function<T>(_ name: String, as type: T.Type = T.self) -> T? {
        guard let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }
}

/// Collects missing symbols while a function table is filled in.
struct SymbolLoader {
    let library: DynamicLibrary
    var missing: [String] = []

    init(_ library: DynamicLibrary) { self.library = library }

    /// The first of `names` the library exports; records the first name when none is.
    mutating func load<T>(_ names: String..., as type: T.Type = T.self) -> T? {
        for name in names {
            if let f = library.function(name, as: type) { return f }
        }
        missing.append(names.first ?? "?")
        return nil
    }

    /// Fails naming every symbol that was missing.
    func check(_ what: String) throws(PDCostError) {
        if !missing.isEmpty {
            throw .noDevice("\(library.path) lacks \(missing.joined(separator: ", ")) (\(what) too old?)")
        }
    }
}
