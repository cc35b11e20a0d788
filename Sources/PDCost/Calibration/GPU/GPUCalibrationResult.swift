/// What one run of the micro-benchmarks measured, before any derivation: the device, the raw
/// samples (medians over the timed repetitions) and notes on what was skipped and why.
/// `GPUCalibration` turns it into efficiency parameters, a profile and a calibrated GPU.
public struct GPUCalibrationResult: Sendable, Equatable, CustomStringConvertible {
    public var device: GPUDeviceInfo
    /// Visible GPUs (the seed prints "name × count").
    public var deviceCount: Int
    public var machine: CalibrationProfile.MachineInfo
    public var gemm: [CalibrationProfile.GemmSample] = []
    public var bandwidth: [CalibrationProfile.BandwidthSample] = []
    public var collectives: [CalibrationProfile.CollectiveSample] = []
    /// The soak: burst and sustained seconds per GEMM of the same shape and precision.
    public var sustained: SustainedSample?
    /// Skipped measurements and their reasons, failed fits, clamped parameters.
    public var notes: [String] = []

    public struct SustainedSample: Sendable, Equatable {
        public var dtype: String
        public var m: Int, n: Int, k: Int
        public var burstSeconds: Double
        public var sustainedSeconds: Double
        public init(dtype: String, m: Int, n: Int, k: Int, burstSeconds: Double, sustainedSeconds: Double) {
            self.dtype = dtype; self.m = m; self.n = n; self.k = k
            self.burstSeconds = burstSeconds; self.sustainedSeconds = sustainedSeconds
        }
    }

    public init(device: GPUDeviceInfo, deviceCount: Int, machine: CalibrationProfile.MachineInfo) {
        self.device = device
        self.deviceCount = deviceCount
        self.machine = machine
    }

    /// Best measured TFLOP/s of a precision over the sweep (the seed's numbers), or nil.
    public func bestTflops(_ dtype: GemmDType) -> Double? {
        gemm.filter { $0.dtype == dtype.rawValue }.map(\.tflops).max()
    }

    /// Measured bandwidth of a copy kind, bytes/s (d2d counts read + write): for host copies the
    /// best over the sizes; for device copies the largest copy's, since a smaller one whose read
    /// and write traffic fits in L2 (50 MB on H100, 60 MB on H200, 126 MB on B200) reports the
    /// cache's bandwidth — measured on an H200: 16 MiB at 4.95 TB/s, above the 4.8 TB/s HBM
    /// datasheet, against 4.26 TB/s at 1 GiB.
    public func bestBandwidth(_ kind: CopyKind) -> Double? {
        let samples = bandwidth.filter { $0.kind == kind.rawValue }
        if kind == .d2d {
            return samples.max { ($0.bytes, $0.bytesPerSecond) < ($1.bytes, $1.bytesPerSecond) }?.bytesPerSecond
        }
        return samples.map(\.bytesPerSecond).max()
    }

    /// Best bus bandwidth of a collective, bytes/s.
    public func bestBusBandwidth(_ op: CollectiveOp) -> Double? {
        collectives.filter { $0.op == op.rawValue }.map(\.busBytesPerSecond).max()
    }

    /// The seed's print-out:
    /// ```
    /// CalibrationResult:
    ///   GPU: NVIDIA H800 × 8
    ///   Memory: 79.6 GB
    ///   FP32: 51.6 TFLOPS
    ///   ...
    ///   Memory BW: 2781.8 GB/s
    /// ```
    /// (memory in GiB as nvidia-smi and torch print it; bandwidth in 1e9 bytes/s), followed by
    /// the rates the seed did not measure when they were measured.
    public var description: String {
        var lines = ["CalibrationResult:", "  GPU: \(device.name) × \(deviceCount)",
                     "  Memory: \(fixed1(device.memoryBytes / 1_073_741_824)) GB"]
        for (dtype, label) in [(GemmDType.fp32, "FP32"), (.tf32, "TF32"), (.fp16, "FP16"), (.bf16, "BF16"), (.fp8, "FP8")] {
            if let t = bestTflops(dtype) { lines.append("  \(label): \(fixed1(t)) TFLOPS") }
        }
        if let b = bestBandwidth(.d2d) { lines.append("  Memory BW: \(fixed1(b / 1e9)) GB/s") }
        if let b = bestBandwidth(.h2d) { lines.append("  Host→device BW: \(fixed1(b / 1e9)) GB/s") }
        if let b = bestBandwidth(.d2h) { lines.append("  Device→host BW: \(fixed1(b / 1e9)) GB/s") }
        if let b = bestBusBandwidth(.allReduce) {
            lines.append("  All-reduce bus BW: \(fixed1(b / 1e9)) GB/s over \(deviceCount) GPUs")
        }
        return lines.joined(separator: "\n")
    }
}

/// x with one decimal, without Foundation's formatters (the core avoids them on hot paths and
/// this keeps output identical across platforms).
func fixed1(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let tenths = (abs(x) * 10).rounded()
    guard tenths < 1e15 else { return "\(x)" }
    let whole = Int(tenths) / 10, frac = Int(tenths) % 10
    return (x < 0 && tenths > 0 ? "-" : "") + "\(whole).\(frac)"
}
