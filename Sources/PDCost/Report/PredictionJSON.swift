// JSON forms of a plan and of a prediction, shared by the C ABI
// (`pdcost_cost_model_predict_json`, `pdcost_search_result_to_json`) and the CLI. Field names
// are those of `pdcost_plan` / `pdcost_prediction` in pdcost.h; times in seconds, memory in
// bytes. Keys may be added, never removed.

extension ParallelPlan {
    /// `{"tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage", "fsdp",
    /// "first_stage_layers", "last_stage_layers"}` (null = even split).
    public func json() -> String {
        func opt(_ x: Int?) -> String { x.map(String.init) ?? "null" }
        return "{\"tp\": \(tp), \"pp\": \(pp), \"vpp\": \(vpp), \"dp\": \(dp), \"cp\": \(cp), "
            + "\"ep\": \(ep), \"etp\": \(expertTP), \"sequence_parallel\": \(effectiveSequenceParallel), "
            + "\"zero_stage\": \(zeroStage), \"fsdp\": \(fsdp), \"first_stage_layers\": \(opt(firstStageLayers)), "
            + "\"last_stage_layers\": \(opt(lastStageLayers))}"
    }
}

extension Prediction {
    /// Every field of `Prediction.fields` under its name, the per-kind arrays as `{"tp", "cp",
    /// "ep", "pp", "dp"}` objects, then `peak_stage` and `fits_memory`; numbers exact.
    public func json() -> String {
        var out = "{"
        for field in Self.fields {
            out += JSONText.string(field.name) + ": "
            if field.count == 1 {
                out += JSONText.exactNumber(field.value(self, 0))
            } else {
                out += "{" + CommunicationKind.allCases.map { kind in
                    JSONText.string(kind.name) + ": " + JSONText.exactNumber(field.value(self, kind.rawValue))
                }.joined(separator: ", ") + "}"
            }
            out += ", "
        }
        return out + "\"peak_stage\": \(peakStage), \"fits_memory\": \(fitsMemory)}"
    }
}
