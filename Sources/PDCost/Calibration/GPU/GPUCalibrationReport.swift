import FoundationEssentials

/// Everything one calibration run hands to its callers (the C ABI returns it as JSON):
///
/// ```
/// { "profile": {pdcost-profile, relative to the datasheet: what `--out` writes},
///   "calibrated_profile": {pdcost-profile with every parameter, for calibrated_gpu},
///   "calibrated_gpu": {"name", "architecture", "supports_fp8", "supports_fp4", "memory_bytes", "fp32_flops", ..., "tdp_watts", "gpus_per_node", "source"},
///   "datasheet_gpu": "H100-SXM-80GB" | null,
///   "fits": {"bf16": {"rate_flops", "half_dimension", "launch_overhead_seconds", "samples", "rms_relative_error"}, ...},
///   "collective_fit": {"bus_bandwidth", "step_latency", "all_to_all_fraction", "rms_relative_error"} | null,
///   "sustained": {"dtype", "m", "n", "k", "burst_seconds", "sustained_seconds"} | null,
///   "summary": "CalibrationResult:\n  GPU: ...", "notes": [...] }
/// ```
public struct GPUCalibrationReport: Encodable, Sendable {
    public var profile: CalibrationProfile
    public var calibratedProfile: CalibrationProfile
    public var calibratedGpu: GPUDocument
    public var datasheetGpu: String?
    public var fits: [String: Fit]
    public var collectiveFit: CollectiveFit?
    public var sustained: Sustained?
    public var summary: String
    public var notes: [String]

    public struct GPUDocument: Encodable, Sendable {
        var name: String
        var architecture: String
        var supportsFp8, supportsFp4: Bool
        var memoryBytes, fp32Flops, tf32Flops, fp16Flops, bf16Flops, fp8Flops: Double
        var hbmBandwidth, nvlinkBandwidth, networkBandwidth, pcieBandwidth, tdpWatts: Double
        var gpusPerNode: Int
        var source: String
    }

    public struct Fit: Encodable, Sendable {
        var rateFlops, halfDimension, launchOverheadSeconds: Double
        var samples: Int
        var rmsRelativeError: Double
    }

    public struct CollectiveFit: Encodable, Sendable {
        var busBandwidth, stepLatency: Double
        var allToAllFraction: Double?
        var rmsRelativeError: Double
    }

    public struct Sustained: Encodable, Sendable {
        var dtype: String
        var m, n, k: Int
        var burstSeconds, sustainedSeconds: Double
    }

    public init(_ c: GPUCalibration, created: String = CalibrationProfile.now()) {
        profile = c.profile(created: created)
        calibratedProfile = c.calibratedProfile(created: created)
        let g = c.calibratedGPU
        calibratedGpu = GPUDocument(name: g.name, architecture: g.architecture.rawValue,
                                    supportsFp8: g.supportsFP8, supportsFp4: g.supportsFP4,
                                    memoryBytes: g.memoryBytes, fp32Flops: g.fp32Flops,
                                    tf32Flops: g.tf32Flops, fp16Flops: g.fp16Flops, bf16Flops: g.bf16Flops,
                                    fp8Flops: g.fp8Flops, hbmBandwidth: g.hbmBandwidth,
                                    nvlinkBandwidth: g.nvlinkBandwidth, networkBandwidth: g.networkBandwidth,
                                    pcieBandwidth: g.pcieBandwidth, tdpWatts: g.tdpWatts,
                                    gpusPerNode: g.gpusPerNode, source: g.source)
        datasheetGpu = c.datasheet?.name
        var fits: [String: Fit] = [:]
        for (dtype, f) in c.gemmFits {
            fits[dtype.rawValue] = Fit(rateFlops: f.rate, halfDimension: f.halfDimension,
                                       launchOverheadSeconds: f.launchOverhead, samples: f.samples,
                                       rmsRelativeError: f.rmsRelativeError)
        }
        self.fits = fits
        collectiveFit = c.collectiveFit.map {
            CollectiveFit(busBandwidth: $0.busBandwidth, stepLatency: $0.stepLatency,
                          allToAllFraction: $0.allToAllFraction, rmsRelativeError: $0.rmsRelativeError)
        }
        sustained = c.result.sustained.map {
            Sustained(dtype: $0.dtype, m: $0.m, n: $0.n, k: $0.k, burstSeconds: $0.burstSeconds,
                      sustainedSeconds: $0.sustainedSeconds)
        }
        summary = c.result.description
        notes = c.notes
    }

    /// Pretty, key-sorted JSON with snake_case keys (efficiency names are already snake_case,
    /// which the key strategy leaves unchanged).
    public func json() throws(PDCostError) -> String {
        try JSONWriter.encode(self, what: "calibration report", snakeCaseKeys: true, nonFinite: .nullWithWarning)
    }
}
