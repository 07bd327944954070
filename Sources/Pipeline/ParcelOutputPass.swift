import Foundation
import IrrigationModel
import Reports

/// The one pass over the parcels that writes everything per parcel.
///
/// The parcels are cut into chunks of `chunkSize`. Each core takes the next chunk as soon as it is
/// free and does all of that chunk's work: assess its parcels, encode their features (for a
/// GeoPackage, their properties), and make their review and summary rows and outcomes. Finished
/// chunks are handed over in parcel order to two lanes: the file lane writes the features, the
/// rows lane adds the rows, keeps the outcomes in order and adds the parcels to their zone's
/// union. A chunk's full assessments are dropped when the rows lane is done with them, so memory
/// holds the parcels and their outcomes, not every finding of every parcel.
///
/// No core waits at the end of a step for another to finish. The pass used to go block by block
/// (4 096 parcels), each in three parallel steps (assess, encode, rows); at 10⁵ parcels the main
/// thread waited 0.18 s at the steps' ends while the other core often had nothing to do (`perf`
/// sched_switch), and the pass used 1.7 of the 2 cores.
struct ParcelOutputPass {
    /// Parcels per chunk: ≈ 3 ms of one core's work, and ≈ 1.8 MB of encoded features.
    static let chunkSize = 512
    /// Chunks each lane holds at most, queued or in hand; a core waits for room before it takes the
    /// next chunk. Bounds memory: at 10⁶ parcels the file lane waits for the disk (3.5 GB, ≈ 9 s
    /// of writing), and the cores would otherwise encode far ahead of it.
    static let chunksPerLane = max(8, 2 * ProcessInfo.processInfo.activeProcessorCount)

    /// What the later outputs need from the pass.
    struct Result {
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
        var parcelFileSync: PendingSync?
    }

    let parcels: [Parcel]
    let links: [ParcelLinks]
    let soil: [SoilSample]
    let assess: @Sendable (Int) -> ParcelAssessment
    let labels: ReportLabels

    /// Writes `parcelFile` (GeoJSON, or GeoPackage when `geopackage`) and review.csv into staging.
    /// - Parameter records: where a part of a partitioned run keeps each parcel's record for `merge`.
    func run(parcelFile: String, geopackage: Bool, staging: OutputStaging, records: PartitionRecordsFile? = nil, timer: inout PhaseTimer) throws -> Result {
        let started = DispatchTime.now().uptimeNanoseconds
        let parcels = self.parcels, links = self.links, soil = self.soil, assess = self.assess
        let fileLane = SerialThread(name: "irrizone.parcels-file")
        // Ends the lane's thread once its work is done, the file's end included.
        defer { fileLane.close() }
        let writer: FeatureWriter
        if geopackage {
            // Made on the lane's thread, and used and closed there only.
            let path = staging.path(for: parcelFile)
            writer = try fileLane.sync { FeatureWriter.geopackage(try GeoPackageWriter(path: path)) }
        } else {
            writer = .geojson(try GeoJSONWriter(path: staging.path(for: parcelFile), name: "parcels"))
        }
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.map(\.name) ?? [])
        let sink = Sink(reviewCSV: try SummaryFiles.ReviewWriter(path: staging.path(for: "review.csv")), records: records,
                        parcels: parcels, fileLane: fileLane, writer: writer, labels: labels)
        let partSeconds = PartSeconds()

