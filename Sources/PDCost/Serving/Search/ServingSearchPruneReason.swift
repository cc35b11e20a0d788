/// Why the serving search dropped a candidate. Every constraint `ServingDeploymentSpace`
/// checks has one reason, so `ServingSearchStats.pruned` tells a user why a deployment is
/// missing.
///
/// A reason counts *candidates* at the level where the constraint is decided, as in the
/// training search (`SearchPruneReason`): a tp that does not divide the heads is one candidate
/// (every deployment that would have extended it is skipped uncounted); a deployment whose
/// weights do not fit is one candidate (its batches are not counted); a batch beyond the KV
/// cache is one candidate per batch; a priced point that misses a target is one candidate.
public enum ServingSearchPruneReason: Int, Sendable, Hashable, CaseIterable {
    /// tp > gpus_per_node: serving keeps TP inside one node (`ServingDeployment.validated`).
    case tensorParallelAcrossNodes
    /// tp does not divide `num_attention_heads` (vLLM `verify_with_parallel_config`).
    case tensorParallelHeads
    /// tp neither divides nor is a multiple of `num_key_value_heads` (GQA/MHA models).
    case tensorParallelKVHeads
    /// pp > `num_hidden_layers`.
    case pipelineLayers
    /// Attention data parallel needs tp > 1.
    case attentionDataParallelTP
    /// Expert parallel over tp ranks: tp does not divide `num_experts`.
    case expertParallelExperts
    /// The weight precision has no kernel path on this GPU (fp4 without FP4 tensor cores).
    case precisionUnsupported
    /// `ServingCostModel` refused the deployment for a rule the enumerator does not mirror
    /// (a bug in the mirror if ever non-zero; tests hold it at zero).
    case deploymentInvalid
    /// Weights, activations, CUDA graphs and runtime leave no KV pool on a GPU.
    case weightsMemory
    /// The batch/concurrency (per replica, or per decode replica) exceeds the sequences the
    /// KV pool holds; or a prefill replica cannot hold one prompt.
    case kvCapacity
    /// Disaggregated: no prefill × decode replica counts fill the GPU budget exactly.
    case poolSplit
    /// Arrivals exceed what the deployment serves (open loop), or the prefill pool cannot keep
    /// the decode pool's batch fed (disaggregated).
    case saturated
    /// Priced; TTFT at the target's percentile exceeds `targets.maxTTFT`.
    case ttftTarget
    /// Priced; TPOT exceeds `targets.maxTPOT`.
    case tpotTarget
    /// Priced, but not a finite positive throughput (or the workload was refused).
    case noPrediction

    /// The key in `ServingSearchStats.pruned` and in JSON.
    public var name: String {
        switch self {
        case .tensorParallelAcrossNodes: "tp_across_nodes"
        case .tensorParallelHeads: "tp_attention_heads"
        case .tensorParallelKVHeads: "tp_kv_heads"
        case .pipelineLayers: "pp_layers"
        case .attentionDataParallelTP: "attention_dp_tp1"
        case .expertParallelExperts: "ep_experts"
        case .precisionUnsupported: "precision_unsupported"
        case .deploymentInvalid: "deployment_invalid"
        case .weightsMemory: "weights_memory"
        case .kvCapacity: "kv_capacity"
        case .poolSplit: "pd_split"
        case .saturated: "saturated"
        case .ttftTarget: "ttft_target"
        case .tpotTarget: "tpot_target"
        case .noPrediction: "no_prediction"
        }
    }
}
