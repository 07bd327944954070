/// 适宜区 / 限制区 / 禁止区 (DESIGN.md §4 "Zone").
public enum Zone: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case suitable, restricted, prohibited
    var rank: Int { switch self { case .suitable: 0; case .restricted: 1; case .prohibited: 2 } }
    public static func < (a: Zone, b: Zone) -> Bool { a.rank < b.rank }
    public var chinese: String { switch self { case .suitable: "适宜区"; case .restricted: "限制区"; case .prohibited: "禁止区" } }
}

/// Why a parcel is in its zone. Each code says which zone it puts a parcel in at least.
public enum ZoneReason: String, Sendable, Hashable, Codable, CaseIterable {
    // Prohibited (the order is the order reasons are listed in).
    case tierNotRecommended = "TIER_NOT_RECOMMENDED", sourceFailsForClass = "SOURCE_FAILS_FOR_CLASS"
    case sourceIndeterminate = "SOURCE_INDETERMINATE", sourceProhibitedInflow = "SOURCE_PROHIBITED_INFLOW"
    case soilAboveIntervention = "SOIL_ABOVE_INTERVENTION", inExclusionArea = "IN_EXCLUSION_AREA"
    // Restricted. `sourceIncomplete`: the source's water in the year lacks a required item (`RequiredEvidence`).
    case tierCautious = "TIER_CAUTIOUS", soilAboveScreening = "SOIL_ABOVE_SCREENING", cropUnknown = "CROP_UNKNOWN"
    case sourceNoData = "SOURCE_NO_DATA", sourceIncomplete = "SOURCE_INCOMPLETE", sourceUnknown = "SOURCE_UNKNOWN"
    case sourceSecondaryNotQualified = "SOURCE_SECONDARY_NOT_QUALIFIED"
    /// The source also serves a use whose standard is not loaded (SL 368 for industry): the
    /// strictest standard among its uses, which its water must meet, cannot be established.
    case sourceUseNotJudged = "SOURCE_USE_NOT_JUDGED"
    case soilReview = "SOIL_REVIEW", groundwaterReview = "GROUNDWATER_REVIEW", produceReview = "PRODUCE_REVIEW"
    case irrigationMethodNotAllowed = "IRRIGATION_METHOD_NOT_ALLOWED"

    public var zone: Zone {
        switch self {
        case .tierNotRecommended, .sourceFailsForClass, .sourceIndeterminate, .sourceProhibitedInflow, .soilAboveIntervention, .inExclusionArea: .prohibited
        default: .restricted
        }
    }
}

/// What the zoning of one parcel looks at.
public struct ZoningInput: Sendable {
    public var cropClass: CropClass
    public var tier: PolicyTier?
    /// The verdict of the parcel's source for its class; nil when the parcel has no known source.
    public var sourceVerdict: SourceVerdict?
    public var sourceKnown: Bool
    /// Soil values above screening / intervention (element ids).
    public var soilAboveScreening: [String]
    public var soilAboveIntervention: [String]
    /// Share (0–1) of the parcel inside an exclusion area (after buffering).
    public var exclusionShare: Double
    public var soilReview: Bool
    public var groundwaterReview: Bool
    /// A produce sample above (or not judgeable against) its GB 2762 limit.
    public var produceReview: Bool = false
    /// The source is secondary effluent that does not qualify for farmland (`SourceRules.secondaryEffluentProblems`).
    public var sourceSecondaryNotQualified: Bool = false
    /// The source serves a use no loaded standard judges (`SourceAssessment.usesNotJudged`).
    public var sourceUseNotJudged: Bool = false
    /// The parcel's current irrigation method is not among those allowed.
    public var irrigationMethodNotAllowed: Bool = false
    /// Count indeterminate source results as passing (project `indeterminate_as: pass`).
    public var indeterminateAsPass: Bool

    public init(cropClass: CropClass, tier: PolicyTier?, sourceVerdict: SourceVerdict?, sourceKnown: Bool, soilAboveScreening: [String] = [],
                soilAboveIntervention: [String] = [], exclusionShare: Double = 0, soilReview: Bool = false, groundwaterReview: Bool = false,
                indeterminateAsPass: Bool = false) {
        self.cropClass = cropClass; self.tier = tier; self.sourceVerdict = sourceVerdict; self.sourceKnown = sourceKnown
        self.soilAboveScreening = soilAboveScreening; self.soilAboveIntervention = soilAboveIntervention; self.exclusionShare = exclusionShare
        self.soilReview = soilReview; self.groundwaterReview = groundwaterReview; self.indeterminateAsPass = indeterminateAsPass
    }
}

public enum Zoning {
    /// The zone and every reason for it, most severe first.
    public static func zone(_ input: ZoningInput) -> (zone: Zone, reasons: [ZoneReason]) {
        var reasons: [ZoneReason] = []
        switch input.tier {
        case .notRecommended: reasons.append(.tierNotRecommended)
        case .cautious: reasons.append(.tierCautious)
        case .preferred: break
        case nil: reasons.append(.cropUnknown)
        }
        if let verdict = input.sourceVerdict {
            if !verdict.prohibitedInflows.isEmpty { reasons.append(.sourceProhibitedInflow) }
            if !verdict.failing.isEmpty { reasons.append(.sourceFailsForClass) }
            if verdict.status == .indeterminate && !input.indeterminateAsPass { reasons.append(.sourceIndeterminate) }
            if verdict.status == .noData { reasons.append(.sourceNoData) }
            if verdict.isIncomplete { reasons.append(.sourceIncomplete) }
        } else {
            reasons.append(.sourceUnknown)
        }
        if !input.soilAboveIntervention.isEmpty { reasons.append(.soilAboveIntervention) }
        else if !input.soilAboveScreening.isEmpty { reasons.append(.soilAboveScreening) }
        if input.exclusionShare > 0 { reasons.append(.inExclusionArea) }
        if input.soilReview { reasons.append(.soilReview) }
        if input.groundwaterReview { reasons.append(.groundwaterReview) }
        if input.produceReview { reasons.append(.produceReview) }
        if input.sourceSecondaryNotQualified { reasons.append(.sourceSecondaryNotQualified) }
        if input.sourceUseNotJudged { reasons.append(.sourceUseNotJudged) }
        if input.irrigationMethodNotAllowed { reasons.append(.irrigationMethodNotAllowed) }
        let ordered = ZoneReason.allCases.filter(reasons.contains)
        return (ordered.map(\.zone).max() ?? .suitable, ordered)
    }
}


extension ZoneReason: OutputCode {}
