import RunSupport
import PlanarGeometry
/// The result of the rules for one parcel. A class, immutable once made: every output of the
/// parcel reads it, on several threads, and as a struct each reader's copy retained all it holds.
public final class ParcelAssessment: Sendable {
    public init(classification: CropClassification, tier: PolicyTier?, zone: Zone, reasons: [ZoneReason], sourceStatus: ComplianceStatus?,
                exclusionShare: Double, exclusionNames: [String], soilClass: SoilClass, soilAboveScreening: [String], soilAboveIntervention: [String],
                soilPHUsed: Double?, review: ParcelReview? = nil, methods: IrrigationMethodAdvice? = nil) {
        self.classification = classification; self.tier = tier; self.zone = zone; self.reasons = reasons; self.sourceStatus = sourceStatus
        self.exclusionShare = exclusionShare; self.exclusionNames = exclusionNames; self.soilClass = soilClass
        self.soilAboveScreening = soilAboveScreening; self.soilAboveIntervention = soilAboveIntervention; self.soilPHUsed = soilPHUsed
        self.review = review; self.methods = methods
    }
    public let classification: CropClassification
    public let tier: PolicyTier?
    public let zone: Zone
    public let reasons: [ZoneReason]
    public let sourceStatus: ComplianceStatus?
    public let exclusionShare: Double
    public let exclusionNames: [String]
    /// GB 15618 class from the linked soil values.
    public let soilClass: SoilClass
    public let soilAboveScreening: [String]
    public let soilAboveIntervention: [String]
    /// The soil pH used to pick the GB 15618 band (nil: unknown, the strictest band was used).
    public let soilPHUsed: Double?
    /// Loads, accumulation, salinity and review findings.
    public let review: ParcelReview?
    /// The irrigation methods allowed, best first, and why others are not.
    public let methods: IrrigationMethodAdvice?
}

/// Loads, accumulation, salinity and findings of one parcel.
public struct ParcelReview: Sendable {
    public var volumeM3PerHectare: Double?
    /// "records", "quota" or "none".
    public var volumeBasis: String
    /// Annual loads: chloride and salt in kg/ha·yr, metals in g/ha·yr.
    public var annualLoad: LoadValues<Double>
    /// Sums over the years of irrigation records (same units), nil without records.
    public var cumulativeLoad: LoadValues<Double>
    /// Per soil element.
    public var accumulation: LoadValues<Accumulation>
    public var irrigationYearsLimit: Double?
    public var limitingElement: String?
    public var ecw: Double?
    public var leachingRequirement: Double?
    public var relativeYield: Double?
    public var waterSalinityClass: String?
    /// FAO 29 chloride class of the water for surface irrigation (none / slight_to_moderate / severe).
    public var waterChlorideClass: String?
    public var soilSaltClass: String?
    /// The mean measured pH of the linked soil samples (`SoilSummary.pH`), nil when none has
    /// one: the rules' pH band, the parcel's `soil_ph` (else the parcel attribute).
    public var samplePH: Double?
    public var findings: [Finding] { didSet { summariseFindings() } }
    /// Whether the findings put the parcel under soil or groundwater review, and the codes of
    /// those under review (sorted, each once): worked out from `findings` when it is set. As
    /// computed properties they were worked out again for every output of the parcel, and each
    /// call through an optional review (`assessment.review?.soilReview`) copied the whole review
    /// first (`perf`).
    public private(set) var soilReview = false
    public private(set) var groundwaterReview = false
    /// Under produce review: a produce sample above, or not judgeable against, its GB 2762 limit.
    public private(set) var produceReview = false
    public private(set) var reviewReasons: [FindingCode] = []

    public init(volumeM3PerHectare: Double?, volumeBasis: String, annualLoad: LoadValues<Double>, cumulativeLoad: LoadValues<Double>,
                accumulation: LoadValues<Accumulation>, irrigationYearsLimit: Double?, limitingElement: String?, ecw: Double?,
                leachingRequirement: Double?, relativeYield: Double?, waterSalinityClass: String?, waterChlorideClass: String?,
                soilSaltClass: String?, samplePH: Double?, findings: [Finding]) {
        self.volumeM3PerHectare = volumeM3PerHectare; self.volumeBasis = volumeBasis; self.annualLoad = annualLoad
        self.cumulativeLoad = cumulativeLoad; self.accumulation = accumulation; self.irrigationYearsLimit = irrigationYearsLimit
        self.limitingElement = limitingElement; self.ecw = ecw; self.leachingRequirement = leachingRequirement; self.relativeYield = relativeYield
        self.waterSalinityClass = waterSalinityClass; self.waterChlorideClass = waterChlorideClass; self.soilSaltClass = soilSaltClass
        self.samplePH = samplePH; self.findings = findings
        summariseFindings()
    }

