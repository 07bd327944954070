/// The result of the rules for one parcel.
public struct ParcelAssessment: Sendable {
    public init(classification: CropClassification, tier: PolicyTier?, zone: Zone, reasons: [ZoneReason], sourceStatus: ComplianceStatus?,
                exclusionShare: Double, exclusionNames: [String], soilClass: String, soilAboveScreening: [String], soilAboveIntervention: [String],
                soilPHUsed: Double?) {
        self.classification = classification; self.tier = tier; self.zone = zone; self.reasons = reasons; self.sourceStatus = sourceStatus
        self.exclusionShare = exclusionShare; self.exclusionNames = exclusionNames; self.soilClass = soilClass
        self.soilAboveScreening = soilAboveScreening; self.soilAboveIntervention = soilAboveIntervention; self.soilPHUsed = soilPHUsed
    }
    public var classification: CropClassification
    public var tier: PolicyTier?
    public var zone: Zone
    public var reasons: [ZoneReason]
    public var sourceStatus: ComplianceStatus?
    public var exclusionShare: Double
    public var exclusionNames: [String]
    /// GB 15618 class from the linked soil values: priority_protection / safe_use / strict_control / unknown.
    public var soilClass: String
    public var soilAboveScreening: [String]
    public var soilAboveIntervention: [String]
    /// The soil pH used to pick the GB 15618 band (nil: unknown, the strictest band was used).
    public var soilPHUsed: Double?
    /// Loads, accumulation, salinity and review findings.
    public var review: ParcelReview?
}

/// What outlives a parcel's full assessment once its own outputs (feature, review rows) are
/// written: the little the dissolve, the counts and the report need. Keeping this instead of
/// every finding is what keeps memory bounded at a million parcels.
public struct ParcelOutcome: Sendable {
    public var zone: Zone
    public var cropClass: CropClass
    public var reasons: [ZoneReason]
    public var reviewReasons: [String]
    public var soilReview: Bool
    public var groundwaterReview: Bool
    public var irrigationYearsLimit: Double?
    public var limitingElement: String?
    public var volumeM3PerHectare: Double?

    public init(zone: Zone, cropClass: CropClass, reasons: [ZoneReason], reviewReasons: [String], soilReview: Bool, groundwaterReview: Bool,
                irrigationYearsLimit: Double?, limitingElement: String?, volumeM3PerHectare: Double?) {
        self.zone = zone; self.cropClass = cropClass; self.reasons = reasons; self.reviewReasons = reviewReasons; self.soilReview = soilReview
        self.groundwaterReview = groundwaterReview; self.irrigationYearsLimit = irrigationYearsLimit; self.limitingElement = limitingElement
        self.volumeM3PerHectare = volumeM3PerHectare
    }

    public init(_ assessment: borrowing ParcelAssessment) {
        self = withUnsafePointer(to: assessment) { ParcelOutcome($0) }
    }

    public init(_ assessment: UnsafePointer<ParcelAssessment>) {
        zone = assessment.pointee.zone
        cropClass = assessment.pointee.classification.cropClass
        reasons = assessment.pointee.reasons
        // (`assessment.pointee.review?.x`, not a local copy of the review: that retained all it holds.
        // Through a pointer: a borrowed value was copied whole by its caller all the same; `perf`.)
        reviewReasons = assessment.pointee.review?.reviewReasons ?? []
        soilReview = assessment.pointee.review?.soilReview ?? false
        groundwaterReview = assessment.pointee.review?.groundwaterReview ?? false
        irrigationYearsLimit = assessment.pointee.review?.irrigationYearsLimit
        limitingElement = assessment.pointee.review?.limitingElement
        volumeM3PerHectare = assessment.pointee.review?.volumeM3PerHectare
    }

    public var underReview: Bool { soilReview || groundwaterReview }
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

