import Foundation
import IrrigationModel
import Reports

/// The one pass over the parcels that writes everything per parcel, a block at a time: assess
/// (all cores), encode the features and make the review and summary rows (all cores), then hand
/// the block to the sink, which writes the features on one thread and, on another, adds the
/// rows, keeps the outcomes in order and adds the parcels to their zone's union, while the next
/// block is assessed. A block's full assessments are dropped when the sink is done with them, so
/// memory holds the parcels and their outcomes, not every finding of every parcel.
struct ParcelOutputPass {
    /// Parcels per block: large enough to keep both cores busy, small enough that a block's full
    /// assessments and encoded features take little memory. Up to four blocks' features are in
    /// memory at once (encoded, waiting in the file lane, being written), each ≈ 3.5 kB a
    /// parcel; at 16 384 that was ≈ 230 MB of fresh memory for the kernel to zero at 10⁵ parcels
    /// (`clear_page_erms` was 12 % of the run's `perf` samples). 4 096: peak RSS 510 → 390 MB,
    /// huge-page faults 355 → 225 at 10⁵.
    static let blockSize = 4_096
    /// Features encoded together into one piece of the parcels file.
    static let encodeChunk = 512

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
        /// The parcels file's end being written and flushed to disk (after the pieces still in the
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
        let parcels = self.parcels, links = self.links, soil = self.soil, assess = self.assess, labels = self.labels
        let geojsonWriter = geopackage ? nil : try GeoJSONWriter(path: staging.path(for: parcelFile), name: "parcels")
        let geopackageWriter = geopackage ? try GeoPackageWriter(path: staging.path(for: parcelFile)) : nil
        let fieldNames = ParcelProperties.FieldNames(parcels.first?.attributes.map(\.name) ?? [])
        let sink = Sink(reviewCSV: try SummaryFiles.ReviewWriter(path: staging.path(for: "review.csv")), records: records, parcelCount: parcels.count)
        var assessSeconds = 0.0, writeSeconds = 0.0, tableSeconds = 0.0
        var featuresHandedOver = 0
        func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

