/// Turns a `DecodingError` into one line that names the JSON field, so users see
/// `field 'hidden_size': expected Int, ...` instead of a Swift debug dump.
enum DecodingErrorDescription {
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "field '\(path(context.codingPath))': expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "missing required field '\(path(context.codingPath + [key]))'"
        case .dataCorrupted(let context):
            // A check of ours that ran inside decoding already names the field and value.
            if let own = context.underlyingError as? PDCostError { return own.message }
            let field = context.codingPath.isEmpty ? "" : "field '\(path(context.codingPath))': "
            return field + "invalid JSON: " + context.debugDescription
                + (context.underlyingError.map { " (\($0))" } ?? "")
        @unknown default:
            return "invalid JSON: \(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out.isEmpty ? "<root>" : out
    }
}
