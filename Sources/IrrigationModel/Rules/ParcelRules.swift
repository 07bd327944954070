/// The class of farmland by its soil (GB 15618-2018 §3 and 农用地土壤环境质量类别划分): below the
/// screening values 优先保护类, between screening and intervention 安全利用类, above an
/// intervention value 严格管控类; `unknown` when no soil value is linked to the parcel.
public enum SoilClass: String, Sendable, Hashable, Codable {
    case priorityProtection = "priority_protection"
    case safeUse = "safe_use"
    case strictControl = "strict_control"
    case unknown

    /// The class of soil with these elements above their screening and intervention values.
    public init(anyValue: Bool, aboveScreening: [String], aboveIntervention: [String]) {
        self = !anyValue ? .unknown : !aboveIntervention.isEmpty ? .strictControl : !aboveScreening.isEmpty ? .safeUse : .priorityProtection
    }
}

/// The rules for one parcel, composed: its crop class and policy tier, its source's verdict, its
/// review (loads, accumulation, salinity, groundwater), its soil class, then its zone
/// (`Zoning.zone`). Made once for a run; `assess` is pure and safe on any thread.
public struct ParcelRules: Sendable {
    public let crops: CropCatalog
    public let context: ReviewEngine.Context
    public let indeterminateAsPass: Bool
    public let methods: IrrigationMethodCatalog?
    /// The verdict each source's parcels get (`SourceAssessment.effective`).
    private let verdictBySource: [String: SourceVerdict]
    /// A source without a required item in the year: the finding its parcels carry, made once
    /// per source (made per parcel, its text was a tenth of the rules' time at 10⁵ parcels).
    private let incompleteFindingBySource: [String: Finding]
    /// Sources of secondary effluent that do not qualify for farmland.
    private let secondaryNotQualified: Set<String>
    /// Sources serving a use no loaded standard judges.
    private let useNotJudged: Set<String>

    public init(crops: CropCatalog, sources: [SourceAssessment], context: ReviewEngine.Context, indeterminateAsPass: Bool,
                methods: IrrigationMethodCatalog? = nil) {
        self.crops = crops; self.context = context; self.indeterminateAsPass = indeterminateAsPass; self.methods = methods
        verdictBySource = Dictionary(uniqueKeysWithValues: sources.map { ($0.sourceID, $0.effective) })
        incompleteFindingBySource = verdictBySource.compactMapValues { $0.isIncomplete ? Finding.sourceIncomplete($0) : nil }
        secondaryNotQualified = Set(sources.filter { $0.secondaryEffluentProblems?.isEmpty == false }.map(\.sourceID))
        useNotJudged = Set(sources.filter { !$0.usesNotJudged.isEmpty }.map(\.sourceID))
    }

    /// What the rules need of a parcel besides its crop class: its source and recorded soil pH,
    /// its links (soil samples, wells, irrigation records) and its share of exclusion areas.
    public struct ParcelFacts {
        public var sourceID: String?
        public var soilPH: Double?
        public var links: ParcelLinks?
        public var soil: [SoilSample]
        public var exclusionShare: Double
        public var exclusionNames: [String]
        /// Its linked produce samples.
        public var produce: [ProduceSample]
        /// Today's irrigation method as the layer names it.
        public var irrigationMethod: String? = nil
        public init(sourceID: String?, soilPH: Double?, links: ParcelLinks?, soil: [SoilSample], exclusionShare: Double, exclusionNames: [String],
                    produce: [ProduceSample] = []) {
            self.sourceID = sourceID; self.soilPH = soilPH; self.links = links; self.soil = soil
            self.exclusionShare = exclusionShare; self.exclusionNames = exclusionNames; self.produce = produce
        }
    }

