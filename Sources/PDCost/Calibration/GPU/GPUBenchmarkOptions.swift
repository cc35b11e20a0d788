/// What `GPUBenchmark` measures and how long it spends.
public struct GPUBenchmarkOptions: Sendable, Equatable {
    /// The GPU measured for GEMMs and copies (collectives use every visible GPU).
    public var device: Int = 0
    /// Largest GEMM dimension of the sweep (the seed's `gemm_size`): squares 512, 1024, … up to
    /// it, plus rectangular shapes with one side a quarter of it.
    public var gemmSize: Int = 8192
    public var testCompute: Bool = true
    public var testMemory: Bool = true
    public var testCollectives: Bool = true
    /// Timed repetitions per measurement (the median is kept) and untimed warm-ups before them.
    public var repetitions: Int = 20
    public var warmup: Int = 5
    /// GEMM precisions swept; those the GPU lacks are skipped with a note.
    public var dtypes: [GemmDType] = GemmDType.allCases
    /// Seconds of back-to-back GEMMs at gemm_size³ to measure the sustained (power-limited)
    /// rate; 0 skips it (sustained_fraction then keeps the generation's default).
    public var sustainSeconds: Double = 15
    /// Largest collective message, bytes (nccl-tests style sweep from 1 KiB, ×4 per step).
    public var maxCollectiveBytes: Int = 1 << 30

    public init() {}

    /// A shorter run: 5 repetitions, no soak, collectives up to 256 MiB.
    public static var quick: GPUBenchmarkOptions {
        var o = GPUBenchmarkOptions()
        o.repetitions = 5
        o.warmup = 2
        o.sustainSeconds = 0
        o.maxCollectiveBytes = 1 << 28
        return o
    }

    /// Checks every field; the error names it.
    public func validated() throws(PDCostError) -> GPUBenchmarkOptions {
        if device < 0 || device > 1023 { throw .invalidArgument("device=\(device) must be in 0...1023") }
        if gemmSize < 512 || gemmSize > 65536 {
            throw .invalidArgument("gemm_size=\(gemmSize) must be in 512...65536")
        }
        if gemmSize % 16 != 0 {
            throw .invalidArgument("gemm_size=\(gemmSize) must be a multiple of 16 (tensor-core tiles, FP8 alignment)")
        }
        if repetitions < 1 || repetitions > 10_000 {
            throw .invalidArgument("repetitions=\(repetitions) must be in 1...10000")
        }
        if warmup < 0 || warmup > 10_000 { throw .invalidArgument("warmup=\(warmup) must be in 0...10000") }
        if !(sustainSeconds.isFinite && sustainSeconds >= 0 && sustainSeconds <= 3600) {
            throw .invalidArgument("sustain_seconds=\(sustainSeconds) must be in 0...3600")
        }
        if maxCollectiveBytes < 1024 || maxCollectiveBytes > 1 << 34 {
            throw .invalidArgument("max_collective_bytes=\(maxCollectiveBytes) must be in 1024...\(1 << 34)")
        }
        if testCompute && dtypes.isEmpty {
            throw .invalidArgument("dtypes is empty: name at least one of fp32, tf32, fp16, bf16, fp8")
        }
        if !(testCompute || testMemory || testCollectives) {
            throw .invalidArgument("test_compute, test_memory and test_collectives are all off: nothing to measure")
        }
        return self
    }

    /// GEMM shapes (m, n, k) of the sweep: powers of two from 512 up to gemm_size (and
    /// gemm_size itself), then three rectangular shapes with one side a quarter of gemm_size —
    /// the proportions of tensor-parallel projection GEMMs — so that the fit of
    /// 1 + c/m + c/n + c/k sees each dimension vary on its own.
    public var gemmShapes: [(m: Int, n: Int, k: Int)] {
        var squares: [Int] = []
        var s = 512
        while s < gemmSize { squares.append(s); s *= 2 }
        squares.append(gemmSize)
        var shapes = squares.map { (m: $0, n: $0, k: $0) }
        let q = max(gemmSize / 4 / 16 * 16, 16)
        if q < gemmSize {
            shapes += [(m: gemmSize, n: gemmSize, k: q), (m: gemmSize, n: q, k: gemmSize),
                       (m: q, n: gemmSize, k: gemmSize)]
        }
        return shapes
    }

    /// Collective message sizes: 1 KiB × 4^i up to maxCollectiveBytes.
    public var collectiveSizes: [Int] {
        var sizes: [Int] = []
        var s = 1024
        while s <= maxCollectiveBytes {
            sizes.append(s)
            if s > maxCollectiveBytes / 4 { break }
            s *= 4
        }
        return sizes
    }

    /// Copy sizes per kind (the best bandwidth over them is kept).
    public var copySizes: [Int] { [1 << 24, 1 << 26, 1 << 28, 1 << 30] }
}
