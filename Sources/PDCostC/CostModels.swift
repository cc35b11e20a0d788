#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// The training cost model: a handle built once per (model, cluster, setup), then a hot,
// allocation-free predict per plan.

/// The Swift cost model behind a `pdcost_cost_model *`. Immutable, so shareable across threads.
final class CostModelHandle: Sendable {
    let cost: CostModel

    init(_ cost: CostModel) { self.cost = cost }

    func retainedPointer() -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(self).toOpaque())
    }

    static func borrow(_ pointer: OpaquePointer?) throws(PDCostError) -> CostModelHandle {
        guard let pointer else {
            throw .invalidArgument("cost_model=NULL must be a handle from pdcost_cost_model_create")
        }
        return Unmanaged<CostModelHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

@_cdecl("pdcost_cost_model_create")
public func pdcost_cost_model_create(_ out_cost_model: UnsafeMutablePointer<OpaquePointer?>?,
                                     _ model: OpaquePointer?,
                                     _ cluster: UnsafePointer<pdcost_cluster>?,
                                     _ setup: UnsafePointer<pdcost_training_setup>?,
                                     _ options: UnsafePointer<pdcost_cost_model_options>?) -> pdcost_status {
    withStatus {
        guard let out_cost_model else {
            throw PDCostError.invalidArgument("out_cost_model=NULL must point to a pdcost_cost_model* variable")
        }
        let spec = try ModelHandle.borrow(model).spec
        let c = try readVersioned(cluster, "cluster", type: "pdcost_cluster", latestVersion: PDCOST_CLUSTER_VERSION,
                                   minimumSize: clusterVersion1Size)
        let s = try readTrainingSetup(setup)
        var o = pdcost_cost_model_options()
        if let options {
            o = try readVersioned(options, "options", type: "pdcost_cost_model_options",
                                  latestVersion: PDCOST_COST_MODEL_OPTIONS_VERSION)
        }
        var swiftCluster = try swiftCluster(c)
        if let profile = try borrowedProfile(o.profile_json, length: o.profile_length, parameter: "options->profile_json") {
            swiftCluster = try swiftCluster.applying(profile)
        }
        let cost = try CostModel(model: spec, cluster: swiftCluster, setup: try swiftSetup(s))
        out_cost_model.pointee = CostModelHandle(cost).retainedPointer()
    }
}

@_cdecl("pdcost_cost_model_free")
public func pdcost_cost_model_free(_ cost_model: OpaquePointer?) {
    guard let cost_model else { return }
    Unmanaged<CostModelHandle>.fromOpaque(UnsafeRawPointer(cost_model)).release()
}

@_cdecl("pdcost_cost_model_predict")
public func pdcost_cost_model_predict(_ out: UnsafeMutablePointer<pdcost_prediction>?,
                                      _ cost_model: OpaquePointer?,
                                      _ plan: UnsafePointer<pdcost_plan>?) -> pdcost_status {
    predict(into: out, type: "pdcost_prediction", latestVersion: PDCOST_PREDICTION_VERSION,
            cost_model, plan, cPrediction)
}

@_cdecl("pdcost_cost_model_predict_host")
public func pdcost_cost_model_predict_host(_ out: UnsafeMutablePointer<pdcost_host_prediction>?,
                                           _ cost_model: OpaquePointer?,
                                           _ plan: UnsafePointer<pdcost_plan>?) -> pdcost_status {
    predict(into: out, type: "pdcost_host_prediction", latestVersion: PDCOST_HOST_PREDICTION_VERSION,
            cost_model, plan, cHostPrediction)
}

/// What the JSON documents of one plan share (prediction, trace): the cost model, the caller's
/// plan and output pointer checked in that order, the plan validated against the model, then
/// the document `render` writes.
func planDocument(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ cost_model: OpaquePointer?,
                  _ plan: UnsafePointer<pdcost_plan>?,
                  _ render: (CostModel, ParallelPlan) throws -> String) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let p = try swiftPlan(try readVersioned(plan, "plan", type: "pdcost_plan", latestVersion: PDCOST_PLAN_VERSION))
        let out = try outString(out_json, "out_json")
        try p.validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        try store(try render(cost, p), in: out)
    }
}

