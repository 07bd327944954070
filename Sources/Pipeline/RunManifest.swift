import Foundation
import Ingest
import IrrigationModel

/// `run.json`: what was run, on what, with what result (DESIGN.md §5). Keys are snake_case and
/// sorted so two runs on the same inputs differ only in times.
public struct RunManifest: Codable, Sendable {
    public struct Tool: Codable, Sendable {
        public var name = "irrizone"
        public var version = IrrizoneVersion.current
        public var gdal: String
        public var geos: String?
        public var proj: String
        /// The memory allocator the run used (`MemoryAllocator`); absent in older manifests.
        public var allocator: String? = MemoryAllocator.current
    }

    public struct InputFile: Codable, Sendable {
        public var role: String
        public var path: String
        public var sizeBytes: Int64
        public var sha256: String
    }

    public struct ParcelCounts: Codable, Sendable {
        /// Features the layer delivered; always accepted + rejected.
        public var featuresIn: Int
        public var accepted: Int
        public var repaired: Int
        public var rejected: Int
        public var rejectedByCode: [String: Int]
    }

    public struct Configuration: Codable, Sendable {
        public var parcels: String
        public var layer: String
        public var driver: String
        public var sourceCRS: String
        public var crsAssumed: Bool
        public var textEncoding: String
        public var fieldMapping: [String: String]
        public var projectFile: String?
        public var samplesCRS: String?
        public var linking: LinkingOptions
        public var maxOutsideMetres: Double
        public var outputCRS = "OGC:CRS84 (RFC 7946)"
        public var coordinateDecimals: Int
        public var areaMethod = "ellipsoidal (geodesic on the source CRS's ellipsoid, PROJ geod_polygonarea)"
        public var squareMetresPerMu: Double
    }

    public var tool: Tool
    public var startedAt: String
    public var command: [String]
    public var inputs: [InputFile]
    public var configuration: Configuration
    public var counts: ParcelCounts
    /// Repaired geometries and why they were invalid (the first `repairListLimit`).
    public var repairs: [Repair]
    /// One report per monitoring file: rows read / accepted / rejected, conversions, non-detects.
    public var monitoring: [InputFileReport]
    /// Units assumed for columns that gave none ("soil_samples.csv: Cd → mg/kg"; issue #22).
    public var assumedUnits: [String]
    /// The evidence a verdict needed in this run, and what the project added or dropped.
    public var requiredEvidence: RequiredEvidenceNote
    /// How much of the parcels the monitoring evidence covers.
    public var linking: LinkCoverage?
    public var assessment: AssessmentSummary
    public var outputs: [String: Int]
    public var warnings: [String]
    /// Seconds per phase, in the order they ran.
    public var timingsSeconds: [String: Double]
    /// For `merge`: the parts it put together (absent from a single run).
    public var parts: [Part]?

    /// `RequiredEvidence` as run.json states it.
    public struct RequiredEvidenceNote: Codable, Sendable {
        public var water: [String]
        public var soil: [String]
        public var waterSource: String
        public var soilSource: String
        public var added: [String]
        public var dropped: [String]

        public init(_ evidence: RequiredEvidence) {
            water = evidence.water.map(\.summary); soil = evidence.soil.map(\.summary)
            waterSource = evidence.waterSource; soilSource = evidence.soilSource
            added = evidence.added.map { "\($0.medium.rawValue): \($0.item)" }
            dropped = evidence.dropped.map { "\($0.medium.rawValue): \($0.item) (\($0.reason))" }
        }
    }

    /// One part of a partitioned run, as `merge` found it.
    public struct Part: Codable, Sendable {
        public var shard: String
        public var directory: String
        public var command: [String]
        public var startedAt: String
        public var features: Int
        public var timingsSeconds: [String: Double]
    }

    public static let repairListLimit = 1000

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // The command, input paths and warnings may hold a connection string's password.
        return Data(Credentials.redact(String(decoding: try encoder.encode(self), as: UTF8.self)).utf8)
    }
}

