import CPDCost
import PDCost

// GPU presets: typed lookup into pdcost_gpu_spec and the whole table as JSON.

@_cdecl("pdcost_gpu_from_name")
public func pdcost_gpu_from_name(_ out: UnsafeMutablePointer<pdcost_gpu_spec>?,
                                 _ name: UnsafePointer<CChar>?) -> pdcost_status {
    withStatus {
        let text = try utf8String(name, "name")
        let destination = try VersionedOutput(out, "out", type: "pdcost_gpu_spec",
                                              minimumSize: StructV1Size.gpuSpec,
                                              latestVersion: PDCOST_GPU_SPEC_VERSION)
        guard text.utf8.count <= maxEchoedBytes else {
            throw PDCostError.notFound("unknown GPU '\(echo(text))'; known: "
                                       + GPUPresets.all.map(\.name).joined(separator: ", "))
        }
        destination.write(cGPUSpec(try GPUPresets.named(text)))
    }
}

/// The C struct for a GPU preset.
func cGPUSpec(_ gpu: GPUSpec) -> pdcost_gpu_spec {
    var value = pdcost_gpu_spec()
    withUnsafeMutableBytes(of: &value.name) { copyTruncated(gpu.name, into: $0) }
    value.memory_bytes = gpu.memoryBytes
    value.fp32_flops = gpu.fp32Flops
    value.tf32_flops = gpu.tf32Flops
    value.fp16_flops = gpu.fp16Flops
    value.bf16_flops = gpu.bf16Flops
    value.fp8_flops = gpu.fp8Flops
    value.hbm_bandwidth = gpu.hbmBandwidth
    value.nvlink_bandwidth = gpu.nvlinkBandwidth
    value.network_bandwidth = gpu.networkBandwidth
    value.pcie_bandwidth = gpu.pcieBandwidth
    value.tdp_watts = gpu.tdpWatts
    value.gpus_per_node = UInt32(clamping: gpu.gpusPerNode)
    value.architecture = cArchitecture(gpu.architecture)
    value.supports_fp8 = cCapability(gpu.supportsFP8)
    value.supports_fp4 = cCapability(gpu.supportsFP4)
    return value
}

/// Copies `text` into a fixed `char[N]`: at most N-1 bytes, cut at a UTF-8 character boundary,
/// then NUL bytes to the end.
func copyTruncated(_ text: String, into buffer: UnsafeMutableRawBufferPointer) {
    guard buffer.count > 0 else { return }
    var utf8 = Array(text.utf8.prefix(buffer.count - 1))
    if utf8.count == buffer.count - 1, text.utf8.count > utf8.count {
        // Drop a partial character: back up over continuation bytes and their lead byte.
        while let last = utf8.last, last & 0xC0 == 0x80 { utf8.removeLast() }
        if let last = utf8.last, last >= 0xC0 { utf8.removeLast() }
    }
    buffer.initializeMemory(as: UInt8.self, repeating: 0)
    buffer.copyBytes(from: utf8)
}

/// One GPU preset as JSON (snake_case, every number, its aliases and its datasheet source).
struct GPUDocument: Encodable {
    var name: String
    var aliases: [String]
    var architecture: String
    var supportsFP8: Bool
    var supportsFP4: Bool
    var memoryBytes: Double
    var fp32Flops: Double
    var tf32Flops: Double
    var fp16Flops: Double
    var bf16Flops: Double
    var fp8Flops: Double
    var hbmBandwidth: Double
    var nvlinkBandwidth: Double
    var networkBandwidth: Double
    var pcieBandwidth: Double
    var tdpWatts: Double
    var gpusPerNode: Int
    var source: String

    init(_ g: GPUSpec) {
        name = g.name
        aliases = g.aliases
        architecture = g.architecture.rawValue
        supportsFP8 = g.supportsFP8
        supportsFP4 = g.supportsFP4
        memoryBytes = g.memoryBytes
        fp32Flops = g.fp32Flops
        tf32Flops = g.tf32Flops
        fp16Flops = g.fp16Flops
        bf16Flops = g.bf16Flops
        fp8Flops = g.fp8Flops
        hbmBandwidth = g.hbmBandwidth
        nvlinkBandwidth = g.nvlinkBandwidth
        networkBandwidth = g.networkBandwidth
        pcieBandwidth = g.pcieBandwidth
        tdpWatts = g.tdpWatts
        gpusPerNode = g.gpusPerNode
        source = g.source
    }

    enum CodingKeys: String, CodingKey {
        case name, aliases, source, architecture
        case supportsFP8 = "supports_fp8"
        case supportsFP4 = "supports_fp4"
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
    }
}

@_cdecl("pdcost_gpu_presets_json")
public func pdcost_gpu_presets_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(try encodeJSON(GPUPresets.all.map(GPUDocument.init)), in: out)
    }
}
