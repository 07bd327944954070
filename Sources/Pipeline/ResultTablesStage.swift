import Foundation
import GeoKit
import IrrigationModel
import Reports
import RunSupport

/// The run's results as tables (issue #25), after the output pass: every layer of
/// `parcels.gpkg` (`--format gpkg`) and the run written into a database (`--db`), in the survey's
/// CRS with declared field types.
///
/// The rows are made again from the run's arrays, in chunks on every core; each GDAL dataset is
/// opened, written and closed on the calling thread only.
struct ResultTablesStage: Sendable {
    let parcels: [Parcel]
    let links: [ParcelLinks]
    let soil: [SoilSample]
    let assess: @Sendable (Int) -> ParcelAssessment
    let zones: [ZonePolygon]
    let sources: [SourceAssessment]
    let surveyCRSWKT: String

    /// Parcels whose rows are made at once: a bounded slice of memory at any layer size.
    static let chunkSize = 8_192

    /// One chunk's rows: the parcels' and their findings'.
    struct Chunk: Sendable {
        var parcels: [TableRow]
        var findings: [TableRow]
    }

    func chunk(_ range: Range<Int>, fieldNames: ParcelProperties.FieldNames) throws -> Chunk {
        let attributes = try AttributeRecord.loaded(parcels[range].lazy.map(\.attributes))
        let pieces = parallelChunks(count: range.count, chunkSize: 512) { local -> [(TableRow, [TableRow])] in
            local.map { offset in
                let index = range.lowerBound + offset, assessment = assess(index)
                let properties = ParcelProperties.properties(of: parcels, at: index, links: links, soil: soil, assessment: assessment,
                                                             fieldNames: fieldNames, attributes: attributes[offset])
                return (TableRow(shape: .area(parcels[index].geometry), properties: properties),
                        ResultTables.findingRows(parcelID: parcels[index].id, assessment.review?.findings ?? []))
            }
        }
        return Chunk(parcels: pieces.map { $0.0 }, findings: pieces.flatMap { $0.1 })
    }

    /// What writing cost: the rows' making (on every core, the next chunk's while this chunk's
    /// rows are inserted) and the datasets' inserts, seconds.
    struct Seconds { var makingRows = 0.0, inserting = 0.0 }

    /// Writes the tables into each destination, chunk by chunk. Returns the parcels written.
    func write(into destinations: [Destination], seconds: inout Seconds) throws -> Int {
        guard !destinations.isEmpty else { return 0 }
        func timed<T>(_ part: WritableKeyPath<Seconds, Double>, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { seconds[keyPath: part] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            return try body()
        }
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.names.names ?? [])
        let first = try timed(\.makingRows) { try chunk(0..<min(Self.chunkSize, parcels.count), fieldNames: fieldNames) }
        let zoneRows = ResultTables.zoneRows(zones), sourceRows = ResultTables.sourceRows(sources, parcels: parcels)
        for destination in destinations {
            try destination.prepare(parcelRows: first.parcels, sourceRows: sourceRows)
        }
        // The next chunk's rows are made on the other cores while this thread inserts the current
        // one's: the inserts are GDAL's and the database's, on one thread.
        var written = 0
        var current = first
        var start = first.parcels.count
        while true {
            let range = start..<min(start + Self.chunkSize, parcels.count)
            let stage = self
            let next = range.isEmpty ? nil : BackgroundWork { try stage.chunk(range, fieldNames: fieldNames) }
            let rows = current
            try timed(\.inserting) { for destination in destinations { try destination.insert(rows) } }
            written += rows.parcels.count
            guard let next else { break }
            current = try next.wait().get()
            seconds.makingRows += next.seconds
            start = range.upperBound
        }
        try timed(\.inserting) {
            for destination in destinations { try destination.insert(zones: zoneRows, sources: sourceRows) }
        }
        return written
    }

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

        func insert(_ chunk: Chunk) throws {
            try tables.insert(keyed(chunk.parcels), into: names.parcels)
            try tables.insert(keyed(chunk.findings), into: names.findings)
        }

        func insert(zones: [TableRow], sources: [TableRow]) throws {
            try tables.insert(keyed(zones), into: names.zones)
            try tables.insert(keyed(sources), into: names.sources)
        }

        private func keyed(_ rows: [TableRow]) -> [TableRow] {
            runID.map { ResultTables.keyed(rows, runID: $0) } ?? rows
        }
    }
}
