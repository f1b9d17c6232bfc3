/// An ordered set of request or notification parameters with unique names.
///
/// Built from a query string and/or form body by ``FormCoding``; values are already decoded from
/// the request's charset. Lookups are by exact (case-sensitive) name, as on Alipay's gateway.
public struct Parameters: Sendable, Equatable, Sequence {
    public private(set) var pairs: [(name: String, value: String)]

    public init() { pairs = [] }

    /// Builds a set from pairs; a repeated name keeps its last value.
    public init(_ pairs: [(String, String)]) {
        self.pairs = []
        for (name, value) in pairs { self[name] = value }
    }

    public subscript(name: String) -> String? {
        get { pairs.first { $0.name == name }?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((name, newValue))
            }
        }
    }

    /// The value, or `nil` when the parameter is missing or empty (the spec treats both alike).
    public func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    public var names: [String] { pairs.map(\.name) }
    public var count: Int { pairs.count }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        pairs.makeIterator()
    }

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
