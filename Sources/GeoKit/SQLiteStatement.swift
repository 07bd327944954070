import CGDAL

/// A prepared SQL statement on a GeoPackage dataset's own SQLite connection, inside the
/// dataset's transaction: for rows GDAL would insert one `OGRFeature` at a time
/// (docs/scaling.md, "Rows bound to one statement").
///
/// The connection stays GDAL's (`GDALGetInternalHandle(…, "SQLITE_HANDLE")`); the statement
/// keeps its dataset alive and must be finished (`finish()`) before the dataset commits or closes.
///
/// - Important: Not thread-safe: used on the dataset's thread only.
public final class SQLiteStatement {
    private let dataset: Dataset
    private let connection: OpaquePointer
    private var statement: OpaquePointer?
    private let sql: String

    /// Prepares `sql` on the dataset's connection; throws for a dataset that has none (only the
    /// GeoPackage and SQLite drivers do) or SQL SQLite refuses.
    public init(_ sql: String, on dataset: Dataset) throws(GDALError) {
        guard let connection = GDALGetInternalHandle(dataset.handle, "SQLITE_HANDLE") else {
            throw GDALError(code: 0, message: "the \(dataset.driverName) dataset has no SQLite connection", function: "GDALGetInternalHandle",
                            context: dataset.path)
        }
        self.dataset = dataset
        self.connection = OpaquePointer(connection)
        self.sql = sql
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(self.connection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            let error = Self.error(code, connection: self.connection, function: "sqlite3_prepare_v2", context: sql)
            sqlite3_finalize(prepared)
            throw error
        }
        statement = prepared
    }

    deinit { sqlite3_finalize(statement) }

    /// Parameters are numbered from 1, as SQLite numbers them.
    public func bindNull(_ index: Int32) throws(GDALError) { try check(sqlite3_bind_null(statement, index), "sqlite3_bind_null") }

    public func bind(_ value: Int64, at index: Int32) throws(GDALError) { try check(sqlite3_bind_int64(statement, index, value), "sqlite3_bind_int64") }

    public func bind(_ value: Double, at index: Int32) throws(GDALError) { try check(sqlite3_bind_double(statement, index, value), "sqlite3_bind_double") }

    /// NUL-terminated UTF-8 (up to its first NUL, as GDAL sets a field from a C string) that SQLite
    /// reads where it is: it must stay valid until the statement has run (`run()`), and every
    /// parameter is bound again before the next run. Saves SQLite a copy of every text.
    public func bind(borrowedText text: UnsafePointer<CChar>, at index: Int32) throws(GDALError) {
        try check(sqlite3_bind_text(statement, index, text, -1, Self.borrowed), "sqlite3_bind_text")
    }

    /// Copied by SQLite.
    public func bind(blob bytes: UnsafeRawBufferPointer, at index: Int32) throws(GDALError) {
        let code = sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        try check(code, "sqlite3_bind_blob")
    }

    /// Runs a statement that returns no rows and makes it ready for the next values; the rowid
    /// of the row it inserted.
    @discardableResult
    public func run() throws(GDALError) -> Int64 {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw Self.error(code, connection: connection, function: "sqlite3_step", context: sql) }
        return sqlite3_last_insert_rowid(connection)
    }

    /// The first column of the first row, as an integer; nil when there is no row or it is null.
    public func integer() throws(GDALError) -> Int64? {
        let code = sqlite3_step(statement)
        defer { sqlite3_reset(statement) }
        switch code {
        case SQLITE_ROW: return sqlite3_column_type(statement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, 0)
        case SQLITE_DONE: return nil
        default: throw Self.error(code, connection: connection, function: "sqlite3_step", context: sql)
        }
    }

    /// Lets the statement go; the dataset may then commit and close.
    public func finish() {
        sqlite3_finalize(statement)
        statement = nil
    }

    private func check(_ code: Int32, _ function: StaticString) throws(GDALError) {
        guard code == SQLITE_OK else { throw Self.error(code, connection: connection, function: function, context: sql) }
    }

    private static func error(_ code: Int32, connection: OpaquePointer, function: StaticString, context: String) -> GDALError {
        GDALError(code: code, message: String(cString: sqlite3_errmsg(connection)), function: "\(function)", context: context)
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the call returns (a C macro Swift does not import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// `SQLITE_STATIC`: SQLite uses the bytes where they are.
    private static let borrowed: sqlite3_destructor_type? = nil
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}

extension Dataset {
    /// Whether GDAL hands out the dataset's SQLite connection (`SQLiteStatement`): a GeoPackage or
    /// SQLite dataset, with a GDAL that answers `GDALGetInternalHandle(…, "SQLITE_HANDLE")`.
    public var hasSQLiteConnection: Bool { GDALGetInternalHandle(handle, "SQLITE_HANDLE") != nil }
}
