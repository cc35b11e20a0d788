/// The one table of architecture rules: for every Hugging Face architecture family pdcost reads,
/// the choices its modelling code hard-codes rather than configures (norm, MLP shape, biases,
/// tying, position encoding, attention kind, layer layout, MoE field names). The loader
/// (`ModelLoader`) applies a row generically; no decision elsewhere depends on a model's name.
///
/// Sources: each row's transformers `models/<type>/modeling_<type>.py` (named per row) and the
/// configuration class defaults in `configuration_<type>.py`.
struct ArchitectureRule: Sendable {
    let family: ArchitectureFamily
    /// `architectures[0]` names and `model_type` names that select the row.
    let architectures: [String]
    let modelTypes: [String]
    /// Dense FFN width source.
    let intermediate: IntermediateRule
    let mlp: MLPRule
    let norm: NormKind
    let normsPerLayer: Int
    let qkvBias: BiasRule
    let outputBias: BiasRule
    let mlpBias: BiasRule
    /// `tie_word_embeddings` when the config leaves it out (the configuration class default).
    let tieDefault: Bool
    let qkNorm: QKNormRule
    let positions: PositionRule
    let attention: AttentionRule
    let layout: LayoutRule
    let moe: MoERule
    /// GPT-OSS attention sinks; BLOOM embedding LayerNorm.
    var sinks = false
    var embeddingNorm = false
    /// Multi-token-prediction key, if the family has one.
    var mtp: MTPRule = .none
    /// Keys this architecture's own config uses under names pdcost's canonical JSON also uses
    /// (StarCoder2's `mlp_type`/`norm_type`): read as the architecture's, not as overrides.
    var ownKeys: Set<String> = []
    /// Config keys the row reads beyond the shared ones (so they are not reported as unknown).
    var reads: Set<String> = []
    /// Keys that matter to this architecture's cost but are not priced; each yields a warning.
    var unpriced: [String: String] = [:]
}

enum IntermediateRule: Sendable {
    /// `intermediate_size`, required.
    case required
    /// `n_inner` ?? `intermediate_size` ?? 4·h (GPT-2, GPT-J, BLOOM).
    case nInnerOrFourHidden
    /// `intermediate_size` ?? 4·h (Megatron GPT).
    case orFourHidden
    /// `intermediate_size` ?? `moe_intermediate_size` ?? 0 (Qwen3-MoE: only dense layers use it).
    case optionalDense
    /// Every layer is MoE and `intermediate_size` is the expert width (Mixtral, GPT-OSS).
    case expertWidth
    /// Llama 4: dense layers `intermediate_size_mlp`, experts `intermediate_size`.
    case llama4
}

enum MLPRule: Sendable {
    /// Gated; `hidden_act` must be a GLU activation (the families that gate only with SiLU).
    case gatedChecked
    /// Gated whatever the activation is called (Gemma: GeGLU under `hidden_act: gelu`).
    case gated
    case plain
}

enum BiasRule: Sendable {
    case always, never
    /// `attention_bias`, else the default.
    case attentionBias(default: Bool)
    /// `mlp_bias`, else the default.
    case mlpBias(default: Bool)
    /// `use_bias` (StarCoder2, Nemotron-H), else the default.
    case useBias(default: Bool)
}

enum QKNormRule: Sendable {
    case none
    case perHead
    /// Per head when `use_qk_norm` is true (GLM-4.5); Llama 4's `use_qk_norm` is a weightless L2
    /// norm and maps to `.none`.
    case perHeadIfUseQKNorm
    case fullWidth
    /// MiniMax-M2: `use_qk_norm` with `qk_norm_type` `per_layer` (full width) or per head.
    case minimax
}

enum PositionRule: Sendable {
    case rope, alibi, none
    /// GPT-2: a learned table of `n_positions` rows, required.
    case learnedRequired
}

