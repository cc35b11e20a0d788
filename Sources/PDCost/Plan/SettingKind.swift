/// Checking a setting's value against its row's kind, shared by every settings table (framework
/// settings for training, engine settings for serving): one set of conversions and messages.
extension FrameworkSettingField.Kind {
    /// The value, converted where JSON spells it loosely (an integral number for an integer
    /// field, an integer for a number field), or an error naming `key` and the value.
    public func validated(_ value: SettingValue, key: String) throws(PDCostError) -> SettingValue {
        switch (self, value) {
        case (.bool, .bool): return value
        case (.number(let range), .number(let x)):
            guard x.isFinite, range.contains(x) else {
                throw .invalidArgument("\(key)=\(JSONWriter.describe(x)) must be in [\(JSONWriter.describe(range.lowerBound)), \(JSONWriter.describe(range.upperBound))]")
            }
            return value
        case (.number, .integer(let i)): return try validated(.number(Double(i)), key: key)
        case (.integer(let range), .integer(let i)):
            guard range.contains(i) else {
                throw .invalidArgument("\(key)=\(i) must be in [\(range.lowerBound), \(range.upperBound)]")
            }
            return value
        case (.integer, .number(let x)):
            guard x.isFinite, x == x.rounded(), abs(x) < 1e15 else {
                throw .invalidArgument("\(key)=\(JSONWriter.describe(x)) must be an integer")
            }
            return try validated(.integer(Int(x)), key: key)
        case (.choice(let options), .text(let s)):
            guard options.contains(s) else {
                throw .invalidArgument("\(key)='\(s)' is not one of \(options.joined(separator: ", "))")
            }
            return value
        case (.text, .text): return value
        default:
            throw .invalidArgument("\(key)=\(value.json) must be \(typeName)")
        }
    }

    /// The type in words, for messages and help.
    public var typeName: String {
        switch self {
        case .bool: "true or false"
        case .number(let r): "a number in [\(JSONWriter.describe(r.lowerBound)), \(JSONWriter.describe(r.upperBound))]"
        case .integer(let r): "an integer in [\(r.lowerBound), \(r.upperBound)]"
        case .choice(let options): "one of " + options.joined(separator: ", ")
        case .text: "a string"
        }
    }
}
