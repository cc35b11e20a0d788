extension ServingSearchResult {
    /// The result as JSON: `{"results": [entry...], "pareto": [entry...], "stats": {"enumerated",
    /// "evaluated", "feasible", "feasible_disaggregated", "pruned": {reason: count}, "layouts",
    /// "elapsed_s", "threads", "work_units", "work_units_done", "cancelled"}, "budget_gpus",
    /// "targets": {"max_ttft_s", "max_tpot_s" (null: none), "percentile"}, "closest": entry |
    /// null, "closest_miss": achieved / target | null, "explanation"}`. Each entry: `{"rank" (results only), "architecture": "aggregated" |
    /// "disaggregated", "deployment": {...}, "prefill_pool": {...} | null, "batch_per_replica",
    /// "num_gpus", "workload": {...}, "disaggregation": {...} | null, "prediction": {...}}`; a
    /// deployment `{tp, pp, replicas, expert_parallel, attention_data_parallel,
    /// weight_precision, kv_cache_precision, engine, settings: {the keys set}}`; the prediction
    /// with the names of `ServingPrediction.fields` plus `fits_memory` and `saturated`.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .expanded(levels: 2))
    }

    package var jsonValue: JSONValue {
        let s = stats
        let statsValue: JSONValue = .object([
            ("enumerated", .int(s.enumerated)), ("evaluated", .int(s.evaluated)), ("feasible", .int(s.feasible)),
            ("feasible_disaggregated", .int(s.feasibleDisaggregated)),
            ("pruned", .object(s.prunedInOrder.map { (key: $0.reason.name, value: .int($0.count)) })),
            ("layouts", .int(s.layouts)), ("elapsed_s", .number(s.elapsedSeconds)), ("threads", .int(s.threads)),
            ("work_units", .int(s.workUnits)), ("work_units_done", .int(s.workUnitsDone)),
            ("cancelled", .bool(s.cancelled)),
        ])
        return .object([
            ("results", .array(top.enumerated().map { Self.entryJSON($1, rank: $0 + 1) })),
            ("pareto", .array(pareto.map { Self.entryJSON($0, rank: nil) })),
            ("stats", statsValue), ("budget_gpus", .int(budget)),
            ("targets", .object([("max_ttft_s", .optional(targets.maxTTFT) { .number($0) }),
                                 ("max_tpot_s", .optional(targets.maxTPOT) { .number($0) }),
                                 ("percentile", .string(targets.percentile.rawValue))])),
            ("closest", .optional(closest) { Self.entryJSON($0, rank: nil) }),
            ("closest_miss", .optional(closestMiss) { .number($0) }),
            ("explanation", .optional(explanation) { .string($0) }),
        ])
    }

    static func entryJSON(_ e: ServingSearchEntry, rank: Int?) -> JSONValue {
        let c = e.candidate
        var members: [(key: String, value: JSONValue)] = []
        if let rank { members.append(("rank", .int(rank))) }
        members.append(("architecture", .string(c.isDisaggregated ? "disaggregated" : "aggregated")))
        members.append(("deployment", deploymentJSON(c.deployment)))
        members.append(("prefill_pool", .optional(c.prefillPool) { deploymentJSON($0) }))
        members.append(("batch_per_replica", .int(c.batchPerReplica)))
        members.append(("num_gpus", .int(c.numGPUs)))
        let w = e.workload
        members.append(("workload", .object([
            ("scenario", .string(w.scenario.rawValue)), ("input_tokens", .int(w.inputTokens)),
            ("output_tokens", .int(w.outputTokens)), ("batch_size", .int(w.batchSize)),
            ("concurrency", .int(w.concurrency)), ("request_rate", .number(w.requestRate)),
            ("num_requests", .int(w.numRequests)), ("prefix_hit_ratio", .number(w.prefixHitRatio)),
        ])))
        members.append(("disaggregation", .optional(e.disaggregation) { d in
            .object([("prefill_capacity_requests_per_s", .number(d.prefillCapacity)),
                     ("decode_capacity_requests_per_s", .number(d.decodeCapacity)),
                     ("prefill_utilization", .number(d.prefillUtilization)),
                     ("kv_transfer_s", .number(d.kvTransferSeconds)),
                     ("prompts_per_prefill_iteration", .number(d.promptsPerPrefillIteration))])
        }))
        members.append(("prediction", predictionJSON(e.prediction)))
        return .object(members)
    }

    static func deploymentJSON(_ d: ServingDeployment) -> JSONValue {
        var settings: [(key: String, value: JSONValue)] = []
        for f in ServingSettings.fields {
            if let v = f.value(in: d.settings) { settings.append((f.key, v.jsonValue)) }
        }
        return .object([
            ("tp", .int(d.tp)), ("pp", .int(d.pp)), ("replicas", .int(d.replicas)),
            ("expert_parallel", .bool(d.expertParallel)), ("attention_data_parallel", .bool(d.attentionDataParallel)),
            ("weight_precision", .string(d.weightPrecision.rawValue)),
            ("kv_cache_precision", .string(d.kvCachePrecision.rawValue)),
            ("engine", .string(d.engine.rawValue)), ("settings", .object(settings)),
        ])
    }

    static func predictionJSON(_ p: ServingPrediction) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = ServingPrediction.fields.map { ($0.name, .number($0.value(p))) }
        members.append(("fits_memory", .bool(p.fitsMemory)))
        members.append(("saturated", .bool(p.saturated)))
        return .object(members)
    }
}
