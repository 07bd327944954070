/// Why a source has its overall status (`sources.geojson`, `status_reasons`).
public enum SourceStatusReason: String, OutputCode, Codable {
    case prohibitedInflow = "SOURCE_PROHIBITED_INFLOW", parameterExceedsLimit = "PARAMETER_EXCEEDS_LIMIT"
    case nonDetectAboveLimit = "NON_DETECT_ABOVE_LIMIT", noSamplesInYear = "NO_SAMPLES_IN_YEAR", requiredNotMeasured = "REQUIRED_NOT_MEASURED"

    /// The reasons behind a verdict, in this order.
    public static func reasons(for verdict: SourceVerdict) -> [SourceStatusReason] {
        var reasons: [SourceStatusReason] = []
        if !verdict.prohibitedInflows.isEmpty { reasons.append(.prohibitedInflow) }
        if !verdict.failing.isEmpty { reasons.append(.parameterExceedsLimit) }
        if !verdict.indeterminate.isEmpty { reasons.append(.nonDetectAboveLimit) }
        if verdict.status == .noData { reasons.append(.noSamplesInYear) }
        if verdict.isIncomplete { reasons.append(.requiredNotMeasured) }
        return reasons
    }
}

/// The rules for the reclaimed-water sources: each judged per crop class on its own, and the
/// verdict its parcels get — for an outlet of several uses the strictest standard among them
/// (Shuangliao 《双辽市再生水利用管理办法》: "出水具有多种用途时，其水质标准按最高使用要求确定").
public struct SourceRules: Sendable {
    public let standards: StandardsCatalog
    public let crops: CropCatalog
    public let year: Int?
    public let statistic: ComplianceStatistic
    public let conditions: SiteConditions
    /// Each crop class's limits, worked out once for every source.
    private let limitsByClass: [CropClass: [String: EffectiveLimit]]

    public init(standards: StandardsCatalog, crops: CropCatalog, year: Int?, statistic: ComplianceStatistic, conditions: SiteConditions) {
        self.standards = standards; self.crops = crops; self.year = year; self.statistic = statistic; self.conditions = conditions
        limitsByClass = Dictionary(uniqueKeysWithValues: CropClass.allCases.map { cropClass in
            (cropClass, standards.effectiveLimits(columns: standards.columns(for: crops.policy(cropClass), cropClass: cropClass),
                                                  conditions: conditions, boron: nil))
        })
    }

    /// What a source serves, as the rules need it.
    public struct Served: Sendable {
        public var cropClasses: Set<CropClass>
        public var parcelIndices: [Int]
        public var areaHectares: Double
        public init(cropClasses: Set<CropClass>, parcelIndices: [Int], areaHectares: Double) {
            self.cropClasses = cropClasses; self.parcelIndices = parcelIndices; self.areaHectares = areaHectares
        }
    }

    /// Judges one source on its own samples (those of the assessment year count).
    public func assess(sourceID id: String, source: WaterSource?, samples: [WaterSample], served: Served) -> SourceAssessment {
        let required = standards.requiredEvidence.water, tdsPerEC = standards.faoConstants["tds_per_ec"]?.value ?? 640
        func verdict(_ limits: [String: EffectiveLimit]) -> SourceVerdict {
            SourceCompliance.evaluate(sourceID: id, source: source, samples: samples, year: year, limits: limits,
                                      statistic: statistic, required: required, tdsPerEC: tdsPerEC)
        }
        var perClass: [CropClass: SourceVerdict] = [:]
        for cropClass in CropClass.allCases { perClass[cropClass] = verdict(limitsByClass[cropClass]!) }
        // One outlet, several uses: the strictest standard among them applies to all.
        let useClasses: Set<CropClass> = (source?.uses.contains(.landscape) ?? false) ? [.landscapeForest] : []
        let classes = served.cropClasses.union(useClasses)
        var columns: [String: [String]] = [:]
        for cropClass in classes {
            for (standard, list) in standards.columns(for: crops.policy(cropClass), cropClass: cropClass) { columns[standard, default: []] += list }
        }
        let effective = classes.isEmpty ? perClass[.unknown]!
            : verdict(standards.effectiveLimits(columns: columns, conditions: conditions, boron: nil))
        return SourceAssessment(sourceID: id, source: source, perClass: perClass, effective: effective,
                                classesServed: served.cropClasses.sorted(), parcelIndices: served.parcelIndices,
                                areaServedHectares: served.areaHectares)
    }
}
