/// How stated settings change a framework's preset. Unstated keys keep the preset's value,
/// which is the framework's own default with its source (FrameworkProfile.swift).
extension FrameworkProfile {
    /// The preset of a framework kind.
    public static func preset(_ kind: Kind) -> FrameworkProfile {
        switch kind {
        case .megatron: .megatron
        case .nemo: .nemo
        case .megatronBridge: .megatronBridge
        case .torchtitan: .torchtitan
        case .deepspeed: .deepspeed
        case .paddleformers: .paddleformers
        case .automodel: .automodel
        case .hfTrainer: .hfTrainer
        }
    }

    /// The profile with the defaults the framework's recipes set for a fine-tuning method where
    /// they differ from its pre-training ones; a stated setting keeps its value.
    ///
    /// Megatron-Bridge PEFT recipes (src/megatron/bridge/recipes/llama/h100/llama3.py,
    /// `llama3_8b_peft_1gpu_h100_bf16_config`, `llama3_70b_peft_8gpu_h100_bf16_config`; base
    /// `_peft_common` in recipes/common.py) turn the pre-training overlaps off:
    /// `cfg.ddp.overlap_grad_reduce = False`, `cfg.ddp.overlap_param_gather = False`, with
    /// `use_distributed_optimizer = False`, `grad_reduce_in_fp32 = False` (the preset's bf16
    /// gradients already), `cuda_graph_impl = "none"` and `cross_entropy_loss_fusion = False`
    /// (the preset's defaults already); `sequence_parallel = False` even at tp = 8 (see
    /// `defaultSequenceParallel`). Adapters target `linear_qkv, linear_proj, linear_fc1,
    /// linear_fc2` (peft/lora.py `LoRA.target_modules`), `FineTuning.Targets.all`.
    ///
    /// Its SFT and PEFT recipes also pack their dataset, SQuAD, by default (`_sft_common` and
    /// `_peft_common`: `packed_sequence = True` → `default_squad_config`, `PackedSequenceSpecs
    /// (packed_sequence_size=seq_length)`, v0.4.0–v0.6.0), so a job that states no document
    /// length is priced with SQuAD's (`FineTuning.squadDocumentTokens`). NeMo 2.0's recipes
    /// pack only in performance mode (`finetune_recipe`: `packed_sequence = performance_mode`
    /// when unset), so `nemo` keeps one document per sequence.
    public func forFineTuning(_ method: FineTuning.Method) -> FrameworkProfile {
        guard kind == .megatronBridge, method != .pretrain else { return self }
        var p = self
        p.fineTuningPackedDocumentTokens = FineTuning.squadDocumentTokens
        guard method == .lora || method == .qlora else { return p }
        if settings.overlapGradReduce == nil { p.overlapGradReduce = false }
        if settings.overlapParamGather == nil { p.overlapParamGather = false }
        return p
    }

    /// The preset of `kind` with `settings` applied.
    public init(kind: Kind, settings: FrameworkSettings) {
        self = Self.preset(kind)
        apply(settings)
    }