enum AttentionRule: Sendable {
    case standard
    /// DeepSeek multi-head latent attention.
    case mla
    /// Qwen3-Next: q_proj also produces a sigmoid output gate (`attn_output_gate`, default on).
    case gatedQuery
}

enum LayoutRule: Sendable {
    /// Every layer full attention; `sliding_window` handled as `sliding` says.
    case uniform(sliding: SlidingRule)
    /// `layer_types` (sliding_attention/full_attention), else a fallback pattern.
    case layerTypes(fallback: LayerTypeFallback)
    /// Llama 4: RoPE layers chunked (`attention_chunk_size`), NoPE layers (`no_rope_layers`,
    /// else every 4th) full; MoE every `interleave_moe_layer_step`-th layer.
    case llama4
    /// Nemotron-H `hybrid_override_pattern`: M Mamba-2, * attention, - MLP, E MoE.
    case hybridPattern
    /// Qwen3-Next / Qwen3.5: `layer_types` (linear_attention/full_attention), else every
    /// `full_attention_interval`-th layer full.
    case linearAttentionHybrid
    /// DeepSeek sparse attention on every layer (`index_n_heads`, `index_head_dim`, `index_topk`).
    case sparseIndexer
}

enum SlidingRule: Sendable {
    /// No sliding window in this family's modelling code (the key, if present, is unknown).
    case absent
    /// Every layer slides when `sliding_window` is set (Phi-3, StarCoder2).
    case allLayers
    /// Qwen2/Qwen3: only with `use_sliding_window: true`, and then on the layers from
    /// `max_window_layers` on (default 28), unless `layer_types` lists them (transformers
    /// Qwen2Config/Qwen3Config: `sliding_window if use_sliding_window else None`; `layer_types[i]
    /// = "sliding_attention" if sliding_window is not None and i >= max_window_layers`).
    case onlyIfEnabled
    /// Read but not priced (warning): Mistral 7B v0.1's window (4,096) bounds attention and KV
    /// only past 4,096 tokens, and whether an engine honours it varies (TensorRT-LLM takes
    /// `max_attention_window_size` at run time, defaulting to the longest sequence): pricing
    /// it raises the throughput MAPE of TensorRT-LLM 0.17's published offline runs from 7.3
    /// to 8.6 %, so the window is reported, not applied.
    case warnOnly
}

enum LayerTypeFallback: Sendable {
    /// Gemma 2: even layers slide (`is_sliding = not bool(layer_idx % 2)`).
    case alternatingSlidingFirst
    /// Gemma 3: every `sliding_window_pattern`-th layer (default 6) is full.
    case everyNthFull(default: Int)
    /// GPT-OSS and others that always write `layer_types`: required.
    case required
}

enum MoERule: Sendable {
    case none
    /// Qwen MoE names (`num_experts`, `moe_intermediate_size`, `shared_expert_intermediate_size`,
    /// `decoder_sparse_step`, `mlp_only_layers`). `optional`: dense when `num_experts` is absent.
    case qwen(topKDefault: Int, sharedGate: Bool, optional: Bool)
    /// Mixtral names (`num_local_experts`, width `intermediate_size`); router bias as stated.
    case mixtral(topKDefault: Int, routerBias: RouterBiasRule)
    /// DeepSeek names (`n_routed_experts`, `n_shared_experts`, `first_k_dense_replace`,
    /// `moe_layer_freq`); router bias from `topk_method` (default given).
    case deepseek(defaultTopkMethod: String)
    /// Llama 4: `num_local_experts`, one shared expert of the expert width.
    case llama4
    /// Nemotron-H `E` layers: `n_routed_experts`, `moe_shared_expert_intermediate_size`.
    case nemotronH
}

enum RouterBiasRule: Sendable {
    case never, always
    /// `use_routing_bias` (MiniMax-M2 `e_score_correction_bias`).
    case useRoutingBias
}

enum MTPRule: Sendable {
    case none
    /// `num_nextn_predict_layers` (DeepSeek-V3, GLM-4.5).
    case nextn
    /// `mtp_num_hidden_layers` (Qwen3.5).
    case qwen
}

