import RunSupport
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

/// The field names of one input layer, shared by every parcel read from it.
public final class AttributeNames: Sendable {
    public let names: [String]
    public init(_ names: [String]) { self.names = names }
}

/// A feature's input attributes, kept for pass-through to the outputs, in one byte buffer with
/// the names held once per layer: as an array of `Attribute` they were most of a run's memory
/// after the geometry (docs/scaling.md, "A province"). The bytes may be
/// written to a `SpillFile` as they are read (`AttributeSpillWriter`), the record then saying
/// where they are, and read back for the outputs (`loaded`). Read in input order as `Attribute`
/// values.
public struct AttributeRecord: Sendable, Sequence, ExpressibleByArrayLiteral {
    /// The layer's field names, in input order.
    public let names: AttributeNames
    private var storage: Storage

    /// Per value a tag byte (`Tag`), then 8 bytes for a number, or a 4-byte length and the UTF-8
    /// bytes for text, little-endian; or where those bytes are in a spill file.
    private enum Storage: Sendable {
        case bytes([UInt8])
        case spilled(SpillFile, offset: Int64, length: Int32)
    }

    fileprivate enum Tag: UInt8 { case null = 0, integer, real, string, falseValue, trueValue }

    public init(names: AttributeNames, values: [AttributeValue]) {
        precondition(names.names.count == values.count, "one value per field of the layer")
        var bytes: [UInt8] = []
        Self.encode(values, into: &bytes)
        self.init(names: names, storage: .bytes(bytes))
    }