    /// Applies stated settings; `self.settings` records them (for reports and for the
    /// measured-memory rank).
    public mutating func apply(_ s: FrameworkSettings) {
        settings = settings.overridden(by: s)
        let s = settings
        if let v = s.tpCommOverlap { tpCommOverlap = v }
        if let v = s.cudaGraphs { cudaGraphs = v }
        if let v = s.activationOffloadLayers {
            activationOffloadLayers = v
            // CUDA graphs and CPU offloading exclude each other in Megatron-Core: offloading
            // stated, graphs are off unless stated too (which `TrainingSetup.validated` refuses).
            if v > 0 && s.cudaGraphs == nil { cudaGraphs = false }
        }
        if let v = s.torchCompile { compiled = v }
        if let v = s.fp8Recipe { fp8Recipe = v }
        if let v = s.fp8Params { fp8Params = v }
        if let v = s.overlapGradReduce { overlapGradReduce = v }
        if let v = s.overlapParamGather { overlapParamGather = v }
        if let v = s.overlapP2P { overlapP2P = v }
        if let v = s.gradReduceInFP32 {
            // Megatron-Core DDP: the grad buffer's dtype is fp32 when grad_reduce_in_fp32,
            // else the parameter dtype (distributed_data_parallel.py, `grad_dtype`).
            gradBufferBytes = v ? 4 : 2
            gradReduceBytes = v ? 4 : 2
        }
        if let v = s.moeCapacityFactor { moeCapacityFactor = v }
        // Drop-and-pad fixes the all-to-all sizes, so the dispatcher needs no host sync
        // (Megatron-Core token_dispatcher.py: `cuda_sync_point` is "no_sync" when
        // `moe_pad_expert_input_to_capacity`); see `moeHostSync`.
        if let v = s.moePadToCapacity { moePadToCapacity = v }
        if let v = s.moeTokenDispatcher { moeDispatcher = v }
        if let v = s.moeExpertImbalance { moeExpertImbalance = v }
        if let v = s.moeExpertRankCapacityFactor { moeRankCapacityFactor = v }
        if let v = s.moeRouterForceBalance { moeRouterForceBalance = v }
        if let v = s.moeOverlapExpertComm { overlapExpertComm = v }
        if let v = s.attentionBackend { attentionKernel = v.kernel }
        if let v = s.fp8Attention { fp8Attention = v }
        if let v = s.teOpFuser { teOpFuser = v }
        if s.optimizer == .apexDistributedAdam { useApexDistributedAdam() }
        if s.deterministic == true {
            // `--deterministic-mode` also requires NVTE_ALLOW_NONDETERMINISTIC_ALGO=0 (see
            // `deterministicAttention`) and fills new tensors (see `deterministicFill`).
            deterministicFill = true
            deterministicAttention = true
        }
        if let v = s.deterministicAttention { deterministicAttention = v || s.deterministic == true }
        if s.teCrossEntropy == true && kind != .torchtitan {
            // TE's fused cross entropy (transformer_engine/pytorch/cross_entropy.py, a Triton
            // kernel after Liger's) computes the loss on the bf16 logits and writes their
            // gradient in place: no fp32 copy, no separate gradient (2 B per logit).
            logitsBytesPerElement = 2
        }
        if kind == .torchtitan, let minor = s.torchMinorVersion, minor >= 7 {
            // torchtitan on PyTorch ≥ 2.7 (2025) returns bf16 logits and upcasts inside the
            // loss (torchtitan/components/loss.py: `cross_entropy(pred.flatten(0, 1).float(),
            // …)`), which `build_cross_entropy_loss` compiles with the model when
            // `training.compile` is on. Compiled, Inductor fuses upcast, log-softmax and NLL:
            // the bf16 logits stay for the backward, which writes a bf16 gradient (2 + 2 B per
            // logit). Eager, log_softmax saves its fp32 output and the backward adds an fp32
            // gradient (2 + 4 + 4 B). Before, the model itself returned fp32 logits (12 B).
            logitsBytesPerElement = compiled ? 4 : 10
        }
        if let minor = s.torchMinorVersion, kind.isMegatronFamily {
            teCachesDummyWeightGradients = minor >= 8
        }
        if let v = s.shardingSplitParam { shardingSplitParam = v }
        if let v = s.shardingReleaseGrads { shardingReleaseGrads = v }
        // Only DeepSpeed's engine has these switches (DeepSpeed, and the Trainer's ZeRO
        // stages); stating them for another framework is refused by `TrainingSetup.validated()`.
        if readsDeepSpeedOffload {
            if let v = s.offloadOptimizer { offloadOptimizer = v }
            if let v = s.offloadParam { offloadParam = v }
        }
    }

