#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPDCost
import PDCost

// The plan search: one call runs it into a library-owned result handle, which the caller reads
// with count/get, stats, explanation and JSON, and frees.

/// The Swift result behind a `pdcost_search_result *`. Immutable after creation.
final class SearchResultHandle: @unchecked Sendable {
    let result: SearchResult
    /// malloc'ed NUL-terminated explanation ("" when the result is not empty), freed with the
    /// handle; nil if the copy failed (then "" is returned).
    let explanation: UnsafeMutablePointer<CChar>?

    init(_ result: SearchResult) {
        self.result = result
        explanation = libraryOwnedCopy(result.explanation ?? "")
    }

    deinit { free(explanation) }

    static func borrow(_ pointer: OpaquePointer?) throws(PDCostError) -> SearchResultHandle {
        guard let pointer else {
            throw .invalidArgument("result=NULL must be a handle from pdcost_search_run")
        }
        return Unmanaged<SearchResultHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

@_cdecl("pdcost_search_run")
public func pdcost_search_run(_ out_result: UnsafeMutablePointer<OpaquePointer?>?,
                              _ cost_model: OpaquePointer?,
                              _ options: UnsafePointer<pdcost_search_options>?) -> pdcost_status {
    withStatus {
        guard let out_result else {
            throw PDCostError.invalidArgument("out_result=NULL must point to a pdcost_search_result* variable")
        }
        let cost = try CostModelHandle.borrow(cost_model).cost
        var swiftOptions = SearchOptions()
        var varied: [String] = []
        var progress: CProgress?
        if let options {
            let o = try readVersioned(options, "options", type: "pdcost_search_options",
                                      latestVersion: PDCOST_SEARCH_OPTIONS_VERSION)
            swiftOptions = try swiftSearchOptions(o)
            varied = try variedSettings(o.vary_settings)
            progress = CProgress(o.progress, o.user)
        }
        let report = progress.map { progress in { (done: Int, total: Int) -> Bool in progress.report("search", done, total) } }
        let result: SearchResult
        if varied.isEmpty {
            result = try PlanSearch(cost: cost, options: swiftOptions).run(progress: report)
        } else {
            result = try SettingsSweep(keys: varied).run(cost: cost, options: swiftOptions, progress: report).combined()
        }
        // A stopped search still hands over what it found (documented in pdcost.h).
        out_result.pointee = OpaquePointer(Unmanaged.passRetained(SearchResultHandle(result)).toOpaque())
        if result.stats.cancelled {
            throw PDCostError.cancelled("the search was stopped by the progress callback after \(result.stats.workUnitsDone) of \(result.stats.workUnits) work units; *out_result holds the plans found so far")
        }
    }
}

@_cdecl("pdcost_search_result_count")
public func pdcost_search_result_count(_ result: OpaquePointer?) -> Int {
    guard let handle = try? SearchResultHandle.borrow(result) else { return 0 }
    return handle.result.top.count
}

@_cdecl("pdcost_search_result_pareto_count")
public func pdcost_search_result_pareto_count(_ result: OpaquePointer?) -> Int {
    guard let handle = try? SearchResultHandle.borrow(result) else { return 0 }
    return handle.result.pareto.count
}

@_cdecl("pdcost_search_result_get")
public func pdcost_search_result_get(_ out: UnsafeMutablePointer<pdcost_search_entry>?,
                                     _ result: OpaquePointer?, _ index: Int) -> pdcost_status {
    withStatus {
        let r = try SearchResultHandle.borrow(result).result
        try writeEntry(r.top, variants: r.topVariants, index: index, list: "result",
                       count: "pdcost_search_result_count", out: out)
    }
}

@_cdecl("pdcost_search_result_pareto_get")
public func pdcost_search_result_pareto_get(_ out: UnsafeMutablePointer<pdcost_search_entry>?,
                                            _ result: OpaquePointer?, _ index: Int) -> pdcost_status {
    withStatus {
        let r = try SearchResultHandle.borrow(result).result
        try writeEntry(r.pareto, variants: r.paretoVariants, index: index, list: "Pareto front",
                       count: "pdcost_search_result_pareto_count", out: out)
    }
}

@_cdecl("pdcost_search_result_stats")
public func pdcost_search_result_stats(_ out: UnsafeMutablePointer<pdcost_search_stats>?,
                                       _ result: OpaquePointer?) -> pdcost_status {
    withStatus {
        let r = try SearchResultHandle.borrow(result).result
        let destination = try VersionedOutput(out, "out", type: "pdcost_search_stats",
                                              minimumSize: MemoryLayout<pdcost_search_stats>.size,
                                              latestVersion: PDCOST_SEARCH_STATS_VERSION)
        var s = pdcost_search_stats()
        let st = r.stats
        s.enumerated = UInt64(clamping: st.enumerated)
        s.evaluated = UInt64(clamping: st.evaluated)
        s.feasible = UInt64(clamping: st.feasible)
        withUnsafeMutableBytes(of: &s.pruned) { raw in
            let counts = raw.bindMemory(to: UInt64.self)
            for reason in SearchPruneReason.allCases where reason.rawValue < counts.count {
                counts[reason.rawValue] = UInt64(clamping: st.pruned[reason] ?? 0)
            }
        }
        s.elapsed_s = st.elapsedSeconds
        s.threads = UInt32(clamping: st.threads)
        s.cancelled = st.cancelled ? 1 : 0
        s.work_units = UInt64(clamping: st.workUnits)
        s.work_units_done = UInt64(clamping: st.workUnitsDone)
        s.memory_limit_bytes = r.memoryLimitBytes
        destination.write(s)
    }
}

@_cdecl("pdcost_search_result_explanation")
public func pdcost_search_result_explanation(_ result: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let handle = try? SearchResultHandle.borrow(result), let text = handle.explanation else {
        return staticCString("")
    }
    return UnsafePointer(text)
}

@_cdecl("pdcost_search_result_to_json")
public func pdcost_search_result_to_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                         _ result: OpaquePointer?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(try SearchResultHandle.borrow(result).result.json(), in: out)
    }
}

