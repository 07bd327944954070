import Foundation

/// One reason to look at a parcel, with its evidence (issue #5).
public struct Finding: Sendable, Hashable, Codable {
    public var code: String
    /// soil / groundwater / water
    public var target: String
    public var parameter: String?
    public var value: Double?
    public var threshold: Double?
    public var unit: String?
    public var standard: String?
    /// Sample, well or source ids.
    public var evidence: [String]
    public var messageZh: String
    public var messageEn: String
    /// False for informational findings (estimated soil, no well nearby).
    public var review: Bool
}

extension Finding {
    /// The parcel's source lacks required items in the assessment year (`RequiredEvidence`):
    /// its water cannot support `suitable` (issue #22).
    public static func sourceIncomplete(_ verdict: SourceVerdict) -> Finding {
        let list = verdict.missingParameters.joined(separator: ", ")
        return Finding(code: "SOURCE_INCOMPLETE", target: "water", parameter: list, value: nil, threshold: nil, unit: nil,
                       standard: "required evidence (Xinzhou 忻政办发〔2024〕11号 二（四）)", evidence: [verdict.sourceID],
                       messageZh: "水源 \(verdict.sourceID) 在 \(verdict.year.map(String.init) ?? "评估年") 缺少必测项目：\(list)",
                       messageEn: "source \(verdict.sourceID) has no measurement of \(list) in \(verdict.year.map(String.init) ?? "the assessment year")",
                       review: true)
    }
}

/// Settings of the loads and review rules (project file `loads:`, `review:`).
public struct ReviewOptions: Sendable, Hashable {
    /// Irrigation quota (m³/mu·yr) when a parcel has no records. Defaults from GB 5084-92 via
    /// standards.md §1: paddy 800, dryland 300; vegetables 350 (the middle of 200–500 per crop).
    public var quotaM3PerMu: [CropClass: Double] = [
        .paddy: 800, .drylandGrainOil: 300, .feedForage: 300, .fiberIndustrial: 300, .fruit: 300, .landscapeForest: 300,
        .vegetableCooked: 350, .vegetableRaw: 350,
    ]
    /// How years without water samples are filled (see `ReviewEngine.concentration`).
    public static let concentrationYears = "each year's annual mean; a year without samples uses the nearest year's mean (the later year on a tie)"
    public static let quotaSource = "GB 5084-92 irrigation quotas (standards.md §1, [S7]): paddy 800, dryland 300 m³/亩·a; vegetables 350 m³/亩 (middle of 200–500 per crop)"
    public enum NonDetectRule: String, Sendable, Hashable, Codable { case half, zero, limit }
    /// How a non-detect enters an annual mean (default: half the detection limit).
    public var nonDetects = NonDetectRule.half
    public var accumulation = AccumulationOptions()
    /// Soil salt (g/kg) class limits: non-saline < 1, slight < 2, moderate < 4, severe < 6, else
    /// saline soil. Project default (commonly used North-China grading, unverified: M).
    public var soilSaltClassLimits: [Double] = [1, 2, 4, 6]
    public static let soilSaltClassNames = ["non_saline", "slight", "moderate", "severe", "saline_soil"]
    /// A soil salt class at or above this index is a review (default: moderate).
    public var soilSaltReviewClass = 2
    /// Relative yield below this (%) is a review (DESIGN.md §4: 90 %).
    public var yieldReviewBelowPercent = 90.0
    /// Depth to water below which the water table counts as shallow (DESIGN.md §4: 3 m).
    public var shallowWaterTableMetres = 3.0
    /// Loads (kg/ha·yr) above which a shallow water table is a review. Project defaults, no
    /// published source: chloride 500, salt 2 000.
    public var shallowLoadKgPerHectare: [String: Double] = ["chloride": 500, "salt": 2000]
    /// Trend test: parameters, minimum readings, significance (DESIGN.md §4).
    public var trendParameters = ["chloride", "tds", "nitrate_n"]
    public var trendMinimumReadings = 6
    public var trendAlpha = 0.05
    public init() {}
}