    /// Appends the values' bytes to `bytes`; returns how many.
    @discardableResult
    fileprivate static func encode(_ values: [AttributeValue], into bytes: inout [UInt8]) -> Int {
        var size = 0
        for value in values {
            switch value {
            case .null, .boolean: size += 1
            case .integer, .real: size += 9
            case .string(let text): size += 5 + text.utf8.count
            }
        }
        bytes.reserveCapacity(bytes.count + size)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        for value in values {
            switch value {
            case .null: bytes.append(Tag.null.rawValue)
            case .boolean(let flag): bytes.append((flag ? Tag.trueValue : Tag.falseValue).rawValue)
            case .integer(let number): bytes.append(Tag.integer.rawValue); append(number)
            case .real(let number): bytes.append(Tag.real.rawValue); append(number.bitPattern)
            case .string(let text):
                bytes.append(Tag.string.rawValue)
                append(UInt32(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            }
        }
        return size
    }

    /// A record whose values are in `file` at `offset`.
    fileprivate static func spilled(names: AttributeNames, file: SpillFile, offset: Int64, length: Int) -> AttributeRecord {
        AttributeRecord(names: names, storage: .spilled(file, offset: offset, length: Int32(length)))
    }

    private init(names: AttributeNames, storage: Storage) { self.names = names; self.storage = storage }

    /// Attributes given one by one (tests, records rebuilt from a partitioned run's files).
    public init(_ attributes: [Attribute]) {
        self.init(names: AttributeNames(attributes.map(\.name)), values: attributes.map(\.value))
    }

    public init(arrayLiteral attributes: Attribute...) { self = attributes.isEmpty ? .empty : AttributeRecord(attributes) }

    /// No attributes (a parcel rebuilt from a partitioned run's records): one shared value, not
    /// a names object per parcel.
    public static let empty = AttributeRecord(names: AttributeNames([]), values: [])

    public var count: Int { names.names.count }
    public var isEmpty: Bool { names.names.isEmpty }
    public var underestimatedCount: Int { count }
    /// Whether the values are in a spill file (read them with `loaded`).
    public var isSpilled: Bool { if case .spilled = storage { true } else { false } }

    // MARK: - Spilling

    /// The records with their values in memory again, those spilled read back from their files
    /// (records spilled together in one read).
    public static func loaded<C: Collection>(_ records: C) throws -> [AttributeRecord] where C.Element == AttributeRecord {
        var result: [AttributeRecord] = []
        result.reserveCapacity(records.count)
        var run: [(names: AttributeNames, offset: Int64, length: Int32)] = []
        var runFile: SpillFile?
        func readRun() throws {
            guard let file = runFile, let first = run.first, let last = run.last else { return }
            let bytes = try file.read(offset: first.offset, count: Int(last.offset - first.offset) + Int(last.length))
            for piece in run {
                let start = Int(piece.offset - first.offset)
                result.append(AttributeRecord(names: piece.names, storage: .bytes(Array(bytes[start..<(start + Int(piece.length))]))))
            }
            run.removeAll(keepingCapacity: true)
            runFile = nil
        }
        for record in records {
            switch record.storage {
            case .bytes:
                try readRun()
                result.append(record)
            case let .spilled(file, offset, length):
                // One read for records that follow each other in one file.
                if let last = run.last, runFile !== file || last.offset + Int64(last.length) != offset { try readRun() }
                runFile = file
                run.append((record.names, offset, length))
            }
        }
        try readRun()
        return result
    }

    // MARK: - Reading

    public func makeIterator() -> Iterator { Iterator(record: self) }

    /// The attributes in input order, each decoded as it is reached. The run's outputs read
    /// spilled records back with `loaded` (a chunk at a time, a failed read stopping the run);
    /// a spilled record read one by one is read back here, and a failed read there is fatal.
    public struct Iterator: IteratorProtocol {
        let names: [String]
        let bytes: [UInt8]
        private var field = 0, offset = 0

        init(record: AttributeRecord) {
            names = record.names.names
            switch record.storage {
            case .bytes(let bytes): self.bytes = bytes
            case let .spilled(file, offset, length):
                do { bytes = try file.read(offset: offset, count: Int(length)) } catch { preconditionFailure("\(error)") }
            }
        }

        public mutating func next() -> Attribute? {
            guard field < names.count else { return nil }
            let name = names[field]
            field += 1
            let (value, next) = AttributeRecord.value(in: bytes, at: offset)
            offset = next
            return Attribute(name: name, value: value)
        }
    }

    private static func value(in bytes: [UInt8], at offset: Int) -> (AttributeValue, next: Int) {
        bytes.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_: T.Type, at position: Int) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: T.self)) }
            switch Tag(rawValue: raw[offset]) {
            case .integer: return (.integer(load(Int64.self, at: offset + 1)), offset + 9)
            case .real: return (.real(Double(bitPattern: load(UInt64.self, at: offset + 1))), offset + 9)
            case .string:
                let length = Int(load(UInt32.self, at: offset + 1))
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(offset + 5)..<(offset + 5 + length)]), as: UTF8.self)
                return (.string(text), offset + 5 + length)
            case .falseValue: return (.boolean(false), offset + 1)
            case .trueValue: return (.boolean(true), offset + 1)
            case .null, nil: return (.null, offset + 1)
            }
        }
    }
}

/// Writes records' values to a spill file as they are made, a few megabytes at a time, so that no
/// parcel holds its own (the only writer of its file). Each record says where its values are and
/// is read back with `AttributeRecord.loaded` once `flush` has written them.
public struct AttributeSpillWriter {
    public let file: SpillFile
    private var buffer: [UInt8] = []
    /// Where the buffer's first byte goes in the file.
    private var bufferStart: Int64
    private static let bufferSize = 8 << 20

    public init(file: SpillFile) {
        self.file = file
        bufferStart = file.size
        buffer.reserveCapacity(Self.bufferSize)
    }

    public mutating func record(names: AttributeNames, values: [AttributeValue]) throws -> AttributeRecord {
        precondition(names.names.count == values.count, "one value per field of the layer")
        let offset = bufferStart + Int64(buffer.count)
        let length = AttributeRecord.encode(values, into: &buffer)
        if buffer.count >= Self.bufferSize { try flush() }
        return .spilled(names: names, file: file, offset: offset, length: length)
    }

    /// Writes what the buffer holds.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let start = try buffer.withUnsafeBytes { try file.append($0) }
        precondition(start == bufferStart, "another writer appended to the spill file")
        bufferStart += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
