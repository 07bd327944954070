import Foundation
import GeoKit
import IrrigationModel

/// Where `--db` writes a run: a GeoPackage file (the embedded default) or PostGIS (a `PG:`
/// connection, through GDAL's PG driver).
public enum DatabaseTarget: Sendable, Equatable {
    case geopackage(path: String)
    case postgis(connection: String)

    public enum ParseError: Error, CustomStringConvertible {
        case unsupported(String)
        public var description: String {
            switch self {
            case .unsupported(let text):
                "--db \(Credentials.redact(text)): expected a GeoPackage file (runs.gpkg) or a PostGIS connection (PG:\"service=bureau\" or PG:\"host=… dbname=…\"; the password from PGPASSWORD, ~/.pgpass or a service file)"
            }
        }
    }

    public init(_ text: String) throws {
        if text.hasPrefix("PG:") || text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgis(connection: text.hasPrefix("PG:") ? text : "PG:" + text)
        } else if text.lowercased().hasSuffix(".gpkg") {
            self = .geopackage(path: text)
        } else {
            throw ParseError.unsupported(text)
        }
    }

    /// The target as it may be shown: no password.
    public var display: String {
        switch self {
        case .geopackage(let path): path
        case .postgis(let connection): Credentials.redact(connection)
        }
    }
}

