/// The one table of framework settings: each key's JSON name, type, range, meaning and whether
/// the cost model uses it. JSON reading and writing (FrameworkSettings+JSON.swift), the C ABI
/// (`pdcost_framework_settings_fields_json`), the Python `FrameworkSettings` dataclass (a test
/// compares the two) and the CLI flags (built from this table at run time) all follow from it.
/// Keys and meanings are those of shared/validation/SCHEMA.md, "Framework settings", plus the
/// two PaddleFormers sharding switches of the original pdcost API.

/// A setting's value as JSON carries it.
public enum SettingValue: Sendable, Hashable {
    case bool(Bool)
    case number(Double)
    case integer(Int)
    case text(String)

    /// JSON text of the value.
    public var json: String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    /// The value as JSON (a number rounded to 6 decimals, as settings are stated).
    package var jsonValue: JSONValue {
        switch self {
        case .bool(let b): .bool(b)
        case .number(let x): .number(JSONWriter.rounded6(x))
        case .integer(let i): .int(i)
        case .text(let s): .string(s)
        }
    }
}

/// One row of the settings table.
public struct FrameworkSettingField: Sendable {
    public enum Kind: Sendable, Hashable {
        case bool
        /// A real number within the range.
        case number(ClosedRange<Double>)
        /// An integer within the range.
        case integer(ClosedRange<Int>)
        /// One of the strings.
        case choice([String])
        /// Free text (provenance, or a version checked by `check`).
        case text
    }

    /// The JSON key (snake_case), also the Python field name; the CLI flag is `--` + the key
    /// with `-` for `_`.
    public let key: String
    public let kind: Kind
    /// One line for help texts.
    public let summary: String
    /// What the cost model does with the value; nil when the prediction uses it. A key whose
    /// note is set is accepted and reported, and changes no number yet.
    public let notModelled: String?
    let get: @Sendable (FrameworkSettings) -> SettingValue?
    /// The value a framework profile uses when the key is not stated (nil: the profile has no
    /// such switch, and the key matters only when stated).
    let inProfile: (@Sendable (FrameworkProfile) -> SettingValue?)?
    let assign: @Sendable (inout FrameworkSettings, SettingValue?) -> Void
    /// Extra check of a text value (nil when any text is fine).
    let check: (@Sendable (String) -> Bool)?
    let checkHint: String

    /// Sets the field from a value, checking its type and range; the message names the key and
    /// the value.
    public func set(_ settings: inout FrameworkSettings, _ value: SettingValue?) throws(PDCostError) {
        guard let value else { assign(&settings, nil); return }
        assign(&settings, try validated(value))
    }

    /// The value, converted where JSON spells it loosely (an integral number for an integer
    /// field, an integer for a number field), or an error naming the key and value.
    public func validated(_ value: SettingValue) throws(PDCostError) -> SettingValue {
        let checked = try kind.validated(value, key: "settings.\(key)")
        if case .text(let s) = checked, let check, !check(s) {
            throw .invalidArgument("settings.\(key)='\(s)' \(checkHint)")
        }
        return checked
    }

    /// The type in words, for messages and help.
    public var typeName: String { kind.typeName }
}

extension FrameworkSettingField {
    /// A profile accessor as a setting value (nil stays nil: no such switch in the profile).
    static func lift<T>(_ read: (@Sendable (FrameworkProfile) -> T)?,
                        _ wrap: @escaping @Sendable (T) -> SettingValue?) -> (@Sendable (FrameworkProfile) -> SettingValue?)? {
        guard let read else { return nil }
        return { profile in wrap(read(profile)) }
    }

