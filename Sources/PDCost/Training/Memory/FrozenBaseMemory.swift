extension Workload {
    /// Model state of a LoRA/QLoRA stage on one GPU: the frozen base keeps only its weights —
    /// no gradient buffer, no master copy, no moments (`requires_grad=False` parameters are
    /// left out of the optimizer and of Megatron's/DDP's gradient buckets) — and the adapters
    /// keep the full mixed-precision state of any trained parameter, under the same ZeRO stage.
    ///
    /// Base weights are 16-bit (or the FP8 cache beside them in FP8 training); QLoRA stores the
    /// decoder layers' linear weights in NF4 at 4.127 bits each (`FineTuning.nf4BitsPerWeight`)
    /// and keeps embeddings, output layer and norms in 16-bit (bitsandbytes quantises
    /// `nn.Linear` modules only; Transformers skips `lm_head`). Under FSDP the frozen base is
    /// sharded and gathered a layer at a time like any parameter.
    func frozenBaseState(_ c: PlanContext, stage s: StageParameters, framework fw: FrameworkProfile) -> ModelStateBytes {
        var b = ModelStateBytes()
        let denseShard = fw.shardsOverContextParallel ? c.denseShardGroup : c.dp
        let keep = 1 - c.offloadRatio
        let fp8Cache: Double = fp8 && !fw.fp8Params && fw.kind != .torchtitan ? fp8WeightCacheBytes : 0
        // Frameworks whose optimizer updates the resident weights keep the frozen base at that
        // width too (Hugging Face Trainer: fp32 unless loaded with a `torch_dtype`), and
        // autocast's 16-bit casts of it are saved by each matmul for the input gradient.
        let resident = fw.residentWeightBytes(zeroStage: c.zeroStage, fsdp: c.fsdpWrapped).map(Double.init)
        let unquantized = resident ?? paramBytes
        let base: Double
        if adapters.quantizedBase {
            let quantized = max(s.total - s.vocabulary, 0)
            base = quantized * FineTuning.nf4BitsPerWeight / 8 + (s.total - quantized) * unquantized
        } else {
            base = s.total * (unquantized + fp8Cache)
        }
        if c.fsdp {
            b.parameters = base / denseShard + paramBytes * s.largestLayer * fw.fsdpUnshardedLayers
        } else {
            b.parameters = base
            if fw.autocastCastsWeights, let r = resident, r > paramBytes, !adapters.quantizedBase {
                b.parameters += paramBytes * s.total
            }
        }
        let trained = ZeRO.modelStateBytes(parameters: s.adapters, stage: c.fsdp ? 3 : c.zeroStage,
                                           ranks: denseShard, weightBytes: paramBytes,
                                           gradientBytes: gradBufferBytes,
                                           optimizerBytes: (masterBytes + momentBytes) * keep)
        b.parameters += trained.weights
        b.gradients = trained.gradients
        b.optimizer = trained.optimizer
        b.shardedParameters = c.zeroStage >= 1 || c.fsdp ? s.adapters / denseShard : s.adapters
        return b
    }
}
