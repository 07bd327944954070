import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry

/// A table as read from a CSV, a spreadsheet sheet or an OGR layer: text cells with the header,
/// and for layers with point geometry, each row's point in WGS84.
///
/// The cells of all rows live in one UTF-8 buffer (`Cells`), not as a `String` each: an
/// irrigation table of millions of rows then takes a few bytes a cell, and a cell becomes a
/// `String` only when it is read.
public struct Table: Sendable {
    public var file: String
    public var header: [String]
    public var rows: [Row]
    /// A units row found under the header (e.g. "°, m, uS/cm, mg/L"), one cell per column.
    public var unitsRow: [String]?
    /// How the text was decoded ("UTF-8", "GBK (detected)", …).
    public var encoding: String
    public var delimiter: Character?
    var cells = Cells()
    /// What a row's number follows in its location: "row " (CSV), "sheet S row ", "feature ".
    var locationPrefix = "row "

    /// Small (a county's irrigation table has millions of rows; docs/scaling.md): a point
    /// layer's points are kept apart (`points`).
    public struct Row: Sendable {
        /// Index of the row's first cell in `Cells`, and how many it has.
        var firstCell: Int
        /// The line a spreadsheet shows (CSV, sheets) or the feature id (layers).
        public var number: Int
        var cellCount: Int32
        /// The row's place in `Table.points`, or -1.
        var pointIndex: Int32 = -1
    }

    /// WGS84 lon/lat from the layer's geometry of the rows of a point layer (`Row.pointIndex`).
    var points: [Position] = []

    /// The row's WGS84 lon/lat from the layer's geometry, when the table is a point layer.
    public func point(of row: Row) -> Position? { row.pointIndex >= 0 ? points[Int(row.pointIndex)] : nil }

    /// Every cell's text, one after another.
    struct Cells: Sendable {
        var bytes: [UInt8] = []
        /// Where each cell ends in `bytes` (it starts where the previous one ends).
        var ends: [Int] = []

        mutating func append<C: Collection<UInt8>>(_ cell: C) { bytes.append(contentsOf: cell); ends.append(bytes.count) }
        func text(_ index: Int) -> String {
            let start = index == 0 ? 0 : ends[index - 1]
            return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
        }

        /// `text(index).trimmingWhitespace()`, with the ASCII whitespace at the ends stripped
        /// from the bytes before a `String` is made (monitoring tables read every cell of
        /// millions of rows this way). When what is left begins or ends with a byte of a
        /// multi-byte character, which may be whitespace (U+3000) or a mark that joins the space
        /// before it into one Character, the `String` rule decides.
        func trimmedText(_ index: Int) -> String {
            var start = index == 0 ? 0 : ends[index - 1]
            var end = ends[index]
            return bytes.withUnsafeBufferPointer { bytes in
                @inline(__always) func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
                let whole = start..<end
                while start < end, isASCIISpace(bytes[start]) { start += 1 }
                while end > start, isASCIISpace(bytes[end - 1]) { end -= 1 }
                guard start < end else { return "" }
                guard bytes[start] < 0x80, bytes[end - 1] < 0x80 else {
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[whole]), as: UTF8.self).trimmingWhitespace()
                }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
        }
    }

    /// The row's cell at `column`; "" beyond the row's last cell.
    public func cell(_ row: Row, _ column: Int) -> String { column < Int(row.cellCount) ? cells.text(row.firstCell + column) : "" }
    /// The row's cell at `column` without the whitespace at its ends (`trimmingWhitespace`).
    public func trimmedCell(_ row: Row, _ column: Int) -> String { column < Int(row.cellCount) ? cells.trimmedText(row.firstCell + column) : "" }
    public func cells(of row: Row) -> [String] { (0..<Int(row.cellCount)).map { cells.text(row.firstCell + $0) } }
    /// "row 12" (the line a spreadsheet shows), "sheet Sheet1 row 5" or "feature 3".
    public func location(of row: Row) -> String { rowLocations(row.number) }
    /// Names rows by their number as `location(of:)` does, for those who keep a row's number
    /// rather than its location (an irrigation table's millions of pending rows).
    public var rowLocations: RowLocations { RowLocations(prefix: locationPrefix) }

    mutating func appendRow(_ cellTexts: [String], number: Int, point: Position? = nil) {
        let first = cells.ends.count
        for text in cellTexts { cells.append(text.utf8) }
        var row = Row(firstCell: first, number: number, cellCount: Int32(cellTexts.count))
        if let point {
            row.pointIndex = Int32(points.count)
            points.append(point)
        }
        rows.append(row)
    }
}

/// A table's rows named from their numbers: "row 12", "sheet Sheet1 row 5", "feature 3".
public struct RowLocations: Sendable {
    let prefix: String

