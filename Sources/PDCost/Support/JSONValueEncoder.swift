/// Turns an Encodable value into a `JSONValue` (object keys sorted), so Codable documents are
/// written by `JSONWriter` like every other document. Optional members left out by
/// `encodeIfPresent` are absent, an explicit nil is `null`, and with `snakeCaseKeys` every
/// property key is converted exactly as Foundation's `.convertToSnakeCase` (the keys of a
/// `[String: T]` dictionary are data and stay as they are, as in Foundation).
package struct JSONValueEncoder {
    package var snakeCaseKeys: Bool

    package init(snakeCaseKeys: Bool = false) { self.snakeCaseKeys = snakeCaseKeys }

    package func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try scalar(value, into: root, encoder: NodeEncoder(node: root, codingPath: [], snakeCaseKeys: snakeCaseKeys))
        return root.value
    }

    /// Foundation's `convertToSnakeCase`: words start at an uppercase letter, a run of
    /// capitals is one word (`myURLValue` → `my_url_value`), the result is lowercased.
    package static func snakeCase(_ key: String) -> String {
        let chars = Array(key)
        guard !chars.isEmpty else { return key }
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = (search..<chars.count).first(where: { chars[$0].isUppercase }) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<chars.count).first(where: { chars[$0].isLowercase }) else {
                wordStart = upper
                search = chars.count
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            search = lower + 1
        }
        words.append(wordStart..<chars.count)
        return words.map { String(chars[$0]).lowercased() }.joined(separator: "_")
    }
}

/// One value under construction: a scalar, an object or an array of further nodes.
private final class Node {
    enum Content {
        case scalar(JSONValue)
        case object(keys: [String], members: [String: Node])
        case array([Node])
        case none
    }

    var content: Content = .none

    var value: JSONValue {
        switch content {
        case .scalar(let v): v
        case .object(let keys, let members):
            .object(keys.sorted().compactMap { key in members[key].map { (key: key, value: $0.value) } })
        case .array(let nodes): .array(nodes.map(\.value))
        case .none: .object([])
        }
    }

    func member(_ key: String) -> Node {
        var keys: [String] = [], members: [String: Node] = [:]
        if case .object(let k, let m) = content { keys = k; members = m }
        if let existing = members[key] {
            existing.content = .none
            return existing
        }
        let node = Node()
        keys.append(key)
        members[key] = node
        content = .object(keys: keys, members: members)
        return node
    }

    func makeObject() {
        if case .object = content { return }
        content = .object(keys: [], members: [:])
    }

    func append() -> Node {
        var nodes: [Node] = []
        if case .array(let n) = content { nodes = n }
        let node = Node()
        nodes.append(node)
        content = .array(nodes)
        return node
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    var count: Int {
        if case .array(let n) = content { return n.count }
        return 0
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private func scalar<T: Encodable>(_ value: T, into node: Node, encoder: NodeEncoder) throws {
    switch value {
    case let v as Double: node.content = .scalar(.number(v))
    case let v as Float: node.content = .scalar(.number(Double(v)))
    case let v as String: node.content = .scalar(.string(v))
    case let v as Bool: node.content = .scalar(.bool(v))
    case let v as Int: node.content = .scalar(.int(v))
    case let v as Int8: node.content = .scalar(.int(Int(v)))
    case let v as Int16: node.content = .scalar(.int(Int(v)))
    case let v as Int32: node.content = .scalar(.int(Int(v)))
    case let v as Int64: node.content = .scalar(.int(Int(v)))
    case let v as UInt: node.content = .scalar(.uint(UInt64(v)))
    case let v as UInt8: node.content = .scalar(.int(Int(v)))
    case let v as UInt16: node.content = .scalar(.int(Int(v)))
    case let v as UInt32: node.content = .scalar(.int(Int(v)))
    case let v as UInt64: node.content = .scalar(.uint(v))
    case let v as any StringKeyedDictionary: try v.encodeEntries(into: node, encoder: encoder)
    default:
        try value.encode(to: encoder)
    }
}

/// `[String: T]`: an object whose keys are written verbatim.
private protocol StringKeyedDictionary {
    func encodeEntries(into node: Node, encoder: NodeEncoder) throws
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    fileprivate func encodeEntries(into node: Node, encoder: NodeEncoder) throws {
        node.makeObject()
        for (key, value) in self {
            let child = node.member(key)
            try scalar(value, into: child, encoder: encoder.child(child, NameKey(key)))
        }
    }
}

private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    let snakeCaseKeys: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ node: Node, _ key: any CodingKey) -> NodeEncoder {
        NodeEncoder(node: node, codingPath: codingPath + [key], snakeCaseKeys: snakeCaseKeys)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        private func name(_ key: Key) -> String {
            encoder.snakeCaseKeys ? JSONValueEncoder.snakeCase(key.stringValue) : key.stringValue
        }

        mutating func encodeNil(forKey key: Key) throws {
            encoder.node.member(name(key)).content = .scalar(.null)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let node = encoder.node.member(name(key))
            try scalar(value, into: node, encoder: encoder.child(node, key))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                            forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let node = encoder.node.member(name(key))
            return encoder.child(node, key).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let node = encoder.node.member(name(key))
            return encoder.child(node, key).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let node = encoder.node.member("super")
            return encoder.child(node, IndexKey(0))
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            encoder.child(encoder.node.member(name(key)), key)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        var count: Int { encoder.node.count }

        mutating func encodeNil() throws { encoder.node.append().content = .scalar(.null) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let index = count
            let node = encoder.node.append()
            try scalar(value, into: node, encoder: encoder.child(node, IndexKey(index)))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let index = count
            return encoder.child(encoder.node.append(), IndexKey(index)).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let index = count
            return encoder.child(encoder.node.append(), IndexKey(index)).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let index = count
            return encoder.child(encoder.node.append(), IndexKey(index))
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.node.content = .scalar(.null) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try scalar(value, into: encoder.node, encoder: encoder)
        }
    }
}
