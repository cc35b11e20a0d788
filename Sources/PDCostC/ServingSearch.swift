#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// The serving deployment search through C (1.2): one call runs it into a library-owned result
// handle, read with count/get, the Pareto front, the closest miss, stats, explanation and JSON,
// as the plan search's (Search.swift).

/// The Swift result behind a `pdcost_serving_search_result *`. Immutable after creation.
final class ServingSearchResultHandle: @unchecked Sendable {
    let result: ServingSearchResult
    /// malloc'ed explanation ("" when some point is feasible), freed with the handle.
    let explanation: UnsafeMutablePointer<CChar>?

    init(_ result: ServingSearchResult) {
        self.result = result
        explanation = libraryOwnedCopy(result.explanation ?? "")
    }

    deinit { free(explanation) }

    static func borrow(_ pointer: OpaquePointer?) throws(PDCostError) -> ServingSearchResultHandle {
        guard let pointer else {
            throw .invalidArgument("result=NULL must be a handle from pdcost_serving_search_run")
        }
        return Unmanaged<ServingSearchResultHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

@_cdecl("pdcost_serving_search_run")
public func pdcost_serving_search_run(_ out_result: UnsafeMutablePointer<OpaquePointer?>?,
                                      _ model: OpaquePointer?,
                                      _ cluster: UnsafePointer<pdcost_cluster>?,
                                      _ options: UnsafePointer<pdcost_serving_search_options>?) -> pdcost_status {
    withStatus {
        guard let out_result else {
            throw PDCostError.invalidArgument("out_result=NULL must point to a pdcost_serving_search_result* variable")
        }
        let spec = try ModelHandle.borrow(model).spec
        let c = try readVersioned(cluster, "cluster", type: "pdcost_cluster", latestVersion: PDCOST_CLUSTER_VERSION,
                                   minimumSize: clusterVersion1Size)
        var o = pdcost_serving_search_options()
        pdcost_serving_search_options_init(&o)
        if let options {
            o = try readVersioned(options, "options", type: "pdcost_serving_search_options",
                                  latestVersion: PDCOST_SERVING_SEARCH_OPTIONS_VERSION)
        }
        let swiftOptions = try swiftServingSearchOptions(o)
        let search = try ServingSearch(model: spec, cluster: try swiftCluster(c), options: swiftOptions)
        let progress = CProgress(o.progress, o.user)
        let report = progress.map { progress in
            { (stage: ServingSearchStage, done: Int, total: Int) -> Bool in progress.report(stage.rawValue, done, total) }
        }
        let result = search.run(progress: report)
        // A stopped search still hands over what it found (documented in pdcost.h).
        out_result.pointee = OpaquePointer(Unmanaged.passRetained(ServingSearchResultHandle(result)).toOpaque())
        if result.stats.cancelled {
            throw PDCostError.cancelled("the serving search was stopped by the progress callback after \(result.stats.workUnitsDone) of \(result.stats.workUnits) work units; *out_result holds the deployments found so far")
        }
    }
}

@_cdecl("pdcost_serving_search_result_count")
public func pdcost_serving_search_result_count(_ result: OpaquePointer?) -> Int {
    (try? ServingSearchResultHandle.borrow(result))?.result.top.count ?? 0
}

@_cdecl("pdcost_serving_search_result_pareto_count")
public func pdcost_serving_search_result_pareto_count(_ result: OpaquePointer?) -> Int {
    (try? ServingSearchResultHandle.borrow(result))?.result.pareto.count ?? 0
}

@_cdecl("pdcost_serving_search_result_get")
public func pdcost_serving_search_result_get(_ out: UnsafeMutablePointer<pdcost_serving_search_entry>?,
                                             _ result: OpaquePointer?, _ index: Int) -> pdcost_status {
    withStatus {
        let r = try ServingSearchResultHandle.borrow(result).result
        try writeServingEntry(r.top, index: index, list: "result", count: "pdcost_serving_search_result_count", out: out)
    }
}

@_cdecl("pdcost_serving_search_result_pareto_get")
public func pdcost_serving_search_result_pareto_get(_ out: UnsafeMutablePointer<pdcost_serving_search_entry>?,
                                                    _ result: OpaquePointer?, _ index: Int) -> pdcost_status {
    withStatus {
        let r = try ServingSearchResultHandle.borrow(result).result
        try writeServingEntry(r.pareto, index: index, list: "Pareto front",
                              count: "pdcost_serving_search_result_pareto_count", out: out)
    }
}

@_cdecl("pdcost_serving_search_result_closest")
public func pdcost_serving_search_result_closest(_ out: UnsafeMutablePointer<pdcost_serving_search_entry>?,
                                                 _ result: OpaquePointer?) -> pdcost_status {
    withStatus {
        let r = try ServingSearchResultHandle.borrow(result).result
        let destination = try VersionedOutput(out, "out", type: "pdcost_serving_search_entry",
                                              minimumSize: MemoryLayout<pdcost_serving_search_entry>.size,
                                              latestVersion: PDCOST_SERVING_SEARCH_ENTRY_VERSION)
        guard let closest = r.closest else {
            throw PDCostError.notFound("no priced deployment missed only the targets (no targets, or every candidate was pruned before pricing)")
        }
        destination.write(cServingSearchEntry(closest, miss: r.closestMiss ?? 0))
    }
}

@_cdecl("pdcost_serving_search_result_stats")
public func pdcost_serving_search_result_stats(_ out: UnsafeMutablePointer<pdcost_serving_search_stats>?,
                                               _ result: OpaquePointer?) -> pdcost_status {
    withStatus {
        let r = try ServingSearchResultHandle.borrow(result).result
        let destination = try VersionedOutput(out, "out", type: "pdcost_serving_search_stats",
                                              minimumSize: MemoryLayout<pdcost_serving_search_stats>.size,
                                              latestVersion: PDCOST_SERVING_SEARCH_STATS_VERSION)
        var s = pdcost_serving_search_stats()
        let st = r.stats
        s.enumerated = UInt64(clamping: st.enumerated)
        s.evaluated = UInt64(clamping: st.evaluated)
        s.feasible = UInt64(clamping: st.feasible)
        s.feasible_disaggregated = UInt64(clamping: st.feasibleDisaggregated)
        withUnsafeMutableBytes(of: &s.pruned) { raw in
            let counts = raw.bindMemory(to: UInt64.self)
            for reason in ServingSearchPruneReason.allCases where reason.rawValue < counts.count {
                counts[reason.rawValue] = UInt64(clamping: st.pruned[reason] ?? 0)
            }
        }
        s.layouts = UInt64(clamping: st.layouts)
        s.elapsed_s = st.elapsedSeconds
        s.threads = UInt32(clamping: st.threads)
        s.cancelled = st.cancelled ? 1 : 0
        s.work_units = UInt64(clamping: st.workUnits)
        s.work_units_done = UInt64(clamping: st.workUnitsDone)
        s.budget_gpus = UInt32(clamping: r.budget)
        destination.write(s)
    }
}

@_cdecl("pdcost_serving_search_result_explanation")
public func pdcost_serving_search_result_explanation(_ result: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let handle = try? ServingSearchResultHandle.borrow(result), let text = handle.explanation else {
        return staticCString("")
    }
    return UnsafePointer(text)
}

@_cdecl("pdcost_serving_search_result_to_json")
public func pdcost_serving_search_result_to_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                                 _ result: OpaquePointer?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(try ServingSearchResultHandle.borrow(result).result.json(), in: out)
    }
}

