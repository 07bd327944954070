import GeoKit
import PlanarGeometry

/// The rows of one GeoPackage table this run created, bound to one prepared `INSERT` on GDAL's
/// own connection and transaction (`SQLiteStatement`), where GDAL makes an `OGRFeature` a row and
/// parses each geometry back (docs/scaling.md, "Rows bound to one statement").
///
/// What GDAL keeps about a table's rows is then ours to write, as GDAL 3.6.2 writes it
/// (`ogrgeopackagetablelayer.cpp`): the geometry blob's header with the envelope
/// (`GPkgGeometryFromOGR`), the row count in `gpkg_ogr_contents` and the extent and last change in
/// `gpkg_contents` (`SaveExtent`, `SaveTimestamp`), all before the commit. GDAL never sees these
/// rows, so it writes none of them itself; nothing may go through GDAL into this table after.
///
/// - Important: Not thread-safe: used on the dataset's thread only.
final class GeoPackageRows {
    let table: String
    private let dataset: Dataset
    private let typeOfField: [String: FieldType]
    /// The geometry column.
    private let column: String
    /// The `srs_id` GDAL gave the table; nil without geometry.
    private let srsID: Int32?
    /// The statement for the last row's field names (rows of a table come with the same names),
    /// and each name's field type.
    private var statement: (names: [String], types: [FieldType], insert: SQLiteStatement)?
    private var blob: [UInt8] = []
    /// Rows inserted, and the union of their boxes.
    private(set) var count = 0
    private var extent: BoundingBox?
    /// Each row's box with its fid, for the packed spatial index.
    private(set) var entries: [GeoPackageRTree.Entry] = []

