/// How `trtllm-bench` sizes an engine for a dataset when the user gives no max batch size or
/// max token count: tensorrt_llm/bench/build/tuning.py `calc_engine_setting` /
/// `finetune_setting` (TensorRT-LLM main, commit 04cba88), applied to FP8, NVFP4 and
/// unquantised checkpoints. A harness rule, used where a record states the harness ran it.
public enum TRTLLMBenchTuning {
    /// (max_batch_size, max_num_tokens) for a dataset of `input` / `output` tokens per request.
    public static func engineSetting(model m: ModelSpec, gpu: GPUSpec, tp: Int, pp: Int,
                                     weightBytes: Double, kvBytes: Double, input: Int, output: Int,
                                     chunkedPrefill: Bool, memoryFraction: Double = 0.95) -> (maxBatchSize: Int, maxNumTokens: Int) {
        let gib = 1_073_741_824.0
        let kvHeads = m.mla == nil ? max(tp, m.numKeyValueHeads) : 1
        let headSize = m.mla.map { $0.kvLoraRank + $0.qkRopeHeadDim } ?? m.headDim
        let perTokenGiB = 2 * Double(m.numLayers) * Double(kvHeads) * Double(headSize) * kvBytes / gib
            / (m.mla == nil ? 1 : 2)
        let available = gpu.memoryBytes / gib * Double(tp * pp)
            - Double(ParameterCounter.breakdown(m).total) * weightBytes / gib
        let cache = max(available, 0) * memoryFraction
        let requests = perTokenGiB > 0 ? cache / (perTokenGiB * Double(input + output)) : 0
        let rawBatch = min(requests, 4096) / Double(pp)
        let rawTokens = min(rawBatch * (1 + Double(input) / Double(max(output, 1))), 32768)
        func up(_ x: Double, _ step: Double) -> Int { Int((x / step).rounded(.up) * step) }
        let batch: Int
        if rawBatch < 256 { batch = max(64, up(rawBatch, 32)) }
        else if rawBatch < 1024 { batch = up(rawBatch, 128) }
        else { batch = up(rawBatch, 256) }
        var tokens: Int
        // "Set min to 2048 to ensure Ctx/Gen overlap efficiency".
        if rawTokens < 4096 { tokens = max(2048, up(rawTokens, 256)) }
        else if rawTokens < 8192 { tokens = up(rawTokens, 512) }
        else { tokens = up(rawTokens, 1024) }
        // bench/benchmark/utils/general.py `get_settings`: without chunked prefill the longest
        // prompt must fit one iteration beside a full batch of decodes.
        if !chunkedPrefill { tokens = max(tokens, input + batch) }
        return (max(batch, 1), max(tokens, 1))
    }
}