/// A value per load: chloride, salt, then the soil elements (`ReviewEngine.loadKeys`). The keys
/// are fixed, so a parcel's loads are a short array rather than a hashed dictionary (the rules
/// make three of them for every parcel).
public struct LoadValues<Value: Sendable>: Sendable {
    // Inlinable, so other modules (the parcel file, the summary) get it specialized: generic
    // code across modules looked its type metadata up on every call.
    @usableFromInline var slots: [Value?]

    @inlinable public init() { slots = Array(repeating: nil, count: ReviewEngine.loadKeys.count) }

    /// The value of a load key; nil for a key that is not one.
    @inlinable public subscript(key: String) -> Value? { ReviewEngine.loadKeys.firstIndex(of: key).flatMap { slots[$0] } }

    /// The value at a position in `ReviewEngine.loadKeys`.
    @inlinable public subscript(index index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    @inlinable public var isEmpty: Bool { !slots.contains { $0 != nil } }
    /// Every key's value or nil, in key order.
    @inlinable public var inKeyOrder: [Value?] { slots }
    /// The values there are, in key order.
    @inlinable public var values: [Value] { slots.compactMap { $0 } }
    /// Whether a value there is satisfies `predicate` (without making `values`).
    @inlinable public func contains(where predicate: (Value) -> Bool) -> Bool {
        slots.withUnsafeBufferPointer { slots in slots.contains { $0.map(predicate) ?? false } }
    }
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
    public private(set) var reviewReasons: [String] = []

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
        soilReview = findings.indices.contains { findings[$0].review && findings[$0].target == "soil" }
        groundwaterReview = findings.indices.contains { findings[$0].review && findings[$0].target == "groundwater" }
        guard findings.indices.contains(where: { findings[$0].review }) else { reviewReasons = []; return }
        var codes: [String] = []
        for index in findings.indices where findings[index].review && !codes.contains(findings[index].code) { codes.append(findings[index].code) }
        reviewReasons = codes.sorted()
    }
}

/// What a well says: latest values, class III exceedances, trends.
public struct WellSummary: Sendable {
    public var wellID: String
    public var latestDepthMetres: Double?
    public var latestDate: CalendarDate
    public var latest: [String: (value: Double, date: CalendarDate, reading: String)]
    public var trends: [String: TrendTest]

    /// Each well's summary, by well id; the wells on all cores.
    public static func make(_ readings: [WellReading], options: ReviewOptions) -> [String: WellSummary] {
        let wells = Array(Dictionary(grouping: readings, by: \.wellID))
        let summaries = parallelMap(count: wells.count, chunkSize: 16) { summary(of: wells[$0].key, wells[$0].value, options: options) }
        return Dictionary(uniqueKeysWithValues: summaries.map { ($0.wellID, $0) })
    }

    static func summary(of id: String, _ readings: [WellReading], options: ReviewOptions) -> WellSummary {
        let sorted = readings.sorted { $0.date < $1.date }
        // The latest value of each parameter, with the reading it came from (named at the end:
        // a name made for every value took most of the time).
        var latestAt: [String: (value: Double, reading: Int)] = [:]
        for (position, reading) in sorted.enumerated() {
            for (parameter, value) in reading.measurements { if let v = value.number { latestAt[parameter.id] = (v, position) } }
        }
        let latest = latestAt.mapValues { ($0.value, sorted[$0.reading].date, "\(id)@\(sorted[$0.reading].date)") }
        var trends: [String: TrendTest] = [:]
        for parameterID in options.trendParameters {
            guard let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            let points = sorted.compactMap { r in r.measurements[parameter]?.number.map { (r.date.decimalYear, $0) } }
            if points.count >= options.trendMinimumReadings, let test = TrendTest.mannKendall(times: points.map(\.0), values: points.map(\.1)) {
                trends[parameterID] = test
            }
        }
        return WellSummary(wellID: id, latestDepthMetres: sorted.last { $0.depthToWaterMetres != nil }?.depthToWaterMetres,
                           latestDate: sorted.last!.date, latest: latest, trends: trends)
    }
}

