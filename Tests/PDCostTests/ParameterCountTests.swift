import Testing
import PDCost

/// A parameter count as its authors printed it, and how precise that printed figure is.
enum PublishedFigure: Sendable {
    /// An exact count (Hugging Face safetensors metadata): must match to the parameter.
    case exact(Int)
    /// A rounded figure: ours must be within 0.5% of it.
    case rounded(Double)
    /// A figure cut (not rounded) to its printed digits, so that 0.5% is tighter than the figure
    /// itself: Qwen prints 3.35B active as "3.3B", DeepSeek 37.55B as "37B". Ours must lie in
    /// [figure, figure + one unit of the last printed digit).
    case truncated(Double, unit: Double)

    func agrees(with ours: Int) -> Bool {
        let x = Double(ours)
        switch self {
        case .exact(let n): return ours == n
        case .rounded(let p): return abs(x - p) <= 0.005 * p
        case .truncated(let p, let unit): return x >= p && x < p + unit
        }
    }
}

struct PublishedCount: Sendable, CustomTestStringConvertible {
    var preset: String
    var total: PublishedFigure
    var active: PublishedFigure? = nil
    /// Parameters without the input embedding and LM head, where the authors print it.
    var nonEmbedding: PublishedFigure? = nil
    var source: String
    var testDescription: String { preset }
}

@Suite("Parameter counts")
struct ParameterCountTests {
    static let published: [PublishedCount] = [
        PublishedCount(preset: "llama3-8b", total: .rounded(8.03e9),
                       source: "meta-llama/Meta-Llama-3-8B on Hugging Face: 8.03B params"),
        PublishedCount(preset: "llama3-70b", total: .rounded(70.55e9),
                       source: "meta-llama/Meta-Llama-3-70B on Hugging Face: 70.55B params"),
        PublishedCount(preset: "llama3.1-405b", total: .rounded(405.85e9),
                       source: "meta-llama/Llama-3.1-405B on Hugging Face: 405.85B params"),
        PublishedCount(preset: "llama2-7b", total: .exact(6_738_415_616),
                       source: "meta-llama/Llama-2-7b-hf safetensors metadata: 6,738,415,616"),
        PublishedCount(preset: "mistral-7b", total: .rounded(7.24e9),
                       source: "mistralai/Mistral-7B-v0.1 on Hugging Face: 7.24B params"),
        PublishedCount(preset: "qwen2.5-7b", total: .rounded(7.61e9), nonEmbedding: .rounded(6.53e9),
                       source: "Qwen/Qwen2.5-7B model card: 7.61B, non-embedding 6.53B"),
        PublishedCount(preset: "qwen3-8b", total: .rounded(8.2e9), nonEmbedding: .rounded(6.95e9),
                       source: "Qwen/Qwen3-8B model card: 8.2B, non-embedding 6.95B"),
        PublishedCount(preset: "qwen3-30b-a3b", total: .rounded(30.5e9),
                       active: .truncated(3.3e9, unit: 0.1e9), nonEmbedding: .rounded(29.9e9),
                       source: "Qwen/Qwen3-30B-A3B model card: 30.5B total, 3.3B activated, "
                           + "non-embedding 29.9B"),
        PublishedCount(preset: "qwen3-235b-a22b", total: .rounded(235e9),
                       active: .truncated(22e9, unit: 1e9), nonEmbedding: .rounded(234e9),
                       source: "Qwen/Qwen3-235B-A22B model card: 235B total, 22B activated, "
                           + "non-embedding 234B"),
        PublishedCount(preset: "deepseek-v3", total: .rounded(671e9),
                       active: .truncated(37e9, unit: 1e9),
                       source: "DeepSeek-V3 technical report (arXiv 2412.19437), abstract: 671B "
                           + "total, 37B activated per token (main model, without MTP)"),
        PublishedCount(preset: "mixtral-8x7b", total: .rounded(46.7e9), active: .rounded(12.9e9),
                       source: "Mistral AI, 'Mixtral of experts' (Dec 2023): 46.7B total, "
                           + "12.9B per token"),
        PublishedCount(preset: "gpt3-175b", total: .rounded(175e9),
                       source: "Brown et al. 2020 (arXiv 2005.14165), Table 2.1: 175.0B"),
        PublishedCount(preset: "gpt2", total: .exact(124_439_808),
                       source: "openai-community/gpt2 (GPT2LMHeadModel) safetensors: 124,439,808"),
    ]