    /// - Parameter spec: the table as created; GDAL must have created it in the file already
    ///   (`Layer.createPendingTable()`).
    init(_ spec: TableSpec, column: String, in dataset: Dataset) throws {
        table = spec.name
        self.dataset = dataset
        typeOfField = Dictionary(spec.fields.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        if spec.geometry == .none {
            srsID = nil
        } else {
            let query = try SQLiteStatement("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower('\(Self.escaped(table))')", on: dataset)
            defer { query.finish() }
            guard let id = try query.integer(), let srs = Int32(exactly: id) else {
                throw GDALError(code: 0, message: "GDAL registered no geometry column for the table", function: "gpkg_geometry_columns", context: "table \(table)")
            }
            srsID = srs
        }
        self.column = column
    }

    var hasGeometry: Bool { srsID != nil }

    /// Inserts `rows`, each value bound as the field's type takes it.
    func insert(_ rows: [PreparedRow]) throws {
        try rows.withUnsafeBufferPointer { rows in
            for index in rows.indices { try insert(rows[index]) }
        }
    }

    /// One row. Borrowed, and its values read in place from its bytes, the texts bound where they
    /// are: no copy of a value is made, retained or released (docs/scaling.md).
    private func insert(_ row: borrowing PreparedRow) throws {
        let (insert, types) = try self.insert(for: row.names)
        var mismatch: Int?
        let geometryPlace = Int32(row.names.count + 1)
        switch row.shape {
        case .none:
            if hasGeometry { try insert.bindNull(geometryPlace) }
        case .wkb(let wkb):
            guard let srsID else { throw GDALError(code: 0, message: "a geometry for a table without one", function: "INSERT", context: "table \(table)") }
            Self.geometryBlob(wkb: wkb, srsID: srsID, box: row.box, into: &blob)
            try blob.withUnsafeBytes { bytes throws in try insert.bind(blob: bytes, at: geometryPlace) }
        case .untransformable(let why):
            throw GDALError(code: 0, message: why, function: "OCTTransform", context: "a row of table \(table)")
        }
        let fid = try row.values.forEach({ place, value in
            if try !bind(value, as: types[place], at: Int32(place + 1), in: insert), mismatch == nil { mismatch = place }
        }, thenWhileTextsAreValid: { () throws -> Int64? in
            mismatch == nil ? try insert.run() : nil
        })
        guard let fid else {
            let place = mismatch ?? 0
            throw GDALError(code: 0, message: "field \(row.names[place]) is \(types[place]) but the row's value is \(row.values.decoded[place])",
                            function: "INSERT", context: "table \(table)")
        }
        count += 1
        if let box = row.box {
            extent = extent.map { $0.union(box) } ?? box
            if srsID != nil { entries.append(GeoPackageRTree.Entry(id: fid, box: box)) }
        }
    }

    /// Writes what GDAL would have kept about the rows: their count, the table's extent and its
    /// last change; checks that the table holds the rows 1…count it was given. Lets the statement go.
    func finish() throws {
        statement?.insert.finish()
        statement = nil
        let name = Self.escaped(table)
        let last = try SQLiteStatement("SELECT max(fid) FROM \"\(Self.quotedIdentifier(table))\"", on: dataset)
        defer { last.finish() }
        let highest = try last.integer() ?? 0
        guard highest == Int64(count) else {
            throw GDALError(code: 0, message: "\(count) rows were inserted but the last fid is \(highest)", function: "INSERT", context: "table \(table)")
        }
        // GDAL writes the count and the last change only when a row has been added.
        guard count > 0 else { return }
        try dataset.execute("UPDATE gpkg_ogr_contents SET feature_count = \(count) WHERE lower(table_name) = lower('\(name)')")
        if let extent {
            // SQLite's own printf, as GDAL's `sqlite3_mprintf("%.18g")`, so the stored numbers are GDAL's to the last bit.
            try dataset.execute("""
                UPDATE gpkg_contents SET min_x = CAST(printf('%.18g', \(extent.minX)) AS REAL), min_y = CAST(printf('%.18g', \(extent.minY)) AS REAL), \
                max_x = CAST(printf('%.18g', \(extent.maxX)) AS REAL), max_y = CAST(printf('%.18g', \(extent.maxY)) AS REAL) \
                WHERE lower(table_name) = lower('\(name)') AND lower(data_type) = 'features'
                """)
        }
        let now = GDALEnvironment.configOption("OGR_CURRENT_DATE").map { "'\(Self.escaped($0))'" } ?? "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
        try dataset.execute("UPDATE gpkg_contents SET last_change = \(now) WHERE lower(table_name) = lower('\(name)')")
    }

    private func insert(for names: [String]) throws -> (SQLiteStatement, [FieldType]) {
        if let statement, statement.names == names { return (statement.insert, statement.types) }
        statement?.insert.finish()
        let types = try names.map { name in
            guard let type = typeOfField[name] else { throw GDALError(code: 0, message: "no field \(name)", function: "INSERT", context: "table \(table)") }
            return type
        }
        let columns = (names + (hasGeometry ? [column] : [])).map { "\"\(Self.quotedIdentifier($0))\"" }
        let places = Array(repeating: "?", count: columns.count).joined(separator: ",")
        let insert = try SQLiteStatement("INSERT INTO \"\(Self.quotedIdentifier(table))\" (\(columns.joined(separator: ","))) VALUES (\(places))", on: dataset)
        statement = (names, types, insert)
        return (insert, types)
    }

    /// A value as GDAL stores it in a field of the table's type; false for a value of another
    /// kind, which GDAL would have converted, some silently and not losslessly (text read as 0 in
    /// a real field, a real truncated in an integer one): the caller stops the write, naming the field.
    private func bind(_ value: FieldValues.Value, as type: FieldType, at place: Int32, in insert: SQLiteStatement) throws -> Bool {
        switch value {
        case .null: try insert.bindNull(place)
        case .text(let text):
            guard type == .string || type == .json else { return false }
            try insert.bind(borrowedText: text, at: place)
        case .integer(let number):
            switch type {
            case .integer64, .integer: try insert.bind(number, at: place)
            case .real: try insert.bind(Double(number), at: place)
            default: return false
            }
        case .real(let number):
            guard type == .real else { return false }
            try insert.bind(number, at: place)
        case .boolean(let flag):
            guard type == .boolean || type == .integer || type == .integer64 else { return false }
            try insert.bind(Int64(flag ? 1 : 0), at: place)
        }
        return true
    }

    /// A GeoPackage geometry blob as GDAL 3.6 writes it (`GPkgGeometryFromOGR`): "GP", version 0,
    /// flags (little-endian; an XY envelope unless a point or empty), the srs_id, the envelope as
    /// minX, maxX, minY, maxY, then the ISO WKB.
    static func geometryBlob(wkb: [UInt8], srsID: Int32, box: BoundingBox?, into blob: inout [UInt8]) {
        blob.removeAll(keepingCapacity: true)
        let isPoint = wkb.count >= 5 && wkb[0] == 1 && wkb[1] == 1 && wkb[2] == 0 && wkb[3] == 0 && wkb[4] == 0
        let envelope = isPoint ? nil : box
        let emptyFlag: UInt8 = box == nil ? 0x10 : 0
        blob.append(contentsOf: [0x47, 0x50, 0, emptyFlag | (envelope == nil ? 0 : 0x02) | 0x01])
        withUnsafeBytes(of: srsID.littleEndian) { blob.append(contentsOf: $0) }
        if let envelope {
            for value in [envelope.minX, envelope.maxX, envelope.minY, envelope.maxY] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { blob.append(contentsOf: $0) }
            }
        }
        blob.append(contentsOf: wkb)
    }

    private static func escaped(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }
    private static func quotedIdentifier(_ name: String) -> String { name.replacingOccurrences(of: "\"", with: "\"\"") }
}