public enum ReviewEngine {
    public static let elements = ["cd", "hg", "as", "pb", "cr", "cu", "ni", "zn"]

    /// Annual mean concentration (mg/L) per source, year and parameter, non-detects substituted.
    public static func annualMeans(_ samples: [WaterSample], rule: ReviewOptions.NonDetectRule) -> [String: [Int: [String: Double]]] {
        var sums: [String: [Int: [String: (Double, Int)]]] = [:]
        for sample in samples {
            for (parameter, value) in sample.measurements {
                let number: Double?
                switch value {
                case .value(let v), .aboveRange(let v): number = v
                case .belowDetection(let limit):
                    number = limit.map { rule == .half ? $0 / 2 : (rule == .zero ? 0 : $0) }  // no limit: cannot be substituted
                }
                guard let number else { continue }
                let current = sums[sample.sourceID, default: [:]][sample.date.year, default: [:]][parameter.id] ?? (0, 0)
                sums[sample.sourceID, default: [:]][sample.date.year, default: [:]][parameter.id] = (current.0 + number, current.1 + 1)
            }
        }
        return sums.mapValues { years in years.mapValues { parameters in parameters.mapValues { $0.0 / Double($0.1) } } }
    }

    /// A source's annual means, asked for a concentration in a year: that year's mean, else the
    /// nearest year's (stated in run.json and the report as `concentration_years`: irrigation
    /// records often start before sampling). Each parcel asks for ~50 (parameter, year) pairs, so
    /// every answer is worked out when the source's series is made.
    /// (A class: a parcel's rules consult its source's series some thirty times, and each use of
    /// a struct holding a dictionary and an array copied it.)
    public final class SourceSeries: Sendable {
        /// Per parameter: its mean for every year from the first to the last year it has one, a
        /// year without samples filled with the nearest year's (`nearest(in:year:)`), so any
        /// year is one array index away.
        private let byParameter: [String: Dense]
        /// Per load (`ReviewEngine.loadParameters`): the first of its parameters the source has.
        private let byLoad: [Dense?]
        /// The latest year with any mean.
        public let latestYear: Int?

        struct Dense: Sendable {
            var firstYear: Int
            var values: [Double]
            /// Years before the first take the first year's mean, years after the last the last's.
            func value(year: Int) -> Double { values[min(max(year - firstYear, 0), values.count - 1)] }
        }

        public init(_ means: [Int: [String: Double]]) {
            var series: [String: [(year: Int, value: Double)]] = [:]
            for (year, parameters) in means { for (parameter, value) in parameters { series[parameter, default: []].append((year, value)) } }
            var table: [String: Dense] = [:]
            for (parameter, entries) in series {
                let sorted = entries.sorted { $0.year < $1.year }
                let first = sorted.first!.year, last = sorted.last!.year
                table[parameter] = Dense(firstYear: first, values: (first...last).map { Self.nearest(in: sorted, year: $0)! })
            }
            byParameter = table
            byLoad = ReviewEngine.loadParameters.map { load in load.parameters.lazy.compactMap { table[$0] }.first }
            latestYear = means.keys.max()
        }

        /// The year's mean, else the nearest year's; on a tie the later one.
        public func concentration(_ parameter: String, year: Int) -> Double? { byParameter[parameter]?.value(year: year) }

        /// The concentration behind a load (`ReviewEngine.loadParameters[index]`) in a year.
        func loadConcentration(_ index: Int, year: Int) -> Double? { byLoad[index]?.value(year: year) }

        /// The year's mean in a series sorted by year, else the nearest year's; on a tie the later.
        static func nearest(in series: [(year: Int, value: Double)], year: Int) -> Double? {
            var best: (year: Int, value: Double)? = nil
            for entry in series {
                if entry.year == year { return entry.value }
                if let b = best, abs(entry.year - year) > abs(b.year - year) { continue }
                best = entry  // ascending years: an equal distance later on is the later year
            }
            return best?.value
        }
    }

