/// Writes RFC 4180 CSV, UTF-8 with a BOM so that Excel on Chinese Windows shows Chinese text
/// correctly (GDAL and Python's csv module both skip the BOM).
public final class CSVWriter {
    private let out: OutputBuffer

    public init(path: String, header: [String]) throws {
        out = try OutputBuffer(path: path)
        out.append("\u{FEFF}")
        writeRow(header)
    }

    public func writeRow(_ fields: [String]) { out.append(Self.row(fields)) }

    /// Rows already made with `row(_:)` (on another thread).
    public func write(rows text: String) { out.append(text) }

    /// One row as written: fields escaped, comma-separated, CRLF. Made as UTF-8 bytes, each
    /// field scanned and copied through its buffer: appended `String` by `String` a review row
    /// (30 fields, messages in two languages) cost ≈ 20 000 instructions.
    public static func row(_ fields: [String]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(2) { $0 + $1.utf8.count + 3 })
        for index in fields.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            var field = fields[index]
            field.withUTF8 { utf8 in
                guard needsQuotes(utf8) else { bytes.append(contentsOf: utf8); return }
                // Quoted, each quote byte doubled (by byte: a quote that a combining mark joins
                // into one Character is still a quote to a CSV reader).
                bytes.append(UInt8(ascii: "\""))
                for byte in utf8 {
                    bytes.append(byte)
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                }
                bytes.append(UInt8(ascii: "\""))
            }
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes a file starts with: BOM and header row (`merge` joins files after them).
    public static func headerBytes(_ header: [String]) -> [UInt8] { Array(("\u{FEFF}" + row(header)).utf8) }

    public func finish() throws { try out.close() }

    /// Whether a field is written quoted: when it holds a comma, a quote or a line break. Scans
    /// the UTF-8 bytes (these four are ASCII, never part of a multi-byte character); a scan by
    /// Character cost ~7 000 instructions a review row, and missed "\r\n", which is one
    /// Character equal to neither "\r" nor "\n".
    static func needsQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    }
}