/// What the predict entry points share: the cost model, the caller's plan and output struct
/// checked in that order, the plan validated against the model, then the prediction written
/// as `convert` lays it out.
private func predict<T>(into out: UnsafeMutablePointer<T>?, type: String, latestVersion: Int32,
                        _ cost_model: OpaquePointer?, _ plan: UnsafePointer<pdcost_plan>?,
                        _ convert: (Prediction) -> T) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let p = try swiftPlan(try readVersioned(plan, "plan", type: "pdcost_plan", latestVersion: PDCOST_PLAN_VERSION))
        let destination = try VersionedOutput(out, "out", type: type, minimumSize: MemoryLayout<T>.size,
                                              latestVersion: latestVersion)
        try p.validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        destination.write(convert(cost.evaluate(p)))
    }
}

func cHostPrediction(_ p: Prediction) -> pdcost_host_prediction {
    var out = pdcost_host_prediction()
    out.size = UInt32(MemoryLayout<pdcost_host_prediction>.size)
    out.version = UInt32(PDCOST_HOST_PREDICTION_VERSION)
    // The doubles in `Prediction.hostFields` order.
    storeDoubles(in: &out, first: MemoryLayout<pdcost_host_prediction>.offset(of: \.host_memory_per_node_bytes) ?? 8,
                 limit: MemoryLayout<pdcost_host_prediction>.offset(of: \.fits_host_memory) ?? 0) { store in
        for (index, field) in Prediction.hostFields.enumerated() { store(index, field.value(p, 0)) }
    }
    out.fits_host_memory = p.fitsHostMemory ? 1 : 0
    return out
}

@_cdecl("pdcost_cost_model_predict_json")
public func pdcost_cost_model_predict_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                           _ cost_model: OpaquePointer?,
                                           _ plan: UnsafePointer<pdcost_plan>?) -> pdcost_status {
    planDocument(out_json, cost_model, plan) { cost, p in
        let document: JSONValue = .object([("plan", p.jsonValue), ("prediction", cost.evaluate(p).jsonValue),
                                           ("settings", cost.setup.pricedFramework.settingsJSONValue)])
        return JSONWriter.document(document, layout: .compact)
    }
}

@_cdecl("pdcost_prediction_fields_json")
public func pdcost_prediction_fields_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(Prediction.fieldsJSON(), in: out)
    }
}

// MARK: - C → Swift

func swiftCluster(_ c: pdcost_cluster) throws -> Cluster {
    // A GPU filled in by hand is completed (0 = unknown) as pdcost_gpu_complete does; a GPU that
    // cannot be is rejected naming cluster->gpu.<field>.
    let prefix = "cluster->gpu."
    let gpu = try GPUCompleter.complete(try gpuDraft(c.gpu, prefix: prefix), fieldName: { prefix + $0 }).gpu
    let nodeSize = c.gpus_per_node != 0 ? Int(c.gpus_per_node) : gpu.gpusPerNode
    let numGPUs = try PDCostLimits.numGPUs.check(UInt64(c.num_gpus), field: "cluster->num_gpus")
    try PDCostLimits.gpusPerNode.check(nodeSize, field: "cluster->gpus_per_node")
    // Version 2: the host (0 = the DGX H100 default; a version-1 struct reads as zeros).
    let host = try HostSpec(memoryBytes: c.host_memory_bytes, memoryBandwidth: c.host_memory_bandwidth,
                            nvmeBandwidth: c.nvme_bandwidth, cpuAdamParametersPerSecond: c.cpu_adam_params_per_second)
        .completed().validated(prefix: "cluster->")
    return try Cluster(gpu: gpu, numGPUs: numGPUs, gpusPerNode: nodeSize, host: host).validated()
}

/// sizeof `pdcost_cluster` version 1: up to and including `gpus_per_node` (padded).
let clusterVersion1Size = MemoryLayout<pdcost_cluster>.offset(of: \pdcost_cluster.host_memory_bytes)!

/// sizeof `pdcost_training_setup` version 1: up to and including `settings_json`.
let trainingSetupVersion1Size = MemoryLayout<pdcost_training_setup>.offset(of: \pdcost_training_setup.settings_json)!
    + MemoryLayout<UnsafePointer<CChar>?>.size

func readTrainingSetup(_ setup: UnsafePointer<pdcost_training_setup>?, _ parameter: String = "setup") throws -> pdcost_training_setup {
    try readVersioned(setup, parameter, type: "pdcost_training_setup",
                      latestVersion: PDCOST_TRAINING_SETUP_VERSION, minimumSize: trainingSetupVersion1Size)
}

