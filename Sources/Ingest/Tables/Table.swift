import Foundation
import GeoKit
import IrrigationModel

/// A table as read from a CSV, a spreadsheet sheet or an OGR layer: text cells with the header,
/// and for layers with point geometry, each row's point in WGS84.
public struct Table: Sendable {
    public var file: String
    public var header: [String]
    public var rows: [Row]
    /// A units row found under the header (e.g. "°, m, uS/cm, mg/L"), one cell per column.
    public var unitsRow: [String]?
    /// How the text was decoded ("UTF-8", "GBK (detected)", …).
    public var encoding: String
    public var delimiter: Character?

    public struct Row: Sendable {
        public var cells: [String]
        /// "row 12" (the line a spreadsheet shows), or "feature 3".
        public var location: String
        /// WGS84 lon/lat from the layer's geometry, when the table is a point layer.
        public var point: Position?
    }
}

/// Things that stop the reading of a table.
public enum TableError: Error, CustomStringConvertible {
    case cannotRead(file: String, reason: String)
    case undecodable(file: String)
    case empty(file: String)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason): "cannot read \(file): \(reason)"
        case let .undecodable(file):
            "\(file) is neither UTF-8 nor GBK/GB18030 text; name its encoding with --table-encoding (e.g. --table-encoding GB18030) or save it as UTF-8"
        case let .empty(file): "\(file) has no header row"
        }
    }
}

