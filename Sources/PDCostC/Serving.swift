#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// The serving cost model through C: one call per (model, cluster, deployment, workload). The
// model and cluster are read as the training cost model reads them (`swiftCluster`), so a GPU
// filled in by hand is completed the same way.

@_cdecl("pdcost_serving_predict")
public func pdcost_serving_predict(_ out: UnsafeMutablePointer<pdcost_serving_prediction>?,
                                   _ model: OpaquePointer?,
                                   _ cluster: UnsafePointer<pdcost_cluster>?,
                                   _ deployment: UnsafePointer<pdcost_serving_deployment>?,
                                   _ workload: UnsafePointer<pdcost_serving_workload>?) -> pdcost_status {
    withStatus {
        let destination = try VersionedOutput(out, "out", type: "pdcost_serving_prediction",
                                              minimumSize: MemoryLayout<pdcost_serving_prediction>.size,
                                              latestVersion: PDCOST_SERVING_PREDICTION_VERSION)
        let (cost, w) = try servingInputs(model, cluster, deployment, workload)
        destination.write(cServingPrediction(try cost.evaluate(w)))
    }
}

@_cdecl("pdcost_serving_predict_json")
public func pdcost_serving_predict_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                        _ model: OpaquePointer?,
                                        _ cluster: UnsafePointer<pdcost_cluster>?,
                                        _ deployment: UnsafePointer<pdcost_serving_deployment>?,
                                        _ workload: UnsafePointer<pdcost_serving_workload>?) -> pdcost_status {
    servingDocument(out_json, model, cluster, deployment, workload) { cost, w in try cost.predictionJSON(w) }
}

/// What the JSON documents of one serving prediction share (prediction, trace): the output
/// pointer and the inputs checked in that order, then the document `render` writes.
func servingDocument(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ model: OpaquePointer?,
                     _ cluster: UnsafePointer<pdcost_cluster>?,
                     _ deployment: UnsafePointer<pdcost_serving_deployment>?,
                     _ workload: UnsafePointer<pdcost_serving_workload>?,
                     _ render: (ServingCostModel, ServingWorkload) throws -> String) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        let (cost, w) = try servingInputs(model, cluster, deployment, workload)
        try store(try render(cost, w), in: out)
    }
}

@_cdecl("pdcost_serving_prediction_fields_json")
public func pdcost_serving_prediction_fields_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(ServingPrediction.fieldsJSON(), in: out)
    }
}

@_cdecl("pdcost_serving_settings_fields_json")
public func pdcost_serving_settings_fields_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(ServingSettings.fieldsJSON(), in: out)
    }
}

// MARK: - C → Swift

/// The serving cost model and workload of one call; every error names the C field.
func servingInputs(_ model: OpaquePointer?, _ cluster: UnsafePointer<pdcost_cluster>?,
                   _ deployment: UnsafePointer<pdcost_serving_deployment>?,
                   _ workload: UnsafePointer<pdcost_serving_workload>?) throws -> (ServingCostModel, ServingWorkload) {
    let spec = try ModelHandle.borrow(model).spec
    let c = try readVersioned(cluster, "cluster", type: "pdcost_cluster", latestVersion: PDCOST_CLUSTER_VERSION,
                                   minimumSize: clusterVersion1Size)
    let d = try readVersioned(deployment, "deployment", type: "pdcost_serving_deployment",
                              latestVersion: PDCOST_SERVING_DEPLOYMENT_VERSION)
    let w = try readVersioned(workload, "workload", type: "pdcost_serving_workload",
                              latestVersion: PDCOST_SERVING_WORKLOAD_VERSION)
    let swiftDeployment = try swiftServingDeployment(d)
    let swiftWorkload = try swiftServingWorkload(w)
    let cost = try ServingCostModel(model: spec, cluster: try swiftCluster(c), deployment: swiftDeployment)
    return (cost, swiftWorkload)
}

