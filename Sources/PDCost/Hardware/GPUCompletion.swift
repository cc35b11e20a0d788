/// A GPU as a user describes it: a name, perhaps an architecture and capabilities, and the
/// numbers they know. A number that is nil (or, at the doors, 0) is unknown.
public struct GPUDraft: Sendable, Hashable {
    public var name: String
    public var architecture: GPUArchitecture?
    public var supportsFP8: Bool?
    public var supportsFP4: Bool?
    /// The stated numbers, SI units (`GPUField`); absent = unknown.
    public var numbers: [GPUField: Double]
    public var source: String

    public init(name: String, architecture: GPUArchitecture? = nil, supportsFP8: Bool? = nil,
                supportsFP4: Bool? = nil, numbers: [GPUField: Double] = [:], source: String = "") {
        self.name = name
        self.architecture = architecture
        self.supportsFP8 = supportsFP8
        self.supportsFP4 = supportsFP4
        self.numbers = numbers
        self.source = source
    }
}

/// One value the completion supplied: which field, the value, and where it came from.
public struct GPUFilledField: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case number(Double)
        case architecture(GPUArchitecture)
        case flag(Bool)
    }
    /// `GPUField.key`, or "architecture", "supports_fp8", "supports_fp4".
    public var field: String
    public var value: Value
    /// e.g. "preset H800-SXM-80GB" or "A100-SXM-80GB (ampere reference) x 0.5 (bf16_flops)".
    public var from: String
}

/// A completed GPU and what was filled in (empty when the user stated everything).
public struct GPUCompletion: Sendable, Hashable {
    public var gpu: GPUSpec
    public var filled: [GPUFilledField]
    /// The preset the numbers came from (nil: none was needed, or none matched).
    public var basis: String?
}

/// Completes a custom GPU's unknown numbers. The one place this rule lives; the C ABI
/// (`pdcost_gpu_complete`, and every cluster a caller builds) and through it Python and the
/// CLI reach it.
///
/// The rule (README, "Custom GPUs"):
/// 1. The numbers the user stated always win.
/// 2. The basis is the preset the name refers to (`GPUPresetMatch`: exact name/alias, else the
///    model family); its numbers are copied as they are (it is this part's datasheet). A
///    stated architecture that differs from the matched preset's discards the match.
/// 3. Without a matching preset, the basis is the stated architecture's reference part
///    (`GPUArchitecture.referencePresetName`). Its compute peaks are scaled by the ratio of the
///    first stated peak (BF16, then FP16, FP8, TF32, FP32) to the reference's, since the peaks
///    of one architecture's parts all scale with SM count × clock (NVIDIA H100 whitepaper:
///    every H100 SXM5/PCIe tensor peak is SMs × per-SM rate × boost clock); memory,
///    bandwidths, board power and node size are the reference's unscaled.
/// 4. Without either, the GPU cannot be completed: an error naming the first unknown field.
/// FP8 is filled only where the part has FP8 tensor cores (stated, or the basis's capability).
public enum GPUCompleter {
    /// Anchors for scaling a reference part's peaks, in order of preference.
    static let scaleAnchors: [GPUField] = [.bf16Flops, .fp16Flops, .fp8Flops, .tf32Flops, .fp32Flops]