    // Findings are looked at in place, by index: iterating them copied each whole (a retain and
    // a release per string) for every parcel. Most parcels have none under review: no
    // allocation then (a set per parcel showed in profiles).
    private mutating func summariseFindings() {
        soilReview = findings.indices.contains { findings[$0].review && findings[$0].target == .soil }
        groundwaterReview = findings.indices.contains { findings[$0].review && findings[$0].target == .groundwater }
        produceReview = findings.indices.contains { findings[$0].review && findings[$0].target == .produce }
        guard findings.indices.contains(where: { findings[$0].review }) else { reviewReasons = []; return }
        var codes: [FindingCode] = []
        for index in findings.indices where findings[index].review && !codes.contains(findings[index].code) { codes.append(findings[index].code) }
        reviewReasons = codes.sorted { $0.rawValue < $1.rawValue }
    }
}

/// What outlives a parcel's full assessment once its own outputs (feature, review rows) are
/// written: the little the dissolve, the counts and the report need. Keeping this instead of
/// every finding is what keeps memory bounded at a million parcels.
///
/// One is kept for every parcel of the run, so it is stored small (32 bytes): its lists and
/// texts in one immutable object that the parcels with the same share (`OutcomeLists`), the
/// optional numbers as NaN, and the one-byte fields together.
public struct ParcelOutcome: Sendable {
    /// The outcome's lists and texts. A run has a few hundred distinct combinations, so equal
    /// ones are one object (docs/scaling.md); a change makes a new object.
    final class Details: Sendable {
        struct Values: Hashable, Sendable {
            var reasons: [ZoneReason]
            var reviewReasons: [FindingCode]
            var recommendedMethod: String?
            var limitingElement: String?
        }
        let values: Values
        init(_ values: Values) { self.values = values }

        func changing(_ change: (inout Values) -> Void) -> Details {
            var values = values
            change(&values)
            return Details(values)
        }
    }
    var details: Details
    private var storedYearsLimit: Double
    private var storedVolume: Double
    public var zone: Zone
    public var cropClass: CropClass
    public var soilReview: Bool
    public var groundwaterReview: Bool
    public var produceReview: Bool
    public var methodNotAllowed: Bool

    public var reasons: [ZoneReason] {
        get { details.values.reasons }
        set { details = details.changing { $0.reasons = newValue } }
    }
    public var reviewReasons: [FindingCode] {
        get { details.values.reviewReasons }
        set { details = details.changing { $0.reviewReasons = newValue } }
    }
    /// The best method allowed, and whether today's method (when the layer names one) is not allowed.
    public var recommendedMethod: String? {
        get { details.values.recommendedMethod }
        set { details = details.changing { $0.recommendedMethod = newValue } }
    }
    public var limitingElement: String? {
        get { details.values.limitingElement }
        set { details = details.changing { $0.limitingElement = newValue } }
    }
    public var irrigationYearsLimit: Double? {
        get { storedYearsLimit.isNaN ? nil : storedYearsLimit }
        set { storedYearsLimit = Self.stored(newValue) }
    }
    public var volumeM3PerHectare: Double? {
        get { storedVolume.isNaN ? nil : storedVolume }
        set { storedVolume = Self.stored(newValue) }
    }

    /// NaN for none. (A NaN the rules made would read back as none: none is what it says.)
    private static func stored(_ value: Double?) -> Double { value ?? .nan }

    public init(zone: Zone, cropClass: CropClass, reasons: [ZoneReason], reviewReasons: [FindingCode], soilReview: Bool, groundwaterReview: Bool,
                produceReview: Bool = false, recommendedMethod: String? = nil, methodNotAllowed: Bool = false,
                irrigationYearsLimit: Double?, limitingElement: String?, volumeM3PerHectare: Double?) {
        self.zone = zone; self.cropClass = cropClass; self.soilReview = soilReview
        self.groundwaterReview = groundwaterReview; self.produceReview = produceReview; self.methodNotAllowed = methodNotAllowed
        self.details = Details(.init(reasons: reasons, reviewReasons: reviewReasons, recommendedMethod: recommendedMethod, limitingElement: limitingElement))
        self.storedYearsLimit = Self.stored(irrigationYearsLimit)
        self.storedVolume = Self.stored(volumeM3PerHectare)
    }

