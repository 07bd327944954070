import GeoKit
import IrrigationModel
import PlanarGeometry

/// A row of an output table: its geometry (WGS84, as the run holds it) and its properties.
public struct TableRow: Sendable {
    public enum Shape: Sendable {
        case none
        case area(MultiPolygon)
        case point(Position)
    }
    public var shape: Shape
    public var properties: [(String, PropertyValue)]

    public init(shape: Shape, properties: [(String, PropertyValue)]) {
        self.shape = shape; self.properties = properties
    }
}

/// One table of a run's results in a GDAL dataset (a GeoPackage or PostGIS): its name, the
/// geometry it holds and its fields, each with the type it declares.
public struct TableSpec: Sendable {
    public var name: String
    public var geometry: GeometryKind
    public var fields: [FieldDefinition]

    public init(name: String, geometry: GeometryKind, fields: [FieldDefinition]) {
        self.name = name; self.geometry = geometry; self.fields = fields
    }

    /// The field type an output field declares (`OutputSchema`): lists and findings as JSON.
    public static func fieldType(_ kind: OutputField.Kind) -> FieldType {
        switch kind {
        case .text: .string
        case .texts, .json: .json
        case .integer: .integer64
        case .real: .real
        case .boolean: .boolean
        }
    }

    /// The type a value asks for, for fields no schema declares (a source's per-class statuses,
    /// the parcels' own attributes); nil for a null, which decides nothing.
    public static func fieldType(of value: PropertyValue) -> FieldType? {
        switch value {
        case .null: nil
        case .string: .string
        case .number, .fixed: .real
        case .integer: .integer64
        case .boolean: .boolean
        case .strings, .rawJSON, .findings: .json
        }
    }

    /// Fields for `names` in order: a declared type where `declared` has one, else the type of the
    /// first non-null value among `rows`, else text.
    public static func fields(named names: [String], declared: [String: FieldType], rows: [TableRow]) -> [FieldDefinition] {
        var inferred: [String: FieldType] = [:]
        let open = Set(names).subtracting(declared.keys)
        for row in rows where inferred.count < open.count {
            for (name, value) in row.properties where open.contains(name) && inferred[name] == nil {
                if let type = fieldType(of: value) { inferred[name] = type }
            }
        }
        return names.map { FieldDefinition(name: $0, type: declared[$0] ?? inferred[$0] ?? .string) }
    }
}

/// Writes a run's tables into one GDAL dataset, geometry in the survey's CRS.
///
/// - Important: Not thread-safe: made, used and closed on one thread (`reference/peers.md` C.2).
public final class FeatureTables {
    public let dataset: Dataset
    private let srs: SpatialReference
    private let layerOptions: [String]
    private var layers: [String: Layer] = [:]
    /// Per table, the field names of the last row inserted and each one's field index: a table's
    /// rows come with the same names in the same order, and GDAL finds a field by name with a
    /// scan of the fields (docs/scaling.md, "Fast paths").
    private var fieldIndices: [String: (names: [String], indices: [Int])] = [:]
    /// How rows are made ready for these tables on any thread (`insert(prepared:into:)`).
    public let preparation: RowPreparation
    /// Whether this is a GeoPackage written whole in one run: the tables created here get their
    /// rows bound to one statement each (`GeoPackageRows`) and their spatial index packed
    /// (`GeoPackageRTree`), where GDAL makes a feature a row and fills the index a row at a time
    /// when the file is closed.
    private let writesWholeGeoPackage: Bool
    /// Every table's geometry column.
    static let geometryColumn = "geom"
    /// Per table created here in a whole GeoPackage, its rows' writer, made at its first rows (as
    /// GDAL puts a new table in the file at its first use, so the file lists the tables in that order).
    private var boundRows: [String: GeoPackageRows] = [:]
    private var unboundTables: [String: TableSpec] = [:]
    /// `finishTables()` has run: the whole GeoPackage takes no more tables or rows.
    private var tablesFinished = false

    /// - Parameters:
    ///   - surveyCRSWKT: the parcels' CRS; geometry is written in it.
    ///   - wholeGeoPackage: for a GeoPackage written whole in one run: the tables created here are
    ///     written by this run only, and finished by `finishTables()`, which the caller must call
    ///     before committing.
    public init(dataset: Dataset, surveyCRSWKT: String, wholeGeoPackage: Bool = false) throws {
        self.dataset = dataset
        // Without GDAL's SQLite connection (another GDAL), GDAL writes the rows and the index.
        self.writesWholeGeoPackage = wholeGeoPackage && dataset.driverName == "GPKG" && dataset.hasSQLiteConnection
        // The survey's CRS by its EPSG code where PROJ identifies it (an ESRI .prj has none), so
        // the GeoPackage's srs_id and the PostGIS SRID are the code analysts know (4547, not 100000).
        let survey = try SpatialReference(userInput: surveyCRSWKT)
        if let code = survey.authorityCode, code.hasPrefix("EPSG:"), let number = Int(code.dropFirst(5)) {
            srs = try SpatialReference(epsg: number)
        } else {
            srs = survey
        }
        let wgs84 = try SpatialReference.wgs84()
        let fromWGS84 = srs.isSame(as: wgs84) ? nil : try CoordinateTransformation(from: wgs84, to: srs)
        preparation = RowPreparation(fromWGS84: try fromWGS84.map(SharedCoordinateTransformation.init), crsName: srs.name, runID: nil)
        let geometryName = "GEOMETRY_NAME=\(Self.geometryColumn)"
        layerOptions = dataset.driverName == "PostgreSQL" ? [geometryName, "FID=fid", "SPATIAL_INDEX=GIST"]
            : [geometryName, "FID=fid", "SPATIAL_INDEX=YES"]
    }

