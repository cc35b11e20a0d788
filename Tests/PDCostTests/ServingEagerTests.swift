import Testing
@testable import PDCost

/// The eager PyTorch engine (`pytorch`: bindings/python/pdcost/bench/serve.py) against hand
/// calculations, and its records through the validator.
@Suite("Serving eager PyTorch engine")
struct ServingEagerTests {
    static func h100(_ gpus: Int = 1) throws -> Cluster {
        Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
    }

    static func tpot(pp: Int, batch: Int = 1) throws -> Double {
        let d = ServingDeployment(pp: pp, engine: .pytorch)
        let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"), cluster: try Self.h100(pp), deployment: d)
        return try cost.evaluate(ServingWorkload(inputTokens: 1, outputTokens: 2, batchSize: batch)).tpot
    }

    @Test("Batch-1 eager decode step = the longer of the host's dispatches (62 ops per layer) and the weight reads, + host step")
    func decodeStep() throws {
        // Llama-3-8B on one H100. GPU: the weights read per token are every 16-bit matrix but
        // the embedding table, (8.03 B − 128,256 · 4,096) · 2 B = 15.0 GB, at 0.91 of
        // 3.35 TB/s ≈ 4.92 ms. Host: Python dispatches 62 ops per layer (counted with a
        // TorchDispatchMode on bench/serve.py: 2 RMSNorms of 8, q/k/v 3 GEMMs + 3 views + 3
        // transposes, RoPE 18, cache 6, 2 GQA repeats, SDPA, transpose + reshape, o_proj, 2
        // residual adds, SwiGLU 5) · 32 layers · 10 µs (measured per op on the H200 host)
        // = 19.84 ms, which the GPU's 4.92 ms hides under; then 150 µs of step host work.
        let weightsRead = (8_030_261_248.0 - 128_256 * 4096) * 2
        let gpu = weightsRead / (3.35e12 * 0.91)
        let host = 32 * 62 * 10e-6
        #expect(host > gpu)
        let expected = max(host, gpu) + 150e-6
        let got = try Self.tpot(pp: 1)
        #expect(abs(got - expected) / expected < 0.01, "tpot \(got) vs \(expected)")
    }

    @Test("A batch whose GPU work exceeds the host's dispatches runs at the GPU's pace")
    func gpuBoundBatch() throws {
        // Llama-3-8B, batch 256, one decode step at a 1-token context: the GEMMs alone are
        // 2 · 6.98 B FLOPs · 256 = 3.6 TFLOP, ~5 ms at ~720 TFLOP/s, but the weights still
        // stream once (4.92 ms); host 19.84 ms. So the step stays host-bound, and the same
        // deployment at batch 4,096 (57 TFLOP, ~80 ms of GEMMs) is GPU-bound: its step exceeds
        // the host's 19.84 ms by far, with no host time added on top.
        let d = ServingDeployment(engine: .pytorch)
        let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"), cluster: try Self.h100(), deployment: d)
        let big = try cost.evaluate(ServingWorkload(inputTokens: 1, outputTokens: 2, batchSize: 4096))
        let flops = 2 * 6_979_321_856.0 * 4096
        #expect(big.tpot > flops / 989.4e12)
        #expect(big.tpot > 0.04)
    }

    @Test("Eager ops per layer follow the harness: Llama-3 62, Qwen3 78, GPT-2 28; none for vLLM")
    func opsPerLayer() throws {
        // TorchDispatchMode counts of bench/serve.py decode steps (4-layer minus 2-layer models,
        // halved): Llama-3.2-1B 62, Qwen3-1.7B 78 (+2 q/k RMSNorms of 8), GPT-2 28 (2
        // LayerNorms of 1, q/k/v 3 + 3 views + 3 transposes, cache 6, SDPA, transpose +
        // reshape, o_proj + its bias add, 2 residual adds, up/GELU/down 3 + the down bias add).
        #expect(ServingEngine.pytorch.hostOpsPerLayer(model: try ModelPresets.named("llama3-8b")) == 62)
        #expect(ServingEngine.pytorch.hostOpsPerLayer(model: try ModelPresets.named("qwen3-8b")) == 78)
        #expect(ServingEngine.pytorch.hostOpsPerLayer(model: try ModelPresets.named("gpt2")) == 28)
        #expect(ServingEngine.vllm.hostOpsPerLayer(model: try ModelPresets.named("llama3-8b")) == nil)
    }

    @Test("Pipeline stages run in turn with one batch in flight: pp 2 costs pp 1 plus the hops")
    func pipelineOneBatchInFlight() throws {
        // Each stage reads half the layers (and the head once over both), for the whole batch,
        // one after the other: the same weights and launches as one GPU, plus two
        // hidden-state hops of 4,096 · 2 B (tens of µs on NVLink). Micro-batched engines
        // instead split the batch over the stages.
        let one = try Self.tpot(pp: 1), two = try Self.tpot(pp: 2)
        #expect(two > one)
        #expect((two - one) / one < 0.01, "pp1 \(one) pp2 \(two)")
    }