@_cdecl("pdcost_search_result_free")
public func pdcost_search_result_free(_ result: OpaquePointer?) {
    guard let result else { return }
    Unmanaged<SearchResultHandle>.fromOpaque(UnsafeRawPointer(result)).release()
}

@_cdecl("pdcost_search_prune_reason_name")
public func pdcost_search_prune_reason_name(_ reason: pdcost_search_prune_reason) -> UnsafePointer<CChar> {
    switch reason {
    case PDCOST_PRUNE_TP_ATTENTION_HEADS: staticCString("tp_attention_heads")
    case PDCOST_PRUNE_TP_KV_HEADS: staticCString("tp_kv_heads")
    case PDCOST_PRUNE_TP_ACROSS_NODES: staticCString("tp_across_nodes")
    case PDCOST_PRUNE_PP_LAYER_SPLIT: staticCString("pp_layer_split")
    case PDCOST_PRUNE_VPP_LAYER_SPLIT: staticCString("vpp_layer_split")
    case PDCOST_PRUNE_CP_SEQUENCE: staticCString("cp_sequence")
    case PDCOST_PRUNE_SP_SEQUENCE: staticCString("sp_sequence")
    case PDCOST_PRUNE_GLOBAL_BATCH: staticCString("global_batch")
    case PDCOST_PRUNE_EP_GROUP: staticCString("ep_group")
    case PDCOST_PRUNE_ETP_MOE_WIDTH: staticCString("etp_moe_width")
    case PDCOST_PRUNE_ZERO_WITH_PP: staticCString("zero_with_pp")
    case PDCOST_PRUNE_OPTIMIZER_OFFLOAD: staticCString("optimizer_offload")
    case PDCOST_PRUNE_MEMORY_LOWER_BOUND: staticCString("memory_lower_bound")
    case PDCOST_PRUNE_OUT_OF_MEMORY: staticCString("out_of_memory")
    case PDCOST_PRUNE_NO_PREDICTION: staticCString("no_prediction")
    default: staticCString("unknown")
    }
}

// MARK: - Conversions

