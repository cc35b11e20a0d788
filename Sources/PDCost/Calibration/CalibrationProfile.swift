import FoundationEssentials

/// A calibrated description of one cluster (and framework version), as a team commits it:
/// efficiency overrides the cost model uses, plus the evidence they came from — raw
/// micro-benchmark measurements, the machine and library versions, the fit to measured runs.
///
/// JSON (snake_case keys), `format` = "pdcost-profile", `version` = 1:
/// ```
/// { "format": "pdcost-profile", "version": 1, "created": "2026-11-22T23:00:00Z",
///   "source": "gpu-microbenchmarks" | "runs-fit" | "manual",
///   "generation": "hopper",              // optional: the GPU generation whose defaults it adjusts
///   "efficiency": { "gemm_peak_fraction16": 0.78, ... },   // EfficiencyProfile.parameters names
///   "efficiency_scale": { "nvlink_fraction": 0.93, ... },   // optional: factors on the defaults
///   "machine": { ... }, "gpu": { ... }, "measurements": { ... }, "fit": { ... } }   // optional
/// ```
/// Only `efficiency` (absolute values, for one cluster) and `efficiency_scale` (factors on each
/// generation's defaults, clamped to the parameter's bounds: what a fit over runs on several GPU
/// generations produces) change predictions; everything else is provenance. Scales apply first.
public struct CalibrationProfile: Codable, Sendable, Equatable {
    public static let formatName = "pdcost-profile"
    public static let currentVersion = 1

    public var format: String = CalibrationProfile.formatName
    public var version: Int = CalibrationProfile.currentVersion
    /// ISO-8601 UTC time of creation.
    public var created: String
    /// What produced it: "gpu-microbenchmarks", "runs-fit" or "manual".
    public var source: String
    public var generation: String?
    /// Overrides of `EfficiencyProfile` parameters by name.
    public var efficiency: [String: Double]
    /// Multiplicative factors on parameters by name.
    public var efficiencyScale: [String: Double]?
    public var machine: MachineInfo?
    public var gpu: MeasuredGPU?
    public var measurements: Measurements?
    public var fit: FitSummary?

    public init(source: String, created: String = CalibrationProfile.now(), generation: String? = nil,
                efficiency: [String: Double] = [:], machine: MachineInfo? = nil, gpu: MeasuredGPU? = nil,
                measurements: Measurements? = nil, fit: FitSummary? = nil) {
        self.created = created
        self.source = source
        self.generation = generation
        self.efficiency = efficiency
        self.machine = machine
        self.gpu = gpu
        self.measurements = measurements
        self.fit = fit
    }

    /// The machine the measurements were taken on.
    public struct MachineInfo: Codable, Sendable, Equatable {
        public var hostname: String?
        public var driverVersion: String?
        public var cudaRuntimeVersion: String?
        public var cublasVersion: String?
        public var ncclVersion: String?
        public init(hostname: String? = nil, driverVersion: String? = nil, cudaRuntimeVersion: String? = nil,
                    cublasVersion: String? = nil, ncclVersion: String? = nil) {
            self.hostname = hostname
            self.driverVersion = driverVersion
            self.cudaRuntimeVersion = cudaRuntimeVersion
            self.cublasVersion = cublasVersion
            self.ncclVersion = ncclVersion
        }
    }

