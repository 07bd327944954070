/// Why a source has its overall status (`sources.geojson`, `status_reasons`).
public enum SourceStatusReason: String, OutputCode, Codable {
    case prohibitedInflow = "SOURCE_PROHIBITED_INFLOW", parameterExceedsLimit = "PARAMETER_EXCEEDS_LIMIT"
    case nonDetectAboveLimit = "NON_DETECT_ABOVE_LIMIT", noSamplesInYear = "NO_SAMPLES_IN_YEAR", requiredNotMeasured = "REQUIRED_NOT_MEASURED"
    case secondaryNotQualified = "SECONDARY_NOT_QUALIFIED"
    case useNotJudged = "USE_NOT_JUDGED"

    /// The reasons behind a source's status, in this order.
    public static func reasons(for source: SourceAssessment) -> [SourceStatusReason] {
        reasons(for: source.effective) + (source.secondaryEffluentProblems?.isEmpty == false ? [.secondaryNotQualified] : [])
            + (source.usesNotJudged.isEmpty ? [] : [.useNotJudged])
    }

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
        // Green space and landscape water also wet landscape plants: GB 5084's landscape class too.
        let useClasses: Set<CropClass> = (source?.uses.contains { $0 == .greenSpace || $0 == .landscape } ?? false) ? [.landscapeForest] : []
        let classes = served.cropClasses.union(useClasses)
        var columns: [String: [String]] = [:]
        for cropClass in classes {
            for (standard, list) in standards.columns(for: crops.policy(cropClass), cropClass: cropClass) { columns[standard, default: []] += list }
        }
        let farmland = classes.isEmpty ? perClass[.unknown]!
            : verdict(standards.effectiveLimits(columns: columns, conditions: conditions, boron: nil))
        // Every other use by its own standard, each of its items required; the outlet answers
        // to the strictest of them all (双辽 "按最高使用要求确定").
        var perUse: [String: SourceVerdict] = [:], notJudged: [String] = []
        for use in (source?.uses ?? []) where use != .farmland {
            guard let useColumns = standards.useStandards[use] else { notJudged.append(use.rawValue); continue }
            let limits = standards.effectiveLimits(columns: useColumns, conditions: conditions, boron: nil)
            // The standard's basic items are required; its selective ones judged when measured.
            let basic = limits.filter { $0.value.sources.contains { $0.table == "basic" } }.keys.sorted()
            perUse[use.rawValue] = SourceCompliance.evaluate(sourceID: id, source: source, samples: samples, year: year, limits: limits,
                                                             statistic: statistic, required: basic.map { RequiredEvidence.Item(item: $0, anyOf: [$0]) },
                                                             tdsPerEC: tdsPerEC)
        }
        var effective = SourceVerdict.strictest(farmland, perUse.keys.sorted().map { perUse[$0]! })
        // A use no loaded standard judges leaves the outlet's standard unchecked: not a pass.
        if !notJudged.isEmpty { effective.status = max(effective.status, .incomplete) }
        var assessment = SourceAssessment(sourceID: id, source: source, perClass: perClass, effective: effective,
                                          classesServed: served.cropClasses.sorted(), parcelIndices: served.parcelIndices,
                                          areaServedHectares: served.areaHectares)
        assessment.farmland = farmland
        assessment.perUse = perUse
        assessment.usesNotJudged = notJudged
        if TreatmentLevel(source?.treatment) == .secondary {
            assessment.secondaryEffluentProblems = Self.secondaryEffluentProblems(source: source, samples: samples.filter { $0.date.year == year },
                                                                                  verdict: effective)
        }
        return assessment
    }

    /// Secondary effluent (二沉池出水) may irrigate farmland only from a plant that takes no
    /// industrial wastewater, and only when its fecal coliforms and ascaris eggs were tested and
    /// pass (Xinzhou 忻政办发〔2024〕11号 二（四）: "鼓励各地积极探索将没有工业污水进入的污水处理厂二沉池
    /// 出水直接用于农田灌溉…水中粪大肠菌群和蛔虫卵等相关指标应检测合格"). What stands in the way; empty
    /// when it qualifies. A sources table that does not say whether industrial wastewater enters
    /// does not establish that none does.
    static func secondaryEffluentProblems(source: WaterSource?, samples inYear: [WaterSample], verdict: SourceVerdict) -> [String] {
        var problems: [String] = []
        let inflows = source?.inflows ?? []
        if inflows.isEmpty { problems.append("industrial inflow not stated") }
        let industrial = inflows.filter { $0 != .none }
        if !industrial.isEmpty { problems.append("takes industrial wastewater (\(industrial.map(\.rawValue).joined(separator: ", ")))") }
        for id in ["fecal_coliforms", "ascaris_eggs"] {
            guard let parameter = ParameterCatalog.parameter(id: id) else { continue }
            if !inYear.contains(where: { $0.measurements[parameter] != nil }) { problems.append("\(id) not tested in the year"); continue }
            if verdict.failing.contains(where: { $0.parameter == id }) { problems.append("\(id) fails") }
            else if verdict.indeterminate.contains(where: { $0.parameter == id }) { problems.append("\(id) cannot be judged") }
        }
        return problems
    }
}

extension SourceVerdict {
    /// One verdict from several of the same source: the most severe status, every failing,
    /// indeterminate and missing item of any.
    public static func strictest(_ first: SourceVerdict, _ others: [SourceVerdict]) -> SourceVerdict {
        var result = first
        for other in others {
            result.status = max(result.status, other.status)
            for verdict in other.failing where !result.failing.contains(verdict) { result.failing.append(verdict) }
            for verdict in other.indeterminate where !result.indeterminate.contains(verdict) { result.indeterminate.append(verdict) }
            for item in other.missingParameters where !result.missingParameters.contains(item) { result.missingParameters.append(item) }
        }
        return result
    }
}

/// How far a source's water is treated, as its sources table says (`treatment`).
public enum TreatmentLevel: String, Sendable {
    /// 二级处理, 二沉池出水.
    case secondary
    /// 三级、深度处理, advanced treatment for reuse.
    case advanced
    case unknown

    public init(_ text: String?) {
        let folded = (text ?? "").lowercased()
        if ["二级", "二沉", "secondary"].contains(where: folded.contains) { self = .secondary }
        else if ["三级", "深度", "tertiary", "advanced", "再生水厂"].contains(where: folded.contains) { self = .advanced }
        else { self = .unknown }
    }
}
