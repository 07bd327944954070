import Foundation
import IrrigationModel
import Reports
import RunSupport
import Synchronization

/// The one pass over the parcels that writes everything per parcel.
///
/// The parcels are cut into chunks of `chunkSize`. Each core takes the next chunk as soon as it is
/// free and does all of that chunk's work: assess its parcels, encode their GeoJSON features, and
/// make their review and summary rows and outcomes. Finished
/// chunks are handed over in parcel order to two lanes: the file lane writes the features, the
/// rows lane adds the rows, keeps the outcomes in order and adds the parcels to their zone's
/// union. A chunk's full assessments are dropped when the rows lane is done with them, so memory
/// holds the parcels and their outcomes, not every finding of every parcel.
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

    /// Writes `parcels.geojson` (unless `geojson` is false: a GeoPackage's tables are written
    /// after the pass, `ResultTablesStage`) and review.csv into staging.
    /// - Parameter records: where a part of a partitioned run keeps each parcel's record for `merge`.
    func run(geojson: Bool, staging: OutputStaging, records: PartitionRecordsFile.Options? = nil,
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
        let sink = Sink(parcelCount: parcels.count, fileLane: fileLane, rowsLane: rowsLane)
        let partSeconds = Mutex(PartSeconds())
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.names.names ?? [])

        DispatchQueue.concurrentPerform(iterations: ProcessInfo.processInfo.activeProcessorCount) { _ in
            while let range = sink.claimChunk() {
                let (chunk, seconds) = makeChunk(range, geojson: geojson, fieldNames: fieldNames, sink: sink)
                partSeconds.withLock { $0.add(seconds) }
                sink.handOver(chunk)
            }
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
        return result
    }

    /// One chunk's work, on whichever core took it: assess its parcels, encode their features,
    /// make their rows and outcomes; with the thread time of each part.
    /// A chunk whose attributes cannot be read back from their spill file fails the pass through
    /// `sink` (no chunk is claimed after it; its features are left out).
    private func makeChunk(_ range: Range<Int>, geojson: Bool, fieldNames: ParcelProperties.FieldNames, sink: Sink) -> (ChunkOutput, PartSeconds) {
        let begun = DispatchTime.now().uptimeNanoseconds
        let assessed = range.map(assess)
        let assessedAt = DispatchTime.now().uptimeNanoseconds
        var features: JSONBytes? = nil
        if geojson {
            do {
                let attributes = try AttributeRecord.loaded(parcels[range].lazy.map(\.attributes))
                features = GeoJSONWriter.encodeParcelFeatures(range, parcels: parcels, links: links, soil: soil, assessments: assessed,
                                                              firstAssessed: range.lowerBound, fieldNames: fieldNames, attributes: attributes)
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
        let seconds = PartSeconds(assess: assessedAt - begun, encode: encodedAt - assessedAt, rows: DispatchTime.now().uptimeNanoseconds - encodedAt)
        return (ChunkOutput(range: range, features: features, rows: rows, assessed: assessed), seconds)
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
    }

    /// The thread time of each part of the chunks' work, added up over the cores (nanoseconds).
    struct PartSeconds: Sendable {
        var assess: UInt64 = 0, encode: UInt64 = 0, rows: UInt64 = 0

        mutating func add(_ other: PartSeconds) { assess += other.assess; encode += other.encode; rows += other.rows }

        /// Each part's share of the whole.
        var shares: (assess: Double, encode: Double, rows: Double) {
            let total = Double(max(assess + encode + rows, 1))
            return (Double(assess) / total, Double(encode) / total, Double(rows) / total)
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
    /// and passes them on in parcel order to its two lanes. The file lane writes the features;
    /// the rows lane adds the rows. Two lanes because writing waits for the disk (a million
    /// parcels' file is 3.5 GB), and in one lane the rows and unions waited behind it.
    final class Sink: Sendable {
        private let parcelCount: Int
        private let fileLane: ThreadConfined<FeatureFile>
        private let rowsLane: ThreadConfined<Rows>
        private let fileRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)
        private let rowsRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)

        private struct Order {
            var nextClaimed = 0
            var nextHandedOver = 0
            /// Finished chunks waiting for the ones before them, by their first parcel.
            var waiting: [Int: ChunkOutput] = [:]
            var error: (any Error)?
        }
        private let order = Mutex(Order())

        init(parcelCount: Int, fileLane: ThreadConfined<FeatureFile>, rowsLane: ThreadConfined<Rows>) {
            self.parcelCount = parcelCount; self.fileLane = fileLane; self.rowsLane = rowsLane
        }

        /// The next chunk's parcels, once both lanes have room for it; nil when every chunk is
        /// taken or a lane failed.
        func claimChunk() -> Range<Int>? {
            fileRoom.wait()
            rowsRoom.wait()
            let range = order.withLock { order -> Range<Int>? in
                guard order.error == nil, order.nextClaimed < parcelCount else { return nil }
                let start = order.nextClaimed
                order.nextClaimed = min(start + ParcelOutputPass.chunkSize, parcelCount)
                return start..<order.nextClaimed
            }
            if range == nil { fileRoom.signal(); rowsRoom.signal() }
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
                }
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