/// The rules' results in brief, and the standards in effect.
public struct AssessmentSummary: Codable, Sendable {
    public var year: Int?
    public var statistic: String
    public var indeterminateAs: String
    public var salineAlkali: Bool
    public var highFluoride: Bool
    public var standardsVersion: String
    public var cropCatalogVersion: String
    public var overrides: [String]
    public var unverifiedLimitsInUse: Int
    public var parcelsByZone: [String: Int] = [:]
    public var parcelsByCropClass: [String: Int] = [:]
    public var parcelsByReason: [String: Int] = [:]
    public var sourcesByStatus: [String: Int] = [:]
    public var sourcesToSuspend: [String] = []
    public var zonePolygons = 0
    public var dissolveMethods: [String] = []
    /// The load and accumulation model with its parameters (issue #5).
    public var accumulationModel: String
    public var plowLayerDepthM: Double
    public var bulkDensityTM3: Double
    public var soilMassKgHa: Double
    public var residualRates: [String: Double]
    public var horizonYears: Double
    public var backgroundMgKg: [String: Double]
    public var otherInputsGHaYr: [String: Double]
    public var cumulativeCapsKgHa: [String: Double]
    public var quotaM3PerMu: [String: Double]
    public var quotaSource: String
    public var nonDetectsInMeans: String
    public var concentrationYears: String
    public var parcelsUnderSoilReview = 0
    public var parcelsUnderGroundwaterReview = 0
    public var shortestIrrigationYears: Double?

    init(_ a: Assessment, zones: [ZonePolygon], rules: RuleOptions) {
        year = a.year
        statistic = rules.statistic.rawValue
        indeterminateAs = rules.indeterminateAsPass ? "pass" : "fail"
        salineAlkali = rules.conditions.salineAlkali
        highFluoride = rules.conditions.highFluoride
        standardsVersion = a.standards.version
        cropCatalogVersion = a.crops.version
        overrides = a.standards.overrides.map { "\($0.name) (\($0.source))" }
        unverifiedLimitsInUse = a.standards.waterLimits.filter(\.isUnverified).count
        let accumulation = rules.review.accumulation
        accumulationModel = accumulation.model.rawValue
        plowLayerDepthM = accumulation.depthMetres
        bulkDensityTM3 = accumulation.bulkDensity
        soilMassKgHa = accumulation.soilMassKgPerHectare
        residualRates = accumulation.model == .residual
            ? Dictionary(uniqueKeysWithValues: ReviewEngine.elements.map { ($0, accumulation.residualRate[$0] ?? AccumulationOptions.defaultResidualRate) }) : [:]
        horizonYears = accumulation.horizonYears
        backgroundMgKg = accumulation.background
        otherInputsGHaYr = accumulation.otherInputs
        cumulativeCapsKgHa = accumulation.cumulativeCaps
        quotaM3PerMu = Dictionary(uniqueKeysWithValues: rules.review.quotaM3PerMu.map { ($0.key.rawValue, $0.value) })
        quotaSource = ReviewOptions.quotaSource
        nonDetectsInMeans = rules.review.nonDetects.rawValue
        concentrationYears = ReviewOptions.concentrationYears
        count(outcomes: a.outcomes, sources: a.sources, zones: zones)
    }

    /// The counts over parcels, sources and zones (again after `merge` puts parts together).
    mutating func count(outcomes: [ParcelOutcome], sources: [SourceAssessment], zones: [ZonePolygon]) {
        // One pass over the outcomes, counted by case number (docs/scaling.md).
        let zoneCases = Zone.allCases, cropCases = CropClass.allCases, reasonCases = ZoneReason.allCases
        var byZone = [Int](repeating: 0, count: zoneCases.count), byCrop = [Int](repeating: 0, count: cropCases.count)
        var byReason = [Int](repeating: 0, count: reasonCases.count)
        var soilReview = 0, groundwaterReview = 0
        var shortest: Double? = nil
        for index in outcomes.indices {
            byZone[zoneCases.firstIndex(of: outcomes[index].zone)!] += 1
            byCrop[cropCases.firstIndex(of: outcomes[index].cropClass)!] += 1
            for reason in outcomes[index].reasons { byReason[reasonCases.firstIndex(of: reason)!] += 1 }
            if outcomes[index].soilReview { soilReview += 1 }
            if outcomes[index].groundwaterReview { groundwaterReview += 1 }
            if let years = outcomes[index].irrigationYearsLimit, shortest == nil || years < shortest! { shortest = years }
        }
        func named<Case: RawRepresentable<String>>(_ counts: [Int], _ cases: [Case]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: zip(cases, counts).filter { $0.1 > 0 }.map { ($0.0.rawValue, $0.1) })
        }
        parcelsByZone = named(byZone, zoneCases)
        parcelsByCropClass = named(byCrop, cropCases)
        parcelsByReason = named(byReason, reasonCases)
        sourcesByStatus = Dictionary(sources.map { ($0.effective.status.rawValue, 1) }, uniquingKeysWith: +)
        sourcesToSuspend = sources.filter { $0.effective.status == .fail }.map(\.sourceID)
        zonePolygons = zones.count
        dissolveMethods = Array(Set(zones.map(\.method))).sorted()
        parcelsUnderSoilReview = soilReview
        parcelsUnderGroundwaterReview = groundwaterReview
        shortestIrrigationYears = shortest
    }
}
