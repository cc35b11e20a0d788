extension ParallelPlan {
    /// Checks the plan against the model, the cluster and the setup; throws `.infeasible` with a
    /// message that names the violated constraint (and `.invalidArgument` for out-of-range
    /// values). These are the constraints Megatron-Core and torchtitan assert at start-up.
    public func validate(model m: ModelSpec, cluster: Cluster, setup: TrainingSetup) throws(PDCostError) {
        // One call per degree, not a loop over an array literal: `predict` calls this on every
        // plan and stays allocation-free.
        let degree = PDCostLimits.parallelDegree
        try degree.check(tp, field: "tp")
        try degree.check(pp, field: "pp")
        try degree.check(vpp, field: "vpp")
        try degree.check(dp, field: "dp")
        try degree.check(cp, field: "cp")
        try degree.check(ep, field: "ep")
        if let etp { try PDCostLimits.parallelDegree.check(etp, field: "etp") }
        try PDCostLimits.zeroStage.check(zeroStage, field: "zero_stage")
        _ = try setup.validated()
        if let conflict = setup.framework.offloadConflict(zeroStage: fsdp ? 3 : zeroStage, fsdp: fsdp,
                                                          optimizerOffloadRatio: setup.optimizerOffloadRatio) {
            throw .infeasible(conflict)
        }

        // Megatron-Core: "Currently there is no support for Pipeline parallelism with CPU
        // offloading" (transformer_config.py).
        if setup.framework.activationOffloadLayers > 0 && pp > 1 {
            throw .infeasible("pp=\(pp) with settings.activation_offload_layers="
                              + "\(setup.framework.activationOffloadLayers): Megatron-Core offloads activations only with pp=1")
        }

        // Each degree is ≤ 2^24 here (PDCostLimits.parallelDegree), so products of two fit easily;
        // four are checked.
        // World size: tp·pp·dp·cp GPUs (EP is carved out of tp·cp·dp, see ParallelPlan).
        let (tpPP, o1) = tp.multipliedReportingOverflow(by: pp)
        let (tpPPDP, o2) = tpPP.multipliedReportingOverflow(by: dp)
        let (world, o3) = tpPPDP.multipliedReportingOverflow(by: cp)
        if o1 || o2 || o3 {
            throw .infeasible("tp*pp*dp*cp overflows (tp=\(tp), pp=\(pp), dp=\(dp), cp=\(cp)) != num_gpus=\(cluster.numGPUs)")
        }
        if world != cluster.numGPUs {
            throw .infeasible("tp*pp*dp*cp=\(world) != num_gpus=\(cluster.numGPUs)")
        }

        // A framework that shards over data-parallel ranks only (`SearchFramework.
        // dataParallelOnly`: the Hugging Face Trainer) runs no other parallelism.
        if SearchFramework(setup.framework.kind).dataParallelOnly {
            for (key, degree) in [("tp", tp), ("pp", pp), ("cp", cp), ("ep", ep)] where degree > 1 {
                throw .infeasible("\(key)=\(degree): framework \(setup.framework.kind.rawValue) runs data "
                                  + "parallelism only (DDP, FSDP or DeepSpeed ZeRO)")
            }
        }

        // Tensor parallelism splits heads and query groups (Megatron-Core TransformerConfig:
        // num_attention_heads % tp == 0 and num_query_groups % tp == 0). When tp is a multiple
        // of the KV heads, each KV head is replicated on tp/num_key_value_heads ranks instead
        // (vLLM `QKVParallelLinear`, PaddleFormers): accepted here; the plan search proposes
        // it only for frameworks that support it (`SearchFramework.replicatesKVHeads`).
        if m.numAttentionHeads % tp != 0 {
            throw .infeasible("tp=\(tp) does not divide num_attention_heads=\(m.numAttentionHeads)")
        }
        if m.mla == nil, !Self.tensorParallelFitsKVHeads(tp: tp, kvHeads: m.numKeyValueHeads) {
            throw .infeasible("tp=\(tp) does not divide num_key_value_heads=\(m.numKeyValueHeads) "
                              + "and is not a multiple of it (KV heads are replicated only when "
                              + "tp % num_key_value_heads == 0)")
        }

        // Pipeline split.
        let layers = m.numLayers
        if pp > layers { throw .infeasible("pp=\(pp) exceeds the \(layers) layers") }
        var perStage = layers / pp
        if firstStageLayers != nil || lastStageLayers != nil {
            if pp < 2 { throw .infeasible("an uneven pipeline split needs pp >= 2 (pp=\(pp))") }
            for (name, value) in [("first_stage_layers", firstStageLayers), ("last_stage_layers", lastStageLayers)] {
                // num_hidden_layers <= PDCostLimits.numLayers.maximum, so this is within the table's
                // stage_layers range too.
                if let value, value < 1 || value > layers {
                    throw .invalidArgument("\(name)=\(value) must be between 1 and num_hidden_layers=\(layers)")
                }
            }
            // Each given value is in 1...layers (checked above); a nil one is "like the middle
            // stages", so a split that gives only the last (or only the first) stage is valid
            // (the plan search proposes those: `PipelineSplit.splits`).
            let given = (firstStageLayers ?? 0) + (lastStageLayers ?? 0)
            let stagesLeft = pp - (firstStageLayers == nil ? 0 : 1) - (lastStageLayers == nil ? 0 : 1)
            let rest = layers - given
            if rest < 0 || (stagesLeft == 0 && rest != 0) || (stagesLeft > 0 && (rest < stagesLeft || rest % stagesLeft != 0)) {
                throw .infeasible("the uneven split first=\(firstStageLayers.map(String.init) ?? "-") "
                                  + "last=\(lastStageLayers.map(String.init) ?? "-") leaves \(rest) layers "
                                  + "that do not divide over the other \(stagesLeft) stages")
            }
            perStage = stagesLeft > 0 ? rest / stagesLeft : (firstStageLayers ?? 0)
        } else if layers % pp != 0 {
            throw .infeasible("pp=\(pp) does not divide the \(layers) layers and no uneven split was given")
        }
        if vpp > 1 {
            if pp < 2 { throw .infeasible("vpp=\(vpp) needs pp >= 2") }
            if firstStageLayers == nil && lastStageLayers == nil && perStage % vpp != 0 {
                throw .infeasible("vpp=\(vpp) does not divide the \(perStage) layers of each pipeline stage")
            }
        }

        // Context parallelism: load-balanced causal CP splits the sequence into 2·cp chunks
        // (Megatron-Core / Transformer Engine context_parallel: seq_len % (2·cp) == 0).
        if cp > 1 && setup.seqLen % (2 * cp) != 0 {
            throw .infeasible("seq_len=\(setup.seqLen) is not divisible by 2*cp=\(2 * cp)")
        }
        if effectiveSequenceParallel && (setup.seqLen / cp) % tp != 0 {
            throw .infeasible("sequence parallelism: seq_len/cp=\(setup.seqLen / cp) is not divisible by tp=\(tp)")
        }

        // Batch: gradient accumulation must be a whole number.
        let perStep = setup.microBatchSize * dp
        if setup.globalBatchSize % perStep != 0 {
            throw .infeasible("global_batch_size=\(setup.globalBatchSize) is not divisible by "
                              + "micro_batch_size*dp=\(perStep)")
        }

        // Experts.
        if let moe = m.moe {
            if moe.numExperts % ep != 0 {
                throw .infeasible("ep=\(ep) does not divide num_experts=\(moe.numExperts)")
            }
            let expertGroup = ep * expertTP
            if (tp * cp * dp) % expertGroup != 0 {
                throw .infeasible("ep*etp=\(expertGroup) does not divide tp*cp*dp=\(tp * cp * dp) "
                                  + "(the GPUs of one pipeline stage)")
            }
            if moe.expertIntermediateSize % expertTP != 0 {
                throw .infeasible("etp=\(expertTP) does not divide moe_intermediate_size=\(moe.expertIntermediateSize)")
            }
        } else if ep > 1 || expertTP > 1 {
            throw .infeasible("ep=\(ep), etp=\(expertTP): expert parallelism needs a mixture-of-experts model")
        }

        // Recompute of N layers cannot exceed the layers of one model chunk.
        if setup.recompute.granularity == .full, let n = setup.recompute.numLayers {
            let chunk = max(perStage / max(vpp, 1), 1)
            if n < 0 || n > chunk {
                throw .infeasible("recompute_num_layers=\(n) exceeds the \(chunk) layers of a model chunk")
            }
        }
    }
}

extension ParallelPlan {
    /// The KV-head rule of tensor parallelism: tp divides the KV heads (each rank owns whole
    /// query groups), or tp is a multiple of them (each KV head replicated on
    /// tp/num_key_value_heads ranks).
    @inline(__always)
    public static func tensorParallelFitsKVHeads(tp: Int, kvHeads: Int) -> Bool {
        guard tp > 0, kvHeads > 0 else { return false }
        return kvHeads % tp == 0 || tp % kvHeads == 0
    }

    /// Whether tp needs the KV heads replicated (tp > num_key_value_heads, a multiple of it).
    @inline(__always)
    public static func replicatesKVHeads(tp: Int, kvHeads: Int) -> Bool {
        tp > kvHeads && kvHeads > 0 && tp % kvHeads == 0
    }
}
