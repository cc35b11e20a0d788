import CPDCost
import PDCost

// GPU calibration: the micro-benchmarks (CUDA loaded at run time) and the probe.

@_cdecl("pdcost_gpu_calibrate")
public func pdcost_gpu_calibrate(_ out_report_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ options: UnsafePointer<pdcost_gpu_calibration_options>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_report_json, "out_report_json")
        let (benchmarkOptions, progress) = try swiftGPUCalibrationOptions(options)
        let report = try GPUCalibrationRun.run(options: benchmarkOptions) { stage, done, total in
            progress?.report(stage, done, total) ?? false
        }
        try store(report.json(), in: out)
    }
}

@_cdecl("pdcost_cuda_available")
public func pdcost_cuda_available(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(CUDAProbe.run().json(), in: out)
    }
}

/// The Swift options of a caller's `pdcost_gpu_calibration_options` (NULL: the defaults).
/// Ranges are checked by `GPUBenchmarkOptions.validated`, whose messages name the field.
func swiftGPUCalibrationOptions(_ pointer: UnsafePointer<pdcost_gpu_calibration_options>?) throws -> (GPUBenchmarkOptions, CProgress?) {
    var result = GPUBenchmarkOptions()
    guard pointer != nil else { return (result, nil) }
    let o = try readVersioned(pointer, "options", type: "pdcost_gpu_calibration_options",
                              latestVersion: PDCOST_GPU_CALIBRATION_OPTIONS_VERSION)
    result.device = Int(o.device)
    result.gemmSize = Int(o.gemm_size)
    result.testCompute = o.test_compute != 0
    result.testMemory = o.test_memory != 0
    result.testCollectives = o.test_collectives != 0
    result.repetitions = Int(o.repetitions)
    result.warmup = Int(o.warmup)
    let bits: [(UInt32, GemmDType)] = [(PDCOST_GEMM_FP32, .fp32), (PDCOST_GEMM_TF32, .tf32), (PDCOST_GEMM_FP16, .fp16),
                                       (PDCOST_GEMM_BF16, .bf16), (PDCOST_GEMM_FP8, .fp8)]
    let known = bits.reduce(UInt32(0)) { $0 | $1.0 }
    guard o.dtypes & ~known == 0 else {
        throw PDCostError.invalidArgument("options->dtypes=\(o.dtypes) has unknown bits (known: PDCOST_GEMM_FP32, _TF32, _FP16, _BF16, _FP8)")
    }
    if o.dtypes != 0 { result.dtypes = bits.filter { o.dtypes & $0.0 != 0 }.map(\.1) }
    result.sustainSeconds = o.sustain_seconds
    guard o.max_collective_bytes <= UInt64(Int.max) else {
        throw PDCostError.invalidArgument("options->max_collective_bytes=\(o.max_collective_bytes) is too large")
    }
    result.maxCollectiveBytes = Int(o.max_collective_bytes)
    return (try result.validated(), CProgress(o.progress, o.user))
}
