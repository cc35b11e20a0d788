extension SearchResult {
    /// The result as JSON (issue 4's layout):
    /// `{"results": [entry...], "pareto": [entry...], "stats": {"enumerated", "evaluated",
    /// "feasible", "pruned": {reason: count}, "elapsed_s", "threads", "work_units",
    /// "work_units_done", "cancelled"}, "memory_limit_bytes", "explanation"}`.
    /// Each entry: `{"rank", "plan": {tp, pp, vpp, dp, cp, ep, etp, sequence_parallel,
    /// zero_stage, fsdp, first_stage_layers, last_stage_layers}, "micro_batch_size",
    /// "gradient_accumulation_steps", "recompute", "recompute_num_layers",
    /// "optimizer_offload_ratio", "peak_allocated_bytes", "prediction": {...}}` with the
    /// prediction's fields named as in `pdcost_prediction` (seconds, bytes). Entries of a
    /// settings sweep add `"settings": {the varied keys}`.
    public func json() -> String {
        var out = "{\n  \"results\": ["
        for (i, e) in top.enumerated() {
            out += (i == 0 ? "\n    " : ",\n    ") + Self.entryJSON(e, rank: i + 1, settings: variantJSON(topVariants, i))
        }
        out += top.isEmpty ? "],\n  \"pareto\": [" : "\n  ],\n  \"pareto\": ["
        for (i, e) in pareto.enumerated() {
            out += (i == 0 ? "\n    " : ",\n    ") + Self.entryJSON(e, rank: nil, settings: variantJSON(paretoVariants, i))
        }
        out += pareto.isEmpty ? "],\n" : "\n  ],\n"
        let s = stats
        out += "  \"stats\": {\"enumerated\": \(s.enumerated), \"evaluated\": \(s.evaluated), \"feasible\": \(s.feasible), \"pruned\": {"
        out += s.prunedInOrder.map { JSONText.string($0.reason.name) + ": \($0.count)" }.joined(separator: ", ")
        out += "}, \"elapsed_s\": " + JSONText.exactNumber(s.elapsedSeconds) + ", \"threads\": \(s.threads)"
        out += ", \"work_units\": \(s.workUnits), \"work_units_done\": \(s.workUnitsDone)"
        out += ", \"cancelled\": " + (s.cancelled ? "true" : "false") + "},\n"
        out += "  \"memory_limit_bytes\": " + JSONText.exactNumber(memoryLimitBytes) + ",\n"
        out += "  \"explanation\": " + (explanation.map(JSONText.string) ?? "null") + "\n}\n"
        return out
    }

    /// The settings of entry `i` of a sweep as JSON, nil for a single search.
    private func variantJSON(_ variants: [Int], _ i: Int) -> String? {
        guard i < variants.count, variants[i] < settingsVariants.count else { return nil }
        return settingsVariants[variants[i]].json()
    }

    static func entryJSON(_ e: SearchEntry, rank: Int?, settings: String? = nil) -> String {
        let p = e.plan, c = e.candidate, r = e.prediction
        func opt(_ x: Int?) -> String { x.map(String.init) ?? "null" }
        var out = "{"
        if let rank { out += "\"rank\": \(rank), " }
        out += "\"plan\": " + p.json() + ", "
        out += "\"micro_batch_size\": \(c.microBatchSize), \"gradient_accumulation_steps\": \(Int(r.microBatches)), "
        out += "\"recompute\": " + JSONText.string(c.recompute.granularity.rawValue)
            + ", \"recompute_num_layers\": \(opt(c.recompute.numLayers))"
            + ", \"optimizer_offload_ratio\": " + JSONText.exactNumber(c.optimizerOffloadRatio)
            + ", \"peak_allocated_bytes\": " + JSONText.exactNumber(e.peakAllocatedBytes) + ", "
        if let settings { out += "\"settings\": " + settings + ", " }
        out += "\"prediction\": " + r.json() + "}"
        return out
    }
}