    public init(_ assessment: ParcelAssessment) {
        self.init(zone: assessment.zone, cropClass: assessment.classification.cropClass, reasons: assessment.reasons,
                  reviewReasons: assessment.review?.reviewReasons ?? [], soilReview: assessment.review?.soilReview ?? false,
                  groundwaterReview: assessment.review?.groundwaterReview ?? false, produceReview: assessment.review?.produceReview ?? false,
                  recommendedMethod: assessment.methods?.recommended, methodNotAllowed: assessment.reasons.contains(.irrigationMethodNotAllowed),
                  irrigationYearsLimit: assessment.review?.irrigationYearsLimit, limitingElement: assessment.review?.limitingElement,
                  volumeM3PerHectare: assessment.review?.volumeM3PerHectare)
    }

    public var underReview: Bool { soilReview || groundwaterReview || produceReview }
}

/// Shares the lists and texts of the outcomes kept for a whole run: one object for each distinct
/// combination instead of one in every parcel's outcome (docs/scaling.md).
public struct OutcomeLists {
    /// Past this many combinations nothing more is kept; each outcome then keeps its own.
    private var kept = SharedValues<ParcelOutcome.Details.Values, ParcelOutcome.Details>(limit: 65_536)
    private var last: ParcelOutcome.Details?

    public init() {}

    /// `outcome` with its lists and texts replaced by the equal ones kept before, if any.
    public mutating func sharing(_ outcome: ParcelOutcome) -> ParcelOutcome {
        var outcome = outcome
        if let last, last.values == outcome.details.values {
            outcome.details = last
        } else {
            outcome.details = kept.value(for: outcome.details.values) { [details = outcome.details] _ in details }
            last = outcome.details
        }
        return outcome
    }
}

/// A source's compliance: per crop class on its own, and the verdict its parcels get (the
/// strictest among the classes and uses it serves).
public struct SourceAssessment: Sendable, Codable {
    public init(sourceID: String, source: WaterSource?, perClass: [CropClass: SourceVerdict], effective: SourceVerdict, classesServed: [CropClass],
                parcelIndices: [Int], areaServedHectares: Double) {
        self.sourceID = sourceID; self.source = source; self.perClass = perClass; self.effective = effective
        self.classesServed = classesServed; self.parcelIndices = parcelIndices; self.areaServedHectares = areaServedHectares
    }
    public var sourceID: String
    public var source: WaterSource?
    public var perClass: [CropClass: SourceVerdict]
    public var effective: SourceVerdict
    public var classesServed: [CropClass]
    public var parcelIndices: [Int]
    public var areaServedHectares: Double
    /// For secondary effluent (`TreatmentLevel.secondary`): what keeps it from farmland (empty
    /// when it qualifies); nil for other sources.
    public var secondaryEffluentProblems: [String]? = nil
    /// The verdict by the farmland standards alone (the crop classes served), before the other uses.
    public var farmland: SourceVerdict? = nil
    /// Each other use it serves, by its own standard (`StandardsCatalog.useStandards`), by use id.
    public var perUse: [String: SourceVerdict] = [:]
    /// Uses it serves that have no standard in standards.json: not judged, and said so.
    public var usesNotJudged: [String] = []
}


/// One dissolved zone polygon.
public struct ZonePolygon: Sendable, Codable {
    public var zone: Zone
    public var cropClass: CropClass
    public var geometry: MultiPolygon
    public var areaSquareMetres: Double
    public var parcelCount: Int
    /// "coverage" (GEOS coverage union) or "cascaded" (general union, for overlapping input).
    public var method: String

    public init(zone: Zone, cropClass: CropClass, geometry: MultiPolygon, areaSquareMetres: Double, parcelCount: Int, method: String) {
        self.zone = zone; self.cropClass = cropClass; self.geometry = geometry; self.areaSquareMetres = areaSquareMetres
        self.parcelCount = parcelCount; self.method = method
    }
}

