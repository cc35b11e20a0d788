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
                                     _ setup: UnsafePointer<pdcost_training_setup>?) -> pdcost_status {
    // The same call without a profile (the cluster's default efficiency).
    pdcost_cost_model_create_with_profile(out_cost_model, model, cluster, setup, nil, 0)
}

@_cdecl("pdcost_cost_model_free")
public func pdcost_cost_model_free(_ cost_model: OpaquePointer?) {
    guard let cost_model else { return }
    Unmanaged<CostModelHandle>.fromOpaque(UnsafeRawPointer(cost_model)).release()
}

@_cdecl("pdcost_cost_model_predict")
public func pdcost_cost_model_predict(_ cost_model: OpaquePointer?,
                                      _ plan: UnsafePointer<pdcost_plan>?,
                                      _ out: UnsafeMutablePointer<pdcost_prediction>?) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let p = try swiftPlan(try readVersioned(plan, "plan", type: "pdcost_plan", latestVersion: PDCOST_PLAN_VERSION))
        let destination = try VersionedOutput(out, "out", type: "pdcost_prediction",
                                              minimumSize: MemoryLayout<pdcost_prediction>.size,
                                              latestVersion: PDCOST_PREDICTION_VERSION)
        try p.validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        destination.write(cPrediction(cost.evaluate(p)))
    }
}

@_cdecl("pdcost_cost_model_predict_json")
public func pdcost_cost_model_predict_json(_ cost_model: OpaquePointer?,
                                           _ plan: UnsafePointer<pdcost_plan>?,
                                           _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let p = try swiftPlan(try readVersioned(plan, "plan", type: "pdcost_plan", latestVersion: PDCOST_PLAN_VERSION))
        let out = try outString(out_json, "out_json")
        try p.validate(model: cost.model, cluster: cost.cluster, setup: cost.setup)
        let document: JSONValue = .object([("plan", p.jsonValue), ("prediction", cost.evaluate(p).jsonValue),
                                           ("settings", cost.setup.framework.settingsJSONValue)])
        try store(JSONWriter.document(document, layout: .compact), in: out)
    }
}

// MARK: - C → Swift

func swiftCluster(_ c: pdcost_cluster) throws -> Cluster {
    // A GPU filled in by hand is completed (0 = unknown) as pdcost_gpu_complete does; a GPU that
    // cannot be is rejected naming cluster->gpu.<field>.
    let prefix = "cluster->gpu."
    let gpu = try GPUCompleter.complete(try gpuDraft(c.gpu, prefix: prefix), fieldName: { prefix + $0 }).gpu
    let nodeSize = c.gpus_per_node != 0 ? Int(c.gpus_per_node) : gpu.gpusPerNode
    if c.num_gpus == 0 { throw PDCostError.invalidArgument("cluster->num_gpus=0 must be >= 1") }
    return try Cluster(gpu: gpu, numGPUs: Int(c.num_gpus), gpusPerNode: max(nodeSize, 1)).validated()
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
    default: throw PDCostError.invalidArgument("setup->optimizer=\(s.optimizer.rawValue) is not a pdcost_optimizer")
    }
    let recompute: Recompute
    switch s.recompute {
    case PDCOST_RECOMPUTE_NONE: recompute = .none
    case PDCOST_RECOMPUTE_SELECTIVE: recompute = .selective
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
    default: throw PDCostError.invalidArgument("setup->framework=\(s.framework.rawValue) is not a pdcost_framework")
    }
    let settings = try borrowedSettings(s.settings_json, parameter: "setup->settings_json")
    let framework = FrameworkProfile(kind: kind, settings: settings)
    guard s.optimizer_offload_ratio.isFinite, s.optimizer_offload_ratio >= 0, s.optimizer_offload_ratio <= 1 else {
        throw PDCostError.invalidArgument("setup->optimizer_offload_ratio=\(s.optimizer_offload_ratio) must be in [0, 1]")
    }
    // Beyond 2^40 sequences per step the numbers mean nothing; the bound keeps products finite.
    guard s.global_batch_size <= 1 << 40 else {
        throw PDCostError.invalidArgument("setup->global_batch_size=\(s.global_batch_size) exceeds the supported maximum \(1 << 40)")
    }
    return TrainingSetup(seqLen: Int(s.seq_len), microBatchSize: Int(s.micro_batch_size),
                         globalBatchSize: Int(s.global_batch_size), dtype: dtype, optimizer: optimizer,
                         recompute: recompute, optimizerOffloadRatio: s.optimizer_offload_ratio,
                         framework: framework)
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
    out.step_time_s = p.stepTime
    out.compute_time_s = p.computeTime
    out.bubble_time_s = p.bubbleTime
    out.recompute_time_s = p.recomputeTime
    out.optimizer_time_s = p.optimizerTime
    out.offload_time_s = p.offloadTime
    // Indexed by pdcost_comm_kind: TP, CP, EP, PP, DP (a tuple, so no allocation).
    let (tp, cp, ep, pp, dp) = (p.tensorParallelComm, p.contextParallelComm, p.expertParallelComm,
                                p.pipelineComm, p.dataParallelComm)
    out.comm_exposed_s = (tp.exposed, cp.exposed, ep.exposed, pp.exposed, dp.exposed)
    out.comm_overlapped_s = (tp.overlapped, cp.overlapped, ep.overlapped, pp.overlapped, dp.overlapped)
    out.total_comm_time_s = p.totalCommunicationTime
    out.exposed_comm_time_s = p.exposedCommunicationTime
    out.mfu = p.mfu
    out.hfu = p.hfu
    out.tokens_per_second = p.tokensPerSecond
    out.tokens_per_second_per_gpu = p.tokensPerSecondPerGPU
    out.micro_batches = p.microBatches
    let m = p.memory
    out.parameter_bytes = m.parameters
    out.gradient_bytes = m.gradients
    out.optimizer_bytes = m.optimizer
    out.activation_bytes = m.activations
    out.communication_buffer_bytes = m.communicationBuffers
    out.temporary_buffer_bytes = m.temporaryBuffers
    out.framework_overhead_bytes = m.frameworkOverhead
    out.allocated_bytes = m.allocated
    out.reserved_bytes = m.reserved
    out.activation_buffer_pool_bytes = m.activationBufferPool
    out.total_bytes = m.total
    out.usable_memory_bytes = p.usableMemory
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
public func pdcost_cost_model_settings_json(_ cost_model: OpaquePointer?,
                                            _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let cost = try CostModelHandle.borrow(cost_model).cost
        let out = try outString(out_json, "out_json")
        try store(JSONWriter.document(cost.setup.framework.settingsJSONValue, layout: .compact), in: out)
    }
}
