import IrrigationModel
import PlanarGeometry

public enum ReportLanguage: String, Sendable, CaseIterable, Codable { case zh, en }

/// Everything `report.html` shows, as plain values (built by the pipeline).
public struct ReportInput: Sendable {
    /// The standards in effect, as the report lists them.
    public struct Standards: Sendable, Codable {
        public struct Override: Sendable, Codable { public var name, source: String }
        public struct Note: Sendable, Codable { public var id, confidence, source: String }
        public var overrides: [Override]
        public var waterLimits: [WaterLimit]
        public var soilStandard: Note
        public var groundwater: Note
        /// The items a source's water must have measured in the year (`RequiredEvidence.water`).
        public var requiredWater: [String]

        public init(_ catalog: StandardsCatalog) {
            requiredWater = catalog.requiredEvidence.water.map(\.item)
            overrides = catalog.overrides.map { Override(name: $0.name, source: $0.source) }
            waterLimits = catalog.waterLimits
            soilStandard = Note(id: catalog.soilStandard.id, confidence: catalog.soilStandard.confidence, source: catalog.soilStandard.source)
            groundwater = Note(id: catalog.groundwater.id, confidence: catalog.groundwater.confidence, source: catalog.groundwater.source)
        }
    }
    public struct InputFile: Sendable, Codable { public var role, path, sha256: String; public var sizeBytes: Int64
        public init(role: String, path: String, sha256: String, sizeBytes: Int64) { self.role = role; self.path = path; self.sha256 = sha256; self.sizeBytes = sizeBytes } }
    public struct Target: Sendable, Codable { public var year: Int; public var volume10kM3: Double; public var label: String?
        public init(year: Int, volume10kM3: Double, label: String?) { self.year = year; self.volume10kM3 = volume10kM3; self.label = label } }
    public struct Rejected: Sendable { public var file, code: String; public var count: Int
        public init(file: String, code: String, count: Int) { self.file = file; self.code = code; self.count = count }
        /// Rejects counted per file and code, sorted.
        public static func counts(of rejects: [Reject]) -> [Rejected] {
            Dictionary(grouping: rejects, by: { "\($0.file)|\($0.code.rawValue)" }).map { _, list in
                Rejected(file: list[0].file, code: list[0].code.rawValue, count: list.count)
            }.sorted { ($0.file, $0.code) < ($1.file, $1.code) }
        }
    }

    public var language: ReportLanguage
    public var generatedAt: String
    public var toolVersion: String
    public var sourceCRS: String
    public var parcels: [Parcel]
    /// One per parcel, in parcel order.
    public var outcomes: [ParcelOutcome]
    /// The review list's first rows (`HTMLReport.reviewRow`, at most `HTMLReport.reviewRowLimit`),
    /// made while the full assessments existed, and how many parcels are under review in all.
    public var reviewRows: [[String]]
    public var reviewCount: Int
    public var sources: [SourceAssessment]
    public var wells: [(id: String, location: Position)]
    public var exclusionAreas: [(name: String, shape: MultiPolygon)]
    public var zones: [ZonePolygon]
    public var targets: [Target]
    public var standards: Standards
    public var rejected: [Rejected]
    public var coverage: LinkCoverage?
    public var inputs: [InputFile]
    public var parameters: [(String, String)]
    public var year: Int?
    public var warnings: [String]
    /// Units assumed for columns that gave none ("soil_samples.csv: Cd → mg/kg").
    public var assumedUnits: [String] = []
    /// What changed since the previous run (same `--out` or `--db`), when there was one.
    public var sinceLastRun: SinceLastRun?

    /// The report's "since the last run" section: the previous run and the parcels that changed.
    public struct SinceLastRun: Sendable {
        public var previousRun: String
        public var parcelsBefore: Int
        public var changes: [ParcelChange]
        public init(previousRun: String, parcelsBefore: Int, changes: [ParcelChange]) {
            self.previousRun = previousRun; self.parcelsBefore = parcelsBefore; self.changes = changes
        }
    }

    public init(language: ReportLanguage, generatedAt: String, toolVersion: String, sourceCRS: String, parcels: [Parcel],
                outcomes: [ParcelOutcome], reviewRows: [[String]], reviewCount: Int, sources: [SourceAssessment], wells: [(id: String, location: Position)],
                exclusionAreas: [(name: String, shape: MultiPolygon)], zones: [ZonePolygon], targets: [Target], standards: Standards,
                rejected: [Rejected], coverage: LinkCoverage?, inputs: [InputFile], parameters: [(String, String)], year: Int?, warnings: [String]) {
        self.language = language; self.generatedAt = generatedAt; self.toolVersion = toolVersion; self.sourceCRS = sourceCRS; self.parcels = parcels
        self.outcomes = outcomes; self.reviewRows = reviewRows; self.reviewCount = reviewCount; self.sources = sources; self.wells = wells; self.exclusionAreas = exclusionAreas; self.zones = zones
        self.targets = targets; self.standards = standards; self.rejected = rejected; self.coverage = coverage; self.inputs = inputs
        self.parameters = parameters; self.year = year; self.warnings = warnings
    }

    /// Reclaimed water applied per year (m³): V (m³/ha) × area for every parcel with a source.
    public func volumeByAdminUnit() -> [(unit: String, cubicMetres: Double)] {
        var units: [String] = [], totals: [Double] = [], place: [String: Int] = [:]
        var previous: (unit: String, place: Int)? = nil
        // In parcel order (the sums' last bits depend on it); parcels read in place, not copied.
        // A unit's place is looked up only when it differs from the parcel before's (neighbours
        // share their unit: hashing every parcel's was a third of the report's time at 10⁵).
        parcels.withUnsafeBufferPointer { parcels in
            for index in parcels.indices where parcels[index].sourceID != nil {
                guard let v = outcomes[index].volumeM3PerHectare else { continue }
                let unit = parcels[index].adminUnit ?? "—"
                let at: Int
                if let previous, previous.unit == unit {
                    at = previous.place
                } else if let known = place[unit] {
                    at = known
                } else {
                    at = units.count
                    units.append(unit); totals.append(0); place[unit] = at
                }
                previous = (unit, at)
                totals[at] += v * parcels[index].areaHectares
            }
        }
        return units.indices.sorted { units[$0] < units[$1] }.map { (units[$0], totals[$0]) }
    }
}
