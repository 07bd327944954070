import Foundation
import TestSupport
import Testing
import GeoKit
import IrrigationModel
import Reports
@testable import Ingest
@testable import Pipeline
import PlanarGeometry
import RunSupport

/// The report and table outputs of a small fixed project (issue #6).
@Suite struct ReportTests {
    static func run(language: ReportLanguage = .zh, format: OutputOptions.ParcelFormat? = .geojson,
                    geojsonParcelLimit: Int = OutputOptions.defaultGeojsonParcelLimit) throws -> (out: String, summary: AssessSummary) {
        var options = try sampleOptions()
        options.output.language = language
        options.output.parcelFormat = format
        options.output.geojsonParcelLimit = geojsonParcelLimit
        return (options.outputDirectory, try AssessJob(options: options).run())
    }

    /// The options of a run of a sample project (240 parcels unless told), written into a new folder.
    static func sampleOptions(parcelCount: Int = 240) throws -> AssessOptions {
        let directory = try temporaryDirectory("report-\(parcelCount)")
        _ = try SampleProject(parcelCount: parcelCount, seed: 11).write(to: directory)
        let project = try ProjectFile.load(path: repositoryRoot.appendingPathComponent("SampleData/project.yaml").path)
        func rebase(_ list: [TableInputOptions]) -> [TableInputOptions] {
            list.map { var t = $0; t.path = directory + "/" + (t.path as NSString).lastPathComponent; return t }
        }
        var options = AssessOptions(parcels: .init(path: directory + "/parcels.shp"),
                                    monitoring: MonitoringOptions(sources: rebase(project.sources.map { [$0] } ?? []).first, water: rebase(project.water),
                                                                  soil: rebase(project.soil), wells: rebase(project.wells), irrigation: rebase(project.irrigation)),
                                    outputDirectory: directory + "/out", today: CalendarDate(year: 2026, month: 11, day: 22)!)
        options.rules = project.rules
        options.rules.exclusions = [ExclusionInput(path: directory + "/protection_zone.geojson")]
        options.output.targets = project.targets
        return options
    }

