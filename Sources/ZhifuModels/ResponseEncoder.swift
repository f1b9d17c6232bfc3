import ZhifuProtocol

/// A method's response object as one Codable type: the gateway encodes it with
/// ``ResponseEncoder``, ZhifuSDK decodes it with `JSONDecoder` (`convertFromSnakeCase`).
public protocol OpenAPIResponseModel: Codable, Sendable {}

/// Encodes a response model into the ordered members of Alipay's response object: properties in
/// declaration order under their snake_case names, absent optionals left out, text and amounts as
/// JSON strings (as Alipay writes them), flags as JSON booleans, nested models as objects and arrays.
public enum ResponseEncoder {
    public enum Failure: Error, Equatable {
        /// A value Alipay's responses never carry (a bare number or a null): a model's mistake.
        case unsupported(String)
    }

    public static func fields(_ model: some Encodable) throws -> [(String, OpenAPIJSON)] {
        let slot = Slot()
        try model.encode(to: SlotEncoder(slot: slot, codingPath: []))
        // A method whose response has no members of its own (mybank.payment.trade.order.create) is an empty object.
        guard case .object(let members) = slot.json ?? .object([]) else { throw Failure.unsupported("a response is an object") }
        return members
    }
}

/// Where one value is being built; objects and arrays hold their members' slots, in order.
private final class Slot {
    enum Content {
        case empty
        case value(OpenAPIJSON)
        case object([(String, Slot)])
        case array([Slot])
    }

    var content = Content.empty

    var json: OpenAPIJSON? {
        switch content {
        case .empty: nil
        case .value(let value): value
        case .object(let members): .object(members.compactMap { name, slot in slot.json.map { (name, $0) } })
        case .array(let items): .array(items.compactMap(\.json))
        }
    }

    func member(_ name: String) -> Slot {
        if case .empty = content { content = .object([]) }
        guard case .object(var members) = content else { return Slot() }
        if let existing = members.first(where: { $0.0 == name }) { return existing.1 }
        let slot = Slot()
        members.append((name, slot))
        content = .object(members)
        return slot
    }

    func appended() -> Slot {
        if case .empty = content { content = .array([]) }
        guard case .array(var items) = content else { return Slot() }
        let slot = Slot()
        items.append(slot)
        content = .array(items)
        return slot
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }
}

private struct SlotEncoder: Encoder, SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = slot.content { slot.content = .object([]) }
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = slot.content { slot.content = .array([]) }
        return UnkeyedSlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func unsupported() -> ResponseEncoder.Failure {
        .unsupported(codingPath.map { WireName.snake($0.stringValue) }.joined(separator: "."))
    }

    func encodeNil() throws { throw unsupported() }
    func encode(_ value: Bool) throws { slot.content = .value(.bool(value)) }
    func encode(_ value: String) throws { slot.content = .value(.string(value)) }
    func encode(_ value: Double) throws { throw unsupported() }
    func encode(_ value: Float) throws { throw unsupported() }
    func encode(_ value: Int) throws { throw unsupported() }
    func encode(_ value: Int8) throws { throw unsupported() }
    func encode(_ value: Int16) throws { throw unsupported() }
    func encode(_ value: Int32) throws { throw unsupported() }
    func encode(_ value: Int64) throws { throw unsupported() }
    func encode(_ value: UInt) throws { throw unsupported() }
    func encode(_ value: UInt8) throws { throw unsupported() }
    func encode(_ value: UInt16) throws { throw unsupported() }
    func encode(_ value: UInt32) throws { throw unsupported() }
    func encode(_ value: UInt64) throws { throw unsupported() }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: self) }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    var codingPath: [any CodingKey]

    func encoder(_ key: Key) -> SlotEncoder { SlotEncoder(slot: slot.member(WireName.snake(key.stringValue)), codingPath: codingPath + [key]) }

    mutating func encodeNil(forKey key: Key) throws { throw encoder(key).unsupported() }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try value.encode(to: encoder(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder(key).unkeyedContainer() }
    /// A model made of other models writes their members into the same object.
    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SlotEncoder(slot: slot, codingPath: codingPath) }
}

private struct UnkeyedSlots: UnkeyedEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey]
    var count: Int { slot.count }

    func next() -> SlotEncoder { SlotEncoder(slot: slot.appended(), codingPath: codingPath) }

    mutating func encodeNil() throws { throw next().unsupported() }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { next() }
}
