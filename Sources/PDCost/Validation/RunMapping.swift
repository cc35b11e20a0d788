/// A measured run turned into cost-model inputs.
public struct MappedRun: Sendable {
    public var model: ModelSpec
    public var cluster: Cluster
    public var plan: ParallelPlan
    public var setup: TrainingSetup

    /// The predicted figure each measured memory metric is compared with, bytes: the stage the
    /// run's memory was read on (the last rank where the notes say so), and for the unqualified
    /// peak the allocator statistic the framework logs. The one definition `Validator` and the
    /// runs fit share.
    public func predictedMemory(_ p: Prediction, _ metric: ValidationMetric) -> Double? {
        let lastRank = setup.framework.settings.memoryLoggedBy == .lastRank
        let allocated = lastRank ? p.lastStageAllocated : p.memory.allocated
        let reserved = lastRank ? p.lastStageReserved : p.memory.reserved
        switch metric {
        case .peakAllocatedGiB: return allocated
        case .peakReservedGiB: return reserved
        case .peakMemoryGiB:
            switch setup.framework.reportedPeak {
            case .allocated: return allocated
            case .reserved: return reserved
            case .device: return p.memory.total
            }
        case .tokensPerSecondPerGPU, .stepTime: return nil
        }
    }
}

extension MeasuredRun {
    /// Maps the record onto (model, cluster, plan, setup), or says why it cannot be expressed.
    /// Unstated settings take the framework's default (`FrameworkProfile`); fields the
    /// prediction cannot do without (GPU, sequence length, batch, precision) make the run
    /// skipped, with the field named.
    public func mapped(efficiency: ((GPUSpec) -> EfficiencyProfile)? = nil) -> Result<MappedRun, PDCostError> {
        if let decodeError { return .failure(.parse("record does not decode: \(decodeError)")) }
        if let kind, kind != "training" {
            return .failure(.unsupported("kind='\(kind)': inference runs are validated by the serving model (the report's serving part)"))
        }
        guard var config = model else { return .failure(.invalidArgument("missing field 'model'")) }
        // Parsed once here; its error is reported where it always was, after the model's.
        let namedFramework = Result { () throws(PDCostError) in try FrameworkProfile.named(self.framework ?? "megatron") }
        if config.numNextnPredictLayers == nil,
           let layers = Self.defaultMTPLayers(modelType: config.modelType, framework: try? namedFramework.get().kind) {
            config.numNextnPredictLayers = layers
        }
        let spec: ModelSpec
        do { spec = try ModelLoader.spec(from: config) } catch { return .failure(error) }

        guard let hw = hardware else { return .failure(.invalidArgument("missing field 'hardware'")) }
        guard let gpuName = hw.gpu else { return .failure(.invalidArgument("hardware.gpu is not stated")) }
        let gpu: GPUSpec
        do { gpu = try GPUPresets.named(gpuName) } catch { return .failure(error) }
        guard let numGPUs = hw.numGPUs else { return .failure(.invalidArgument("hardware.num_gpus is not stated")) }
        // `gpus_per_node` counts the GPUs of one host; the cost model needs the NVLink domain,
        // which for rack-scale NVLink systems (GB200 NVL72: 72 GPUs over 18 trays of 4) spans
        // hosts. Take the larger of the two.
        let domain = max(hw.gpusPerNode ?? gpu.gpusPerNode, gpu.gpusPerNode > 8 ? gpu.gpusPerNode : 0)
        let cluster = Cluster(gpu: gpu, numGPUs: numGPUs, gpusPerNode: domain,
                              efficiency: efficiency?(gpu))

        guard let par = parallel else { return .failure(.invalidArgument("missing field 'parallel'")) }
        guard let tr = training else { return .failure(.invalidArgument("missing field 'training'")) }
        guard let seq = tr.seqLen else { return .failure(.invalidArgument("training.seq_len is not stated")) }
        guard let mbs = tr.microBatchSize else { return .failure(.invalidArgument("training.micro_batch_size is not stated")) }
        guard let gbs = tr.globalBatchSize else { return .failure(.invalidArgument("training.global_batch_size is not stated")) }
        guard let dtypeName = tr.dtype else { return .failure(.invalidArgument("training.dtype is not stated")) }
        let dtype: Precision
        switch dtypeName.lowercased() {
        case "bf16", "bfloat16": dtype = .bf16
        case "fp16", "float16": dtype = .fp16
        case "fp8", "float8": dtype = .fp8
        case "fp32", "float32": dtype = .fp32
        default: return .failure(.invalidArgument("training.dtype='\(dtypeName)' is not one of bf16, fp16, fp8"))
        }

        let pp = par.pp ?? 1
        var framework: FrameworkProfile
        switch namedFramework {
        case .success(let named): framework = named
        case .failure(let error): return .failure(error)
        }
        let stated = settings ?? FrameworkSettings()
        guard let vpp = par.vpp ?? (pp == 1 ? 1 : Self.defaultStagesPerRank(framework.kind, stated.pipelineSchedule)) else {
            return .failure(.invalidArgument("parallel.vpp is not stated for pp=\(pp) (interleaved schedule of unknown depth)"))
        }
        framework.apply(stated)
        let statedMethod = tr.method.flatMap { FineTuning.Method(rawValue: $0.lowercased()) } ?? .pretrain

        var plan = ParallelPlan(tp: par.tp ?? 1, pp: pp, vpp: vpp, dp: par.dp ?? 1, cp: par.cp ?? 1,
                                ep: par.ep ?? 1, etp: par.etp, sequenceParallel: par.sequenceParallel
                                    ?? framework.defaultSequenceParallel(tp: par.tp ?? 1, method: statedMethod),
                                zeroStage: par.zeroStage ?? (par.fsdp == true ? 3 : 1), fsdp: par.fsdp ?? false)
        if let split = Self.unevenSplit(layers: spec.numLayers, mtp: spec.mtpLayers, stages: pp, virtualStages: vpp,
                                        megatronLayouts: framework.kind.isMegatronFamily) {
            plan.firstStageLayers = split.first
            plan.lastStageLayers = split.last
        }

        // Recomputation: unstated means the framework default (none in Megatron-Core and
        // torchtitan). Megatron's selective default module is core_attn; torchtitan's selective
        // default is op-level SAC (train_configs/*.toml: selective_ac_option = "op").
        var recompute = Recompute.none
        switch tr.recompute?.lowercased() {
        case nil, "none", "null": recompute = .none
        case "full":
            recompute = Recompute(.full, numLayers: tr.recomputeNumLayers)
            if tr.recomputeNumLayers == 0 { recompute = .none }
        case "selective":
            if let names = tr.recomputeModules, !names.isEmpty {
                do { recompute = Recompute(.selective, modules: try RecomputeModules.parse(names)) }
                catch { return .failure(error) }
            } else if framework.kind == .torchtitan {
                recompute = Recompute(.selective, modules: .torchtitanOps)
            } else {
                recompute = .selective
            }
        case let other?:
            return .failure(.invalidArgument("training.recompute='\(other)' is not none, selective or full"))
        }

        var fineTuning = FineTuning.pretrain
        if let name = tr.method {
            guard let method = FineTuning.Method(rawValue: name.lowercased()) else {
                return .failure(.invalidArgument("training.method='\(name)' is not one of "
                    + FineTuning.Method.allCases.map(\.rawValue).joined(separator: ", ")))
            }
            fineTuning.method = method
        }
        if let rank = tr.loraRank { fineTuning.loraRank = rank }
        if let names = tr.loraTargets {
            do { fineTuning.loraTargets = try FineTuning.Targets.parse(names, field: "training.lora_targets") }
            catch { return .failure(error) }
        }
        let setup = TrainingSetup(seqLen: seq, microBatchSize: mbs, globalBatchSize: gbs, dtype: dtype,
                                  recompute: recompute, framework: framework, fineTuning: fineTuning,
                                  packedDocumentTokens: tr.packedDocumentTokens)
        do { try plan.validate(model: spec, cluster: cluster, setup: setup) } catch { return .failure(error) }
        return .success(MappedRun(model: spec, cluster: cluster, plan: plan, setup: setup))
    }

