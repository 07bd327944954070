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

    /// One row as written: fields escaped, comma-separated, CRLF.
    public static func row(_ fields: [String]) -> String {
        var row = ""
        row.reserveCapacity(fields.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, field) in fields.enumerated() {
            if index > 0 { row += "," }
            if needsQuotes(field) { row += quoted(field) } else { row += field }
        }
        row += "\r\n"
        return row
    }

    /// The bytes a file starts with: BOM and header row (`merge` joins files after them).
    public static func headerBytes(_ header: [String]) -> [UInt8] { Array(("\u{FEFF}" + row(header)).utf8) }

    public func finish() throws { try out.close() }

    /// Whether a field is written quoted: when it holds a comma, a quote or a line break. Scans
    /// the UTF-8 bytes (these four are ASCII, never part of a multi-byte character); a scan by
    /// Character cost ~7 000 instructions a review row, and missed "\r\n", which is one
    /// Character equal to neither "\r" nor "\n".
    static func needsQuotes(_ field: String) -> Bool {
        field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    }

    private static func quoted(_ field: String) -> String { "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
