import PDCost

// JSON documents handed to C callers (analysis, preset lists, GPU table): written by the core's
// one writer (JSONWriter), pretty with sorted keys (stable output for diffs and tests).

/// `nonFinite`: `.fail` for documents that echo input (presets, parameter tables),
/// `.nullWithWarning` for derived results (the analysis).
func encodeJSON(_ value: some Encodable, nonFinite: JSONWriter.NonFinite = .fail) throws(PDCostError) -> String {
    try JSONWriter.encode(value, what: "JSON output", nonFinite: nonFinite)
}
