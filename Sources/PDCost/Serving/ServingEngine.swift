/// The serving engines pdcost knows, and the rules of each that are not user switches: what the
/// memory fraction is a fraction of, how a new request's KV cache is admitted, how much host
/// work one iteration costs, whether requests join a running batch. Switches a user sets (`ServingSettings`) have their per-engine
/// defaults in `ServingSettings.defaults(engine:gpu:)`.
public enum ServingEngine: String, Sendable, Hashable, CaseIterable {
    case vllm
    case sglang
    case tensorrtLLM = "tensorrt-llm"
    /// A plain eager PyTorch generation loop: `python -m pdcost.bench serve`
    /// (bindings/python/pdcost/bench/serve.py `generate`), the records with
    /// `framework: "pytorch"`. One static batch, no CUDA graphs, a contiguous preallocated KV
    /// cache, `F.scaled_dot_product_attention`, NCCL all-reduces, one batch in flight.
    case pytorch

    /// Whether the memory fraction applies to what is free after the weights and the
    /// profiling pass (TensorRT-LLM `KvCacheConfig.free_gpu_memory_fraction`,
    /// tensorrt_llm/llmapi/llm_args.py: "fraction of free GPU memory to use for KV cache") or
    /// to the whole GPU (vLLM `gpu_memory_utilization`, vllm/config/cache.py: "fraction of GPU
    /// memory to be used for the model executor"; SGLang `mem_fraction_static`,
    /// sglang/srt/server_args.py: weights and KV pool together).
    public var memoryFractionOfFree: Bool { self == .tensorrtLLM }

    /// The KV-cache format when none is given ("auto"): the activations' 16-bit type (vLLM
    /// `kv_cache_dtype="auto"`, SGLang likewise), except that TensorRT-LLM's FP8 checkpoints
    /// carry an FP8 KV cache (TensorRT-LLM docs, perf-overview: "If you specify FP8
    /// quantization, the KV cache will automatically be set to FP8 as well"; ModelOpt FP8
    /// exports set `kv_cache_quant_algo: FP8`).
    public func autoKVCache(weights: WeightPrecision) -> KVCachePrecision {
        switch (self, weights) {
        case (.tensorrtLLM, .fp8), (.tensorrtLLM, .fp4): .fp8
        case (_, .fp16): .fp16
        default: .bf16
        }
    }

    /// Host (CPU) time one engine iteration costs beyond the GPU work when CUDA graphs replay
    /// the decode: scheduling, input preparation, sampling and detokenisation hand-off.
    /// vLLM V1 moved these off the critical path ("vLLM V1: A Major Upgrade", vLLM blog,
    /// 2025-01-27: near-zero CPU overhead with the persistent batch and async output);
    /// SGLang's overlap scheduler likewise hides the CPU scheduler behind the GPU (SGLang v0.4
    /// blog, 2024-12-04, "zero-overhead batch scheduler"); TensorRT-LLM's C++ executor
    /// schedules in C++. What remains is about one graph launch and one synchronisation per
    /// step: tens of microseconds (the 0.4 blog's profiles show GPU idle < 5 % of a step).
    ///
    /// Eager PyTorch (bench/serve.py `generate`): every step ends with `next_tokens.cpu()`,
    /// which drains the stream, so the next step's first ops start from an idle GPU; the step
    /// also dispatches 13 ops outside the decoder layers (embedding, the final RMSNorm's 8,
    /// the last-position slice, LM head, argmax, the copy to the host: counted with a
    /// TorchDispatchMode on the harness; GPT-2's LayerNorm and learned positions give 9) at
    /// `ServingKernels.eagerHostSecondsPerOp` each, and waits one device-to-host round trip
    /// (~20 µs): 13 · 10 + 20 = 150 µs.
    public var stepHostSeconds: Double {
        switch self {
        case .vllm: 60e-6
        case .sglang: 40e-6
        case .tensorrtLLM: 30e-6
        case .pytorch: 150e-6
        }
    }

    /// Whether requests join and leave a running batch (continuous / in-flight batching: Orca,
    /// Yu et al. 2022). The eager loop runs one static batch: all prompts prefilled together,
    /// then every sequence decoded to the same length (bench/serve.py `generate`), so only the
    /// `static_batch` scenario describes it.
    public var continuousBatching: Bool { self != .pytorch }

    /// Whether a replica with pp > 1 stages keeps pp micro-batches in flight (vLLM virtual
    /// engines, SGLang/TensorRT-LLM micro-batching). The eager loop has one batch in flight
    /// (bench/serve.py: each stage `recv`s, runs its layers, `send`s; the last stage sends the
    /// tokens back to the first): a step is the sum over the stages plus the hops.
    public var pipelinesMicroBatches: Bool { self != .pytorch }