    /// The parcels' table rows made as they are visited (in the output pass) are the rows made
    /// from the (name, value) pairs (the first parcels', which type the fields), for a file and
    /// for a database keyed by run.
    @Test func aParcelRowIsTheSameMadeEitherWay() throws {
        let options = try Self.sampleOptions()
        var timer = PhaseTimer(observer: nil)
        let project = try IngestStage.run(options, timer: &timer)
        let assessment = try AssessmentStage.run(project, rules: options.rules, timer: &timer)
        let parcels = project.parcels.parcels
        let tables = try FeatureTables(dataset: try Dataset.create(driver: "Memory", path: "rows"), surveyCRSWKT: project.parcels.sourceCRSWKT)
        let preparations = [tables.preparation, tables.preparation.keyed(by: "run-1")]
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.names.names ?? [])
        let maker = TableRowMaker(preparations: preparations, fieldNames: fieldNames)
        let attributes = try AttributeRecord.loaded(parcels.lazy.map(\.attributes))
        let visited = maker.rows(0..<parcels.count, parcels: parcels, links: project.links, soil: project.monitoring.soilSamples,
                                 assessed: parcels.indices.map(assessment.assess), attributes: attributes)
        let typing = try TableRowMaker.typingRows(parcels: parcels, links: project.links, soil: project.monitoring.soilSamples,
                                                  assess: assessment.assess, fieldNames: fieldNames)
        #expect(typing.count == parcels.count && visited.count == parcels.count)
        for place in preparations.indices {
            let paired: [PreparedRow] = typing.map { preparations[place].prepare($0) }
            for (a, b) in zip(visited.parcels[place], paired) {
                #expect(a.names == b.names && a.values == b.values && a.box == b.box)
                guard case .wkb(let x) = a.shape, case .wkb(let y) = b.shape else { Issue.record("no geometry"); continue }
                #expect(x == y)
            }
        }
        #expect(visited.parcels[1].first?.names.first == "run_id" && visited.parcels[1].first?.values.decoded.first == .string("run-1"))
    }

    /// The output pass's table rows reach the thread running it in parcel order, every parcel
    /// once; an insert that fails stops the pass with its error, the cores' chunks still coming
    /// taken without being inserted (no core is left waiting for room).
    @Test func theOutputPassHandsTableRowsOverInOrderAndStopsAtAFailedInsert() throws {
        let options = try Self.sampleOptions(parcelCount: 2_000)
        var timer = PhaseTimer(observer: nil)
        let project = try IngestStage.run(options, timer: &timer)
        let assessment = try AssessmentStage.run(project, rules: options.rules, timer: &timer)
        let parcels = project.parcels.parcels
        #expect(parcels.count > 3 * ParcelOutputPass.chunkSize)
        let memory = try FeatureTables(dataset: try Dataset.create(driver: "Memory", path: "rows"), surveyCRSWKT: project.parcels.sourceCRSWKT)
        func pass(failingAt: Int?) throws -> (RecordingTables, Result<ParcelOutputPass.Result, any Error>) {
            let tables = RecordingTables(preparation: memory.preparation, failingAt: failingAt)
            let staging = try OutputStaging(outputDirectory: try temporaryDirectory("pass-\(failingAt ?? -1)"))
            var timer = PhaseTimer(observer: nil)
            let result = Result {
                try ParcelOutputPass(parcels: parcels, links: project.links, soil: project.monitoring.soilSamples, assess: assessment.assess,
                                     labels: ReportLabels(.en)).run(geojson: false, tables: tables, staging: staging, timer: &timer)
            }
            return (tables, result)
        }
        let (whole, finished) = try pass(failingAt: nil)
        #expect(whole.ids == parcels.map(\.id) && whole.parcelsWritten == parcels.count)
        #expect((try? finished.get())?.outcomes.count == parcels.count)
        let (failing, failed) = try pass(failingAt: 1)
        #expect(throws: RecordingTables.Refused.self) { try failed.get() }
        #expect(failing.ids == parcels.prefix(ParcelOutputPass.chunkSize).map(\.id))
    }

    /// Takes the output pass's table rows, keeping the parcel ids in the order given; refuses the
    /// chunk numbered `failingAt` (from 0) and every one after.
    final class RecordingTables: TableRowsDestination {
        struct Refused: Error {}
        let preparation: RowPreparation
        let failingAt: Int?
        private(set) var chunks = 0, parcelsWritten = 0
        private(set) var ids: [String] = []

        init(preparation: RowPreparation, failingAt: Int?) { self.preparation = preparation; self.failingAt = failingAt }

        func rowMaker(fieldNames: ParcelProperties.FieldNames) -> TableRowMaker { TableRowMaker(preparations: [preparation], fieldNames: fieldNames) }

        func insert(_ chunk: TableRowMaker.Chunk) throws {
            defer { chunks += 1 }
            if let failingAt, chunks >= failingAt { throw Refused() }
            for row in chunk.parcels[0] {
                guard let place = row.names.firstIndex(of: "parcel_id"), case .string(let id) = row.values.decoded[place] else {
                    Issue.record("a row without its parcel id"); continue
                }
                ids.append(id)
            }
            parcelsWritten += chunk.count
        }
    }

    @Test func reportShowsFiguresTablesAndEveryParcelUnderReview() throws {
        let (out, summary) = try Self.run()
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("再生水农田灌溉分区与灌溉年限评估报告"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<link") && !html.contains("src="), "self-contained")
        let zones = summary.manifest.assessment.parcelsByZone
        for (zone, label) in [("suitable", "适宜区"), ("restricted", "限制区"), ("prohibited", "禁止区")] {
            #expect(html.contains("<div class=\"big\">\(zones[zone] ?? 0)</div><div>\(label)</div>"))
        }
        for id in ["by-class", "review-reasons", "volume", "targets", "review", "compliance", "standards", "rejected", "coverage", "inputs", "parameters"] {
            #expect(html.contains("<table id=\"\(id)\""), "table \(id)")
        }
        // Every parcel under review is listed (the sample is below the row limit).
        let review = try String(contentsOfFile: out + "/review.csv", encoding: .utf8)
        let reviewed = Set(review.split(separator: "\r\n").dropFirst().map { String($0.split(separator: ",")[0]).replacingOccurrences(of: "\u{FEFF}", with: "") })
        #expect(!reviewed.isEmpty && reviewed.count <= HTMLReport.reviewRowLimit)
        for id in reviewed { #expect(html.contains("<td>\(id)</td>"), "review parcel \(id)") }
        // Unverified (M) limits are marked; failing sources named with the parcels to suspend.
        #expect(html.contains("M · 未核实") && html.contains("停止供水"))
        #expect(html.contains("ZS03") && html.contains("接纳禁止的工业废水: chemical"))
    }

    @Test func mapGeometryMatchesTheInput() throws {
        let (out, summary) = try Self.run()
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let drawn = try #require(html.firstMatch(of: /data-parcels-drawn="(\d+)"/)).1
        #expect(Int(drawn) == summary.manifest.counts.accepted)
        #expect(html.components(separatedBy: "<path d=\"M").count - 1 >= summary.manifest.counts.accepted)
        let bounds = try #require(html.firstMatch(of: /data-bounds="([-0-9.e]+),([-0-9.e]+),([-0-9.e]+),([-0-9.e]+)"/))
        let (minLon, minLat, maxLon, maxLat) = (Double(bounds.1)!, Double(bounds.2)!, Double(bounds.3)!, Double(bounds.4)!)
        let features = try readBack(out + "/parcels.geojson")
        for feature in features {
            let e = try #require(feature.geometry).envelope
            #expect(e.minX >= minLon && e.maxX <= maxLon && e.minY >= minLat && e.maxY <= maxLat)
        }
    }

    @Test func englishOnRequest() throws {
        let (out, _) = try Self.run(language: .en)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<html lang=\"en\">") && html.contains("Reclaimed-water irrigation zoning") && html.contains("Review list"))
    }

    @Test func summaryCSVAddsUpAndOpensInGDAL() throws {
        let (out, summary) = try Self.run()
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/summary.csv"))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])  // UTF-8 BOM for Excel on Chinese Windows
        let rows = try readBack(out + "/summary.csv")
        let parcels = rows.reduce(0) { total, row in
            if case .integer(let n)? = row.properties["parcels"] { return total + Int(n) }
            if case .string(let s)? = row.properties["parcels"] { return total + (Int(s) ?? 0) }
            return total
        }
        #expect(parcels == summary.manifest.counts.accepted)
        #expect(rows.contains { $0.properties["admin_unit"] == .string("奇村镇") })
    }

    @Test func geoPackageOnRequest() throws {
        let (out, summary) = try Self.run(format: .gpkg)
        let features = try readBack(out + "/parcels.gpkg")
        #expect(features.count == summary.manifest.counts.accepted)
        #expect(features.first?.properties["zone"] != nil && features.first?.properties["area_ha"].map { if case .real = $0 { true } else { false } } == true)
        #expect(!FileManager.default.fileExists(atPath: out + "/parcels.geojson"))
    }

    /// Above the GeoJSON limit a run that was not told a format writes a GeoPackage and says so
    /// (issue #26); told GeoJSON, it writes GeoJSON and says how large it is. Here the limit is
    /// lowered to 100 for a 240-parcel project.
    @Test func aLayerAboveTheGeoJSONLimitIsWrittenAsAGeoPackage() throws {
        let (out, summary) = try Self.run(format: nil, geojsonParcelLimit: 100)
        #expect(try readBack(out + "/parcels.gpkg").count == summary.manifest.counts.accepted)
        #expect(!FileManager.default.fileExists(atPath: out + "/parcels.geojson"))
        #expect(summary.manifest.outputs["parcels.gpkg"] == summary.manifest.counts.accepted)
        #expect(summary.manifest.warnings.contains { $0.contains("more than 100") && $0.contains("parcels.gpkg") && $0.contains("--format geojson") })

        let (asked, askedSummary) = try Self.run(format: .geojson, geojsonParcelLimit: 100)
        #expect(FileManager.default.fileExists(atPath: asked + "/parcels.geojson"))
        #expect(askedSummary.manifest.warnings.contains { $0.contains("parcels.geojson holds") && $0.contains("--format gpkg") })

        let (small, smallSummary) = try Self.run(format: nil)
        #expect(FileManager.default.fileExists(atPath: small + "/parcels.geojson"))
        #expect(!smallSummary.manifest.warnings.contains { $0.contains("parcels.gpkg") })
    }

    /// A GeoPackage's fields take the types the schema declares, even where every value is null
    /// (issue #25: five all-null Cr fields had become text); a layer's own attributes take the
    /// type of their first value. Geometry goes into the survey's CRS.
    @Test func geoPackageFieldsHaveTheirDeclaredTypes() throws {
        let path = try temporaryDirectory() + "/parcels.gpkg"
        let square = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 112, y: 38), Position(x: 112.001, y: 38), Position(x: 112.001, y: 38.001),
                                                               Position(x: 112, y: 38.001), Position(x: 112, y: 38)]])])
        let rows = [
            TableRow(shape: .area(square), properties: [("parcel_id", .string("A")), ("soil_cr_mg_kg", .null), ("zone_reasons", .strings([])), ("note", .null)]),
            TableRow(shape: .area(square), properties: [("parcel_id", .string("B")), ("soil_cr_mg_kg", .null), ("zone_reasons", .strings(["CROP_UNKNOWN"])), ("note", .string("x"))]),
        ]
        let gaussKruger = try SpatialReference(epsg: 4547).wkt()
        let tables = try FeatureTables(dataset: try Dataset.create(driver: "GPKG", path: path), surveyCRSWKT: gaussKruger)
        try tables.prepare(ResultTables.parcelSpec(name: "parcels", rows: rows, keyedByRun: false))
        try tables.insert(rows, into: "parcels")
        try tables.dataset.close()

        let dataset = try Dataset.open(path)
        let layer = try #require(dataset.layer(at: 0))
        #expect(layer.fields.map(\.type) == [.string, .real, .json, .string])
        #expect(try layer.spatialReference()?.authorityCode == "EPSG:4547")
        let values = try readBack(path)
        #expect(values.map { $0.properties["soil_cr_mg_kg"] } == [.null, .null])
        #expect(values.map { $0.properties["zone_reasons"] } == [.string("[]"), .string("[\"CROP_UNKNOWN\"]")])
        #expect(try #require(layer.extent()).minX > 300_000, "Gauss–Krüger metres, not degrees")
    }

    /// Rows made ready for a table on worker threads (`RowPreparation`, each thread with its own
    /// copy of the transformation) carry the geometry GDAL itself makes of the same shape
    /// (`OGR_G_Transform`), byte for byte; values are converted as the table takes them.
    @Test func rowsPreparedOnWorkerThreadsMatchGDALsOwnTransform() throws {
        let path = try temporaryDirectory() + "/prepared.gpkg"
        let tables = try FeatureTables(dataset: try Dataset.create(driver: "GPKG", path: path), surveyCRSWKT: try SpatialReference(epsg: 4547).wkt())
        let shapes = (0..<64).map { index -> MultiPolygon in
            let x = 111.9 + Double(index) * 0.0137, y = 38.1 + Double(index % 7) * 0.0291
            let ring = [Position(x: x, y: y), Position(x: x + 0.0012, y: y), Position(x: x + 0.0012, y: y + 0.0009), Position(x: x, y: y), ]
            let hole = [Position(x: x + 0.0002, y: y + 0.0001), Position(x: x + 0.0004, y: y + 0.0001), Position(x: x + 0.0003, y: y + 0.0003),
                        Position(x: x + 0.0002, y: y + 0.0001)]
            return MultiPolygon(polygons: [Polygon(rings: [ring, hole]), Polygon(rings: [ring.map { Position(x: $0.x + 0.002, y: $0.y) }])])
        }
        let preparation = tables.preparation
        let prepared = parallelChunks(count: shapes.count, chunkSize: 8) { range in
            range.map { preparation.prepare(TableRow(shape: .area(shapes[$0]), properties: [("n", .fixed(Double($0) / 3, decimals: 2))])) }
        }
        let toGaussKruger = try CoordinateTransformation(from: try SpatialReference.wgs84(), to: try SpatialReference(epsg: 4547))
        for (index, row) in prepared.enumerated() {
            let gdal = try Geometry(wkb: WKB.encode(shapes[index]))
            try gdal.transform(with: toGaussKruger)
            guard case .wkb(let bytes) = row.shape else { Issue.record("row \(index): \(row.shape)"); continue }
            #expect(bytes == (try gdal.wkb()), "row \(index)")
            #expect(row.values.decoded == [.real((Double(index) / 3 * 100).rounded() / 100)])
        }
        // A point the survey's CRS cannot hold stops the insert, naming the table.
        let beyond = preparation.prepare(TableRow(shape: .point(Position(x: 112, y: 95)), properties: []))
        guard case .untransformable = beyond.shape else { Issue.record("a latitude of 95° was transformed: \(beyond.shape)"); return }
        try tables.prepare(TableSpec(name: "sources", geometry: .point, fields: []))
        #expect(throws: GDALError.self) { try tables.insert(prepared: [beyond], into: "sources") }
        let point = preparation.prepare(TableRow(shape: .point(Position(x: 112.5, y: 38.5)), properties: []))
        guard case .wkb(let pointBytes) = point.shape else { Issue.record("\(point.shape)"); return }
        let expected = try #require(toGaussKruger.transform(x: 112.5, y: 38.5))
        #expect(pointBytes == WKB.encode(point: Position(x: expected.x, y: expected.y)))
        try tables.dataset.close()
    }

    /// A GeoPackage written whole by one run (`wholeGeoPackage`) is the file GDAL writes: its rows,
    /// bound to one statement (`GeoPackageRows`), are GDAL's byte for byte (geometry blobs, every
    /// field type, nulls), with GDAL's row counts and extents; and its spatial index, packed at the
    /// end (`GeoPackageRTree`), is the index GDAL fills row by row, arranged otherwise: SQLite's
    /// `rtreecheck` finds it sound, it holds the same boxes (rounded to 32-bit floats as SQLite
    /// rounds them), answers window queries alike, and has GDAL's triggers and extension row, so
    /// later edits keep it in step. Sizes: none, one node, and several levels.
    @Test(arguments: [0, 40, 6_000])
    func aWholeGeoPackageIsTheFileGDALWrites(rows count: Int) throws {
        let directory = try temporaryDirectory()
        var random = SplitMix64(seed: UInt64(count) + 7)
        let rows = (0..<count).map { index -> TableRow in
            let x = 111.9 + random.uniform(0, 0.6), y = 38.1 + random.uniform(0, 0.4), size = random.uniform(0.0001, 0.004)
            let ring = [Position(x: x, y: y), Position(x: x + size, y: y), Position(x: x + size, y: y + size / 2), Position(x: x, y: y)]
            return TableRow(shape: .area(MultiPolygon(polygons: [Polygon(rings: [ring])])), properties: [
                ("n", .integer(Int64(index))), ("name", index % 7 == 0 ? .null : .string("地块'\(index)\"")),
                ("value", index % 5 == 0 ? .number(.nan) : .fixed(size * 1e5 / 3, decimals: 3)), ("count", .integer(Int64(index % 3))),
                ("flag", .boolean(index % 2 == 0)), ("reasons", .strings(index % 3 == 0 ? [] : ["TIER_CAUTIOUS", "SOIL_\(index)"])),
            ])
        }
        let fields = [FieldDefinition(name: "n", type: .integer64), FieldDefinition(name: "name", type: .string),
                      FieldDefinition(name: "value", type: .real), FieldDefinition(name: "count", type: .real),
                      FieldDefinition(name: "flag", type: .boolean), FieldDefinition(name: "reasons", type: .json)]
        let notes = rows.prefix(50).enumerated().map { index, _ in
            TableRow(shape: .none, properties: [("parcel_id", .string("P\(index)")), ("value", index % 4 == 0 ? .null : .number(Double(index) / 7))])
        }
        let wells = (0..<min(count, 12)).map { index in
            TableRow(shape: .point(Position(x: 112 + Double(index) / 50, y: 38.2)), properties: [("well", .string("W\(index)"))])
        }
        func write(packed: Bool) throws -> String {
            let path = directory + (packed ? "/packed.gpkg" : "/gdal.gpkg")
            let tables = try FeatureTables(dataset: try Dataset.create(driver: "GPKG", path: path), surveyCRSWKT: try SpatialReference(epsg: 4547).wkt(),
                                           wholeGeoPackage: packed)
            try tables.prepare(TableSpec(name: "parcels", geometry: .multiPolygon, fields: fields))
            try tables.prepare(TableSpec(name: "notes", geometry: .none,
                                         fields: [FieldDefinition(name: "parcel_id", type: .string), FieldDefinition(name: "value", type: .real)]))
            try tables.prepare(TableSpec(name: "wells", geometry: .point, fields: [FieldDefinition(name: "well", type: .string)]))
            try tables.prepare(TableSpec(name: "idle", geometry: .multiPolygon, fields: [FieldDefinition(name: "n", type: .integer64)]))  // no rows
            try tables.dataset.beginTransaction()
            try tables.insert(rows, into: "parcels")
            try tables.insert(notes, into: "notes")
            try tables.insert(wells, into: "wells")
            try tables.finishTables()
            // (GDAL's count, asked of its own tables, would be written into the file at the close.)
            if packed { #expect(tables.rowCount(of: "parcels") == count && tables.rowCount(of: "notes") == notes.count) }
            try tables.dataset.commitTransaction()
            try tables.dataset.close()
            return path
        }
        let gdal = try Dataset.open(try write(packed: false)), packed = try Dataset.open(try write(packed: true), update: true)
        let entries = "SELECT id || ' ' || minx || ' ' || maxx || ' ' || miny || ' ' || maxy FROM rtree_parcels_geom ORDER BY id"
        #expect(try packed.queryText("SELECT rtreecheck('rtree_parcels_geom')") == "ok")
        #expect(try packed.queryColumn(entries) == (try gdal.queryColumn(entries)))
        #expect(try packed.queryColumn(entries).count == count)
        let schema = "SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        #expect(try packed.queryColumn(schema) == (try gdal.queryColumn(schema)))
        let extensions = "SELECT table_name || column_name || extension_name || definition || scope FROM gpkg_extensions ORDER BY 1"
        #expect(try packed.queryColumn(extensions) == (try gdal.queryColumn(extensions)))
        #expect(try packed.queryText("SELECT HasSpatialIndex('parcels', 'geom')") == "1")
        #expect(try packed.queryText("SELECT HasSpatialIndex('idle', 'geom')") == "1" && gdal.layer(named: "idle") != nil)
        // The rows, and what GDAL keeps about them.
        for table in ["parcels", "notes", "wells", "idle"] {
            let columns = try gdal.queryColumn("SELECT group_concat('quote(' || name || ')', ' || '','' || ') FROM pragma_table_info('\(table)')").first!!
            let everything = "SELECT \(columns) FROM \(table) ORDER BY fid"
            #expect(try packed.queryColumn(everything) == (try gdal.queryColumn(everything)), "table \(table)")
            let contents = "SELECT quote(data_type) || quote(min_x) || quote(min_y) || quote(max_x) || quote(max_y) || quote(srs_id) FROM gpkg_contents WHERE table_name = '\(table)'"
            #expect(try packed.queryColumn(contents) == (try gdal.queryColumn(contents)), "table \(table)")
            let counted = "SELECT quote(feature_count) FROM gpkg_ogr_contents WHERE table_name = '\(table)'"
            #expect(try packed.queryColumn(counted) == (try gdal.queryColumn(counted)), "table \(table)")
            #expect(try packed.queryText("SELECT last_change IS NOT NULL FROM gpkg_contents WHERE table_name = '\(table)'") == "1")
            #expect(packed.layer(named: table)?.featureCount(forceScan: false) == gdal.layer(named: table)?.featureCount(forceScan: false))
        }
        let columnsMetadata = "SELECT table_name || column_name || mime_type FROM gpkg_data_columns ORDER BY 1"
        #expect(try packed.queryColumn(columnsMetadata) == (try gdal.queryColumn(columnsMetadata)))
        var found = 0
        for window in 0..<40 {
            // Windows of 6 km over the rows' 50 × 45 km (lon 111.9–112.5°, lat 38.1–38.5° in CM 114°E).
            let x = 322_000 + Double(window) * 1_300, y = 4_218_000 + Double(window % 9) * 5_000
            let query = "SELECT id FROM rtree_parcels_geom WHERE minx <= \(x + 6_000) AND maxx >= \(x) AND miny <= \(y + 6_000) AND maxy >= \(y) ORDER BY id"
            let hits = try packed.queryColumn(query)
            #expect(hits == (try gdal.queryColumn(query)), "window \(window)")
            found += hits.count
        }
        #expect(count == 0 || found > count / 10, "the windows find rows")
        // An edit after the run goes through GDAL's triggers into the packed index.
        if count > 0 {
            try packed.execute("DELETE FROM parcels WHERE fid = 1")
            #expect(try packed.queryText("SELECT count(*) FROM rtree_parcels_geom") == "\(count - 1)")
            #expect(try packed.queryText("SELECT rtreecheck('rtree_parcels_geom')") == "ok")
        }
    }

    /// A value GDAL would convert silently and not losslessly into its field's type (text into a
    /// real field reads as 0) stops a whole GeoPackage's write, naming the table and the field.
    @Test func aValueOfAnotherTypeThanItsFieldStopsTheWrite() throws {
        let path = try temporaryDirectory() + "/mismatch.gpkg"
        let tables = try FeatureTables(dataset: try Dataset.create(driver: "GPKG", path: path), surveyCRSWKT: try SpatialReference(epsg: 4547).wkt(),
                                       wholeGeoPackage: true)
        try tables.prepare(TableSpec(name: "notes", geometry: .none, fields: [FieldDefinition(name: "value", type: .real)]))
        try tables.dataset.beginTransaction()
        try tables.insert([TableRow(shape: .none, properties: [("value", .integer(3))])], into: "notes")  // an integer is a real exactly
        #expect { try tables.insert([TableRow(shape: .none, properties: [("value", .string("0.5 mg/kg"))])], into: "notes") } throws: { error in
            "\(error)".contains("field value is real") && "\(error)".contains("table notes")
        }
        tables.dataset.rollbackTransaction()
    }

    @Test func theInitTemplateIsAValidProjectFile() throws {
        let path = try temporaryDirectory() + "/project.yaml"
        try ProjectTemplate.text.write(toFile: path, atomically: true, encoding: .utf8)
        let project = try ProjectFile.load(path: path)
        #expect(project.parcels.fields[.parcelID] == "DKBM" && project.targets.count == 2 && project.rules.statistic == .max)
        #expect(project.rules.review.accumulation.depthMetres == 0.20 && project.linking.groundwaterRadiusMetres == 1000)
    }
}
