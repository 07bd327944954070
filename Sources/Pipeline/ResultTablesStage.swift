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

    /// One chunk's rows, the parcels' and their findings', made ready for each destination
    /// (`RowPreparation`, in the order of `preparations`), and the first chunk's rows as made,
    /// from which the tables' fields are typed.
    struct Chunk: Sendable {
        var parcels: [[PreparedRow]]
        var findings: [[PreparedRow]]
        var parcelRows: [TableRow] = []
        var count: Int { parcels.first?.count ?? 0 }
    }

    /// One parcel's rows, made ready for each destination.
    private struct Made: Sendable {
        var row: TableRow?
        var parcel: [PreparedRow]
        var findings: [[PreparedRow]]
    }

    /// The rows of the parcels in `range`, made on every core: each parcel assessed again, its
    /// properties converted to field values and its geometry put in the tables' CRS, so the
    /// thread inserting them only hands them to GDAL.
    func chunk(_ range: Range<Int>, fieldNames: ParcelProperties.FieldNames, preparations: [RowPreparation],
               keepingRows: Bool = false) throws -> Chunk {
        let attributes = try AttributeRecord.loaded(parcels[range].lazy.map(\.attributes))
        let made = parallelChunks(count: range.count, chunkSize: 512) { local -> [Made] in
            var lastParcel = [PreparedRow?](repeating: nil, count: preparations.count)
            var lastFinding = [PreparedRow?](repeating: nil, count: preparations.count)
            return local.map { offset in
                let index = range.lowerBound + offset, assessment = assess(index)
                // The first chunk's rows as made type the tables' fields.
                let row = keepingRows ? TableRow(shape: .area(parcels[index].geometry), properties: ParcelProperties.properties(
                    of: parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames, attributes: attributes[offset])) : nil
                let findings = ResultTables.findingRows(parcelID: parcels[index].id, assessment.review?.findings ?? [])
                var made = Made(row: row, parcel: [], findings: [])
                for (place, preparation) in preparations.enumerated() {
                    let parcel = row.map { preparation.prepare($0, after: lastParcel[place]) }
                        ?? preparation.prepareParcel(parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames,
                                                     attributes: attributes[offset], after: lastParcel[place])
                    lastParcel[place] = parcel
                    made.parcel.append(parcel)
                    made.findings.append(findings.map { finding in
                        let prepared = preparation.prepare(finding, after: lastFinding[place])
                        lastFinding[place] = prepared
                        return prepared
                    })
                }
                return made
            }
        }
        return Chunk(parcels: preparations.indices.map { place in made.map { $0.parcel[place] } },
                     findings: preparations.indices.map { place in made.flatMap { $0.findings[place] } },
                     parcelRows: keepingRows ? made.compactMap(\.row) : [])
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
        let preparations = destinations.map(\.preparation)
        var first = try timed(\.makingRows) {
            try chunk(0..<min(Self.chunkSize, parcels.count), fieldNames: fieldNames, preparations: preparations, keepingRows: true)
        }
        let zoneRows = ResultTables.zoneRows(zones), sourceRows = ResultTables.sourceRows(sources, parcels: parcels)
        for destination in destinations {
            try destination.prepare(parcelRows: first.parcelRows, sourceRows: sourceRows)
        }
        first.parcelRows = []
        // The next chunk's rows are made on the other cores while this thread inserts the current
        // one's: the inserts are GDAL's and the database's, on one thread.
        // A chunk inserted is freed by the thread making the chunk after next, not by this one
        // (docs/scaling.md, "Rows bound to one statement").
        var written = 0
        var current = first
        var inserted: Chunk?
        var start = first.count
        while true {
            let range = start..<min(start + Self.chunkSize, parcels.count)
            let stage = self, spent = SpentChunk(inserted.take())
            let next = range.isEmpty ? nil : BackgroundWork {
                spent.free()
                return try stage.chunk(range, fieldNames: fieldNames, preparations: preparations)
            }
            try timed(\.inserting) {
                for (place, destination) in destinations.enumerated() {
                    try destination.insert(parcels: current.parcels[place], findings: current.findings[place])
                }
            }
            written += current.count
            guard let next else { break }
            inserted = current
            current = try next.wait().get()
            seconds.makingRows += next.seconds
            start = range.upperBound
        }
        try timed(\.inserting) {
            for destination in destinations { try destination.insert(zones: zoneRows, sources: sourceRows) }
        }
        return written
    }

    /// A chunk handed to another thread to be freed there; only that thread touches it after.
    private final class SpentChunk: @unchecked Sendable {
        private var chunk: Chunk?
        init(_ chunk: Chunk?) { self.chunk = chunk }
        func free() { chunk = nil }
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
}