    public struct Context: Sendable {
        public let standards: StandardsCatalog
        public let options: ReviewOptions
        public let wells: [String: WellSummary]
        public let year: Int?
        /// Each source's annual means (`annualMeans`) as series, made once for the run.
        let sourceSeries: [String: SourceSeries]
        /// Each soil element's rules that do not depend on the parcel, made once for the run.
        let elementRules: [ElementRules]
        /// What each well says whatever the parcel (class III exceedances, rising trends), made
        /// once for the run: the same findings for every parcel around the well.
        let wellFindings: [String: [Finding]]
        public init(standards: StandardsCatalog, options: ReviewOptions, sourceMeans: [String: [Int: [String: Double]]], wells: [String: WellSummary], year: Int?) {
            self.standards = standards; self.options = options; self.wells = wells; self.year = year
            sourceSeries = sourceMeans.mapValues(SourceSeries.init)
            elementRules = ReviewEngine.elements.compactMap { ElementRules($0, standards: standards, options: options.accumulation) }
            wellFindings = wells.mapValues { ReviewEngine.findings(of: $0, standards: standards, options: options) }
        }
    }

    /// A well's findings that hold for any parcel within reach: latest values above GB/T 14848
    /// class III, and significant rising trends; by parameter.
    static func findings(of well: WellSummary, standards: StandardsCatalog, options: ReviewOptions) -> [Finding] {
        let id = well.wellID
        var findings: [Finding] = []
        for (parameterID, latest) in well.latest.sorted(by: { $0.key < $1.key }) {
            guard let classIII = standards.groundwaterClassIII(parameterID), let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            let above = latest.value > classIII.max || (classIII.min.map { latest.value < $0 } ?? false)
            if above {
                findings.append(Finding(code: "GW_ABOVE_CLASS_III", target: "groundwater", parameter: parameterID, value: latest.value, threshold: classIII.max,
                                        unit: "mg/L", standard: "GB/T 14848-2017 class III", evidence: [latest.reading],
                                        messageZh: "监测井 \(id) 最新\(parameter.chineseName)超过地下水Ⅲ类标准",
                                        messageEn: "latest \(parameter.englishName) at well \(id) exceeds groundwater class III", review: true))
            }
        }
        for (parameterID, test) in well.trends.sorted(by: { $0.key < $1.key }) where test.z > 0 && test.p < options.trendAlpha {
            let name = ParameterCatalog.parameter(id: parameterID)!
            findings.append(Finding(code: "GW_RISING_TREND", target: "groundwater", parameter: parameterID, value: test.senSlopePerYear, threshold: nil,
                                    unit: "mg/L per year", standard: "Mann–Kendall (p = \(String(format: "%.4f", test.p)), n = \(test.n))", evidence: [id],
                                    messageZh: "监测井 \(id) \(name.chineseName)呈显著上升趋势（Sen 斜率 \(String(format: "%.2f", test.senSlopePerYear)) mg/L/年）",
                                    messageEn: "\(name.englishName) at well \(id) is rising (Sen's slope \(String(format: "%.2f", test.senSlopePerYear)) mg/L per year)",
                                    review: true))
        }
        return findings
    }

    /// What the rules hold an element to, whatever the parcel: its thresholds per land use and
    /// pH band (GB 15618-2018) and the project's numbers for it. (A class: every parcel walks
    /// through the elements' rules, and copying a struct of arrays retained each of them.)
    final class ElementRules: Sendable {
        let element: String
        /// The element's position in `loadKeys`.
        let loadIndex: Int
        let parameter: Parameter
        let background: Double?
        let otherInputs: Double?
        let residualRate: Double
        let cumulativeCap: Double?
        /// Screening values per pH band (`StandardsCatalog.phBand`) for paddy, orchard, other land.
        private let screeningPaddy: [Double?], screeningOrchard: [Double?], screeningOther: [Double?]
        /// Intervention values per pH band.
        private let intervention: [Double?]
        /// A pH in each band: the bands an unknown pH is judged by (the strictest applies).
        static let bandPH = [5.0, 6.0, 7.0, 8.0]

