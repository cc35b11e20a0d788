import Testing
@testable import PDCost

/// Fused attention exponentiates every score once forward and once backward; on Blackwell the
/// special-function units issue 5 TeraExponentials/s against 2.25 PFLOPS of BF16 (Blackwell
/// Ultra 10.7), so narrow heads and FP8 attention can be bound by the exponentials rather than
/// the matrix products (Verda, GB300 NVL72 per-GPU table; NVIDIA Technical Blog, "Making Softmax
/// More Efficient with NVIDIA Blackwell Ultra").
@Suite("Attention exponentials")
struct AttentionExponentialTests {
    func rates(_ gpu: String, _ dtype: Precision = .bf16) throws -> Rates {
        Rates(cluster: Cluster(gpu: try GPUPresets.named(gpu), numGPUs: 8),
              setup: TrainingSetup(seqLen: 8192, globalBatchSize: 8, dtype: dtype))
    }

    /// Forward FLOPs and scores of one causal head-group pass: heads · s² / 2 scores, 2·(d_qk +
    /// d_v) FLOPs each.
    func shape(heads: Double, seq: Double, dqk: Double, dv: Double) -> (flops: Double, scores: Double) {
        let scores = heads * seq * seq / 2
        return (scores * 2 * (dqk + dv), scores)
    }

    /// 128-wide 16-bit heads stay bound by the matrix products on B200 and on H100 (their fitted
    /// forward shares, 0.62 of the tensor rate, are measured there): 512 FLOPs per score at 2.25
    /// PFLOPS · 0.62 is 2.7 G scores/s per PFLOPS-second against 5 T/2.25 P · 0.75 exponentials.
    @Test func sixteenBitWideHeadsAreMatrixBound() throws {
        let a = shape(heads: 64, seq: 8192, dqk: 128, dv: 128)
        for gpu in ["B200", "H100-SXM-80GB", "B300"] {
            let r = try rates(gpu)
            let with = r.flashAttention(forwardFlops: a.flops, scores: a.scores, localSeq: 8192, headDim: 128)
            let without = r.flashAttention(forwardFlops: a.flops, scores: 0, localSeq: 8192, headDim: 128)
            #expect(with.forward == without.forward, "\(gpu)")
            #expect(with.backward == without.backward, "\(gpu)")
        }
    }

    /// DeepSeek-V3's attention (d_qk 192, d_v 128) in FP8: NVIDIA measured the forward ~35 %
    /// faster on GB300 than on GB200, GB200 being bound by its exponentials. pdcost: between 25
    /// and 45 %.
    @Test func fp8MLAForwardGainOfBlackwellUltra() throws {
        let a = shape(heads: 128, seq: 4096, dqk: 192, dv: 128)
        let gb200 = try rates("GB200", .fp8).flashAttention(forwardFlops: a.flops, scores: a.scores,
                                                            localSeq: 4096, headDim: 192, fp8: true)
        let gb300 = try rates("GB300", .fp8).flashAttention(forwardFlops: a.flops, scores: a.scores,
                                                            localSeq: 4096, headDim: 192, fp8: true)
        let gain = gb200.forward / gb300.forward
        #expect((1.25...1.45).contains(gain), "\(gain)")
        // On GB200 the exponentials set the time: scores / (2.5 PF · 0.815 / 450 · 0.75 · saturation).
        let e = EfficiencyProfile.defaults(for: .blackwell)
        let saturation = 4096.0 / (4096 + e.attentionHalfSequence)
        let bound = a.scores / (2.5e15 * 0.815 / 450 * 0.75 * saturation)
        #expect(abs(gb200.forward / bound - 1) < 1e-9)
    }

    /// GPT-OSS's 64-wide heads in BF16 on B200: 256 FLOPs per score, so the exponentials bind
    /// (by ~1.2×) where a 128-wide head is bound by its products; on B300, with twice the
    /// exponential rate, the products bind again.
    @Test func narrowHeadsOnBlackwell() throws {
        let a = shape(heads: 64, seq: 4096, dqk: 64, dv: 64)
        let b200 = try rates("B200")
        let bound = b200.flashAttention(forwardFlops: a.flops, scores: a.scores, localSeq: 4096, headDim: 64)
        let products = b200.flashAttention(forwardFlops: a.flops, scores: 0, localSeq: 4096, headDim: 64)
        #expect(bound.forward > 1.1 * products.forward)
        #expect(bound.backward == products.backward)  // 2.5× the products: still matrix-bound
        let b300 = try rates("B300")
        let ultra = b300.flashAttention(forwardFlops: a.flops, scores: a.scores, localSeq: 4096, headDim: 64)
        let ultraProducts = b300.flashAttention(forwardFlops: a.flops, scores: 0, localSeq: 4096, headDim: 64)
        #expect(ultra.forward == ultraProducts.forward)
    }
}
