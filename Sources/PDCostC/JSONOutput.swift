import PDCost

// JSON documents handed to C callers (analysis, preset lists, GPU table): one encoder
// configuration for all of them.

/// Encodes a result document as pretty JSON with sorted keys (stable output for diffs and tests).
func encodeJSON(_ value: some Encodable) throws(PDCostError) -> String {
    try StableJSON.encode(value, what: "JSON output")
}