/// The fine-tuning fields of a version-2 setup (zero in a version-1 caller's: pre-training).
func swiftFineTuning(_ s: pdcost_training_setup) throws -> FineTuning {
    let method: FineTuning.Method
    switch s.method {
    case PDCOST_METHOD_PRETRAIN: method = .pretrain
    case PDCOST_METHOD_SFT: method = .sft
    case PDCOST_METHOD_LORA: method = .lora
    case PDCOST_METHOD_QLORA: method = .qlora
    default: throw PDCostError.invalidArgument("setup->method=\(s.method.rawValue) is not a pdcost_method")
    }
    if s.lora_targets & ~PDCOST_LORA_ALL != 0 {
        throw PDCostError.invalidArgument("setup->lora_targets=\(s.lora_targets) has bits beyond PDCOST_LORA_ALL (\(PDCOST_LORA_ALL))")
    }
    let rank = s.lora_rank == 0 ? FineTuning.defaultLoRARank
        : try PDCostLimits.loraRank.check(UInt64(s.lora_rank), field: "setup->lora_rank")
    let targets = s.lora_targets == 0 ? FineTuning.Targets.all : FineTuning.Targets(rawValue: Int(s.lora_targets))
    return FineTuning(method: method, loraRank: rank, loraTargets: targets)
}

func swiftSetup(_ s: pdcost_training_setup) throws -> TrainingSetup {
    let dtype: Precision
    switch s.dtype {
    case PDCOST_DTYPE_BF16: dtype = .bf16
    case PDCOST_DTYPE_FP16: dtype = .fp16
    case PDCOST_DTYPE_FP8: dtype = .fp8
    case PDCOST_DTYPE_FP32: dtype = .fp32
    default: throw PDCostError.invalidArgument("setup->dtype=\(s.dtype.rawValue) is not a pdcost_dtype")
    }
    let optimizer: Optimizer
    switch s.optimizer {
    case PDCOST_OPTIMIZER_ADAMW: optimizer = .adamw
    case PDCOST_OPTIMIZER_ADAM: optimizer = .adam
    case PDCOST_OPTIMIZER_SGD: optimizer = .sgd
    case PDCOST_OPTIMIZER_ADAMW_8BIT: optimizer = .adamw8bit
    case PDCOST_OPTIMIZER_PAGED_ADAMW: optimizer = .pagedAdamw
    case PDCOST_OPTIMIZER_PAGED_ADAMW_8BIT: optimizer = .pagedAdamw8bit
    default: throw PDCostError.invalidArgument("setup->optimizer=\(s.optimizer.rawValue) is not a pdcost_optimizer")
    }
    let recompute: Recompute
    switch s.recompute {
    case PDCOST_RECOMPUTE_NONE: recompute = .none
    case PDCOST_RECOMPUTE_SELECTIVE:
        // Version 3: the modules (0, or a version-1/2 caller: Megatron-Core's core_attn).
        let bits = s.version >= 3 ? s.recompute_modules : 0
        guard bits & ~PDCOST_RECOMPUTE_MODULE_ALL == 0 else {
            throw PDCostError.invalidArgument("setup->recompute_modules=\(bits) has bits outside "
                                              + "PDCOST_RECOMPUTE_MODULE_ALL (\(PDCOST_RECOMPUTE_MODULE_ALL))")
        }
        recompute = bits == 0 ? .selective : Recompute(.selective, modules: RecomputeModules(rawValue: UInt16(bits)))
    case PDCOST_RECOMPUTE_FULL:
        recompute = Recompute(.full, numLayers: s.recompute_num_layers == 0 ? nil : Int(s.recompute_num_layers))
    default: throw PDCostError.invalidArgument("setup->recompute=\(s.recompute.rawValue) is not a pdcost_recompute")
    }
    let kind: FrameworkProfile.Kind
    switch s.framework {
    case PDCOST_FRAMEWORK_MEGATRON: kind = .megatron
    case PDCOST_FRAMEWORK_NEMO: kind = .nemo
    case PDCOST_FRAMEWORK_MEGATRON_BRIDGE: kind = .megatronBridge
    case PDCOST_FRAMEWORK_TORCHTITAN: kind = .torchtitan
    case PDCOST_FRAMEWORK_DEEPSPEED: kind = .deepspeed
    case PDCOST_FRAMEWORK_PADDLEFORMERS: kind = .paddleformers
    case PDCOST_FRAMEWORK_AUTOMODEL: kind = .automodel
    case PDCOST_FRAMEWORK_HF_TRAINER: kind = .hfTrainer
    default: throw PDCostError.invalidArgument("setup->framework=\(s.framework.rawValue) is not a pdcost_framework")
    }
    let settings = try borrowedSettings(s.settings_json, parameter: "setup->settings_json")
    let framework = FrameworkProfile(kind: kind, settings: settings)
    guard s.optimizer_offload_ratio.isFinite, s.optimizer_offload_ratio >= 0, s.optimizer_offload_ratio <= 1 else {
        throw PDCostError.invalidArgument("setup->optimizer_offload_ratio=\(s.optimizer_offload_ratio) must be in [0, 1]")
    }
    // The table's ranges, named as the C caller wrote them (the core checks them again).
    let seqLen = try PDCostLimits.seqLen.check(UInt64(s.seq_len), field: "setup->seq_len")
    let microBatch = try PDCostLimits.microBatchSize.check(UInt64(s.micro_batch_size), field: "setup->micro_batch_size")
    let globalBatch = try PDCostLimits.globalBatchSize.check(s.global_batch_size, field: "setup->global_batch_size")
    if s.recompute == PDCOST_RECOMPUTE_FULL && s.recompute_num_layers != 0 {
        _ = try PDCostLimits.recomputeNumLayers.check(UInt64(s.recompute_num_layers), field: "setup->recompute_num_layers")
    }
    return TrainingSetup(seqLen: seqLen, microBatchSize: microBatch,
                         globalBatchSize: globalBatch, dtype: dtype, optimizer: optimizer,
                         recompute: recompute, optimizerOffloadRatio: s.optimizer_offload_ratio,
                         framework: framework, fineTuning: try swiftFineTuning(s),
                         packedDocumentTokens: s.packed_document_tokens == 0 ? nil
                             : try PDCostLimits.seqLen.check(UInt64(s.packed_document_tokens), field: "setup->packed_document_tokens"))
}