/// A database that keeps every run (issue #25): `irrizone_runs` and the run's parcels, zones,
/// sources and findings, every row keyed by `run_id`, written in one transaction, so a failed run
/// leaves the database as it was. Views `irrizone_latest_<table>` show the latest run.
///
/// - Important: Not thread-safe: opened, written and closed on one thread.
public final class RunDatabase {
    public let target: DatabaseTarget
    public let tables: FeatureTables
    /// A GeoPackage this run created: removed again if the run fails.
    private let createdFile: String?
    private var inTransaction = false
    /// Committed: nothing is undone after this (`abandon`).
    private var committed = false

    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, GDALError)
        case write(String, any Error)
        /// The run is in the database; closing it afterwards failed.
        case closeAfterCommit(String, any Error)

        public var description: String {
            switch self {
            case let .cannotOpen(target, error):
                "cannot open the database \(target): \(Credentials.redact(error.message.isEmpty ? error.description : error.message)). Nothing was written"
            case let .write(target, error):
                "writing the run into \(target) failed: \(Credentials.redact(String(describing: error))). The database is as it was, and no outputs were published"
            case let .closeAfterCommit(target, error):
                "the run was committed to \(target), but closing it failed: \(Credentials.redact(String(describing: error))). No outputs were published; check the database before running again"
            }
        }
    }

    public init(_ target: DatabaseTarget, surveyCRSWKT: String) throws {
        self.target = target
        do {
            let dataset: Dataset
            switch target {
            case .geopackage(let path):
                if FileManager.default.fileExists(atPath: path) {
                    dataset = try Dataset.open(path, update: true)
                    createdFile = nil
                } else {
                    dataset = try Dataset.createGeoPackage(path: path)
                    createdFile = path
                }
            case .postgis(let connection):
                // GDAL's PG driver copies rows in (COPY) only into tables it created itself unless
                // told to, and row by row is slow (docs/scaling.md). A user's --config PG_USE_COPY stands.
                if GDALEnvironment.configOption("PG_USE_COPY") == nil { GDALEnvironment.setConfigOption("PG_USE_COPY", "YES") }
                dataset = try Dataset.open(connection, update: true)
                createdFile = nil
            }
            do { tables = try FeatureTables(dataset: dataset, surveyCRSWKT: surveyCRSWKT) } catch {
                try? dataset.close()
                if let createdFile { try? FileManager.default.removeItem(atPath: createdFile) }
                throw error
            }
        } catch let error as GDALError {
            throw Failure.cannotOpen(target.display, error)
        }
    }

    /// The run's own row: when, how, what came in and what came out.
    public static let runFields: [FieldDefinition] = [
        ResultTables.runIDField, FieldDefinition(name: "started_at", type: .string), FieldDefinition(name: "finished_at", type: .string),
        FieldDefinition(name: "irrizone_version", type: .string), FieldDefinition(name: "command", type: .json),
        FieldDefinition(name: "parcel_source", type: .string), FieldDefinition(name: "parcel_layer", type: .string),
        FieldDefinition(name: "survey_crs", type: .string), FieldDefinition(name: "output_directory", type: .string),
        FieldDefinition(name: "assessment_year", type: .integer64), FieldDefinition(name: "features_in", type: .integer64),
        FieldDefinition(name: "accepted", type: .integer64), FieldDefinition(name: "rejected", type: .integer64),
        FieldDefinition(name: "repaired", type: .integer64), FieldDefinition(name: "suitable", type: .integer64),
        FieldDefinition(name: "restricted", type: .integer64), FieldDefinition(name: "prohibited", type: .integer64),
        FieldDefinition(name: "sources_to_suspend", type: .json), FieldDefinition(name: "run_json", type: .json),
    ]

    /// Creates or extends the tables (outside the run's transaction), then starts it.
    public func begin(prepare: () throws -> Void) throws {
        do {
            try tables.prepare(TableSpec(name: ResultTables.Names.database.runs, geometry: .none, fields: Self.runFields))
            try prepare()
            if case .geopackage = target {
                try QGISStyle.addDefaults(Self.styledLayers, to: tables, time: ISO8601DateFormatter().string(from: Date()))
            }
            try tables.dataset.beginTransaction()
            inTransaction = true
        } catch {
            throw fail(error)
        }
    }

    static var styledLayers: [(name: String, qml: String)] {
        let names = ResultTables.Names.database
        return [names.parcels, names.zones, "irrizone_latest_parcels", "irrizone_latest_zones"].map { ($0, QGISStyle.zonesQML()) }
            + [names.sources, "irrizone_latest_sources"].map { ($0, QGISStyle.sourcesQML()) }
    }

    /// Inside the transaction: the run's row, the latest-run views, and the commit.
    public func finish(run: [(String, PropertyValue)]) throws {
        do {
            try tables.insert([TableRow(shape: .none, properties: run)], into: ResultTables.Names.database.runs)
            try refreshLatestViews()
            try tables.dataset.commitTransaction()
            inTransaction = false
            committed = true
        } catch {
            throw fail(error)
        }
        // Committed: a failure now must not say the database is as it was, nor remove it.
        do { try tables.dataset.close() } catch { throw Failure.closeAfterCommit(target.display, error) }
    }

    /// Gives up the run after `error`: rolls back, removes a GeoPackage this run created, and
    /// returns what to report.
    public func abandon(_ error: any Error) -> any Error { committed ? error : fail(error) }

    /// Rolls back, removes a GeoPackage this run created, and says what happened.
    private func fail(_ error: any Error) -> Failure {
        if let failure = error as? Failure { return failure }  // said already (and nothing to undo after a commit)
        if inTransaction { tables.dataset.rollbackTransaction(); inTransaction = false }
        try? tables.dataset.close()
        if let createdFile { try? FileManager.default.removeItem(atPath: createdFile) }
        return .write(target.display, error)
    }

    /// `irrizone_latest_parcels` (and zones, sources, findings): the rows of the run that finished
    /// last. Made again each run, so they take the tables' new columns.
    private func refreshLatestViews() throws {
        let names = ResultTables.Names.database
        let latest = "(SELECT run_id FROM \(names.runs) ORDER BY finished_at DESC, run_id DESC LIMIT 1)"
        for (table, spatial) in [(names.parcels, true), (names.zones, true), (names.sources, true), (names.findings, false)] {
            let view = table.replacingOccurrences(of: "irrizone_", with: "irrizone_latest_")
            try tables.dataset.execute("DROP VIEW IF EXISTS \(view)")
            try tables.dataset.execute("CREATE VIEW \(view) AS SELECT * FROM \(table) WHERE run_id = \(latest)")
            if case .geopackage = target {
                // A GeoPackage lists its layers in gpkg_contents: a view is a layer once registered.
                try tables.dataset.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = '\(view)'")
                try tables.dataset.execute("DELETE FROM gpkg_contents WHERE table_name = '\(view)'")
                try tables.dataset.execute("""
                    INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) \
                    SELECT '\(view)', data_type, '\(view)', srs_id FROM gpkg_contents WHERE table_name = '\(table)'
                    """)
                if spatial {
                    try tables.dataset.execute("""
                        INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) \
                        SELECT '\(view)', column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = '\(table)'
                        """)
                }
            }
        }
    }
}
