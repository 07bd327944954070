import CGDAL

/// An open GDAL vector dataset.
///
/// - Important: Not thread-safe. Open one per thread or task (reference/peers.md C.2). Layers
///   borrow from the dataset and keep it alive.
///
/// The corresponding C type is `GDALDatasetH`.
public final class Dataset {
    let handle: GDALDatasetH
    /// The path it was opened or created with.
    public let path: String
    private var isOpen = true

    private init(handle: GDALDatasetH, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { if isOpen { GDALClose(handle) } }

    /// Opens a vector dataset read-only.
    ///
    /// - Parameters:
    ///   - path: a file, folder, or GDAL virtual path (`/vsizip/…`).
    ///   - openOptions: driver open options, e.g. `ENCODING=CP936` for a shapefile.
    /// - Throws: `GDALError` with GDAL's message when no driver can open it.
    ///
    /// The corresponding C function is `GDALOpenEx`.
    public static func open(_ path: String, openOptions: [String] = [], update: Bool = false) throws(GDALError) -> Dataset {
        GDALEnvironment.initialize()  // drivers registered once, whoever comes first
        let flags = UInt32(GDAL_OF_VECTOR) | UInt32(update ? GDAL_OF_UPDATE : GDAL_OF_READONLY) | UInt32(GDAL_OF_VERBOSE_ERROR)
        let handle = try withCStringList(openOptions) { (options) throws(GDALError) in
            try gdalNonNull("GDALOpenEx", context: path) { GDALOpenEx(path, flags, nil, constList(options), nil) }  // NULL on failure
        }
        return Dataset(handle: handle, path: path)
    }

    /// Creates a new vector dataset with the named driver (`ESRI Shapefile`, `GPKG`, `GeoJSON`, `Memory`).
    ///
    /// The corresponding C functions are `GDALGetDriverByName` and `GDALCreate`.
    public static func create(driver driverName: String, path: String, options: [String] = []) throws(GDALError) -> Dataset {
        GDALEnvironment.initialize()
        let driver = try gdalNonNull("GDALGetDriverByName", context: driverName) { GDALGetDriverByName(driverName) }
        let handle = try withCStringList(options) { (list) throws(GDALError) in
            try gdalNonNull("GDALCreate", context: path) { GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, list) }
        }
        return Dataset(handle: handle, path: path)
    }

    /// Creates a GeoPackage with 64 KiB pages (SQLite's largest) unless the user gave SQLite
    /// pragmas of their own (`OGR_SQLITE_PRAGMA`). A parcel's row, its geometry and a few dozen
    /// fields, is a good part of a 4 KiB page, so rows spilled and pages were left part-empty
    /// (docs/scaling.md). The page size is fixed when the file is made.
    public static func createGeoPackage(path: String) throws(GDALError) -> Dataset {
        guard GDALEnvironment.configOption("OGR_SQLITE_PRAGMA") == nil else { return try create(driver: "GPKG", path: path) }
        let created = GDALEnvironment.withThreadLocalConfig(["OGR_SQLITE_PRAGMA": "page_size=65536"]) {
            Result { () throws(GDALError) in try create(driver: "GPKG", path: path) }
        }
        return try created.get()
    }