@_cdecl("pdcost_serving_search_result_free")
public func pdcost_serving_search_result_free(_ result: OpaquePointer?) {
    guard let result else { return }
    Unmanaged<ServingSearchResultHandle>.fromOpaque(UnsafeRawPointer(result)).release()
}

@_cdecl("pdcost_serving_search_prune_reason_name")
public func pdcost_serving_search_prune_reason_name(_ reason: pdcost_serving_prune_reason) -> UnsafePointer<CChar> {
    switch reason {
    case PDCOST_SERVING_PRUNE_TP_ACROSS_NODES: staticCString("tp_across_nodes")
    case PDCOST_SERVING_PRUNE_TP_ATTENTION_HEADS: staticCString("tp_attention_heads")
    case PDCOST_SERVING_PRUNE_TP_KV_HEADS: staticCString("tp_kv_heads")
    case PDCOST_SERVING_PRUNE_PP_LAYERS: staticCString("pp_layers")
    case PDCOST_SERVING_PRUNE_ATTENTION_DP_TP1: staticCString("attention_dp_tp1")
    case PDCOST_SERVING_PRUNE_EP_EXPERTS: staticCString("ep_experts")
    case PDCOST_SERVING_PRUNE_PRECISION_UNSUPPORTED: staticCString("precision_unsupported")
    case PDCOST_SERVING_PRUNE_DEPLOYMENT_INVALID: staticCString("deployment_invalid")
    case PDCOST_SERVING_PRUNE_WEIGHTS_MEMORY: staticCString("weights_memory")
    case PDCOST_SERVING_PRUNE_KV_CAPACITY: staticCString("kv_capacity")
    case PDCOST_SERVING_PRUNE_PD_SPLIT: staticCString("pd_split")
    case PDCOST_SERVING_PRUNE_SATURATED: staticCString("saturated")
    case PDCOST_SERVING_PRUNE_TTFT_TARGET: staticCString("ttft_target")
    case PDCOST_SERVING_PRUNE_TPOT_TARGET: staticCString("tpot_target")
    case PDCOST_SERVING_PRUNE_NO_PREDICTION: staticCString("no_prediction")
    default: staticCString("unknown")
    }
}

