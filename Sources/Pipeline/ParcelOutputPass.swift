import Foundation
import IrrigationModel
import Reports
import RunSupport
import Synchronization

/// The one pass over the parcels that writes everything per parcel.
///
/// The parcels are cut into chunks of `chunkSize`. Each core takes the next chunk as soon as it is
/// free and does all of that chunk's work: assess its parcels, encode their GeoJSON features or
/// make their table rows (`TableRowMaker`), and make their review and summary rows and outcomes.
/// Finished chunks are handed over in parcel order to their lanes: the file lane writes the
/// features, the rows lane adds the rows, keeps the outcomes in order and adds the parcels to
/// their zone's union, and the thread running the pass inserts the table rows (the datasets are
/// its own: `ResultTablesStage`). A chunk's full assessments are dropped when the rows lane is
/// done with them, so memory holds the parcels and their outcomes, not every finding of every
/// parcel; the rules run once per parcel whatever the run writes.
///
/// No core waits at the end of a step for another to finish (docs/scaling.md).
struct ParcelOutputPass: Sendable {
    /// Parcels per chunk: a few milliseconds of one core's work (docs/scaling.md).
    static let chunkSize = 512
    /// Chunks each lane holds at most, queued or in hand; a core waits for room before it takes the
    /// next chunk. Bounds memory: the file lane waits for the disk, and the cores would otherwise
    /// encode far ahead of it.
    static let chunksPerLane = max(8, 2 * ProcessInfo.processInfo.activeProcessorCount)

    /// What the later outputs need from the pass.
    struct Result: Sendable {
        var featuresWritten: Int
        var reviewRowsWritten: Int
        var outcomes: [ParcelOutcome]
        var summary: SummaryFiles.SummaryAccumulator
        /// The report's first review-list rows, and how many parcels are under review.
        var reportReviewRows: [[String]]
        var reviewCount: Int
        /// The zone groups' coverage unions, built from the parcels in order (`DissolveStage`).
        var unions = DissolveStage.GroupUnions()
        /// The parcels file's end being written and flushed to disk (after the chunks still in the
        /// file lane), while the dissolve goes on: wait for it before publishing.
        var parcelFileSync: Promise<Swift.Result<Void, any Error>>?
    }

    let parcels: [Parcel]
    let links: [ParcelLinks]
    let soil: [SoilSample]
    let assess: @Sendable (Int) -> ParcelAssessment
    let labels: ReportLabels

    /// Writes `parcels.geojson` (unless `geojson` is false) and review.csv into staging, and the
    /// parcels' and findings' rows into `tables`, from this thread.
    /// - Parameter records: where a part of a partitioned run keeps each parcel's record for `merge`.
    func run(geojson: Bool, tables: (any TableRowsDestination)? = nil, staging: OutputStaging, records: PartitionRecordsFile.Options? = nil,
             timer: inout PhaseTimer) throws -> Result {
        let started = DispatchTime.now().uptimeNanoseconds
        let parcelFile = "parcels.geojson"
        let parcelPath = staging.path(for: parcelFile), reviewPath = staging.path(for: "review.csv")
        // Each lane's writer is made on the lane's thread and used and closed there only.
        let fileLane = try ThreadConfined(name: "irrizone.parcels-file") { () throws -> FeatureFile in
            FeatureFile(writer: geojson ? try GeoJSONWriter(path: parcelPath, name: "parcels") : nil)
        }
        defer { fileLane.close() }  // ends the lane's thread once its work is done, the file's end included
        let parcels = self.parcels, labels = self.labels
        let rowsLane = try ThreadConfined(name: "irrizone.parcel-rows") { () throws -> Rows in
            try Rows(reviewCSV: SummaryFiles.ReviewWriter(path: reviewPath), records: records.map(PartitionRecordsFile.init), parcels: parcels, labels: labels)
        }
        defer { rowsLane.close() }
        let sink = Sink(parcelCount: parcels.count, fileLane: fileLane, rowsLane: rowsLane, feedsTables: tables != nil)
        let partSeconds = Mutex(PartSeconds())
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.names.names ?? [])
        let rowMaker = tables?.rowMaker(fieldNames: fieldNames)