/// The architecture families pdcost reads from a config.json.
public enum ArchitectureFamily: String, Sendable, CaseIterable {
    case llama, mistral, qwen2, qwen3, qwen3Moe, mixtral, deepseekV3, gpt2
    /// Megatron-LM / NeMo GPT (the measured-runs files' `gpt`): LayerNorm, GeLU, biases.
    case megatronGPT
    /// Nemotron-4 (HF `NemotronForCausalLM`): LayerNorm1p, squared-ReLU MLP, no biases.
    case nemotron
    /// GPT-J: parallel attention/MLP, bias-free attention, biased GeLU MLP, untied head.
    case gptj
    case deepseekV2, qwen2Moe, qwen3Next, qwen35, gptOss, llama4, gemma, gemma2, gemma3, phi3
    case bloom, gptNeoX, olmo2, cohere, starcoder2, glm4Moe, nemotronH, minimaxM2
    /// DeepSeek-V3.2 and GLM-5: MLA with DeepSeek sparse attention, DeepSeekMoE.
    case deepseekV32, glmMoeDsa

    /// The table row of this family.
    var rule: ArchitectureRule {
        // The table is exhaustive over the enum (a test checks it), so this lookup succeeds.
        ArchitectureTable.rows.first { $0.family == self } ?? ArchitectureTable.rows[0]
    }

    /// The `model_type` written back into canonical JSON (the row's first).
    var defaultModelType: String { rule.modelTypes.first ?? rawValue }

    static let byArchitecture: [String: ArchitectureFamily] = {
        var map: [String: ArchitectureFamily] = [:]
        for row in ArchitectureTable.rows { for name in row.architectures { map[name] = row.family } }
        return map
    }()

    static let byModelType: [String: ArchitectureFamily] = {
        var map: [String: ArchitectureFamily] = [:]
        for row in ArchitectureTable.rows { for name in row.modelTypes { map[name] = row.family } }
        return map
    }()

    public static var supportedArchitectures: [String] { byArchitecture.keys.sorted() }
    public static var supportedModelTypes: [String] { byModelType.keys.sorted() }
}

enum ArchitectureTable {
    // Shorthand for the common rows.
    private static func row(_ family: ArchitectureFamily, _ architectures: [String], _ modelTypes: [String],
                            intermediate: IntermediateRule = .required, mlp: MLPRule = .gatedChecked,
                            norm: NormKind = .rmsNorm, normsPerLayer: Int = 2,
                            qkvBias: BiasRule = .attentionBias(default: false),
                            outputBias: BiasRule = .attentionBias(default: false),
                            mlpBias: BiasRule = .mlpBias(default: false), tieDefault: Bool = false,
                            qkNorm: QKNormRule = .none, positions: PositionRule = .rope,
                            attention: AttentionRule = .standard,
                            layout: LayoutRule = .uniform(sliding: .absent), moe: MoERule = .none) -> ArchitectureRule {
        ArchitectureRule(family: family, architectures: architectures, modelTypes: modelTypes,
                         intermediate: intermediate, mlp: mlp, norm: norm, normsPerLayer: normsPerLayer,
                         qkvBias: qkvBias, outputBias: outputBias, mlpBias: mlpBias,
                         tieDefault: tieDefault, qkNorm: qkNorm, positions: positions,
                         attention: attention, layout: layout, moe: moe)
    }

