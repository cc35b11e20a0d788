import Testing
import PDCost

/// FLOPs per token against hand calculations (Kaplan et al. 2020 §2.1; Narayanan et al. 2021
/// eq. 3): a matmul with an m×n weight is 2·m·n FLOPs per token forward, training is 3×
/// forward, and the attention core (QKᵀ and scores·V) is 2·s·(n_heads·d_qk + n_heads·d_v) per
/// token and layer forward for a full mask, half of it for a causal one.
@Suite("FLOPs per token")
struct FLOPsTests {
    /// Every number in these tests is an integer below 2^53, so Double arithmetic is exact; the
    /// tolerance only guards against a different summation order.
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

    @Test("GPT-3 175B at s=2048: 6·N + 12·L·s·h (full mask), by hand")
    func gpt3FullMask() throws {
        let spec = try ModelPresets.named("gpt3-175b")
        // L = 96, h = 12288, V = 50257, s = 2048, MLP 4h, no biases in N.
        // Per layer: qkv 3h² + proj h² + fc 4h² + proj 4h² = 12h² = 12 · 150,994,944
        //   = 1,811,939,328; 96 layers = 173,946,175,488
        // LM head (tied, but still a matmul): V·h = 50257 · 12288 = 617,558,016
        // N_matmul = 174,563,733,504
        let n = 174_563_733_504
        #expect(12 * 96 * 12288 * 12288 + 50257 * 12288 == n)
        // Training matmuls 6N = 1,047,382,401,024
        // Attention (full): 12·L·s·h = 12 · 96 · 2048 · 12288 = 28,991,029,248
        // Training = 1,076,373,430,272; forward = 2N + 4·L·s·h = 358,791,143,424
        let f = ParameterCounter.flopsPerToken(spec, sequenceLength: 2048, mask: .full)
        #expect(f.matmulParameters == n)
        #expect(close(f.training, 1_076_373_430_272))
        #expect(close(f.forward, 358_791_143_424))
        #expect(close(f.attentionForward, 9_663_676_416))  // 4·L·s·h
        #expect(f.sequenceLength == 2048 && f.mask == .full)
    }

    @Test("GPT-3 175B causal: half the attention term")
    func gpt3Causal() throws {
        let spec = try ModelPresets.named("gpt3-175b")
        let causal = ParameterCounter.flopsPerToken(spec, sequenceLength: 2048, mask: .causal)
        // 6N + 6·L·s·h = 1,047,382,401,024 + 14,495,514,624 = 1,061,877,915,648
        #expect(close(causal.training, 1_061_877_915_648))
        let full = ParameterCounter.flopsPerToken(spec, sequenceLength: 2048, mask: .full)
        #expect(close(2 * causal.attentionForward, full.attentionForward))
        #expect(causal.matmulForward == full.matmulForward)
        // The default is causal.
        #expect(ParameterCounter.flopsPerToken(spec, sequenceLength: 2048) == causal)
    }

    @Test("Mixtral 8x7B: active matmul parameters by hand (top-2 of 8 experts)")
    func mixtralActiveMatmul() throws {
        let spec = try ModelPresets.named("mixtral-8x7b")
        // h = 4096, 32 heads of 128, 8 KV heads, expert FFN 14336, V = 32000, L = 32.
        // Attention per layer: q 4096·4096 = 16,777,216; k, v 4096·1024 = 4,194,304 each;
        //   o 16,777,216 → 41,943,040
        // Experts per token: 2 · 3 · 4096 · 14336 = 352,321,536
        // Router: 4096 · 8 = 32,768
        // Layer: 394,297,344; 32 layers: 12,617,515,008
        // LM head: 32000 · 4096 = 131,072,000
        // N_active_matmul = 12,748,587,008
        let n = 12_748_587_008
        #expect(32 * (41_943_040 + 352_321_536 + 32_768) + 131_072_000 == n)
        let f = ParameterCounter.flopsPerToken(spec, sequenceLength: 4096, mask: .causal)
        #expect(f.matmulParameters == n)
        // Attention core, causal: L · 2 · s · (32·128 + 32·128) / 2 = 32 · 4096 · 8192
        //   = 1,073,741,824 forward
        #expect(close(f.attentionForward, 1_073_741_824))
        #expect(close(f.training, 3 * (2 * Double(n) + 1_073_741_824)))
        // The 12.9B "active" of Mixtral's announcement is N plus the embedding lookup
        // (131,072,000) and the norms (32·2·4096 + 4096 = 266,240).
        #expect(ParameterCounter.active(spec) == n + 131_072_000 + 266_240)
    }

    @Test("DeepSeek-V3: MLA widths in the attention core, active matmuls by hand")
    func deepseekV3() throws {
        let spec = try ModelPresets.named("deepseek-v3")
        // Matmul weights of one MLA block (no norms): 1536·7168 + 128·192·1536 + 576·7168
        //   + 128·256·512 + 7168·16384 = 187,105,280
        // Dense FFN (3 layers): 3·7168·18432 = 396,361,728
        // MoE layer (58): (8 routed + 1 shared) · 3·7168·2048 + router 7168·256 = 398,196,736
        // LM head: 129280 · 7168 = 926,679,040
        let n = 61 * 187_105_280 + 3 * 396_361_728 + 58 * 398_196_736 + 926_679_040
        #expect(n == 36_624_596_992)
        let f = ParameterCounter.flopsPerToken(spec, sequenceLength: 4096, mask: .full)
        #expect(f.matmulParameters == n)
        // Attention core: q·k over 128 heads of (128 + 64), scores·v over 128 heads of 128:
        //   61 · 2 · 4096 · (24576 + 16384) = 20,468,203,520 forward (full mask)
        #expect(close(f.attentionForward, 20_468_203_520))
    }

    @Test("tiny Llama: 2·N forward, the LM head counted even when tied")
    func tinyModel() throws {
        // From ParameterCountTests.tinyLlama: per layer 12,288 attention + 24,576 MLP weights;
        // 2 layers = 73,728; LM head 100·64 = 6,400 → N = 80,128.
        // Attention core at s = 10, full: 2 layers · 2 · 10 · (64 + 64) = 5,120 forward.
        for tied in [false, true] {
            let spec = try ModelLoader.load(json: Array(ParameterCountTests.tinyLlama(tied: tied).utf8))
            let f = ParameterCounter.flopsPerToken(spec, sequenceLength: 10, mask: .full)
            #expect(f.matmulParameters == 80_128)
            #expect(close(f.matmulForward, 160_256))
            #expect(close(f.attentionForward, 5_120))
            #expect(close(f.forward, 165_376))
            #expect(close(f.training, 496_128))
        }
    }

    @Test("training is 3× forward; attention grows linearly in s", arguments: ["llama3-8b", "qwen3-30b-a3b", "deepseek-v3"])
    func structure(_ name: String) throws {
        let spec = try ModelPresets.named(name)
        let short = ParameterCounter.flopsPerToken(spec, sequenceLength: 1024, mask: .full)
        let long = ParameterCounter.flopsPerToken(spec, sequenceLength: 4096, mask: .full)
        #expect(close(short.training, 3 * short.forward))
        #expect(close(long.attentionForward, 4 * short.attentionForward))
        #expect(short.matmulForward == long.matmulForward)
        #expect(close(short.matmulForward, 2 * Double(short.matmulParameters)))
    }
}
