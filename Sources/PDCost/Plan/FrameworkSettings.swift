/// The framework switches that change a run's speed or memory without changing its parallel
/// plan: the `settings` object of a measured-runs record (shared/validation/SCHEMA.md,
/// "Framework settings") and what a user states about their own job.
///
/// Every field is optional. nil means "not stated": the framework's own default applies, which
/// is the `FrameworkProfile` preset of the job's framework (each default cites its recipe file
/// or flag there). `false` is a statement that the switch is off, so nil and false differ.
///
/// The list of keys, their types, ranges and meanings is written once, in
/// `FrameworkSettings.fields` (FrameworkSettings+Fields.swift); JSON decoding and encoding,
/// the C ABI, the Python dataclass and the CLI flags all follow from that table.
public struct FrameworkSettings: Sendable, Hashable {
    // MARK: Overlap and capture
    public var tpCommOverlap: Bool?
    public var cudaGraphs: Bool?
    public var torchCompile: Bool?
    public var overlapGradReduce: Bool?
    public var overlapParamGather: Bool?
    public var overlapP2P: Bool?
    public var gradReduceInFP32: Bool?

    // MARK: FP8
    public var fp8Recipe: FrameworkProfile.FP8Recipe?
    public var fp8Params: Bool?

    // MARK: MoE
    public var moeCapacityFactor: Double?
    public var moePadToCapacity: Bool?
    public var moeOverlapExpertComm: Bool?
    public var moeTokenDispatcher: MoETokenDispatcher?
    public var moeRouterForceBalance: Bool?
    public var moeExpertImbalance: Double?
    public var moeExpertRankCapacityFactor: Double?

    // MARK: Kernels and numerics
    public var attentionBackend: AttentionBackend?
    /// The attention core in FP8 (Megatron-Core `fp8_dot_product_attention`).
    public var fp8Attention: Bool?
    /// The grouped MLP as Transformer Engine fused ops (Megatron-Core
    /// `use_transformer_engine_op_fuser`, core_v0.18+).
    public var teOpFuser: Bool?
    public var optimizer: OptimizerImplementation?
    public var teCrossEntropy: Bool?
    public var deterministic: Bool?
    public var deterministicAttention: Bool?

    // MARK: Schedule, memory, provenance
    public var pipelineSchedule: PipelineSchedule?
    public var activationOffloadLayers: Int?
    public var memoryLoggedBy: MemoryLoggedBy?
    /// PyTorch release, "MAJOR.MINOR" (checked when set through the field table).
    public var torchVersion: String?
    public var frameworkRelease: String?

    // MARK: PaddleFormers sharding (the original pdcost's `split_param`, `sd_release_grads`)
    public var shardingSplitParam: Bool?
    public var shardingReleaseGrads: Bool?

    // MARK: DeepSpeed ZeRO-Offload / ZeRO-Infinity
    /// `zero_optimization.offload_optimizer.device`.
    public var offloadOptimizer: OffloadDevice?
    /// `zero_optimization.offload_param.device` (ZeRO-3 only).
    public var offloadParam: OffloadDevice?

    public init() {}

    /// The fused attention implementation a run uses.
    public enum AttentionBackend: String, SettingChoice {
        /// Transformer Engine's cuDNN fused attention (`NVTE_FUSED_ATTN=1`).
        case cudnn
        /// FlashAttention-2: the flash-attn package, PyTorch SDPA, TE with `NVTE_FUSED_ATTN=0`.
        case flash
        /// s×s scores materialised (Megatron-LM before fused attention, 2021).
        case unfused

        var kernel: FrameworkProfile.AttentionKernel {
            switch self {
            case .cudnn: .vendor
            case .flash: .portable
            case .unfused: .unfused
            }
        }

        init(kernel: FrameworkProfile.AttentionKernel) {
            switch kernel {
            case .vendor: self = .cudnn
            case .portable: self = .flash
            case .unfused: self = .unfused
            }
        }
    }

    /// The optimizer implementation (its sharding follows `parallel.zero_stage`).
    public enum OptimizerImplementation: String, SettingChoice {
        /// Megatron-Core / PyTorch Adam: fp32 master weights and gradients per the framework.
        case adam
        /// Apex DistributedFusedAdam as NeMo 1.x configures it (`distributed_fused_adam`).
        case apexDistributedAdam = "apex_distributed_adam"
    }

    /// Megatron-Core's MoE token dispatchers (`--moe-token-dispatcher-type`).
    public enum MoETokenDispatcher: String, SettingChoice {
        case alltoall, allgather, flex, deepep, hybridep

        /// Sends one copy per target node and forwards it over NVLink (DeepEP normal kernels,
        /// HybridEP) instead of one per routed copy. `flex` runs Megatron-Core's default flex
        /// backend, DeepEP (transformer_config.py, `moe_flex_dispatcher_backend = "deepep"`).
        public var isHierarchical: Bool { self == .flex || self == .deepep || self == .hybridep }

        /// Needs the per-expert counts on the host when routing is dropless (see
        /// `FrameworkProfile.moeHostSync`): every dispatcher does, HybridEP included — without
        /// a per-rank token budget it sizes its output on the host ("None means no up-bound,
        /// will cause a CPU sync", Megatron-Core core_v0.16.0–0.17.1 token_dispatcher.py
        /// `_HybridEPManager`, `num_permuted_tokens`); `moe_expert_rank_capacity_factor`
        /// lifts that for HybridEP.
        public var synchronisesHost: Bool { true }
    }

    /// Pipeline schedules by name; the stages per rank are `parallel.vpp`.
    public enum PipelineSchedule: String, SettingChoice {
        case oneFOneB = "1f1b"
        case interleaved1F1B = "interleaved_1f1b"
        case loopedBFS = "looped_bfs"
        case zeroBubble = "zero_bubble"

        /// Schedules that run several model chunks per rank (torchtitan's multi-stage
        /// schedules: Interleaved1F1B, LoopedBFS, the zero-bubble ones).
        public var isMultiStage: Bool { self != .oneFOneB }
    }

    /// Where DeepSpeed keeps offloaded state (deepspeed/runtime/zero/offload_config.py,
    /// `OffloadDeviceEnum`).
    public enum OffloadDevice: String, SettingChoice {
        case none, cpu, nvme
    }

    /// Which ranks a run's measured memory was read on.
    public enum MemoryLoggedBy: String, SettingChoice {
        case maxOverRanks = "max_over_ranks"
        case lastRank = "last_rank"
    }

    /// The minor version of `torchVersion` ("2.8" → 8) when the major version is 2.
    public var torchMinorVersion: Int? {
        guard let v = torchVersion, let parsed = Self.parseVersion(v), parsed.major == 2 else { return nil }
        return parsed.minor
    }

    /// "MAJOR.MINOR" → numbers; nil when the text is not of that form.
    static func parseVersion(_ text: String) -> (major: Int, minor: Int)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]),
              major >= 0, minor >= 0, parts.allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        return (major, minor)
    }

    /// `self` with every key that `other` states taken from `other` (a per-call override; the
    /// values were checked when `other` was built).
    public func overridden(by other: FrameworkSettings) -> FrameworkSettings {
        var result = self
        for field in Self.fields {
            if let value = field.get(other) { field.assign(&result, value) }
        }
        return result
    }
}

/// The string-valued choices of a setting: their raw values are the JSON spellings.
public protocol SettingChoice: RawRepresentable<String>, CaseIterable, Sendable, Hashable {}

extension FrameworkProfile.FP8Recipe: SettingChoice {}