    /// Pipeline stages per rank when a run does not say, where the framework fixes it.
    /// torchtitan's default schedule is 1F1B, one stage per rank; a multi-stage schedule
    /// (Interleaved1F1B, looped BFS, the zero-bubble ones) without explicit split points gets
    /// two (`generate_split_points`: "Multi-stage schedules support more than 2 stages per
    /// rank, but this is the default if no pipeline split is specified"). Megatron's depth has
    /// no default: unknown.
    static func defaultStagesPerRank(_ kind: FrameworkProfile.Kind,
                                     _ schedule: FrameworkSettings.PipelineSchedule?) -> Int? {
        switch kind {
        case .torchtitan: return schedule?.isMultiStage == true ? 2 : 1
        // AutoModel: `pp_schedule = "1f1b"` (components/distributed/pipelining/config.py).
        case .automodel: return schedule?.isMultiStage == true ? nil : 1
        default: return nil
        }
    }

    /// Multi-token-prediction blocks a DeepSeek-V3 run trains with when its record does not
    /// say: the model was trained with one (DeepSeek-AI 2024, arXiv 2412.19437, §2.2, D = 1;
    /// `num_nextn_predict_layers: 1` in its config.json — the inference config omits the
    /// block, which serving drops), and the Megatron-Core recipes keep it (Megatron-Bridge
    /// `deepseek_v3.py`: `mtp_num_layers = 1`; Megatron-LM's DeepSeek-V3 guide:
    /// `--mtp-num-layers 1`). torchtitan and the others do not implement MTP: none.
    static func defaultMTPLayers(modelType: String?, framework kind: FrameworkProfile.Kind?) -> Int? {
        guard modelType?.lowercased() == "deepseek_v3" else { return nil }
        switch kind {
        case .megatron?, .nemo?, .megatronBridge?: return 1
        default: return nil
        }
    }

