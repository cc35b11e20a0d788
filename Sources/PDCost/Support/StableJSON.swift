import FoundationEssentials

/// Pretty, key-sorted JSON: the form of every document pdcost writes (canonical model JSON,
/// profiles, calibration reports, the C API's result documents), so output is stable across
/// runs and diffs stay small. `snakeCaseKeys` converts Swift property names (for types without
/// explicit coding keys). `what` names the document in the error, which only a non-finite
/// number can cause.
package enum StableJSON {
    package static func encode(_ value: some Encodable, what: String,
                               snakeCaseKeys: Bool = false) throws(PDCostError) -> String {
        let encoder = JSONEncoder()
        if snakeCaseKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .internalError("could not encode the \(what): \(error)")
        }
    }
}
