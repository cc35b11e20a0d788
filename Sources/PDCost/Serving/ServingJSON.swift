// JSON forms of a serving deployment, workload and prediction, shared by the C ABI
// (`pdcost_serving_predict_json`, `pdcost_serving_prediction_fields_json`) and the CLI. Field
// names are those of `pdcost_serving_deployment` / `_workload` / `_prediction` in pdcost.h;
// times in seconds, memory in bytes. Keys may be added, never removed. Numbers are exact
// (shortest round-trip); a prediction value that overflowed is `null` and named in the
// document's `warnings` (JSONWriter).

extension ServingDeployment {
    /// `{"tp", "pp", "replicas", "expert_parallel", "attention_data_parallel",
    /// "weight_precision", "kv_cache_precision", "engine", "settings": {the stated keys}}`.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object([("tp", .int(tp)), ("pp", .int(pp)), ("replicas", .int(replicas)),
                 ("expert_parallel", .bool(expertParallel)), ("attention_data_parallel", .bool(attentionDataParallel)),
                 ("weight_precision", .string(weightPrecision.rawValue)),
                 ("kv_cache_precision", .string(kvCachePrecision.rawValue)),
                 ("engine", .string(engine.rawValue)), ("settings", settings.jsonValue)])
    }
}

extension ServingWorkload {
    /// `{"scenario", "input_tokens", "output_tokens", "batch_size", "concurrency",
    /// "request_rate", "num_requests", "prefix_hit_ratio"}`.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object([("scenario", .string(scenario.rawValue)), ("input_tokens", .int(inputTokens)),
                 ("output_tokens", .int(outputTokens)), ("batch_size", .int(batchSize)),
                 ("concurrency", .int(concurrency)), ("request_rate", .number(requestRate)),
                 ("num_requests", .int(numRequests)), ("prefix_hit_ratio", .number(prefixHitRatio))])
    }
}

extension ServingPrediction {
    /// `jsonValue` as compact JSON; numbers exact (shortest round-trip).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    /// Every field of `ServingPrediction.fields` under its name, then `fits_memory` and
    /// `saturated`.
    package var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = Self.fields.map { ($0.name, .number($0.value(self))) }
        members.append(("fits_memory", .bool(fitsMemory)))
        members.append(("saturated", .bool(saturated)))
        return .object(members)
    }

    /// The doubles of `pdcost_serving_prediction`, for the C conversion.
    public static let doubleCount = fields.count

    /// Writes the doubles in struct order through `write(index, value)`; allocation-free.
    @inline(__always)
    public func forEachDouble(_ write: (Int, Double) -> Void) {
        for (index, field) in Self.fields.enumerated() {
            write(index, field.value(self))
        }
    }

    /// `[{"name", "unit", "summary"}]` in struct order, then the two flags (unit "1").
    public static func fieldsJSON() -> String {
        func row(_ name: String, _ unit: String, _ summary: String) -> JSONValue {
            .object([("name", .string(name)), ("unit", .string(unit)), ("summary", .string(summary))])
        }
        var rows = fields.map { row($0.name, $0.unit.rawValue, $0.summary) }
        rows.append(row("fits_memory", "1", "the running batch fits in the KV cache and the peak in GPU memory"))
        rows.append(row("saturated", "1", "open-loop arrivals exceed what the deployment serves"))
        return JSONWriter.document(.array(rows))
    }
}

extension ServingCostModel {
    /// One prediction as a document: `{"deployment", "workload", "prediction", "settings":
    /// {"engine", "given", "defaulted"}}`.
    public func predictionJSON(_ workload: ServingWorkload) throws(PDCostError) -> String {
        let prediction = try evaluate(workload)
        let document: JSONValue = .object([
            ("deployment", deployment.jsonValue), ("workload", workload.jsonValue),
            ("prediction", prediction.jsonValue),
            ("settings", deployment.settings.resolvedJSONValue(engine: deployment.engine, gpu: cluster.gpu)),
        ])
        return JSONWriter.document(document, layout: .compact)
    }
}
