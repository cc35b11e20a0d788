import FoundationEssentials
import Testing
@testable import PDCost

/// Which parameters a model card's "active" figure counts.
enum ActiveConvention: String, Sendable {
    /// Every parameter a token uses, embedding and LM head included.
    case all = "all"
    /// Without the input embedding (a lookup, not a matmul): OpenAI's and DeepSeek's convention.
    case withoutEmbedding = "without embedding"
    /// Without the embedding and the LM head.
    case withoutEmbeddingAndHead = "without embedding and head"
}

/// A real config.json and the parameter counts its authors published.
struct ArchitectureCase: Sendable, CustomTestStringConvertible {
    var file: String
    var architecture: String
    var total: Double
    /// Relative tolerance of the total, with the reason in `why`.
    var totalTolerance: Double
    /// The published total is the checkpoint's: main model, MTP blocks and the MTP module's
    /// own copies of the embedding and output head (DeepSeek's Hugging Face figures).
    var totalIsCheckpoint = false
    var active: Double? = nil
    var activeConvention: ActiveConvention = .all
    var activeTolerance: Double = 0
    /// When the active figure is cut, not rounded ("A3B" for 3.45B, as Qwen names its models;
    /// see ParameterCountTests' `.truncated`): ours must lie in [active, active + unit).
    var activeTruncatedUnit: Double? = nil
    /// Where the published figures come from.
    var source: String
    /// Why the tolerance is what it is.
    var why: String
    var testDescription: String { file }
}