    /// Achieved rates of the GPU (best over the sweep), as the seed's CalibrationResult prints.
    public struct MeasuredGPU: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
        public var memoryBytes: Double
        public var fp32Tflops: Double?
        public var tf32Tflops: Double?
        public var fp16Tflops: Double?
        public var bf16Tflops: Double?
        public var fp8Tflops: Double?
        /// Device-to-device copy bandwidth, bytes/s (counting read + write).
        public var hbmBytesPerSecond: Double?
        public var hostToDeviceBytesPerSecond: Double?
        public var deviceToHostBytesPerSecond: Double?
        public init(name: String, count: Int, memoryBytes: Double) {
            self.name = name
            self.count = count
            self.memoryBytes = memoryBytes
        }
    }

    /// Raw measurements, so a profile can be re-derived or audited.
    public struct Measurements: Codable, Sendable, Equatable {
        public var gemm: [GemmSample] = []
        public var bandwidth: [BandwidthSample] = []
        public var collectives: [CollectiveSample] = []
        public init(gemm: [GemmSample] = [], bandwidth: [BandwidthSample] = [],
                    collectives: [CollectiveSample] = []) {
            self.gemm = gemm
            self.bandwidth = bandwidth
            self.collectives = collectives
        }
    }

    /// One GEMM shape: C[m×n] = A[m×k]·B[k×n], median time over the timed repetitions.
    public struct GemmSample: Codable, Sendable, Equatable {
        public var dtype: String
        public var m: Int
        public var n: Int
        public var k: Int
        public var seconds: Double
        public var tflops: Double
        public init(dtype: String, m: Int, n: Int, k: Int, seconds: Double, tflops: Double) {
            self.dtype = dtype; self.m = m; self.n = n; self.k = k
            self.seconds = seconds; self.tflops = tflops
        }
    }

    /// One copy: kind = "d2d", "h2d" or "d2h".
    public struct BandwidthSample: Codable, Sendable, Equatable {
        public var kind: String
        public var bytes: Double
        public var seconds: Double
        public var bytesPerSecond: Double
        public init(kind: String, bytes: Double, seconds: Double, bytesPerSecond: Double) {
            self.kind = kind; self.bytes = bytes; self.seconds = seconds; self.bytesPerSecond = bytesPerSecond
        }
    }

    /// One NCCL collective (op = "all_reduce", "all_gather", "reduce_scatter", "all_to_all").
    /// Bus bandwidth per nccl-tests' definition (doc/PERFORMANCE.md).
    public struct CollectiveSample: Codable, Sendable, Equatable {
        public var op: String
        public var ranks: Int
        public var bytes: Double
        public var seconds: Double
        public var busBytesPerSecond: Double
        public init(op: String, ranks: Int, bytes: Double, seconds: Double, busBytesPerSecond: Double) {
            self.op = op; self.ranks = ranks; self.bytes = bytes; self.seconds = seconds
            self.busBytesPerSecond = busBytesPerSecond
        }
    }

    /// How a runs fit went.
    public struct FitSummary: Codable, Sendable, Equatable {
        public var runsFile: String?
        public var runs: Int
        public var parameters: [String]
        public var mapeBefore: Double
        public var mapeAfter: Double
        /// Cross-validated MAPE (percent) and how it was cross-validated ("leave-one-source-out",
        /// "5-fold").
        public var cvMape: Double?
        public var cvMethod: String?
        public var cvMapeBefore: Double?
        /// Parameters asked for but not fitted, with the reason (too few runs respond to them,
        /// or more parameters than the runs support).
        public var dropped: [String: String]?
        /// Parameters fitted, with the reason (the cross-validated gain that selected them).
        public var kept: [String: String]?
        /// Memory MAPE (percent; allocated, reserved and device measurements) on the runs
        /// fitted, before and after, and cross-validated (`cv_method`) with the defaults and
        /// with the profile fitted without the held-out runs. Nil when no run measured memory.
        public var memoryMapeBefore: Double?
        public var memoryMapeAfter: Double?
        public var cvMemoryMapeBefore: Double?
        public var cvMemoryMape: Double?
        /// The run-overrides document the runs were restated by before the fit (entries, runs
        /// restated); nil when none.
        public var overrides: RunOverrides.Applied?
        public init(runsFile: String? = nil, runs: Int, parameters: [String], mapeBefore: Double,
                    mapeAfter: Double, cvMape: Double? = nil, cvMethod: String? = nil, cvMapeBefore: Double? = nil,
                    dropped: [String: String]? = nil) {
            self.runsFile = runsFile; self.runs = runs; self.parameters = parameters
            self.mapeBefore = mapeBefore; self.mapeAfter = mapeAfter
            self.cvMape = cvMape; self.cvMethod = cvMethod; self.cvMapeBefore = cvMapeBefore
            self.dropped = dropped
        }
    }
}

extension CalibrationProfile {
    /// Now as ISO-8601 UTC, second precision.
    public static func now() -> String {
        Date.now.formatted(.iso8601)
    }

    /// Decodes and checks a profile: format, version, every efficiency name and bound. Errors name
    /// the field.
    public static func decode(_ bytes: [UInt8]) throws(PDCostError) -> CalibrationProfile {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        try JSONReader.check(bytes, what: "calibration profile")
        let profile: CalibrationProfile
        do {
            profile = try decoder.decode(CalibrationProfile.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .parse("calibration profile: \(DecodingErrorDescription.describe(error))")
        } catch {
            throw .parse("calibration profile: \(error)")
        }
        if profile.format != formatName {
            throw .invalidArgument("format='\(profile.format)': not a pdcost profile (expected '\(formatName)')")
        }
        if profile.version < 1 || profile.version > currentVersion {
            throw .unsupported("version=\(profile.version): this library reads profile versions 1...\(currentVersion)")
        }
        for generation in GPUArchitecture.allCases {
            _ = try profile.apply(to: EfficiencyProfile.defaults(for: generation))
        }
        return profile
    }

    /// Pretty, key-sorted JSON (stable diffs when a team commits it).
    /// Fails (rather than writing a broken file) only if a measurement is not finite.
    public func encoded() throws(PDCostError) -> [UInt8] {
        Array(try JSONWriter.encode(self, what: "calibration profile", snakeCaseKeys: true).utf8)
    }

    /// The cluster's efficiency with this profile's overrides applied.
    public func apply(to efficiency: EfficiencyProfile) throws(PDCostError) -> EfficiencyProfile {
        var scaled = efficiency
        for (name, factor) in (efficiencyScale ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let parameter = EfficiencyProfile.parameter(named: name) else {
                throw .invalidArgument("efficiency_scale.\(name): unknown parameter; known: "
                                       + EfficiencyProfile.parameters.map(\.name).joined(separator: ", "))
            }
            guard factor.isFinite && factor > 0 && factor <= 100 else {
                throw .invalidArgument("efficiency_scale.\(name)=\(factor) must be in (0, 100]")
            }
            let value = scaled[keyPath: parameter.keyPath] * factor
            scaled[keyPath: parameter.keyPath] = min(max(value, parameter.lowerBound), parameter.upperBound)
        }
        return try scaled.applying(self.efficiency)
    }
}