// MARK: - Conversions

private func writeServingEntry(_ entries: [ServingSearchEntry], index: Int, list: String, count: String,
                               out: UnsafeMutablePointer<pdcost_serving_search_entry>?) throws {
    let destination = try VersionedOutput(out, "out", type: "pdcost_serving_search_entry",
                                          minimumSize: MemoryLayout<pdcost_serving_search_entry>.size,
                                          latestVersion: PDCOST_SERVING_SEARCH_ENTRY_VERSION)
    guard index >= 0 && index < entries.count else {
        throw PDCostError.invalidArgument("index=\(index) is out of range: the \(list) has \(entries.count) entries (\(count))")
    }
    destination.write(cServingSearchEntry(entries[index], miss: 0))
}

func cServingDeployment(_ d: ServingDeployment) -> pdcost_serving_deployment {
    var out = pdcost_serving_deployment()
    pdcost_serving_deployment_init(&out)
    out.tp = UInt32(clamping: d.tp)
    out.pp = UInt32(clamping: d.pp)
    out.replicas = UInt32(clamping: d.replicas)
    out.expert_parallel = d.expertParallel ? 1 : 0
    out.attention_data_parallel = d.attentionDataParallel ? 1 : 0
    switch d.weightPrecision {
    case .bf16: out.weight_precision = PDCOST_WEIGHT_BF16
    case .fp16: out.weight_precision = PDCOST_WEIGHT_FP16
    case .fp8: out.weight_precision = PDCOST_WEIGHT_FP8
    case .fp4: out.weight_precision = PDCOST_WEIGHT_FP4
    case .int4WeightOnly: out.weight_precision = PDCOST_WEIGHT_INT4_WO
    }
    switch d.kvCachePrecision {
    case .bf16: out.kv_cache_precision = PDCOST_KV_CACHE_BF16
    case .fp16: out.kv_cache_precision = PDCOST_KV_CACHE_FP16
    case .fp8: out.kv_cache_precision = PDCOST_KV_CACHE_FP8
    }
    switch d.engine {
    case .vllm: out.engine = PDCOST_ENGINE_VLLM
    case .sglang: out.engine = PDCOST_ENGINE_SGLANG
    case .tensorrtLLM: out.engine = PDCOST_ENGINE_TENSORRT_LLM
    case .pytorch: out.engine = PDCOST_ENGINE_PYTORCH
    }
    out.settings_json = nil
    out.settings_length = 0
    return out
}

func cServingSearchEntry(_ e: ServingSearchEntry, miss: Double) -> pdcost_serving_search_entry {
    var out = pdcost_serving_search_entry()
    pdcost_serving_search_entry_init(&out)
    let c = e.candidate
    out.deployment = cServingDeployment(c.deployment)
    out.disaggregated = c.isDisaggregated ? 1 : 0
    out.batch_per_replica = UInt32(clamping: c.batchPerReplica)
    if let p = c.prefillPool {
        out.prefill_pool = cServingDeployment(p)
    } else {
        out.prefill_pool = pdcost_serving_deployment()   // all zero, as documented
    }
    out.num_gpus = UInt32(clamping: c.numGPUs)
    out.concurrency = e.workload.scenario == .fixedConcurrency ? UInt32(clamping: e.workload.concurrency) : 0
    out.miss = miss
    out.prediction = cServingPrediction(e.prediction)
    return out
}

// MARK: - C → Swift

