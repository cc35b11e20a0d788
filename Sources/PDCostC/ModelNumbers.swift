import CPDCost
import PDCost

// The typed hot-path getters: parameter counts and FLOPs per token into versioned structs.

/// sizeof version 1 of each output struct: the smallest `size` a caller may pass. Frozen: when
/// a later version appends fields, these stay.
enum StructV1Size {
    static let paramCounts = 104
    static let flops = 48
    static let gpuSpec = 168
}

/// Checks `sequence_length` against the limits table (`PDCostLimits.seqLen`) and converts it.
func sequenceLength(_ value: UInt64, _ parameter: String = "sequence_length") throws(PDCostError) -> Int {
    try PDCostLimits.seqLen.check(value, field: parameter)
}

/// Checks a `pdcost_attention_mask` (any 32-bit value can arrive from C).
func attentionMask(_ value: pdcost_attention_mask, _ parameter: String = "mask") throws(PDCostError) -> AttentionMask {
    switch value {
    case PDCOST_MASK_CAUSAL: return .causal
    case PDCOST_MASK_FULL: return .full
    default:
        throw .invalidArgument("\(parameter)=\(value.rawValue) must be PDCOST_MASK_CAUSAL (0) or PDCOST_MASK_FULL (1)")
    }
}

/// Counts of a validated spec are non-negative and below 2^52; clamping only guards the type.
@inline(__always)
func count(_ value: Int) -> UInt64 { UInt64(clamping: value) }

@_cdecl("pdcost_model_param_counts")
public func pdcost_model_param_counts(_ out: UnsafeMutablePointer<pdcost_param_counts>?,
                                      _ model: OpaquePointer?) -> pdcost_status {
    withStatus {
        let handle = try ModelHandle.borrow(model)
        let destination = try VersionedOutput(out, "out", type: "pdcost_param_counts",
                                              minimumSize: StructV1Size.paramCounts,
                                              latestVersion: PDCOST_PARAM_COUNTS_VERSION)
        let b = handle.breakdown
        var value = pdcost_param_counts()
        value.total = count(b.total)
        value.active = count(handle.active)
        value.embedding = count(b.embedding)
        value.position_embedding = count(b.positionEmbedding)
        value.attention = count(b.attention)
        value.dense_mlp = count(b.denseMLP)
        value.routed_experts = count(b.routedExperts)
        value.shared_experts = count(b.sharedExperts)
        value.router = count(b.router)
        value.norms = count(b.norms)
        value.lm_head = count(b.lmHead)
        value.mtp = count(b.mtp)
        value.moe_latent_projections = count(b.moeLatentProjections)
        destination.write(value)
    }
}

@_cdecl("pdcost_model_flops_per_token")
public func pdcost_model_flops_per_token(_ out: UnsafeMutablePointer<pdcost_flops>?,
                                         _ model: OpaquePointer?, _ sequence_length: UInt64,
                                         _ mask: pdcost_attention_mask) -> pdcost_status {
    withStatus {
        let handle = try ModelHandle.borrow(model)
        let length = try sequenceLength(sequence_length)
        let kind = try attentionMask(mask)
        let destination = try VersionedOutput(out, "out", type: "pdcost_flops",
                                              minimumSize: StructV1Size.flops,
                                              latestVersion: PDCOST_FLOPS_VERSION)
        destination.write(cFlops(ParameterCounter.flopsPerToken(handle.spec, sequenceLength: length, mask: kind)))
    }
}

/// The C struct for a FLOPs result.
func cFlops(_ f: FlopsPerToken) -> pdcost_flops {
    var value = pdcost_flops()
    value.matmul_parameters = count(f.matmulParameters)
    value.matmul_forward = f.matmulForward
    value.attention_forward = f.attentionForward
    value.forward = f.forward
    value.training = f.training
    return value
}