    static func flag(_ key: String, _ path: WritableKeyPath<FrameworkSettings, Bool?> & Sendable,
                     _ summary: String, notModelled: String? = nil,
                     profile: (@Sendable (FrameworkProfile) -> Bool)? = nil) -> Self {
        Self(key: key, kind: .bool, summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map(SettingValue.bool) },
             inProfile: lift(profile) { .bool($0) },
             assign: { s, v in if case .bool(let b)? = v { s[keyPath: path] = b } else { s[keyPath: path] = nil } },
             check: nil, checkHint: "")
    }

    static func choice<E: SettingChoice>(_ key: String, _ path: WritableKeyPath<FrameworkSettings, E?> & Sendable,
                                         _ summary: String, notModelled: String? = nil,
                                         profile: (@Sendable (FrameworkProfile) -> E?)? = nil) -> Self {
        Self(key: key, kind: .choice(E.allCases.map(\.rawValue)), summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map { .text($0.rawValue) } },
             inProfile: lift(profile) { $0.map { .text($0.rawValue) } },
             assign: { s, v in if case .text(let t)? = v { s[keyPath: path] = E(rawValue: t) } else { s[keyPath: path] = nil } },
             check: nil, checkHint: "")
    }

    static func number(_ key: String, _ path: WritableKeyPath<FrameworkSettings, Double?> & Sendable,
                       _ range: ClosedRange<Double>, _ summary: String,
                       profile: (@Sendable (FrameworkProfile) -> Double?)? = nil) -> Self {
        Self(key: key, kind: .number(range), summary: summary, notModelled: nil,
             get: { s in s[keyPath: path].map(SettingValue.number) },
             inProfile: lift(profile) { $0.map(SettingValue.number) },
             assign: { s, v in if case .number(let x)? = v { s[keyPath: path] = x } else { s[keyPath: path] = nil } },
             check: nil, checkHint: "")
    }

    static func integer(_ key: String, _ path: WritableKeyPath<FrameworkSettings, Int?> & Sendable,
                        _ range: ClosedRange<Int>, _ summary: String, notModelled: String? = nil,
                        profile: (@Sendable (FrameworkProfile) -> Int)? = nil) -> Self {
        Self(key: key, kind: .integer(range), summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map(SettingValue.integer) },
             inProfile: lift(profile) { .integer($0) },
             assign: { s, v in if case .integer(let i)? = v { s[keyPath: path] = i } else { s[keyPath: path] = nil } },
             check: nil, checkHint: "")
    }

    static func text(_ key: String, _ path: WritableKeyPath<FrameworkSettings, String?> & Sendable,
                     _ summary: String, notModelled: String? = nil,
                     check: (@Sendable (String) -> Bool)? = nil, hint: String = "") -> Self {
        Self(key: key, kind: .text, summary: summary, notModelled: notModelled,
             get: { s in s[keyPath: path].map(SettingValue.text) }, inProfile: nil,
             assign: { s, v in if case .text(let t)? = v { s[keyPath: path] = t } else { s[keyPath: path] = nil } },
             check: check, checkHint: hint)
    }
}

