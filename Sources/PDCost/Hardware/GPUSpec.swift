/// Numeric precisions a GPU computes in (the `dtype` of a training run).
public enum Precision: String, Sendable, Hashable, CaseIterable {
    case fp32, tf32, fp16, bf16, fp8
}

/// One GPU model's datasheet numbers. Peaks are dense (no 2:4 sparsity); 0 means the part has
/// no such unit. Bandwidths are one direction, per GPU, in bytes/s. Each preset cites its
/// datasheet in `source` (see `GPUPresets`).
public struct GPUSpec: Sendable, Hashable {
    /// Canonical preset name, e.g. "H100-SXM-80GB".
    public var name: String
    /// Other names users write for it (matched case-insensitively), e.g. "H100-80GB-HBM3".
    public var aliases: [String]
    /// The architecture: decides the default efficiencies and, for a custom GPU, the reference
    /// part its unknown numbers come from. A field, never read from the name.
    public var architecture: GPUArchitecture
    /// FP8 tensor cores (Ada, Hopper, Blackwell). A part without them has `fp8Flops` 0.
    public var supportsFP8: Bool
    /// FP4 tensor cores (Blackwell). Informational: no training dtype uses them yet.
    public var supportsFP4: Bool
    /// HBM capacity in bytes (nominal: 80 GB parts have 80 GiB).
    public var memoryBytes: Double
    public var fp32Flops: Double
    public var tf32Flops: Double
    public var fp16Flops: Double
    public var bf16Flops: Double
    public var fp8Flops: Double
    /// HBM bandwidth, bytes/s.
    public var hbmBandwidth: Double
    /// NVLink (or, without NVLink, PCIe peer) bandwidth per GPU, one direction, bytes/s.
    public var nvlinkBandwidth: Double
    /// Scale-out network bandwidth per GPU (the usual NIC of the reference system), one direction.
    public var networkBandwidth: Double
    /// Host↔device bandwidth, one direction (PCIe generation of the part).
    public var pcieBandwidth: Double
    public var tdpWatts: Double
    /// GPUs sharing one NVLink domain in the reference system (8 for HGX/DGX; 72 for GB200 NVL72).
    public var gpusPerNode: Int
    /// Where the numbers come from.
    public var source: String

    /// `supportsFP8`/`supportsFP4` default to the architecture's capabilities.
    public init(name: String, aliases: [String] = [], architecture: GPUArchitecture,
                supportsFP8: Bool? = nil, supportsFP4: Bool? = nil, memoryBytes: Double, fp32Flops: Double,
                tf32Flops: Double, fp16Flops: Double, bf16Flops: Double, fp8Flops: Double,
                hbmBandwidth: Double, nvlinkBandwidth: Double, networkBandwidth: Double,
                pcieBandwidth: Double, tdpWatts: Double, gpusPerNode: Int = 8, source: String = "") {
        self.name = name
        self.aliases = aliases
        self.architecture = architecture
        self.supportsFP8 = supportsFP8 ?? architecture.hasFP8
        self.supportsFP4 = supportsFP4 ?? architecture.hasFP4
        self.memoryBytes = memoryBytes
        self.fp32Flops = fp32Flops
        self.tf32Flops = tf32Flops
        self.fp16Flops = fp16Flops
        self.bf16Flops = bf16Flops
        self.fp8Flops = fp8Flops
        self.hbmBandwidth = hbmBandwidth
        self.nvlinkBandwidth = nvlinkBandwidth
        self.networkBandwidth = networkBandwidth
        self.pcieBandwidth = pcieBandwidth
        self.tdpWatts = tdpWatts
        self.gpusPerNode = gpusPerNode
        self.source = source
    }

    /// Dense peak FLOP/s for a precision (0 where the part lacks it).
    public func peakFlops(_ precision: Precision) -> Double {
        switch precision {
        case .fp32: fp32Flops
        case .tf32: tf32Flops
        case .fp16: fp16Flops
        case .bf16: bf16Flops
        case .fp8: fp8Flops
        }
    }
}
