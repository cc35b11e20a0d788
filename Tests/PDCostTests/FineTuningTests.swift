import FoundationEssentials
import Testing
import PDCost

/// LoRA and QLoRA against hand calculations: a frozen base keeps its weights only; adapters
/// keep the full mixed-precision state; the backward runs no weight-gradient GEMMs.
@Suite("Fine-tuning: LoRA, QLoRA, SFT")
struct FineTuningTests {
    static let h100 = Cluster(gpu: try! GPUPresets.named("H100-SXM-80GB"), numGPUs: 1)

    static func predict(_ method: FineTuning.Method, rank: Int = 16, targets: FineTuning.Targets = .all,
                        model: String = "llama3-8b", cluster: Cluster = h100,
                        plan: ParallelPlan = ParallelPlan(), seq: Int = 4096, batch: Int = 1) throws -> Prediction {
        let setup = TrainingSetup(seqLen: seq, microBatchSize: 1, globalBatchSize: batch,
                                  fineTuning: FineTuning(method: method, loraRank: rank, loraTargets: targets))
        let cost = try CostModel(model: try ModelPresets.named(model), cluster: cluster, setup: setup)
        return cost.evaluate(plan)
    }

    /// Llama-3-8B (h 4096, 32 heads of 128, 8 KV heads, FFN 14,336, 32 layers), rank 16 on all
    /// four linears: per layer 16 · [(4096 + 6144) + (4096 + 4096) + (4096 + 2 · 14,336) +
    /// (14,336 + 4096)] = 16 · 69,632 = 1,114,112 adapter parameters, 35,651,584 in all.
    static let adapters8B = 32.0 * 16 * (10_240 + 8_192 + 32_768 + 18_432)
    /// 8,030,261,248 parameters (Meta's Llama-3-8B config; ParameterCountTests).
    static let base8B = 8_030_261_248.0

    @Test("LoRA memory: 16-bit frozen base, fp32 gradients and 12 B of Adam state for the adapters only")
    func loraMemory() throws {
        #expect(Self.adapters8B == 35_651_584)
        let p = try Self.predict(.lora)
        #expect(abs(p.memory.parameters - 2 * (Self.base8B + Self.adapters8B)) < 1)
        // Megatron keeps fp32 main grads (4 B) and fp32 master + two moments (12 B).
        #expect(abs(p.memory.gradients - 4 * Self.adapters8B) < 1)
        #expect(abs(p.memory.optimizer - 12 * Self.adapters8B) < 1)
        // Full training of the same job: 2 + 4 + 12 B per parameter (Rajbhandari et al. 2020).
        let full = try Self.predict(.sft)
        #expect(abs(full.memory.gradients - 4 * Self.base8B) < 1)
        #expect(abs(full.memory.optimizer - 12 * Self.base8B) < 1)
    }

    /// QLoRA: the decoder layers' linear weights in NF4 at 4 + 8/64 + 32/(64·256) = 4.127 bits
    /// (Dettmers et al. 2023 §3); the embedding and the untied output layer (2 · 128,256 ·
    /// 4096) stay 16-bit. The layers' norms (65 · 4096 weights) are counted with the layers:
    /// 0.4 MB of 4.6 GB, inside the tolerance.
    @Test("QLoRA memory: NF4 layers at 4.127 bits, 16-bit vocabulary")
    func qloraMemory() throws {
        let bits = 4.0 + 8.0 / 64 + 32.0 / (64 * 256)
        #expect(abs(FineTuning.nf4BitsPerWeight - bits) < 1e-12)
        let vocabulary = 2.0 * 128_256 * 4096
        let expected = (Self.base8B - vocabulary) * bits / 8 + 2 * vocabulary + 2 * Self.adapters8B
        let p = try Self.predict(.qlora)
        #expect(abs(p.memory.parameters - expected) / expected < 1e-3)
        #expect(abs(p.memory.gradients - 4 * Self.adapters8B) < 1)
    }

    /// Only linear_qkv: 32 · 16 · (4096 + 6144) = 5,242,880 adapter parameters.
    @Test("adapter targets decide the adapter count")
    func targets() throws {
        let p = try Self.predict(.lora, targets: .qkv)
        #expect(abs(p.memory.optimizer - 12 * 5_242_880) < 1)
        #expect(try FineTuning.Targets.parse(["q_proj", "v_proj", "down_proj"], field: "t") == [.qkv, .mlpOut])
        #expect(throws: PDCostError.self) { try FineTuning.Targets.parse(["lm_head"], field: "t") }
    }

    /// The frozen base's backward computes input gradients only: the GEMMs cost 2× their
    /// forward instead of 3×, so a GEMM-bound layer runs near 2/3 of the full fine-tuning time
    /// (NVIDIA dgxc-benchmarking: LoRA ≈ 2/3 of SFT compute). Attention and element-wise work
    /// keep their full backward, so the ratio sits a little above 2/3 at 4,096 tokens.
    @Test("LoRA compute: no weight-gradient GEMMs, about 2/3 of SFT's")
    func loraCompute() throws {
        let node = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let plan = ParallelPlan(tp: 2, pp: 4, vpp: 1, dp: 1, sequenceParallel: true)
        let lora = try Self.predict(.lora, targets: .qkv, model: "llama3-70b", cluster: node, plan: plan, batch: 8)
        let sft = try Self.predict(.sft, model: "llama3-70b", cluster: node, plan: plan, batch: 8)
        let ratio = lora.computeTime / sft.computeTime
        #expect(ratio > 2.0 / 3 && ratio < 0.78, "LoRA/SFT compute \(ratio)")
        // The data-parallel reduction carries adapter gradients only.
        let dpNode = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let dp = try Self.predict(.lora, cluster: dpNode, plan: ParallelPlan(tp: 1, pp: 1, vpp: 1, dp: 8, zeroStage: 0), batch: 8)
        let dpFull = try Self.predict(.sft, cluster: dpNode, plan: ParallelPlan(tp: 1, pp: 1, vpp: 1, dp: 8, zeroStage: 0), batch: 8)
        #expect(dp.dataParallelComm.total < dpFull.dataParallelComm.total / 50)
    }

