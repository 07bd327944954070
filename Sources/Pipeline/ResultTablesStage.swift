import Foundation
import GeoKit
import IrrigationModel
import Reports
import RunSupport

/// The run's results as tables (issue #25): every layer of `parcels.gpkg` (`--format gpkg`) and
/// the run written into a database (`--db`), in the survey's CRS with declared field types.
///
/// The tables are opened and their fields typed before the output pass; the parcels' and their
/// findings' rows are made in the pass, by the cores that assess the parcels (`TableRowMaker`),
/// and inserted in parcel order by the thread that opened the datasets, the one that runs the
/// pass; the zones and sources follow once the zones are dissolved (`finish`). Each GDAL dataset
/// is opened, written and closed on that thread only, so this stage is not `Sendable`.
final class ResultTablesStage: TableRowsDestination {
    /// Where the tables go: one GDAL dataset, with its table names and, for a database, the run id.
    final class Destination {
        let tables: FeatureTables
        let names: ResultTables.Names
        let runID: String?
        /// A database: its tables are made, then its transaction begins.
        let database: RunDatabase?

        init(tables: FeatureTables, names: ResultTables.Names, runID: String?, database: RunDatabase?) {
            self.tables = tables; self.names = names; self.runID = runID; self.database = database
        }

        func prepare(parcelRows: [TableRow], sourceRows: [TableRow]) throws {
            let keyed = runID != nil
            let make = { [self] in
                try tables.prepare(ResultTables.parcelSpec(name: names.parcels, rows: parcelRows, keyedByRun: keyed))
                try tables.prepare(ResultTables.zoneSpec(name: names.zones, keyedByRun: keyed))
                try tables.prepare(ResultTables.sourceSpec(name: names.sources, rows: sourceRows, keyedByRun: keyed))
                try tables.prepare(ResultTables.findingSpec(name: names.findings, keyedByRun: keyed))
            }
            // A file's tables in one transaction too: SQLite commits each row alone otherwise
            // (docs/scaling.md).
            if let database { try database.begin(prepare: make) } else { try make(); try tables.dataset.beginTransaction() }
        }

        /// How this destination's rows are made ready on the cores that make them.
        var preparation: RowPreparation { tables.preparation.keyed(by: runID) }

        func insert(parcels: [PreparedRow], findings: [PreparedRow]) throws {
            try tables.insert(prepared: parcels, into: names.parcels)
            try tables.insert(prepared: findings, into: names.findings)
        }

        func insert(zones: [TableRow], sources: [TableRow]) throws {
            try tables.insert(keyed(zones), into: names.zones)
            try tables.insert(keyed(sources), into: names.sources)
        }

        private func keyed(_ rows: [TableRow]) -> [TableRow] {
            runID.map { ResultTables.keyed(rows, runID: $0) } ?? rows
        }
    }

    /// Parcels whose rows, made from (name, value) pairs before the pass, type the tables' fields
    /// that the output schema leaves open (the layer's own fields).
    static let typingRows = 8_192

    private let destinations: [Destination]
    /// The whole GeoPackage this run writes (`--format gpkg`), finished by `finish`.
    private let geopackage: FeatureTables?
    /// The database the run goes into (`--db`): whatever fails before its commit rolls it back.
    let database: RunDatabase?
    private let sourceRows: [TableRow]
    /// The parcels inserted so far.
    private(set) var parcelsWritten = 0
    /// What the inserts cost on this thread, seconds (the zones' and sources' included).
    private(set) var insertSeconds = 0.0

    /// Opens the datasets (`parcels.gpkg` in staging and the database), makes their tables with
    /// fields typed from the first parcels' rows, and begins each one's transaction.
    /// Returns nil when the run writes no tables.
    static func open(geopackagePath: String?, database target: DatabaseTarget?, runID: String, surveyCRSWKT: String,
                     typingRows: [TableRow], sources: [SourceAssessment], parcels: [Parcel]) throws -> ResultTablesStage? {
        var destinations: [Destination] = []
        var geopackage: FeatureTables?
        if let geopackagePath {
            let tables = try FeatureTables(dataset: try Dataset.createGeoPackage(path: geopackagePath),
                                           surveyCRSWKT: surveyCRSWKT, wholeGeoPackage: true)
            destinations.append(.init(tables: tables, names: .file, runID: nil, database: nil))
            geopackage = tables
        }
        var database: RunDatabase?
        if let target {
            let opened = try RunDatabase(target, surveyCRSWKT: surveyCRSWKT)
            destinations.append(.init(tables: opened.tables, names: .database, runID: runID, database: opened))
            database = opened
        }
        guard !destinations.isEmpty else { return nil }
        let stage = ResultTablesStage(destinations: destinations, geopackage: geopackage, database: database,
                                      sourceRows: ResultTables.sourceRows(sources, parcels: parcels))
        do {
            for destination in destinations { try destination.prepare(parcelRows: typingRows, sourceRows: stage.sourceRows) }
        } catch {
            throw stage.abandon(error)
        }
        return stage
    }

    private init(destinations: [Destination], geopackage: FeatureTables?, database: RunDatabase?, sourceRows: [TableRow]) {
        self.destinations = destinations; self.geopackage = geopackage; self.database = database; self.sourceRows = sourceRows
    }

    /// How the pass's cores make this stage's rows.
    func rowMaker(fieldNames: ParcelProperties.FieldNames) -> TableRowMaker {
        TableRowMaker(preparations: destinations.map(\.preparation), fieldNames: fieldNames)
    }

