import Testing
@testable import PDCost

/// The NeMo AutoModel and Hugging Face Trainer profiles, and Megatron-Bridge's PEFT defaults.
/// Byte counts are derived by hand in the comments from Llama-3-8B's shapes:
/// per layer q 4096² + k,v 2·4096·1024 + o 4096² = 41,943,040, SwiGLU 3·4096·14336 =
/// 176,160,768, two norms 8,192 → L = 218,112,000; 32 layers 6,979,584,000; embedding and
/// untied output 2·128,256·4096 = 1,050,673,152; final norm 4,096 → Ψ = 8,030,261,248.
@Suite("Fine-tuning framework profiles")
struct FineTuningFrameworkTests {
    static let psi = 8_030_261_248.0
    static let layer = 218_112_000.0

    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b))
    }

    func predict(_ framework: FrameworkProfile, plan: ParallelPlan, gbs: Int,
                 fineTuning: FineTuning = .pretrain) throws -> Prediction {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let setup = TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: gbs,
                                  framework: framework, fineTuning: fineTuning)
        return try CostModel(model: model, cluster: cluster, setup: setup).evaluate(plan)
    }

    /// HF Trainer (bf16=True) full fine-tune with accelerate FSDP over 8 GPUs: the flat
    /// parameters are upcast to fp32 and the optimizer's moments follow them.
    /// weights: 4Ψ/8 = 4,015,130,624 + two gathered bf16 layers 2·2·L = 872,448,000
    ///          = 4,887,578,624
    /// grads:   4Ψ/8 = 4,015,130,624 + one unsharded bf16 layer 2·L = 436,224,000
    ///          = 4,451,354,624
    /// Adam:    2 · 4 B · Ψ/8 = 8,030,261,248
    @Test("hf-trainer FSDP over 8: fp32 sharded weights, grads and moments (hand bytes)")
    func hfTrainerFSDP() throws {
        let p = try predict(.hfTrainer, plan: ParallelPlan(dp: 8, zeroStage: 3, fsdp: true), gbs: 8)
        #expect(close(p.memory.parameters, 4_887_578_624))
        #expect(close(p.memory.gradients, 4_451_354_624))
        #expect(close(p.memory.optimizer, 8_030_261_248))
    }

    /// HF Trainer with plain DDP (zero 0): fp32 weights 4Ψ plus autocast's bf16 copies 2Ψ;
    /// `.grad` 4Ψ plus DDP's bucket copy 4Ψ; Adam moments 8Ψ.
    @Test("hf-trainer DDP: autocast copies and DDP buckets beside fp32 state (hand bytes)")
    func hfTrainerDDP() throws {
        let p = try predict(.hfTrainer, plan: ParallelPlan(dp: 8, zeroStage: 0), gbs: 8)
        #expect(close(p.memory.parameters, 6 * Self.psi))
        #expect(close(p.memory.gradients, 8 * Self.psi))
        #expect(close(p.memory.optimizer, 8 * Self.psi))
        // The casts cost time too: the same step without them is faster.
        var noCasts = FrameworkProfile.hfTrainer
        noCasts.autocastCastsWeights = false
        let q = try predict(noCasts, plan: ParallelPlan(dp: 8, zeroStage: 0), gbs: 8)
        #expect(p.stepTime > q.stepTime)
        #expect(close(p.memory.parameters - q.memory.parameters, 2 * Self.psi))
    }

    /// HF Trainer with a DeepSpeed ZeRO-2 json: DeepSpeed's bf16 engine, as the deepspeed
    /// profile: bf16 weights 2Ψ, bf16 gradients sharded 2Ψ/8, fp32 master + moments 12Ψ/8.
    @Test("hf-trainer ZeRO-2 (DeepSpeed): bf16 weights, sharded grads and states (hand bytes)")
    func hfTrainerDeepSpeed() throws {
        let p = try predict(.hfTrainer, plan: ParallelPlan(dp: 8, zeroStage: 2), gbs: 8)
        #expect(close(p.memory.parameters, 2 * Self.psi))
        #expect(close(p.memory.gradients, 2 * Self.psi / 8))
        #expect(close(p.memory.optimizer, 12 * Self.psi / 8))
    }

    /// AutoModel FSDP2 over 8, bf16 resident weights with torch AdamW (bf16 moments):
    /// weights 2Ψ/8 = 2,007,565,312 + two gathered layers 4L = 872,448,000 → 2,880,013,312;
    /// Adam 2·2Ψ/8 = 4,015,130,624. Gradients: 2Ψ/8 + one layer's unsharded gradient in the
    /// fp32 reduce dtype 4L → 2,880,013,312 with one micro-batch; with two (gbs 16) the
    /// deferred sync keeps every unsharded gradient in fp32 as well: + 4Ψ = 32,121,044,992.
    @Test("automodel FSDP2: bf16 resident state, fp32 gradients kept across micro-batches (hand bytes)")
    func automodelFSDP2() throws {
        let plan = ParallelPlan(dp: 8, zeroStage: 3, fsdp: true)
        let one = try predict(.automodel, plan: plan, gbs: 8)
        #expect(close(one.memory.parameters, 2_880_013_312))
        #expect(close(one.memory.gradients, 2_880_013_312))
        #expect(close(one.memory.optimizer, 4_015_130_624))
        let two = try predict(.automodel, plan: plan, gbs: 16)
        #expect(close(two.memory.gradients, 2_880_013_312 + 32_121_044_992))
        // The deferred reduction reduce-scatters once per step instead of once per micro-batch.
        var eager = FrameworkProfile.automodel
        eager.fsdpDefersGradientSync = false
        let perMB = try predict(eager, plan: plan, gbs: 16)
        #expect(two.dataParallelComm.total < perMB.dataParallelComm.total)
    }

    /// Megatron-Bridge's PEFT recipes turn the DDP overlaps and sequence parallelism off; a
    /// stated setting still wins, and pre-training keeps the performance-recipe defaults.
    @Test("megatron-bridge LoRA takes the PEFT recipes' defaults unless stated")
    func megatronBridgePEFT() throws {
        let lora = FineTuning(method: .lora)
        let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 8, framework: .megatronBridge, fineTuning: lora)
        #expect(setup.pricedFramework.overlapGradReduce == false)
        #expect(setup.pricedFramework.overlapParamGather == false)
        #expect(setup.framework.defaultSequenceParallel(tp: 8, method: .lora) == false)
        #expect(setup.framework.defaultSequenceParallel(tp: 8) == true)
        let pretrain = TrainingSetup(seqLen: 4096, globalBatchSize: 8, framework: .megatronBridge)
        #expect(pretrain.pricedFramework.overlapGradReduce == true)
        var stated = FrameworkSettings()
        stated.overlapGradReduce = true
        let kept = TrainingSetup(seqLen: 4096, globalBatchSize: 8,
                                 framework: FrameworkProfile(kind: .megatronBridge, settings: stated), fineTuning: lora)
        #expect(kept.pricedFramework.overlapGradReduce == true)
        #expect(kept.pricedFramework.overlapParamGather == false)
    }

    @Test("hf-trainer search proposes data-parallel plans only; automodel keeps TP")
    func searchConstraints() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 16)
        var o = SearchOptions()
        o.topK = 50
        o.allowTensorParallelAcrossNodes = true
        let setup = TrainingSetup(seqLen: 4096, globalBatchSize: 64, framework: .hfTrainer)
        let space = PlanSpace(model: model, cluster: cluster, setup: setup, options: o)
        #expect(!space.units.isEmpty)
        #expect(space.units.allSatisfy { $0.tp == 1 && $0.pp == 1 && $0.cp == 1 })
        let result = try PlanSearch(cost: CostModel(model: model, cluster: cluster, setup: setup), options: o).run()
        #expect(!result.top.isEmpty)
        for entry in result.top {
            let p = entry.candidate.plan
            #expect(p.tp == 1 && p.pp == 1 && p.cp == 1 && p.ep == 1, "\(p)")
        }
        let auto = TrainingSetup(seqLen: 4096, globalBatchSize: 64, framework: .automodel)
        let autoSpace = PlanSpace(model: model, cluster: cluster, setup: auto, options: o)
        #expect(autoSpace.units.contains { $0.tp > 1 })
        #expect(autoSpace.units.contains { $0.pp > 1 })
    }

    @Test("predict refuses TP/PP under hf-trainer, naming the degree")
    func hfTrainerRefusesModelParallelism() throws {
        let model = try ModelPresets.named("llama3-8b")
        let cluster = Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8)
        let hf = TrainingSetup(seqLen: 4096, globalBatchSize: 8, framework: .hfTrainer)
        for (plan, key) in [(ParallelPlan(tp: 2, dp: 4), "tp=2"), (ParallelPlan(pp: 2, dp: 4), "pp=2")] {
            do {
                try plan.validate(model: model, cluster: cluster, setup: hf)
                Issue.record("\(key) was accepted")
            } catch {
                #expect("\(error)".contains(key) && "\(error)".contains("hf-trainer"), "\(error)")
            }
        }
        // Megatron accepts the same plan.
        try ParallelPlan(tp: 2, dp: 4).validate(model: model, cluster: cluster,
                                                setup: TrainingSetup(seqLen: 4096, globalBatchSize: 8))
    }

    @Test("runs files and names map to the new kinds")
    func names() throws {
        #expect(try FrameworkProfile.named("automodel").kind == .automodel)
        #expect(try FrameworkProfile.named("hf-trainer").kind == .hfTrainer)
        #expect(FrameworkProfile.Kind(rawValue: "hf-trainer") == .hfTrainer)
        #expect(FrameworkProfile.preset(.hfTrainer) == .hfTrainer)
    }
}