@Suite("Architecture loader")
struct ArchitectureLoaderTests {
    /// Published counts. Tolerances: 0 where the authors print the exact count; otherwise the
    /// rounding of the printed figure, plus, where stated, parts pdcost does not price (vision
    /// encoders of multimodal checkpoints).
    static let cases: [ArchitectureCase] = [
        ArchitectureCase(file: "openai__gpt-oss-120b.json", architecture: "GPT-OSS (gpt_oss)",
                         total: 116.83e9, totalTolerance: 0.0005, active: 5.13e9,
                         activeConvention: .withoutEmbedding, activeTolerance: 0.002,
                         source: "OpenAI, gpt-oss-120b & gpt-oss-20b model card (arXiv 2508.10925), Table 1: 116.83B total, 5.13B active",
                         why: "printed to 0.01B"),
        ArchitectureCase(file: "openai__gpt-oss-20b.json", architecture: "GPT-OSS (gpt_oss)",
                         total: 20.91e9, totalTolerance: 0.0005, active: 3.61e9,
                         activeConvention: .withoutEmbedding, activeTolerance: 0.002,
                         source: "OpenAI gpt-oss model card, Table 1: 20.91B total, 3.61B active",
                         why: "printed to 0.01B"),
        ArchitectureCase(file: "meta-llama__Llama-4-Scout-17B-16E-Instruct.json", architecture: "Llama 4 (llama4)",
                         total: 109e9, totalTolerance: 0.015, active: 17e9, activeTolerance: 0.015,
                         source: "Meta, Llama 4 model card: Scout 17B active, 109B total",
                         why: "the 109B includes the vision encoder (not priced); 17B is rounded"),
        ArchitectureCase(file: "meta-llama__Llama-4-Maverick-17B-128E-Instruct.json", architecture: "Llama 4 (llama4)",
                         total: 400e9, totalTolerance: 0.005, active: 17e9, activeTolerance: 0.015,
                         source: "Meta, Llama 4 model card: Maverick 17B active, 400B total",
                         why: "rounded to 1B (400B) and 1B (17B)"),
        ArchitectureCase(file: "nvidia__Nemotron-H-56B-Base-8K.json", architecture: "Nemotron-H (nemotron_h)",
                         total: 56e9, totalTolerance: 0.01,
                         source: "NVIDIA, Nemotron-H (arXiv 2504.03624): Nemotron-H-56B",
                         why: "the name rounds to 1B"),
        ArchitectureCase(file: "nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json", architecture: "Nemotron-H MoE (nemotron_h)",
                         total: 31.6e9, totalTolerance: 0.005, active: 3.6e9, activeTolerance: 0.01,
                         source: "NVIDIA Nemotron 3 Nano model card: 31.6B total, 3.6B active including embeddings",
                         why: "printed to 0.1B"),
        // LatentMoE: experts on a 1024 (Super) / 2048 (Ultra) latent, projected from and back to h.
        // By hand (Super): 2·131,072·4096 embedding and head; 8 attention blocks of 4096·(4096 +
        // 512 + 4096); 40 Mamba-2 mixers (in_proj 4096·(8192 + 10,240 + 128), conv 10,240·5 with
        // bias, 3·128 + 8192 per-head and norm vectors, out_proj 8192·4096); 40 MoE layers of 512
        // ReLU² experts 2·1024·2688, a shared expert 2·4096·5376, the router 4096·512 + 512 and
        // the projections 2·4096·1024; 89 norms: 120.67B total, 12.23B active without the
        // embedding. Ultra the same way (h 8192, 48 Mamba-2 with 256 heads, 48 MoE layers of
        // 512 experts 2·2048·5120 with a 2·8192·10,240 shared expert, 12 attention blocks of 64
        // heads): 549.31B total, 54.99B active without the embedding.
        ArchitectureCase(file: "nvidia__NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4.json",
                         architecture: "Nemotron 3 Super, LatentMoE (nemotron_h)",
                         total: 120e9, totalTolerance: 0.01, active: 12e9,
                         activeConvention: .withoutEmbedding, activeTruncatedUnit: 1e9,
                         source: "NVIDIA Nemotron 3 Super model card: 120B total (12B active)",
                         why: "the name rounds the total to 1B; A12B truncates 12.23B"),
        ArchitectureCase(file: "nvidia__NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16.json",
                         architecture: "Nemotron 3 Ultra, LatentMoE (nemotron_h)",
                         total: 550e9, totalTolerance: 0.01, active: 55e9,
                         activeConvention: .withoutEmbedding, activeTolerance: 0.01,
                         source: "NVIDIA Nemotron 3 Ultra: 550B total, A55B active (model name)",
                         why: "the name rounds both to 1B"),
        ArchitectureCase(file: "Qwen__Qwen3.5-35B-A3B.json", architecture: "Qwen3.5 (qwen3_5_moe)",
                         total: 35e9, totalTolerance: 0.02, active: 3e9, activeTruncatedUnit: 1e9,
                         source: "Qwen3.5-35B-A3B model card: 35B total, 3B activated",
                         why: "35B includes the vision encoder (not priced); A3B truncates to 1B"),
        ArchitectureCase(file: "moonshotai__Kimi-K2.5.json", architecture: "Kimi K2.5 (DeepSeek-V3 text model)",
                         total: 1.04e12, totalTolerance: 0.015, active: 32e9, activeTolerance: 0.03,
                         source: "Moonshot AI, Kimi K2 technical report (arXiv 2507.20534): 1.04T total, 32B activated",
                         why: "printed to 0.01T and 1B; the K2.5 vision encoder is not priced"),
        ArchitectureCase(file: "MiniMaxAI__MiniMax-M2.5.json", architecture: "MiniMax-M2 (minimax_m2)",
                         total: 230e9, totalTolerance: 0.01, active: 10e9,
                         activeConvention: .withoutEmbeddingAndHead, activeTolerance: 0.03,
                         source: "MiniMax-M2 model card: 230B total, 10B activated",
                         why: "printed to 10B and 1B"),
        ArchitectureCase(file: "deepseek-ai__DeepSeek-V3.json", architecture: "DeepSeek-V3 (deepseek_v3)",
                         total: 671e9, totalTolerance: 0.001, active: 37e9, activeTolerance: 0.02,
                         source: "DeepSeek-AI 2024, DeepSeek-V3 report (arXiv 2412.19437) §1: 671B total, 37B activated (MTP module apart)",
                         why: "printed to 1B; 37B truncates 37.55B"),
        ArchitectureCase(file: "deepseek-ai__DeepSeek-V3.2.json", architecture: "DeepSeek-V3.2 (deepseek_v32)",
                         total: 685e9, totalTolerance: 0.005, totalIsCheckpoint: true,
                         source: "deepseek-ai/DeepSeek-V3.2 on Hugging Face: 685B params (safetensors, MTP module included)",
                         why: "printed to 1B"),
        ArchitectureCase(file: "zai-org__GLM-5.json", architecture: "GLM-5 (glm_moe_dsa)",
                         total: 744e9, totalTolerance: 0.005, active: 40e9,
                         activeConvention: .withoutEmbeddingAndHead, activeTolerance: 0.01,
                         source: "Z.ai, GLM-5 release notes: 744B parameters, 40B active",
                         why: "printed to 1B"),
        ArchitectureCase(file: "google__gemma-7b.json", architecture: "Gemma (gemma)",
                         total: 8_537_680_896, totalTolerance: 0,
                         source: "Gemma Team 2024 (arXiv 2403.08295) Table 2: 786,432,000 embedding + 7,751,248,896 non-embedding",
                         why: "exact"),
        ArchitectureCase(file: "google__gemma-2-9b.json", architecture: "Gemma 2 (gemma2)",
                         total: 9_241_705_984, totalTolerance: 0,
                         source: "Gemma Team 2024 (arXiv 2408.00118) Table 2: 917,504,000 embedding + 8,324,201,984 non-embedding",
                         why: "exact"),
        ArchitectureCase(file: "google__gemma-3-1b-it.json", architecture: "Gemma 3 (gemma3_text)",
                         total: 1_000e6, totalTolerance: 0.001,
                         source: "Gemma Team 2025 (arXiv 2503.19786) Table 1: 1B = 302M embedding + 698M non-embedding",
                         why: "printed to 1M"),
        ArchitectureCase(file: "CohereForAI__c4ai-command-r-v01.json", architecture: "Cohere Command-R (cohere)",
                         total: 35e9, totalTolerance: 0.005,
                         source: "CohereForAI/c4ai-command-r-v01 model card: 35 billion parameters",
                         why: "printed to 1B"),
        ArchitectureCase(file: "microsoft__Phi-3-mini-128k-instruct.json", architecture: "Phi-3 / Phi-4 (phi3)",
                         total: 3.8e9, totalTolerance: 0.01,
                         source: "Abdin et al. 2024, Phi-3 technical report (arXiv 2404.14219): phi-3-mini, 3.8B",
                         why: "printed to 0.1B"),
        ArchitectureCase(file: "bigscience__bloom-7b1.json", architecture: "BLOOM (bloom)",
                         total: 7_069_016_064, totalTolerance: 0,
                         source: "bigscience/bloom-7b1 model card: 7,069,016,064 parameters",
                         why: "exact"),
        ArchitectureCase(file: "EleutherAI__pythia-6.9b.json", architecture: "GPT-NeoX / Pythia (gpt_neox)",
                         total: 6_857_302_016, totalTolerance: 0,
                         source: "Biderman et al. 2023, Pythia (arXiv 2304.01373) / EleutherAI/pythia README: 6,857,302,016 total",
                         why: "exact"),
        ArchitectureCase(file: "deepseek-ai__DeepSeek-V2-Lite.json", architecture: "DeepSeek-V2 (deepseek_v2)",
                         total: 15.7e9, totalTolerance: 0.005, active: 2.4e9,
                         activeConvention: .withoutEmbedding, activeTolerance: 0.025,
                         source: "deepseek-ai/DeepSeek-V2-Lite model card: 15.7B total, 2.4B activated",
                         why: "printed to 0.1B (2.45B prints as 2.4B)"),
        ArchitectureCase(file: "Qwen__Qwen1.5-MoE-A2.7B.json", architecture: "Qwen2-MoE (qwen2_moe)",
                         total: 14.3e9, totalTolerance: 0.005, active: 2.7e9, activeTolerance: 0.01,
                         source: "Qwen/Qwen1.5-MoE-A2.7B model card: 14.3B total, 2.7B activated",
                         why: "printed to 0.1B"),
        ArchitectureCase(file: "Qwen__Qwen3-Next-80B-A3B-Instruct.json", architecture: "Qwen3-Next (qwen3_next)",
                         total: 80e9, totalTolerance: 0.005, active: 3e9, activeTruncatedUnit: 1e9,
                         source: "Qwen/Qwen3-Next-80B-A3B-Instruct model card: 80B total, 3B activated",
                         why: "printed to 1B; A3B truncates to 1B"),
        ArchitectureCase(file: "allenai__OLMo-2-1124-7B.json", architecture: "OLMo 2 (olmo2)",
                         total: 7.3e9, totalTolerance: 0.005,
                         source: "allenai/OLMo-2-1124-7B on Hugging Face: 7.3B params (safetensors metadata)",
                         why: "printed to 0.1B"),
        ArchitectureCase(file: "bigcode__starcoder2-15b.json", architecture: "StarCoder2 (starcoder2)",
                         total: 15e9, totalTolerance: 0.05,
                         source: "bigcode/starcoder2-15b model card: a 15B parameter model",
                         why: "the card names the size class only (15.66B with the tied head)"),
        ArchitectureCase(file: "zai-org__GLM-4.5-Air.json", architecture: "GLM-4.5 (glm4_moe)",
                         total: 106e9, totalTolerance: 0.01, active: 12e9,
                         activeConvention: .withoutEmbeddingAndHead, activeTolerance: 0.02,
                         source: "Z.ai, GLM-4.5 report (arXiv 2508.06471): GLM-4.5-Air 106B total, 12B active",
                         why: "printed to 1B"),
    ]