private func writeEntry(_ entries: [SearchEntry], variants: [Int], index: Int, list: String, count: String,
                        out: UnsafeMutablePointer<pdcost_search_entry>?) throws {
    let destination = try VersionedOutput(out, "out", type: "pdcost_search_entry",
                                          minimumSize: MemoryLayout<pdcost_search_entry>.size,
                                          latestVersion: PDCOST_SEARCH_ENTRY_VERSION)
    guard index >= 0 && index < entries.count else {
        throw PDCostError.invalidArgument("index=\(index) is out of range: the \(list) has \(entries.count) entries (\(count))")
    }
    var entry = cSearchEntry(entries[index])
    entry.settings_variant = index < variants.count ? UInt32(clamping: variants[index]) : 0
    destination.write(entry)
}

/// The comma-separated keys of `options->vary_settings`; NULL or "" = none.
private func variedSettings(_ text: UnsafePointer<CChar>?) throws -> [String] {
    guard let text else { return [] }
    let length = strnlen(text, 4096)
    guard length < 4096 else { throw PDCostError.invalidArgument("options->vary_settings is longer than 4095 bytes") }
    let value = String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    let keys = value.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    _ = try SettingsSweep(keys: keys)   // checks every key, with the message naming it
    return keys
}

func cSearchEntry(_ e: SearchEntry) -> pdcost_search_entry {
    var out = pdcost_search_entry()
    out.size = UInt32(MemoryLayout<pdcost_search_entry>.size)
    out.version = UInt32(PDCOST_SEARCH_ENTRY_VERSION)
    let p = e.plan
    var plan = pdcost_plan()
    plan.size = UInt32(MemoryLayout<pdcost_plan>.size)
    plan.version = UInt32(PDCOST_PLAN_VERSION)
    plan.tp = UInt32(clamping: p.tp)
    plan.pp = UInt32(clamping: p.pp)
    plan.vpp = UInt32(clamping: p.vpp)
    plan.dp = UInt32(clamping: p.dp)
    plan.cp = UInt32(clamping: p.cp)
    plan.ep = UInt32(clamping: p.ep)
    plan.etp = UInt32(clamping: p.etp ?? 0)
    plan.sequence_parallel = p.sequenceParallel ? 1 : 0
    plan.zero_stage = UInt32(clamping: p.zeroStage)
    plan.fsdp = p.fsdp ? 1 : 0
    plan.first_stage_layers = UInt32(clamping: p.firstStageLayers ?? 0)
    plan.last_stage_layers = UInt32(clamping: p.lastStageLayers ?? 0)
    out.plan = plan
    out.micro_batch_size = UInt32(clamping: e.candidate.microBatchSize)
    switch e.candidate.recompute.granularity {
    case .none: out.recompute = PDCOST_RECOMPUTE_NONE
    case .selective: out.recompute = PDCOST_RECOMPUTE_SELECTIVE
    case .full: out.recompute = PDCOST_RECOMPUTE_FULL
    }
    out.recompute_num_layers = UInt32(clamping: e.candidate.recompute.numLayers ?? 0)
    // Int(Double) traps on NaN, infinities and values past Int.max: clamp in Double first.
    let steps = e.prediction.microBatches
    out.gradient_accumulation_steps = steps.isFinite ? UInt32(min(max(steps, 0), Double(UInt32.max))) : 0
    out.optimizer_offload_ratio = e.candidate.optimizerOffloadRatio
    out.peak_allocated_bytes = e.peakAllocatedBytes
    var prediction = cPrediction(e.prediction)
    prediction.size = UInt32(MemoryLayout<pdcost_prediction>.size)
    prediction.version = UInt32(PDCOST_PREDICTION_VERSION)
    out.prediction = prediction
    return out
}

