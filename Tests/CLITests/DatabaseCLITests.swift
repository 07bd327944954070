import Foundation
import GeoKit
import Testing
import TestSupport

/// `assess --db` (issue #25): the run into a GeoPackage or PostGIS beside the files, every row
/// keyed by `run_id`, one transaction per run, earlier runs kept, the latest run as views. The
/// PostGIS tests run against the real server `scripts/with-postgis` starts (`IRRIZONE_TEST_PG`).
@Suite struct DatabaseCLITests {
    static let sampleProject = CLITests.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path
    static let postgis = ProcessInfo.processInfo.environment["IRRIZONE_TEST_PG"]
    static let skipReason = "no PostgreSQL/PostGIS server: run the tests through scripts/test (scripts/with-postgis starts one); "
        + (ProcessInfo.processInfo.environment["IRRIZONE_TEST_PG_SKIPPED"] ?? "IRRIZONE_TEST_PG is not set")

    /// The value of the first column of the first row `sql` returns from `connection`.
    static func query(_ connection: String, _ sql: String) throws -> String? {
        GDALEnvironment.initialize()
        return try Dataset.open(connection).queryText(sql)
    }

    /// (parcel_id, zone, zone reasons) of the latest run's rows, and of parcels.geojson, sorted.
    static func parcelVerdicts(connection: String, out: String) throws -> (database: [String], file: [String]) {
        let layer = try #require(try Dataset.open(connection).layer(named: "irrizone_latest_parcels"))
        let names = layer.fields.map(\.name)
        let at = (id: try #require(names.firstIndex(of: "parcel_id")), zone: try #require(names.firstIndex(of: "zone")),
                  reasons: try #require(names.firstIndex(of: "zone_reasons")))
        var database: [String] = []
        try layer.forEachFeature { feature in
            func text(_ index: Int) -> String { if case .string(let s) = feature.value(at: index) { s } else { "" } }
            let reasons = (try? JSONSerialization.jsonObject(with: Data(text(at.reasons).utf8)) as? [String]) ?? ["unreadable"]
            database.append([text(at.id), text(at.zone), reasons.joined(separator: ";")].joined(separator: "|"))
        }
        let file = try EvidenceCLITests.properties(out, "parcels.geojson").map { p in
            [p["parcel_id"] as? String ?? "", p["zone"] as? String ?? "", (p["zone_reasons"] as? [String] ?? []).joined(separator: ";")].joined(separator: "|")
        }
        return (database.sorted(), file.sorted())
    }

    static func assess(out: String, db: String, extra: [String] = []) throws -> CLITests.Result {
        try CLITests.run(["assess", "--project", sampleProject, "--out", out, "--db", db, "--quiet"] + extra)
    }

    /// Two runs into one GeoPackage: both kept, the views show the second; parcels in the survey
    /// CRS with declared types; the layers QGIS opens coloured.
    @Test func runsAccumulateInAGeoPackage() throws {
        let directory = try CLITests.temporaryDirectory(), db = directory + "/runs.gpkg"
        for run in 1...2 {
            let result = try Self.assess(out: directory + "/out", db: db)
            #expect(result.status == 0, "run \(run): \(result.stderr)")
        }
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_runs") == "2")
        #expect(try Self.query(db, "SELECT COUNT(DISTINCT run_id) FROM irrizone_parcels") == "2")
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_parcels") == "5998")
        let latest = try #require(try Self.query(db, "SELECT run_id FROM irrizone_runs ORDER BY finished_at DESC, run_id DESC LIMIT 1"))
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_latest_parcels WHERE run_id = '\(latest)'") == "2999")
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_latest_parcels") == "2999")
        // The run's id is the output folder's published run.
        let published = try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/out/.irrizone/current")
        #expect(published.hasSuffix(latest))
        // One row per finding, as the parcels file lists them.
        let findings = try EvidenceCLITests.properties(directory + "/out", "parcels.geojson").reduce(0) { $0 + (($1["findings"] as? [Any])?.count ?? 0) }
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_latest_findings") == String(findings))
        #expect(try Self.query(db, "SELECT suitable FROM irrizone_runs WHERE run_id = '\(latest)'") == "170")

        let verdicts = try Self.parcelVerdicts(connection: db, out: directory + "/out")
        #expect(verdicts.database.count == 2999 && verdicts.database == verdicts.file, "the rows are parcels.geojson's: ids, zones, reasons")
        let dataset = try Dataset.open(db)
        let parcels = try #require(dataset.layer(named: "irrizone_latest_parcels"))
        #expect(try parcels.spatialReference()?.authorityCode == "EPSG:4547", "the survey's CGCS2000 Gauss–Krüger, not WGS84")
        let fields = Dictionary(uniqueKeysWithValues: try #require(dataset.layer(named: "irrizone_parcels")).fields.map { ($0.name, $0.type) })
        #expect(fields["soil_cr_mg_kg"] == .real && fields["irrigation_year"] == .integer64 && fields["geometry_repaired"] == .boolean)
        #expect(fields["zone_reasons"] == .json && fields["findings"] == .json && fields["run_id"] == .string)
        #expect(try Self.query(db, "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'irrizone_zones' AND useAsDefault") == "1")
        let qml = try #require(try Self.query(db, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'irrizone_latest_zones'"))
        #expect(qml.contains("attr=\"zone\"") && qml.contains("value=\"prohibited\""))
    }

    /// A run that fails while writing leaves the database as it was, and publishes no outputs.
    @Test func aFailedRunLeavesTheGeoPackageAsItWas() throws {
        let directory = try CLITests.temporaryDirectory(), db = directory + "/runs.gpkg"
        #expect(try Self.assess(out: directory + "/out", db: db).status == 0)
        let firstRun = try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/out/.irrizone/current")
        // A trigger that refuses the findings of any later run: the insert fails mid-transaction.
        try Dataset.open(db, update: true).execute("CREATE TRIGGER refuse BEFORE INSERT ON irrizone_findings BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
        let failed = try Self.assess(out: directory + "/out", db: db)
        #expect(failed.status == 1 && failed.stderr.contains("The database is as it was"), "\(failed.stderr)")
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_runs") == "1")
        #expect(try Self.query(db, "SELECT COUNT(*) FROM irrizone_parcels") == "2999")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/out/.irrizone/current") == firstRun)
    }

    /// `--db` names a GeoPackage or a PostgreSQL connection; nothing else is guessed.
    @Test func anUnknownTargetIsRefused() throws {
        let directory = try CLITests.temporaryDirectory()
        let result = try Self.assess(out: directory + "/out", db: directory + "/runs.sqlite")
        #expect(result.status != 0 && result.stderr.contains("expected a GeoPackage file"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out/run.json"))
    }

    /// PostGIS: the same tables through GDAL's PG driver, in a schema of the test's own; the
    /// password of the connection never reaches a table, a file or a message.
    @Test(.enabled(if: postgis != nil, Comment(rawValue: skipReason)))
    func runsGoIntoPostGIS() throws {
        let server = try #require(Self.postgis), schema = "t_runs_\(UInt32.random(in: 0...UInt32.max))"
        try Dataset.open(server, update: true).execute("CREATE SCHEMA \(schema)")
        let connection = server + " active_schema=\(schema) password=hunter2"
        let directory = try CLITests.temporaryDirectory()
        for _ in 1...2 {
            let result = try Self.assess(out: directory + "/out", db: connection)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"))
        }
        let scoped = server + " active_schema=\(schema)"
        let verdicts = try Self.parcelVerdicts(connection: scoped, out: directory + "/out")
        #expect(verdicts.database.count == 2999 && verdicts.database == verdicts.file, "the rows are parcels.geojson's: ids, zones, reasons")
        #expect(try Self.query(scoped, "SELECT COUNT(*) FROM irrizone_runs") == "2")
        #expect(try Self.query(scoped, "SELECT COUNT(*) FROM irrizone_latest_parcels") == "2999")
        let zonesPerRun = try Self.query(scoped, "SELECT 2 * COUNT(*) FROM irrizone_latest_zones")
        #expect(try Self.query(scoped, "SELECT COUNT(*) FROM irrizone_zones") == zonesPerRun)
        #expect(try Self.query(scoped, "SELECT ST_SRID(geom) FROM irrizone_parcels LIMIT 1") == "4547")
        #expect(try Self.query(scoped, "SELECT data_type FROM information_schema.columns WHERE table_schema = '\(schema)' AND table_name = 'irrizone_parcels' AND column_name = 'soil_cr_mg_kg'") == "double precision")
        #expect(try Self.query(scoped, "SELECT COUNT(*) FROM irrizone_runs WHERE command::text LIKE '%hunter2%' OR run_json::text LIKE '%hunter2%'") == "0")
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory + "/out")
        for file in files where file.hasSuffix(".json") || file.hasSuffix(".html") || file.hasSuffix(".csv") {
            let text = try String(contentsOfFile: directory + "/out/" + file, encoding: .utf8)
            #expect(!text.contains("hunter2"), "\(file)")
        }
    }

    /// PostGIS rolls a failed run back whole: a constraint that refuses the second run's
    /// prohibited parcels leaves the first run alone.
    @Test(.enabled(if: postgis != nil, Comment(rawValue: skipReason)))
    func aFailedRunLeavesPostGISAsItWas() throws {
        let server = try #require(Self.postgis), schema = "t_fail_\(UInt32.random(in: 0...UInt32.max))"
        try Dataset.open(server, update: true).execute("CREATE SCHEMA \(schema)")
        let connection = server + " active_schema=\(schema)", directory = try CLITests.temporaryDirectory()
        #expect(try Self.assess(out: directory + "/out", db: connection).status == 0)
        try Dataset.open(connection, update: true).execute("ALTER TABLE irrizone_parcels ADD CONSTRAINT only_one_run CHECK (zone <> 'prohibited' OR run_id = '\(try #require(try Self.query(connection, "SELECT run_id FROM irrizone_runs")))')")
        let failed = try Self.assess(out: directory + "/out", db: connection)
        #expect(failed.status == 1 && failed.stderr.contains("The database is as it was"), "\(failed.stderr)")
        #expect(try Self.query(connection, "SELECT COUNT(*) FROM irrizone_runs") == "1")
        #expect(try Self.query(connection, "SELECT COUNT(*) FROM irrizone_parcels") == "2999")
        let findingsOfTheFirstRun = try Self.query(connection, "SELECT COUNT(*) FROM irrizone_latest_findings")
        #expect(try Self.query(connection, "SELECT COUNT(*) FROM irrizone_findings") == findingsOfTheFirstRun)
    }
}