        do {
            for start in stride(from: 0, to: parcels.count, by: Self.blockSize) {
                let count = min(Self.blockSize, parcels.count - start)
                var clock = DispatchTime.now().uptimeNanoseconds
                let assessed = parallelMap(count: count, chunkSize: 256) { assess(start + $0) }
                assessSeconds += seconds(since: clock)

                clock = DispatchTime.now().uptimeNanoseconds
                var encoded: [(bytes: JSONBytes, count: Int)] = []
                if geojsonWriter != nil {
                    encoded = parallelChunks(count: count, chunkSize: Self.encodeChunk) { range in
                        [(GeoJSONWriter.encodeParcelFeatures((start + range.lowerBound)..<(start + range.upperBound), parcels: parcels, links: links,
                                                             soil: soil, assessments: assessed, firstAssessed: start, fieldNames: fieldNames),
                          range.count)]
                    }
                } else if let geopackageWriter {
                    // GDAL writes on this thread: a dataset is not handed to another.
                    try geopackageWriter.write((start..<(start + count)).map { index in
                        (parcels[index].geometry, ParcelProperties.properties(for: parcels[index], links: links.isEmpty ? nil : links[index], soil: soil,
                                                                                 assessment: assessed[index - start], fieldNames: fieldNames))
                    })
                }
                writeSeconds += seconds(since: clock)

                // Review rows, summary rows and outcomes on all cores; added in order by the sink.
                clock = DispatchTime.now().uptimeNanoseconds
                // Parcels and assessments read through pointers (handed on as values, each was
                // copied whole: a retain and a release per string and array; `perf`).
                let tables = parallelMap(count: count, chunkSize: 1024) { offset in
                    parcels.withUnsafeBufferPointer { parcels in
                        assessed.withUnsafeBufferPointer { assessed in
                            let parcel = parcels.baseAddress! + start + offset, full = assessed.baseAddress! + offset
                            return BlockRow(review: SummaryFiles.ReviewWriter.rows(parcel, full), summary: SummaryFiles.SummaryAccumulator.Row(parcel, full),
                                            outcome: ParcelOutcome(full))
                        }
                    }
                }
                tableSeconds += seconds(since: clock)
                if let geojsonWriter {
                    featuresHandedOver += count
                    sink.write { for piece in encoded { geojsonWriter.write(encodedFeatures: piece.bytes, count: piece.count) } }
                }
                sink.take { sink in
                    // The block's full assessments are released with this work, on the rows lane.
                    try sink.add(tables, parcels: parcels[start..<(start + count)], assessed: assessed, labels: labels)
                }
            }
        } catch {
            sink.drain()  // a block that failed here leaves no work running in the sink
            throw error
        }
        let clock = DispatchTime.now().uptimeNanoseconds
        var result = try sink.finish()
        if let geojsonWriter {
            // The file's last pieces are written and flushed to disk behind the blocks still in
            // the file lane, while the dissolve and the other outputs are made (waiting for them
            // here left both cores idle for ≈ 0.1 s at 10⁵ parcels).
            let expected = featuresHandedOver
            result.featuresWritten = expected
            result.parcelFileSync = sink.finishFile {
                let written = try geojsonWriter.finishAndSynchronize()
                guard written == expected else { throw PipelineError.outputCountMismatch(file: parcelFile, expected: expected, written: written) }
            }
        } else {
            result.featuresWritten = try geopackageWriter?.finish() ?? 0
        }
        writeSeconds += seconds(since: clock)
        // The parts alternate block by block; each is timed on its own (the sink's writing
        // overlaps the next block's assessment; what is left of it at the end counts as writing).
        timer.record("review_and_zone", seconds: assessSeconds, items: parcels.count)
        timer.record("write_" + parcelFile.replacingOccurrences(of: ".", with: "_"), seconds: writeSeconds, items: result.featuresWritten)
        timer.record("review_csv_and_summary_rows", seconds: tableSeconds, items: result.reviewRowsWritten)
        return result
    }

    /// What the sink adds for one parcel.
    struct BlockRow: Sendable {
        var review: (text: String, count: Int)
        var summary: SummaryFiles.SummaryAccumulator.Row
        var outcome: ParcelOutcome
    }

    /// The ordered end of the pass, in two lanes, each a serial queue of its own: one writes each
    /// block's features to the parcels file, the other adds its rows, in block order. At most two
    /// blocks wait in each lane (bounds memory).
    ///
    /// Two lanes because writing waits for the disk: a million parcels' file is 3.5 GB, ≈ 9 s of
    /// writing at this machine's ≈ 450 MB/s, and in one lane the rows and unions (≈ 6 s) waited
    /// behind it, and the assessment of the next blocks behind them (1.1–1.5 s at 10⁶).
    final class Sink: @unchecked Sendable {
        private let rowsQueue = DispatchQueue(label: "irrizone.parcel-output-pass.rows")
        private let rowSlots = DispatchSemaphore(value: 2)
        private let fileQueue = DispatchQueue(label: "irrizone.parcel-output-pass.file")
        private let fileSlots = DispatchSemaphore(value: 2)
        private var error: (any Error)?
        private var result: Result
        private let reviewCSV: SummaryFiles.ReviewWriter
        private let records: PartitionRecordsFile?

        init(reviewCSV: SummaryFiles.ReviewWriter, records: PartitionRecordsFile?, parcelCount: Int) {
            self.reviewCSV = reviewCSV; self.records = records
            result = Result(featuresWritten: 0, reviewRowsWritten: 0, outcomes: [], summary: SummaryFiles.SummaryAccumulator(),
                            reportReviewRows: [], reviewCount: 0)
            result.outcomes.reserveCapacity(parcelCount)
        }

        /// Runs `work` on the rows lane after the blocks before it (waits while two are queued).
        /// After an error the remaining blocks are skipped; `finish()` throws it.
        func take(_ work: @escaping (Sink) throws -> Void) {
            rowSlots.wait()
            // The writers `work` uses are used on this queue only from here on.
            nonisolated(unsafe) let work = work
            rowsQueue.async {
                defer { self.rowSlots.signal() }
                guard self.error == nil else { return }
                do { try work(self) } catch { self.error = error }
            }
        }

        /// Runs `write` on the file lane after the blocks before it (waits while two are queued).
        /// It may not throw: a writer keeps its first error for its `finish()`.
        func write(_ write: @escaping () -> Void) {
            fileSlots.wait()
            // The writer `write` uses is used on this queue only from here on.
            nonisolated(unsafe) let write = write
            fileQueue.async {
                defer { self.fileSlots.signal() }
                write()
            }
        }

        /// Called on the rows lane only.
        fileprivate func add(_ rows: [BlockRow], parcels: ArraySlice<Parcel>, assessed: [ParcelAssessment], labels: ReportLabels) throws {
            // Rows and parcels read in place: iterating copied each parcel and row whole (a retain
            // and a release for every string and array they hold).
            try rows.withUnsafeBufferPointer { rows in
                try parcels.withUnsafeBufferPointer { parcels in
                    for offset in rows.indices {
                        let row = rows.baseAddress! + offset, parcel = parcels.baseAddress! + offset
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
                        result.unions.add(parcel.pointee.geometry, row.pointee.outcome)
                    }
                }
            }
        }

        /// Waits for the blocks taken so far, in both lanes.
        func drain() {
            rowsQueue.sync {}
            fileQueue.sync {}
        }

        /// Runs `finish` on the file lane after the blocks in it (see `Result.parcelFileSync`).
        func finishFile(_ finish: @escaping () throws -> Void) -> PendingSync {
            // The writer `finish` uses is used on this queue only.
            nonisolated(unsafe) let finish = finish
            return PendingSync(on: fileQueue) { try finish() }
        }

        /// Waits for every block in the rows lane (the file lane is finished with `finishFile`,
        /// or drained when the rows failed); closes review.csv and the records.
        func finish() throws -> Result {
            rowsQueue.sync {}
            if let error { fileQueue.sync {}; throw error }
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
