import FoundationEssentials

/// Pretty, key-sorted JSON with snake_case keys: the form of every document pdcost writes for
/// people to read and commit (profiles, calibration reports, the CUDA probe), so diffs are
/// stable. `what` names the document in the error, which only a non-finite number can cause.
enum SnakeCaseJSON {
    static func encode(_ value: some Encodable, what: String) throws(PDCostError) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .internalError("could not encode the \(what): \(error)")
        }
    }
}