    /// - Parameter fieldName: how the caller spells a field (`GPUField.key`, "architecture",
    ///   "supports_fp8") in errors, e.g. `{ "cluster->gpu." + $0 }`.
    public static func complete(_ draft: GPUDraft,
                                fieldName: (String) -> String = { $0 }) throws(PDCostError) -> GPUCompletion {
        for (field, value) in draft.numbers where !(value.isFinite && value >= 0) {
            throw .invalidArgument("\(fieldName(field.key))=\(value) must be a finite number >= 0")
        }
        // A node size is a count: beyond the limits table it is refused, never clamped.
        if let nodeSize = draft.numbers[.gpusPerNode], nodeSize > Double(PDCostLimits.gpusPerNode.maximum) {
            throw .invalidArgument("\(fieldName(GPUField.gpusPerNode.key))=\(nodeSize) must be in "
                                   + PDCostLimits.gpusPerNode.range)
        }
        let stated = draft.numbers.filter { $0.value > 0 }
        if draft.supportsFP8 == false, let fp8 = stated[.fp8Flops] {
            throw .invalidArgument("\(fieldName(GPUField.fp8Flops.key))=\(fp8) contradicts "
                                   + "\(fieldName("supports_fp8"))=false")
        }

        // The basis: matching preset, else the stated architecture's reference.
        var basis: (gpu: GPUSpec, from: String, scale: Double)?
        if let match = GPUPresetMatch.preset(for: draft.name),
           draft.architecture == nil || draft.architecture == match.gpu.architecture {
            basis = (match.gpu, "preset \(match.gpu.name)", 1)
        } else if let architecture = draft.architecture,
                  let reference = try? GPUPresets.named(architecture.referencePresetName) {
            var scale = 1.0, from = "\(reference.name) (\(architecture.rawValue) reference)"
            if let anchor = scaleAnchors.first(where: { stated[$0] != nil && $0.value(in: reference) > 0 }),
               let value = stated[anchor] {
                scale = value / anchor.value(in: reference)
                from += " scaled by \(fieldName(anchor.key)) \(value) / \(anchor.value(in: reference))"
            }
            basis = (reference, from, scale)
        }

        guard let basis else {
            let missing = GPUField.allCases.first { stated[$0] == nil && $0.isRequired }
                ?? (stated[.bf16Flops] == nil && stated[.fp16Flops] == nil ? .bf16Flops : nil)
            let what = missing.map { "\(fieldName($0.key))=0 is unknown" }
                ?? "\(fieldName("architecture")) is unknown"
            throw .invalidArgument("\(what) and no preset or architecture to fill it from: no "
                                   + "preset matches the name '\(draft.name)'; set "
                                   + "\(fieldName("architecture"))"
                                   + (missing == nil ? "" : " or the number"))
        }

        let architecture = draft.architecture ?? basis.gpu.architecture
        let hasFP8 = draft.supportsFP8 ?? (stated[.fp8Flops] != nil ? true : basis.gpu.supportsFP8)
        let hasFP4 = draft.supportsFP4 ?? basis.gpu.supportsFP4
        var gpu = basis.gpu
        gpu.name = draft.name
        gpu.aliases = []
        gpu.architecture = architecture
        gpu.supportsFP8 = hasFP8
        gpu.supportsFP4 = hasFP4
        var filled: [GPUFilledField] = []
        if draft.architecture == nil {
            filled.append(.init(field: "architecture", value: .architecture(architecture), from: basis.from))
        }
        if draft.supportsFP8 == nil && stated[.fp8Flops] == nil {
            filled.append(.init(field: "supports_fp8", value: .flag(hasFP8), from: basis.from))
        }
        if draft.supportsFP4 == nil {
            filled.append(.init(field: "supports_fp4", value: .flag(hasFP4), from: basis.from))
        }
        for field in GPUField.allCases {
            if let value = stated[field] {
                field.set(value, in: &gpu)
                continue
            }
            var value = field.value(in: basis.gpu) * (field.isPeak ? basis.scale : 1)
            if field == .fp8Flops && !hasFP8 { value = 0 }
            // A scale from an absurd stated peak can overflow the filled one: name the cause.
            guard value.isFinite else {
                throw .invalidArgument("\(fieldName(field.key)) cannot be filled: \(basis.from) gives \(value)")
            }
            field.set(value, in: &gpu)
            // A 0 left at 0 (no such unit on the basis either) changes nothing: not reported.
            if value > 0 {
                filled.append(.init(field: field.key, value: .number(field.value(in: gpu)), from: basis.from))
            }
        }
        gpu.source = !draft.source.isEmpty ? draft.source
            : filled.isEmpty ? "stated by the user"
            : "stated by the user; unknown numbers from \(basis.from)"
        return GPUCompletion(gpu: gpu, filled: filled, basis: filled.isEmpty ? nil : basis.gpu.name)
    }
}