    /// QLoRA dequantises every NF4 weight before each forward and input-gradient GEMM: it
    /// reads 4.127 bits and writes 2 B per weight twice a micro-batch, on top of LoRA's time.
    @Test("QLoRA pays for dequantising the base")
    func qloraCompute() throws {
        let lora = try Self.predict(.lora)
        let qlora = try Self.predict(.qlora)
        #expect(qlora.computeTime > lora.computeTime)
        // At most the dequantisation traffic at 60 % of the HBM rate, 2 passes over 8.03 B
        // weights of (4.127/8 + 2) B, and at least at the full 3.35 TB/s.
        let bytes = 2 * (Self.base8B - 2 * 128_256 * 4096) * (FineTuning.nf4BitsPerWeight / 8 + 2)
        let extra = qlora.computeTime - lora.computeTime
        #expect(extra >= bytes / 3.35e12 * 0.99 && extra <= bytes / (0.6 * 3.35e12), "\(extra)")
    }

    /// Packed SFT: a token attends to its document's prefix only, so the attention FLOPs per
    /// token are those of a d-token sequence: Llama-3-8B has 32 layers · 2 · d · (4096 + 4096)
    /// · 0.5 = 262,144 · d causal attention FLOPs per token, forward; the MFU numerator is 3 ×
    /// (2 · 7,504,924,672 matmul parameters + that).
    @Test("sequence packing: attention over the document, not the sequence")
    func packing() throws {
        let gpu = try GPUPresets.named("H100-SXM-80GB")
        func run(_ document: Int?) throws -> Prediction {
            let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1,
                                      fineTuning: FineTuning(method: .sft), packedDocumentTokens: document)
            return try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: Self.h100, setup: setup)
                .evaluate(ParallelPlan())
        }
        let packed = try run(512)
        let unpacked = try run(nil)
        #expect(packed.computeTime < unpacked.computeTime)
        let matmul = 8_030_261_248.0 - 128_256 * 4096 - 65 * 4096
        for (p, d) in [(packed, 512.0), (unpacked, 4096.0)] {
            let perToken = p.mfu * gpu.bf16Flops / p.tokensPerSecond
            let expected = 3 * (2 * matmul + 262_144 * d)
            #expect(abs(perToken - expected) / expected < 1e-9, "d=\(d): \(perToken) vs \(expected)")
        }
        // A document longer than the sequence is the sequence.
        #expect(try run(8192).stepTime == unpacked.stepTime)
    }

    /// Megatron-Bridge's SFT/PEFT recipes pack SQuAD unless told otherwise; NeMo 2.0's pack only
    /// in performance mode. SQuAD's train split: 79,346,108 B over 87,599 examples (Hugging Face
    /// card) ≈ 906 B, at ~4 characters per token ≈ 215–225 tokens per example.
    @Test("megatron-bridge fine-tuning packs SQuAD by default; nemo and pre-training do not")
    func recipePacking() throws {
        let gpu = try GPUPresets.named("H100-SXM-80GB")
        let matmul = 8_030_261_248.0 - 128_256 * 4096 - 65 * 4096
        func predict(_ fw: FrameworkProfile, _ method: FineTuning.Method, stated: Int? = nil) throws -> Prediction {
            let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 1, framework: fw,
                                      fineTuning: FineTuning(method: method), packedDocumentTokens: stated)
            return try CostModel(model: try ModelPresets.named("llama3-8b"), cluster: Self.h100, setup: setup)
                .evaluate(ParallelPlan())
        }
        // Full fine-tuning counts 3 × (2 · matmul parameters + 262,144 · d) FLOPs per token.
        func documentTokens(_ fw: FrameworkProfile, _ method: FineTuning.Method, stated: Int? = nil) throws -> Double {
            let p = try predict(fw, method, stated: stated)
            return (p.mfu * gpu.bf16Flops / p.tokensPerSecond / 3 - 2 * matmul) / 262_144
        }
        let d = try documentTokens(.megatronBridge, .sft)
        #expect(d >= 215 && d <= 225, "\(d)")
        #expect(abs(try documentTokens(.megatronBridge, .sft, stated: 4096) - 4096) < 1e-6)
        #expect(abs(try documentTokens(.nemo, .sft) - 4096) < 1e-6)
        // LoRA takes the same default: priced as the stated SQuAD length, not the sequence.
        let lora = try predict(.megatronBridge, .lora).stepTime
        #expect(lora == (try predict(.megatronBridge, .lora, stated: Int(d.rounded()))).stepTime)
        #expect(lora < (try predict(.megatronBridge, .lora, stated: 4096)).stepTime)
        #expect(abs(try documentTokens(.megatronBridge, .pretrain) - 4096) < 1e-6)
    }

    @Test("the rank is checked against the limits table")
    func rankLimits() throws {
        #expect(throws: PDCostError.self) { _ = try Self.predict(.lora, rank: 0) }
        #expect(throws: PDCostError.self) { _ = try Self.predict(.lora, rank: 1 << 17) }
        // Pre-training ignores the adapter fields.
        _ = try Self.predict(.pretrain, rank: 0)
    }
}
