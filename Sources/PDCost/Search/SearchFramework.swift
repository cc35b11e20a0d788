/// What a training framework can run, as far as the plan search is concerned: the parallel
/// layouts it accepts at start-up. `ParallelPlan.validate` holds the rules every framework
/// shares; this table holds the ones that differ, each with the code that imposes it.
///
/// | framework              | ZeRO stages          | uneven PP | VPP | CP  | KV replication | offload |
/// |------------------------|----------------------|-----------|-----|-----|----------------|---------|
/// | megatron, nemo, bridge | 0, 1 (3 = M-FSDP)    | yes       | yes | yes | no             | ZeRO ≥ 1|
/// | torchtitan             | 0 (DDP), 3 (FSDP2)   | no        | yes | yes | no             | no      |
/// | deepspeed              | 0–3, ≤ 1 with PP     | no        | no  | no  | no             | ZeRO ≥ 1|
/// | paddleformers          | 0–3 (sharding)       | no        | yes | yes | yes            | dp > 1  |
/// | automodel              | 0 (DDP), 3 (FSDP2)   | no        | no  | yes | no             | no      |
/// | hf-trainer             | 0, 1–3 (DS), 3 (FSDP)| no TP, PP, CP or EP: data parallel only            |
public struct SearchFramework: Sendable, Hashable {
    public let kind: FrameworkProfile.Kind

    public init(_ kind: FrameworkProfile.Kind) { self.kind = kind }

    private var isMegatronFamily: Bool { kind.isMegatronFamily }

    /// ZeRO stages the framework runs (3 means ZeRO-3 / FSDP).
    /// - Megatron-Core: no sharding (0) or the distributed optimizer (1,
    ///   `--use-distributed-optimizer`); full sharding via Megatron-FSDP (3,
    ///   `--use-megatron-fsdp`) is opt-in: not searched unless asked for.
    /// - torchtitan: DDP (0, `data_parallel_replicate_degree`) or FSDP2 (3, `dp_shard`).
    /// - DeepSpeed and PaddleFormers: ZeRO / sharding stages 0–3.
    /// - AutoModel: `strategy: ddp` (0) or `fsdp2` (3) (components/distributed/config.py
    ///   `DDPConfig`, `FSDP2Config`).
    /// - Hugging Face Trainer: DDP (0), DeepSpeed ZeRO 1–3 through a `deepspeed` json, or
    ///   accelerate FSDP (3, searched as FSDP).
    public var zeroStages: [Int] {
        switch kind {
        case .megatron, .nemo, .megatronBridge: [0, 1]
        case .torchtitan, .automodel: [0, 3]
        case .deepspeed, .paddleformers, .hfTrainer: [0, 1, 2, 3]
        }
    }

    /// Stages the framework can run at all (the defaults plus opt-in ones).
    public func supportsZeroStage(_ z: Int) -> Bool {
        switch kind {
        case .megatron, .nemo, .megatronBridge: z == 0 || z == 1 || z == 3
        case .torchtitan, .automodel: z == 0 || z == 3
        case .deepspeed, .paddleformers, .hfTrainer: z >= 0 && z <= 3
        }
    }

    /// ZeRO-3 is FSDP (parameters gathered per layer) in torchtitan and Megatron-FSDP.
    /// AutoModel's FSDP2 and the Trainer's accelerate FSDP too (the Trainer's DeepSpeed ZeRO-3
    /// is priced when a plan states zero_stage 3 without fsdp).
    public var zeroThreeIsFSDP: Bool {
        kind == .torchtitan || kind == .automodel || kind == .hfTrainer || isMegatronFamily
    }

    /// DeepSpeed's pipeline engine runs only with ZeRO stage 0 or 1
    /// (deepspeed/runtime/pipe/engine.py: `assert self.zero_optimization_stage() < 2`).
    public var maxZeroStageWithPipeline: Int { kind == .deepspeed ? 1 : 3 }

    /// Megatron-Core places `--decoder-first-pipeline-num-layers` /
    /// `--decoder-last-pipeline-num-layers` layers on the outer stages and splits the rest
    /// evenly (megatron/core/transformer/transformer_block.py, `get_num_layers_to_build`).
    public var supportsUnevenPipeline: Bool { isMegatronFamily }

    /// Interleaved 1F1B: Megatron `--num-layers-per-virtual-pipeline-stage`, torchtitan
    /// `Interleaved1F1B`, PaddleFormers `virtual_pp_degree`; DeepSpeed has none.
    /// AutoModel's default schedule is `1f1b` (components/distributed/pipelining/config.py
    /// `pp_schedule`); interleaved schedules are opt-in, so not searched.
    public var supportsVirtualPipeline: Bool { kind != .deepspeed && kind != .automodel && !dataParallelOnly }

    /// The Hugging Face Trainer with accelerate shards over data-parallel ranks only (DDP,
    /// FSDP, DeepSpeed ZeRO): no TP, PP, CP or EP. `ParallelPlan.validate` refuses such plans.
    public var dataParallelOnly: Bool { kind == .hfTrainer }

    /// Tensor parallelism: every framework but the Hugging Face Trainer, whose accelerate
    /// integration shards over data-parallel ranks only (FSDP or DeepSpeed ZeRO); AutoModel
    /// shards with DTensor TP plans (components/distributed/parallelizer.py, `tp_size`).
    public var supportsTensorParallel: Bool { !dataParallelOnly }

    /// Pipeline parallelism: not in the Hugging Face Trainer (DeepSpeed's pipeline engine
    /// needs a `PipelineModule`, which `Trainer` does not build); AutoModel pipelines with
    /// torch.distributed.pipelining (`pp_size`).
    public var supportsPipeline: Bool { !dataParallelOnly }

    /// Expert parallelism: AutoModel shards experts over `ep_size` (its MoE parallelizer);
    /// Hugging Face Trainer runs MoE experts data-parallel.
    public var supportsExpertParallel: Bool { !dataParallelOnly }

    /// Context parallelism (ring attention over `cp` ranks): Megatron-Core/TE, torchtitan,
    /// PaddleFormers; DeepSpeed's Ulysses is a different scheme and is not modelled as CP.
    /// AutoModel shards the sequence over `cp_size` (its context_parallel package); the
    /// Trainer has none.
    public var supportsContextParallel: Bool { kind != .deepspeed && !dataParallelOnly }

    /// KV heads replicated when tp > num_key_value_heads (PaddleFormers, like vLLM's
    /// `QKVParallelLinear`). Megatron-Core asserts `num_query_groups % tp == 0`
    /// (transformer_config.py); torchtitan's TP plan shards the KV projections by tp.
    public var replicatesKVHeads: Bool { kind == .paddleformers }

    /// Optimizer-state offload: PaddleFormers tensorwise offload, DeepSpeed ZeRO-Offload,
    /// Megatron-Core `--optimizer-cpu-offload` (with the distributed optimizer); torchtitan
    /// has none.
    /// AutoModel's FSDP2 `CPUOffloadPolicy` moves parameters as well, which the offload ratio
    /// does not describe: not searched. The Trainer offloads through DeepSpeed ZeRO-Offload.
    public var supportsOptimizerOffload: Bool { kind != .torchtitan && kind != .automodel }

    /// PaddleFormers' tensorwise offload works on the sharded optimizer: it needs a sharding
    /// group (dp > 1), as the original pdcost search enforced.
    public var offloadNeedsDataParallel: Bool { kind == .paddleformers }
}