        init?(_ element: String, standards: StandardsCatalog, options: AccumulationOptions) {
            guard let parameter = ParameterCatalog.parameter(id: element), let loadIndex = ReviewEngine.loadKeys.firstIndex(of: element) else { return nil }
            self.element = element; self.loadIndex = loadIndex; self.parameter = parameter
            background = options.background[element]; otherInputs = options.otherInputs[element]
            residualRate = options.residualRate[element] ?? AccumulationOptions.defaultResidualRate
            cumulativeCap = options.cumulativeCaps[element]
            func screening(_ landUse: SoilLandUse) -> [Double?] { Self.bandPH.map { standards.soilScreeningValue(element, landUse: landUse, ph: $0) } }
            screeningPaddy = screening(.paddy); screeningOrchard = screening(.orchard); screeningOther = screening(.other)
            intervention = Self.bandPH.map { standards.soilInterventionValue(element, ph: $0) }
        }

        /// The lowest screening value over the pH bands given (one band when the pH is known).
        func screening(landUse: SoilLandUse, bands: [Int]) -> Double? {
            let values = switch landUse { case .paddy: screeningPaddy; case .orchard: screeningOrchard; case .other: screeningOther }
            return Self.lowest(of: values, in: bands)
        }

        func intervention(bands: [Int]) -> Double? { Self.lowest(of: intervention, in: bands) }

        /// The lowest value of the bands that have one (no array made: twice per element and parcel).
        private static func lowest(of values: [Double?], in bands: [Int]) -> Double? {
            var lowest: Double? = nil
            for band in bands { if let value = values[band], lowest.map({ value < $0 }) ?? true { lowest = value } }
            return lowest
        }
    }

    /// The required soil items (`RequiredEvidence.soil`) the linked samples do not establish: an
    /// item is established by a detected value, or by a non-detect whose detection limit is at or
    /// below the screening value that applies (a higher limit cannot tell clean from polluted).
    /// A pH recorded on the parcel counts for pH.
    static func missingSoilEvidence(_ soil: [SoilSample], parcelPH: Double?, landUse: SoilLandUse, bands: [Int], context c: Context) -> [String] {
        RequiredEvidence.missing(c.standards.requiredEvidence.soil) { id in
            guard let parameter = ParameterCatalog.parameter(id: id) else { return false }
            if parameter.kind == .ph, parcelPH != nil { return true }
            let screening = c.elementRules.first { $0.parameter == parameter }?.screening(landUse: landUse, bands: bands)
            return soil.contains { sample in
                if sample.numbers[parameter.ordinal] != nil { return true }  // detected (no dictionary lookup: every parcel asks)
                guard case .belowDetection(let limit)? = sample.measurements[parameter] else { return false }
                return screening.map { s in limit.map { $0 <= s } ?? false } ?? (limit != nil)
            }
        }
    }

    /// The loads computed per parcel: output key, the parameters that can stand for it (first
    /// found wins), and whether the load is in kg (else g).
    static let loadParameters: [(key: String, parameters: [String], perKg: Bool)] =
        [("chloride", ["chloride"], true), ("salt", ["total_salt", "tds"], true)] + elements.map { ($0, [$0], false) }
    /// The loads' keys, in the order of `LoadValues`.
    public static let loadKeys = loadParameters.map(\.key)

    public static func review(parcel: Parcel, cropClass: CropClass, policy: CropClassPolicy, crop: CropEntry?, links: ParcelLinks?,
                              soil: [SoilSample], context c: Context) -> ParcelReview {
        review(sourceID: parcel.sourceID, soilPH: parcel.soilPH, cropClass: cropClass, policy: policy, crop: crop, links: links, soil: soil, context: c)
    }