func swiftServingSearchOptions(_ o: pdcost_serving_search_options) throws -> ServingSearchOptions {
    var w = o.workload
    _ = try checkedStructSize(withUnsafePointer(to: &w) { UnsafeRawPointer($0) }, "options->workload",
                              type: "pdcost_serving_workload", minimumSize: MemoryLayout<pdcost_serving_workload>.size,
                              latestVersion: PDCOST_SERVING_WORKLOAD_VERSION)
    var s = ServingSearchOptions(workload: try swiftServingWorkload(o.workload, prefix: "options->workload"))
    if o.max_gpus != 0 { s.maxGPUs = Int(o.max_gpus) }
    if o.max_batch != 0 { s.maxBatch = Int(o.max_batch) }
    guard o.sweep_load <= 1 else { throw PDCostError.invalidArgument("options->sweep_load=\(o.sweep_load) must be 0 or 1") }
    s.sweepLoad = o.sweep_load == 1
    let percentile: ServingPercentile
    switch o.percentile {
    case PDCOST_PERCENTILE_P50: percentile = .p50
    case PDCOST_PERCENTILE_P90: percentile = .p90
    case PDCOST_PERCENTILE_P99: percentile = .p99
    default: throw PDCostError.invalidArgument("options->percentile=\(o.percentile.rawValue) is not a pdcost_serving_percentile")
    }
    func target(_ value: Double, _ name: String) throws -> Double? {
        if value == 0 { return nil }
        guard value.isFinite && value > 0 else {
            throw PDCostError.invalidArgument("options->\(name)=\(JSONWriter.describe(value)) must be 0 (no target) or a finite number of seconds > 0")
        }
        return value
    }
    s.targets = ServingTargets(maxTTFT: try target(o.max_ttft_s, "max_ttft_s"),
                               maxTPOT: try target(o.max_tpot_s, "max_tpot_s"), percentile: percentile)
    let allEngines: [(UInt32, ServingEngine)] = [(PDCOST_ENGINE_VLLM.rawValue, .vllm), (PDCOST_ENGINE_SGLANG.rawValue, .sglang),
                                                 (PDCOST_ENGINE_TENSORRT_LLM.rawValue, .tensorrtLLM), (PDCOST_ENGINE_PYTORCH.rawValue, .pytorch)]
    let knownEngines = allEngines.reduce(UInt32(0)) { $0 | (1 << $1.0) }
    if o.engines & ~knownEngines != 0 {
        throw PDCostError.invalidArgument("options->engines=\(o.engines) has unknown bits (known: PDCOST_SERVING_ENGINE_BIT of each pdcost_serving_engine)")
    }
    if o.engines != 0 { s.engines = allEngines.filter { o.engines & (1 << $0.0) != 0 }.map(\.1) }
    let maxList = Int(PDCOST_SEARCH_MAX_LIST)
    func list(_ count: UInt32, _ values: some Any, _ name: String) throws -> [UInt32] {
        guard count <= PDCOST_SEARCH_MAX_LIST else {
            throw PDCostError.invalidArgument("options->num_\(name)=\(count) exceeds PDCOST_SEARCH_MAX_LIST=\(maxList)")
        }
        var copy = values
        return withUnsafeBytes(of: &copy) { Array($0.bindMemory(to: UInt32.self).prefix(Int(count))) }
    }
    let weights = try list(o.num_weight_precisions, o.weight_precisions, "weight_precisions")
    if !weights.isEmpty {
        s.weightPrecisions = try weights.enumerated().map { i, v in
            switch pdcost_weight_precision(rawValue: v) {
            case PDCOST_WEIGHT_BF16: .bf16
            case PDCOST_WEIGHT_FP16: .fp16
            case PDCOST_WEIGHT_FP8: .fp8
            case PDCOST_WEIGHT_FP4: .fp4
            case PDCOST_WEIGHT_INT4_WO: .int4WeightOnly
            default: throw PDCostError.invalidArgument("options->weight_precisions[\(i)]=\(v) is not a pdcost_weight_precision")
            }
        }
    }
    let kvs = try list(o.num_kv_cache_precisions, o.kv_cache_precisions, "kv_cache_precisions")
    if !kvs.isEmpty {
        s.kvCachePrecisions = try kvs.enumerated().map { i, v in
            switch pdcost_kv_cache_precision(rawValue: v) {
            case PDCOST_KV_CACHE_BF16: .bf16
            case PDCOST_KV_CACHE_FP16: .fp16
            case PDCOST_KV_CACHE_FP8: .fp8
            default: throw PDCostError.invalidArgument("options->kv_cache_precisions[\(i)]=\(v) is not a pdcost_kv_cache_precision")
            }
        }
    }
    if o.max_tp != 0 { s.maxTP = Int(o.max_tp) }
    if o.max_pp != 0 { s.maxPP = Int(o.max_pp) }
    for (name, value) in [("try_expert_parallel", o.try_expert_parallel),
                          ("try_attention_data_parallel", o.try_attention_data_parallel),
                          ("disaggregated", o.disaggregated)] where value > 1 {
        throw PDCostError.invalidArgument("options->\(name)=\(value) must be 0 or 1")
    }
    s.tryExpertParallel = o.try_expert_parallel == 1
    s.tryAttentionDataParallel = o.try_attention_data_parallel == 1
    s.disaggregated = o.disaggregated == 1
    if o.top_k != 0 { s.topK = Int(o.top_k) }
    s.threads = Int(o.threads)
    if o.reserved != 0 { throw PDCostError.invalidArgument("options->reserved=\(o.reserved) must be 0") }
    if o.settings_json != nil || o.settings_length != 0 {
        let length = UInt(bitPattern: o.settings_length)
        guard length <= UInt(maxJSONBytes) else {
            throw PDCostError.invalidArgument("options->settings_length=\(length) exceeds the \(maxJSONBytes >> 20) MiB limit")
        }
        let bytes = try borrowedJSON(o.settings_json, length: o.settings_length,
                                     parameter: "options->settings_json", document: "serving settings object")
        s.settings = try ServingSettings.decode(json: bytes)
    }
    return s
}
