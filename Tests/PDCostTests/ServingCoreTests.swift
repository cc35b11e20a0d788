import Testing
@testable import PDCost

/// The serving cost model against hand calculations: KV bytes per token (GQA, MHA, MLA), the
/// batch-1 decode step, the KV pool and the concurrency it admits, prefill FLOPs.
@Suite("Serving core")
struct ServingCoreTests {
    static func h100(_ gpus: Int = 8) throws -> Cluster {
        Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
    }

    @Test("KV bytes per token: Llama-3-8B GQA, Llama-2-7B MHA, DeepSeek-V3 MLA")
    func kvBytes() throws {
        // Llama-3-8B: 2 (K, V) · 32 layers · 8 KV heads · 128 · 2 B = 131,072 B.
        let l3 = KVCacheLayout(model: try ModelPresets.named("llama3-8b"), tp: 1, precision: .bf16, blockSize: 16)
        #expect(l3.bytesPerToken == 131_072)
        // Split over TP 2: 4 heads per rank, half the bytes; past 8 ranks one head per rank.
        #expect(KVCacheLayout(model: try ModelPresets.named("llama3-8b"), tp: 2, precision: .bf16, blockSize: 16).bytesPerToken == 65_536)
        #expect(KVCacheLayout(model: try ModelPresets.named("llama3-8b"), tp: 16, precision: .bf16, blockSize: 16).kvHeadsPerRank == 1)
        // DeepSeek-V3 MLA: 61 layers · (512 latent + 64 rope) · 1 B (fp8) = 35,136 B, any TP.
        let v3 = try ModelPresets.named("deepseek-v3")
        #expect(KVCacheLayout(model: v3, tp: 8, precision: .fp8, blockSize: 64).bytesPerToken == 61 * 576)
    }

    @Test("Batch-1 decode step = weight bytes / stream bandwidth + launch gaps + host step")
    func decodeStep() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = try Self.h100(1)
        let d = ServingDeployment(engine: .vllm, settings: ServingSettings(cudaGraphs: true))
        let cost = try ServingCostModel(model: model, cluster: cluster, deployment: d)
        let p = try cost.evaluate(ServingWorkload(inputTokens: 1, outputTokens: 2, batchSize: 1))
        // Weights read per token: all 16-bit matrices but the embedding table: 8.03 B params
        // (Meta model card) − 128,256 · 4,096 embedding = 7.50 B · 2 B = 15.0 GB, at 0.91 of
        // 3.35 TB/s ≈ 4.92 ms; 32 layers · 12 kernels · 1.8 µs graph gaps = 0.69 ms; 60 µs host.
        let weightsRead = (8_030_261_248.0 - 128_256 * 4096) * 2
        let k = ServingKernels()
        let expected = weightsRead / (3.35e12 * 0.91) + 32 * k.kernelsPerLayer * k.graphKernelGap + 60e-6
        // Attention, KV and elementwise traffic of one token are < 1 % of this.
        #expect(abs(p.tpot - expected) / expected < 0.01)
    }

    @Test("KV pool and admitted sequences, vLLM rule: 0.9 · 80 GiB − weights − workspaces")
    func pool() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cost = try ServingCostModel(model: model, cluster: try Self.h100(1), deployment: ServingDeployment())
        let m = cost.memory
        let gib = 1_073_741_824.0
        #expect(abs(m.kvCacheBytes - (0.9 * 80 * gib - m.weightsBytes - m.activationBytes - m.cudaGraphBytes - m.runtimeBytes)) < 1)
        // Weights: 8.03 B params · 2 B = 16.06 GB (embedding and head untied).
        #expect(abs(m.weightsBytes - 8_030_261_248.0 * 2) / (8_030_261_248.0 * 2) < 1e-9)
        // A static batch of 1000 + 1000 tokens holds ⌈2000/16⌉ = 125 blocks of 16 · 131,072 B.
        let p = try cost.evaluate(ServingWorkload(inputTokens: 1000, outputTokens: 1000, batchSize: 1))
        #expect(p.maxConcurrency == (m.kvCacheBytes / (125 * 16 * 131_072)).rounded(.down))
    }

    @Test("Prefill FLOPs: 2 · block matmul params · tokens + the LM head once + causal attention")
    func prefillFlops() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cost = try ServingCostModel(model: model, cluster: try Self.h100(1), deployment: ServingDeployment())
        // Matmul params: 8.03 B − embedding (0.525 B) − norms (65 · 4096) = 7.505 B, of which
        // the LM head (128,256 · 4096 = 0.525 B) runs for the prompt's last position only;
        // attention per layer s² · 2 · 32 heads · 128 (causal half of 2 · 2 · s² · h · d).
        let head = 128_256.0 * 4096
        let matmul = 8_030_261_248.0 - 128_256 * 4096 - 65 * 4096
        let s = 2048.0
        let expected = 2 * (matmul - head) * s + 2 * head + 32 * s * s * 2 * 32 * 128
        #expect(abs(cost.prefillFlops(batch: 1, inputTokens: s) - expected) / expected < 1e-9)
    }

    /// A single prompt cannot use pipeline stages at once: unchunked (TensorRT-LLM's default)
    /// it crosses pp stages of L/pp layers in turn — the whole model's time, not 1/pp of it;
    /// chunked by 8,192 tokens (vLLM on H100), a 32,768-token prompt's 4 chunks fill a
    /// 4-stage pipe in 4 + 4 − 1 = 7 stage times against 4 · 4 = 16 without pipelining.
    @Test("prompt latency under pipeline parallelism: pp stages in turn, chunks pipelined")
    func pipelinePromptLatency() throws {
        let model = try ModelPresets.named("llama3-70b")
        let workload = ServingWorkload(inputTokens: 32_768, outputTokens: 2, batchSize: 1)
        func prefill(_ engine: ServingEngine, pp: Int) throws -> Double {
            let d = ServingDeployment(tp: 2, pp: pp, weightPrecision: .fp8, engine: engine)
            return try ServingCostModel(model: model, cluster: try Self.h100(8), deployment: d)
                .evaluate(workload).prefillSeconds
        }
        let trt = try prefill(.tensorrtLLM, pp: 4) / prefill(.tensorrtLLM, pp: 1)
        #expect(trt > 0.97 && trt < 1.1, "TensorRT-LLM pp=4 / pp=1 prefill \(trt)")
        let vllm = try prefill(.vllm, pp: 4) / prefill(.vllm, pp: 1)
        #expect(abs(vllm - 7.0 / 16) / (7.0 / 16) < 0.1, "vLLM pp=4 / pp=1 prefill \(vllm)")
    }

    static func message(_ body: () throws(PDCostError) -> Void) -> String {
        do { try body(); return "" } catch { return error.message }
    }

    @Test("Errors name the field and value")
    func errors() throws {
        let model = try ModelPresets.named("llama3-8b")
        let node = try Self.h100()
        #expect(Self.message { () throws(PDCostError) in
            _ = try ServingCostModel(model: model, cluster: node, deployment: ServingDeployment(tp: 3))
        }.contains("tp=3"))
        let cost = try ServingCostModel(model: model, cluster: try Self.h100(1), deployment: ServingDeployment())
        #expect(Self.message { () throws(PDCostError) in
            _ = try cost.evaluate(ServingWorkload(inputTokens: 0, outputTokens: 8))
        }.contains("input_tokens=0"))
        var s = ServingSettings()
        #expect(Self.message { () throws(PDCostError) in
            try ServingSettings.field("gpu_memory_fraction")!.set(&s, .number(1.5))
        }.contains("serving.gpu_memory_fraction=1.5"))
    }
}
