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
    public static func row(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") + "\r\n" }

    /// The bytes a file starts with: BOM and header row (`merge` joins files after them).
    public static func headerBytes(_ header: [String]) -> [UInt8] { Array(("\u{FEFF}" + row(header)).utf8) }

    public func finish() throws { try out.close() }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
