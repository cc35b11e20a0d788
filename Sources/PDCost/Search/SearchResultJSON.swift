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
        JSONWriter.document(jsonValue, layout: .expanded(levels: 2))
    }

    package var jsonValue: JSONValue {
        let s = stats
        let results = top.enumerated().map { i, e in
            Self.entryJSON(e, rank: i + 1, settings: variantJSON(topVariants, i))
        }
        let front = pareto.enumerated().map { i, e in
            Self.entryJSON(e, rank: nil, settings: variantJSON(paretoVariants, i))
        }
        let statsValue: JSONValue = .object([
            ("enumerated", .int(s.enumerated)), ("evaluated", .int(s.evaluated)), ("feasible", .int(s.feasible)),
            ("pruned", .object(s.prunedInOrder.map { (key: $0.reason.name, value: .int($0.count)) })),
            ("elapsed_s", .number(s.elapsedSeconds)), ("threads", .int(s.threads)),
            ("work_units", .int(s.workUnits)), ("work_units_done", .int(s.workUnitsDone)),
            ("cancelled", .bool(s.cancelled)),
        ])
        return .object([("results", .array(results)), ("pareto", .array(front)), ("stats", statsValue),
                        ("memory_limit_bytes", .number(memoryLimitBytes)),
                        ("explanation", .optional(explanation) { .string($0) })])
    }

    /// The settings of entry `i` of a sweep, nil for a single search.
    private func variantJSON(_ variants: [Int], _ i: Int) -> JSONValue? {
        guard i < variants.count, variants[i] < settingsVariants.count else { return nil }
        return settingsVariants[variants[i]].jsonValue
    }

    static func entryJSON(_ e: SearchEntry, rank: Int?, settings: JSONValue? = nil) -> JSONValue {
        let p = e.plan, c = e.candidate, r = e.prediction
        var members: [(key: String, value: JSONValue)] = []
        if let rank { members.append(("rank", .int(rank))) }
        members.append(("plan", p.jsonValue))
        members.append(("micro_batch_size", .int(c.microBatchSize)))
        // A whole number of micro-batches (at most the global batch), as before.
        members.append(("gradient_accumulation_steps", r.microBatches.isFinite && abs(r.microBatches) < 1e15
                            ? .int(Int(r.microBatches)) : .number(r.microBatches)))
        members.append(("recompute", .string(c.recompute.granularity.rawValue)))
        members.append(("recompute_num_layers", .optional(c.recompute.numLayers) { .int($0) }))
        members.append(("optimizer_offload_ratio", .number(c.optimizerOffloadRatio)))
        members.append(("peak_allocated_bytes", .number(e.peakAllocatedBytes)))
        if let settings { members.append(("settings", settings)) }
        members.append(("prediction", r.jsonValue))
        return .object(members)
    }
}