        let makeChunks: @Sendable () -> Void = {
            DispatchQueue.concurrentPerform(iterations: ProcessInfo.processInfo.activeProcessorCount) { _ in
                while let range = sink.claimChunk() {
                    let (chunk, seconds) = makeChunk(range, geojson: geojson, rowMaker: rowMaker, fieldNames: fieldNames, sink: sink)
                    partSeconds.withLock { $0.add(seconds) }
                    sink.handOver(chunk)
                }
            }
        }
        if let tables {
            // The chunks are made on the other threads while this one, which owns the datasets,
            // inserts their rows in order.
            let workers = BackgroundWork { makeChunks(); sink.chunksMade() }
            sink.insertTableRows { try tables.insert($0) }
            _ = workers.wait()
        } else {
            makeChunks()
        }
        let chunksDone = DispatchTime.now().uptimeNanoseconds
        var result = try sink.finish()
        let expected = parcels.count
        if !geojson {
            result.featuresWritten = 0
        } else {
            // The file's last chunks are written and flushed to disk behind the chunks still in
            // the file lane, while the dissolve and the other outputs are made.
            result.featuresWritten = expected
            result.parcelFileSync = fileLane.promise { file in
                let written = try file.finishAndSynchronize()
                guard written == expected else { throw PipelineError.outputCountMismatch(file: parcelFile, expected: expected, written: written) }
            }
        }
        // The parts are done together, chunk by chunk: the pass's time is divided among them by
        // the thread time each took; what is left at the end (the lanes finishing) counts as writing.
        let passSeconds = Double(chunksDone - started) / 1e9, ending = Double(DispatchTime.now().uptimeNanoseconds - chunksDone) / 1e9
        let shares = partSeconds.withLock { $0.shares }
        timer.record("review_and_zone", seconds: passSeconds * shares.assess, items: parcels.count)
        if geojson { timer.record("write_parcels_geojson", seconds: passSeconds * shares.encode + ending, items: result.featuresWritten) }
        timer.record("review_csv_and_summary_rows", seconds: passSeconds * shares.rows, items: result.reviewRowsWritten)
        if let tables { timer.record("result_tables_rows", seconds: passSeconds * shares.tables, items: tables.parcelsWritten) }
        return result
    }

    /// One chunk's work, on whichever core took it: assess its parcels, encode their features or
    /// make their table rows, make their rows and outcomes; with the thread time of each part.
    /// A chunk whose attributes cannot be read back from their spill file fails the pass through
    /// `sink` (no chunk is claimed after it; its features and table rows are left out).
    private func makeChunk(_ range: Range<Int>, geojson: Bool, rowMaker: TableRowMaker?, fieldNames: ParcelProperties.FieldNames,
                           sink: Sink) -> (ChunkOutput, PartSeconds) {
        let begun = DispatchTime.now().uptimeNanoseconds
        let assessed = range.map(assess)
        let assessedAt = DispatchTime.now().uptimeNanoseconds
        var features: JSONBytes? = nil
        var tableRows: TableRowMaker.Chunk? = nil
        var tablesTime: UInt64 = 0
        if geojson || rowMaker != nil {
            do {
                let attributes = try AttributeRecord.loaded(parcels[range].lazy.map(\.attributes))
                if geojson {
                    features = GeoJSONWriter.encodeParcelFeatures(range, parcels: parcels, links: links, soil: soil, assessments: assessed,
                                                                  firstAssessed: range.lowerBound, fieldNames: fieldNames, attributes: attributes)
                }
                if let rowMaker {
                    let start = DispatchTime.now().uptimeNanoseconds
                    tableRows = rowMaker.rows(range, parcels: parcels, links: links, soil: soil, assessed: assessed, attributes: attributes)
                    tablesTime = DispatchTime.now().uptimeNanoseconds - start
                }
            } catch {
                sink.fail(error)
            }
        }
        let encodedAt = DispatchTime.now().uptimeNanoseconds
        let rows = (0..<range.count).map { offset in
            let index = range.lowerBound + offset
            return ChunkRow(review: SummaryFiles.ReviewWriter.rows(parcels, at: index, assessed[offset]),
                            summary: SummaryFiles.SummaryAccumulator.Row(parcels, at: index, assessed[offset]), outcome: ParcelOutcome(assessed[offset]))
        }
        let seconds = PartSeconds(assess: assessedAt - begun, encode: encodedAt - assessedAt - tablesTime,
                                  rows: DispatchTime.now().uptimeNanoseconds - encodedAt, tables: tablesTime)
        return (ChunkOutput(range: range, features: features, rows: rows, assessed: assessed, tables: tableRows), seconds)
    }

    /// parcels.geojson, on the file lane (nil when the parcels go into a GeoPackage instead). The
    /// writer keeps its first error for its `finish`.
    struct FeatureFile {
        let writer: GeoJSONWriter?

        func write(_ features: JSONBytes?, count: Int) {
            if let writer, let features { writer.write(encodedFeatures: features, count: count) }
        }

        func finishAndSynchronize() throws -> Int {
            try writer?.finishAndSynchronize() ?? 0
        }
    }

    /// What the rows lane adds for one parcel.
    struct ChunkRow: Sendable {
        var review: (text: String, count: Int)
        var summary: SummaryFiles.SummaryAccumulator.Row
        var outcome: ParcelOutcome
    }

    /// A finished chunk, on its way to the lanes.
    struct ChunkOutput: Sendable {
        var range: Range<Int>
        var features: JSONBytes?
        var rows: [ChunkRow]
        var assessed: [ParcelAssessment]
        /// The table rows, for the thread inserting them (nil without tables, or when the chunk failed).
        var tables: TableRowMaker.Chunk?
    }

    /// The thread time of each part of the chunks' work, added up over the cores (nanoseconds).
    struct PartSeconds: Sendable {
        var assess: UInt64 = 0, encode: UInt64 = 0, rows: UInt64 = 0, tables: UInt64 = 0

        mutating func add(_ other: PartSeconds) { assess += other.assess; encode += other.encode; rows += other.rows; tables += other.tables }

        /// Each part's share of the whole.
        var shares: (assess: Double, encode: Double, rows: Double, tables: Double) {
            let total = Double(max(assess + encode + rows + tables, 1))
            return (Double(assess) / total, Double(encode) / total, Double(rows) / total, Double(tables) / total)
        }
    }

    /// The rows lane's state: review.csv, the partition records, and what the later outputs need.
    struct Rows {
        let reviewCSV: SummaryFiles.ReviewWriter
        let records: PartitionRecordsFile?
        let parcels: [Parcel]
        let labels: ReportLabels
        var result: Result
        var outcomeLists = OutcomeLists()

        init(reviewCSV: SummaryFiles.ReviewWriter, records: PartitionRecordsFile?, parcels: [Parcel], labels: ReportLabels) {
            self.reviewCSV = reviewCSV; self.records = records; self.parcels = parcels; self.labels = labels
            result = Result(featuresWritten: 0, reviewRowsWritten: 0, outcomes: [], summary: SummaryFiles.SummaryAccumulator(),
                            reportReviewRows: [], reviewCount: 0)
            result.outcomes.reserveCapacity(parcels.count)
        }

        mutating func add(_ rows: [ChunkRow], range: Range<Int>, assessed: [ParcelAssessment]) throws {
            for offset in rows.indices {
                let index = range.lowerBound + offset
                reviewCSV.add(rows[offset].review.text, rows: rows[offset].review.count)
                result.summary.add(rows[offset].summary)
                try records?.add(parcels[index], rows[offset].outcome, rows[offset].summary)
                if rows[offset].outcome.underReview {
                    result.reviewCount += 1
                    // Only the report's first rows are made (a county has tens of thousands under review).
                    if result.reportReviewRows.count < HTMLReport.reviewRowLimit {
                        result.reportReviewRows.append(HTMLReport.reviewRow(parcel: parcels[index], assessment: assessed[offset], labels: labels))
                    }
                }
                result.outcomes.append(outcomeLists.sharing(rows[offset].outcome))
                result.unions.add(parcels[index].geometry, rows[offset].outcome, areaSquareMetres: parcels[index].areaSquareMetres)
            }
        }

        /// Closes review.csv and the records; what the pass hands on.
        mutating func finish() throws -> Result {
            result.reviewRowsWritten = try reviewCSV.finish()
            try records?.finish()
            return result
        }
    }

    /// The ordered end of the pass: hands out the chunks, takes them back finished in any order,
    /// and passes them on in parcel order to its lanes. The file lane writes the features;
    /// the rows lane adds the rows. Two lanes because writing waits for the disk (a million
    /// parcels' file is 3.5 GB), and in one lane the rows and unions waited behind it. With
    /// tables, the thread running the pass is a third lane: it inserts the table rows
    /// (`insertTableRows`).
    final class Sink: Sendable {
        private let parcelCount: Int
        private let fileLane: ThreadConfined<FeatureFile>
        private let rowsLane: ThreadConfined<Rows>
        private let fileRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)
        private let rowsRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)
        /// Room in the tables lane (nil without tables), and a signal for each chunk queued in it
        /// and one when every chunk is made.
        private let tablesRoom: DispatchSemaphore?
        private let tablesQueued = DispatchSemaphore(value: 0)
        private struct TablesQueue {
            var chunks: [TableRowMaker.Chunk?] = []
            var allMade = false
        }
        private let tablesQueue = Mutex(TablesQueue())

        private struct Order {
            var nextClaimed = 0
            var nextHandedOver = 0
            /// Finished chunks waiting for the ones before them, by their first parcel.
            var waiting: [Int: ChunkOutput] = [:]
            var error: (any Error)?
        }
        private let order = Mutex(Order())

        init(parcelCount: Int, fileLane: ThreadConfined<FeatureFile>, rowsLane: ThreadConfined<Rows>, feedsTables: Bool) {
            self.parcelCount = parcelCount; self.fileLane = fileLane; self.rowsLane = rowsLane
            tablesRoom = feedsTables ? DispatchSemaphore(value: ParcelOutputPass.chunksPerLane) : nil
        }

        /// The next chunk's parcels, once every lane has room for it; nil when every chunk is
        /// taken or a lane failed.
        func claimChunk() -> Range<Int>? {
            fileRoom.wait()
            rowsRoom.wait()
            tablesRoom?.wait()
            let range = order.withLock { order -> Range<Int>? in
                guard order.error == nil, order.nextClaimed < parcelCount else { return nil }
                let start = order.nextClaimed
                order.nextClaimed = min(start + ParcelOutputPass.chunkSize, parcelCount)
                return start..<order.nextClaimed
            }
            if range == nil { fileRoom.signal(); rowsRoom.signal(); tablesRoom?.signal() }
            return range
        }

        /// Takes a finished chunk; passes it, and the ones it held up, on to the lanes in order
        /// (queued under the lock, so the lanes get them in parcel order).
        func handOver(_ chunk: ChunkOutput) {
            order.withLock { order in
                order.waiting[chunk.range.lowerBound] = chunk
                while let next = order.waiting.removeValue(forKey: order.nextHandedOver) {
                    order.nextHandedOver = next.range.upperBound
                    // Each lane gets only its part, so a part is freed as soon as its lane is done.
                    let features = next.features, count = next.range.count
                    fileLane.async { [self] file in
                        defer { fileRoom.signal() }
                        guard !failed else { return }
                        file.write(features, count: count)
                    }
                    let range = next.range, rows = next.rows, assessed = next.assessed
                    rowsLane.async { [self] state in
                        defer { rowsRoom.signal() }
                        guard !failed else { return }
                        do { try state.add(rows, range: range, assessed: assessed) } catch { fail(error) }
                    }
                    if tablesRoom != nil {
                        tablesQueue.withLock { $0.chunks.append(next.tables) }
                        tablesQueued.signal()
                    }
                }
            }
        }

        /// Says that no chunk will be handed over any more (the tables lane's end).
        func chunksMade() {
            tablesQueue.withLock { $0.allMade = true }
            tablesQueued.signal()
        }

        /// The tables lane, on the thread that owns the datasets: inserts each chunk's table rows
        /// in parcel order until every chunk is made. After a failure (its own or a lane's) it
        /// takes the chunks still coming without inserting them, so no core waits for its room.
        func insertTableRows(_ insert: (TableRowMaker.Chunk) throws -> Void) {
            while true {
                tablesQueued.wait()
                let (queued, allMade) = tablesQueue.withLock { queue -> (Bool, Bool) in (!queue.chunks.isEmpty, queue.allMade) }
                guard queued else {
                    if allMade { return } else { continue }
                }
                let next = tablesQueue.withLock { $0.chunks.removeFirst() }
                if let chunk = next, !failed {
                    do { try insert(chunk) } catch { fail(error) }
                }
                tablesRoom?.signal()
                // Freed on the rows lane's thread, not on this one, which inserts the next.
                rowsLane.async { _ in withExtendedLifetime(next) {} }
            }
        }

        private var failed: Bool { order.withLock { $0.error != nil } }

        func fail(_ error: any Error) { order.withLock { if $0.error == nil { $0.error = error } } }

        /// Waits for every chunk in the rows lane (and in the file lane when a lane failed: then
        /// throws its error); closes review.csv and the records.
        func finish() throws -> Result {
            let result = try rowsLane.sync { state in try state.finish() }
            if let error = order.withLock({ $0.error }) {
                _ = try? fileLane.sync { _ in }
                throw error
            }
            return result
        }
    }
}

/// Writes `partition.bin` (`PartitionRecords`) as the output pass goes.
final class PartitionRecordsFile {
    /// Where the records go, and whether they keep each parcel's whole shape.
    struct Options: Sendable {
        var path: String
        var fullGeometry: Bool
    }
    private let handle: FileHandle
    private var buffer = ByteWriter()
    let fullGeometry: Bool
    private(set) var count = 0

    init(_ options: Options) throws {
        guard FileManager.default.createFile(atPath: options.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: options.path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: options.path))
        fullGeometry = options.fullGeometry
    }

    func add(_ parcel: Parcel, _ outcome: ParcelOutcome, _ row: SummaryFiles.SummaryAccumulator.Row) throws {
        PartitionRecords.encode(parcel, outcome, row, fullGeometry: fullGeometry, into: &buffer)
        count += 1
        if buffer.bytes.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer.bytes)
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        try flush()
        try handle.close()
    }
}
