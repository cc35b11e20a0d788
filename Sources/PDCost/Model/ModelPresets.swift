/// Built-in models. Each preset is the model's Hugging Face config.json (the fields that matter),
/// so presets go through the same loader as user files and cannot drift from it.
public enum ModelPresets {
    /// Preset name → (aliases, config.json). Sources: each model's config.json on the Hugging
    /// Face Hub; GPT-3 from Brown et al. 2020 (arXiv 2005.14165) Table 2.1.
    static let table: [(name: String, aliases: [String], config: String)] = [
        ("llama2-7b", ["llama-2-7b"], """
         {"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":11008,
          "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":32,
          "vocab_size":32000,"max_position_embeddings":4096,"tie_word_embeddings":false}
         """),
        ("llama2-70b", ["llama-2-70b"], """
         {"architectures":["LlamaForCausalLM"],"hidden_size":8192,"intermediate_size":28672,
          "num_attention_heads":64,"num_hidden_layers":80,"num_key_value_heads":8,
          "vocab_size":32000,"max_position_embeddings":4096,"tie_word_embeddings":false}
         """),
        ("llama3-8b", ["llama-3-8b", "llama3.1-8b", "llama-3.1-8b"], """
         {"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
          "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,
          "vocab_size":128256,"max_position_embeddings":8192,"tie_word_embeddings":false}
         """),
        ("llama3-70b", ["llama-3-70b", "llama3.1-70b", "llama-3.1-70b"], """
         {"architectures":["LlamaForCausalLM"],"hidden_size":8192,"intermediate_size":28672,
          "num_attention_heads":64,"num_hidden_layers":80,"num_key_value_heads":8,
          "vocab_size":128256,"max_position_embeddings":8192,"tie_word_embeddings":false}
         """),
        ("llama3.1-405b", ["llama-3.1-405b", "llama3-405b"], """
         {"architectures":["LlamaForCausalLM"],"hidden_size":16384,"intermediate_size":53248,
          "num_attention_heads":128,"num_hidden_layers":126,"num_key_value_heads":8,
          "vocab_size":128256,"max_position_embeddings":131072,"tie_word_embeddings":false}
         """),
        ("mistral-7b", ["mistral-7b-v0.1"], """
         {"architectures":["MistralForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
          "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,
          "vocab_size":32000,"max_position_embeddings":32768,"tie_word_embeddings":false}
         """),
        ("mixtral-8x7b", ["mixtral-8x7b-v0.1"], """
         {"architectures":["MixtralForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
          "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,
          "num_local_experts":8,"num_experts_per_tok":2,"vocab_size":32000,
          "max_position_embeddings":32768,"tie_word_embeddings":false}
         """),
        ("qwen2.5-7b", ["qwen2.5-7b-instruct"], """
         {"architectures":["Qwen2ForCausalLM"],"hidden_size":3584,"intermediate_size":18944,
          "num_attention_heads":28,"num_hidden_layers":28,"num_key_value_heads":4,
          "vocab_size":152064,"max_position_embeddings":131072,"tie_word_embeddings":false}
         """),
        ("qwen3-8b", [], """
         {"architectures":["Qwen3ForCausalLM"],"hidden_size":4096,"intermediate_size":12288,
          "num_attention_heads":32,"num_hidden_layers":36,"num_key_value_heads":8,"head_dim":128,
          "vocab_size":151936,"max_position_embeddings":40960,"tie_word_embeddings":false}
         """),
        ("qwen3-30b-a3b", ["qwen3-30b"], """
         {"architectures":["Qwen3MoeForCausalLM"],"hidden_size":2048,"intermediate_size":6144,
          "num_attention_heads":32,"num_hidden_layers":48,"num_key_value_heads":4,"head_dim":128,
          "num_experts":128,"num_experts_per_tok":8,"moe_intermediate_size":768,
          "decoder_sparse_step":1,"vocab_size":151936,"max_position_embeddings":40960,
          "tie_word_embeddings":false}
         """),
        ("qwen3-235b-a22b", ["qwen3-235b"], """
         {"architectures":["Qwen3MoeForCausalLM"],"hidden_size":4096,"intermediate_size":12288,
          "num_attention_heads":64,"num_hidden_layers":94,"num_key_value_heads":4,"head_dim":128,
          "num_experts":128,"num_experts_per_tok":8,"moe_intermediate_size":1536,
          "decoder_sparse_step":1,"vocab_size":151936,"max_position_embeddings":40960,
          "tie_word_embeddings":false}
         """),
        ("deepseek-v3", ["deepseek-v3-671b"], """
         {"architectures":["DeepseekV3ForCausalLM"],"hidden_size":7168,"intermediate_size":18432,
          "num_attention_heads":128,"num_hidden_layers":61,"num_key_value_heads":128,
          "n_routed_experts":256,"n_shared_experts":1,"num_experts_per_tok":8,
          "moe_intermediate_size":2048,"first_k_dense_replace":3,"moe_layer_freq":1,
          "q_lora_rank":1536,"kv_lora_rank":512,"qk_nope_head_dim":128,"qk_rope_head_dim":64,
          "v_head_dim":128,"num_nextn_predict_layers":1,"topk_method":"noaux_tc","n_group":8,"topk_group":4,
          "vocab_size":129280,"max_position_embeddings":163840,"tie_word_embeddings":false,
          "quantization_config":{"quant_method":"fp8"}}
         """),
        ("gpt3-175b", ["gpt-3-175b", "gpt3"], """
         {"model_type":"gpt","hidden_size":12288,"intermediate_size":49152,
          "num_attention_heads":96,"num_hidden_layers":96,"vocab_size":50257,"n_positions":2048,
          "max_position_embeddings":2048,"tie_word_embeddings":true,"hidden_act":"gelu"}
         """),
        ("gpt2", ["gpt2-small"], """
         {"architectures":["GPT2LMHeadModel"],"n_embd":768,"n_head":12,"n_layer":12,
          "n_positions":1024,"vocab_size":50257,"activation_function":"gelu_new"}
         """),
    ]

    public static var names: [String] { table.map(\.name) }

    /// The preset's config.json text.
    public static func config(named name: String) throws(PDCostError) -> String {
        let key = name.lowercased()
        for entry in table where entry.name == key || entry.aliases.contains(key) {
            return entry.config
        }
        throw .notFound("unknown model preset '\(name)'; known: " + names.joined(separator: ", "))
    }

    /// The validated spec of a preset (named after the preset).
    public static func named(_ name: String) throws(PDCostError) -> ModelSpec {
        let text = try config(named: name)
        var spec = try ModelLoader.load(json: Array(text.utf8))
        spec.name = table.first { $0.name == name.lowercased() || $0.aliases.contains(name.lowercased()) }?.name ?? name
        return spec
    }
}