    /// Opens the table, adding the fields it lacks, or creates it. Done before the run's
    /// transaction: a table and its columns are the database's shape, not the run's data.
    public func prepare(_ spec: TableSpec) throws {
        precondition(!tablesFinished, "table \(spec.name) prepared after finishTables()")
        if let layer = dataset.layer(named: spec.name) {
            for field in spec.fields where !layer.hasField(named: field.name) { try layer.createField(field) }
            layers[spec.name] = layer
            return
        }
        let options = spec.geometry == .none ? ["FID=fid"]
            : writesWholeGeoPackage ? layerOptions.map { $0.hasPrefix("SPATIAL_INDEX=") ? "SPATIAL_INDEX=NO" : $0 } : layerOptions
        let layer = try dataset.createLayer(named: spec.name, srs: spec.geometry == .none ? nil : srs, geometryType: spec.geometry,
                                            options: options)
        for field in spec.fields { try layer.createField(field) }
        layers[spec.name] = layer
        if writesWholeGeoPackage { unboundTables[spec.name] = spec }
    }

    /// Inserts rows into a prepared table; a property the table has no field for is an error
    /// (the table was prepared from the same rows' names).
    public func insert(_ rows: [TableRow], into table: String) throws {
        var previous: PreparedRow?
        try insert(prepared: rows.map { row in
            let prepared = preparation.prepare(row, after: previous)
            previous = prepared
            return prepared
        }, into: table)
    }

    /// Inserts rows made ready by `preparation` (on any thread) into a prepared table.
    public func insert(prepared rows: [PreparedRow], into table: String) throws {
        precondition(!tablesFinished, "rows for table \(table) after finishTables()")
        if let bound = try boundRows[table] ?? bind(table) { return try bound.insert(rows) }
        guard let layer = layers[table] else { preconditionFailure("table \(table) not prepared") }
        for row in rows {
            let feature = layer.makeFeature()
            let indices = try self.indices(of: row.names, in: feature, table: table)
            row.values.forEach { offset, value in
                switch value {
                case .null: feature.set(.null, at: indices[offset])
                case .integer(let number): feature.set(.integer(number), at: indices[offset])
                case .real(let number): feature.set(.real(number), at: indices[offset])
                case .boolean(let flag): feature.set(.boolean(flag), at: indices[offset])
                case .text(let text): feature.setText(text, at: indices[offset])
                }
            }
            switch row.shape {
            case .none: break
            case .wkb(let bytes): try feature.setGeometry(try Geometry(wkb: bytes))
            case .untransformable(let why): throw GDALError(code: 0, message: why, function: "OCTTransform", context: "a row of table \(table)")
            }
            try layer.create(feature)
        }
    }

    /// The rows a table holds: for one of a whole GeoPackage, those inserted (`finishTables()`
    /// checked the table holds them), else what GDAL counts.
    public func rowCount(of table: String) -> Int {
        if let bound = boundRows[table] { return bound.count }
        return dataset.layer(named: table)?.featureCount(forceScan: true) ?? 0
    }

    /// Finishes the tables of a whole GeoPackage (`wholeGeoPackage`) inside the open transaction:
    /// what GDAL keeps about their rows (count, extent, last change) and their packed spatial
    /// indexes.
    public func finishTables() throws {
        // A table that got no rows still gets its (empty) index.
        for table in unboundTables.keys.sorted() { _ = try bind(table) }
        tablesFinished = true
        for table in boundRows.keys.sorted() {
            guard let bound = boundRows[table] else { continue }
            try bound.finish()
            if bound.hasGeometry {
                try GeoPackageRTree.write(bound.entries, table: table, column: Self.geometryColumn, into: dataset)
            }
        }
    }

    /// A whole GeoPackage's table, put in the file and given its rows' writer; nil for a table
    /// of another dataset or one already bound.
    private func bind(_ table: String) throws -> GeoPackageRows? {
        guard let spec = unboundTables.removeValue(forKey: table) else { return nil }
        layers[table]?.createPendingTable()
        let bound = try GeoPackageRows(spec, column: Self.geometryColumn, in: dataset)
        boundRows[table] = bound
        return bound
    }

    /// The field index of each name, worked out again only when the names differ from the last
    /// row's.
    private func indices(of names: [String], in feature: Feature, table: String) throws -> [Int] {
        if let cached = fieldIndices[table], cached.names == names { return cached.indices }
        let indices = try names.map { name in
            guard let index = feature.fieldIndex(named: name) else {
                throw GDALError(code: 0, message: "no field \(name)", function: "OGR_F_GetFieldIndex", context: "table \(table)")
            }
            return index
        }
        fieldIndices[table] = (names, indices)
        return indices
    }
}