    public func callAsFunction(_ number: Int) -> String {
        // Spelled out in a few bytes: `prefix + String(number)` was ≈ 500 instructions a row,
        // and an irrigation table has millions.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var position = digits.count, rest = number.magnitude
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            if number < 0 { position -= 1; digits[position] = UInt8(ascii: "-") }
            var text = prefix
            text.append(String(decoding: UnsafeBufferPointer(rebasing: digits[position...]), as: UTF8.self))
            return text
        }
    }
}

/// Things that stop the reading of a table.
public enum TableError: Error, Equatable, CustomStringConvertible {
    case cannotRead(file: String, reason: String)
    case undecodable(file: String)
    case empty(file: String)
    /// A quoted field runs to the end of the file (issue #23: it swallowed the rows after it).
    case unterminatedQuote(file: String, line: Int)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason): "cannot read \(file): \(reason)"
        case let .undecodable(file):
            "\(file) is neither UTF-8 nor GBK/GB18030 text; name its encoding with --table-encoding (e.g. --table-encoding GB18030) or save it as UTF-8"
        case let .empty(file): "\(file) has no header row"
        case let .unterminatedQuote(file, line):
            "\(file): the quote (\") that opens a field on line \(line) is never closed, so every line after it would be one cell; close it, or remove it if it is not meant to quote the field"
        }
    }
}

