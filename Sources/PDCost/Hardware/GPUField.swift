/// The numbers of a `GPUSpec`, one table for every door: each case's `key` is the field's
/// snake_case name in SI units (the C struct `pdcost_gpu_spec` and the presets JSON use it);
/// the C layer prefixes it (`cluster->gpu.`), the Python package maps it onto its own units.
public enum GPUField: String, Sendable, Hashable, CaseIterable {
    case memoryBytes = "memory_bytes"
    case fp32Flops = "fp32_flops"
    case tf32Flops = "tf32_flops"
    case fp16Flops = "fp16_flops"
    case bf16Flops = "bf16_flops"
    case fp8Flops = "fp8_flops"
    case hbmBandwidth = "hbm_bandwidth"
    case nvlinkBandwidth = "nvlink_bandwidth"
    case networkBandwidth = "network_bandwidth"
    case pcieBandwidth = "pcie_bandwidth"
    case tdpWatts = "tdp_watts"
    case gpusPerNode = "gpus_per_node"

    public var key: String { rawValue }

    /// The compute peaks, which scale together with the clock and SM count of a part.
    public var isPeak: Bool {
        switch self {
        case .fp32Flops, .tf32Flops, .fp16Flops, .bf16Flops, .fp8Flops: true
        default: false
        }
    }

    /// Fields the cost model cannot run without (a GPU with 0 here is unusable). The peaks
    /// are checked as "BF16 or FP16" by `Cluster.validated()`; 0 elsewhere means "no such unit".
    public var isRequired: Bool {
        switch self {
        case .memoryBytes, .hbmBandwidth, .nvlinkBandwidth, .networkBandwidth: true
        default: false
        }
    }

    public func value(in gpu: GPUSpec) -> Double {
        switch self {
        case .memoryBytes: gpu.memoryBytes
        case .fp32Flops: gpu.fp32Flops
        case .tf32Flops: gpu.tf32Flops
        case .fp16Flops: gpu.fp16Flops
        case .bf16Flops: gpu.bf16Flops
        case .fp8Flops: gpu.fp8Flops
        case .hbmBandwidth: gpu.hbmBandwidth
        case .nvlinkBandwidth: gpu.nvlinkBandwidth
        case .networkBandwidth: gpu.networkBandwidth
        case .pcieBandwidth: gpu.pcieBandwidth
        case .tdpWatts: gpu.tdpWatts
        case .gpusPerNode: Double(gpu.gpusPerNode)
        }
    }

    public func set(_ value: Double, in gpu: inout GPUSpec) {
        switch self {
        case .memoryBytes: gpu.memoryBytes = value
        case .fp32Flops: gpu.fp32Flops = value
        case .tf32Flops: gpu.tf32Flops = value
        case .fp16Flops: gpu.fp16Flops = value
        case .bf16Flops: gpu.bf16Flops = value
        case .fp8Flops: gpu.fp8Flops = value
        case .hbmBandwidth: gpu.hbmBandwidth = value
        case .nvlinkBandwidth: gpu.nvlinkBandwidth = value
        case .networkBandwidth: gpu.networkBandwidth = value
        case .pcieBandwidth: gpu.pcieBandwidth = value
        case .tdpWatts: gpu.tdpWatts = value
        // Finite and >= 0 (checked by GPUDraft); clamped to the supported node size.
        case .gpusPerNode: gpu.gpusPerNode = Int(min(max(value.rounded(), 1), Double(PDCostLimits.gpusPerNode.maximum)))
        }
    }
}
