/// Runs the micro-benchmarks over a backend: the GEMM sweep per precision, the soak, copies and
/// collectives, reporting progress before each measurement and stopping when the callback asks.
///
/// Every number kept is the median of `repetitions` timed runs after `warmup` untimed ones
/// (medians resist the odd slow repetition: a clock ramp, a stray process).
public enum GPUBenchmark {
    /// Called before each measurement with (stage, done, total), and once more with
    /// ("done", total, total); returning true cancels the run.
    public typealias Progress = (_ stage: String, _ done: Int, _ total: Int) -> Bool

    public static func run(on backend: any GPUBenchmarkBackend, options: GPUBenchmarkOptions,
                           progress: Progress = { _, _, _ in false }) throws(PDCostError) -> GPUCalibrationResult {
        let options = try options.validated()
        let count = backend.deviceCount
        guard count > 0 else { throw .noDevice("no CUDA device is visible (cudaGetDeviceCount reported 0)") }
        guard options.device < count else {
            throw .invalidArgument("device=\(options.device) does not exist: \(count) CUDA device(s) visible (0...\(count - 1))")
        }
        let info = try backend.deviceInfo(options.device)
        var result = GPUCalibrationResult(device: info, deviceCount: count, machine: backend.machine)
        let steps = plan(backend: backend, options: options, device: info, notes: &result.notes)

        var failedDtypes: Set<GemmDType> = []
        for (index, step) in steps.enumerated() {
            if progress(step.label, index, steps.count) {
                throw .cancelled("calibration cancelled by the progress callback before '\(step.label)'")
            }
            switch step {
            case .gemm(let dtype, let m, let n, let k):
                if failedDtypes.contains(dtype) { continue }
                do throws(PDCostError) {
                    let times = try backend.timeGemm(dtype, m: m, n: n, k: k, device: options.device,
                                                     warmup: options.warmup, repetitions: options.repetitions)
                    guard let t = median(times), t > 0 else { throw .internalError("gemm \(dtype.rawValue) \(m)x\(n)x\(k): no valid timing") }
                    let flops = 2 * Double(m) * Double(n) * Double(k)
                    result.gemm.append(.init(dtype: dtype.rawValue, m: m, n: n, k: k, seconds: t, tflops: flops / t / 1e12))
                } catch .unsupported(let why) {
                    failedDtypes.insert(dtype)
                    result.notes.append("\(dtype.rawValue) GEMMs skipped: \(why)")
                }
            case .sustain(let dtype, let m, let n, let k):
                guard let burst = result.gemm.first(where: { $0.dtype == dtype.rawValue && $0.m == m && $0.n == n && $0.k == k }) else {
                    continue
                }
                let times = try backend.timeSustainedGemm(dtype, m: m, n: n, k: k, device: options.device,
                                                          seconds: options.sustainSeconds)
                if let t = median(times), t > 0 {
                    result.sustained = .init(dtype: dtype.rawValue, m: m, n: n, k: k, burstSeconds: burst.seconds,
                                             sustainedSeconds: t)
                }
            case .copy(let kind, let bytes):
                let times = try backend.timeCopy(kind, bytes: bytes, device: options.device,
                                                 warmup: options.warmup, repetitions: options.repetitions)
                guard let t = median(times), t > 0 else { continue }
                // A device copy reads and writes every byte (STREAM "Copy" counts 2 words per
                // element: McCalpin, STREAM FAQ); host copies cross PCIe once.
                let moved = Double(bytes) * (kind == .d2d ? 2 : 1)
                result.bandwidth.append(.init(kind: kind.rawValue, bytes: Double(bytes), seconds: t,
                                              bytesPerSecond: moved / t))
            case .collective(let op, let bytes):
                let times = try backend.timeCollective(op, bytes: bytes, warmup: options.warmup,
                                                       repetitions: options.repetitions)
                guard let t = median(times), t > 0 else { continue }
                // nccl-tests doc/PERFORMANCE.md: algbw = S/t, busbw = algbw · factor(op, n).
                result.collectives.append(.init(op: op.rawValue, ranks: count, bytes: Double(bytes), seconds: t,
                                                busBytesPerSecond: Double(bytes) / t * op.busFactor(ranks: count)))
            }
        }
        _ = progress("done", steps.count, steps.count)
        return result
    }

    /// One measurement.
    enum Step {
        case gemm(GemmDType, Int, Int, Int)
        case sustain(GemmDType, Int, Int, Int)
        case copy(CopyKind, Int)
        case collective(CollectiveOp, Int)

        var label: String {
            switch self {
            case .gemm(let d, let m, let n, let k): "gemm \(d.rawValue) \(m)x\(n)x\(k)"
            case .sustain(let d, let m, let n, let k): "sustained gemm \(d.rawValue) \(m)x\(n)x\(k)"
            case .copy(let kind, let bytes): "copy \(kind.rawValue) \(bytes) B"
            case .collective(let op, let bytes): "\(op.rawValue) \(bytes) B"
            }
        }
    }

    /// Every measurement the options ask for that the device can run; notes say what is skipped.
    static func plan(backend: any GPUBenchmarkBackend, options: GPUBenchmarkOptions, device: GPUDeviceInfo,
                     notes: inout [String]) -> [Step] {
        var steps: [Step] = []
        if options.testCompute {
            var seen: Set<GemmDType> = []
            var runnable: [GemmDType] = []
            for dtype in options.dtypes where seen.insert(dtype).inserted {
                if let why = backend.unsupportedReason(dtype, device: options.device) {
                    notes.append("\(dtype.rawValue) GEMMs skipped: \(why)")
                    continue
                }
                // A, B and C of the largest shape must fit in a quarter of the memory.
                let n = Double(options.gemmSize)
                let bytes = n * n * Double(2 * dtype.elementBytes + dtype.outputBytes)
                if bytes > device.memoryBytes / 4 {
                    notes.append("\(dtype.rawValue) GEMMs skipped: gemm_size=\(options.gemmSize) needs \(Int(bytes / 1_048_576)) MiB, more than a quarter of the GPU's memory")
                    continue
                }
                runnable.append(dtype)
                steps += options.gemmShapes.map { .gemm(dtype, $0.m, $0.n, $0.k) }
            }
            if options.sustainSeconds > 0,
               let dtype = [GemmDType.bf16, .fp16].first(where: runnable.contains) {
                let s = options.gemmSize
                steps.append(.sustain(dtype, s, s, s))
            }
        }
        if options.testMemory {
            for kind in CopyKind.allCases {
                for bytes in options.copySizes {
                    // d2d needs source and destination; keep both under a quarter of the memory.
                    // Pinned host buffers stay at 256 MiB or less (page-locking more can fail).
                    if kind == .d2d && Double(2 * bytes) > device.memoryBytes / 4 { continue }
                    if kind != .d2d && bytes > 1 << 28 { continue }
                    steps.append(.copy(kind, bytes))
                }
            }
        }
        if options.testCollectives {
            if let why = backend.collectivesUnavailableReason {
                notes.append("collectives skipped: \(why)")
            } else {
                let ranks = backend.deviceCount
                for op in CollectiveOp.allCases {
                    for size in options.collectiveSizes {
                        // Whole float32 elements per rank's chunk (nccl-tests -d float).
                        let unit = 4 * ranks
                        let bytes = size / unit * unit
                        if bytes > 0 { steps.append(.collective(op, bytes)) }
                    }
                }
            }
        }
        return steps
    }
}
