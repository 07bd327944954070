import Foundation
import IrrigationModel
import Reports

/// The one pass over the parcels that writes everything per parcel, a block at a time: assess
/// (all cores), encode and write the features (all cores, in order), add to review.csv and the
/// summary sums, keep the outcome. A block's full assessments are dropped when it is done, so
/// memory holds the parcels and their outcomes, not every finding of every parcel.
struct ParcelOutputPass {
    /// Parcels per block: large enough to keep both cores busy, small enough that a block's full
    /// assessments take little memory.
    static let blockSize = 16_384

    /// What the later outputs need from the pass.
    struct Result {
        var featuresWritten: Int
        var reviewRowsWritten: Int
        var outcomes: [ParcelOutcome]
        var summary: SummaryFiles.SummaryAccumulator
        /// The report's first review-list rows, and how many parcels are under review.
        var reportReviewRows: [[String]]
        var reviewCount: Int
    }

    let parcels: [Parcel]
    let links: [ParcelLinks]
    let soil: [SoilSample]
    let assess: @Sendable (Int) -> ParcelAssessment
    let labels: ReportLabels

    /// Writes `parcelFile` (GeoJSON, or GeoPackage when `geopackage`) and review.csv into staging.
    /// - Parameter records: where a part of a partitioned run keeps each parcel's record for `merge`.
    func run(parcelFile: String, geopackage: Bool, staging: OutputStaging, records: PartitionRecordsFile? = nil, timer: inout PhaseTimer) throws -> Result {
        let parcels = self.parcels, links = self.links, soil = self.soil, assess = self.assess
        let geojsonWriter = geopackage ? nil : try GeoJSONWriter(path: staging.path(for: parcelFile), name: "parcels")
        let geopackageWriter = geopackage ? try GeoPackageWriter(path: staging.path(for: parcelFile)) : nil
        let reviewCSV = try SummaryFiles.ReviewWriter(path: staging.path(for: "review.csv"))
        var result = Result(featuresWritten: 0, reviewRowsWritten: 0, outcomes: [], summary: SummaryFiles.SummaryAccumulator(),
                            reportReviewRows: [], reviewCount: 0)
        result.outcomes.reserveCapacity(parcels.count)
        var assessSeconds = 0.0, writeSeconds = 0.0, tableSeconds = 0.0
        func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

        for start in stride(from: 0, to: parcels.count, by: Self.blockSize) {
            let count = min(Self.blockSize, parcels.count - start)
            var clock = DispatchTime.now().uptimeNanoseconds
            let assessed = parallelMap(count: count, chunkSize: 256) { assess(start + $0) }
            assessSeconds += seconds(since: clock)

            clock = DispatchTime.now().uptimeNanoseconds
            let properties: @Sendable (Int) -> [(String, PropertyValue)] = { offset in
                ParcelProperties.properties(for: parcels[start + offset], links: links.isEmpty ? nil : links[start + offset], soil: soil,
                                            assessment: assessed[offset])
            }
            if let geojsonWriter {
                let encoded = parallelMap(count: count, chunkSize: 1024) { offset in
                    GeoJSONWriter.encodeFeature(geometry: parcels[start + offset].geometry, properties: properties(offset))
                }
                for feature in encoded { geojsonWriter.write(encoded: feature) }
            } else if let geopackageWriter {
                try geopackageWriter.write((0..<count).map { (parcels[start + $0].geometry, properties($0)) })
            }
            writeSeconds += seconds(since: clock)

            // Review rows, summary rows and outcomes are made on all cores, then added in order.
            clock = DispatchTime.now().uptimeNanoseconds
            let tables = parallelMap(count: count, chunkSize: 1024) { offset in
                let parcel = parcels[start + offset], full = assessed[offset]
                return (review: SummaryFiles.ReviewWriter.rows(parcel, full), summary: SummaryFiles.SummaryAccumulator.Row(parcel, full), outcome: ParcelOutcome(full))
            }
            for offset in 0..<count {
                let parcel = parcels[start + offset], full = assessed[offset], (review, summaryRow, outcome) = tables[offset]
                reviewCSV.add(review.text, rows: review.count)
                result.summary.add(summaryRow)
                try records?.add(parcel, outcome, summaryRow)
                if outcome.underReview {
                    result.reviewCount += 1
                    if result.reportReviewRows.count < HTMLReport.reviewRowLimit {
                        result.reportReviewRows.append(HTMLReport.reviewRow(parcel: parcel, assessment: full, labels: labels))
                    }
                }
                result.outcomes.append(outcome)
            }
            tableSeconds += seconds(since: clock)
        }
        result.featuresWritten = try geojsonWriter?.finish() ?? geopackageWriter?.finish() ?? 0
        result.reviewRowsWritten = try reviewCSV.finish()
        try records?.finish()
        // The three parts alternate block by block; each is timed on its own.
        timer.record("review_and_zone", seconds: assessSeconds, items: parcels.count)
        timer.record("write_" + parcelFile.replacingOccurrences(of: ".", with: "_"), seconds: writeSeconds, items: result.featuresWritten)
        timer.record("review_csv_and_summary_rows", seconds: tableSeconds, items: result.reviewRowsWritten)
        return result
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
