/// What a training framework does beyond the parallel plan: which buffers it keeps, what it
/// overlaps, how its allocator behaves, and which measured metric its logs report.
///
/// Each preset holds the framework's *own defaults*, with the file or flag they come from, so a
/// run that does not state a setting gets what the framework would have done. Everything here
/// is a behaviour (a switch or a byte count); tunable efficiency constants live in
/// `EfficiencyProfile`.
public struct FrameworkProfile: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case megatron
        case nemo
        case megatronBridge = "megatron-bridge"
        case torchtitan
        case deepspeed
        case paddleformers
        /// NeMo AutoModel (NVIDIA-NeMo/Automodel): Hugging Face models on PyTorch FSDP2
        /// `fully_shard` with DTensor TP/CP/EP and Transformer Engine kernels.
        case automodel
        /// Hugging Face Transformers `Trainer` launched with accelerate: DDP, FSDP or DeepSpeed
        /// ZeRO over the data-parallel ranks only.
        case hfTrainer = "hf-trainer"

        /// Megatron-Core underneath (Megatron-LM, NeMo, Megatron-Bridge): its layers, kernels
        /// and pipeline layouts.
        public var isMegatronFamily: Bool { self == .megatron || self == .nemo || self == .megatronBridge }
    }

    /// Which allocator statistic a run's unqualified "peak memory" is.
    public enum MemoryMetric: String, Sendable, Hashable {
        /// `torch.cuda.max_memory_allocated()`: live tensors only.
        case allocated
        /// `torch.cuda.max_memory_reserved()`: allocated plus the caching allocator's cache.
        case reserved
        /// What `nvidia-smi` shows: reserved plus CUDA context and library workspaces.
        case device
    }

    /// How FP8 GEMM inputs are scaled; decides the cast/amax traffic around each FP8 GEMM.
    public enum FP8Recipe: String, Sendable, Hashable, CaseIterable {
        /// Per-tensor delayed scaling from an amax history (Transformer Engine `DelayedScaling`).
        case delayed
        /// Per-tensor current scaling: an extra amax pass over each input (TE `Float8CurrentScaling`,
        /// torchao `tensorwise`).
        case current
        /// Block-wise scales (TE `Float8BlockScaling`, 128×128 weights / 1×128 activations;
        /// MXFP8 on Blackwell).
        case blockwise
        /// torchao `rowwise`: per-row scales with a scaled-mm kernel that runs below the
        /// tensorwise one on Hopper (torchao float8 README, performance table).
        case rowwise
        /// MXFP8 (OCP Microscaling): one E8M0 scale per 32 elements, computed in the cast
        /// kernel itself (TE `MXFP8BlockScaling`, Blackwell; NeMo `fp8_mx`). Row- and
        /// column-wise copies are kept, as for `blockwise`.
        case mxfp8
    }

    public var kind: Kind
    /// The settings stated for this job (`FrameworkSettings`); everything below already
    /// reflects them. Kept for reports and for which rank's memory a measurement read.
    public internal(set) var settings = FrameworkSettings()

    /// The attention implementation.
    public enum AttentionKernel: String, Sendable, Hashable, CaseIterable {
        /// Materialised s×s scores with a fused masked softmax (Megatron-LM before 2022:
        /// megatron/model/fused_softmax.py).
        case unfused
        /// Portable FlashAttention-2 (PyTorch SDPA's flash backend, the flash-attn package).
        case portable
        /// Architecture-specific fused attention (cuDNN via Transformer Engine
        /// `NVTE_FUSED_ATTN=1`, the default on Hopper and later; FlashAttention-3).
        case vendor
    }

    /// How context-parallel attention is run.
    public enum ContextParallelImplementation: String, Sendable, Hashable, CaseIterable {
        /// Transformer Engine `AttnFuncWithCPAndKVP2P` (Megatron-Core, NeMo): K/V in bf16 passed
        /// to the next rank while the current block computes, partial outputs corrected in
        /// fused kernels.
        case transformerEngineP2P
        /// PyTorch `torch.distributed.tensor.experimental.context_parallel` (torchtitan) with
        /// its default `allgather` rotate method (`_ContextParallelOptions.rotate_method =
        /// ALL_GATHER`, torch/distributed/tensor/experimental/_attention.py): one all-gather of
        /// every rank's K/V, waited for after the first (local) block; the backward all-gathers
        /// K/V again and passes the fp32 dK/dV accumulators around the ring
        /// (`dkv_rotater = ALL_TO_ALL`, `convert_to_f32 = True`); the per-block outputs and
        /// gradients are merged by eager fp32 ops (`_SDPAMerger`, `_partial_update`).
        case torchAllGather
    }

    // MARK: Kernels
    public var attentionKernel: AttentionKernel = .vendor
    public var contextParallelImplementation: ContextParallelImplementation = .transformerEngineP2P
    /// The model expands K/V to the query heads before the attention call, so context-parallel
    /// traffic and merges carry query-head widths (torchtitan's Llama: `keys = repeat_kv(xk,
    /// self.n_rep)` before `F.scaled_dot_product_attention`, models/llama/model.py).
    public var attentionRepeatsKVHeads: Bool = false
    /// Fused (flash) attention: no s×s score matrix is stored (Dao et al. 2022).
    public var flashAttention: Bool { attentionKernel != .unfused }
    /// torch.compile (Inductor) fuses elementwise chains, so memory-bound traffic and kernel
    /// launches drop.
    public var compiled: Bool = false
    /// CUDA graphs replay the step's kernels without per-kernel host launches.
    public var cudaGraphs: Bool = false
    /// Decoder layers whose saved activations go to host memory in the forward and come back
    /// for the backward (Megatron-Core `cpu_offloading_num_layers` with `cpu_offloading`:
    /// `get_cpu_offload_context`, megatron/core/cpu_offload.py; priced in `ActivationOffload`).
    /// 0: none.
    public var activationOffloadLayers: Int = 0
    public var fp8Recipe: FP8Recipe = .delayed
    /// FP8 weights kept between steps (TE `fp8_model_init` / NeMo `fp8_params`): 1-byte model
    /// weights, no per-step weight casts.
    public var fp8Params: Bool = false
    /// The attention core runs in FP8 (Megatron-Core `fp8_dot_product_attention`: TE's cuDNN
    /// FP8 fused attention, forward and backward) when the step is FP8: its tensor-core work at
    /// the FP8 rate, plus the casts of Q, K, V (forward) and of the output gradient (backward).
    public var fp8Attention: Bool = false

    /// Elementwise work is written as composite PyTorch ops (torchtitan's RMSNorm, SwiGLU and
    /// complex-number RoPE in eager mode), not as fused kernels (Transformer Engine's
    /// LayerNormLinear/LayerNormMLP, Apex/TE fused RoPE and bias-dropout-add).
    public var compositeElementwiseOps: Bool = false
    /// Memory-bound traffic relative to fused kernels (one read and one write per tensor).
    /// An eager composite RMSNorm makes 4–5 passes (pow, mean, rsqrt, two muls) and SwiGLU two,
    /// about twice the fused traffic; torch.compile fuses those chains back into single kernels
    /// (Ansel et al. 2024, "PyTorch 2", ASPLOS, §6).
    public var elementwiseTrafficScale: Double { compositeElementwiseOps && !compiled ? 2.0 : 1.0 }
    /// Host operations issued relative to eager (compiled graphs fuse elementwise chains; CUDA
    /// graphs replay captured layers without host work).
    public var hostOpScale: Double { cudaGraphs ? 0 : (compiled ? 0.5 : 1.0) }

    /// The grouped experts' bias and activation clamp run as eager PyTorch ops around the fused
    /// activation (Megatron-Core core_v0.17.1 moe/experts.py, TEGroupedMLP): the FC2 bias is
    /// added per local expert as `t + b * p` with the fp32 routing probability and the pieces
    /// concatenated and cast back (`_apply_bias`); a clamped GLU (`activation_func_clamp_value`)
    /// is chunked, clamped and concatenated before the fused GeGLU
    /// (fusions/fused_bias_geglu.py `weighted_bias_quick_geglu_impl`). Megatron-family
    /// frameworks; models without expert biases or a clamp pay nothing. Megatron-Core ≥ 0.18 with
    /// `use_transformer_engine_op_fuser` (`teOpFuser`) runs them inside TE's fused grouped-MLP
    /// ops (moe/experts.py: `ScaledClampedQGeGLU`, grouped bias), so nothing extra.
    public var eagerExpertEpilogue: Bool { kind.isMegatronFamily && !teOpFuser }
    /// Megatron-Core `use_transformer_engine_op_fuser` (core_v0.18 moe/experts.py): the grouped MLP
    /// runs as TE fused ops — one grouped-GEMM launch for all local experts, with the bias, the
    /// (clamped) GLU and the probability scaling fused (see `eagerExpertEpilogue`).
    public var teOpFuser: Bool = false
    /// The routed experts' GEMMs run as one grouped-kernel launch per matrix for all local
    /// experts, with no per-expert issue: torchtitan's MoE (`torch._grouped_mm`, CUTLASS grouped
    /// GEMM: torchtitan models/moe/moe.py `_run_experts_grouped_mm`). Megatron-Core's
    /// TEGroupedMLP instead issues one cuBLASLt GEMM per expert over streams
    /// (`EfficiencyProfile.groupedGemmPerExpertSeconds`) unless `teOpFuser`. Measured on an
    /// H200 (measured/h200-sxm-141gb/train_moe_grouped.json): the bench's 2-layer Qwen3-30B-A3B
    /// (128 experts on one GPU) steps in 45 ms with `_grouped_mm` against 723 ms looping over
    /// the experts.
    public var expertGEMMSingleLaunch: Bool = false

    /// How the routed experts' GEMMs reach the GPU, which sets their launch floor
    /// (`Rates.expertGEMM`).
    public enum ExpertGEMMLaunch: Sendable, Hashable {
        /// One cuBLASLt GEMM per expert issued from the host (TE's multi-stream GroupedLinear).
        case perExpert
        /// The per-expert GEMMs replayed from a CUDA graph (`moeGraphCaptured`) or fused by TE's
        /// op fuser (`teOpFuser`): no issue cost, the kernel floor each.
        case graphed
        /// One grouped kernel for all local experts (`expertGEMMSingleLaunch`): one floor.
        case single
    }

    /// The launch path of this framework's expert GEMMs.
    public var expertGEMMLaunch: ExpertGEMMLaunch {
        if expertGEMMSingleLaunch { return .single }
        return moeGraphCaptured || teOpFuser ? .graphed : .perExpert
    }

    // MARK: MoE routing
    /// Expert capacity factor; nil = dropless routing (Megatron `moe_expert_capacity_factor`).
    public var moeCapacityFactor: Double? = nil
    /// Each expert's input padded to its capacity (Megatron `moe_pad_expert_input_to_capacity`):
    /// all-to-all sizes are fixed, so no dispatcher needs the counts on the host.
    public var moePadToCapacity: Bool = false
    /// The token dispatcher (Megatron-Core `moe_token_dispatcher_type`, with `flex` running
    /// `moe_flex_dispatcher_backend`). Megatron-Core's and NeMo's recipes use `alltoall`.
    public var moeDispatcher: FrameworkSettings.MoETokenDispatcher = .alltoall
    /// Routed tokens of the busiest expert-parallel rank over the mean when the router is not
    /// forced to balance (`moe_router_force_balance`); 1 = balanced. Default 1.25: with the
    /// auxiliary balance loss a capacity factor of 1.25 drops well under 1 % of tokens, i.e.
    /// expert loads stay within ~1.25× the mean (Fedus et al. 2022, Switch Transformers,
    /// JMLR 23, §2.2 and Table 1).
    public var moeExpertImbalance: Double = 1.25
    /// The router is forced to an even token distribution (`moe_router_force_balance`, the
    /// benchmark mode of the published runs); kept as a plain field for the evaluation path.
    public var moeRouterForceBalance: Bool = false
    /// HybridEP's per-rank token budget over the mean routed load (Megatron-Core
    /// `moe_expert_rank_capacity_factor`, transformer_config.py: "With the 'hybridep' backend,
    /// tokens exceeding this budget are dropped"): its buffers are sized statically, so the
    /// dispatch needs no host sync. nil = sized per step from the received counts. Megatron-
    /// Bridge's DeepSeek-V3 performance recipes set 1.5 (v0.6.0 src/megatron/bridge/
    /// perf_recipes/deepseek/common.py).
    public var moeRankCapacityFactor: Double? = nil
    /// The dispatcher copies per-expert token counts to the host and synchronises once per
    /// MoE layer forward: dropless routing (or a capacity without padding) with Megatron-Core's
    /// `alltoall`/`allgather` dispatchers (moe/token_dispatcher.py, `cuda_sync_point`; the TE
    /// grouped GEMM takes its `m_splits` on the host), DeepEP's normal kernels (the CPU waits
    /// for the GPU's received-count signal: deepseek-ai/DeepEP README.md) and HybridEP as
    /// Megatron-Core drives it without a per-rank budget (`_HybridEPManager` passes
    /// `num_permuted_tokens=None`: "will cause a CPU sync"). HybridEP with
    /// `moe_expert_rank_capacity_factor` sizes its buffers statically and needs none (the
    /// kernels themselves have "Zero CPU-GPU synchronization requirements", DeepEP hybrid-ep
    /// Hybrid-EP_Intra-node_Implementation.md).
    public var moeHostSync: Bool {
        if moeCapacityFactor != nil && moePadToCapacity { return false }
        if moeDispatcher == .hybridep && moeRankCapacityFactor != nil { return false }
        return moeDispatcher.synchronisesHost
    }
    /// CUDA graphs capture the MoE half of a layer too: graphs are on and no dispatcher step
    /// waits for the host (a sync cannot be captured: Megatron-Core's `moe_preprocess` graph
    /// scope ends at it, transformer_config.py `cuda_graph_scope`); drop-and-pad, or HybridEP with a
    /// per-rank budget.
    public var moeGraphCaptured: Bool { cudaGraphs && !moeHostSync }
    /// Routed-token copies a rank processes over the balanced mean: the capacity factor when
    /// each expert's input is padded to it (drop-and-pad), else the busiest rank's load
    /// (`moeLoadFactor`).
    public var moeRankLoadFactor: Double {
        if let cf = moeCapacityFactor, moePadToCapacity, cf.isFinite { return max(cf, 1) }
        return moeLoadFactor
    }
    /// Load of the busiest expert-parallel rank over the mean: 1 when the router is forced to
    /// balance (benchmark mode), else `moeExpertImbalance`, capped by the capacity factor
    /// (tokens beyond capacity are dropped).
    public var moeLoadFactor: Double {
        var f = moeRouterForceBalance ? 1 : max(moeExpertImbalance, 1)
        if let cf = moeCapacityFactor, cf > 0 { f = min(f, max(cf, 1)) }
        if moeDispatcher == .hybridep, let r = moeRankCapacityFactor, r > 0 { f = min(f, max(r, 1)) }
        return f.isFinite ? f : 1
    }

    // MARK: Model state
    /// Bytes per element of the gradient buffer. Megatron-LM forces fp32 gradient accumulation
    /// and all-reduce for bf16 (megatron/training/arguments.py: `if args.bf16:
    /// args.accumulate_allreduce_grads_in_fp32 = True`), so its DDP grad buffer is fp32.
    public var gradBufferBytes: Int = 4
    /// Bytes per element of the data-parallel gradient reduction (Megatron-Core DDP
    /// `grad_reduce_in_fp32`, on for bf16 as above; torchtitan `mixed_precision_reduce=float32`).
    public var gradReduceBytes: Int = 4
    /// Bytes per parameter the optimizer keeps for the fp32 master copy; nil = the setup's
    /// `masterBytes` (4). Apex's DistributedFusedAdam as NeMo 1.x configures it
    /// (`optim.name=distributed_fused_adam`, nemo/core/optim/distributed_adam.py,
    /// `store_param_remainders=True`) keeps only the 16 low bits next to the bf16 weight: 2.
    public var optimizerMasterBytes: Int? = nil
    /// Bytes per element of the weights the model keeps between steps when they are the
    /// optimizer's own parameters (`torch.optim` updates `param.data` and allocates its moments
    /// with `torch.zeros_like(param)`, torch/optim/adamw.py `_init_group`): no separate master
    /// copy, gradients (`param.grad`) and moments of this width. nil = Megatron-style 16-bit
    /// weights with the optimizer's fp32 master copy (`TrainingSetup.masterBytes`).
    public var residentWeightBytes: Int? = nil
    /// ZeRO stages 1–3 without FSDP run DeepSpeed's engine (Transformers `Trainer` with a
    /// `deepspeed` config): it casts the module to bf16 (`DeepSpeedEngine._configure_distributed_model`,
    /// `self.module.bfloat16()`) and keeps fp32 master partitions, so `residentWeightBytes` does
    /// not apply there and the DeepSpeed accounting (16-bit weights and gradients) does.
    public var zeroStagesRunDeepSpeed: Bool = false
    /// Weights held in fp32 without FSDP mixed precision are cast to bf16 by `torch.autocast`
    /// in every forward (accelerate wraps `model.forward` in `torch.autocast` when
    /// `mixed_precision="bf16"`, Accelerator.prepare_model, `native_amp`): the casts of leaf
    /// weights are cached for the autocast region and saved by each matmul for its backward, so
    /// a 16-bit copy of every weight lives through the backward; each micro-batch reads the fp32
    /// weights and writes the copy (4 + 2 B), and its backward casts the 16-bit weight gradient
    /// back and accumulates it into the fp32 `.grad` (2 + 4 + 4 B).
    public var autocastCastsWeights: Bool = false
    /// torch DDP keeps its all-reduce buckets beside `param.grad` (`gradient_as_bucket_view`
    /// default False: "the saved memory size will be equal to the total gradients size" when
    /// True, torch/nn/parallel/distributed.py); accelerate `DistributedDataParallelKwargs` and
    /// AutoModel `DDPConfig` leave it False. Applies with `residentWeightBytes` and ZeRO-0.
    public var ddpGradientBucketCopy: Bool = false
    /// FSDP2 gradient reduction deferred to the last micro-batch (`set_requires_gradient_sync
    /// (False)` before the others): each layer's unsharded gradient is kept across
    /// micro-batches, upcast to the reduce dtype when it differs from the compute dtype
    /// (torch FSDPParam.to_accumulated_grad_if_needed), and reduce-scattered once per step.
    public var fsdpDefersGradientSync: Bool = false

    /// The width of the resident weights of a plan, or nil where the Megatron-style accounting
    /// applies (see `zeroStagesRunDeepSpeed`).
    public func residentWeightBytes(zeroStage: Int, fsdp: Bool) -> Int? {
        if zeroStagesRunDeepSpeed && zeroStage >= 1 && !fsdp { return nil }
        return residentWeightBytes
    }

    /// Optimizer states are sharded over the DP group *with* context parallel (Megatron
    /// distributed optimizer; torchtitan shards FSDP over dp_shard·cp).
    public var shardsOverContextParallel: Bool = true
    /// FSDP: unsharded layers held at once (the layer being computed plus the prefetched one;
    /// torch FSDP2 forward/backward prefetch of one module).
    public var fsdpUnshardedLayers: Double = 2
    /// The pipeline runtime keeps one activation receive buffer and one gradient receive
    /// buffer per micro-batch (not a double buffer), and the stage output of every in-flight
    /// micro-batch until its backward: torch.distributed.pipelining (torchtitan) allocates
    /// `args_recv_info[chunk_id]` / `grad_recv_info[mb_index]` for every micro-batch in
    /// `_prepare_forward_infra` / `_prepare_backward_infra` and keeps `fwd_cache[chunk] =
    /// (output_tuple, inputs)` until `backward_one_chunk` (torch/distributed/pipelining/
    /// stage.py). Megatron instead reuses two P2P buffers and pseudo-frees each sent output
    /// (`deallocate_output_tensor`, megatron/core/pipeline_parallel/schedules.py).
    public var pipelineBuffersPerMicroBatch: Bool = false
    /// PyTorch runs with `torch.use_deterministic_algorithms(True)` (Megatron
    /// `--deterministic-mode`): with `torch.utils.deterministic.fill_uninitialized_memory` at its
    /// default (True) every tensor made by `empty`/`empty_strided` on CUDA is first filled with
    /// NaN (aten/src/ATen/native/cuda/TensorFactories.cu, `empty_cuda`:
    /// `fill_empty_deterministic_`), one extra HBM write of each op output that Transformer
    /// Engine, cuDNN attention and the framework allocate. Off by default.
    public var deterministicFill: Bool = false
    /// Transformer Engine runs attention deterministically (TE DotProductAttention:
    /// `deterministic = not NVTE_ALLOW_NONDETERMINISTIC_ALGO or
    /// torch.are_deterministic_algorithms_enabled()`; Megatron's `--deterministic-mode` requires
    /// `NVTE_ALLOW_NONDETERMINISTIC_ALGO=0`, megatron/core/extensions/transformer_engine.py
    /// TEDotProductAttention). Its backend selection then drops cuDNN FusedAttention for training on
    /// compute capability < 9.0 and ≥ 10.0 ("Disabling FusedAttention for determinism reasons"
    /// / "... on Blackwell", transformer_engine/pytorch/attention/dot_product_attention/
    /// utils.py, `get_attention_backend`, "Filter: Determinism"), leaving FlashAttention-2;
    /// Hopper keeps cuDNN's deterministic workspace path. Off by default.
    public var deterministicAttention: Bool = false

    // MARK: Overlap
    /// Gradient reduce-scatter/all-reduce overlapped with the last micro-batch's backward
    /// (Megatron `--overlap-grad-reduce`, default off in Megatron-LM arguments.py; on in NeMo and
    /// Megatron-Bridge recipes: `overlap_grad_reduce=True`).
    public var overlapGradReduce: Bool = false
    /// Parameter all-gather of the distributed optimizer overlapped with the next step's first
    /// forward (Megatron `--overlap-param-gather`).
    public var overlapParamGather: Bool = false
    /// Tensor-parallel communication overlapped with GEMMs (Transformer Engine userbuffers,
    /// `--tp-comm-overlap`; torchtitan AsyncTP).
    public var tpCommOverlap: Bool = false
    /// Share of TP communication left exposed when `tpCommOverlap` is on; nil = the hardware
    /// profile's value for chunked GEMM/communication pipelining (TE userbuffers).
    public var tpOverlapExposedShare: Double? = nil
    /// TP overlap buffers live outside the caching allocator (torch SymmetricMemory maps its
    /// own pages for AsyncTP; TE userbuffers are ordinary allocator tensors).
    public var tpOverlapBuffersOutsideAllocator: Bool = false
    /// With sequence parallelism the column-parallel linears save their *gathered* input for
    /// the weight gradient (PyTorch DTensor TP: the `Shard(1)`→`Replicate()` redistribution
    /// output is what autograd keeps), instead of the SP-sharded input that Megatron saves and
    /// re-gathers in the backward (tensor_parallel/layers.py, `sequence_parallel` branch of
    /// LinearWithGradAccumulationAndAsyncCommunication).
    public var savesGatheredLinearInputs: Bool = false
    /// Pipeline send/recv overlapped with compute (Megatron `overlap_p2p_comm`, interleaved only).
    public var overlapP2P: Bool = false
    /// Expert-parallel all-to-all overlapped with computation of another micro-batch
    /// (Megatron `overlap_moe_expert_parallel_comm`, DeepSeek DualPipe-style).
    public var overlapExpertComm: Bool = false

    // MARK: Host
    /// Host time of one framework operation in eager mode (Python, the dispatcher, autograd
    /// recording and cudaLaunchKernel); the GPU idles when its kernels are shorter. PyTorch eager
    /// costs ~5–10 µs per op ("Accelerating PyTorch with CUDA Graphs", PyTorch blog 2021).
    public var hostSecondsPerOp: Double = 8e-6
    /// Fixed host work per optimizer step (loss/grad-norm reductions, logging, data loading not
    /// overlapped), seconds.
    public var stepOverheadSeconds: Double = 0.02

    // MARK: PaddleFormers sharding
    /// ShardingV2 `split_param`: parameters, gradients and optimizer states are flattened and
    /// split evenly over the sharding ranks (paddle DygraphShardingOptimizerV2), as Megatron's
    /// distributed optimizer does. Off (V1), whole parameters are assigned to ranks by a greedy
    /// size balance (DygraphShardingOptimizer `_partition_parameters`), so the fullest rank holds
    /// up to one more of the largest parameter's optimizer states.
    public var shardingSplitParam: Bool = true
    /// `sd_release_grads` (sharding_parallel_config `enable_release_grads`): the gradient
    /// buffers are freed after each optimizer step and allocated again in the next backward, so
    /// with a single micro-batch per step they never coexist with the forward's activations.
    public var shardingReleaseGrads: Bool = false
    /// DeepSpeed `zero_optimization.offload_optimizer.device` (nil: the framework has no such
    /// switch; its optimizer offload is `optimizer_offload_ratio` alone). DeepSpeed's default
    /// is "none" (offload_config.py, `DeepSpeedZeroOffloadOptimizerConfig.device`).
    public var offloadOptimizer: FrameworkSettings.OffloadDevice?
    /// DeepSpeed `zero_optimization.offload_param.device` (nil: no such switch); default "none"
    /// (`DeepSpeedZeroOffloadParamConfig.device`).
    public var offloadParam: FrameworkSettings.OffloadDevice?

    // MARK: Memory accounting
    /// The statistic an unqualified "peak memory" of this framework is.
    public var reportedPeak: MemoryMetric = .allocated
    /// The caching allocator runs with `expandable_segments:True` (torchtitan sets it in
    /// run_train.sh / torchtitan/train.py), which nearly removes fragmentation.
    public var expandableSegments: Bool = false
    /// Bytes per logit element live at the loss: bf16 logits plus the fp32 copy the
    /// vocab-parallel cross entropy works on (megatron/core/tensor_parallel/cross_entropy.py:
    /// `vocab_parallel_logits.float()`, exp in place, gradient in place).
    public var logitsBytesPerElement: Double = 6
    /// Transformer Engine caches one dummy weight gradient per distinct GEMM weight shape for
    /// the life of the process (TE ≥ 2.3, `get_dummy_wgrad`; see DummyWeightGradients.swift).
    /// Off unless the settings date the stack: NGC containers pair TE 2.3 with PyTorch 2.8
    /// (PyTorch container release notes 25.05), so a stated torch ≥ 2.8 turns it on.
    public var teCachesDummyWeightGradients: Bool = false
    /// Allocator-visible workspaces independent of the model (cuBLAS/cuBLASLt workspaces,
    /// which PyTorch allocates through the caching allocator, TE/NCCL staging), bytes.
    public var allocatorWorkspaceBytes: Double = 0.25 * 1_073_741_824
    /// Device memory outside the caching allocator: CUDA context with loaded kernels (~0.5 GiB
    /// on Hopper), cuDNN/cuBLAS handles and NCCL channel buffers (NCCL docs, "NCCL_BUFFSIZE"
    /// default 4 MiB per channel and peer), bytes.
    public var runtimeBytes: Double = 2.0 * 1_073_741_824
    /// Mean document length the framework's fine-tuning recipes pack into each sequence when
    /// the job states none (`TrainingSetup.packedDocumentTokens`); nil: one document per
    /// sequence. Set by `forFineTuning` where a framework's recipes pack by default.
    public var fineTuningPackedDocumentTokens: Int? = nil

    public init(kind: Kind) {
        self.kind = kind
    }

    /// Megatron-LM as its arguments.py defaults leave it: no gradient/parameter overlap
    /// (`--overlap-grad-reduce`, `--overlap-param-gather` are opt-in), pipeline P2P overlap on
    /// for interleaved schedules (`--no-overlap-p2p-communication` is the opt-out).
    public static var megatron: FrameworkProfile {
        var p = FrameworkProfile(kind: .megatron)
        p.overlapP2P = true
        return p
    }

    /// NeMo (1.x and 2.x) recipes: distributed (fused) Adam with `overlap_grad_sync` and
    /// `overlap_param_sync` on and `overlap_p2p_comm` for interleaved pipelines
    /// (NeMo megatron_gpt_config.yaml / nemo/collections/llm/recipes/*, MegatronStrategy DDP
    /// config `overlap_grad_reduce=True, overlap_param_gather=True`).
    public static var nemo: FrameworkProfile {
        var p = FrameworkProfile(kind: .nemo)
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.overlapP2P = true
        return p
    }

    /// Megatron-Bridge performance recipes (scripts/performance, recipes/*: DDP
    /// `overlap_grad_reduce=True, overlap_param_gather=True`; `overlap_p2p_comm` on for
    /// interleaved pipelines). Their launch configs turn fp32 gradient reduction off
    /// (scripts/performance/configs/{llama3/llama3_70b,llama31/llama31_405b,
    /// qwen3/qwen3_30b_a3b}_llm_pretrain.yaml: `mixed_precision: grad_reduce_in_fp32: false`),
    /// so the DDP gradient buffer and its reduce-scatter are bf16 (Megatron-Core
    /// DistributedDataParallelConfig: the grad buffer dtype is fp32 only when
    /// `grad_reduce_in_fp32`).
    public static var megatronBridge: FrameworkProfile {
        var p = FrameworkProfile(kind: .megatronBridge)
        p.gradBufferBytes = 2
        p.gradReduceBytes = 2
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.overlapP2P = true
        // Megatron-Bridge's published MoE performance recipes dispatch with `flex` on the
        // HybridEP backend: Qwen3-30B-A3B on every GPU, Qwen3-235B-A22B on GB200/GB300 and
        // DeepSeek-V3 on every GPU but one B200 variant (scripts/performance/configs/qwen/
        // qwen3_workload_base_configs.py and deepseek/deepseek_workload_base_configs.py,
        // `moe_flex_dispatcher_backend="hybridep"`); a run that states
        // `moe_token_dispatcher` overrides it.
        p.moeDispatcher = .hybridep
        return p
    }

    /// torchtitan (FSDP2 + TP/PP/CP): fp32 sharded parameters with bf16 compute
    /// (`mixed_precision_param = bfloat16`, `mixed_precision_reduce = float32`), per-layer
    /// prefetching all-gathers (always overlapped), `expandable_segments:True`, and a logged
    /// `memory: max_reserved` (torchtitan/components/metrics.py, DeviceMemStats).
    public static var torchtitan: FrameworkProfile {
        var p = FrameworkProfile(kind: .torchtitan)
        p.gradBufferBytes = 4
        p.gradReduceBytes = 4
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.reportedPeak = .reserved
        p.expandableSegments = true
        p.pipelineBuffersPerMicroBatch = true
        p.fp8Recipe = .current
        // F.scaled_dot_product_attention → FlashAttention-2 backend; composite eager ops.
        p.attentionKernel = .portable
        p.compositeElementwiseOps = true
        // AsyncTP (decomposed all-gather/reduce-scatter matmuls over SymmetricMemory) hides
        // about a third of the TP traffic: the PyTorch team reports ~8 % end-to-end for
        // Llama-3-70B ("Introducing Async Tensor Parallelism in PyTorch", PyTorch forums/blog,
        // 2024) where TP communication is ~25 % of the step.
        p.tpOverlapExposedShare = 0.65
        p.tpOverlapBuffersOutsideAllocator = true
        // torchtitan (2024) returns fp32 logits from the model (`self.output(h).float()`,
        // models/llama/model.py), which the train step holds through the backward; the loss
        // keeps the fp32 log-softmax output, and the backward adds its fp32 gradient.
        p.logitsBytesPerElement = 12
        p.savesGatheredLinearInputs = true
        p.contextParallelImplementation = .torchAllGather
        p.attentionRepeatsKVHeads = true
        p.expertGEMMSingleLaunch = true
        return p
    }

    /// DeepSpeed ZeRO (Rajbhandari et al. 2020 §5): fp16/bf16 gradients (2 bytes) reduced in
    /// their own precision; `overlap_comm` default false in the ZeRO config.
    public static var deepspeed: FrameworkProfile {
        var p = FrameworkProfile(kind: .deepspeed)
        p.gradBufferBytes = 2
        p.gradReduceBytes = 2
        p.shardsOverContextParallel = false
        p.attentionKernel = .portable
        p.offloadOptimizer = FrameworkSettings.OffloadDevice.none
        p.offloadParam = FrameworkSettings.OffloadDevice.none
        return p
    }

    /// Switches a profile to Apex DistributedFusedAdam (NeMo 1.x `distributed_fused_adam`):
    /// gradients accumulate and reduce-scatter in the parameter dtype (bf16: 2 bytes) and the
    /// fp32 master weights are stored as 16-bit remainders.
    public mutating func useApexDistributedAdam() {
        gradBufferBytes = 2
        gradReduceBytes = 2
        optimizerMasterBytes = 2
    }

    /// PaddleFormers (the original pdcost's target): sharding stage 1 (with `split_param` it
    /// behaves like Megatron's distributed optimizer; without, whole tensors per rank); overlap
    /// of sharding communication on.
    public static var paddleformers: FrameworkProfile {
        var p = FrameworkProfile(kind: .paddleformers)
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.reportedPeak = .reserved
        // `split_param` is opt-in (TrainingArguments `sharding_parallel_config`, default "").
        p.shardingSplitParam = false
        return p
    }

    /// NeMo AutoModel (NVIDIA-NeMo/Automodel, components/distributed/config.py `FSDP2Config`
    /// and components/models/common/utils.py `BackendConfig`, 2026):
    /// - FSDP2 `MixedPrecisionPolicy(param_dtype=bfloat16, reduce_dtype=float32)`: bf16 layer
    ///   gathers, fp32 gradient reduce-scatter.
    /// - Resident weights in the checkpoint's dtype: `torch_dtype` unset or "auto" resolves to
    ///   the config's (bf16 for the Llama/Qwen checkpoints), and the example configs'
    ///   `torch.optim.AdamW` then keeps bf16 moments (docs/guides/mixed-precision-training.mdx,
    ///   "Risky Pattern: torch AdamW with bf16 Model Storage": "common in existing fine-tuning
    ///   example configs"): 2 B weights, 2 B gradients, 2 × 2 B moments, no master copy.
    /// - `defer_fsdp_grad_sync=True`: unsharded gradients accumulate across micro-batches in
    ///   fp32 and reduce-scatter once (components/distributed/utils.py `get_sync_ctx`).
    /// - Kernels: `attn="te"` (cuDNN fused attention through TE) and `linear="te"`;
    ///   `rms_norm="torch_fp32"` and `rope="torch"` (fused RoPE forced off in
    ///   `BackendConfig.__post_init__`) are composite eager ops; `enable_compile=False`;
    ///   `activation_checkpointing=False`; `sequence_parallel=False`.
    /// - Loss: `MaskedCrossEntropy(fp32_upcast=True)` upcasts the bf16 logits
    ///   (components/loss/masked_ce.py: `logits = logits.float()` then `F.cross_entropy`):
    ///   bf16 logits, the fp32 log-softmax output kept for the backward and its fp32 gradient
    ///   (2 + 4 + 4 B), as torchtitan's eager loss.
    /// - Pipelining on torch.distributed.pipelining (`pp_schedule="1f1b"`,
    ///   components/distributed/pipelining/config.py) and DTensor TP, as torchtitan.
    public static var automodel: FrameworkProfile {
        var p = FrameworkProfile(kind: .automodel)
        p.residentWeightBytes = 2
        p.gradBufferBytes = 2
        p.gradReduceBytes = 4
        p.fsdpDefersGradientSync = true
        // DDPConfig.gradient_as_bucket_view = False (components/distributed/config.py).
        p.ddpGradientBucketCopy = true
        // FSDP2 prefetches the next layer's all-gather; DDP all-reduces buckets during the
        // backward (Li et al. 2020, "PyTorch Distributed", VLDB, §3.2.3).
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.attentionKernel = .vendor
        p.compositeElementwiseOps = true
        p.logitsBytesPerElement = 10
        p.pipelineBuffersPerMicroBatch = true
        p.savesGatheredLinearInputs = true
        return p
    }

    /// Hugging Face Transformers `Trainer` + accelerate with `bf16=True`:
    /// - Weights resident in fp32: `from_pretrained` loads fp32 unless a `torch_dtype` is given
    ///   (Transformers 4.x `PreTrainedModel.from_pretrained`), and under FSDP accelerate upcasts
    ///   any 16-bit flat parameter to fp32 when mixed precision is on ("we follow DeepSpeed's
    ///   strategy to hold the parameters in full precision", accelerate/accelerator.py
    ///   `prepare_model`). `optim` defaults to `adamw_torch_fused` on torch ≥ 2.8, else
    ///   `adamw_torch` (transformers/training_args.py): moments `zeros_like` the fp32 weights.
    /// - FSDP: accelerate's `FullyShardedDataParallelPlugin` defaults to `fsdp_version=1`,
    ///   `FULL_SHARD`, and `set_mixed_precision("bf16")` gives `param_dtype = reduce_dtype =
    ///   bfloat16` (accelerate/utils/dataclasses.py): bf16 gathers and bf16 reduce-scatter.
    /// - DDP (no FSDP, no DeepSpeed): autocast casts the fp32 weights each forward
    ///   (`autocastCastsWeights`), fp32 gradients all-reduced in fp32, DDP buckets beside them.
    /// - DeepSpeed ZeRO 1–3 via the `deepspeed` json: DeepSpeed's bf16 engine
    ///   (`zeroStagesRunDeepSpeed`), bf16 gradients reduced in bf16 as the deepspeed profile.
    /// - Kernels: `attn_implementation` resolves to `sdpa` when the model supports it
    ///   (transformers modeling_utils.py `get_correct_attn_implementation`), i.e. SDPA's
    ///   FlashAttention-2 backend; Llama's `LlamaRMSNorm` (fp32 upcast, pow, mean, rsqrt, two
    ///   muls), `act_fn(gate_proj(x)) * up_proj(x)` and `apply_rotary_pos_emb` are eager composite
    ///   ops; `torch_compile=False`, `gradient_checkpointing=False` (training_args.py).
    /// - Loss: `ForCausalLMLoss` upcasts the logits (`logits = logits.float()`,
    ///   transformers/loss/loss_utils.py) before `cross_entropy`: 2 + 4 + 4 B per logit.
    public static var hfTrainer: FrameworkProfile {
        var p = FrameworkProfile(kind: .hfTrainer)
        p.residentWeightBytes = 4
        p.zeroStagesRunDeepSpeed = true
        // The `deepspeed` json's ZeRO-Offload keys, "none" unless stated (DeepSpeed
        // offload_config.py, `device: OffloadDeviceEnum = "none"`), as the deepspeed profile.
        p.offloadOptimizer = FrameworkSettings.OffloadDevice.none
        p.offloadParam = FrameworkSettings.OffloadDevice.none
        p.autocastCastsWeights = true
        // accelerate DistributedDataParallelKwargs.gradient_as_bucket_view = False.
        p.ddpGradientBucketCopy = true
        p.gradBufferBytes = 2
        p.gradReduceBytes = 2
        p.shardsOverContextParallel = false
        // DDP all-reduces buckets during the backward (Li et al. 2020 §3.2.3). The FSDP path
        // prices every framework's per-layer gathers as prefetched; accelerate's plugin leaves
        // `backward_prefetch` None unless `FSDP_BACKWARD_PREFETCH` is set (`accelerate config`
        // writes BACKWARD_PRE), so an unconfigured run exposes more of its backward gathers.
        p.overlapGradReduce = true
        p.overlapParamGather = true
        p.attentionKernel = .portable
        p.compositeElementwiseOps = true
        p.logitsBytesPerElement = 10
        return p
    }

    /// The preset for a framework name as measured-runs files and users write it.
    public static func named(_ name: String) throws(PDCostError) -> FrameworkProfile {
        switch name.lowercased() {
        case "megatron", "megatron-lm", "megatron-core", "mcore": return .megatron
        case "nemo", "nemo-megatron", "nemo2": return .nemo
        case "megatron-bridge", "mbridge": return .megatronBridge
        case "torchtitan", "fsdp2": return .torchtitan
        case "deepspeed", "megatron-deepspeed": return .deepspeed
        case "paddleformers", "paddle", "paddlenlp": return .paddleformers
        case "automodel", "nemo-automodel": return .automodel
        case "hf-trainer", "hf", "transformers", "accelerate": return .hfTrainer
        default:
            throw .unsupported("framework '\(name)' is not supported; known: megatron, nemo, "
                               + "megatron-bridge, torchtitan, deepspeed, megatron-deepspeed, paddleformers, "
                               + "automodel, hf-trainer")
        }
    }

    /// Hidden dropout the framework applies when a run does not say: Megatron-LM's GPT
    /// defaults are `--hidden-dropout 0.1 --attention-dropout 0.1` (arguments.py); Llama-family
    /// recipes and torchtitan use none.
    public func defaultDropout(modelType: String) -> Double {
        switch kind {
        case .megatron, .nemo, .megatronBridge, .deepspeed:
            return modelType == "gpt" || modelType == "gpt2" ? 0.1 : 0
        case .automodel, .hfTrainer:
            // Hugging Face configs: GPT-2 `resid_pdrop = attn_pdrop = 0.1` (GPT2Config); Llama,
            // Qwen, Mistral `attention_dropout = 0.0` and no hidden dropout.
            return modelType == "gpt2" ? 0.1 : 0
        case .torchtitan, .paddleformers:
            return 0
        }
    }
}
