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
        let lines = splitRecords(text)
        guard let headerLine = lines.first(where: { !$0.text.trimmingWhitespace().isEmpty }) else { throw TableError.empty(file: file) }
        let delimiter = detectDelimiter(headerLine.text)
        let header = splitFields(headerLine.text, delimiter: delimiter).map { $0.trimmingWhitespace() }
        var rows: [Table.Row] = []
        for line in lines where line.number > headerLine.number {
            if line.text.trimmingWhitespace().isEmpty { continue }
            rows.append(Table.Row(cells: splitFields(line.text, delimiter: delimiter), location: "row \(line.number)", point: nil))
        }
        var table = Table(file: file, header: header, rows: rows, unitsRow: nil, encoding: encodingName, delimiter: delimiter)
        detectUnitsRow(&table)
        return table
    }

    /// Records with their 1-based starting line numbers; newlines inside quotes stay in a record.
    static func splitRecords(_ text: String) -> [(number: Int, text: String)] {
        var records: [(Int, String)] = []
        var current = ""
        var inQuotes = false
        var line = 1, start = 1
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character.isNewline && !inQuotes {  // "\r\n" is one Character
                records.append((start, current))
                current = ""
                line += 1
                start = line
                continue
            }
            if character.isNewline { line += 1 }
            current.append(character)
        }
        if !current.isEmpty { records.append((start, current)) }
        return records
    }

    static func detectDelimiter(_ header: String) -> Character {
        let candidates: [Character] = [",", ";", "\t", "|"]
        var counts: [Character: Int] = [:]
        var inQuotes = false
        for character in header {
            if character == "\"" { inQuotes.toggle() } else if !inQuotes, candidates.contains(character) { counts[character, default: 0] += 1 }
        }
        return candidates.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) } ?? ","
    }

    static func splitFields(_ line: String, delimiter: Character) -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var previousWasQuote = false
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false; previousWasQuote = true; continue }
                field.append(character)
            } else if character == "\"" {
                if previousWasQuote { field.append("\"") }  // "" inside quotes
                inQuotes = true
                previousWasQuote = false
            } else if character == delimiter {
                fields.append(field); field = ""; previousWasQuote = false
            } else {
                field.append(character); previousWasQuote = false
            }
        }
        fields.append(field)
        return fields
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
        try layer.forEachFeature { feature in
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