    @Test("total and active parameters match the published figures", arguments: published)
    func matchesPublished(_ entry: PublishedCount) throws {
        let spec = try ModelPresets.named(entry.preset)
        let breakdown = ParameterCounter.breakdown(spec)
        #expect(entry.total.agrees(with: breakdown.total),
                "\(entry.preset): ours \(breakdown.total), published \(entry.total) (\(entry.source))")
        let active = ParameterCounter.active(spec)
        if let published = entry.active {
            #expect(published.agrees(with: active),
                    "\(entry.preset) active: ours \(active), published \(published) (\(entry.source))")
            #expect(active < breakdown.total)
        } else {
            #expect(active == breakdown.total, "a dense model uses every parameter")
        }
        if let published = entry.nonEmbedding {
            let ours = breakdown.total - breakdown.embedding - breakdown.lmHead
            #expect(published.agrees(with: ours),
                    "\(entry.preset) non-embedding: ours \(ours), published \(published)")
        }
    }

    @Test("every model preset is covered by a published figure")
    func everyPresetCovered() {
        let covered = Set(Self.published.map(\.preset))
        // llama2-70b: Meta publishes only "70B"; its exact count is checked by hand below.
        let uncovered = Set(ModelPresets.names).subtracting(covered).subtracting(["llama2-70b"])
        #expect(uncovered.isEmpty, "presets without a published-count check: \(uncovered.sorted())")
    }

    @Test("Llama-2-70B by hand")
    func llama2_70bByHand() throws {
        // L=80, h=8192, f=28672, 64 heads of 128, 8 KV heads, V=32000, untied.
        //   attention per layer: q 8192·8192 + k,v 2·8192·1024 + o 8192·8192 = 150,994,944
        //   MLP per layer: 3·8192·28672 = 704,643,072; norms 2·8192 = 16,384
        //   80 layers: 80 · 855,654,400 = 68,452,352,000
        //   embedding + LM head 2·32000·8192 = 524,288,000; final norm 8,192
        let spec = try ModelPresets.named("llama2-70b")
        #expect(ParameterCounter.breakdown(spec).total == 68_976_648_192)
    }

    @Test("GPT-2 small by hand (Conv1D weights and biases, LayerNorm, tied head)")
    func gpt2ByHand() throws {
        // h=768, 12 layers, V=50257, 1024 positions, MLP 4h=3072.
        //   wte 50257·768 = 38,597,376; wpe 1024·768 = 786,432
        //   per layer: ln_1 2·768 = 1,536; c_attn 768·2304 + 2304 = 1,771,776;
        //              attn c_proj 768·768 + 768 = 590,592; ln_2 1,536;
        //              c_fc 768·3072 + 3072 = 2,362,368; mlp c_proj 3072·768 + 768 = 2,360,064
        //              = 7,087,872; 12 layers = 85,054,464
        //   ln_f 1,536; lm_head tied to wte: 0
        let b = ParameterCounter.breakdown(try ModelPresets.named("gpt2"))
        #expect(b.embedding == 38_597_376)
        #expect(b.positionEmbedding == 786_432)
        #expect(b.lmHead == 0)
        #expect(b.attention == 12 * (1_771_776 + 590_592))
        #expect(b.denseMLP == 12 * (2_362_368 + 2_360_064))
        #expect(b.norms == 12 * 2 * 1_536 + 1_536)
        #expect(b.total == 124_439_808)
    }

    // MARK: - Fixtures agree with presets

    @Test("each fixture config.json counts the same as its preset", arguments: TestFixtures.hfConfigs)
    func fixtureMatchesPreset(_ fixture: HFFixture) throws {
        let loaded = try ModelLoader.load(json: try TestFixtures.bytes(fixture.file))
        let preset = try ModelPresets.named(fixture.preset)
        #expect(ParameterCounter.breakdown(loaded) == ParameterCounter.breakdown(preset))
        #expect(ParameterCounter.active(loaded) == ParameterCounter.active(preset))
        #expect(ParameterCounter.layer(loaded) == ParameterCounter.layer(preset))
    }

    // MARK: - A tiny model by hand

    /// 2-layer Llama: h=64, f=128, 4 heads of 16, 2 KV heads, V=100.
    static func tinyLlama(architecture: String = "LlamaForCausalLM", tied: Bool = false) -> String {
        """
        {"architectures":["\(architecture)"],"hidden_size":64,"intermediate_size":128,
         "num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":2,
         "vocab_size":100,"tie_word_embeddings":\(tied)}
        """
    }

    @Test("tiny Llama counted by hand, matrix by matrix")
    func tinyLlamaByHand() throws {
        let spec = try ModelLoader.load(json: Array(Self.tinyLlama().utf8))
        // head_dim = 64 / 4 = 16; q width 4·16 = 64; k/v width 2·16 = 32.
        // Per layer:
        //   q_proj 64·64 = 4,096   k_proj 64·32 = 2,048   v_proj 64·32 = 2,048   o_proj 64·64 = 4,096
        //   attention = 12,288
        //   gate_proj 64·128 = 8,192   up_proj 64·128 = 8,192   down_proj 128·64 = 8,192
        //   MLP = 24,576
        //   input_layernorm 64 + post_attention_layernorm 64 = 128
        //   layer = 36,992
        // Model:
        //   embed_tokens 100·64 = 6,400; 2 layers = 73,984; final norm 64; lm_head 100·64 = 6,400
        //   total = 6,400 + 73,984 + 64 + 6,400 = 86,848
        let layer = ParameterCounter.layer(spec)
        #expect(layer.attention == 12_288)
        #expect(layer.denseMLP == 24_576)
        #expect(layer.norms == 128)
        #expect(layer.expert == 0 && layer.router == 0 && layer.sharedExperts == 0)
        let b = ParameterCounter.breakdown(spec)
        #expect(b.embedding == 6_400)
        #expect(b.attention == 24_576)
        #expect(b.denseMLP == 49_152)
        #expect(b.norms == 2 * 128 + 64)
        #expect(b.lmHead == 6_400)
        #expect(b.total == 86_848)
        #expect(ParameterCounter.active(spec) == 86_848)
    }

    @Test("tied embeddings drop the LM head, nothing else")
    func tiedEmbeddings() throws {
        let untied = try ModelLoader.load(json: Array(Self.tinyLlama(tied: false).utf8))
        let tied = try ModelLoader.load(json: Array(Self.tinyLlama(tied: true).utf8))
        let u = ParameterCounter.breakdown(untied), t = ParameterCounter.breakdown(tied)
        // 86,848 − lm_head 100·64 = 80,448
        #expect(t.total == 80_448)
        #expect(t.lmHead == 0)
        #expect(t.embedding == u.embedding)
        #expect(u.total - t.total == 100 * 64)
    }

    @Test("Qwen2 adds q/k/v biases (and no o_proj bias)")
    func qwen2Biases() throws {
        let spec = try ModelLoader.load(json: Array(Self.tinyLlama(architecture: "Qwen2ForCausalLM").utf8))
        // Qwen2Attention: q_proj bias 64, k_proj bias 32, v_proj bias 32 = 128 per layer.
        #expect(ParameterCounter.layer(spec).attention == 12_288 + 128)
        #expect(ParameterCounter.breakdown(spec).total == 86_848 + 2 * 128)
    }

    @Test("Qwen3 adds per-head q/k RMSNorms")
    func qwen3QKNorm() throws {
        let spec = try ModelLoader.load(json: Array(Self.tinyLlama(architecture: "Qwen3ForCausalLM").utf8))
        // Qwen3Attention: q_norm and k_norm of head_dim 16 each = 32 per layer.
        #expect(ParameterCounter.layer(spec).attention == 12_288 + 32)
        #expect(ParameterCounter.breakdown(spec).total == 86_848 + 2 * 32)
    }

    @Test("tiny Mixtral: experts, router and top-k by hand")
    func tinyMixtral() throws {
        let json = """
            {"architectures":["MixtralForCausalLM"],"hidden_size":64,"intermediate_size":128,
             "num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":2,
             "num_local_experts":4,"num_experts_per_tok":2,"vocab_size":100}
            """
        let spec = try ModelLoader.load(json: Array(json.utf8))
        // Per layer: attention 12,288; 4 experts of 3·64·128 = 24,576 each = 98,304;
        // router 64·4 = 256; norms 128. Layer = 110,976; 2 layers = 221,952.
        // Total = 6,400 + 221,952 + 64 + 6,400 = 234,816.
        // Active: 2 of 4 experts per layer: 234,816 − 2 layers · 2 experts · 24,576 = 136,512.
        let b = ParameterCounter.breakdown(spec)
        #expect(b.routedExperts == 2 * 4 * 24_576)
        #expect(b.router == 2 * 256)
        #expect(b.denseMLP == 0)
        #expect(b.total == 234_816)
        #expect(ParameterCounter.active(spec) == 136_512)
    }

    // MARK: - DeepSeek-V3 (MLA + DeepSeekMoE) by hand

    @Test("DeepSeek-V3 MLA attention block by hand (DeepSeek-V2 §2.1)")
    func deepseekV3MLAByHand() throws {
        let spec = try ModelPresets.named("deepseek-v3")
        // d = 7168, n_h = 128, d_c = kv_lora_rank 512, d_c' = q_lora_rank 1536,
        // d_h = qk_nope_head_dim 128, d_h^R = qk_rope_head_dim 64, v_head_dim 128.
        //   W^DQ (q_a_proj)             d_c'·d            = 1536·7168         = 11,010,048
        //   q_a_layernorm               d_c'                                  =      1,536
        //   W^UQ;W^QR (q_b_proj)        n_h(d_h+d_h^R)·d_c' = 128·192·1536    = 37,748,736
        //   W^DKV;W^KR (kv_a_proj_with_mqa) (d_c+d_h^R)·d = 576·7168          =  4,128,768
        //   kv_a_layernorm              d_c                                   =        512
        //   W^UK;W^UV (kv_b_proj)       n_h(d_h+v)·d_c    = 128·256·512       = 16,777,216
        //   W^O (o_proj)                d·n_h·v           = 7168·16384        = 117,440,512
        //   sum                                                               = 187,107,328
        #expect(ParameterCounter.layer(spec).attention == 187_107_328)
    }

    @Test("DeepSeek-V3 whole model by hand, MTP apart")
    func deepseekV3ByHand() throws {
        let spec = try ModelPresets.named("deepseek-v3")
        #expect(spec.numMoELayers == 58)  // 61 layers, first_k_dense_replace = 3
        #expect(spec.numDenseLayers == 3)
        let h = 7168
        let expert = 3 * h * 2048                         // 44,040,192 (gate, up, down)
        let router = h * 256 + 256                        // weight + e_score_correction_bias
        let dense = 3 * h * 18432                         // 396,361,728
        let attention = 187_107_328
        let norms = 2 * h
        let embeddings = 2 * 129_280 * h                  // embed_tokens + untied lm_head
        let total = embeddings + 61 * (attention + norms) + 3 * dense
            + 58 * (256 * expert + expert + router) + h   // 256 routed + 1 shared; final norm
        #expect(total == 671_026_419_200)                 // the arithmetic itself, spelled out
        let b = ParameterCounter.breakdown(spec)
        #expect(b.total == total)
        let active = total - 58 * (256 - 8) * expert      // 8 routed experts per token
        #expect(ParameterCounter.active(spec) == active)
        #expect(active == 37_552_297_472)
        // MTP module (DeepSeek-V3 §2.2): enorm + hnorm (2h), eh_proj 2h·h, one MoE block, final
        // norm; embedding and head shared with the main model. (The on-disk "685B" additionally
        // stores a copy of embedding and head in the MTP layer: 671.03 + 11.61 + 1.85 = 684.5B.)
        let mtp = 2 * h + 2 * h * h + (attention + norms + 256 * expert + expert + router) + h
        #expect(b.mtp == mtp)
        #expect(mtp == 11_610_068_224)
        #expect(b.totalWithMTP == total + mtp)
    }

    @Test("breakdown components sum to the total")
    func componentsSum() throws {
        for name in ModelPresets.names {
            let b = ParameterCounter.breakdown(try ModelPresets.named(name))
            let sum = b.components.filter { $0.name != "mtp" }.reduce(0) { $0 + $1.count }
            #expect(sum == b.total, "\(name)")
        }
    }
}