func swiftServingDeployment(_ d: pdcost_serving_deployment) throws -> ServingDeployment {
    let tp = try PDCostLimits.parallelDegree.check(UInt64(d.tp), field: "deployment->tp")
    let pp = try PDCostLimits.parallelDegree.check(UInt64(d.pp), field: "deployment->pp")
    let replicas = try PDCostLimits.parallelDegree.check(UInt64(d.replicas), field: "deployment->replicas")
    for (field, value) in [("expert_parallel", d.expert_parallel), ("attention_data_parallel", d.attention_data_parallel)]
    where value > 1 {
        throw PDCostError.invalidArgument("deployment->\(field)=\(value) must be 0 or 1")
    }
    let weights: WeightPrecision
    switch d.weight_precision {
    case PDCOST_WEIGHT_BF16: weights = .bf16
    case PDCOST_WEIGHT_FP16: weights = .fp16
    case PDCOST_WEIGHT_FP8: weights = .fp8
    case PDCOST_WEIGHT_FP4: weights = .fp4
    case PDCOST_WEIGHT_INT4_WO: weights = .int4WeightOnly
    default: throw PDCostError.invalidArgument("deployment->weight_precision=\(d.weight_precision.rawValue) is not a pdcost_weight_precision")
    }
    let kv: KVCachePrecision
    switch d.kv_cache_precision {
    case PDCOST_KV_CACHE_BF16: kv = .bf16
    case PDCOST_KV_CACHE_FP16: kv = .fp16
    case PDCOST_KV_CACHE_FP8: kv = .fp8
    default: throw PDCostError.invalidArgument("deployment->kv_cache_precision=\(d.kv_cache_precision.rawValue) is not a pdcost_kv_cache_precision")
    }
    let engine: ServingEngine
    switch d.engine {
    case PDCOST_ENGINE_VLLM: engine = .vllm
    case PDCOST_ENGINE_SGLANG: engine = .sglang
    case PDCOST_ENGINE_TENSORRT_LLM: engine = .tensorrtLLM
    case PDCOST_ENGINE_PYTORCH: engine = .pytorch
    default: throw PDCostError.invalidArgument("deployment->engine=\(d.engine.rawValue) is not a pdcost_serving_engine")
    }
    var settings = ServingSettings()
    if d.settings_json != nil || d.settings_length != 0 {
        let length = UInt(bitPattern: d.settings_length)
        guard length <= UInt(maxJSONBytes) else {
            throw PDCostError.invalidArgument("deployment->settings_length=\(length) exceeds the \(maxJSONBytes >> 20) MiB limit")
        }
        let bytes = try borrowedJSON(d.settings_json, length: d.settings_length,
                                     parameter: "deployment->settings_json", document: "serving settings object")
        settings = try ServingSettings.decode(json: bytes)
    }
    return ServingDeployment(tp: tp, pp: pp, replicas: replicas, expertParallel: d.expert_parallel == 1,
                             attentionDataParallel: d.attention_data_parallel == 1, weightPrecision: weights,
                             kvCachePrecision: kv, engine: engine, settings: settings)
}

func swiftServingWorkload(_ w: pdcost_serving_workload, prefix: String = "workload") throws -> ServingWorkload {
    let scenario: ServingScenario
    switch w.scenario {
    case PDCOST_SCENARIO_STATIC_BATCH: scenario = .staticBatch
    case PDCOST_SCENARIO_OFFLINE_MAX_THROUGHPUT: scenario = .offlineMaxThroughput
    case PDCOST_SCENARIO_ONLINE_FIXED_CONCURRENCY: scenario = .fixedConcurrency
    case PDCOST_SCENARIO_ONLINE_REQUEST_RATE: scenario = .requestRate
    case PDCOST_SCENARIO_BURST_ALL_AT_ONCE: scenario = .burst
    default: throw PDCostError.invalidArgument("\(prefix)->scenario=\(w.scenario.rawValue) is not a pdcost_serving_scenario")
    }
    let input = try PDCostLimits.seqLen.check(UInt64(w.input_tokens), field: "\(prefix)->input_tokens")
    let output = try PDCostLimits.seqLen.check(UInt64(w.output_tokens), field: "\(prefix)->output_tokens")
    // The load field of the scenario is checked by the core (its message names the field); the
    // others are carried as given, so only the scenario's own field can fail.
    func field(_ value: UInt32, _ name: String, _ limit: Limit, checked: Bool) throws -> Int {
        checked ? try limit.check(UInt64(value), field: "\(prefix)->\(name)") : Int(value)
    }
    let batch = try field(w.batch_size, "batch_size", PDCostLimits.servingSequences, checked: scenario == .staticBatch)
    let concurrency = try field(w.concurrency, "concurrency", PDCostLimits.servingSequences,
                                checked: scenario == .fixedConcurrency)
    let requests = try field(w.num_requests, "num_requests", PDCostLimits.servingRequests,
                             checked: scenario == .burst || (scenario == .offlineMaxThroughput && w.num_requests != 0))
    if scenario == .requestRate, !(w.request_rate.isFinite && w.request_rate > 0 && w.request_rate <= 1e9) {
        throw PDCostError.invalidArgument("\(prefix)->request_rate=\(JSONWriter.describe(w.request_rate)) must be in (0, 1e9] requests/s")
    }
    guard w.prefix_hit_ratio.isFinite, w.prefix_hit_ratio >= 0, w.prefix_hit_ratio < 1 else {
        throw PDCostError.invalidArgument("\(prefix)->prefix_hit_ratio=\(JSONWriter.describe(w.prefix_hit_ratio)) must be in [0, 1)")
    }
    return ServingWorkload(scenario: scenario, inputTokens: input, outputTokens: output, batchSize: batch,
                           concurrency: concurrency, requestRate: w.request_rate.isFinite ? w.request_rate : 1,
                           numRequests: requests, prefixHitRatio: w.prefix_hit_ratio)
}

// MARK: - Swift → C

func cServingPrediction(_ p: ServingPrediction) -> pdcost_serving_prediction {
    var out = pdcost_serving_prediction()
    out.size = UInt32(MemoryLayout<pdcost_serving_prediction>.size)
    out.version = UInt32(PDCOST_SERVING_PREDICTION_VERSION)
    // The doubles after the size/version header, in `ServingPrediction.fields` order (a test
    // checks the header declares them in that order).
    storeDoubles(in: &out, first: MemoryLayout<pdcost_serving_prediction>.offset(of: \.ttft_s) ?? 8,
                 limit: MemoryLayout<pdcost_serving_prediction>.offset(of: \.fits_memory) ?? 0, p.forEachDouble)
    out.fits_memory = p.fitsMemory ? 1 : 0
    out.saturated = p.saturated ? 1 : 0
    return out
}
