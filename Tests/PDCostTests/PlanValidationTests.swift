import Testing
import PDCost

/// Plan validation errors name the violated constraint.
@Suite("Plan validation")
struct PlanValidationTests {
    func message(_ plan: ParallelPlan, gpus: Int, model name: String = "llama3-8b",
                 setup: TrainingSetup = TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 64)) throws -> String? {
        let model = try ModelPresets.named(name)
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: gpus)
        do {
            try plan.validate(model: model, cluster: cluster, setup: setup)
            return nil
        } catch {
            guard case .infeasible(let m) = error else { return "not infeasible: \(error)" }
            return m
        }
    }

    @Test("messages") func messages() throws {
        #expect(try message(ParallelPlan(tp: 3, dp: 1), gpus: 3) == "tp=3 does not divide num_attention_heads=32")
        #expect(try message(ParallelPlan(tp: 2, pp: 2, dp: 6, cp: 2), gpus: 64) == "tp*pp*dp*cp=48 != num_gpus=64")
        #expect(try message(ParallelPlan(tp: 1, dp: 8, ep: 6), gpus: 8, model: "qwen3-30b-a3b",
                            setup: TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64))
                == "ep=6 does not divide num_experts=128")
        #expect(try message(ParallelPlan(tp: 1, pp: 5, dp: 1), gpus: 5)
                == "pp=5 does not divide the 32 layers and no uneven split was given")
        #expect(try message(ParallelPlan(tp: 1, dp: 1, cp: 3), gpus: 3,
                            setup: TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 64))
                == "seq_len=8192 is not divisible by 2*cp=6")
        // Qwen2.5-7B: 28 heads, 4 KV heads; tp=7 divides the heads but neither divides the KV
        // heads nor is a multiple of them. tp=16 on Llama-3-8B (8 KV heads) replicates them.
        #expect(try message(ParallelPlan(tp: 7, dp: 1), gpus: 7, model: "qwen2.5-7b")
                == "tp=7 does not divide num_key_value_heads=4 and is not a multiple of it "
                + "(KV heads are replicated only when tp % num_key_value_heads == 0)")
        #expect(try message(ParallelPlan(tp: 16, dp: 1), gpus: 16) == nil)
        #expect(try message(ParallelPlan(tp: 1, dp: 8), gpus: 8,
                            setup: TrainingSetup(seqLen: 8192, microBatchSize: 2, globalBatchSize: 24))
                == "global_batch_size=24 is not divisible by micro_batch_size*dp=16")
        // A global batch micro_batch_size does not divide fails for every dp: a setup error.
        #expect(try message(ParallelPlan(tp: 1, dp: 8), gpus: 8,
                            setup: TrainingSetup(seqLen: 8192, microBatchSize: 3, globalBatchSize: 64))
                == "not infeasible: global_batch_size=64 is not a multiple of micro_batch_size=3")
        #expect(try message(ParallelPlan(tp: 1, pp: 4, vpp: 3, dp: 1), gpus: 4)
                == "vpp=3 does not divide the 8 layers of each pipeline stage")
        #expect(try message(ParallelPlan(tp: 1, dp: 8, ep: 2), gpus: 8)
                == "ep=2, etp=1: expert parallelism needs a mixture-of-experts model")
        #expect(try message(ParallelPlan(tp: 2, dp: 2, ep: 8), gpus: 4, model: "qwen3-30b-a3b",
                            setup: TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 64))
                == "ep*etp=8 does not divide tp*cp*dp=4 (the GPUs of one pipeline stage)")
        // Valid plans pass, including an uneven pipeline split (Llama-3.1-405B on 8 stages).
        #expect(try message(ParallelPlan(tp: 8, pp: 4, dp: 2, sequenceParallel: true), gpus: 64) == nil)
        #expect(try message(ParallelPlan(tp: 8, pp: 8, dp: 1, sequenceParallel: true, firstStageLayers: 15,
                                         lastStageLayers: 15), gpus: 64, model: "llama3.1-405b") == nil)
        #expect(try message(ParallelPlan(tp: 8, pp: 8, dp: 1, sequenceParallel: true), gpus: 64, model: "llama3.1-405b")
                == "pp=8 does not divide the 126 layers and no uneven split was given")
    }

    @Test("out-of-range values are invalid arguments") func ranges() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: 8192, globalBatchSize: 64)
        #expect(throws: PDCostError.invalidArgument("tp=0 must be in [1, 2^24]")) {
            try ParallelPlan(tp: 0, dp: 8).validate(model: model, cluster: cluster, setup: setup)
        }
        #expect(throws: PDCostError.invalidArgument("zero_stage=4 must be in [0, 3]")) {
            try ParallelPlan(tp: 1, dp: 8, zeroStage: 4).validate(model: model, cluster: cluster, setup: setup)
        }
    }

    /// EP is carved out of tp·cp·dp: the expert-data-parallel size is tp·cp·dp/(ep·etp).
    @Test("expert data parallel size") func expertDP() {
        #expect(ParallelPlan(tp: 2, pp: 8, dp: 16, ep: 32).expertDP == 1)
        #expect(ParallelPlan(tp: 1, pp: 1, dp: 8, ep: 8).expertDP == 1)
        #expect(ParallelPlan(tp: 2, pp: 2, dp: 2, ep: 4, etp: 1).expertDP == 1)
        #expect(ParallelPlan(tp: 4, dp: 16, ep: 8, etp: 2).expertDP == 4)
        #expect(ParallelPlan(tp: 4, pp: 2, dp: 8).worldSize == 64)
    }
}