    /// Sequence parallelism when a job does not say: on whenever tp > 1 in NeMo and
    /// Megatron-Bridge (their recipes set `sequence_parallel=True` with tensor parallelism:
    /// nemo/collections/llm/recipes/*, Megatron-Bridge recipes/*) and in torchtitan (its TP plan
    /// always shards norms and dropout over the sequence: `SequenceParallel()` in
    /// parallelize_llama); opt-in in Megatron-LM (`--sequence-parallel`), DeepSpeed and
    /// PaddleFormers (`sequence_parallel` default False).
    /// AutoModel's `FSDP2Config.sequence_parallel` defaults to False; Hugging Face Trainer has no
    /// tensor parallelism. Megatron-Bridge's PEFT recipes set `sequence_parallel = False` (the
    /// 70B one at tp = 8: recipes/llama/h100/llama3.py `llama3_70b_peft_8gpu_h100_bf16_config`).
    public func defaultSequenceParallel(tp: Int, method: FineTuning.Method = .pretrain) -> Bool {
        switch kind {
        case .megatronBridge where method == .lora || method == .qlora: false
        case .nemo, .megatronBridge: tp > 1
        case .torchtitan: true
        case .megatron, .deepspeed, .paddleformers, .automodel, .hfTrainer: false
        }
    }

    /// The value each setting has in this profile: the stated one, else the framework's
    /// default as the cost model uses it (nil where the profile has no such switch: the key
    /// only matters when stated).
    public func effectiveSetting(_ key: String) -> SettingValue? {
        guard let field = FrameworkSettings.field(key) else { return nil }
        return field.get(settings) ?? field.inProfile?(self)
    }

    /// `{"given": {stated keys}, "defaulted": {every other key: the value used}}`: what a
    /// prediction was priced under, for JSON output.
    public func settingsJSON() -> String {
        JSONWriter.document(settingsJSONValue, layout: .compact, newline: false)
    }

    package var settingsJSONValue: JSONValue {
        var given: [(key: String, value: JSONValue)] = []
        var defaulted: [(key: String, value: JSONValue)] = []
        for field in FrameworkSettings.fields {
            if let stated = field.get(settings) {
                given.append((field.key, stated.jsonValue))
            } else {
                defaulted.append((field.key, effectiveSetting(field.key)?.jsonValue ?? .null))
            }
        }
        return .object([("framework", .string(kind.rawValue)), ("given", .object(given)), ("defaulted", .object(defaulted))])
    }
}

/// DeepSpeed ZeRO-Offload / ZeRO-Infinity as a plan is priced.
extension FrameworkProfile {
    /// The framework reads DeepSpeed's `zero_optimization.offload_*` keys: DeepSpeed itself, and
    /// the Hugging Face Trainer, whose ZeRO stages run DeepSpeed's engine
    /// (`zeroStagesRunDeepSpeed`: transformers integrations/deepspeed.py hands the `deepspeed`
    /// json, `zero_optimization` included, to `deepspeed.initialize`).
    public var readsDeepSpeedOffload: Bool { kind == .deepspeed || zeroStagesRunDeepSpeed }

    /// The plan runs DeepSpeed's engine: always for DeepSpeed; for the Trainer only at ZeRO
    /// 1–3 without FSDP (DDP and accelerate's FSDP have no DeepSpeed offload).
    func runsDeepSpeedEngine(zeroStage: Int, fsdp: Bool) -> Bool {
        kind == .deepspeed || (zeroStagesRunDeepSpeed && zeroStage >= 1 && !fsdp)
    }

    /// A DeepSpeed offload device is stated (`offload_optimizer` or `offload_param` other
    /// than none): the Trainer's search then prices ZeRO-3 as DeepSpeed's, not as FSDP.
    public var statesDeepSpeedOffload: Bool {
        (offloadOptimizer ?? .none) != .none || (offloadParam ?? .none) != .none
    }

