import CPDCost
#if canImport(Glibc)
import Glibc
#endif

// Helpers for calling the C ABI from Swift the way a C caller does: these tests import only the
// header's declarations (CPDCost), which the linker binds to the thunks in PDCostC.

/// Repository root, from this file's path (Tests/PDCostCTests/Support.swift).
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

let fixtures = repositoryRoot + "/Tests/PDCostTests/Fixtures/hf_configs"

var lastError: String { String(cString: pdcost_last_error()) }

/// Takes ownership of a library string.
func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { pdcost_string_free(pointer) }
    return String(cString: pointer)
}

/// A preset's model, or the status of the failure.
func preset(_ name: String) -> (pdcost_status, OpaquePointer?) {
    var model: OpaquePointer?
    let status = pdcost_model_from_preset(&model, name)
    return (status, model)
}

/// Parses JSON bytes into a model.
func fromJSON(_ bytes: [UInt8]) -> (pdcost_status, OpaquePointer?) {
    var model: OpaquePointer?
    let status = bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) {
            pdcost_model_from_json(&model, $0.baseAddress, $0.count)
        }
    }
    return (status, model)
}

func fromJSON(_ text: String) -> (pdcost_status, OpaquePointer?) { fromJSON(Array(text.utf8)) }

func counts(_ model: OpaquePointer?) -> (pdcost_status, pdcost_param_counts) {
    var out = pdcost_param_counts()
    out.size = UInt32(MemoryLayout<pdcost_param_counts>.size)
    out.version = UInt32(PDCOST_PARAM_COUNTS_VERSION)
    let status = pdcost_model_param_counts(&out, model)
    return (status, out)
}

func flops(_ model: OpaquePointer?, _ length: UInt64, _ mask: pdcost_attention_mask) -> (pdcost_status, pdcost_flops) {
    var out = pdcost_flops()
    out.size = UInt32(MemoryLayout<pdcost_flops>.size)
    out.version = UInt32(PDCOST_FLOPS_VERSION)
    let status = pdcost_model_flops_per_token(&out, model, length, mask)
    return (status, out)
}

func gpu(_ name: String) -> (pdcost_status, pdcost_gpu_spec) {
    var out = pdcost_gpu_spec()
    out.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
    out.version = UInt32(PDCOST_GPU_SPEC_VERSION)
    let status = pdcost_gpu_from_name(&out, name)
    return (status, out)
}

/// The NUL-terminated `char name[64]` of a GPU spec.
func gpuName(_ spec: pdcost_gpu_spec) -> String {
    withUnsafeBytes(of: spec.name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// Runs `body(i)` on `count` pthreads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Work {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        let work = Unmanaged.passRetained(Work { body(index) }).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            if let argument {
                Unmanaged<Work>.fromOpaque(argument).takeRetainedValue().run()
            }
            return nil
        }, work)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
