/// What the GPU micro-benchmarks need from a machine, kept small so that the benchmark logic
/// (shape sweep, medians, fits, derivations) runs unchanged over the CUDA adapter
/// (`CUDABenchmarkBackend`) and over a fake GPU with known timings in the unit tests.
///
/// Every timing method does its own warm-up and returns one duration per timed repetition, in
/// seconds per operation; the caller takes the median. Errors are `PDCostError.noDevice` when
/// the hardware or a library is missing and `.internalError`/`.unsupported` for failed calls,
/// with the library's own error string.
public protocol GPUBenchmarkBackend: AnyObject {
    /// Visible GPUs (CUDA_VISIBLE_DEVICES applies).
    var deviceCount: Int { get }
    func deviceInfo(_ device: Int) throws(PDCostError) -> GPUDeviceInfo
    /// Driver and library versions, for the profile's provenance.
    var machine: CalibrationProfile.MachineInfo { get }

    /// nil when `dtype` GEMMs can run on `device`, else why not (e.g. "FP8 needs sm_89+").
    func unsupportedReason(_ dtype: GemmDType, device: Int) -> String?
    /// C[m×n] = A[m×k]·B[k×n] in `dtype`.
    func timeGemm(_ dtype: GemmDType, m: Int, n: Int, k: Int, device: Int, warmup: Int,
                  repetitions: Int) throws(PDCostError) -> [Double]
    /// The same GEMM run back to back for `seconds`, timed in slices: the per-GEMM time of the
    /// slices in the last quarter of the window (the GPU at its power and thermal limit).
    func timeSustainedGemm(_ dtype: GemmDType, m: Int, n: Int, k: Int, device: Int,
                           seconds: Double) throws(PDCostError) -> [Double]
    /// A copy of `bytes` (pinned host memory for h2d/d2h).
    func timeCopy(_ kind: CopyKind, bytes: Int, device: Int, warmup: Int,
                  repetitions: Int) throws(PDCostError) -> [Double]

    /// nil when collectives can run over `deviceCount` GPUs, else why not (one GPU, no NCCL).
    var collectivesUnavailableReason: String? { get }
    /// One collective over every visible GPU, `bytes` = nccl-tests' size S of the op (see
    /// `CollectiveOp`).
    func timeCollective(_ op: CollectiveOp, bytes: Int, warmup: Int,
                        repetitions: Int) throws(PDCostError) -> [Double]
}

/// One GPU as the runtime describes it.
public struct GPUDeviceInfo: Sendable, Equatable {
    /// As CUDA reports it, e.g. "NVIDIA H100 80GB HBM3".
    public var name: String
    public var memoryBytes: Double
    public var computeCapabilityMajor: Int
    public var computeCapabilityMinor: Int

    public init(name: String, memoryBytes: Double, computeCapabilityMajor: Int, computeCapabilityMinor: Int) {
        self.name = name
        self.memoryBytes = memoryBytes
        self.computeCapabilityMajor = computeCapabilityMajor
        self.computeCapabilityMinor = computeCapabilityMinor
    }

    /// e.g. 90 for sm_90.
    public var smVersion: Int { computeCapabilityMajor * 10 + computeCapabilityMinor }
}

/// GEMM precisions swept. fp32 and tf32 share FP32 storage and differ in cuBLAS's compute type.
public enum GemmDType: String, Sendable, CaseIterable, Hashable {
    case fp32, tf32, fp16, bf16, fp8

    /// Bytes per element of A and B.
    public var elementBytes: Int {
        switch self {
        case .fp32, .tf32: 4
        case .fp16, .bf16: 2
        case .fp8: 1
        }
    }

    /// Bytes per element of C (FP8 GEMMs write BF16, as Transformer Engine's do).
    public var outputBytes: Int {
        switch self {
        case .fp32, .tf32: 4
        case .fp16, .bf16, .fp8: 2
        }
    }

    /// Lowest compute capability with tensor-core support for it (CUDA C Programming Guide,
    /// "Compute capabilities": BF16/TF32 MMA from sm_80, FP8 MMA from sm_89).
    public var minimumSMVersion: Int {
        switch self {
        case .fp32, .fp16: 0
        case .tf32, .bf16: 80
        case .fp8: 89
        }
    }
}

/// Host/device copies measured.
public enum CopyKind: String, Sendable, CaseIterable, Hashable {
    case d2d, h2d, d2h
}

/// NCCL collectives measured, with nccl-tests' size and bus-bandwidth conventions
/// (nccl-tests doc/PERFORMANCE.md): algbw = S/t; busbw = algbw · factor.
public enum CollectiveOp: String, Sendable, CaseIterable, Hashable {
    /// S = the buffer reduced; factor 2(n−1)/n.
    case allReduce = "all_reduce"
    /// S = the gathered (output) buffer; factor (n−1)/n.
    case allGather = "all_gather"
    /// S = the input buffer before scattering; factor (n−1)/n.
    case reduceScatter = "reduce_scatter"
    /// S = what one rank sends in total; factor (n−1)/n.
    case allToAll = "all_to_all"

    /// busbw / algbw for `ranks` ranks.
    public func busFactor(ranks n: Int) -> Double {
        guard n > 1 else { return 0 }
        let r = Double(n)
        return self == .allReduce ? 2 * (r - 1) / r : (r - 1) / r
    }

    /// Ring steps whose latency the cost model charges (Collectives.swift: all-reduce is two
    /// phases of n−1 steps; all-gather and reduce-scatter one phase; all-to-all two step
    /// latencies inside a node).
    public func latencySteps(ranks n: Int) -> Double {
        let r = Double(max(n, 1))
        switch self {
        case .allReduce: return 2 * (r - 1)
        case .allGather, .reduceScatter: return r - 1
        case .allToAll: return 2
        }
    }
}