        DispatchQueue.concurrentPerform(iterations: ProcessInfo.processInfo.activeProcessorCount) { _ in
            while let range = sink.claimChunk() {
                let begun = DispatchTime.now().uptimeNanoseconds
                let assessed = range.map(assess)
                let assessedAt = DispatchTime.now().uptimeNanoseconds
                let features: ChunkFeatures = geopackage
                    ? .properties(range.map { index in
                        (parcels[index].geometry, ParcelProperties.properties(for: parcels[index], links: links.isEmpty ? nil : links[index], soil: soil,
                                                                               assessment: assessed[index - range.lowerBound], fieldNames: fieldNames))
                    })
                    : .json(GeoJSONWriter.encodeParcelFeatures(range, parcels: parcels, links: links, soil: soil, assessments: assessed,
                                                               firstAssessed: range.lowerBound, fieldNames: fieldNames))
                let encodedAt = DispatchTime.now().uptimeNanoseconds
                // Parcels and assessments read through pointers (handed on as values, each was
                // copied whole: a retain and a release per string and array; `perf`).
                let rows = parcels.withUnsafeBufferPointer { parcels in
                    assessed.withUnsafeBufferPointer { assessed in
                        (0..<range.count).map { offset in
                            let parcel = parcels.baseAddress! + range.lowerBound + offset, full = assessed.baseAddress! + offset
                            return ChunkRow(review: SummaryFiles.ReviewWriter.rows(parcel, full), summary: SummaryFiles.SummaryAccumulator.Row(parcel, full),
                                            outcome: ParcelOutcome(full))
                        }
                    }
                }
                partSeconds.add(assess: assessedAt - begun, encode: encodedAt - assessedAt, rows: DispatchTime.now().uptimeNanoseconds - encodedAt)
                sink.handOver(ChunkOutput(range: range, features: features, rows: rows, assessed: assessed))
            }
        }
        let chunksDone = DispatchTime.now().uptimeNanoseconds
        var result = try sink.finish()
        switch writer {
        case .geojson(let geojsonWriter):
            // The file's last chunks are written and flushed to disk behind the chunks still in
            // the file lane, while the dissolve and the other outputs are made (waiting for them
            // here left both cores idle for ≈ 0.1 s at 10⁵ parcels).
            let expected = parcels.count
            result.featuresWritten = expected
            result.parcelFileSync = PendingSync(on: fileLane) {
                let written = try geojsonWriter.finishAndSynchronize()
                guard written == expected else { throw PipelineError.outputCountMismatch(file: parcelFile, expected: expected, written: written) }
            }
        case .geopackage(let geopackageWriter):
            result.featuresWritten = try fileLane.sync { try geopackageWriter.finish() }
        }
        // The parts are done together, chunk by chunk: the pass's time is divided among them by
        // the thread time each took; what is left at the end (the lanes finishing) counts as
        // writing.
        let passSeconds = Double(chunksDone - started) / 1e9, ending = Double(DispatchTime.now().uptimeNanoseconds - chunksDone) / 1e9
        let (assessShare, encodeShare, rowsShare) = partSeconds.shares
        timer.record("review_and_zone", seconds: passSeconds * assessShare, items: parcels.count)
        timer.record("write_" + parcelFile.replacingOccurrences(of: ".", with: "_"), seconds: passSeconds * encodeShare + ending, items: result.featuresWritten)
        timer.record("review_csv_and_summary_rows", seconds: passSeconds * rowsShare, items: result.reviewRowsWritten)
        return result
    }

    /// The parcels file's writer, used on the file lane only.
    enum FeatureWriter {
        case geojson(GeoJSONWriter)
        case geopackage(GeoPackageWriter)
    }

    /// A chunk's features: encoded GeoJSON, or a GeoPackage's geometries and properties.
    enum ChunkFeatures: Sendable {
        case json(JSONBytes)
        case properties([GeoPackageWriter.Feature])
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
        var features: ChunkFeatures
        var rows: [ChunkRow]
        var assessed: [ParcelAssessment]
    }

    /// The thread time of each part of the chunks' work, added up over the cores.
    final class PartSeconds: @unchecked Sendable {
        private let lock = NSLock()
        private var assess: UInt64 = 0, encode: UInt64 = 0, rows: UInt64 = 0

        func add(assess: UInt64, encode: UInt64, rows: UInt64) {
            lock.lock(); defer { lock.unlock() }
            self.assess += assess; self.encode += encode; self.rows += rows
        }

        /// Each part's share of the whole.
        var shares: (assess: Double, encode: Double, rows: Double) {
            lock.lock(); defer { lock.unlock() }
            let total = Double(max(assess + encode + rows, 1))
            return (Double(assess) / total, Double(encode) / total, Double(rows) / total)
        }
    }

    /// The ordered end of the pass: hands out the chunks, takes them back finished in any order,
    /// and passes them on in parcel order to its two lanes. The file lane (a thread of its own, for
    /// a GeoPackage's GDAL dataset) writes the features; the rows lane (a serial queue) adds the
    /// rows. Two lanes because writing waits for the disk: a million parcels' file is 3.5 GB,
    /// ≈ 9 s of writing at this machine's ≈ 450 MB/s, and in one lane the rows and unions (≈ 6 s)
    /// waited behind it.
    final class Sink: @unchecked Sendable {
        private let fileLane: SerialThread
        private let rowsLane = DispatchQueue(label: "irrizone.parcel-output-pass.rows")
        private let fileRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)
        private let rowsRoom = DispatchSemaphore(value: ParcelOutputPass.chunksPerLane)
        private let writer: FeatureWriter
        private let reviewCSV: SummaryFiles.ReviewWriter
        private let records: PartitionRecordsFile?
        private let labels: ReportLabels
        private let parcels: [Parcel]
        private var parcelCount: Int { parcels.count }

        /// Guards what follows.
        private let lock = NSLock()
        private var nextClaimed = 0
        private var nextHandedOver = 0
        /// Finished chunks waiting for the ones before them, by their first parcel.
        private var waiting: [Int: ChunkOutput] = [:]
        private var error: (any Error)?

        /// Used on the rows lane only, then by `finish()`.
        private var result: Result

        init(reviewCSV: SummaryFiles.ReviewWriter, records: PartitionRecordsFile?, parcels: [Parcel], fileLane: SerialThread,
             writer: FeatureWriter, labels: ReportLabels) {
            self.reviewCSV = reviewCSV; self.records = records; self.parcels = parcels
            self.fileLane = fileLane; self.writer = writer; self.labels = labels
            result = Result(featuresWritten: 0, reviewRowsWritten: 0, outcomes: [], summary: SummaryFiles.SummaryAccumulator(),
                            reportReviewRows: [], reviewCount: 0)
            result.outcomes.reserveCapacity(parcels.count)
        }

        /// The next chunk's parcels, once both lanes have room for it; nil when every chunk is
        /// taken or a lane failed.
        func claimChunk() -> Range<Int>? {
            fileRoom.wait()
            rowsRoom.wait()
            lock.lock(); defer { lock.unlock() }
            guard error == nil, nextClaimed < parcelCount else {
                fileRoom.signal()
                rowsRoom.signal()
                return nil
            }
            let start = nextClaimed
            nextClaimed = min(start + ParcelOutputPass.chunkSize, parcelCount)
            return start..<nextClaimed
        }

        /// Takes a finished chunk; passes it, and the ones it held up, on to the lanes in order.
        func handOver(_ chunk: ChunkOutput) {
            lock.lock(); defer { lock.unlock() }
            waiting[chunk.range.lowerBound] = chunk
            while let next = waiting.removeValue(forKey: nextHandedOver) {
                nextHandedOver = next.range.upperBound
                // Each lane gets only its part, so a part is freed as soon as its lane is done.
                let features = next.features, count = next.range.count
                fileLane.async { [self] in
                    defer { fileRoom.signal() }
                    write(features, count: count)
                }
                let range = next.range, rows = next.rows, assessed = next.assessed
                rowsLane.async { [self] in
                    defer { rowsRoom.signal() }
                    guard !failed else { return }
                    do { try add(rows, range: range, assessed: assessed) } catch { fail(error) }
                }
            }
        }

        private var failed: Bool {
            lock.lock(); defer { lock.unlock() }
            return error != nil
        }

        private func fail(_ error: any Error) {
            lock.lock(); defer { lock.unlock() }
            if self.error == nil { self.error = error }
        }

        /// Called on the file lane only. The GeoJSON writer keeps its first error for its
        /// `finish`; a GeoPackage's stops the pass.
        private func write(_ features: ChunkFeatures, count: Int) {
            switch (writer, features) {
            case let (.geojson(geojsonWriter), .json(bytes)):
                geojsonWriter.write(encodedFeatures: bytes, count: count)
            case let (.geopackage(geopackageWriter), .properties(list)):
                guard !failed else { return }
                do { try geopackageWriter.write(list) } catch { fail(error) }
            default:
                preconditionFailure("features encoded for another writer")
            }
        }

        /// Called on the rows lane only.
        private func add(_ rows: [ChunkRow], range: Range<Int>, assessed: [ParcelAssessment]) throws {
            // Rows and parcels read in place: iterating copied each parcel and row whole (a retain
            // and a release for every string and array they hold).
            try rows.withUnsafeBufferPointer { rows in
                try parcels.withUnsafeBufferPointer { parcels in
                    for offset in rows.indices {
                        let row = rows.baseAddress! + offset, parcel = parcels.baseAddress! + range.lowerBound + offset
                        reviewCSV.add(row.pointee.review.text, rows: row.pointee.review.count)
                        result.summary.add(row.pointee.summary)
                        try records?.add(parcel.pointee, row.pointee.outcome, row.pointee.summary)
                        if row.pointee.outcome.underReview {
                            result.reviewCount += 1
                            // Only the report's first rows are made (a county has tens of thousands under review).
                            if result.reportReviewRows.count < HTMLReport.reviewRowLimit {
                                result.reportReviewRows.append(HTMLReport.reviewRow(parcel: parcel.pointee, assessment: assessed[offset], labels: labels))
                            }
                        }
                        result.outcomes.append(row.pointee.outcome)
                        result.unions.add(parcel.pointee.geometry, row.pointee.outcome, areaSquareMetres: parcel.pointee.areaSquareMetres)
                    }
                }
            }
        }

        /// Waits for every chunk in the rows lane, and in the file lane when a lane failed (then
        /// throws its error); closes review.csv and the records.
        func finish() throws -> Result {
            rowsLane.sync {}
            if let error = lock.withLock({ error }) {
                _ = try? fileLane.sync {}
                throw error
            }
            result.reviewRowsWritten = try reviewCSV.finish()
            try records?.finish()
            return result
        }
    }
}

/// Writes `partition.bin` (`PartitionRecords`) as the output pass goes.
final class PartitionRecordsFile {
    private let handle: FileHandle
    private var buffer = ByteWriter()
    let fullGeometry: Bool
    private(set) var count = 0

    init(path: String, fullGeometry: Bool) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.fullGeometry = fullGeometry
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
