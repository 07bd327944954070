import GeoKit

/// A row's values as its fields take them, in one byte buffer: per value a tag byte, then 8
/// little-endian bytes (an integer, a real, a boolean), or UTF-8 text and a NUL. Made on the
/// row-making threads (`RowPreparation`), read in place by the inserting one. As `[FieldValue]`
/// each text was a `String` of its own, allocated, retained, released and freed across the two
/// threads (docs/scaling.md, "Rows bound to one statement").
public struct FieldValues: Sendable, Equatable {
    /// A value read in place: a text's bytes are valid only inside `forEach`.
    public enum Value {
        case null
        case integer(Int64)
        case real(Double)
        case boolean(Bool)
        /// NUL-terminated UTF-8.
        case text(UnsafePointer<CChar>)
        /// Date, time or date-time text (`FieldValue.temporal`).
        case temporal(UnsafePointer<CChar>)
    }

    private enum Tag: UInt8 { case null = 0, integer, real, boolean, text, temporal }

    private var storage: JSONBytes
    public private(set) var count = 0
    /// The bytes the values take.
    public var byteCount: Int { storage.count }

    public init(capacity: Int = 0) { storage = JSONBytes(capacity: capacity) }

    public init(_ values: [FieldValue]) {
        self.init(capacity: values.count * 9)
        for value in values { append(value) }
    }

    public mutating func append(_ value: FieldValue) {
        switch value {
        case .null: appendNull()
        case .integer(let number): append(integer: number)
        case .real(let number): append(real: number)
        case .boolean(let flag): append(boolean: flag)
        case .string(let text): append(text: text)
        case .temporal(let text): appendText(tag: .temporal) { Self.write(text, into: &$0) }
        }
    }

    public mutating func appendNull() { tag(.null) }

    public mutating func append(integer: Int64) { tag(.integer); word(UInt64(bitPattern: integer)) }

    public mutating func append(real: Double) { tag(.real); word(real.bitPattern) }

    public mutating func append(boolean: Bool) { tag(.boolean); word(boolean ? 1 : 0) }

    /// Text up to its first NUL, as GDAL takes a field's text from a C string.
    public mutating func append(text: String) { appendText(tag: .text) { Self.write(text, into: &$0) } }

    /// Text written straight into the buffer (JSON made in place).
    mutating func appendText(_ write: (inout JSONBytes) -> Void) { appendText(tag: .text, write) }

    private mutating func appendText(tag: Tag, _ write: (inout JSONBytes) -> Void) {
        self.tag(tag)
        write(&storage)
        storage.append(byte: 0)
    }

    private static func write(_ text: String, into storage: inout JSONBytes) {
        var text = text
        text.withUTF8 { utf8 in
            let end = utf8.firstIndex(of: 0) ?? utf8.count
            storage.append(raw: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[..<end])))
        }
    }

    private mutating func tag(_ tag: Tag) {
        storage.append(byte: tag.rawValue)
        count += 1
    }

    private mutating func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { storage.append(raw: $0) }
    }

    /// Each value in order, with its place.
    public func forEach(_ body: (Int, Value) throws -> Void) rethrows {
        try forEach(body, thenWhileTextsAreValid: {})
    }

    /// Each value in order, with its place; then `after`, while the texts handed over are still
    /// valid (a statement that borrowed them runs there).
    public func forEach<T>(_ body: (Int, Value) throws -> Void, thenWhileTextsAreValid after: () throws -> T) rethrows -> T {
        try storage.withUnsafeBytes { bytes in
            var offset = 0
            for place in 0..<count {
                let tag = Tag(rawValue: bytes[offset])!
                offset += 1
                func word() -> UInt64 {
                    defer { offset += 8 }
                    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                }
                func text() -> UnsafePointer<CChar> {
                    let start = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                    while bytes[offset] != 0 { offset += 1 }
                    offset += 1
                    return start
                }
                switch tag {
                case .null: try body(place, .null)
                case .integer: try body(place, .integer(Int64(bitPattern: word())))
                case .real: try body(place, .real(Double(bitPattern: word())))
                case .boolean: try body(place, .boolean(word() != 0))
                case .text: try body(place, .text(text()))
                case .temporal: try body(place, .temporal(text()))
                }
            }
            return try after()
        }
    }

    /// The values as `FieldValue`s (tests, messages).
    public var decoded: [FieldValue] {
        var values: [FieldValue] = []
        forEach { _, value in
            switch value {
            case .null: values.append(.null)
            case .integer(let number): values.append(.integer(number))
            case .real(let number): values.append(.real(number))
            case .boolean(let flag): values.append(.boolean(flag))
            case .text(let text): values.append(.string(String(cString: text)))
            case .temporal(let text): values.append(.temporal(String(cString: text)))
            }
        }
        return values
    }

    public static func == (a: FieldValues, b: FieldValues) -> Bool {
        a.count == b.count && a.storage.withUnsafeBytes { x in b.storage.withUnsafeBytes { y in x.elementsEqual(y) } }
    }
}
