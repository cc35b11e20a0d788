/// Each engine's documented defaults, one complete `ServingSettings` per engine (and GPU memory
/// size where the engine's rule depends on it). Sources are cited per value.
extension ServingSettings {
    /// The engine's defaults on `gpu`; every key set but `kv_cache_max_tokens` (no cap).
    public static func defaults(engine: ServingEngine, gpu: GPUSpec, release: String? = nil) -> ServingSettings {
        var current = currentDefaults(engine: engine, gpu: gpu)
        guard let version = release.flatMap(releaseVersion) else { return current }
        switch engine {
        case .tensorrtLLM where version.major < 1:
            // Before 1.0 the default runtime ran TensorRT engines from C++ without CUDA graphs
            // (`ModelRunnerCpp`, `cuda_graph_mode=False`), with 64-token KV blocks (the older
            // plugin/plugin.py `_tokens_per_block` default).
            current.cudaGraphs = false
            current.kvBlockSize = 64
        case .vllm where version.major == 0 && version.minor < 8:
            // V0 (vllm/engine/arg_utils.py 0.5–0.6): max_num_seqs 256, no chunked prefill
            // (prefill iterations run alone), prefix caching off.
            current.maxNumSeqs = 256
            current.maxNumBatchedTokens = 8192
            current.chunkedPrefill = false
            current.mixedBatching = false
            current.prefixCaching = false
        case .sglang where version.major == 0 && version.minor < 4:
            // 0.3.x server_args.py: mem_fraction_static 0.88 at TP 1.
            current.gpuMemoryFraction = 0.88
        default: break
        }
        return current
    }

    static func currentDefaults(engine: ServingEngine, gpu: GPUSpec) -> ServingSettings {
        let gpuMemoryBytes = gpu.memoryBytes
        let large = gpuMemoryBytes >= 70 * 1_073_741_824
        switch engine {
        case .vllm:
            // vllm/engine/arg_utils.py `EngineArgs._set_default_args_v1` (0.10.2; `_set_default_args`
            // in 0.11): for the OpenAI server, max_num_batched_tokens 2048 and max_num_seqs 256,
            // raised to 8192 and 1024 on GPUs with ≥ 70 GiB other than A100 (PR #17885);
            // chunked prefill and prefix caching always on in V1; vllm/config/cache.py:
            // gpu_memory_utilization 0.9; vllm/platforms/cuda.py: block_size 16; graphs captured
            // up to min(2 · max_num_seqs, 512); custom all-reduce on (parallel.py).
            let large = large && gpu.architecture != .ampere
            return ServingSettings(cudaGraphs: true, cudaGraphMaxBatch: 512, chunkedPrefill: true,
                                   mixedBatching: true, maxNumBatchedTokens: large ? 8192 : 2048,
                                   maxNumSeqs: large ? 1024 : 256, kvBlockSize: 16, gpuMemoryFraction: 0.9,
                                   customAllReduce: true, prefixCaching: true, kvAdmission: .onDemand,
                                   schedulerPolicy: .fcfs, moeRouting: .uniform)
        case .sglang:
            // sglang/srt/server_args.py `ServerArgs.__post_init__` (0.5.2): chunked_prefill_size
            // 8192 on 80-GB-class GPUs (2048 below 35 GB), mem_fraction_static = (memory −
            // reserve) / memory with a 9.5 GiB + parallel_size/2 reserve on H100/A100 (0.875 at
            // TP 1 on 80 GB; 0.3.x: a fixed 0.88 at TP 1), page_size 1, cuda_graph_max_bs 160 on
            // 80 GB, radix (prefix) cache on, schedule_policy fcfs; enable_mixed_chunk False
            // (prefill and decode batches alternate); admission by an estimated new-token
            // ratio (0.7 decaying to 0.1: on demand, retracting when full).
            let gib = 1_073_741_824.0
            let fraction = large ? max(0.5, min(0.9, (gpuMemoryBytes - 10 * gib) / gpuMemoryBytes)) : 0.8
            return ServingSettings(cudaGraphs: true, cudaGraphMaxBatch: 160, chunkedPrefill: true,
                                   mixedBatching: false, maxNumBatchedTokens: gpuMemoryBytes >= 35 * gib ? 8192 : 2048,
                                   maxNumSeqs: 4096, kvBlockSize: 1, gpuMemoryFraction: fraction,
                                   customAllReduce: true, prefixCaching: true, kvAdmission: .onDemand,
                                   schedulerPolicy: .fcfs, moeRouting: .uniform)
        case .tensorrtLLM:
            // tensorrt_llm/builder.py `BuildConfig`: max_batch_size 2048, max_num_tokens 8192;
            // cpp/include/tensorrt_llm/executor: kDefaultGpuMemFraction 0.9 of the free memory;
            // plugin/plugin.py: tokens_per_block 32; `CapacitySchedulerPolicy`
            // GUARANTEED_NO_EVICT (reserves prompt + max output, getRemainingBlocksToCompletion);
            // chunked context off; in-flight batching mixes context and generation requests in
            // one iteration; custom all-reduce on; PyTorch backend CUDA graphs up to batch 128
            // (`CudaGraphConfig.max_batch_size`); KV block reuse off in the C++ runtime.
            return ServingSettings(cudaGraphs: true, cudaGraphMaxBatch: 128, chunkedPrefill: false,
                                   mixedBatching: true, maxNumBatchedTokens: 8192, maxNumSeqs: 2048,
                                   kvBlockSize: 32, gpuMemoryFraction: 0.9, customAllReduce: true,
                                   prefixCaching: false, kvAdmission: .reserveFull, schedulerPolicy: .fcfs,
                                   moeRouting: .uniform)
        case .pytorch:
            // The eager loop of bindings/python/pdcost/bench/serve.py: no CUDA graphs (`generate`
            // calls the modules step by step); no chunked prefill and no mixed batches (step 0
            // prefills the whole batch, later steps decode it); no cap on sequences (the batch is
            // what the caller gives: `ServeConfig.batch_size`); one contiguous cache per layer,
            // [batch, kv heads, input + output, head_dim] (`_Runner.__init__`): block 1, the
            // full length reserved up front; no memory fraction (torch's caching allocator
            // takes what it needs: 1.0 of the GPU); `dist.all_reduce` over NCCL, no custom
            // all-reduce; no prefix cache. `ServingCostModel.evaluate` sizes the activation
            // and the cache to the static batch (batch × input, batch × (input + output)); the
            // 8192-token budget only sizes `memory` before a workload is known.
            return ServingSettings(cudaGraphs: false, cudaGraphMaxBatch: 1, chunkedPrefill: false,
                                   mixedBatching: false, maxNumBatchedTokens: 8192,
                                   maxNumSeqs: PDCostLimits.servingSequences.maximum, kvBlockSize: 1,
                                   gpuMemoryFraction: 1, customAllReduce: false, prefixCaching: false,
                                   kvAdmission: .reserveFull, schedulerPolicy: .fcfs, moeRouting: .uniform)
        }
    }

    /// These settings with the engine's defaults filled in.
    public func resolved(engine: ServingEngine, gpu: GPUSpec) -> ResolvedServingSettings {
        ResolvedServingSettings(engine: engine, filled(from: Self.defaults(engine: engine, gpu: gpu, release: engineRelease)))
    }
}
