/// Why the search dropped a candidate. Every constraint the enumerator checks has one reason,
/// so `SearchStats.pruned` tells a user why their favourite plan is missing.
///
/// A reason counts *candidates*: a partial plan rejected at the level where the constraint is
/// decided (a tensor-parallel degree that does not divide the heads is one candidate; every
/// plan that would have extended it is skipped without being counted), or a complete plan
/// that was priced and did not fit (`outOfMemory`).
public enum SearchPruneReason: Int, Sendable, Hashable, CaseIterable {
    /// tp does not divide `num_attention_heads` (Megatron-Core TransformerConfig).
    case tensorParallelHeads
    /// tp neither divides `num_key_value_heads` nor (where the framework replicates KV heads)
    /// is a multiple of it.
    case tensorParallelKVHeads
    /// A tensor-parallel group would span nodes (`allowTensorParallelAcrossNodes` is off).
    case tensorParallelAcrossNodes
    /// The layers cannot be split over pp stages: pp > layers, or pp does not divide them and
    /// no uneven split (framework-permitted, within `maxStageLayerReduction`) exists.
    case pipelineLayerSplit
    /// vpp does not divide the layers of every pipeline stage (Megatron-Core:
    /// `num_layers_per_pipeline_rank % vpp == 0`; an outer stage one layer lighter counts the
    /// embedding or loss as a layer, see `PipelineSplit.cutsIntoChunks`).
    case virtualPipelineLayerSplit
    /// seq_len is not divisible by 2·cp (load-balanced causal CP: Transformer Engine).
    case contextParallelSequence
    /// Sequence parallelism: (seq_len/cp) is not divisible by tp.
    case sequenceParallelSequence
    /// The global batch is not divisible by dp (or by mbs·dp): gradient accumulation would
    /// not be a whole number.
    case globalBatch
    /// ep·etp does not divide tp·cp·dp (the expert-data-parallel size edp must be whole).
    case expertGroup
    /// etp does not divide `moe_intermediate_size`.
    case expertTensorParallel
    /// The framework cannot combine this ZeRO stage with pipeline parallelism (DeepSpeed).
    case zeroWithPipeline
    /// Optimizer or parameter offload is not possible here (no sharded optimizer, dp = 1 for
    /// PaddleFormers, a framework without offload; DeepSpeed `offload_param` or a partial
    /// `offload_optimizer.ratio` below ZeRO-3, or a ratio with `offload_optimizer = none`).
    case optimizerOffload
    /// Weights, gradients and optimizer states alone exceed the memory limit (exact bound:
    /// the cost model's peak allocated memory includes them).
    case memoryLowerBound
    /// Priced, and the peak stage's allocated memory exceeds the limit.
    case outOfMemory
    /// Priced, but the prediction is not a finite positive throughput.
    case noPrediction

    /// The key in `SearchStats.pruned` and in JSON.
    public var name: String {
        switch self {
        case .tensorParallelHeads: "tp_attention_heads"
        case .tensorParallelKVHeads: "tp_kv_heads"
        case .tensorParallelAcrossNodes: "tp_across_nodes"
        case .pipelineLayerSplit: "pp_layer_split"
        case .virtualPipelineLayerSplit: "vpp_layer_split"
        case .contextParallelSequence: "cp_sequence"
        case .sequenceParallelSequence: "sp_sequence"
        case .globalBatch: "global_batch"
        case .expertGroup: "ep_group"
        case .expertTensorParallel: "etp_moe_width"
        case .zeroWithPipeline: "zero_with_pp"
        case .optimizerOffload: "optimizer_offload"
        case .memoryLowerBound: "memory_lower_bound"
        case .outOfMemory: "out_of_memory"
        case .noPrediction: "no_prediction"
        }
    }
}
