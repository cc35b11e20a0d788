// JSON forms of a plan and of a prediction, shared by the C ABI
// (`pdcost_cost_model_predict_json`, `pdcost_search_result_to_json`) and the CLI. Field names
// are those of `pdcost_plan` / `pdcost_prediction` in pdcost.h; times in seconds, memory in
// bytes. Keys may be added, never removed. Numbers are exact (shortest round-trip text), so a
// prediction read back from JSON is bit-identical to the struct; one that overflowed is `null`
// and named in the document's `warnings` (JSONWriter).

extension ParallelPlan {
    /// `{"tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage", "fsdp",
    /// "first_stage_layers", "last_stage_layers"}` (null = even split).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object([("tp", .int(tp)), ("pp", .int(pp)), ("vpp", .int(vpp)), ("dp", .int(dp)), ("cp", .int(cp)),
                 ("ep", .int(ep)), ("etp", .int(expertTP)), ("sequence_parallel", .bool(effectiveSequenceParallel)),
                 ("zero_stage", .int(zeroStage)), ("fsdp", .bool(fsdp)),
                 ("first_stage_layers", .optional(firstStageLayers) { .int($0) }),
                 ("last_stage_layers", .optional(lastStageLayers) { .int($0) })])
    }
}

extension Prediction {
    /// `jsonValue` as compact JSON; numbers exact (shortest round-trip).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    /// Every field of `Prediction.fields` under its name, the per-kind arrays as `{"tp", "cp",
    /// "ep", "pp", "dp"}` objects, then `peak_stage`, `fits_memory` and `host` (the fields of
    /// `Prediction.hostFields` and `fits_host_memory`).
    package var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = Self.fields.map { field in
            if field.count == 1 { return (field.name, .number(field.value(self, 0))) }
            return (field.name, .object(CommunicationKind.allCases.map { kind in
                (kind.name, .number(field.value(self, kind.rawValue)))
            }))
        }
        members.append(("peak_stage", .int(peakStage)))
        members.append(("fits_memory", .bool(fitsMemory)))
        // The host side (pdcost_host_prediction): offload terms and host memory per node.
        var host: [(String, JSONValue)] = Self.hostFields.map { ($0.name, .number($0.value(self, 0))) }
        host.append(("fits_host_memory", .bool(fitsHostMemory)))
        members.append(("host", .object(host)))
        return .object(members)
    }
}