    /// Flushes and closes; reports what GDAL reports on close (a failed write shows here).
    ///
    /// The corresponding C function is `GDALClose`.
    public func close() throws(GDALError) {
        guard isOpen else { return }
        isOpen = false
        CPLErrorReset()
        GDALClose(handle)
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("GDALClose", context: path) }
    }

    /// The driver's short name, e.g. "ESRI Shapefile", "GPKG", "GeoJSON".
    public var driverName: String {
        guard let driver = GDALGetDatasetDriver(handle) else { return "unknown" }
        return String(cString: GDALGetDriverShortName(driver))
    }

    /// The files that make up the dataset (e.g. .shp, .shx, .dbf, .prj, .cpg).
    ///
    /// The corresponding C function is `GDALGetFileList`.
    public var fileList: [String] {
        let list = GDALGetFileList(handle)
        defer { CSLDestroy(list) }
        return stringsFromCStringList(list)
    }

    public var layerCount: Int { Int(GDALDatasetGetLayerCount(handle)) }

    /// The corresponding C function is `GDALDatasetGetLayer`.
    public func layer(at index: Int) -> Layer? {
        guard let layer = GDALDatasetGetLayer(handle, Int32(index)) else { return nil }
        return Layer(handle: layer, dataset: self)
    }

    /// The corresponding C function is `GDALDatasetGetLayerByName`.
    public func layer(named name: String) -> Layer? {
        guard let layer = GDALDatasetGetLayerByName(handle, name) else { return nil }
        return Layer(handle: layer, dataset: self)
    }

    public var layers: [Layer] { (0..<layerCount).compactMap { layer(at: $0) } }

    /// Creates a layer. The corresponding C function is `GDALDatasetCreateLayer`.
    public func createLayer(named name: String, srs: SpatialReference?, geometryType: GeometryKind,
                            options: [String] = []) throws(GDALError) -> Layer {
        let layer = try withCStringList(options) { (list) throws(GDALError) in
            try gdalNonNull("GDALDatasetCreateLayer", context: "layer \"\(name)\" in \(path)") {
                GDALDatasetCreateLayer(handle, name, srs?.handle, geometryType.cValue, list)
            }
        }
        return Layer(handle: layer, dataset: self)
    }

    /// Runs an SQL statement that returns no rows (`CREATE VIEW`, `INSERT`, `DELETE` …) in the
    /// driver's own dialect (SQLite for a GeoPackage, PostgreSQL for PG).
    ///
    /// The corresponding C functions are `GDALDatasetExecuteSQL` and `GDALDatasetReleaseResultSet`.
    public func execute(_ sql: String) throws(GDALError) {
        CPLErrorReset()
        let result = GDALDatasetExecuteSQL(handle, sql, nil, nil)
        if let result { GDALDatasetReleaseResultSet(handle, result) }
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("GDALDatasetExecuteSQL", context: sql) }
    }

    /// The first column of the first row an SQL query returns, as text; nil when it returns none.
    public func queryText(_ sql: String) throws(GDALError) -> String? {
        try queryColumn(sql, limit: 1).first ?? nil
    }

    /// The first column of the rows an SQL query returns (at most `limit`), as text; nil for a null.
    public func queryColumn(_ sql: String, limit: Int = .max) throws(GDALError) -> [String?] {
        CPLErrorReset()
        guard let result = GDALDatasetExecuteSQL(handle, sql, nil, nil) else {
            if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("GDALDatasetExecuteSQL", context: sql) }
            return []
        }
        defer { GDALDatasetReleaseResultSet(handle, result) }
        OGR_L_ResetReading(result)
        var values: [String?] = []
        while values.count < limit, let feature = OGR_L_GetNextFeature(result) {
            defer { OGR_F_Destroy(feature) }
            values.append(OGR_F_GetFieldCount(feature) > 0 && OGR_F_IsFieldSetAndNotNull(feature, 0) != 0
                          ? String(cString: OGR_F_GetFieldAsString(feature, 0)) : nil)
        }
        return values
    }

    /// Starts a transaction the caller must commit or roll back; throws when the driver has none
    /// (a run written into a database is all or nothing).
    ///
    /// The corresponding C function is `GDALDatasetStartTransaction`.
    public func beginTransaction() throws(GDALError) {
        try ogrCheck("GDALDatasetStartTransaction", context: path) { GDALDatasetStartTransaction(handle, 0) }
    }

    /// The corresponding C function is `GDALDatasetCommitTransaction`.
    public func commitTransaction() throws(GDALError) {
        try ogrCheck("GDALDatasetCommitTransaction", context: path) { GDALDatasetCommitTransaction(handle) }
    }

    /// Best effort: the error that made the caller roll back is the one to report.
    ///
    /// The corresponding C function is `GDALDatasetRollbackTransaction`.
    public func rollbackTransaction() {
        _ = GDALDatasetRollbackTransaction(handle)
    }

    /// Runs `body` inside a dataset transaction (GPKG, SQLite, PG), committed when it returns and
    /// rolled back if it throws; throws when the driver has no transactions.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        try beginTransaction()
        do {
            let result = try body()
            try commitTransaction()
            return result
        } catch {
            rollbackTransaction()  // best effort; the original error wins
            throw error
        }
    }
}

@available(*, unavailable)
extension Dataset: Sendable {}

/// The geometry type to declare for a new layer.
public enum GeometryKind: Sendable {
    case unknown, point, lineString, polygon, multiPolygon, none

    var cValue: OGRwkbGeometryType {
        switch self {
        case .unknown: wkbUnknown
        case .point: wkbPoint
        case .lineString: wkbLineString
        case .polygon: wkbPolygon
        case .multiPolygon: wkbMultiPolygon
        case .none: wkbNone
        }
    }
}
