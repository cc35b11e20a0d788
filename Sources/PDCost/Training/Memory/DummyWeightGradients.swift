/// Transformer Engine's cached dummy weight gradients under Megatron's gradient-accumulation
/// fusion.
///
/// With `gradient_accumulation_fusion` (Megatron's default with TE layers) the weight-gradient
/// GEMM accumulates straight into the fp32 `main_grad`, and each TE linear layer returns a
/// placeholder `.grad` instead: `get_dummy_wgrad(shape, dtype)` allocates it once per distinct
/// (rows, cols, dtype) and keeps it in the module-level `_dummy_wgrads` dict for the life of
/// the process (TransformerEngine transformer_engine/pytorch/module/base.py, from release 2.3
/// for `Linear`/`LayerNormLinear`/`LayerNormMLP`, 2.10 for `GroupedLinear`). All decoder
/// layers share their shapes, so a rank holds one parameter-dtype copy of each distinct local
/// GEMM weight of a layer: QKV, output projection, FC1, FC2 (SimuMax models the same term:
/// MooreThreads/SimuMax simumax/core/base_struct.py `_record_te_dummy_wgrad_shape`,
/// model_struct.py `te_dummy_wgrad_bytes`). The embedding and output layer are Megatron's own
/// vocab-parallel layers and take no dummy.
extension Workload {
    /// Bytes of cached dummy weight gradients on one rank of a stage with `dense` dense-FFN and
    /// `moe` MoE layers (0 unless `teCachesDummyWeightGradients`, and under FSDP or with a
    /// frozen base whose weights take no gradient).
    func dummyWeightGradientBytes(_ c: PlanContext, framework fw: FrameworkProfile,
                                  dense: Double, moe: Double) -> Double {
        if !fw.teCachesDummyWeightGradients { return 0 }
        if c.fsdp || adapters.freezesBase || !(dense + moe > 0) { return 0 }
        let t = max(c.tp, 1)
        // Attention projections are in every layer; the MLP shapes are those the stage holds.
        var elements = localAttentionShardedParams(t)
        if dense > 0 { elements += denseMLPShardedParams / t }
        if moe > 0 {
            // GroupedLinear keys its dummy by one expert's weight shape (FC1 and FC2), plus the
            // shared experts' and the LatentMoE projections' dense GEMMs.
            elements += expertParams / max(c.etp, 1) + sharedExpertParams / t + moeLatentParams
        }
        return paramBytes * max(elements, 0)
    }
}

extension Workload {
    /// Bytes of the placeholder weight gradient Megatron's output layer allocates in its
    /// backward (0 where `dummyWeightGradientBytes` is 0 for the same reasons).
    ///
    /// The output layer is Megatron's `ColumnParallelLinear`; with gradient-accumulation fusion
    /// its backward accumulates the weight gradient into `main_grad` and then returns a fresh
    /// `torch.empty(weight.main_grad.shape, dtype=input.dtype)` as `grad_weight` so that the
    /// DDP hooks run on the main thread (megatron/core/tensor_parallel/layers.py,
    /// `LinearWithGradAccumulationAndAsyncCommunication.backward`). It is not cached: one
    /// vocab-shard-sized tensor in the activation dtype lives while the logits gradient does,
    /// at the start of the backward when every stored activation is still held.
    func outputLayerDummyGradientBytes(_ c: PlanContext, framework fw: FrameworkProfile) -> Double {
        switch fw.kind {
        case .megatron, .nemo, .megatronBridge: break
        default: return 0
        }
        if c.fsdp || adapters.freezesBase { return 0 }
        return paramBytes * c.paddedVocab / max(c.tp, 1) * hidden
    }
}
