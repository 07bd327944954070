/// An attribute value carried from an input layer to the outputs.
public enum AttributeValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case string(String)
    case boolean(Bool)

    /// The value as text, for fields used as identifiers or names; nil for null/empty.
    public var text: String? {
        switch self {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let s):
            let trimmed = s.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        case .boolean(let b): return b ? "true" : "false"
        }
    }

    /// The value as a number, when it is one (or text that parses as one).
    public var number: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v.isFinite ? v : nil
        case .string(let s): return Double(s.trimmingWhitespace())
        default: return nil
        }
    }
}

/// One named attribute of a parcel, in input order.
public struct Attribute: Sendable, Hashable {
    public let name: String
    public let value: AttributeValue
    public init(name: String, value: AttributeValue) { self.name = name; self.value = value }
}

extension String {
    /// Trims ASCII and ideographic (U+3000) white space, which Chinese DBFs pad with.
    public func trimmingWhitespace() -> String {
        // Fast path for the cells that dominate large tables (numbers, ids, Chinese names): both
        // ends printable ASCII or a CJK ideograph, so nothing to trim. Anything else takes the
        // Character-based path below (grapheme breaking, which showed in profiles of GBK layers).
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if (0x21...0x7E).contains(first) || Self.isIdeographLead(first),
           (0x21...0x7E).contains(last) || (utf8.count >= 3 && Self.isIdeographLead(utf8[utf8.index(utf8.endIndex, offsetBy: -3)])) {
            return self
        }
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\u{3000}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }

    /// The first byte of a three-byte UTF-8 scalar in U+4000–U+9FFF (CJK ideographs, the rest of
    /// extension A, Yijing hexagrams): never white space, never joined to a character before it.
    /// (A byte in E4–E9 three bytes from the end can only be such a lead byte: UTF-8 never puts
    /// one in the middle of a scalar.)
    private static func isIdeographLead(_ byte: UInt8) -> Bool { (0xE4...0xE9).contains(byte) }
}