    static let rows: [ArchitectureRule] = [
        // modeling_llama.py: RMSNorm, SwiGLU, attention_bias/mlp_bias, untied by default.
        row(.llama, ["LlamaForCausalLM"], ["llama"]),
        // modeling_mistral.py: Llama with a sliding window (see SlidingRule.warnOnly).
        row(.mistral, ["MistralForCausalLM"], ["mistral"], layout: .uniform(sliding: .warnOnly)),
        // modeling_qwen2.py: q/k/v bias=True, o_proj bias=False.
        row(.qwen2, ["Qwen2ForCausalLM"], ["qwen2"], qkvBias: .always, outputBias: .never,
            layout: .uniform(sliding: .onlyIfEnabled)),
        // modeling_qwen3.py: per-head q_norm/k_norm.
        row(.qwen3, ["Qwen3ForCausalLM"], ["qwen3"], qkNorm: .perHead, layout: .uniform(sliding: .onlyIfEnabled)),
        // modeling_qwen3_moe.py: Qwen3 attention, Qwen MoE block without shared experts.
        row(.qwen3Moe, ["Qwen3MoeForCausalLM"], ["qwen3_moe"], intermediate: .optionalDense, qkNorm: .perHead,
            layout: .uniform(sliding: .onlyIfEnabled), moe: .qwen(topKDefault: 8, sharedGate: false, optional: false)),
        // modeling_mixtral.py: every layer MoE, experts intermediate_size wide.
        row(.mixtral, ["MixtralForCausalLM"], ["mixtral"], intermediate: .expertWidth,
            layout: .uniform(sliding: .warnOnly), moe: .mixtral(topKDefault: 2, routerBias: .never)),
        // modeling_deepseek_v3.py: MLA, DeepSeekMoE; Kimi K2/K2.5 ship this architecture.
        with(row(.deepseekV3, ["DeepseekV3ForCausalLM", "KimiK25ForConditionalGeneration"],
                 ["deepseek_v3", "kimi_k2", "kimi_k25"], attention: .mla,
                 moe: .deepseek(defaultTopkMethod: "noaux_tc")), mtp: .nextn),
        // modeling_gpt2.py: Conv1D with biases, LayerNorm, learned positions, tied head.
        row(.gpt2, ["GPT2LMHeadModel"], ["gpt2"], intermediate: .nInnerOrFourHidden, mlp: .plain,
            norm: .layerNorm, qkvBias: .always, outputBias: .always, mlpBias: .always, tieDefault: true,
            positions: .learnedRequired),
        // Megatron-LM GPT defaults: LayerNorm, add_bias_linear=True, GeLU; positions as given.
        row(.megatronGPT, [], ["gpt"], intermediate: .orFourHidden, mlp: .plain, norm: .layerNorm,
            qkvBias: .attentionBias(default: true), outputBias: .attentionBias(default: true),
            mlpBias: .mlpBias(default: true)),
        // modeling_nemotron.py: LayerNorm1p, squared-ReLU up/down MLP.
        row(.nemotron, ["NemotronForCausalLM"], ["nemotron"], mlp: .plain, norm: .layerNorm),
        // modeling_gptj.py: q/k/v/out bias=False, fc_in/fc_out with bias, untied. Its one
        // LayerNorm per block is counted as two (2·h per layer, < 0.01 %).
        row(.gptj, ["GPTJForCausalLM"], ["gptj"], intermediate: .nInnerOrFourHidden, mlp: .plain,
            norm: .layerNorm, mlpBias: .always),
        // modeling_deepseek_v2.py: V3's layout with a softmax router (topk_method greedy, no bias).
        with(row(.deepseekV2, ["DeepseekV2ForCausalLM"], ["deepseek_v2"], attention: .mla,
                 moe: .deepseek(defaultTopkMethod: "greedy")), mtp: .nextn),
        // modeling_qwen2_moe.py: Qwen2 attention biases; shared expert with a sigmoid gate.
        row(.qwen2Moe, ["Qwen2MoeForCausalLM"], ["qwen2_moe"], intermediate: .optionalDense,
            qkvBias: .always, outputBias: .never, layout: .uniform(sliding: .onlyIfEnabled),
            moe: .qwen(topKDefault: 4, sharedGate: true, optional: false)),
        // modeling_qwen3_next.py: Gated DeltaNet + gated attention (3:1), per-head q/k norms,
        // Qwen2-MoE-style experts with a gated shared expert.
        row(.qwen3Next, ["Qwen3NextForCausalLM"], ["qwen3_next"], intermediate: .optionalDense,
            qkNorm: .perHead, attention: .gatedQuery, layout: .linearAttentionHybrid,
            moe: .qwen(topKDefault: 10, sharedGate: true, optional: false)),
        // modeling_qwen3_5(_moe).py: Qwen3-Next's hybrid, dense or MoE, under a VL wrapper.
        with(row(.qwen35, ["Qwen3_5ForConditionalGeneration", "Qwen3_5MoeForConditionalGeneration",
                           "Qwen3_5ForCausalLM", "Qwen3_5MoeForCausalLM"],
                 ["qwen3_5", "qwen3_5_moe", "qwen3_5_text", "qwen3_5_moe_text"], intermediate: .optionalDense,
                 qkNorm: .perHead, attention: .gatedQuery, layout: .linearAttentionHybrid,
                 moe: .qwen(topKDefault: 8, sharedGate: true, optional: true)), mtp: .qwen),
        // modeling_gpt_oss.py: biased attention with per-head sinks, alternating banded (128)
        // and full layers, every layer MoE with biased experts and a biased router.
        with(row(.gptOss, ["GptOssForCausalLM"], ["gpt_oss"], intermediate: .expertWidth,
                 qkvBias: .attentionBias(default: true), outputBias: .attentionBias(default: true),
                 mlpBias: .always, layout: .layerTypes(fallback: .alternatingSlidingFirst),
                 moe: .mixtral(topKDefault: 4, routerBias: .always)), sinks: true),
        // modeling_llama4.py: chunked attention on RoPE layers, NoPE global layers, MoE with a
        // shared expert interleaved with dense layers; use_qk_norm is a weightless L2 norm.
        row(.llama4, ["Llama4ForConditionalGeneration", "Llama4ForCausalLM"], ["llama4", "llama4_text"],
            intermediate: .llama4, layout: .llama4, moe: .llama4),
        // modeling_gemma.py: GeGLU (gated whatever hidden_act says), tied, head_dim explicit.
        row(.gemma, ["GemmaForCausalLM"], ["gemma"], mlp: .gated, tieDefault: true),
        // modeling_gemma2.py: pre- and post-norms (4 per block), soft-capping, alternating
        // sliding (4096) and global layers.
        row(.gemma2, ["Gemma2ForCausalLM"], ["gemma2"], mlp: .gated, normsPerLayer: 4, tieDefault: true,
            layout: .layerTypes(fallback: .alternatingSlidingFirst)),
        // modeling_gemma3.py: Gemma 2 blocks with per-head q/k norms, 5 local : 1 global.
        row(.gemma3, ["Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"], ["gemma3_text", "gemma3"],
            mlp: .gated, normsPerLayer: 4, tieDefault: true, qkNorm: .perHead,
            layout: .layerTypes(fallback: .everyNthFull(default: 6))),
        // modeling_phi3.py (Phi-3, Phi-4): fused qkv/gate_up, no biases, sliding window on all
        // layers when set.
        row(.phi3, ["Phi3ForCausalLM"], ["phi3"], layout: .uniform(sliding: .allLayers)),
        // modeling_bloom.py: ALiBi, LayerNorm on the embeddings, biases everywhere, 4h GeLU MLP.
        with(row(.bloom, ["BloomForCausalLM"], ["bloom"], intermediate: .nInnerOrFourHidden, mlp: .plain,
                 norm: .layerNorm, qkvBias: .always, outputBias: .always, mlpBias: .always, tieDefault: true,
                 positions: .alibi), embeddingNorm: true),
        // modeling_gpt_neox.py (Pythia): LayerNorm, biases everywhere, GeLU MLP, untied, rotary.
        row(.gptNeoX, ["GPTNeoXForCausalLM"], ["gpt_neox"], mlp: .plain, norm: .layerNorm,
            qkvBias: .attentionBias(default: true), outputBias: .attentionBias(default: true),
            mlpBias: .always),
        // modeling_olmo2.py: post-norms (2 per block), q/k RMSNorm over the full widths.
        row(.olmo2, ["Olmo2ForCausalLM"], ["olmo2"], qkNorm: .fullWidth),
        // modeling_cohere.py (Command-R): one bias-free LayerNorm per parallel block, tied.
        row(.cohere, ["CohereForCausalLM"], ["cohere"], norm: .rmsNorm, normsPerLayer: 1, tieDefault: true,
            qkNorm: .perHeadIfUseQKNorm),
        // modeling_starcoder2.py: LayerNorm, use_bias on every linear, GeLU up/down MLP,
        // sliding window on all layers, tied by default.
        with(row(.starcoder2, ["Starcoder2ForCausalLM"], ["starcoder2"], mlp: .plain, norm: .layerNorm,
                 qkvBias: .useBias(default: true), outputBias: .useBias(default: true),
                 mlpBias: .useBias(default: true), tieDefault: true, layout: .uniform(sliding: .allLayers)),
             ownKeys: ["mlp_type", "norm_type"]),
        // modeling_glm4_moe.py (GLM-4.5): GQA with q/k/v bias, partial RoPE, optional per-head
        // q/k norm, DeepSeek-style MoE with a corrected-bias sigmoid router, MTP layer.
        with(row(.glm4Moe, ["Glm4MoeForCausalLM"], ["glm4_moe"], outputBias: .never,
                 qkNorm: .perHeadIfUseQKNorm, moe: .deepseek(defaultTopkMethod: "noaux_tc")), mtp: .nextn),
        // modeling_nemotron_h.py: one mixer per block (Mamba-2, attention, ReLU² MLP or MoE),
        // one RMSNorm per block, no position embedding.
        row(.nemotronH, ["NemotronHForCausalLM"], ["nemotron_h"], mlp: .plain, normsPerLayer: 1,
            qkvBias: .attentionBias(default: false), mlpBias: .mlpBias(default: false),
            positions: .none, layout: .hybridPattern, moe: .nemotronH),
        // DeepSeek-V3.2 (deepseek-ai/DeepSeek-V3.2-Exp inference/model.py): V3 plus a
        // lightning indexer per layer that picks the index_topk keys each query attends to.
        with(row(.deepseekV32, ["DeepseekV32ForCausalLM"], ["deepseek_v32"], attention: .mla,
                 layout: .sparseIndexer, moe: .deepseek(defaultTopkMethod: "noaux_tc")), mtp: .nextn),
        // GLM-5 (modeling_glm_moe_dsa.py): DeepSeek-V3.2's attention with GLM's MoE sizes.
        with(row(.glmMoeDsa, ["GlmMoeDsaForCausalLM"], ["glm_moe_dsa"], attention: .mla,
                 layout: .sparseIndexer, moe: .deepseek(defaultTopkMethod: "noaux_tc")), mtp: .nextn),
        // MiniMax-M2 (modeling_minimax_m2.py): GQA, q/k RMSNorm over the full widths, every
        // layer MoE with a corrected-bias sigmoid router, MTP modules (not counted).
        row(.minimaxM2, ["MiniMaxM2ForCausalLM"], ["minimax_m2"], intermediate: .expertWidth,
            qkNorm: .minimax, moe: .mixtral(topKDefault: 8, routerBias: .useRoutingBias)),
    ]

    private static func with(_ r: ArchitectureRule, sinks: Bool = false, embeddingNorm: Bool = false,
                             mtp: MTPRule = .none, ownKeys: Set<String> = []) -> ArchitectureRule {
        var r = r
        r.sinks = sinks || r.sinks
        r.embeddingNorm = embeddingNorm || r.embeddingNorm
        if case .none = mtp {} else { r.mtp = mtp }
        r.ownKeys.formUnion(ownKeys)
        return r
    }
}