    /// Inserts one chunk's rows into every destination, in the order the chunks come.
    func insert(_ chunk: TableRowMaker.Chunk) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { insertSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        for (place, destination) in destinations.enumerated() {
            try destination.insert(parcels: chunk.parcels[place], findings: chunk.findings[place])
        }
        parcelsWritten += chunk.count
    }

    /// Inserts the zones and sources; finishes the GeoPackage (its styles, what GDAL keeps about
    /// the rows and their packed spatial indexes, the count, the commit and the close). A
    /// database stays in its transaction for the run's row (`RunDatabase.finish`).
    /// Returns the parcels written, as the parcels table holds them.
    func finish(zones: [ZonePolygon], timer: inout PhaseTimer) throws -> Int {
        let zoneRows = ResultTables.zoneRows(zones), start = DispatchTime.now().uptimeNanoseconds
        for destination in destinations { try destination.insert(zones: zoneRows, sources: sourceRows) }
        insertSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let geopackage else { return parcelsWritten }
        return try timer.measure("finish_parcels_gpkg") {
            let names = ResultTables.Names.file
            try QGISStyle.addDefaults([(names.parcels, QGISStyle.zonesQML()), (names.zones, QGISStyle.zonesQML()), (names.sources, QGISStyle.sourcesQML())],
                                      to: geopackage, time: ISO8601DateFormatter().string(from: Date()))
            try geopackage.finishTables()
            // What the parcels table holds, not what was handed to it, is counted.
            let stored = geopackage.rowCount(of: names.parcels)
            guard stored == parcelsWritten else { throw PipelineError.outputCountMismatch(file: "parcels.gpkg", expected: parcelsWritten, written: stored) }
            try geopackage.dataset.commitTransaction()
            try geopackage.dataset.close()
            return stored
        }
    }

    /// Rolls the database back (and removes a GeoPackage it created) after `error`; the error to
    /// report.
    func abandon(_ error: any Error) -> any Error { database?.abandon(error) ?? error }
}

/// Where the output pass's table rows go, on the thread that runs the pass
/// (`ResultTablesStage`).
protocol TableRowsDestination: AnyObject {
    /// How the pass's cores make the rows.
    func rowMaker(fieldNames: ParcelProperties.FieldNames) -> TableRowMaker
    /// Takes one chunk's rows; called in parcel order.
    func insert(_ chunk: TableRowMaker.Chunk) throws
    var parcelsWritten: Int { get }
}

/// Makes the rows of the parcels and their findings for each destination of a
/// `ResultTablesStage`, on any thread: the parcels' properties converted to field values and
/// their geometry put in the tables' CRS, so the thread inserting them only hands them on.
struct TableRowMaker: Sendable {
    let preparations: [RowPreparation]
    let fieldNames: ParcelProperties.FieldNames

    /// One chunk's rows, the parcels' and their findings', made ready for each destination (in
    /// the order of `preparations`).
    struct Chunk: Sendable {
        var parcels: [[PreparedRow]]
        var findings: [[PreparedRow]]
        var count: Int { parcels.first?.count ?? 0 }
    }

    /// The rows of the parcels in `range`, assessed as `assessed` (in order), their attributes
    /// read back as `attributes`.
    func rows(_ range: Range<Int>, parcels: [Parcel], links: [ParcelLinks], soil: [SoilSample],
              assessed: [ParcelAssessment], attributes: [AttributeRecord]) -> Chunk {
        var chunk = Chunk(parcels: preparations.map { _ in [] }, findings: preparations.map { _ in [] })
        for place in preparations.indices { chunk.parcels[place].reserveCapacity(range.count) }
        var lastParcel = [PreparedRow?](repeating: nil, count: preparations.count)
        var lastFinding = [PreparedRow?](repeating: nil, count: preparations.count)
        let transformations = preparations.map { $0.thisThreadsTransformation() }  // this chunk's thread's
        for offset in 0..<range.count {
            let index = range.lowerBound + offset, assessment = assessed[offset]
            let findings = ResultTables.findingRows(parcelID: parcels[index].id, assessment.review?.findings ?? [])
            for (place, preparation) in preparations.enumerated() {
                let parcel = preparation.prepareParcel(parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames,
                                                       attributes: attributes[offset], after: lastParcel[place], on: transformations[place])
                lastParcel[place] = parcel
                chunk.parcels[place].append(parcel)
                for finding in findings {
                    let prepared = preparation.prepare(finding, after: lastFinding[place])
                    lastFinding[place] = prepared
                    chunk.findings[place].append(prepared)
                }
            }
        }
        return chunk
    }

    /// The first `ResultTablesStage.typingRows` parcels' rows as (name, value) pairs, assessed on
    /// every core: the rows that type the tables' open fields.
    static func typingRows(parcels: [Parcel], links: [ParcelLinks], soil: [SoilSample], assess: @Sendable (Int) -> ParcelAssessment,
                           fieldNames: ParcelProperties.FieldNames) throws -> [TableRow] {
        let range = 0..<min(ResultTablesStage.typingRows, parcels.count)
        let attributes = try AttributeRecord.loaded(parcels[range].lazy.map(\.attributes))
        return parallelChunks(count: range.count, chunkSize: 512) { local in
            local.map { index in
                TableRow(shape: .area(parcels[index].geometry), properties: ParcelProperties.properties(
                    of: parcels, at: index, links: links, soil: soil, assessment: assess(index), fieldNames: fieldNames, attributes: attributes[index]))
            }
        }
    }
}
