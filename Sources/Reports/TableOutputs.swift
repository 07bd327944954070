import IrrigationModel

/// `summary.csv`: per administrative unit × zone × crop class: parcels, area, volume, loads and
/// flagged counts. `review.csv`: one row per parcel under review and reason.
public enum SummaryFiles {
    public static let summaryHeader = OutputSchema.summary.map(\.name)

    /// Sums per (admin unit, zone, crop class), added to parcel by parcel as the parcels are
    /// assessed (in parcel order, so the sums are the same whatever the block size).
    public struct SummaryAccumulator: Sendable {
        struct Key: Hashable { var unit: String; var zone: String; var cropClass: String }
        struct Sums {
            var parcels = 0, area = 0.0, volume = 0.0, loads = [Double](repeating: 0, count: loadKeys.count)
            var soilReview = 0, groundwaterReview = 0, soilNoData = 0, soilIncomplete = 0, sourceIncomplete = 0, produceReview = 0
        }
        /// The loads summed, in the order of `LoadValues` (chloride, salt, then the elements).
        public static var loadKeys: [String] { ReviewEngine.loadKeys }
        private var groups: [Key: Sums] = [:]

        public init() {}

        /// What one parcel adds to the sums (kept by partitioned runs, so that `merge` adds the
        /// same numbers in the same order as one run).
        public struct Row: Sendable, Hashable {
            public var unit, zone, cropClass: String
            public var hectares: Double
            public var volumeM3PerHectare: Double?
            /// Per hectare and year, in `loadKeys` order.
            public var loadsPerHectare: [Double?]
            public var soilReview, groundwaterReview, soilNoData: Bool
            /// Whether the parcel is under produce review (GB 2762).
            public var produceReview: Bool
            /// Whether the parcel's soil evidence or its source's water lacked a required item
            /// (`SOIL_INCOMPLETE`, `SOURCE_INCOMPLETE` among its review reasons).
            public var soilIncomplete, sourceIncomplete: Bool

            public init(unit: String, zone: String, cropClass: String, hectares: Double, volumeM3PerHectare: Double?, loadsPerHectare: [Double?],
                        soilReview: Bool, groundwaterReview: Bool, produceReview: Bool = false, soilNoData: Bool, reviewReasons: [FindingCode]) {
                self.unit = unit; self.zone = zone; self.cropClass = cropClass; self.hectares = hectares; self.volumeM3PerHectare = volumeM3PerHectare
                self.loadsPerHectare = loadsPerHectare; self.soilReview = soilReview; self.groundwaterReview = groundwaterReview; self.produceReview = produceReview; self.soilNoData = soilNoData
                soilIncomplete = reviewReasons.contains(.soilIncomplete)
                sourceIncomplete = reviewReasons.contains(.sourceIncomplete)
            }

            public init(_ parcels: [Parcel], at index: Int, _ assessment: ParcelAssessment) {
                let soilNoData = assessment.review.map { review in review.findings.indices.contains { review.findings[$0].code == .soilNoData } }
                self.init(unit: parcels[index].adminUnit ?? "", zone: assessment.zone.rawValue, cropClass: assessment.classification.cropClass.rawValue,
                          hectares: parcels[index].areaHectares, volumeM3PerHectare: assessment.review?.volumeM3PerHectare,
                          loadsPerHectare: assessment.review?.annualLoad.inKeyOrder ?? Array(repeating: nil, count: SummaryAccumulator.loadKeys.count),
                          soilReview: assessment.review?.soilReview == true, groundwaterReview: assessment.review?.groundwaterReview == true,
                          produceReview: assessment.review?.produceReview == true,
                          soilNoData: soilNoData == true, reviewReasons: assessment.review?.reviewReasons ?? [])
            }
        }

        public mutating func add(_ row: Row) {
            let key = Key(unit: row.unit, zone: row.zone, cropClass: row.cropClass)
            Self.add(row, to: &groups[key, default: Sums()])  // in place: no copy of the sums
        }

        private static func add(_ row: Row, to sums: inout Sums) {
            let hectares = row.hectares
            sums.parcels += 1
            sums.area += hectares
            // Per hectare × hectares = per year over the group.
            sums.volume += row.volumeM3PerHectare.map { $0 * hectares } ?? 0
            for index in loadKeys.indices { sums.loads[index] += row.loadsPerHectare[index].map { $0 * hectares } ?? 0 }
            if row.soilReview { sums.soilReview += 1 }
            if row.groundwaterReview { sums.groundwaterReview += 1 }
            if row.soilNoData { sums.soilNoData += 1 }
            if row.soilIncomplete { sums.soilIncomplete += 1 }
            if row.sourceIncomplete { sums.sourceIncomplete += 1 }
            if row.produceReview { sums.produceReview += 1 }
        }

        /// Writes `summary.csv`; returns the number of rows.
        public func write(to path: String) throws -> Int {
            let csv = try CSVWriter(path: path, header: summaryHeader)
            let keys = groups.keys.sorted { ($0.unit, $0.zone, $0.cropClass) < ($1.unit, $1.zone, $1.cropClass) }
            for key in keys {
                let sums = groups[key]!
                csv.writeRow([key.unit, key.zone, key.cropClass, String(sums.parcels), JSONText.fixed(sums.area, 4), JSONText.fixed(AreaUnit.mu(hectares: sums.area), 2),
                              JSONText.fixed(sums.volume, 1)] + sums.loads.map { JSONText.fixed($0, 3) }
                             + [String(sums.soilReview), String(sums.groundwaterReview), String(sums.soilNoData), String(sums.soilIncomplete),
                                String(sums.sourceIncomplete), String(sums.produceReview)])
            }
            try csv.finish()
            return keys.count
        }
    }

    public static let reviewHeader = OutputSchema.review.map(\.name)

    /// `review.csv`, written as the parcels are assessed.
    public final class ReviewWriter {
        private let csv: CSVWriter
        public private(set) var rows = 0

        public init(path: String) throws { csv = try CSVWriter(path: path, header: reviewHeader) }

        /// Rows made by `rows(_:_:)`, in parcel order.
        public func add(_ text: String, rows count: Int) {
            guard count > 0 else { return }
            csv.write(rows: text)
            rows += count
        }

        /// A parcel's rows (one per finding under review) as CSV text, and how many; pure, so
        /// parcels' rows can be made on all cores and written in order.
        public static func rows(_ parcels: [Parcel], at index: Int, _ assessment: ParcelAssessment) -> (text: String, count: Int) {
            var text = "", count = 0
            guard let findings = assessment.review?.findings else { return (text, count) }
            // Looked at in place; copied only when written (iterating copied every finding whole,
            // a retain and a release per string).
            for position in findings.indices where findings[position].review {
                let finding = findings[position]
                text += CSVWriter.row([parcels[index].id, parcels[index].adminUnit ?? "", parcels[index].crop ?? "", assessment.classification.cropClass.rawValue, assessment.zone.rawValue,
                                       finding.code.rawValue, finding.target.rawValue, finding.parameter ?? "", finding.value.map { String($0) } ?? "",
                                       finding.threshold.map { String($0) } ?? "", finding.unit ?? "", finding.standard ?? "", finding.evidence.joined(separator: ";"),
                                       finding.messageZh, finding.messageEn])
                count += 1
            }
            return (text, count)
        }

        public func finish() throws -> Int {
            try csv.finish()
            return rows
        }
    }
}