    /// The pipeline split a framework uses when `pp` does not divide the layers: the
    /// embedding and the loss each count as one layer, so the first and last stages carry one
    /// layer fewer (Megatron-Core `account_for_embedding_in_pipeline_split` /
    /// `account_for_loss_in_pipeline_split`, which the Megatron-Bridge recipes of Llama-3.1-405B
    /// and Qwen3-235B set; torchtitan's `generate_split_points` weighs the input and output
    /// modules the same way). nil when the layers divide or no such split exists.
    /// With MTP blocks the last stage holds them and the loss. Megatron-Bridge's DeepSeek-V3
    /// layouts weigh them as three layers (each block is a decoder layer plus its own output
    /// layer and loss; the embedding weighs nothing) wherever the last model chunk still keeps
    /// a decoder layer: `embedding + 4` layers on the first of 16 (virtual) stages, 4 on each
    /// middle one, `1 + mtp + loss` on the last — 61 + 3 = 64 = 16 × 4 (recipes/deepseek/
    /// deepseek_v3.py, `set_deepseek_v3_pipeline_model_parallel_layout`, `layout_map`, tag
    /// v0.3.0, for pp × vpp = 4, 8, 16). Finer chunkings have no layout there; the embedding,
    /// the loss and each block then count as one layer, as above.
    static func unevenSplit(layers: Int, mtp: Int = 0, stages pp: Int, virtualStages vpp: Int = 1,
                            megatronLayouts: Bool = true) -> (first: Int?, last: Int?)? {
        guard pp > 1, layers % pp != 0 || mtp > 0 else { return nil }
        let mtpWeight = 1 + 2 * mtp, chunks = pp * max(vpp, 1)
        if mtp > 0, (layers + mtpWeight) % chunks == 0, (layers + mtpWeight) / chunks > mtpWeight {
            let per = (layers + mtpWeight) / pp
            return (nil, per - mtpWeight)
        }
        if (layers + mtp + 2) % pp == 0, (layers + mtp + 2) / pp >= 2 + mtp {
            let per = (layers + mtp + 2) / pp
            return (per - 1, per - 1 - mtp)
        }
        if mtp > 0 { return layers % pp == 0 ? nil : unevenSplit(layers: layers, stages: pp) }
        // Megatron-Bridge's Kimi-K2 layouts weigh the loss (a 163,840 × 7168 output layer and its
        // loss) as three decoder layers and the embedding as none: `embedding + L/c` layers on
        // the first chunk, `L/c − 3` and the loss on the last (recipes/kimi/kimi_k2.py,
        // `_get_kimi_k2_pipeline_layout`, v0.4.2: 61 layers as 16/16/16/13 at pp 4, and 4 per
        // chunk with 1 on the last of 16 chunks) — the DeepSeek-V3 weighing above without MTP.
        // A Megatron-Bridge recipe layout: other frameworks split as below.
        if megatronLayouts, (layers + 3) % chunks == 0, (layers + 3) / chunks > 3 {
            return (nil, (layers + 3) / pp - 3)
        }
        if (layers + 1) % pp == 0, (layers + 1) / pp >= 2 {
            return (nil, (layers + 1) / pp - 1)
        }
        return nil
    }
}