/// Reads tables: CSV/TXT/TSV with our own RFC 4180 parser (GDAL's CSV driver cannot take a GBK
/// file), spreadsheets and point layers through GDAL.
public enum TableReader {
    public static func read(_ path: String, encoding: String? = nil, layer: String? = nil) throws -> Table {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") || lower.hasSuffix(".tsv") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TableError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
            }
            return try parseCSV([UInt8](data), file: path, encoding: encoding)
        }
        // A sheet's first row is its header even when every cell is text (GDAL's AUTO would
        // then guess "no header"; the XLSX driver of GDAL 3.6 takes this only as a config option).
        return try GDALEnvironment.withThreadLocalConfig(["OGR_XLSX_HEADERS": "FORCE", "OGR_ODS_HEADERS": "FORCE"]) {
            try readLayer(path, layer: layer)
        }
    }

    // MARK: - CSV

    static func parseCSV(_ raw: [UInt8], file: String, encoding: String?) throws -> Table {
        var bytes = raw[...]
        var encodingName = "UTF-8"
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3); encodingName = "UTF-8 (BOM)" }
        let text: String
        if let encoding {
            let gdalName = ParcelReader.gdalEncodingName(encoding)
            text = gdalName == "UTF-8" ? String(decoding: bytes, as: UTF8.self) : TextRecoding.decode(Array(bytes), from: gdalName)
            encodingName = "\(gdalName) (--table-encoding)"
        } else if let utf8 = String(validating: bytes, as: UTF8.self) {
            text = utf8
        } else if TextEncodingCheck.looksLikeGBK(Array(bytes)) {
            // GB18030 decodes every GBK file and more (Excel on Chinese Windows writes these).
            text = TextRecoding.decode(Array(bytes), from: "GB18030")
            encodingName = "GBK/GB18030 (detected)"
        } else {
            throw TableError.undecodable(file: file)
        }
        let records = parseRecords(Array(text.utf8))
        guard let headerIndex = records.firstIndex(where: { !$0.fields.allSatisfy { $0.trimmingWhitespace().isEmpty } }) else {
            throw TableError.empty(file: file)
        }
        let delimiter = records[headerIndex].delimiter
        let header = records[headerIndex].fields.map { $0.trimmingWhitespace() }
        var rows: [Table.Row] = []
        rows.reserveCapacity(records.count)
        for record in records[(headerIndex + 1)...] where !record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }) {
            rows.append(Table.Row(cells: record.fields, location: "row \(record.line)", point: nil))
        }
        var table = Table(file: file, header: header, rows: rows, unitsRow: nil, encoding: encodingName, delimiter: delimiter)
        detectUnitsRow(&table)
        return table
    }

    struct Record { var line: Int; var fields: [String]; var delimiter: Character }

    /// RFC 4180 records over UTF-8 bytes: quoted fields may hold delimiters, `""` and newlines;
    /// CRLF and LF both end a record. The delimiter (`,` `;` tab `|`) is the most frequent one
    /// outside quotes in the first record. Lines are 1-based, as a spreadsheet shows them.
    static func parseRecords(_ bytes: [UInt8]) -> [Record] {
        let delimiter = detectDelimiter(bytes)
        let delimiterByte = delimiter.asciiValue!
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1, recordLine = 1
        var index = 0
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote { field.append(quote); index += 2; continue }
                    inQuotes = false
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
            } else if byte == quote {
                inQuotes = true
            } else if byte == delimiterByte {
                endField()
            } else if byte == newline || byte == carriageReturn {
                if byte == carriageReturn, index + 1 < bytes.count, bytes[index + 1] == newline { index += 1 }
                endField()
                records.append(Record(line: recordLine, fields: fields, delimiter: delimiter))
                fields.removeAll(keepingCapacity: true)
                line += 1
                recordLine = line
            } else {
                field.append(byte)
            }
            index += 1
        }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields, delimiter: delimiter))
        }
        return records
    }

    static func detectDelimiter(_ bytes: [UInt8]) -> Character {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if !inQuotes && (byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")) { break }
            if !inQuotes, let i = candidates.firstIndex(of: byte) { counts[i] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
        return Character(Unicode.Scalar(candidates[counts[best] > 0 ? best : 0]))
    }

    /// A second header line of units (as in lab exports): no cell is a number and several are units.
    static func detectUnitsRow(_ table: inout Table) {
        guard let first = table.rows.first else { return }
        let cells = first.cells.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard cells.count >= 3, !cells.contains(where: { Double($0) != nil }) else { return }
        let units = cells.filter { MeasurementUnit.parse($0) != nil }.count
        guard units >= 3, units * 3 >= cells.count else { return }
        table.unitsRow = first.cells
        table.rows.removeFirst()
    }

    // MARK: - Spreadsheets and layers (through GDAL)

    static func readLayer(_ path: String, layer name: String?) throws -> Table {
        GDALEnvironment.initialize()
        let dataset: Dataset
        do { dataset = try Dataset.open(ParcelReader.gdalPath(for: path)) } catch {
            throw TableError.cannotRead(file: path, reason: error.message.isEmpty ? error.description : error.message)
        }
        let layers = dataset.layers
        guard let layer = name.map({ dataset.layer(named: $0) }) ?? layers.first(where: { ($0.featureCount() ?? 0) > 0 }) ?? layers.first else {
            throw TableError.cannotRead(file: path, reason: name.map { "no layer or sheet named \"\($0)\"" } ?? "no layer or sheet")
        }
        let header = layer.fields.map(\.name)
        let toWGS84 = try layer.spatialReference().map { try CoordinateTransformation(from: $0, to: try SpatialReference.wgs84()) }
        let isSpreadsheet = ["XLSX", "XLS", "ODS"].contains(dataset.driverName)
        var rows: [Table.Row] = []
        var index = 0
        layer.forEachFeature { feature in
            index += 1
            var cells: [String] = []
            for i in 0..<header.count { cells.append(text(of: feature.value(at: i))) }
            var point: Position? = nil
            if let geometry = feature.geometry, geometry.type == .point, let toWGS84 {
                let (xs, ys) = geometry.points()
                if let p = xs.first.flatMap({ x in toWGS84.transform(x: x, y: ys[0]) }) { point = Position(x: p.x, y: p.y) }
            }
            // Spreadsheet rows: the header is row 1, so feature n sits on row n + 1.
            let location = isSpreadsheet ? "sheet \(layer.name) row \(index + 1)" : "feature \(feature.id ?? Int64(index))"
            rows.append(Table.Row(cells: cells, location: location, point: point))
        }
        var table = Table(file: path, header: header, rows: rows, unitsRow: nil, encoding: "UTF-8 (\(dataset.driverName))", delimiter: nil)
        detectUnitsRow(&table)
        return table
    }

    /// A field value as the text a table cell would hold.
    public static func text(of value: FieldValue) -> String {
        switch value {
        case .null: ""
        case .integer(let v): String(v)
        case .real(let v): v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let s), .temporal(let s): s
        case .boolean(let b): b ? "true" : "false"
        }
    }
}
