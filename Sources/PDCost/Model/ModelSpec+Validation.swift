extension ModelSpec {
    /// Largest parameter count pdcost accepts. Every parameter term is a non-negative summand of
    /// the total, so when the total (estimated in floating point) stays below 2^52, no integer
    /// product in the exact count can overflow. 4.5e15 parameters is far beyond any real model.
    public static let maxParameters: Double = Double(PDCostLimits.parameters.maximum)  // 2^52

    /// Checks every field; the error names the Hugging Face field and the value at fault.
    /// Everything downstream of a validated spec may assume positive sizes and no overflow.
    public func validated() throws(PDCostError) -> ModelSpec {
        // MLA first: head_dim is derived from its widths, so their names are the useful ones.
        if let mla {
            try Self.require(mla.qLoraRank, "q_lora_rank", atLeast: 0)
            try Self.require(mla.kvLoraRank, "kv_lora_rank", atLeast: 1)
            try Self.require(mla.qkNopeHeadDim, "qk_nope_head_dim", atLeast: 0)
            try Self.require(mla.qkRopeHeadDim, "qk_rope_head_dim", atLeast: 1)
            try Self.require(mla.vHeadDim, "v_head_dim", atLeast: 1)
        }
        try Self.require(numLayers, "num_hidden_layers", atLeast: 1, PDCostLimits.numLayers)
        try Self.require(hiddenSize, "hidden_size", atLeast: 1, PDCostLimits.hiddenSize)
        try Self.require(intermediateSize, "intermediate_size", atLeast: 1)
        try Self.require(numAttentionHeads, "num_attention_heads", atLeast: 1, PDCostLimits.numAttentionHeads)
        try Self.require(numKeyValueHeads, "num_key_value_heads", atLeast: 1, PDCostLimits.numAttentionHeads)
        try Self.require(headDim, "head_dim", atLeast: 1)
        try Self.require(vocabSize, "vocab_size", atLeast: 1, PDCostLimits.vocabSize)
        try Self.require(learnedPositionEmbeddings, "n_positions", atLeast: 0)
        try Self.require(maxPositionEmbeddings, "max_position_embeddings", atLeast: 0)
        try Self.require(mtpLayers, "num_nextn_predict_layers", atLeast: 0)
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw .invalidArgument(
                "num_key_value_heads=\(numKeyValueHeads) does not divide num_attention_heads=\(numAttentionHeads)")
        }
        if !(gluClampLimit >= 0 && gluClampLimit.isFinite) {
            throw .invalidArgument("swiglu_limit=\(gluClampLimit) must be a finite number >= 0 (0: no clamp)")
        }
        if let moe {
            try Self.require(moe.numExperts, "num_experts", atLeast: 1, PDCostLimits.numExperts)
            try Self.require(moe.expertsPerToken, "num_experts_per_tok", atLeast: 1, PDCostLimits.numExperts)
            if moe.expertsPerToken > moe.numExperts {
                throw .invalidArgument(
                    "num_experts_per_tok=\(moe.expertsPerToken) exceeds num_experts=\(moe.numExperts)")
            }
            try Self.require(moe.expertIntermediateSize, "moe_intermediate_size", atLeast: 1)
            try Self.require(moe.latentSize, "moe_latent_size", atLeast: 0, PDCostLimits.hiddenSize)
            try Self.require(moe.numSharedExperts, "n_shared_experts", atLeast: 0)
            try Self.require(moe.sharedExpertIntermediateSize, "shared_expert_intermediate_size", atLeast: 0)
            try Self.require(moe.firstDenseLayers, "first_k_dense_replace", atLeast: 0)
            try Self.require(moe.layerFrequency, "moe_layer_freq", atLeast: 1)
            try Self.require(moe.routerGroups, "n_group", atLeast: 0, PDCostLimits.numExperts)
            try Self.require(moe.routerGroupsPerToken, "topk_group", atLeast: 0, PDCostLimits.numExperts)
            if moe.routerGroupsPerToken > moe.routerGroups {
                throw .invalidArgument(
                    "topk_group=\(moe.routerGroupsPerToken) exceeds n_group=\(moe.routerGroups)")
            }
            if moe.firstDenseLayers > numLayers {
                throw .invalidArgument(
                    "first_k_dense_replace=\(moe.firstDenseLayers) exceeds num_hidden_layers=\(numLayers)")
            }
        }
        let estimate = ParameterCounter.estimateTotal(self)
        if !(estimate < Self.maxParameters) {
            throw .invalidArgument(
                "model too large: about \(estimate) parameters; the total must be in \(PDCostLimits.parameters.range)")
        }
        return self
    }

    /// Sizes of real models stay far below the table's maxima (`PDCostLimits`); larger values
    /// are typos or attacks, and rejecting them early keeps every later product finite.
    static let maxDimension = PDCostLimits.modelDimension.maximum

    /// `value` in [minimum, limit.maximum]; the message quotes that range. The minimum is the
    /// field's own (0 for counts that may be empty, 1 for widths), the maximum the table's.
    private static func require(_ value: Int, _ field: String, atLeast minimum: Int,
                                _ limit: Limit = PDCostLimits.modelDimension) throws(PDCostError) {
        let bounded = Limit(name: limit.name, minimum: minimum, maximum: limit.maximum, unit: limit.unit,
                            fields: limit.fields, why: limit.why)
        try bounded.check(value, field: field)
    }
}