extension FrameworkSettings {
    /// Every setting, in the order of SCHEMA.md.
    public static let fields: [FrameworkSettingField] = [
        .flag("tp_comm_overlap", \.tpCommOverlap,
              "TP communication overlapped with GEMMs (TE userbuffers --tp-comm-overlap; torchtitan AsyncTP)", profile: { $0.tpCommOverlap }),
        .flag("cuda_graphs", \.cudaGraphs, "CUDA graphs on, any capture scope (no per-kernel host launches)", profile: { $0.cudaGraphs }),
        .flag("torch_compile", \.torchCompile, "torch.compile (Inductor) fuses elementwise chains", profile: { $0.compiled }),
        .choice("fp8_recipe", \.fp8Recipe,
                "FP8 scaling: delayed (amax history), current (per-tensor), rowwise (torchao), mxfp8 (32-element blocks), blockwise (TE 128x128/1x128)", profile: { $0.fp8Recipe }),
        .flag("fp8_params", \.fp8Params, "FP8 weights kept between steps (NeMo fp8_params, TE fp8_model_init)", profile: { $0.fp8Params }),
        .flag("overlap_grad_reduce", \.overlapGradReduce, "DP gradient reduce overlapped with backward (--overlap-grad-reduce)", profile: { $0.overlapGradReduce }),
        .flag("overlap_param_gather", \.overlapParamGather,
              "distributed-optimizer parameter all-gather overlapped with forward (--overlap-param-gather)", profile: { $0.overlapParamGather }),
        .flag("overlap_p2p", \.overlapP2P, "pipeline send/recv overlapped with compute (overlap_p2p_comm; interleaved)", profile: { $0.overlapP2P }),
        .flag("grad_reduce_in_fp32", \.gradReduceInFP32,
              "gradients accumulated and reduced in fp32 (Megatron-Core DDP grad_reduce_in_fp32); off: in bf16", profile: { $0.gradReduceBytes == 4 }),
        .number("moe_capacity_factor", \.moeCapacityFactor, 0.01...1024,
                "expert capacity factor; tokens beyond it are dropped (unset: dropless)", profile: { $0.moeCapacityFactor }),
        .flag("moe_pad_to_capacity", \.moePadToCapacity, "each expert's input padded to capacity (no host sync)", profile: { $0.moePadToCapacity }),
        .flag("moe_overlap_expert_comm", \.moeOverlapExpertComm,
              "EP all-to-all overlapped with another micro-batch's compute", profile: { $0.overlapExpertComm }),
        .choice("moe_token_dispatcher", \.moeTokenDispatcher,
                "MoE token dispatcher: alltoall/allgather (one copy per routed expert), deepep/flex/hybridep (one copy per node); dropless routing syncs the host (hybridep not with moe_expert_rank_capacity_factor)",
                profile: { $0.moeDispatcher }),
        .flag("moe_router_force_balance", \.moeRouterForceBalance,
              "router forced to an even token distribution (benchmark mode); otherwise moe_expert_imbalance applies",
              profile: { $0.moeLoadFactor <= 1 }),
        .number("moe_expert_imbalance", \.moeExpertImbalance, 1...64,
                "busiest expert-parallel rank's routed tokens over the mean when the router is not forced to balance",
                profile: { $0.moeExpertImbalance }),
        .number("moe_expert_rank_capacity_factor", \.moeExpertRankCapacityFactor, 1...1024,
                "HybridEP per-rank token budget over the mean routed load (Megatron-Core moe_expert_rank_capacity_factor): static buffers, no host sync, tokens beyond it dropped (unset: sized per step, host sync)",
                profile: { $0.moeRankCapacityFactor }),
        .choice("attention_backend", \.attentionBackend,
                "fused attention: cudnn (TE cuDNN), flash (FlashAttention-2), unfused (s x s scores)", profile: { FrameworkSettings.AttentionBackend(kernel: $0.attentionKernel) }),
        .flag("fp8_attention", \.fp8Attention,
              "attention core in FP8 with an FP8 dtype (Megatron-Core fp8_dot_product_attention, TE cuDNN FP8 fused attention)",
              profile: { $0.fp8Attention }),
        .flag("te_op_fuser", \.teOpFuser,
              "grouped MLP as Transformer Engine fused ops (Megatron-Core use_transformer_engine_op_fuser, core_v0.18+): one grouped kernel launch, expert bias, clamped GLU and probability scaling fused",
              profile: { $0.teOpFuser }),
        .choice("optimizer", \.optimizer,
                "adam (Megatron-Core / PyTorch) or apex_distributed_adam (NeMo 1.x distributed_fused_adam)", profile: { $0.optimizerMasterBytes == 2 ? .apexDistributedAdam : .adam }),
        .flag("te_cross_entropy", \.teCrossEntropy, "loss computed by Transformer Engine's fused cross entropy", profile: { $0.logitsBytesPerElement == 2 }),
        .text("torch_version", \.torchVersion, "PyTorch release, MAJOR.MINOR (\"2.8\")",
              check: { FrameworkSettings.parseVersion($0) != nil }, hint: "must be MAJOR.MINOR, e.g. \"2.8\""),
        .text("framework_release", \.frameworkRelease, "framework release as published (container, tag or commit)",
              notModelled: "provenance: behaviour is set by the other keys"),
        .choice("pipeline_schedule", \.pipelineSchedule,
                "pipeline schedule name (stages per rank are parallel.vpp)",
                notModelled: "only the default vpp of torchtitan follows it; zero-bubble schedules are priced as 1F1B"),
        .flag("deterministic", \.deterministic, "PyTorch deterministic algorithms (Megatron --deterministic-mode)", profile: { $0.deterministicFill }),
        .flag("deterministic_attention", \.deterministicAttention,
              "TE picks deterministic attention (NVTE_ALLOW_NONDETERMINISTIC_ALGO=0)", profile: { $0.deterministicAttention }),
        .integer("activation_offload_layers", \.activationOffloadLayers, 0...1_048_576,
                 "decoder layers whose saved activations go to host memory in the forward and back for the backward "
                    + "(Megatron-Core cpu_offloading_num_layers; Megatron family only, with pp 1, no recomputation, "
                    + "no CUDA graphs, fewer than num_hidden_layers)",
                 profile: { $0.activationOffloadLayers }),
        .choice("memory_logged_by", \.memoryLoggedBy,
                "the rank(s) a measured memory figure was read on: max_over_ranks or last_rank",
                profile: { _ in .maxOverRanks }),
        .flag("split_param", \.shardingSplitParam,
              "PaddleFormers sharding stage 1 V2: parameters and optimizer states split evenly over the sharding ranks", profile: { $0.shardingSplitParam }),
        .flag("sd_release_grads", \.shardingReleaseGrads,
              "PaddleFormers sharding: gradient buffers released after each optimizer step", profile: { $0.shardingReleaseGrads }),
        .choice("offload_optimizer", \.offloadOptimizer,
                "DeepSpeed zero_optimization.offload_optimizer.device: optimizer states (fp32 master, moments, fp32 gradients) "
                    + "in host memory (cpu) or on NVMe (nvme, ZeRO-3; ZeRO-1/2 keep them in host memory), updated by CPU Adam; "
                    + "optimizer_offload_ratio is its `ratio` (0 = 1, the DeepSpeed default)",
                profile: { $0.offloadOptimizer }),
        .choice("offload_param", \.offloadParam,
                "DeepSpeed zero_optimization.offload_param.device (ZeRO-3 only): 16-bit parameter partitions in host memory (cpu) "
                    + "or on NVMe (nvme), fetched for each forward and backward",
                profile: { $0.offloadParam }),
    ]

    /// The row for a key, or nil.
    public static func field(_ key: String) -> FrameworkSettingField? {
        fields.first { $0.key == key }
    }
}
