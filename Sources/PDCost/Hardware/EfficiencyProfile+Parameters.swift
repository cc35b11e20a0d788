/// The efficiency constants by name, with the range each may take: the vocabulary shared by
/// calibration profiles (`CalibrationProfile.efficiency`), the fitter and the bindings.
///
/// Names are the snake_case of the fields. Bounds are physical (a fraction of a peak cannot
/// exceed 1; a latency is positive), wide enough for any real machine and narrow enough that a
/// fit cannot wander into nonsense.
public struct EfficiencyParameter: Sendable {
    public let name: String
    public let keyPath: WritableKeyPath<EfficiencyProfile, Double> & Sendable
    public let lowerBound: Double
    public let upperBound: Double
    public let summary: String

    public func contains(_ value: Double) -> Bool {
        value.isFinite && value >= lowerBound && value <= upperBound
    }
}

extension EfficiencyProfile {
    /// Every tunable constant, in declaration order.
    public static let parameters: [EfficiencyParameter] = [
        .init(name: "gemm_peak_fraction16", keyPath: \.gemmPeakFraction16, lowerBound: 0.2, upperBound: 1,
              summary: "large-GEMM share of the BF16/FP16 tensor peak"),
        .init(name: "gemm_peak_fraction8", keyPath: \.gemmPeakFraction8, lowerBound: 0, upperBound: 1,
              summary: "large-GEMM share of the FP8 tensor peak"),
        .init(name: "gemm_half_dimension", keyPath: \.gemmHalfDimension, lowerBound: 0, upperBound: 4096,
              summary: "GEMM dimension at which half a tile's work is quantization/fill loss"),
        .init(name: "sustained_fraction", keyPath: \.sustainedFraction, lowerBound: 0.3, upperBound: 1,
              summary: "sustained (power-limited) share of the burst tensor rate"),
        .init(name: "reference_power_watts", keyPath: \.referencePowerWatts, lowerBound: 50, upperBound: 5000,
              summary: "board power at which the datasheet peak is sustained"),
        .init(name: "attention_forward_fraction", keyPath: \.attentionForwardFraction, lowerBound: 0.05, upperBound: 1,
              summary: "fused attention forward share of the BF16 peak (vendor kernel)"),
        .init(name: "attention_backward_fraction", keyPath: \.attentionBackwardFraction, lowerBound: 0.05, upperBound: 1,
              summary: "fused attention backward share of the BF16 peak (vendor kernel)"),
        .init(name: "portable_attention_forward_fraction", keyPath: \.portableAttentionForwardFraction,
              lowerBound: 0.05, upperBound: 1, summary: "FlashAttention-2 forward share of the BF16 peak"),
        .init(name: "portable_attention_backward_fraction", keyPath: \.portableAttentionBackwardFraction,
              lowerBound: 0.05, upperBound: 1, summary: "FlashAttention-2 backward share of the BF16 peak"),
        .init(name: "attention_half_sequence", keyPath: \.attentionHalfSequence, lowerBound: 0, upperBound: 65536,
              summary: "local sequence length at which attention runs at half its long-sequence rate"),
        .init(name: "attention_dropout_slowdown", keyPath: \.attentionDropoutSlowdown, lowerBound: 1, upperBound: 10,
              summary: "fused attention time with attention dropout over without (vendor kernel)"),
        .init(name: "portable_attention_dropout_slowdown", keyPath: \.portableAttentionDropoutSlowdown,
              lowerBound: 1, upperBound: 10, summary: "same for FlashAttention-2"),
        .init(name: "portable_attention_deterministic_backward_slowdown",
              keyPath: \.portableAttentionDeterministicBackwardSlowdown, lowerBound: 1, upperBound: 10,
              summary: "FlashAttention-2 backward time in deterministic mode over the default"),
        .init(name: "attention_deterministic_backward_slowdown",
              keyPath: \.attentionDeterministicBackwardSlowdown, lowerBound: 1, upperBound: 10,
              summary: "vendor fused attention backward time in deterministic mode over the default"),
        .init(name: "attention_exponentials_per_flop", keyPath: \.attentionExponentialsPerFlop, lowerBound: 1e-4,
              upperBound: 0.1, summary: "softmax exponentials per dense 16-bit tensor FLOP (SFU over tensor rate)"),
        .init(name: "attention_exponential_fraction", keyPath: \.attentionExponentialFraction, lowerBound: 0.05,
              upperBound: 1, summary: "share of the exponential rate fused attention sustains"),
        .init(name: "hbm_fraction", keyPath: \.hbmFraction, lowerBound: 0.1, upperBound: 1,
              summary: "share of HBM bandwidth that memory-bound kernels sustain"),
        .init(name: "grouped_gemm_half_tokens", keyPath: \.groupedGemmHalfTokens, lowerBound: 0, upperBound: 65536,
              summary: "tokens per expert at which a grouped GEMM runs at half the large-GEMM rate"),
        .init(name: "grouped_gemm_wgrad_half_tokens", keyPath: \.groupedGemmWgradHalfTokens, lowerBound: 0,
              upperBound: 65536, summary: "same for the grouped weight-gradient GEMM"),
        .init(name: "grouped_gemm_per_expert_seconds", keyPath: \.groupedGemmPerExpertSeconds, lowerBound: 0,
              upperBound: 1e-3, summary: "shortest time of one expert's FP8/FP4 GEMM in a per-expert grouped GEMM, seconds"),
        .init(name: "grouped_gemm_per_expert_seconds_16bit", keyPath: \.groupedGemmPerExpertSeconds16, lowerBound: 0,
              upperBound: 1e-3, summary: "same for a 16-bit (BF16/FP16) expert GEMM, seconds"),
        .init(name: "expert_dispatch_nvlink_fraction", keyPath: \.expertDispatchNVLinkFraction, lowerBound: 0.05,
              upperBound: 1, summary: "hierarchical MoE dispatcher (DeepEP/HybridEP) share of the NVLink rate"),
        .init(name: "host_sync_round_trip_seconds", keyPath: \.hostSyncRoundTripSeconds, lowerBound: 0, upperBound: 1e-2,
              summary: "device-to-host round trip of a host synchronisation, seconds"),
        .init(name: "kernel_floor_seconds", keyPath: \.kernelFloorSeconds, lowerBound: 0, upperBound: 1e-3,
              summary: "shortest GPU time of any kernel, launch gap included"),
        .init(name: "nvlink_fraction", keyPath: \.nvlinkFraction, lowerBound: 0.05, upperBound: 1,
              summary: "NCCL bus bandwidth over NVLink as a share of the link rate"),
        .init(name: "network_fraction", keyPath: \.networkFraction, lowerBound: 0.05, upperBound: 1,
              summary: "NCCL bus bandwidth across nodes as a share of the NIC rate"),
        .init(name: "all_to_all_fraction", keyPath: \.allToAllFraction, lowerBound: 0.05, upperBound: 1,
              summary: "all-to-all efficiency relative to all-gather"),
        .init(name: "nvlink_step_latency", keyPath: \.nvlinkStepLatency, lowerBound: 0, upperBound: 1e-3,
              summary: "latency per ring step inside a node, seconds"),
        .init(name: "network_step_latency", keyPath: \.networkStepLatency, lowerBound: 0, upperBound: 1e-3,
              summary: "latency per ring step across nodes, seconds"),
        .init(name: "collective_base_latency", keyPath: \.collectiveBaseLatency, lowerBound: 0, upperBound: 1e-3,
              summary: "fixed latency of one collective call, seconds"),
        .init(name: "pcie_fraction", keyPath: \.pcieFraction, lowerBound: 0.05, upperBound: 1,
              summary: "pinned host-device copy share of the PCIe rate"),
        .init(name: "overlap_interference", keyPath: \.overlapInterference, lowerBound: 0, upperBound: 1,
              summary: "compute slow-down per second of overlapped communication"),
        .init(name: "tp_overlap_exposed_fraction", keyPath: \.tpOverlapExposedFraction, lowerBound: 0, upperBound: 1,
              summary: "share of chunk-overlapped TP communication left exposed"),
        .init(name: "allocator_fragmentation", keyPath: \.allocatorFragmentation, lowerBound: 0, upperBound: 2,
              summary: "reserved-but-free share of churning memory (caching allocator)"),
        .init(name: "expandable_fragmentation", keyPath: \.expandableFragmentation, lowerBound: 0, upperBound: 2,
              summary: "same with expandable_segments:True"),
        // Bounds: 0 (no workspace) to 16 × the 0.25 GiB default = 4 GiB, the most cuBLAS + TE +
        // NCCL staging reach on a GPU (cuBLAS workspace ≤ 32 MiB per stream and handle,
        // CUBLAS_WORKSPACE_CONFIG; NCCL_BUFFSIZE 4 MiB per channel and peer).
        .init(name: "allocator_workspace_scale", keyPath: \.allocatorWorkspaceScale, lowerBound: 0, upperBound: 16,
              summary: "factor on the framework's allocator-visible workspaces (allocator_workspace_bytes)"),
        // Bounds: 0.25 (a 0.5 GiB bare CUDA context of the 2 GiB default) to 4 (8 GiB: context,
        // handles and NCCL buffers of many communicators).
        .init(name: "runtime_memory_scale", keyPath: \.runtimeMemoryScale, lowerBound: 0.25, upperBound: 4,
              summary: "factor on the device memory outside the caching allocator (runtime_bytes)"),
    ]

    /// The parameter of that name, or nil.
    public static func parameter(named name: String) -> EfficiencyParameter? {
        parameters.first { $0.name == name }
    }

    /// This profile with `overrides` applied; an unknown name or a value outside the parameter's
    /// bounds is an error naming both.
    public func applying(_ overrides: [String: Double]) throws(PDCostError) -> EfficiencyProfile {
        var result = self
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = Self.parameter(named: name) else {
                throw .invalidArgument("efficiency.\(name): unknown parameter; known: "
                                       + Self.parameters.map(\.name).joined(separator: ", "))
            }
            guard parameter.contains(value) else {
                throw .invalidArgument("efficiency.\(name)=\(value) is outside "
                                       + "[\(parameter.lowerBound), \(parameter.upperBound)]")
            }
            result[keyPath: parameter.keyPath] = value
        }
        return result
    }

    /// Every parameter's value by name.
    public var values: [String: Double] {
        var result: [String: Double] = [:]
        for parameter in Self.parameters { result[parameter.name] = self[keyPath: parameter.keyPath] }
        return result
    }
}
