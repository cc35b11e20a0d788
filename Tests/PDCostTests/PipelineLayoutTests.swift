import Testing
@testable import PDCost

/// The pipeline splits a measured run implies when pp does not divide the layers.
@Suite("Pipeline layouts of measured runs")
struct PipelineLayoutTests {
    /// Megatron-Bridge v0.4.2 recipes/kimi/kimi_k2.py `_get_kimi_k2_pipeline_layout`, by hand:
    /// (4, 1): [emb + 16], [16], [16], [13 + loss] → last rank 13;
    /// (4, 4): [emb + 4], 14 × [4], [1 + loss] over 16 chunks, rank 3 holds chunks 3, 7, 11, 15:
    /// 4 + 4 + 4 + 1 = 13; (8, 1): [emb + 8], 6 × [8], [5 + loss] → 5; (2, 8): rank 1 holds the
    /// odd chunks: 7 · 4 + 1 = 29.
    @Test func kimiK2() {
        for (pp, vpp, last) in [(4, 1, 13), (4, 4, 13), (8, 1, 5), (2, 8, 29), (16, 1, 1)] {
            let split = MeasuredRun.unevenSplit(layers: 61, stages: pp, virtualStages: vpp)
            #expect(split?.first == nil && split?.last == last, "pp \(pp) vpp \(vpp): \(String(describing: split))")
        }
        // A recipe layout of Megatron-Bridge only: torchtitan has no split for 61 on 16.
        #expect(MeasuredRun.unevenSplit(layers: 61, stages: 16, megatronLayouts: false) == nil)
    }

    /// The splits that were there before keep their values: Llama-3.1-405B's 126 layers on 16
    /// stages weigh embedding and loss as one layer each (7 … 7, Llama 3 §3.3.2); DeepSeek-V3's
    /// 61 layers with one MTP block on 16 stages end with 1 layer, the MTP block and the loss.
    @Test func earlierRulesUnchanged() {
        let llama = MeasuredRun.unevenSplit(layers: 126, stages: 16)
        #expect(llama?.first == 7 && llama?.last == 7)
        let deepseek = MeasuredRun.unevenSplit(layers: 61, mtp: 1, stages: 16)
        #expect(deepseek?.first == nil && deepseek?.last == 1)
        #expect(MeasuredRun.unevenSplit(layers: 64, stages: 8) == nil)
    }
}
