/// Which config.json keys the loader prices, which it may ignore, and the warning for the rest.
///
/// A key is either read (`HuggingFaceConfig.CodingKeys`), on the allow-list below because it
/// cannot change cost, or named in a warning on the load result. A new cost-relevant key that
/// pdcost does not understand therefore shows up in the output instead of vanishing.
enum ConfigKeys {
    /// Keys that do not change step time, memory or throughput, with the reason.
    static let ignored: [String: String] = {
        var table: [String: String] = [:]
        func add(_ keys: [String], _ why: String) { for k in keys { table[k] = why } }
        add(["bos_token_id", "eos_token_id", "pad_token_id", "unk_token_id", "sep_token_id",
             "decoder_start_token_id", "image_token_id", "video_token_id", "audio_token_id",
             "image_token_index", "boi_token_id", "eoi_token_id", "boa_token_id", "eoa_token_id",
             "eoa_token_index", "vision_start_token_id", "vision_end_token_id", "media_placeholder_token_id",
             "video_placeholder", "ignore_index"], "token ids")
        add(["torch_dtype", "dtype", "transformers_version", "use_cache", "initializer_range",
             "initializer_factor", "auto_map", "tokenizer_class", "id2label", "label2id",
             "task_specific_params", "return_dict", "output_attentions", "output_hidden_states",
             "torchscript", "use_bfloat16", "problem_type", "prefix", "finetuning_task",
             "_attn_implementation", "_attn_implementation_autoset", "quantization", "pretraining_tp",
             "ep_size", "cache_implementation", "use_mamba_kernels", "num_logits_to_keep",
             "tie_encoder_decoder", "is_encoder_decoder", "is_decoder", "add_cross_attention",
             "cross_attention_hidden_size", "chunk_size_feed_forward", "pruned_heads", "tf_legacy_loss",
             "use_return_dict", "_commit_hash", "model_file_version"],
            "bookkeeping: storage dtype of the checkpoint, library versions, flags")
        add(["bad_words_ids", "begin_suppress_tokens", "suppress_tokens", "diversity_penalty",
             "do_sample", "early_stopping", "encoder_no_repeat_ngram_size",
             "exponential_decay_length_penalty", "length_penalty", "max_length", "min_length",
             "no_repeat_ngram_size", "num_beam_groups", "num_beams", "num_return_sequences",
             "output_scores", "remove_invalid_values", "repetition_penalty",
             "return_dict_in_generate", "temperature", "top_k", "top_p", "typical_p",
             "forced_bos_token_id", "forced_eos_token_id"], "generation defaults")
        add(["rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "norm_eps", "norm_epsilon",
             "rope_theta", "rope_scaling", "rope_parameters", "rope_local_base_freq",
             "partial_rotary_factor", "rotary_pct", "rotary_emb_base", "rotary_dim", "rope_interleave",
             "original_max_position_embeddings", "use_mrope", "rope_type", "indexer_rope_interleave",
             "query_pre_attn_scalar", "logit_scale", "initial_context_length",
             "hidden_activation", "mlp_hidden_act", "mamba_hidden_act", "attention_softmax_in_fp32",
             "apply_residual_connection_post_layernorm", "use_parallel_residual", "residual_in_fp32",
             "rescale_prenorm_residual", "time_step_rank", "time_step_min", "time_step_max",
             "time_step_floor", "time_step_limit", "offset_alibi",
             "sliding_window_size", "expand", "chunk_size", "mamba_proj_bias", "layer_norm_type",
             "qk_head_dim"],
            "numerics of elementwise operations (epsilons, RoPE frequencies, scales, clamps, initialisation)")
        add(["attention_dropout", "hidden_dropout", "resid_pdrop", "embd_pdrop", "attn_pdrop",
             "residual_dropout", "embedding_dropout", "classifier_dropout", "bias_dropout_fusion",
             "masked_softmax_fusion", "skip_bias_add", "skip_bias_add_qkv", "slow_but_exact",
             "seq_length"], "training-time dropout and fusion flags (pdcost takes dropout from the setup)")
        add(["output_router_logits", "router_aux_loss_coef", "aux_loss_alpha", "seq_aux",
             "router_z_loss_coef", "norm_topk_prob", "routed_scaling_factor", "scoring_func",
             "router_jitter_noise"],
            "router numerics and auxiliary losses (the experts each token visits are num_experts_per_tok)")
        return table
    }()

    /// Keys read by some family: understood wherever they appear.
    static let understood: Set<String> = Set(HuggingFaceConfig.CodingKeys.allCases.map(\.rawValue))
        .union(["text_config"])

    /// Warnings for the config's keys that are neither read nor on the allow-list.
    static func unknownKeyWarnings(_ c: HuggingFaceConfig, family: ArchitectureFamily) -> [String] {
        var unknown: [String] = []
        for key in c.presentKeys {
            let bare = key.hasPrefix("text_config.") ? String(key.dropFirst("text_config.".count)) : key
            if understood.contains(bare) || ignored[bare] != nil { continue }
            unknown.append(key)
        }
        return unknown.sorted().map { key in
            let bare = key.hasPrefix("text_config.") ? String(key.dropFirst("text_config.".count)) : key
            if let why = unpriced[bare] { return "\(key): \(why)" }
            return "\(key): not understood by pdcost for \(family.defaultModelType); it may change cost and is not priced"
        }
    }

    /// Known keys that change cost but are not priced, with what is left out.
    static let unpriced: [String: String] = [
        "vision_config": "the vision encoder is not priced (the language model only)",
        "audio_config": "the audio encoder is not priced (the language model only)",
        "use_mtp": "MiniMax multi-token-prediction modules are not priced",
        "num_mtp_modules": "MiniMax multi-token-prediction modules are not priced",
        "mtp_transformer_layers": "MiniMax multi-token-prediction modules are not priced",
        "mamba_ssm_cache_dtype": "the Mamba state is priced at the KV-cache precision, not this dtype",
        "mtp_hybrid_override_pattern": "Nemotron 3 multi-token-prediction layers are not priced",
        "mtp_layers_block_type": "Nemotron 3 multi-token-prediction layers are not priced",
        "moe_shared_expert_overlap": "overlapping the shared expert with the dispatch is not priced",
    ]
}
