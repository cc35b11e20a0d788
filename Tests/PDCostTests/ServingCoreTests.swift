import Testing
import PDCost

/// The serving core against hand calculations: KV bytes per token (MHA, GQA, MLA; TP split and
/// replication), weights per GPU, decode step at batch 1 = bytes read / bandwidth, prefill
/// FLOPs, maximum concurrency from free memory and block size, MoE expert occupancy.
@Suite("Serving core")
struct ServingCoreTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-12) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    func h100(_ gpus: Int = 8) throws(PDCostError) -> Cluster {
        Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
    }

    func model(_ name: String, tp: Int = 1, kv: KVCachePrecision = .bf16,
               weights: WeightPrecision = .bf16, maxBatchedTokens: Int = 8192) throws(PDCostError) -> ServingCostModel {
        let d = ServingDeployment(tp: tp, weightPrecision: weights, kvCachePrecision: kv,
                                  maxBatchedTokens: maxBatchedTokens)
        return try ServingCostModel(model: try ModelPresets.named(name), cluster: try h100(), deployment: d)
    }

    // MARK: KV cache

    @Test("KV bytes per token: Llama-3-8B GQA, Llama-2-7B MHA, DeepSeek-V3 MLA")
    func kvBytesPerToken() throws {
        // Llama-3-8B: 32 layers × 8 KV heads × 128 × 2 (K,V) × 2 B = 131,072 B.
        #expect(try model("llama3-8b").kvCache.bytesPerToken == 131_072)
        // Llama-2-7B (MHA, 32 KV heads): 32 × 32 × 128 × 2 × 2 = 524,288 B.
        #expect(try model("llama2-7b").kvCache.bytesPerToken == 524_288)
        // DeepSeek-V3 (MLA): 61 layers × (kv_lora_rank 512 + rope 64) × 2 B = 70,272 B.
        let v3 = try ServingCostModel(model: try ModelPresets.named("deepseek-v3"), cluster: try h100(),
                                      deployment: ServingDeployment(tp: 8, weightPrecision: .fp8))
        #expect(v3.kvCache.bytesPerToken == 70_272)
        // FP8 KV halves Llama-3-8B: 65,536 B.
        #expect(try model("llama3-8b", kv: .fp8).kvCache.bytesPerToken == 65_536)
    }

    @Test("KV heads split over TP, replicated past the head count; MLA not split")
    func kvTensorParallel() throws {
        let l3 = try ModelPresets.named("llama3-8b")
        // TP 2: 4 KV heads per rank → 32 × 4 × 128 × 2 × 2 = 65,536 B.
        #expect(KVCacheLayout(model: l3, tp: 2, precision: .bf16, blockSize: 16).bytesPerToken == 65_536)
        // TP 8: 1 head per rank → 16,384 B.
        #expect(KVCacheLayout(model: l3, tp: 8, precision: .bf16, blockSize: 16).bytesPerToken == 16_384)
        // TP 16 > 8 KV heads: vLLM keeps max(1, 8 // 16) = 1 head per rank (replicated): 16,384 B.
        let rep = KVCacheLayout(model: l3, tp: 16, precision: .bf16, blockSize: 16)
        #expect(rep.kvHeadsPerRank == 1 && rep.bytesPerToken == 16_384)
        // DeepSeek-V3 at TP 8: the latent is whole on every rank, still 70,272 B.
        let v3 = try ModelPresets.named("deepseek-v3")
        #expect(KVCacheLayout(model: v3, tp: 8, precision: .bf16, blockSize: 64).bytesPerToken == 70_272)
    }

    @Test("Paged blocks: ceil(tokens / block) and sequences from free memory")
    func pagedBlocks() throws {
        let l3 = try ModelPresets.named("llama3-8b")
        let kv = KVCacheLayout(model: l3, tp: 1, precision: .bf16, blockSize: 16)
        // Block bytes: 16 × 131,072 = 2,097,152 (2 MiB).
        #expect(kv.blockBytes == 2_097_152)
        // 2,000 tokens → 125 blocks; 2,001 → 126.
        #expect(kv.blocks(forTokens: 2000) == 125 && kv.blocks(forTokens: 2001) == 126)
        // 10 GiB free = 10,737,418,240 B; per sequence 125 × 2 MiB = 262,144,000 B;
        // 10,737,418,240 / 262,144,000 = 40.96 → 40 sequences.
        #expect(kv.maxSequences(freeBytes: 10_737_418_240, tokensPerSequence: 2000) == 40)
        #expect(kv.maxSequences(freeBytes: -1, tokensPerSequence: 2000) == 0)
    }

    @Test("Max concurrency of Llama-3-8B bf16 on one H100, by hand")
    func maxConcurrency() throws {
        let m = try model("llama3-8b", maxBatchedTokens: 2048)
        // Budget: 80 GiB × 0.9 = 85,899,345,920 × 0.9 = 77,309,411,328 B.
        // Weights: 8,030,261,248 params × 2 B = 16,060,522,496 B.
        // Activations (2,048 tokens): 2 B × (4 × 4096 + 3 × 14336) = 118,784 B per token
        //   → 243,269,632; logits 256 × 128,256 × 4 B = 131,334,144; total 374,603,776 B.
        // Graph pool 0.5 GiB + runtime 0.5 GiB = 1,073,741,824 B.
        // Free: 77,309,411,328 − 16,060,522,496 − 374,603,776 − 1,073,741,824 = 59,800,543,232 B.
        // Sequence of 1000 + 1000 tokens: 125 blocks × 2,097,152 = 262,144,000 B;
        // 59,800,543,232 / 262,144,000 = 228.12 → 228.
        let p = try m.evaluate(ServingWorkload(inputTokens: 1000, outputTokens: 1000, batchSize: 1))
        #expect(p.weightsBytesPerGPU == 16_060_522_496)
        #expect(p.activationBytesPerGPU == 374_603_776)
        #expect(close(p.kvCacheBytesPerGPU, 59_800_543_232))
        #expect(p.maxConcurrency == 228)
        #expect(p.fitsInMemory)
        let over = try m.evaluate(ServingWorkload(inputTokens: 1000, outputTokens: 1000, batchSize: 229))
        #expect(!over.fitsInMemory)
    }

    // MARK: Weights

    @Test("Weights per GPU split over TP, norms replicated")
    func weightsPerGPU() throws {
        // TP 1: 8,030,261,248 × 2 B = 16,060,522,496.
        #expect(try model("llama3-8b").weights.bytesPerGPU == 16_060_522_496)
        // TP 2: norms (32 × 8192 + 4096 = 266,240) on both ranks, the rest halved:
        // (8,030,261,248 − 266,240) / 2 + 266,240 = 4,015,263,744 params → 8,030,527,488 B.
        #expect(try model("llama3-8b", tp: 2).weights.bytesPerGPU == 8_030_527_488)
    }

    // MARK: Time

    @Test("Decode step at batch 1 = bytes read / (HBM bandwidth × efficiency)")
    func decodeBatchOne() throws {
        let p = try model("llama3-8b").evaluate(ServingWorkload(inputTokens: 128, outputTokens: 128))
        // Read per step: weights 16,060,522,496 B less the embedding table (a lookup reads one
        // row: 128,256 × 4096 × 2 B = 1,050,673,152 B) = 15,009,849,344 B; plus the KV of the
        // average context 128 + 128/2 = 192 tokens: 192 × 131,072 = 25,165,824 B.
        // Total 15,035,015,168 B at 3.35 TB/s × 0.80 (hbmFraction) = 2.68e12 B/s:
        // 5.61008 ms. Compute (2 × 7.5e9 FLOPs at ~790 TFLOP/s, ~19 µs) does not bind; TP 1 has
        // no all-reduce.
        #expect(p.decodeBytesPerStep == 15_035_015_168)
        #expect(close(p.tpotSeconds, 15_035_015_168 / 2.68e12, 1e-9))
        #expect(p.decodeCommunicationSeconds == 0)
    }

    @Test("Prefill FLOPs: 2 × active matmul params × tokens + causal attention")
    func prefillFlops() throws {
        // Llama-3-8B matmul params: 32 × (attention 41,943,040 + MLP 176,160,768) + LM head
        // 525,336,576 = 7,504,658,432. Batch 2 × 128 tokens:
        // matmul 2 × 7,504,658,432 × 128 = 1,921,192,558,592 per sequence;
        // causal attention L · s² · heads · (d_qk + d_v) = 32 × 128² × 32 × 256 = 4,294,967,296.
        // Two sequences: 2 × 1,925,487,525,888 = 3,850,975,051,776.
        let p = try model("llama3-8b").evaluate(ServingWorkload(inputTokens: 128, outputTokens: 1, batchSize: 2))
        #expect(p.prefillFlops == 3_850_975_051_776)
        // One output token: end to end is the TTFT.
        #expect(p.endToEndSeconds == p.ttftSeconds)
    }

    @Test("TP all-reduce per decode step: 2 per layer, latency-bound")
    func tensorParallelAllReduce() throws {
        let p = try model("llama3-8b", tp: 2).evaluate(ServingWorkload(inputTokens: 128, outputTokens: 128))
        // One all-reduce of 1 × 4096 × 2 B = 8,192 B over 2 NVLink ranks (Hopper defaults:
        // bus 450 GB/s × 0.8 = 360 GB/s, 2 µs per ring step, 8.4 µs per call):
        // 2 × (8,192 × 1/2 / 360e9 + 1 × 2e-6) + 8.4e-6 = 12.4227556 µs; 2 × 32 layers:
        // 795.056 µs.
        let one = 2 * (8192.0 / 2 / 360e9 + 2e-6) + 8.4e-6
        #expect(close(p.decodeCommunicationSeconds, 64 * one, 1e-9))
    }

    // MARK: MoE

    @Test("Distinct experts: k at one token, E at many, occupancy between")
    func moeOccupancy() {
        // One token visits exactly k experts.
        #expect(close(MoEOccupancy.expectedDistinctExperts(experts: 256, perToken: 8, tokens: 1), 8, 1e-12))
        // Mixtral, 2 tokens: 8 × (1 − (6/8)²) = 8 × 0.4375 = 3.5.
        #expect(close(MoEOccupancy.expectedDistinctExperts(experts: 8, perToken: 2, tokens: 2), 3.5, 1e-12))
        // DeepSeek-V3, 32 tokens: 256 × (1 − (248/256)^32) = 256 × (1 − 0.362055) = 163.3138.
        #expect(close(MoEOccupancy.expectedDistinctExperts(experts: 256, perToken: 8, tokens: 32),
                      163.31384595, 1e-9))
        // Very large batches touch every expert.
        #expect(close(MoEOccupancy.expectedDistinctExperts(experts: 256, perToken: 8, tokens: 1e6), 256, 1e-12))
        #expect(MoEOccupancy.expectedDistinctExperts(experts: 8, perToken: 2, tokens: 0) == 0)
    }

    @Test("MoE decode reads only the experts its tokens touch")
    func moeDecodeWeights() throws {
        let mx = try model("mixtral-8x7b", tp: 2)
        // One Mixtral expert: 3 × 4096 × 14336 = 176,160,768 params, at TP 2 and 2 B:
        // 176,160,768 B per rank. At batch 1: 32 layers × 2 experts = 64 → 11,274,289,152 B.
        let w = mx.weights
        #expect(w.expertBytesPerGPU == 176_160_768)
        #expect(close(w.readBytes(tokens: 1) - w.nonExpertReadBytes, 11_274_289_152))
        // Many tokens: all 8 experts of each layer, 32 × 8 × 176,160,768 = 45,097,156,608 B.
        #expect(close(w.readBytes(tokens: 1e6) - w.nonExpertReadBytes, 45_097_156_608, 1e-9))
    }

    @Test("DeepSeek-V3 FP8 at TP 8 fits an H200 node, not an H100 node")
    func deepSeekFit() throws {
        // 671e9 parameters at ≥ 1 B each over 8 ranks is ≥ 83.9 GB per GPU: above an H100's
        // 80 GiB × 0.9 = 77.3 GB budget, well inside an H200's 141 GB × 0.9 ≈ 127 GB.
        let v3 = try ModelPresets.named("deepseek-v3")
        let d = ServingDeployment(tp: 8, weightPrecision: .fp8)
        let w = ServingWorkload(inputTokens: 1024, outputTokens: 1024, batchSize: 8)
        let onH100 = try ServingCostModel(model: v3, cluster: try h100(), deployment: d).evaluate(w)
        #expect(onH100.weightsBytesPerGPU > 83.8e9)
        #expect(onH100.maxConcurrency == 0 && !onH100.fitsInMemory)
        let h200 = Cluster(gpu: try GPUPresets.named("H200-SXM-141GB"), numGPUs: 8)
        let onH200 = try ServingCostModel(model: v3, cluster: h200, deployment: d).evaluate(w)
        #expect(onH200.fitsInMemory && onH200.maxConcurrency > 8)
    }

    // MARK: Errors

    @Test("Errors name the field and value")
    func errors() throws {
        let l3 = try ModelPresets.named("llama3-8b")
        let node = try h100(), one = try h100(1)
        func message(_ body: () throws(PDCostError) -> Void) -> String {
            do { try body(); return "" } catch { return error.message }
        }
        #expect(message { () throws(PDCostError) in _ = try ServingCostModel(model: l3, cluster: node, deployment: ServingDeployment(tp: 3)) }
            .contains("tp=3"))
        #expect(message { () throws(PDCostError) in _ = try ServingCostModel(model: l3, cluster: node,
                                                   deployment: ServingDeployment(memoryFraction: 1.5)) }
            .contains("memory_fraction=1.5"))
        #expect(message { () throws(PDCostError) in _ = try ServingCostModel(model: l3, cluster: one, deployment: ServingDeployment(tp: 2)) }
            .contains("tp=2"))
        let a100 = Cluster(gpu: try GPUPresets.named("A100-SXM-80GB"), numGPUs: 8)
        #expect(message { () throws(PDCostError) in _ = try ServingCostModel(model: l3, cluster: a100,
                                                   deployment: ServingDeployment(weightPrecision: .fp8)) }
            .contains("weight_precision=fp8"))
        let m = try model("llama3-8b")
        #expect(message { () throws(PDCostError) in _ = try m.evaluate(ServingWorkload(inputTokens: 0, outputTokens: 8)) }.contains("input_tokens=0"))
        #expect(message { () throws(PDCostError) in _ = try m.evaluate(ServingWorkload(inputTokens: 8, outputTokens: 8, batchSize: -1)) }
            .contains("batch_size=-1"))
    }

    @Test("Sanity print: Llama-3-8B bf16, one H100, batch 1, 128 in / 128 out (no assertion on the values)")
    func sanityPrint() throws {
        let p = try model("llama3-8b").evaluate(ServingWorkload(inputTokens: 128, outputTokens: 128))
        print("SERVING-SANITY llama3-8b bf16 H100 b1 128/128: TTFT \(p.ttftSeconds * 1e3) ms, "
              + "TPOT \(p.tpotSeconds * 1e3) ms, e2e \(p.endToEndSeconds * 1e3) ms, "
              + "\(p.outputTokensPerSecond) tok/s, max concurrency \(p.maxConcurrency)")
        #expect(p.ttftSeconds.isFinite && p.tpotSeconds > 0)
    }
}