func swiftPlan(_ p: pdcost_plan) throws -> ParallelPlan {
    for (field, value) in [("sequence_parallel", p.sequence_parallel), ("fsdp", p.fsdp)] where value > 1 {
        throw PDCostError.invalidArgument("plan->\(field)=\(value) must be 0 or 1")
    }
    if p.zero_stage > 3 { throw PDCostError.invalidArgument("plan->zero_stage=\(p.zero_stage) must be 0, 1, 2 or 3") }
    return ParallelPlan(tp: Int(p.tp), pp: Int(p.pp), vpp: Int(p.vpp), dp: Int(p.dp), cp: Int(p.cp),
                        ep: Int(p.ep), etp: p.etp == 0 ? nil : Int(p.etp),
                        sequenceParallel: p.sequence_parallel == 1, zeroStage: Int(p.zero_stage),
                        fsdp: p.fsdp == 1,
                        firstStageLayers: p.first_stage_layers == 0 ? nil : Int(p.first_stage_layers),
                        lastStageLayers: p.last_stage_layers == 0 ? nil : Int(p.last_stage_layers))
}

// MARK: - Swift → C

func cPrediction(_ p: Prediction) -> pdcost_prediction {
    var out = pdcost_prediction()
    out.size = UInt32(MemoryLayout<pdcost_prediction>.size)
    out.version = UInt32(PDCOST_PREDICTION_VERSION)
    // The doubles after the size/version header, in `Prediction.fields` order (the layout test
    // also checks that their count matches).
    storeDoubles(in: &out, first: MemoryLayout<pdcost_prediction>.offset(of: \.step_time_s) ?? 8,
                 limit: MemoryLayout<pdcost_prediction>.offset(of: \.peak_stage) ?? 0, p.forEachDouble)
    out.peak_stage = UInt32(clamping: p.peakStage)
    out.fits_memory = p.fitsMemory ? 1 : 0
    return out
}

/// Settings from a borrowed NUL-terminated JSON object; NULL or "" = none stated.
func borrowedSettings(_ json: UnsafePointer<CChar>?, parameter: String) throws -> FrameworkSettings {
    guard let json else { return FrameworkSettings() }
    let length = strnlen(json, maxJSONBytes + 1)
    if length > maxJSONBytes {
        throw PDCostError.invalidArgument("\(parameter) is longer than the \(maxJSONBytes >> 20) MiB limit")
    }
    let bytes = UnsafeRawBufferPointer(start: json, count: length)
    return try FrameworkSettings.decode(json: bytes)
}

@_cdecl("pdcost_framework_settings_fields_json")
public func pdcost_framework_settings_fields_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(FrameworkSettings.fieldsJSON(), in: out)
    }
}

@_cdecl("pdcost_cost_model_settings_json")
public func pdcost_cost_model_settings_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                            _ cost_model: OpaquePointer?) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let out = try outString(out_json, "out_json")
        try store(JSONWriter.document(cost.setup.pricedFramework.settingsJSONValue, layout: .compact), in: out)
    }
}
