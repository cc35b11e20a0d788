extension TrainingSetup {
    /// Checks what no parallel plan can change: every size against `PDCostLimits`, the batch
    /// arithmetic and the ratios. A setup that fails here would make every `predict` fail, so
    /// `CostModel.init` (and through it `pdcost_cost_model_create*` and Python's `PDCostModel`)
    /// refuses it; `ParallelPlan.validate` calls it too, so the rule lives here alone.
    /// The error names the field and the value, quoting the table's range.
    public func validated() throws(PDCostError) -> TrainingSetup {
        try PDCostLimits.seqLen.check(seqLen, field: "seq_len")
        try PDCostLimits.microBatchSize.check(microBatchSize, field: "micro_batch_size")
        try PDCostLimits.globalBatchSize.check(globalBatchSize, field: "global_batch_size")
        if let maxSeqLen { try PDCostLimits.seqLen.check(maxSeqLen, field: "max_seq_len") }
        // Every plan needs global_batch_size % (micro_batch_size·dp) == 0 with dp >= 1, so a
        // global batch that micro_batch_size does not divide fails for every plan.
        if globalBatchSize % microBatchSize != 0 {
            throw .invalidArgument("global_batch_size=\(globalBatchSize) is not a multiple of "
                                   + "micro_batch_size=\(microBatchSize)")
        }
        if recompute.granularity == .full, let n = recompute.numLayers {
            try PDCostLimits.recomputeNumLayers.check(n, field: "recompute_num_layers")
        }
        _ = try fineTuning.validated()
        if let packedDocumentTokens { try PDCostLimits.seqLen.check(packedDocumentTokens, field: "packed_document_tokens") }
        if !(optimizerOffloadRatio >= 0 && optimizerOffloadRatio <= 1) {
            throw .invalidArgument("optimizer_offload_ratio=\(optimizerOffloadRatio) must be in [0, 1]")
        }
        // Megatron-Core's layer activation offload (`FrameworkProfile.activationOffloadLayers`)
        // and what its TransformerConfig refuses with it (transformer_config.py `__post_init__`).
        let offloaded = framework.activationOffloadLayers
        if offloaded > 0 {
            if !framework.kind.isMegatronFamily {
                throw .invalidArgument("settings.activation_offload_layers=\(offloaded) is Megatron-Core's layer activation "
                                       + "offload (cpu_offloading_num_layers); framework \(framework.kind.rawValue) has no such switch")
            }
            if recompute.granularity != .none {
                throw .invalidArgument("settings.activation_offload_layers=\(offloaded) with recompute="
                                       + "'\(recompute.granularity.rawValue)': Megatron-Core does not offload activations "
                                       + "when activation recomputation is enabled")
            }
            if framework.settings.cudaGraphs == true {
                throw .invalidArgument("settings.activation_offload_layers=\(offloaded) with settings.cuda_graphs=true: "
                                       + "Megatron-Core captures no CUDA graphs with CPU offloading")
            }
        }
        // No array here: `ParallelPlan.validate` calls this on every predict, allocation-free.
        let stated = framework.settings
        if !framework.readsDeepSpeedOffload {
            if let device = stated.offloadOptimizer, device != .none {
                throw Self.notDeepSpeed("offload_optimizer", device, framework.kind)
            }
            if let device = stated.offloadParam, device != .none {
                throw Self.notDeepSpeed("offload_param", device, framework.kind)
            }
        } else if stated.offloadOptimizer == FrameworkSettings.OffloadDevice.none && optimizerOffloadRatio > 0 {
            throw .invalidArgument("optimizer_offload_ratio=\(JSONWriter.describe(optimizerOffloadRatio)) offloads optimizer states, "
                                   + "but settings.offload_optimizer='none' keeps them on the GPU; state one of them")
        }
        return self
    }

    private static func notDeepSpeed(_ key: String, _ device: FrameworkSettings.OffloadDevice,
                                     _ kind: FrameworkProfile.Kind) -> PDCostError {
        .invalidArgument("settings.\(key)='\(device.rawValue)' is DeepSpeed's zero_optimization.\(key).device; "
                         + "framework \(kind.rawValue) has no such switch (its optimizer offload is optimizer_offload_ratio)")
    }

    /// `validated()` plus the checks that need the model but no plan: full recomputation of
    /// more layers than the model has fails for every plan (a model chunk never has more).
    public func validated(for model: ModelSpec) throws(PDCostError) -> TrainingSetup {
        let setup = try validated()
        if recompute.granularity == .full, let n = recompute.numLayers, n > model.numLayers {
            throw .invalidArgument("recompute_num_layers=\(n) exceeds num_hidden_layers=\(model.numLayers)")
        }
        // Megatron-Core: "CPU offloading can be done only for layers less than num_layers".
        if framework.activationOffloadLayers >= model.numLayers {
            throw .invalidArgument("settings.activation_offload_layers=\(framework.activationOffloadLayers) must be "
                                   + "less than num_hidden_layers=\(model.numLayers)")
        }
        return setup
    }
}
