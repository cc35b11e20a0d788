import CPDCost
import PDCost

// Custom GPUs: pdcost_gpu_spec <-> GPUDraft, and pdcost_gpu_complete. The completion rule
// itself is GPUCompleter's (PDCost/Hardware/GPUCompletion.swift).

/// The C value of an architecture (pdcost_gpu_architecture, stored in a uint8_t).
func cArchitecture(_ architecture: GPUArchitecture) -> UInt8 {
    switch architecture {
    case .volta: UInt8(PDCOST_GPU_ARCH_VOLTA.rawValue)
    case .ampere: UInt8(PDCOST_GPU_ARCH_AMPERE.rawValue)
    case .ada: UInt8(PDCOST_GPU_ARCH_ADA.rawValue)
    case .hopper: UInt8(PDCOST_GPU_ARCH_HOPPER.rawValue)
    case .blackwell: UInt8(PDCOST_GPU_ARCH_BLACKWELL.rawValue)
    case .blackwellUltra: UInt8(PDCOST_GPU_ARCH_BLACKWELL_ULTRA.rawValue)
    }
}

func cCapability(_ flag: Bool) -> UInt8 {
    UInt8(flag ? PDCOST_GPU_CAPABILITY_YES.rawValue : PDCOST_GPU_CAPABILITY_NO.rawValue)
}

/// The GPU a caller described, unknowns (0) as nil. Version 1 structs carry no architecture or
/// capabilities (their bytes are padding there). `prefix` names fields in errors ("in->").
func gpuDraft(_ g: pdcost_gpu_spec, prefix: String) throws(PDCostError) -> GPUDraft {
    let name = withUnsafeBytes(of: g.name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    var draft = GPUDraft(name: name.isEmpty ? "custom" : name)
    let numbers: [(GPUField, Double)] = [
        (.memoryBytes, g.memory_bytes), (.fp32Flops, g.fp32_flops), (.tf32Flops, g.tf32_flops),
        (.fp16Flops, g.fp16_flops), (.bf16Flops, g.bf16_flops), (.fp8Flops, g.fp8_flops),
        (.hbmBandwidth, g.hbm_bandwidth), (.nvlinkBandwidth, g.nvlink_bandwidth),
        (.networkBandwidth, g.network_bandwidth), (.pcieBandwidth, g.pcie_bandwidth),
        (.tdpWatts, g.tdp_watts), (.gpusPerNode, Double(g.gpus_per_node)),
    ]
    for (field, value) in numbers {
        if !(value.isFinite && value >= 0) {
            throw .invalidArgument("\(prefix)\(field.key)=\(value) must be a finite number >= 0")
        }
        if value > 0 { draft.numbers[field] = value }
    }
    switch UInt32(g.architecture) {
    case PDCOST_GPU_ARCH_UNKNOWN.rawValue: draft.architecture = nil
    case PDCOST_GPU_ARCH_VOLTA.rawValue: draft.architecture = .volta
    case PDCOST_GPU_ARCH_AMPERE.rawValue: draft.architecture = .ampere
    case PDCOST_GPU_ARCH_ADA.rawValue: draft.architecture = .ada
    case PDCOST_GPU_ARCH_HOPPER.rawValue: draft.architecture = .hopper
    case PDCOST_GPU_ARCH_BLACKWELL.rawValue: draft.architecture = .blackwell
    case PDCOST_GPU_ARCH_BLACKWELL_ULTRA.rawValue: draft.architecture = .blackwellUltra
    default:
        throw .invalidArgument("\(prefix)architecture=\(g.architecture) is not a pdcost_gpu_architecture (0...6)")
    }
    draft.supportsFP8 = try capability(g.supports_fp8, "\(prefix)supports_fp8")
    draft.supportsFP4 = try capability(g.supports_fp4, "\(prefix)supports_fp4")
    return draft
}

private func capability(_ value: UInt8, _ field: String) throws(PDCostError) -> Bool? {
    switch UInt32(value) {
    case PDCOST_GPU_CAPABILITY_UNKNOWN.rawValue: return nil
    case PDCOST_GPU_CAPABILITY_NO.rawValue: return false
    case PDCOST_GPU_CAPABILITY_YES.rawValue: return true
    default: throw .invalidArgument("\(field)=\(value) is not a pdcost_gpu_capability (0...2)")
    }
}

/// One filled-in value as JSON: {"field", "value" (number, architecture name or boolean), "from"}.
struct FilledFieldDocument: Encodable {
    let filled: GPUFilledField

    enum CodingKeys: String, CodingKey { case field, value, from }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(filled.field, forKey: .field)
        switch filled.value {
        case .number(let v): try c.encode(v, forKey: .value)
        case .architecture(let a): try c.encode(a.rawValue, forKey: .value)
        case .flag(let b): try c.encode(b, forKey: .value)
        }
        try c.encode(filled.from, forKey: .from)
    }
}

@_cdecl("pdcost_gpu_complete")
public func pdcost_gpu_complete(_ out: UnsafeMutablePointer<pdcost_gpu_spec>?,
                                _ out_filled_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                _ input: UnsafePointer<pdcost_gpu_spec>?) -> pdcost_status {
    withStatus {
        let destination = try VersionedOutput(out, "out", type: "pdcost_gpu_spec",
                                              minimumSize: StructV1Size.gpuSpec,
                                              latestVersion: PDCOST_GPU_SPEC_VERSION)
        let spec = try readVersioned(input, "in", type: "pdcost_gpu_spec", latestVersion: PDCOST_GPU_SPEC_VERSION)
        let completion = try GPUCompleter.complete(try gpuDraft(spec, prefix: "in->"),
                                                   fieldName: { "in->" + $0 })
        // Encode and copy before writing anything: a failure leaves the out-parameters untouched.
        var copy: UnsafeMutablePointer<CChar>?
        if out_filled_json != nil {
            let json = try encodeJSON(completion.filled.map { FilledFieldDocument(filled: $0) })
            guard let owned = libraryOwnedCopy(json) else {
                throw PDCostError.internalError("out of memory copying a string of \(json.utf8.count) bytes")
            }
            copy = owned
        }
        destination.write(cGPUSpec(completion.gpu))
        out_filled_json?.pointee = copy
    }
}
