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

/// One GPU preset as JSON: name, aliases, architecture and capabilities, then every number
/// under its `GPUField` key (the one list of a GPU's numbers), then its datasheet source.
func gpuDocument(_ g: GPUSpec) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [
        ("name", .string(g.name)), ("aliases", .array(g.aliases.map(JSONValue.string))),
        ("architecture", .string(g.architecture.rawValue)), ("supports_fp8", .bool(g.supportsFP8)),
        ("supports_fp4", .bool(g.supportsFP4)),
    ]
    for field in GPUField.allCases {
        let value = field.value(in: g)
        members.append((field.key, field == .gpusPerNode ? .int(g.gpusPerNode) : .number(value)))
    }
    members.append(("source", .string(g.source)))
    return .object(members)
}

@_cdecl("pdcost_gpu_presets_json")
public func pdcost_gpu_presets_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(JSONWriter.document(.array(GPUPresets.all.map(gpuDocument))), in: out)
    }
}
