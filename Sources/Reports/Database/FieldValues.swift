import GeoKit

/// A row's values as its fields take them, in one byte buffer: per value a tag byte, then 8
/// little-endian bytes (an integer, a real, a boolean), or UTF-8 text and a NUL. Made on the
/// row-making threads (`RowPreparation`), read in place by the inserting one, so a text is not a
/// `String` of its own (docs/scaling.md, "Rows bound to one statement").
public struct FieldValues: Sendable, Equatable {
    /// A value read in place: a text's bytes are valid only inside `forEach`.
    enum Value {
        case null
        case integer(Int64)
        case real(Double)
        case boolean(Bool)
        /// NUL-terminated UTF-8.
        case text(UnsafePointer<CChar>)
    }

    private enum Tag: UInt8 { case null = 0, integer, real, boolean, text }

    private var storage: JSONBytes
    public private(set) var count = 0
    /// The bytes the values take.
    public var byteCount: Int { storage.count }

    init(capacity: Int = 0) { storage = JSONBytes(capacity: capacity) }

    /// A property as the field takes it, as the GeoJSON writes it: lists and findings as JSON
    /// text, a rounded number rounded, a number that is not finite as null.
    mutating func append(_ property: PropertyValue) {
        switch property {
        case .null: appendNull()
        case .string(let text): append(text: text)
        case .number(let number): if number.isFinite { append(real: number) } else { appendNull() }
        case .fixed(let number, let decimals): if number.isFinite { append(real: Self.rounded(number, decimals: decimals)) } else { appendNull() }
        case .integer(let number): append(integer: number)
        case .boolean(let flag): append(boolean: flag)
        case .strings(let list):
            appendText { json in
                json.append(byte: UInt8(ascii: "["))
                for index in list.indices {
                    if index > 0 { json.append(byte: UInt8(ascii: ",")) }
                    json.appendJSONString(list[index])
                }
                json.append(byte: UInt8(ascii: "]"))
            }
        case .rawJSON(let json): append(text: json)
        case .findings(let findings): appendText { $0.appendFindings(findings) }
        }
    }

    mutating func appendNull() { tag(.null) }

    mutating func append(integer: Int64) { tag(.integer); word(UInt64(bitPattern: integer)) }

    mutating func append(real: Double) { tag(.real); word(real.bitPattern) }

    mutating func append(boolean: Bool) { tag(.boolean); word(boolean ? 1 : 0) }

    /// Text up to its first NUL, as GDAL takes a field's text from a C string.
    mutating func append(text: String) {
        appendText { storage in
            var text = text
            text.withUTF8 { utf8 in
                let end = utf8.firstIndex(of: 0) ?? utf8.count
                storage.append(raw: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[..<end])))
            }
        }
    }

    /// Text written straight into the buffer (JSON made in place).
    private mutating func appendText(_ write: (inout JSONBytes) -> Void) {
        tag(.text)
        write(&storage)
        storage.append(byte: 0)
    }

    private mutating func tag(_ tag: Tag) {
        storage.append(byte: tag.rawValue)
        count += 1
    }

    private mutating func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { storage.append(raw: $0) }
    }

    /// `value` rounded to `decimals` places as the GeoJSON writes it.
    static func rounded(_ value: Double, decimals: Int) -> Double {
        guard decimals >= 0, decimals <= 15 else { return value }
        let scale = FixedPoint.powersOfTen[decimals]
        return (value * scale).rounded() / scale
    }

    /// Each value in order, with its place.
    func forEach(_ body: (Int, Value) throws -> Void) rethrows {
        try forEach(body, thenWhileTextsAreValid: {})
    }

    /// Each value in order, with its place; then `after`, while the texts handed over are still
    /// valid (a statement that borrowed them runs there).
    func forEach<T>(_ body: (Int, Value) throws -> Void, thenWhileTextsAreValid after: () throws -> T) rethrows -> T {
        try storage.withUnsafeBytes { bytes in
            var offset = 0
            for place in 0..<count {
                let tag = Tag(rawValue: bytes[offset])!
                offset += 1
                func word() -> UInt64 {
                    defer { offset += 8 }
                    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                }
                switch tag {
                case .null: try body(place, .null)
                case .integer: try body(place, .integer(Int64(bitPattern: word())))
                case .real: try body(place, .real(Double(bitPattern: word())))
                case .boolean: try body(place, .boolean(word() != 0))
                case .text:
                    let start = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                    while bytes[offset] != 0 { offset += 1 }
                    offset += 1
                    try body(place, .text(start))
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
            }
        }
        return values
    }

    public static func == (a: FieldValues, b: FieldValues) -> Bool {
        a.count == b.count && a.storage.withUnsafeBytes { x in b.storage.withUnsafeBytes { y in x.elementsEqual(y) } }
    }
}