    /// Ops the host dispatches for one decoder layer of `m` per step when the engine issues
    /// every op from Python (nil: the engine launches kernels from C++ or replays graphs, priced
    /// by `ServingKernels.kernelsPerLayer`). Eager PyTorch dispatches each op of bench/serve.py
    /// `_Runner.layers_forward`, views, slices and no-op casts included, and each costs host
    /// time whether or not it launches a kernel: each RMSNorm 8 (float, pow, mean, add,
    /// rsqrt, mul, to, weight mul; `nn.LayerNorm` 1); q/k/v 3 GEMMs (an nn.Linear bias rides
    /// in addmm), 3 views and 3 transposes; Qwen3's q/k norms 2 more norms; RoPE 18 (2 slices
    /// and 2 casts of the cos/sin tables, then for q and k 2 muls, `_rotate_half`'s 2 slices,
    /// neg and cat, and the add); the cache 6 (2 slice-copies in, 2 slices out); 2
    /// `repeat_interleave` copies when kv heads < heads; SDPA 1; the transpose and reshape 2;
    /// o_proj 1 (+1 bias add: `_row` adds it after the all-reduce); 2 residual adds; gated MLP
    /// 5 (gate, up, act, mul, down) or plain 3, +1 down bias. Llama-3 62, Qwen3 78, GPT-2 28:
    /// what a TorchDispatchMode counts on the harness (decode steps of 2- and 4-layer models,
    /// torch 2.11).
    public func hostOpsPerLayer(model m: ModelSpec) -> Double? {
        guard self == .pytorch else { return nil }
        let norm: Double = m.normKind == .rmsNorm ? 8 : 1
        var ops = 2 * norm + 9 + 6 + 1 + 2 + 1 + 2
        if m.qkNorm { ops += 2 * norm }
        if m.positionEncoding == .rope { ops += 18 }
        if m.numKeyValueHeads < m.numAttentionHeads { ops += 2 }
        if m.attentionOutputBias { ops += 1 }
        ops += m.mlpKind == .gated ? 5 : 3
        if m.mlpBias { ops += 1 }
        return ops
    }
}

/// How a request's KV cache is admitted to the running batch.
public enum KVAdmission: String, Sendable, Hashable, CaseIterable {
    /// Blocks allocated as tokens arrive; a request is admitted if its prompt fits, and a
    /// running one is preempted when the cache runs out (vLLM's scheduler, Kwon et al. 2023
    /// §4.5; TensorRT-LLM `CapacitySchedulerPolicy.MAX_UTILIZATION`).
    case onDemand = "on_demand"
    /// A request is admitted only when prompt + the full output fit, so nothing is ever evicted
    /// (TensorRT-LLM `CapacitySchedulerPolicy.GUARANTEED_NO_EVICT`, the executor's default,
    /// tensorrt_llm/llmapi/llm_args.py `SchedulerConfig`).
    case reserveFull = "reserve_full"
}

/// How requests are ordered in the waiting queue. Priced the same: with equal requests the
/// order does not change the steady state.
public enum SchedulerPolicy: String, Sendable, Hashable, CaseIterable {
    case fcfs, priority, lpm
}

/// How tokens spread over the routed experts of an MoE layer.
public enum MoERouting: String, Sendable, Hashable, CaseIterable {
    /// Independent, uniform choices (a trained router near balance): the distinct experts a
    /// batch touches follow the occupancy law (`MoEOccupancy`).
    case uniform
    /// Every token picks the same top-k experts: benchmarks run on fake or zero-initialised
    /// weights (TensorRT-LLM `--use_fake_weights`, a constant router output breaks every tie
    /// the same way), so a step reads k experts per layer whatever the batch.
    case concentrated
}

/// What stands between the client and the engine; its per-request time adds to the TTFT.
public enum FrontEnd: String, Sendable, Hashable, CaseIterable {
    /// The benchmark drives the engine in-process (`trtllm-bench`, `vllm bench latency` /
    /// `throughput`, TensorRT-LLM's gptSessionBenchmark): no request handling.
    case none
    /// An OpenAI-compatible HTTP server (`vllm serve`, SGLang `launch_server`, `trtllm-serve`):
    /// request parsing, tokenisation, the hand-off to the engine process and the first
    /// streamed chunk. About 3 ms: an estimate (vLLM's API-server and scheduling share of a
    /// step, vLLM v0.6.0 blog, "Performance Update", 2024-09-05), not yet measured here.
    case http
    /// Triton Inference Server with the tensorrtllm_backend ensemble (preprocessing model →
    /// TensorRT-LLM → postprocessing model, decoupled streaming). TensorRT-LLM 0.14's online
    /// tables (shared/validation/inference_dev_runs.json) bound it at 2 requests/s:
    /// Llama-3.1-8B's TTFT is 19 ms at 467 prompt tokens, whose prefill alone takes ≥ 10.7 ms
    /// at 700 TFLOPS, while 70B's leaves ~10 ms beyond its prefill: ~5 ms.
    case triton

    /// Time one request spends in the front end before and after the engine's first token.
    public var requestSeconds: Double {
        switch self {
        case .none: 0
        case .http: 3e-3
        case .triton: 5e-3
        }
    }
}