    /// Where the optimizer states go and which share of them, given the setup's
    /// `optimizer_offload_ratio`. DeepSpeed: the device is `offload_optimizer` (cpu when only a
    /// ratio is stated: DeepSpeed offloads nowhere else) and the ratio its
    /// `offload_optimizer.ratio`, 1 unless stated (offload_config.py,
    /// `DeepSpeedZeroOffloadOptimizerConfig.ratio = 1.0`). Other frameworks: no device (the
    /// states cross PCIe to a GPU update), the ratio as stated.
    public func optimizerOffload(ratio: Double) -> (device: FrameworkSettings.OffloadDevice, ratio: Double) {
        guard readsDeepSpeedOffload else { return (.none, min(max(ratio, 0), 1)) }
        let device = offloadOptimizer ?? .none
        if device == .none { return ratio > 0 ? (.cpu, min(ratio, 1)) : (.none, 0) }
        return (device, ratio > 0 ? min(ratio, 1) : 1)
    }

    /// DeepSpeed `offload_param.device` (none for other frameworks).
    public var parameterOffload: FrameworkSettings.OffloadDevice { readsDeepSpeedOffload ? offloadParam ?? .none : .none }

    /// Whether DeepSpeed accepts this ZeRO stage and ratio with the offload settings (no
    /// message: the plan search calls it per candidate); see `offloadConflict`.
    public func offloadAllowed(zeroStage: Int, fsdp: Bool = false, optimizerOffloadRatio ratio: Double) -> Bool {
        guard readsDeepSpeedOffload else { return true }
        if settings.offloadOptimizer == FrameworkSettings.OffloadDevice.none && ratio > 0 { return false }
        let optimizer = optimizerOffload(ratio: ratio)
        if (optimizer.device != .none || parameterOffload != .none) && !runsDeepSpeedEngine(zeroStage: zeroStage, fsdp: fsdp) {
            return false
        }
        if parameterOffload != .none && zeroStage < 3 { return false }
        if optimizer.device != .none && (zeroStage < 1 || (optimizer.ratio < 1 && zeroStage < 3)) { return false }
        return true
    }

    /// Why DeepSpeed refuses this ZeRO stage with the offload settings, or nil: a ZeRO optimizer
    /// is needed to offload (stage ≥ 1); `offload_param` and a partial `ratio` are ZeRO-3 only
    /// (zero/config.py `offload_ratio_check`; offload_config.py "Valid only with stage 3").
    public func offloadConflict(zeroStage: Int, fsdp: Bool = false, optimizerOffloadRatio: Double) -> String? {
        guard readsDeepSpeedOffload else { return nil }
        let optimizer = optimizerOffload(ratio: optimizerOffloadRatio)
        if (optimizer.device != .none || parameterOffload != .none) && fsdp && !runsDeepSpeedEngine(zeroStage: zeroStage, fsdp: fsdp) {
            let key = parameterOffload != .none ? "offload_param='\(parameterOffload.rawValue)'" : "offload_optimizer='\(optimizer.device.rawValue)'"
            return "settings.\(key) needs DeepSpeed's engine: framework \(kind.rawValue) runs it at zero_stage 1-3 "
                + "without fsdp (accelerate's FSDP has no DeepSpeed offload); the plan has fsdp=true"
        }
        if parameterOffload != .none && zeroStage < 3 {
            return "settings.offload_param='\(parameterOffload.rawValue)' needs zero_stage=3 (DeepSpeed offload_param is ZeRO-3 only); the plan has zero_stage=\(zeroStage)"
        }
        if optimizer.device != .none && zeroStage < 1 {
            return "settings.offload_optimizer='\(optimizer.device.rawValue)' needs zero_stage >= 1 (DeepSpeed offloads the ZeRO optimizer's partitions); the plan has zero_stage=0"
        }
        if optimizer.device != .none && optimizer.ratio < 1 && zeroStage < 3 {
            return "optimizer_offload_ratio=\(JSONWriter.describe(optimizer.ratio)) (DeepSpeed offload_optimizer.ratio < 1) needs zero_stage=3; the plan has zero_stage=\(zeroStage)"
        }
        return nil
    }
}