/// Reads tables: CSV/TXT/TSV with our own RFC 4180 parser (GDAL's CSV driver cannot take a GBK
/// file), spreadsheets and point layers through GDAL.
public enum TableReader {
    /// - Parameters:
    ///   - openOptions, attributeFilter: GDAL's `-oo` and `-where`, for sources read through GDAL
    ///     (spreadsheets, layers, databases). A CSV is read here, not by GDAL (its encoding is
    ///     detected, which GDAL's CSV driver does not do), so it takes neither.
    public static func read(_ path: String, encoding: String? = nil, layer: String? = nil,
                            openOptions: [String] = [], attributeFilter: String? = nil) throws -> Table {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") || lower.hasSuffix(".tsv") {
            guard openOptions.isEmpty && attributeFilter == nil else {
                throw TableError.cannotRead(file: path, reason: "open_options and where apply to sources GDAL reads (spreadsheets, layers, databases); a CSV is read by irrizone itself, with its encoding detected. Select the rows in the file, or convert it first (ogr2ogr -f GPKG table.gpkg \(path))")
            }
            // An empty file has no header (and FoundationEssentials' reader leaks its buffer on
            // one: LeakSanitizer under scripts/fuzz).
            if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 0 { throw TableError.empty(file: path) }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TableError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
            }
            return try parseCSV([UInt8](data), file: path, encoding: encoding)
        }
        // A sheet's first row is its header even when every cell is text (GDAL's AUTO would
        // then guess "no header"; the XLSX driver of GDAL 3.6 takes this only as a config option).
        return try GDALEnvironment.withThreadLocalConfig(["OGR_XLSX_HEADERS": "FORCE", "OGR_ODS_HEADERS": "FORCE"]) {
            try readLayer(path, layer: layer, openOptions: openOptions, attributeFilter: attributeFilter)
        }
    }

    // MARK: - CSV

    public static func parseCSV(_ raw: [UInt8], file: String, encoding: String?) throws -> Table {
        var bytes = raw[...]
        var encodingName = "UTF-8"
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3); encodingName = "UTF-8 (BOM)" }
        let text: String
        if let encoding {
            let gdalName = ParcelReader.gdalEncodingName(encoding)
            text = gdalName == "UTF-8" ? String(decoding: bytes, as: UTF8.self) : TextRecoding.decode(Array(bytes), from: gdalName)
            encodingName = "\(gdalName) (--table-encoding)"
        } else if bytes.withUnsafeBytes(TextEncodingCheck.isASCII) || String(validating: bytes, as: UTF8.self) != nil {
            // Valid UTF-8: parsed from the bytes as they are (no copy of the text). An ASCII file
            // (irrigation tables are) is not validated as a `String`, which copied all of it.
            return try parseRecords(bytes, file: file, encodingName: encodingName)
        } else if TextEncodingCheck.looksLikeGBK(Array(bytes)) {
            // GB18030 decodes every GBK file and more (Excel on Chinese Windows writes these).
            text = TextRecoding.decode(Array(bytes), from: "GB18030")
            encodingName = "GBK/GB18030 (detected)"
        } else {
            throw TableError.undecodable(file: file)
        }
        return try parseRecords(Array(text.utf8)[...], file: file, encodingName: encodingName)
    }

    /// RFC 4180 records over UTF-8 bytes: quoted fields may hold delimiters, `""` and newlines;
    /// CRLF and LF both end a record. The delimiter (`,` `;` tab `|`) is the most frequent one
    /// outside quotes in the first record. Lines are 1-based, as a spreadsheet shows them. The
    /// first record with any text is the header; records without text are skipped.
    static func parseRecords(_ bytes: ArraySlice<UInt8>, file: String, encodingName: String) throws -> Table {
        let delimiter = detectDelimiter(bytes)
        let delimiterByte = delimiter.asciiValue!
        var parser = RecordParser(table: Table(file: file, header: [], rows: [], unitsRow: nil, encoding: encodingName, delimiter: delimiter),
                                  delimiter: delimiterByte)
        // Room for every cell and row up front, from a count of line breaks and delimiters (an
        // upper bound: quoted ones are counted too). Grown by doubling, the arrays of an
        // irrigation table were copied into fresh memory again and again (a seventh of the
        // table thread's `perf` samples, most of them the kernel zeroing the new pages).
        bytes.withUnsafeBufferPointer { buffer in
            var lineBreaks = 0, delimiters = 0
            for byte in buffer {
                lineBreaks &+= byte == RecordParser.newline ? 1 : 0
                delimiters &+= byte == delimiterByte ? 1 : 0
            }
            parser.table.cells.bytes.reserveCapacity(buffer.count)
            parser.table.cells.ends.reserveCapacity(lineBreaks + delimiters + 1)
            parser.table.rows.reserveCapacity(lineBreaks + 1)
            parser.parse(buffer)
        }
        if let line = parser.unclosedQuoteLine { throw TableError.unterminatedQuote(file: file, line: line) }
        var table = parser.table
        let header = parser.header
        guard let header else { throw TableError.empty(file: file) }
        table.header = header
        detectUnitsRow(&table)
        return table
    }

    /// The state of `parseRecords` as it goes through the bytes (a value of its own: as
    /// variables captured by the loop's closure, every access was checked at run time).
    private struct RecordParser {
        var table: Table
        let delimiter: UInt8
        /// The first record with text, trimmed.
        var header: [String]? = nil
        var recordFirstCell = 0, recordHasText = false
        /// The field being read is `table.cells.bytes[fieldStart...]`: its bytes go straight
        /// into the table, a run of plain bytes at a time (a byte at a time into a field of its
        /// own, then copied, was ≈ 80 instructions a byte).
        var fieldStart = 0
        var inQuotes = false
        var line = 1, recordLine = 1
        /// The line on which the open quoted field began.
        var quoteLine = 1
        /// Set when the bytes end inside a quoted field: the line its quote opened.
        var unclosedQuoteLine: Int? = nil
        static let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

        init(table: Table, delimiter: UInt8) { self.table = table; self.delimiter = delimiter }

        mutating func endField() {
            // Blank records (only whitespace) are skipped, as `trimmingWhitespace` sees blanks.
            let end = table.cells.bytes.count
            if !recordHasText, end > fieldStart {
                var printable = false
                for index in fieldStart..<end where (0x21...0x7E).contains(table.cells.bytes[index]) { printable = true; break }
                recordHasText = printable || !String(decoding: table.cells.bytes[fieldStart..<end], as: UTF8.self).trimmingWhitespace().isEmpty
            }
            table.cells.ends.append(end)
            fieldStart = end
        }

        mutating func endRecord() {
            let count = table.cells.ends.count - recordFirstCell
            if recordHasText, header != nil {
                table.rows.append(Table.Row(firstCell: recordFirstCell, number: recordLine, cellCount: Int32(count)))
                recordFirstCell = table.cells.ends.count
            } else {
                if recordHasText { header = (0..<count).map { table.cells.text(recordFirstCell + $0).trimmingWhitespace() } }
                // The header, or a blank record: its cells are not kept.
                table.cells.ends.removeLast(count)
                table.cells.bytes.removeLast(table.cells.bytes.count - (table.cells.ends.last ?? 0))
                fieldStart = table.cells.bytes.count
            }
            recordHasText = false
        }

        mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) {
            let quote = Self.quote, newline = Self.newline, carriageReturn = Self.carriageReturn
            var index = 0
            while index < buffer.count {
                var end = index
                if inQuotes {
                    // Up to the next quote: `""` is a quote in the field, `"` alone ends the quotes.
                    while end < buffer.count, buffer[end] != quote {
                        if buffer[end] == newline { line += 1 }
                        end += 1
                    }
                    take(buffer, index..<end)
                    guard end < buffer.count else { break }
                    if end + 1 < buffer.count, buffer[end + 1] == quote { table.cells.bytes.append(quote); index = end + 2; continue }
                    inQuotes = false
                    index = end + 1
                    continue
                }
                while end < buffer.count {
                    let byte = buffer[end]
                    if byte == quote || byte == delimiter || byte == newline || byte == carriageReturn { break }
                    end += 1
                }
                take(buffer, index..<end)
                guard end < buffer.count else { break }
                let byte = buffer[end]
                if byte == quote {
                    // RFC 4180: a quote opens a quoted field only at the field's start (after
                    // blanks); inside a field it is a character (`12"`, an inch mark).
                    if isFieldStartBlank {
                        inQuotes = true
                        quoteLine = line
                    } else {
                        table.cells.bytes.append(quote)
                    }
                } else if byte == delimiter {
                    endField()
                } else {
                    if byte == carriageReturn, end + 1 < buffer.count, buffer[end + 1] == newline { end += 1 }
                    endField()
                    endRecord()
                    line += 1
                    recordLine = line
                }
                index = end + 1
            }
            if inQuotes { unclosedQuoteLine = quoteLine; return }
            if table.cells.bytes.count > fieldStart || table.cells.ends.count > recordFirstCell {
                endField()
                endRecord()
            }
        }

        /// Whether the field read so far holds only blanks (a quote there opens a quoted field).
        private var isFieldStartBlank: Bool {
            table.cells.bytes[fieldStart...].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        }

        private mutating func take(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            if !range.isEmpty { table.cells.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range])) }
        }
    }

    static func detectDelimiter(_ bytes: ArraySlice<UInt8>) -> Character {
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
        let firstCells = table.cells(of: first)
        let cells = firstCells.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard cells.count >= 3, !cells.contains(where: { Double($0) != nil }) else { return }
        let units = cells.filter { MeasurementUnit.parse($0) != nil }.count
        guard units >= 3, units * 3 >= cells.count else { return }
        table.unitsRow = firstCells
        table.rows.removeFirst()
    }

    // MARK: - Spreadsheets and layers (through GDAL)

    static func readLayer(_ path: String, layer name: String?, openOptions: [String] = [], attributeFilter: String? = nil) throws -> Table {
        GDALEnvironment.initialize()
        let dataset: Dataset
        do { dataset = try Dataset.open(ParcelReader.gdalPath(for: path), openOptions: openOptions) } catch {
            throw TableError.cannotRead(file: path, reason: error.message.isEmpty ? error.description : error.message)
        }
        let layers = dataset.layers
        guard let layer = name.map({ dataset.layer(named: $0) }) ?? layers.first(where: { ($0.featureCount() ?? 0) > 0 }) ?? layers.first else {
            throw TableError.cannotRead(file: path, reason: name.map { "no layer or sheet named \"\($0)\"" } ?? "no layer or sheet")
        }
        if let attributeFilter {
            // A sheet's rejects name its rows by their place, which a filter would shift.
            guard !["XLSX", "XLS", "ODS"].contains(dataset.driverName) else {
                throw TableError.cannotRead(file: path, reason: "where does not apply to a spreadsheet (its rows are named by their place in the sheet); filter the sheet itself, or convert it (ogr2ogr -f GPKG table.gpkg \(path))")
            }
            do { try layer.setAttributeFilter(attributeFilter) } catch {
                throw TableError.cannotRead(file: path, reason: "where \"\(attributeFilter)\" cannot filter layer \"\(layer.name)\": \(error.message.isEmpty ? error.description : error.message)")
            }
        }
        let header = layer.fields.map(\.name)
        let toWGS84 = try layer.spatialReference().map { try WGS84Transform(from: $0) }
        let isSpreadsheet = ["XLSX", "XLS", "ODS"].contains(dataset.driverName)
        var table = Table(file: path, header: header, rows: [], unitsRow: nil, encoding: "UTF-8 (\(dataset.driverName))", delimiter: nil)
        // Spreadsheet rows: the header is row 1, so feature n sits on row n + 1.
        table.locationPrefix = isSpreadsheet ? "sheet \(layer.name) row " : "feature "
        var index = 0
        try IngestError.readingFeatures(of: path) { try layer.forEachFeature { feature in
            index += 1
            var cells: [String] = []
            for i in 0..<header.count { cells.append(text(of: feature.value(at: i))) }
            var point: Position? = nil
            if let geometry = feature.geometry, geometry.type == .point, let toWGS84 {
                let (xs, ys) = geometry.points()
                point = xs.first.flatMap { x in toWGS84.transform(x: x, y: ys[0]) }
            }
            table.appendRow(cells, number: isSpreadsheet ? index + 1 : Int(feature.id ?? Int64(index)), point: point)
        } }
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