    /// The review of a parcel with this source and recorded soil pH (all the rules need of the
    /// parcel itself: a caller that holds parcels in an array hands these over instead of a copy
    /// of the whole parcel).
    public static func review(sourceID: String?, soilPH: Double?, cropClass: CropClass, policy: CropClassPolicy, crop: CropEntry?, links: ParcelLinks?,
                              soil: [SoilSample], context c: Context) -> ParcelReview {
        let options = c.options
        var findings: [Finding] = []
        let means = sourceID.flatMap { c.sourceSeries[$0] }

        // Volume: records, else the class's quota.
        let records = links?.irrigationByYear ?? [:]
        var volumeBasis = "none"
        var annualVolume: Double? = nil
        if let latest = records.max(by: { $0.key < $1.key }) { annualVolume = latest.value; volumeBasis = "records" }
        else if let quota = options.quotaM3PerMu[cropClass] { annualVolume = quota * 15; volumeBasis = "quota" }
        let referenceYear = records.keys.max() ?? c.year ?? means?.latestYear ?? 0

        // Loads.
        var annualLoad = LoadValues<Double>(), cumulative = LoadValues<Double>()
        // In year order: a dictionary's order changes from run to run, and so would the last bits
        // of the sum (and a rounded output value).
        let recordsByYear = records.sorted(by: { $0.key < $1.key })
        for (index, load) in Self.loadParameters.enumerated() {
            let scale = load.perKg ? 1.0 / 1000 : 1.0  // C (mg/L) × V (m³/ha) = g/ha
            if let v = annualVolume, let concentration = means?.loadConcentration(index, year: referenceYear) {
                annualLoad[index: index] = concentration * v * scale
            }
            if !records.isEmpty {
                var sum = 0.0, complete = true
                for (year, volume) in recordsByYear {
                    guard let concentration = means?.loadConcentration(index, year: year) else { complete = false; break }
                    sum += concentration * volume * scale
                }
                if complete { cumulative[index: index] = sum }
            }
        }

        // Soil: linked values, thresholds by pH band and land use.
        let samplePH = SoilSummary.pH(samples: soil)
        let ph = samplePH ?? soilPH
        let bands = ph.map { [StandardsCatalog.phBand($0)] } ?? Array(ElementRules.bandPH.indices)  // unknown pH: the strictest band
        let sampleIDs = soil.map(\.id)
        if soil.isEmpty {
            findings.append(Finding(code: "SOIL_NO_DATA", target: "soil", parameter: nil, value: nil, threshold: nil, unit: nil, standard: nil, evidence: [],
                                    messageZh: "地块内及附近无土壤样品，需补充采样", messageEn: "no soil sample in or near the parcel: sample it", review: true))
        } else if links?.soilEstimated == true {
            findings.append(Finding(code: "SOIL_ESTIMATED_FROM_NEIGHBOUR", target: "soil", parameter: nil, value: links?.soilDistanceMetres, threshold: nil,
                                    unit: "m", standard: nil, evidence: sampleIDs,
                                    messageZh: "土壤数据取自邻近样品（估算）", messageEn: "soil values taken from a neighbouring sample (estimated)", review: false))
        }

        if !soil.isEmpty {
            let missing = missingSoilEvidence(soil, parcelPH: soilPH, landUse: policy.soilLandUse, bands: bands, context: c)
            if !missing.isEmpty {
                let list = missing.joined(separator: ", ")
                findings.append(Finding(code: "SOIL_INCOMPLETE", target: "soil", parameter: list, value: nil, threshold: nil, unit: nil,
                                        standard: "required evidence (GB 15618-2018 basic items and pH)", evidence: sampleIDs,
                                        messageZh: "土壤样品缺少必测项目：\(list)，需补测", messageEn: "the soil evidence lacks required items: \(list); measure them",
                                        review: true))
            }
        }

        var accumulation = LoadValues<Accumulation>()
        let model = options.accumulation.model
        for rules in c.elementRules {
            let element = rules.element, parameter = rules.parameter
            let measured = SoilSummary.value(parameter, samples: soil)
            let start = measured ?? rules.background
            let screening = rules.screening(landUse: policy.soilLandUse, bands: bands)
            let intervention = rules.intervention(bands: bands)
            let load = (annualLoad[index: rules.loadIndex] ?? 0) + (rules.otherInputs ?? 0)
            let r = annualLoad[index: rules.loadIndex] == nil && rules.otherInputs == nil ? nil
                : AccumulationModel.annualIncrement(loadGramsPerHectare: load, soilMass: options.accumulation.soilMassKgPerHectare)
            let k = rules.residualRate
            var years: Double? = nil, projected: Double? = nil
            if let start, let r, let screening {
                years = AccumulationModel.yearsToScreening(start: start, increment: r, screening: screening, model: model, k: k)
                projected = AccumulationModel.content(start: start, increment: r, years: options.accumulation.horizonYears, model: model, k: k)
            }
            var yearsToCap: Double? = nil
            if let cap = rules.cumulativeCap, load > 0 {
                yearsToCap = max(0, (cap * 1000 - (cumulative[index: rules.loadIndex] ?? 0)) / load)  // kg/ha → g/ha
            }
            accumulation[index: rules.loadIndex] = Accumulation(annualIncrement: r ?? 0, start: start, startIsBackground: measured == nil && start != nil,
                                                 screening: screening, yearsToScreening: years, projected: projected, yearsToCap: yearsToCap)
            let standard = "GB 15618-2018" + (ph == nil ? " (pH unknown: strictest band)" : "")
            if let measured, let intervention, measured > intervention {
                findings.append(Finding(code: "SOIL_ABOVE_INTERVENTION", target: "soil", parameter: element, value: measured, threshold: intervention, unit: "mg/kg",
                                        standard: standard, evidence: sampleIDs, messageZh: "土壤\(parameter.chineseName)超过风险管制值",
                                        messageEn: "soil \(parameter.englishName) above the intervention value", review: true))
            } else if let measured, let screening, measured > screening {
                findings.append(Finding(code: "SOIL_ABOVE_SCREENING", target: "soil", parameter: element, value: measured, threshold: screening, unit: "mg/kg",
                                        standard: standard, evidence: sampleIDs, messageZh: "土壤\(parameter.chineseName)超过风险筛选值",
                                        messageEn: "soil \(parameter.englishName) above the screening value", review: true))
            }
            if let years, years > 0, years < options.accumulation.horizonYears {
                findings.append(Finding(code: "SOIL_PROJECTED_EXCEEDANCE", target: "soil", parameter: element, value: years,
                                        threshold: options.accumulation.horizonYears, unit: "years", standard: standard,
                                        evidence: sampleIDs + [sourceID].compactMap { $0 },
                                        messageZh: "按当前灌溉负荷，\(String(format: "%.1f", years)) 年后土壤\(parameter.chineseName)达到筛选值",
                                        messageEn: "at the current load, soil \(parameter.englishName) reaches the screening value in \(String(format: "%.1f", years)) years",
                                        review: true))
            }
        }
        // Allowed irrigation years: the minimum over elements (and caps), with the limiting element.
        var limit: (Double, String)? = nil
        for (index, element) in Self.loadKeys.enumerated() {
            guard let a = accumulation[index: index] else { continue }
            // (Two values, not an array literal: that was an allocation per element and parcel.)
            func consider(_ years: Double?) {
                if let years, limit == nil || years < limit!.0 || (years == limit!.0 && element < limit!.1) { limit = (years, element) }
            }
            consider(a.yearsToScreening)
            consider(a.yearsToCap)
        }

        // Salinity of the water, and of the crop's root zone.
        var ecw: Double? = nil
        if let ec = means?.concentration("ec", year: referenceYear) { ecw = ec }
        else if let tds = means?.concentration("tds", year: referenceYear) ?? means?.concentration("total_salt", year: referenceYear) {
            ecw = Salinity.ecw(fromTDS: tds, tdsPerEC: c.standards.faoConstants["tds_per_ec"]?.value ?? 640)
        }
        var lr: Double? = nil, yield: Double? = nil, waterClass: String? = nil
        if let ecw {
            let fao = c.standards.fao29WaterClasses.first { $0.parameter == "ec" }
            waterClass = fao.map { ecw < $0.noneBelow ? "none" : (ecw > $0.severeAbove ? "severe" : "slight_to_moderate") }
            if let key = crop?.salt, let tolerance = c.standards.cropSaltTolerance[key] {
                let ece = Salinity.ece(fromECw: ecw, ratio: c.standards.faoConstants["ece_per_ecw"]?.value ?? 1.5)
                lr = Salinity.leachingRequirement(ecw: ecw, threshold: tolerance.threshold)
                yield = Salinity.relativeYield(ece: ece, threshold: tolerance.threshold, slope: tolerance.slope)
            }
        }
        var chlorideClass: String? = nil
        if let chloride = means?.concentration("chloride", year: referenceYear),
           let fao = c.standards.fao29WaterClasses.first(where: { $0.parameter == "chloride" }) {
            chlorideClass = chloride < fao.noneBelow ? "none" : (chloride > fao.severeAbove ? "severe" : "slight_to_moderate")
        }
        var soilSaltClass: String? = nil
        if let saltParameter = ParameterCatalog.parameter(id: "salt"), let salt = SoilSummary.value(saltParameter, samples: soil) {
            let index = options.soilSaltClassLimits.firstIndex { salt < $0 } ?? options.soilSaltClassLimits.count
            soilSaltClass = ReviewOptions.soilSaltClassNames[index]
            if index >= options.soilSaltReviewClass {
                findings.append(Finding(code: "SOIL_SALINITY", target: "soil", parameter: "salt", value: salt, threshold: options.soilSaltClassLimits[options.soilSaltReviewClass - 1],
                                        unit: "g/kg", standard: "project soil salt classes (M)", evidence: sampleIDs,
                                        messageZh: "土壤含盐量达到\(soilSaltClass!)等级", messageEn: "soil salt is \(soilSaltClass!)", review: true))
            }
        }
        if let yield, yield < options.yieldReviewBelowPercent {
            findings.append(Finding(code: "SOIL_SALINITY", target: "soil", parameter: "ec", value: yield, threshold: options.yieldReviewBelowPercent, unit: "%",
                                    standard: "FAO 29 / Maas–Hoffman", evidence: [sourceID].compactMap { $0 },
                                    messageZh: "灌溉水盐分使作物相对产量降至 \(String(format: "%.0f", yield))%",
                                    messageEn: "irrigation-water salinity cuts relative yield to \(String(format: "%.0f", yield)) %", review: true))
        }

        // Groundwater.
        let wellIDs = links?.wellIDs ?? []
        if wellIDs.isEmpty {
            findings.append(Finding(code: "GW_NO_DATA", target: "groundwater", parameter: nil, value: nil, threshold: nil, unit: nil, standard: nil, evidence: [],
                                    messageZh: "监测半径内无地下水监测井", messageEn: "no groundwater well within the radius", review: false))
        }
        for id in wellIDs {
            guard let well = c.wells[id] else { continue }
            findings += c.wellFindings[id] ?? []
            if let depth = well.latestDepthMetres, depth < options.shallowWaterTableMetres {
                for (key, threshold) in options.shallowLoadKgPerHectare.sorted(by: { $0.key < $1.key }) {
                    guard let load = annualLoad[key], load > threshold else { continue }
                    findings.append(Finding(code: "GW_SHALLOW_AND_LOADED", target: "groundwater", parameter: key, value: load, threshold: threshold,
                                            unit: "kg/ha·yr", standard: "project default (water table < \(options.shallowWaterTableMetres) m)",
                                            evidence: [id] + [sourceID].compactMap { $0 },
                                            messageZh: "浅埋地下水（\(String(format: "%.1f", depth)) m）且\(key == "salt" ? "盐分" : "氯化物")负荷高",
                                            messageEn: "shallow water table (\(String(format: "%.1f", depth)) m) under a high \(key) load", review: true))
                }
            }
        }
        return ParcelReview(volumeM3PerHectare: annualVolume, volumeBasis: volumeBasis, annualLoad: annualLoad, cumulativeLoad: cumulative,
                            accumulation: accumulation, irrigationYearsLimit: limit?.0, limitingElement: limit?.1, ecw: ecw, leachingRequirement: lr,
                            relativeYield: yield, waterSalinityClass: waterClass, waterChlorideClass: chlorideClass, soilSaltClass: soilSaltClass,
                            samplePH: samplePH, findings: findings)
    }
}
