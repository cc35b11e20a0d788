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
public struct SearchFramework: Sendable, Hashable {
    public let kind: FrameworkProfile.Kind

    public init(_ kind: FrameworkProfile.Kind) { self.kind = kind }

    private var isMegatronFamily: Bool { kind == .megatron || kind == .nemo || kind == .megatronBridge }

    /// ZeRO stages the framework runs (3 means ZeRO-3 / FSDP).
    /// - Megatron-Core: no sharding (0) or the distributed optimizer (1,
    ///   `--use-distributed-optimizer`); full sharding via Megatron-FSDP (3,
    ///   `--use-megatron-fsdp`) is opt-in: not searched unless asked for.
    /// - torchtitan: DDP (0, `data_parallel_replicate_degree`) or FSDP2 (3, `dp_shard`).
    /// - DeepSpeed and PaddleFormers: ZeRO / sharding stages 0–3.
    public var zeroStages: [Int] {
        switch kind {
        case .megatron, .nemo, .megatronBridge: [0, 1]
        case .torchtitan: [0, 3]
        case .deepspeed, .paddleformers: [0, 1, 2, 3]
        }
    }

    /// Stages the framework can run at all (the defaults plus opt-in ones).
    public func supportsZeroStage(_ z: Int) -> Bool {
        switch kind {
        case .megatron, .nemo, .megatronBridge: z == 0 || z == 1 || z == 3
        case .torchtitan: z == 0 || z == 3
        case .deepspeed, .paddleformers: z >= 0 && z <= 3
        }
    }

    /// ZeRO-3 is FSDP (parameters gathered per layer) in torchtitan and Megatron-FSDP.
    public var zeroThreeIsFSDP: Bool { kind == .torchtitan || isMegatronFamily }

    /// DeepSpeed's pipeline engine runs only with ZeRO stage 0 or 1
    /// (deepspeed/runtime/pipe/engine.py: `assert self.zero_optimization_stage() < 2`).
    public var maxZeroStageWithPipeline: Int { kind == .deepspeed ? 1 : 3 }

    /// Megatron-Core places `--decoder-first-pipeline-num-layers` /
    /// `--decoder-last-pipeline-num-layers` layers on the outer stages and splits the rest
    /// evenly (megatron/core/transformer/transformer_block.py, `get_num_layers_to_build`).
    public var supportsUnevenPipeline: Bool { isMegatronFamily }

    /// Interleaved 1F1B: Megatron `--num-layers-per-virtual-pipeline-stage`, torchtitan
    /// `Interleaved1F1B`, PaddleFormers `virtual_pp_degree`; DeepSpeed has none.
    public var supportsVirtualPipeline: Bool { kind != .deepspeed }

    /// Context parallelism (ring attention over `cp` ranks): Megatron-Core/TE, torchtitan,
    /// PaddleFormers; DeepSpeed's Ulysses is a different scheme and is not modelled as CP.
    public var supportsContextParallel: Bool { kind != .deepspeed }

    /// KV heads replicated when tp > num_key_value_heads (PaddleFormers, like vLLM's
    /// `QKVParallelLinear`). Megatron-Core asserts `num_query_groups % tp == 0`
    /// (transformer_config.py); torchtitan's TP plan shards the KV projections by tp.
    public var replicatesKVHeads: Bool { kind == .paddleformers }

    /// Optimizer-state offload: PaddleFormers tensorwise offload, DeepSpeed ZeRO-Offload,
    /// Megatron-Core `--optimizer-cpu-offload` (with the distributed optimizer); torchtitan
    /// has none.
    public var supportsOptimizerOffload: Bool { kind != .torchtitan }

    /// PaddleFormers' tensorwise offload works on the sharded optimizer: it needs a sharding
    /// group (dp > 1), as the original pdcost search enforced.
    public var offloadNeedsDataParallel: Bool { kind == .paddleformers }
}