    public func assess(_ facts: borrowing ParcelFacts, classification: CropClassification) -> ParcelAssessment {
        let policy = crops.policy(classification.cropClass)
        var review = ReviewEngine.review(sourceID: facts.sourceID, soilPH: facts.soilPH, cropClass: classification.cropClass, policy: policy,
                                         crop: classification.entry, links: facts.links, soil: facts.soil, context: context)
        let (screening, intervention) = Self.soilAbove(review.findings)
        let anyValue = review.accumulation.contains { $0.start != nil && !$0.startIsBackground }
        let verdict = facts.sourceID.flatMap { verdictBySource[$0] }
        if let id = facts.sourceID, let finding = incompleteFindingBySource[id] { review.findings.append(finding) }
        if !facts.produce.isEmpty {
            review.findings += ProduceRules.findings(facts.produce, parcelFood: classification.entry?.food ?? FoodLimits.defaultCategory(for: classification.cropClass),
                                                     crops: crops, limits: context.standards.foodLimits)
            if facts.links?.produceEstimated == true { review.findings.append(.produceFromNeighbour(facts.produce)) }
        }
        var zoning = ZoningInput(
            cropClass: classification.cropClass, tier: policy.tier,
            sourceVerdict: verdict, sourceKnown: verdict != nil,
            soilAboveScreening: screening, soilAboveIntervention: intervention,
            exclusionShare: facts.exclusionShare, soilReview: review.soilReview, groundwaterReview: review.groundwaterReview,
            indeterminateAsPass: indeterminateAsPass)
        zoning.produceReview = review.produceReview
        zoning.sourceSecondaryNotQualified = facts.sourceID.map(secondaryNotQualified.contains) ?? false
        zoning.sourceUseNotJudged = facts.sourceID.map(useNotJudged.contains) ?? false
        let advice = methodAdvice(facts, cropClass: classification.cropClass, findings: &review.findings)
        zoning.irrigationMethodNotAllowed = review.findings.contains { $0.code == .irrigationMethodNotAllowed }
        let (zone, reasons) = Zoning.zone(zoning)
        return ParcelAssessment(classification: classification, tier: policy.tier, zone: zone, reasons: reasons,
                                sourceStatus: verdict?.status, exclusionShare: facts.exclusionShare, exclusionNames: facts.exclusionNames,
                                soilClass: SoilClass(anyValue: anyValue, aboveScreening: screening, aboveIntervention: intervention),
                                soilAboveScreening: screening, soilAboveIntervention: intervention,
                                soilPHUsed: review.samplePH ?? facts.soilPH, review: review, methods: advice)
    }

    /// The methods the parcel may take (灌溉方式), from its crop class and its source's chloride
    /// and sodium; today's method, when the layer names one, checked against them.
    func methodAdvice(_ facts: ParcelFacts, cropClass: CropClass, findings: inout [Finding]) -> IrrigationMethodAdvice? {
        guard let methods else { return nil }
        let series = facts.sourceID.flatMap { context.sourceSeries[$0] }
        let year = context.year ?? series?.latestYear ?? 0
        let advice = methods.advice(for: cropClass, chloride: series?.concentration("chloride", year: year),
                                    sodium: series?.concentration("na", year: year))
        guard let text = facts.irrigationMethod else { return advice }
        guard let current = methods.method(named: text) else {
            findings.append(Finding(code: .irrigationMethodUnknown, parameter: text, value: nil, threshold: nil, unit: nil, standard: nil, evidence: [],
                                    messageZh: "灌溉方式“\(text)”无法识别", messageEn: "irrigation method \"\(text)\" is not one irrizone knows", review: false))
            return advice
        }
        if !advice.allowed.contains(current.id) {
            let allowed = advice.allowed.compactMap { id in methods.methods.first { $0.id == id } }
            findings.append(Finding(code: .irrigationMethodNotAllowed, parameter: current.id, value: nil, threshold: nil, unit: nil,
                                    standard: advice.reasons.map(\.rawValue).joined(separator: " "), evidence: [facts.sourceID].compactMap { $0 },
                                    messageZh: "现用\(current.zh)不允许（\(advice.reasons.map(\.meaning.zh).joined(separator: "；"))），可用：\(allowed.map(\.zh).joined(separator: "、"))",
                                    messageEn: "\(current.en) is not allowed (\(advice.reasons.map(\.meaning.en).joined(separator: "; "))); allowed: \(allowed.map(\.en).joined(separator: ", "))",
                                    review: true))
        }
        return advice
    }

    /// The elements the soil findings put above their screening and intervention values.
    static func soilAbove(_ findings: [Finding]) -> (screening: [String], intervention: [String]) {
        var screening: [String] = [], intervention: [String] = []
        for index in findings.indices {
            guard let parameter = findings[index].parameter else { continue }
            if findings[index].code == .soilAboveScreening { screening.append(parameter) }
            else if findings[index].code == .soilAboveIntervention { intervention.append(parameter) }
        }
        return (screening, intervention)
    }
}