    @Test("Memory: the cache is batch × (input + output) tokens, the activation one prefill of batch × input")
    func staticMemory() throws {
        let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"), cluster: try Self.h100(),
                                        deployment: ServingDeployment(engine: .pytorch))
        let p = try cost.evaluate(ServingWorkload(inputTokens: 1000, outputTokens: 1000, batchSize: 8))
        // Llama-3-8B: 131,072 B per token (2 · 32 layers · 8 heads · 128 · 2 B), contiguous:
        // 8 · 2,000 tokens = 2,097,152,000 B.
        #expect(p.kvCacheBytes == 2_097_152_000)
        // One prefill of 8,000 tokens: 2 B · (4 · 4,096 + 3 · 14,336) per token = 118,784 B
        // → 950,272,000 B, plus fp32 logits of 256 rows · 128,256 · 4 B = 131,334,144 B.
        #expect(p.activationBytes == 1_081_606_144)
        #expect(p.cudaGraphBytes == 0)
        #expect(p.fitsMemory)
        #expect(p.maxConcurrency == 8)
    }

    @Test("Only static batches: other scenarios are refused naming the scenario and the engine")
    func staticOnly() throws {
        let cost = try ServingCostModel(model: try ModelPresets.named("llama3-8b"), cluster: try Self.h100(),
                                        deployment: ServingDeployment(engine: .pytorch))
        var message = ""
        do {
            _ = try cost.evaluate(ServingWorkload(scenario: .offlineMaxThroughput, inputTokens: 128, outputTokens: 128))
        } catch { message = error.message }
        #expect(message.contains("workload.scenario='offline_max_throughput'"), "\(message)")
        #expect(message.contains("engine='pytorch'"), "\(message)")
        // The search tries it only when named.
        #expect(!ServingSearchOptions(workload: ServingWorkload(inputTokens: 128, outputTokens: 128)).engines.contains(.pytorch))
    }

    static func record(id: String, gpu: String, weights: String) -> String {
        """
        {"id": "\(id)", "source": "pdcost.bench serve", "source_group": "pdcost-bench-serve", "kind": "inference",
         "model": {"name": "Llama-3.1-8B", "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
                   "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
                   "vocab_size": 128256, "tie_word_embeddings": false, "hidden_act": "silu"},
         "hardware": {"gpu": "\(gpu)", "num_gpus": 1, "gpus_per_node": 1},
         "parallel": {"tp": 1, "pp": 1, "vpp": 1, "dp": 1, "cp": 1},
         "framework": "pytorch", "framework_version": "2.5",
         "precision": {"weights": "\(weights)", "activations": "\(weights)", "kv_cache": "\(weights)"},
         "serving": {"scenario": "static_batch", "backend": "pdcost.bench serve (eager PyTorch)", "num_requests": 4,
                     "input_stdev": 0, "output_stdev": 0, "max_batch_size": 4, "max_num_tokens": null,
                     "cuda_graph_config": null},
         "measured": {"input_tokens": 128, "output_tokens": 64, "batch_size": 4, "ttft_ms": 40.0, "itl_ms": 12.0,
                      "tpot_ms": 12.0, "e2e_latency_ms": 800.0, "output_tokens_per_s": 320.0,
                      "output_tokens_per_s_per_gpu": 320.0, "peak_allocated_gib": 16.2},
         "derived_fields": [], "complete": true, "notes": ""}
        """
    }

    @Test("A framework 'pytorch' GPU record is predicted; a CPU one is skipped naming hardware.gpu")
    func runsFile() throws {
        let json = "{\"runs\": [\(Self.record(id: "gpu", gpu: "H100-SXM-80GB", weights: "bf16")), "
            + "\(Self.record(id: "cpu", gpu: "cpu", weights: "fp32"))]}"
        let report = try ServingValidator.validate(json: Array(json.utf8))
        let byID = Dictionary(uniqueKeysWithValues: report.runs.map { ($0.id, $0) })
        let gpu = try #require(byID["gpu"])
        #expect(gpu.skipped == nil, "\(gpu.skipped ?? "")")
        #expect(gpu.comparisons.contains { $0.metric == .tpot })
        // The batch-4 decode step at context 160: the host's 32 · 62 dispatches at 10 µs
        // (19.84 ms) hide the 15 GB weight read (≈ 4.9 ms); + 150 µs of step host work ≈
        // 20.0 ms, far from a vLLM graph replay (≈ 5.7 ms).
        let tpot = try #require(gpu.prediction?.tpot)
        #expect(abs(tpot - (32 * 62 * 10e-6 + 150e-6)) < 0.2e-3, "\(tpot)")
        let cpu = try #require(byID["cpu"])
        #expect(cpu.skipped?.contains("hardware.gpu='cpu'") == true, "\(cpu.skipped ?? "nil")")
    }
}