    static func load(_ file: String) throws -> ModelLoadResult {
        try ModelLoader.loadWithWarnings(json: TestFixtures.bytes(file))
    }

    static func total(_ m: ModelSpec, _ c: ArchitectureCase) -> Double {
        let b = ParameterCounter.breakdown(m)
        // The checkpoint adds the MTP module's own embedding and head (DeepSeek-V3 §2.2 shares
        // them in the model; the released weights store a copy).
        return c.totalIsCheckpoint ? Double(b.totalWithMTP + b.embedding + m.vocabSize * m.hiddenSize) : Double(b.total)
    }

    static func active(_ m: ModelSpec, _ convention: ActiveConvention) -> Int {
        let b = ParameterCounter.breakdown(m)
        let a = ParameterCounter.active(m)
        switch convention {
        case .all: return a
        case .withoutEmbedding: return a - b.embedding
        case .withoutEmbeddingAndHead: return a - b.embedding - b.lmHead
        }
    }

    @Test("parameter counts equal the published ones", arguments: cases)
    func publishedCounts(_ c: ArchitectureCase) throws {
        let m = try Self.load(c.file).spec
        let total = Self.total(m, c)
        #expect(abs(total - c.total) <= c.totalTolerance * c.total, "\(c.file): total \(total) vs \(c.total)")
        if let published = c.active {
            let ours = Double(Self.active(m, c.activeConvention))
            if let unit = c.activeTruncatedUnit {
                #expect(ours >= published && ours < published + unit, "\(c.file): active \(ours) vs \(published)")
            } else {
                #expect(abs(ours - published) <= c.activeTolerance * published,
                        "\(c.file): active \(ours) vs \(published)")
            }
        }
    }

    @Test("the table has one row per family, at least 20, and no name in two rows")
    func tableShape() {
        let rows = ArchitectureTable.rows
        #expect(rows.count >= 20)
        #expect(Set(rows.map(\.family)).count == rows.count)
        #expect(Set(rows.map(\.family)) == Set(ArchitectureFamily.allCases))
        let architectures = rows.flatMap(\.architectures), types = rows.flatMap(\.modelTypes)
        #expect(Set(architectures).count == architectures.count)
        #expect(Set(types).count == types.count)
    }

    @Test("per-layer layouts follow the configs")
    func layouts() throws {
        // GPT-OSS: layer_types alternates sliding (128) and full.
        let oss = try Self.load("openai__gpt-oss-120b.json").spec
        #expect(oss.numLayers(mixer: .slidingAttention) == 18 && oss.numLayers(mixer: .fullAttention) == 18)
        #expect(oss.slidingWindow == 128 && oss.attentionSinks)
        // Gemma 2: even layers slide (4096); soft-capping read.
        let g2 = try Self.load("google__gemma-2-9b.json").spec
        #expect(g2.numLayers(mixer: .slidingAttention) == 21 && g2.slidingWindow == 4096)
        #expect(g2.attentionLogitSoftcap == 50 && g2.finalLogitSoftcap == 30 && g2.tieWordEmbeddings)
        // Gemma 3 1B: every 6th of 26 layers is global: layers 5, 11, 17, 23.
        let g3 = try Self.load("google__gemma-3-1b-it.json").spec
        #expect(g3.numLayers(mixer: .fullAttention) == 4 && g3.headDim == 256)
        // Llama 4 Scout: every 4th layer NoPE/global, the rest chunked (8192); all MoE.
        let scout = try Self.load("meta-llama__Llama-4-Scout-17B-16E-Instruct.json").spec
        #expect(scout.numLayers(mixer: .chunkedAttention) == 36 && scout.numLayers(mixer: .fullAttention) == 12)
        #expect(scout.attentionChunkSize == 8192 && scout.numMoELayers == 48)
        // Maverick: interleave_moe_layer_step 2 → 24 MoE and 24 dense (16384 wide) layers.
        let maverick = try Self.load("meta-llama__Llama-4-Maverick-17B-128E-Instruct.json").spec
        #expect(maverick.numMoELayers == 24 && maverick.numDenseLayers == 24 && maverick.intermediateSize == 16384)
        // Nemotron-H 56B: the pattern's characters, counted by hand from the config.
        let nh = try Self.load("nvidia__Nemotron-H-56B-Base-8K.json").spec
        #expect(nh.numLayers(mixer: .mamba2) == 54 && nh.numLayers(mixer: .fullAttention) == 10)
        #expect(nh.numDenseLayers == 54 && nh.positionEncoding == .none)
        // Qwen3-Next: 3 Gated DeltaNet layers to 1 gated attention layer.
        let next = try Self.load("Qwen__Qwen3-Next-80B-A3B-Instruct.json").spec
        #expect(next.numLayers(mixer: .gatedDeltaNet) == 36 && next.numLayers(mixer: .fullAttention) == 12)
        #expect(next.attentionOutputGate)
        // DeepSeek-V3.2: every layer sparse (top 2048 keys); the cache keeps the latent
        // (512 + 64) and the indexer key (128) per token and layer.
        let v32 = try Self.load("deepseek-ai__DeepSeek-V3.2.json").spec
        #expect(v32.numLayers(mixer: .sparseAttention) == 61 && v32.sparseIndexer?.topK == 2048)
        let v32kv = KVCacheLayout(model: v32, tp: 1, precision: .bf16, blockSize: 64)
        let v32Token: Double = 61 * (512 + 64 + 128) * 2
        #expect(v32kv.bytesPerToken == v32Token)
        // BLOOM: ALiBi, embedding LayerNorm, no position table.
        let bloom = try Self.load("bigscience__bloom-7b1.json").spec
        #expect(bloom.positionEncoding == .alibi && bloom.embeddingNorm && bloom.learnedPositionEmbeddings == 0)
    }

    @Test("Nemotron-H pattern counts match the config string")
    func nemotronPattern() throws {
        // Independent count of the pattern characters in the fixture text.
        let text = String(decoding: try TestFixtures.bytes("nvidia__Nemotron-H-56B-Base-8K.json"), as: UTF8.self)
        let start = try #require(text.range(of: "\"hybrid_override_pattern\": \""))
        let rest = text[start.upperBound...]
        let pattern = rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)]
        #expect(pattern.count { $0 == "M" } == 54 && pattern.count { $0 == "*" } == 10 && pattern.count { $0 == "-" } == 54)
    }

    @Test("attention FLOPs of sliding layers use min(s, W) context (hand calculation, Gemma 2 9B)")
    func slidingFlops() throws {
        let m = try Self.load("google__gemma-2-9b.json").spec
        let s = 8192.0, w = 4096.0
        let width: Double = 2 * 16 * 256  // q·k + score·v widths, 16 heads of 256
        // 21 global layers: causal mean context s/2; 21 local: first W tokens see 1…W, the rest W.
        let local: Double = (w * w / 2 + (s - w) * w) / s
        let global: Double = 21 * 2 * width * (s / 2)
        let expected: Double = global + 21 * 2 * width * local
        let flops = ParameterCounter.flopsPerToken(m, sequenceLength: Int(s))
        #expect(abs(flops.attentionForward - expected) <= 1e-9 * expected)
        // Below the window, sliding layers cost as much as full ones.
        let short = ParameterCounter.flopsPerToken(m, sequenceLength: 1024)
        #expect(abs(short.attentionForward - 42 * 2 * width * 512) <= 1e-9 * short.attentionForward)
    }

    @Test("sparse attention reads the top-k keys; its indexer scores the whole prefix (hand calculation, DeepSeek-V3.2)")
    func sparseFlops() throws {
        let m = try Self.load("deepseek-ai__DeepSeek-V3.2.json").spec
        let s = 8192.0, k = 2048.0
        let width: Double = 128 * ((128 + 64) + 128)  // heads · (d_qk + d_v)
        let core: Double = 61 * 2 * width * (k - k * k / (2 * s))
        let indexer: Double = 61 * 2 * (64 * 128) * (s / 2)
        let flops = ParameterCounter.flopsPerToken(m, sequenceLength: Int(s)).attentionForward
        #expect(abs(flops - (core + indexer)) <= 1e-9 * flops)
    }

    @Test("KV cache bytes per token count only full-attention layers; windows and state per sequence")
    func kvCache() throws {
        // GPT-OSS-120B, bf16 cache, TP 1: 18 full layers × 2 (K, V) × 8 heads × 64 × 2 B.
        let oss = try Self.load("openai__gpt-oss-120b.json").spec
        let kv = KVCacheLayout(model: oss, tp: 1, precision: .bf16, blockSize: 16)
        let perLayerToken: Double = 2 * 8 * 64 * 2
        #expect(kv.bytesPerToken == 18 * perLayerToken)
        // A 10,000-token sequence: the 18 sliding layers hold 128 tokens each.
        #expect(kv.extraSequenceBytes(tokens: 10_000) == 18 * perLayerToken * 128)
        // Nemotron-H 56B: 10 attention layers per token; 54 Mamba layers hold a fixed state of
        // conv (k−1)·(inner + 2·g·N) + heads·P·N elements each (vLLM mamba2_state_shape).
        let nh = try Self.load("nvidia__Nemotron-H-56B-Base-8K.json").spec
        let nkv = KVCacheLayout(model: nh, tp: 1, precision: .bf16, blockSize: 16)
        let attentionToken: Double = 2 * 8 * 128 * 2
        #expect(nkv.bytesPerToken == 10 * attentionToken)
        let conv: Double = 3 * (16384 + 2 * 8 * 256)
        let ssm: Double = 256 * 64 * 256
        let state: Double = 54 * (conv + ssm) * 2
        #expect(nkv.extraSequenceBytes(tokens: 1) == state)
        #expect(nkv.extraSequenceBytes(tokens: 100_000) == state)
    }

    @Test("quantization_config is read into the checkpoint precision")
    func quantization() throws {
        #expect(try Self.load("openai__gpt-oss-120b.json").spec.checkpointPrecision == .mxfp4)
        #expect(try Self.load("deepseek-ai__DeepSeek-V3.json").spec.checkpointPrecision == .fp8)
        #expect(try Self.load("nvidia__MiniMax-M2.5-NVFP4.json").spec.checkpointPrecision == .nvfp4)
        #expect(try Self.load("moonshotai__Kimi-K2.5.json").spec.checkpointPrecision == .int4)
        #expect(try Self.load("google__gemma-2-9b.json").spec.checkpointPrecision == nil)
        #expect(CheckpointPrecision.mxfp4.servingPrecision == .fp4)
        let awq = #"{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":100,"quantization_config":{"quant_method":"awq","bits":4,"group_size":128}}"#
        #expect(try ModelLoader.load(json: Array(awq.utf8)).checkpointPrecision == .int4)
        // pdcost's own key wins over quantization_config; a wrong name is an error naming it.
        let named = #"{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":100,"checkpoint_precision":"nvfp4","quantization_config":{"quant_method":"fp8"}}"#
        #expect(try ModelLoader.load(json: Array(named.utf8)).checkpointPrecision == .nvfp4)
        #expect(TestFixtures.loadError(named.replacingOccurrences(of: "nvfp4", with: "fp3"))?.message
                    .contains("checkpoint_precision='fp3'") == true)
        let odd = #"{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":100,"quantization_config":{"quant_method":"bitsandbytes"}}"#
        let r = try ModelLoader.loadWithWarnings(json: Array(odd.utf8))
        #expect(r.spec.checkpointPrecision == nil)
        #expect(r.warnings.contains { $0.contains("quant_method='bitsandbytes'") })
    }

    @Test("unknown keys are warnings; allow-listed keys are not")
    func warnings() throws {
        let json = #"{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":100,"rope_theta":10000,"eos_token_id":2,"torch_dtype":"bfloat16","mystery_sparsity":0.5}"#
        let r = try ModelLoader.loadWithWarnings(json: Array(json.utf8))
        #expect(r.warnings.count == 1)
        #expect(r.warnings.first?.hasPrefix("mystery_sparsity:") == true)
        // Every real fixture of a fully priced family loads without warnings.
        for file in ["google__gemma-2-9b.json", "bigscience__bloom-7b1.json", "EleutherAI__pythia-6.9b.json",
                     "meta-llama__Meta-Llama-3-70B.json", "Qwen__Qwen3-Next-80B-A3B-Instruct.json"] {
            #expect(try Self.load(file).warnings == [], "\(file)")
        }
        // A multimodal wrapper's vision encoder is named, not priced.
        #expect(try Self.load("meta-llama__Llama-4-Scout-17B-16E-Instruct.json").warnings == [])
        #expect(try Self.load("Qwen__Qwen3.5-35B-A3B.json").warnings.contains { $0.hasPrefix("vision_config:") })
        // Mistral's window is read but not priced: said so.
        #expect(try Self.load("mistralai__Mistral-7B-v0.1.json").warnings.contains { $0.hasPrefix("sliding_window=4096") })
    }

    /// A model whose every layer slides (Phi-3) caches no full-attention token, yet each token an
    /// engine admits occupies a slot in all three layers: 2 (K, V) × 3 layers × 2 KV heads × 16
    /// dims × 2 B = 384 B per token, what a token cap (`max_tokens_in_paged_kv_cache`) buys.
    @Test("an all-sliding model's token cap is priced over every attention layer")
    func everyLayerBytes() throws {
        let json = #"{"architectures":["Phi3ForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":3,"vocab_size":100,"sliding_window":8}"#
        let m = try ModelLoader.load(json: Array(json.utf8))
        let kv = KVCacheLayout(model: m, tp: 1, precision: .bf16, blockSize: 16)
        #expect(kv.bytesPerToken == 0)
        #expect(kv.everyLayerBytesPerToken == 384)
        #expect(kv.extraSequenceBytes(tokens: 100) == 384 * 8)   // each layer keeps its last 8 tokens
    }

    /// transformers Qwen2Config: with `use_sliding_window` the layers from `max_window_layers` on
    /// slide; without it the window is dropped. 6 layers, max_window_layers 4 → layers 4 and 5.
    @Test("Qwen2 slides from max_window_layers only when use_sliding_window is true")
    func qwenSlidingWindow() throws {
        let base = #""architectures":["Qwen2ForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":6,"vocab_size":100,"sliding_window":16,"max_window_layers":4"#
        let on = try ModelLoader.loadWithWarnings(json: Array("{\(base),\"use_sliding_window\":true}".utf8))
        #expect(on.spec.layers?.map(\.mixer) == [.fullAttention, .fullAttention, .fullAttention, .fullAttention,
                                               .slidingAttention, .slidingAttention])
        #expect(on.spec.slidingWindow == 16 && on.warnings == [])
        let off = try ModelLoader.load(json: Array("{\(base),\"use_sliding_window\":false}".utf8))
        #expect(off.numLayers(mixer: .slidingAttention) == 0)
    }

    @Test("malformed layouts are errors naming the field")
    func layoutErrors() {
        let base = #""hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":100"#
        let types = "{\"architectures\":[\"Gemma2ForCausalLM\"],\(base),\"sliding_window\":8,\"layer_types\":[\"full_attention\"]}"
        #expect(TestFixtures.loadError(types)?.message.contains("layer_types has 1 entries") == true)
        let kind = "{\"architectures\":[\"Gemma2ForCausalLM\"],\(base),\"sliding_window\":8,\"layer_types\":[\"full_attention\",\"banana\"]}"
        #expect(TestFixtures.loadError(kind)?.message.contains("layer_types[1]='banana'") == true)
        let window = "{\"architectures\":[\"Gemma2ForCausalLM\"],\(base)}"
        #expect(TestFixtures.loadError(window)?.message.contains("'sliding_window'") == true)
        let pattern = "{\"architectures\":[\"NemotronHForCausalLM\"],\(base),\"hybrid_override_pattern\":\"M\"}"
        #expect(TestFixtures.loadError(pattern)?.message.contains("hybrid_override_pattern has 1 characters") == true)
        let blocks = "{\"architectures\":[\"NemotronHForCausalLM\"],\(base),\"layers_block_type\":[\"mamba\"]}"
        #expect(TestFixtures.loadError(blocks)?.message.contains("layers_block_type has 1 entries") == true)
        let kinds = "{\"architectures\":[\"NemotronHForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,\"num_attention_heads\":4,\"vocab_size\":100,\"layers_block_type\":[\"attention\",\"banana\"]}"
        #expect(TestFixtures.loadError(kinds)?.message.contains("layers_block_type[1]='banana'") == true)
        let huge = "{\"architectures\":[\"Gemma2ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,\"num_attention_heads\":4,\"num_hidden_layers\":9223372036854775807,\"vocab_size\":100,\"sliding_window\":8}"
        #expect(TestFixtures.loadError(huge)?.message.contains("num_hidden_layers=") == true)
    }

    @Test("docs/architectures.md is the table these tests check")
    func documentation() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs").appendingPathComponent("architectures.md")
        let expected = try Self.markdown()
        if ProcessInfo.processInfo.environment["PDCOST_WRITE_DOCS"] == "1" {
            try Data(expected.utf8).write(to: path)
        }
        let actual = String(decoding: try Data(contentsOf: path), as: UTF8.self)
        #expect(actual == expected, "docs/architectures.md is stale: rerun with PDCOST_WRITE_DOCS=1")
    }

    static func billions(_ x: Double) -> String {
        let b = x / 1e9
        let digits = b >= 100 ? 1 : (b >= 10 ? 2 : 3)
        var text = String(Int((b * pow10(digits)).rounded()))
        while text.count <= digits { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        return text + " B"
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }

    static func markdown() throws -> String {
        var lines = [
            "# Architectures",
            "",
            "Generated by `ArchitectureLoaderTests.documentation` (run the test with `PDCOST_WRITE_DOCS=1` to",
            "rewrite it; the test fails when this file differs from what the code computes). The rules of each",
            "family live in one table, `Sources/PDCost/Model/ArchitectureTable.swift`.",
            "",
            "## Families the loader reads",
            "",
            "| family | `architectures` | `model_type` |",
            "|---|---|---|",
        ]
        for row in ArchitectureTable.rows {
            let archs = row.architectures.isEmpty ? "—" : row.architectures.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| \(row.family.rawValue) | \(archs) | \(row.modelTypes.map { "`\($0)`" }.joined(separator: ", ")) |")
        }
        lines += [
            "",
            "## Parameter counts: ours against the published figures",
            "",
            "Total counts exclude multi-token-prediction blocks, as published sizes do. Active counts follow each",
            "publisher's convention (column *active counts*). Fixtures: `Tests/PDCostTests/Fixtures/hf_configs/`.",
            "",
            "| config | architecture | ours total | published total | tolerance | ours active | published active | active counts | source |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in cases {
            let m = try load(c.file).spec
            let total = total(m, c)
            let activeOurs = c.active.map { _ in billions(Double(active(m, c.activeConvention))) } ?? "—"
            let activePub = c.active.map { billions($0) + (c.activeTruncatedUnit == nil ? "" : " (truncated)") } ?? "—"
            let tol = (c.totalTolerance == 0 ? "exact" : "±\(c.totalTolerance * 100)% (\(c.why))")
                + (c.totalIsCheckpoint ? "; checkpoint total: with the MTP module and its embedding/head copies" : "")
            lines.append("| `\(c.file)` | \(c.architecture) | \(billions(total)) | \(billions(c.total)) | \(tol) | "
                         + "\(activeOurs) | \(activePub) | \(c.active == nil ? "—" : c.activeConvention.rawValue) | \(c.source) |")
        }
        lines += [
            "",
            "## What each attribute costs",
            "",
            "- Sliding-window layers (Gemma 2/3, GPT-OSS, Phi-3, StarCoder2; Qwen2/3 from `max_window_layers`",
            "  when `use_sliding_window`): attention over min(s, W) tokens; the KV",
            "  cache keeps at most W tokens per sequence. Chunked layers (Llama 4) likewise with the chunk C.",
            "- Mamba-2 (Nemotron-H) and Gated DeltaNet (Qwen3-Next, Qwen3.5) layers: projections as weights, the",
            "  chunked state update as per-token FLOPs, and a fixed state per sequence instead of a KV cache.",
            "- Training prices a model with per-layer kinds as equal blocks whose mixer, attention core and dense FFN",
            "  are scaled to the model's totals (`TrainingLayerScales`).",
            "- `quantization_config` sets `ModelSpec.checkpointPrecision` (fp8, mxfp4, nvfp4, int4); serving",
            "  defaults are unchanged.",
            "- Keys that may change cost but are not priced are listed as warnings on the load result.",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}

@Suite("Architecture loader: pricing")
struct ArchitecturePricingTests {
    static let files = ArchitectureLoaderTests.cases.map(\.file)

    @Test("every new architecture prices a training step and a serving run with finite numbers", arguments: files)
    func pricesFinite(_ file: String) throws {
        let m = try ArchitectureLoaderTests.load(file).spec
        let gpu = try GPUPresets.named("H100-SXM-80GB")
        let tp = m.numAttentionHeads % 8 == 0 ? 8 : (m.numAttentionHeads % 4 == 0 ? 4 : 1)
        let cost = try CostModel(model: m, cluster: Cluster(gpu: gpu, numGPUs: 64),
                                 setup: TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 64))
        let p = cost.evaluate(ParallelPlan(tp: tp, pp: 1, dp: 64 / tp, sequenceParallel: true))
        #expect(p.stepTime.isFinite && p.stepTime > 0, "\(file)")
        let serving = try ServingCostModel(model: m, cluster: Cluster(gpu: gpu, numGPUs: 8),
                                           deployment: ServingDeployment(tp: tp))
        let r = try serving.evaluate(ServingWorkload(inputTokens: 4096, outputTokens: 512, batchSize: 8))
        #expect(r.outputTokensPerSecond.isFinite && r.outputTokensPerSecond > 0, "\(file)")
    }

    @Test("bounded and state layers make long prompts cheaper than full attention would")
    func windowsPriced() throws {
        // Gemma 2 9B at 32k tokens: half its layers are global (mean causal context s/2), half
        // see at most 4096 tokens (mean W − W²/2s): 0.5 + 0.5·(4096 − 256)/16384 of all-global.
        let m = try ArchitectureLoaderTests.load("google__gemma-2-9b.json").spec
        var global = m
        global.layers = nil
        let s = 32_768
        let bounded = ParameterCounter.flopsPerToken(m, sequenceLength: s).attentionForward
        let full = ParameterCounter.flopsPerToken(global, sequenceLength: s).attentionForward
        let ratio = 0.5 + 0.5 * (4096.0 - 4096.0 * 4096.0 / (2 * 32768.0)) / 16384.0
        #expect(abs(bounded / full - ratio) < 1e-12)
        // The training model sees the same ratio through its core scale.
        let scales = TrainingLayerScales(m, sequenceLength: s)
        #expect(abs(scales.attentionCore - bounded / full) < 1e-12)
        #expect(TrainingLayerScales(global, sequenceLength: s).attentionCore == 1)
    }
}

@Suite("Architecture loader: canonical JSON")
struct ArchitectureCanonicalTests {
    @Test("canonical JSON of every new architecture reads back to an equal spec",
          arguments: ArchitectureLoaderTests.cases.map(\.file))
    func roundTrip(_ file: String) throws {
        let m = try ArchitectureLoaderTests.load(file).spec
        let text = try ModelLoader.canonicalConfig(for: m).encoded()
        let back = try ModelLoader.load(json: Array(text.utf8))
        #expect(back == m, "\(file)")
    }
}

@Suite("Architecture loader: hostile values")
struct ArchitectureHostileTests {
    static let base = #""hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":4,"vocab_size":100"#

    /// Extreme values of the new keys: each load either fails with an error naming a field or
    /// gives a spec whose counts, FLOPs and KV bytes are finite; nothing traps.
    @Test("extreme values of the new keys are errors or finite numbers, never traps", arguments: [
        #"{"architectures":["Gemma2ForCausalLM"],BASE,"sliding_window":9223372036854775807}"#,
        #"{"architectures":["Gemma2ForCausalLM"],BASE,"sliding_window":-5}"#,
        #"{"architectures":["Llama4ForCausalLM"],BASE,"num_local_experts":4,"attention_chunk_size":-1}"#,
        #"{"architectures":["Llama4ForCausalLM"],BASE,"num_local_experts":4,"interleave_moe_layer_step":0}"#,
        #"{"architectures":["NemotronHForCausalLM"],BASE,"hybrid_override_pattern":"M*-M","mamba_num_heads":9223372036854775807,"mamba_head_dim":64,"ssm_state_size":16}"#,
        #"{"architectures":["NemotronHForCausalLM"],BASE,"hybrid_override_pattern":"M*-M","mamba_num_heads":1048576,"mamba_head_dim":1048576,"ssm_state_size":1048576,"n_groups":1048576}"#,
        #"{"architectures":["Qwen3NextForCausalLM"],BASE,"num_experts":4,"moe_intermediate_size":8,"linear_num_key_heads":0,"linear_num_value_heads":2,"linear_key_head_dim":8,"linear_value_head_dim":8}"#,
        #"{"architectures":["Qwen3NextForCausalLM"],BASE,"num_experts":4,"moe_intermediate_size":8,"full_attention_interval":0}"#,
        #"{"architectures":["LlamaForCausalLM"],BASE,"layer_types":["mamba2","none","full_attention","full_attention"],"layer_ffn_types":["none","dense","dense","moe"]}"#,
        #"{"architectures":["GptOssForCausalLM"],BASE,"num_local_experts":4,"sliding_window":4,"layer_types":["sliding_attention","full_attention","sliding_attention","full_attention"],"time_step_limit":[0.0,Infinity,-Infinity]}"#,
    ])
    func hostile(_ template: String) {
        let json = template.replacingOccurrences(of: "BASE", with: Self.base)
        do {
            let m = try ModelLoader.load(json: Array(json.utf8))
            let b = ParameterCounter.breakdown(m)
            #expect(b.total > 0)
            #expect(ParameterCounter.flopsPerToken(m, sequenceLength: 1 << 31).forward.isFinite)
            let kv = KVCacheLayout(model: m, tp: 1, precision: .bf16, blockSize: 16)
            #expect(kv.extraSequenceBytes(tokens: 1e9).isFinite)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }
}