func swiftSearchOptions(_ o: pdcost_search_options) throws -> SearchOptions {
    var s = SearchOptions()
    if o.max_tp != 0 { s.maxTP = Int(o.max_tp) }
    if o.max_pp != 0 { s.maxPP = Int(o.max_pp) }
    if o.max_vpp != 0 { s.maxVPP = Int(o.max_vpp) }
    if o.max_cp != 0 { s.maxCP = Int(o.max_cp) }
    if o.max_ep != 0 { s.maxEP = Int(o.max_ep) }
    if o.max_etp != 0 { s.maxETP = Int(o.max_etp) }
    let maxList = Int(PDCOST_SEARCH_MAX_LIST)
    if o.num_micro_batch_sizes > PDCOST_SEARCH_MAX_LIST {
        throw PDCostError.invalidArgument("options->num_micro_batch_sizes=\(o.num_micro_batch_sizes) exceeds PDCOST_SEARCH_MAX_LIST=\(maxList)")
    }
    if o.num_micro_batch_sizes > 0 {
        let sizes = withUnsafeBytes(of: o.micro_batch_sizes) { Array($0.bindMemory(to: UInt32.self).prefix(Int(o.num_micro_batch_sizes))) }
        for (i, mbs) in sizes.enumerated() where mbs == 0 {
            throw PDCostError.invalidArgument("options->micro_batch_sizes[\(i)]=0 must be >= 1")
        }
        s.microBatchSizes = sizes.map { Int($0) }
    }
    let known = PDCOST_SEARCH_RECOMPUTE_ALL
    if o.recompute & ~known != 0 {
        throw PDCostError.invalidArgument("options->recompute=\(o.recompute) has unknown bits (known: PDCOST_SEARCH_RECOMPUTE_*)")
    }
    if o.recompute != 0 { s.recompute = RecomputeChoices(rawValue: o.recompute) }
    if o.zero_stages & ~0xF != 0 {
        throw PDCostError.invalidArgument("options->zero_stages=\(o.zero_stages) has bits beyond stage 3")
    }
    if o.zero_stages != 0 { s.zeroStages = (0...3).filter { o.zero_stages & (1 << UInt32($0)) != 0 } }
    switch o.sequence_parallel {
    case PDCOST_SEARCH_SP_ON: s.sequenceParallel = .on
    case PDCOST_SEARCH_SP_OFF: s.sequenceParallel = .off
    case PDCOST_SEARCH_SP_BOTH: s.sequenceParallel = .both
    default: throw PDCostError.invalidArgument("options->sequence_parallel=\(o.sequence_parallel) must be PDCOST_SEARCH_SP_ON, _OFF or _BOTH")
    }
    if o.max_stage_layer_reduction != 0 { s.maxStageLayerReduction = Int(o.max_stage_layer_reduction) }
    if o.num_offload_ratios > PDCOST_SEARCH_MAX_LIST {
        throw PDCostError.invalidArgument("options->num_offload_ratios=\(o.num_offload_ratios) exceeds PDCOST_SEARCH_MAX_LIST=\(maxList)")
    }
    if o.num_offload_ratios > 0 {
        let ratios = withUnsafeBytes(of: o.optimizer_offload_ratios) { Array($0.bindMemory(to: Double.self).prefix(Int(o.num_offload_ratios))) }
        for (i, r) in ratios.enumerated() where !(r.isFinite && r >= 0 && r <= 1) {
            throw PDCostError.invalidArgument("options->optimizer_offload_ratios[\(i)]=\(r) must be in [0, 1]")
        }
        s.optimizerOffloadRatios = ratios
    }
    if o.top_k != 0 { s.topK = Int(o.top_k) }
    s.threads = Int(o.threads)
    guard o.memory_safety_margin.isFinite else {
        throw PDCostError.invalidArgument("options->memory_safety_margin=\(o.memory_safety_margin) must be in [0, 1)")
    }
    s.memorySafetyMargin = o.memory_safety_margin
    let knownFlags = PDCOST_SEARCH_ALLOW_TP_ACROSS_NODES | PDCOST_SEARCH_EVEN_PIPELINE_ONLY | PDCOST_SEARCH_NO_MEMORY_BOUND
    if o.flags & ~knownFlags != 0 {
        throw PDCostError.invalidArgument("options->flags=\(o.flags) has unknown bits (known: PDCOST_SEARCH_*)")
    }
    s.allowTensorParallelAcrossNodes = o.flags & PDCOST_SEARCH_ALLOW_TP_ACROSS_NODES != 0
    s.unevenPipeline = o.flags & PDCOST_SEARCH_EVEN_PIPELINE_ONLY == 0
    s.memoryLowerBoundPruning = o.flags & PDCOST_SEARCH_NO_MEMORY_BOUND == 0
    if o.reserved != 0 { throw PDCostError.invalidArgument("options->reserved=\(o.reserved) must be 0") }
    return try s.validated()
}
