import Foundation

/// The review rules of one parcel: its loads, the accumulation of each soil element and the
/// irrigation years it allows, salinity, and the findings that put it under review (issue #5).
public enum ReviewEngine {
    public static let elements = ["cd", "hg", "as", "pb", "cr", "cu", "ni", "zn"]


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

    /// The loads' keys, in the order of `LoadValues`.
    public static let loadKeys = loadParameters.map(\.key)

    public static func review(parcel: Parcel, cropClass: CropClass, policy: CropClassPolicy, crop: CropEntry?, links: ParcelLinks?,
                              soil: [SoilSample], context c: Context) -> ParcelReview {
        review(sourceID: parcel.sourceID, soilPH: parcel.soilPH, cropClass: cropClass, policy: policy, crop: crop, links: links, soil: soil, context: c)
    }

    /// The review of a parcel with this source and recorded soil pH (all the rules need of the
    /// parcel itself: a caller that holds parcels in an array hands these over instead of a copy
    /// of the whole parcel). The findings come in a fixed order: soil evidence, each element,
    /// salinity, groundwater.
    public static func review(sourceID: String?, soilPH: Double?, cropClass: CropClass, policy: CropClassPolicy, crop: CropEntry?, links: ParcelLinks?,
                              soil: [SoilSample], context c: Context) -> ParcelReview {
        let means = sourceID.flatMap { c.sourceSeries[$0] }
        let records = links?.irrigationByYear ?? YearlyVolumes()
        let volume = annualVolume(records: records, cropClass: cropClass, options: c.options)
        let referenceYear = records.latest?.key ?? c.year ?? means?.latestYear ?? 0
        let (annualLoad, cumulative) = loads(annualVolume: volume.m3PerHectare, records: records, means: means, referenceYear: referenceYear)

        // Soil: linked values, thresholds by pH band and land use.
        let samplePH = SoilSummary.pH(samples: soil)
        let ph = samplePH ?? soilPH
        let bands = ph.map { [StandardsCatalog.phBand($0)] } ?? Array(ElementRules.bandPH.indices)  // unknown pH: the strictest band
        let sampleIDs = soil.map(\.id)
        var findings = soilEvidenceFindings(soil, estimated: links?.soilEstimated == true, distance: links?.soilDistanceMetres, parcelPH: soilPH,
                                            landUse: policy.soilLandUse, bands: bands, sampleIDs: sampleIDs, context: c)
        let accumulation = accumulate(soil: soil, annualLoad: annualLoad, cumulative: cumulative, landUse: policy.soilLandUse, bands: bands,
                                      standard: "GB 15618-2018" + (ph == nil ? " (pH unknown: strictest band)" : ""),
                                      evidence: (sampleIDs, sourceID), context: c, findings: &findings)
        let limit = irrigationYearsLimit(accumulation)
        let salinity = salinity(means: means, year: referenceYear, crop: crop, soil: soil, evidence: (sampleIDs, sourceID), context: c, findings: &findings)
        findings += groundwaterFindings(wellIDs: links?.wellIDs ?? [], annualLoad: annualLoad, sourceID: sourceID, context: c)
        return ParcelReview(volumeM3PerHectare: volume.m3PerHectare, volumeBasis: volume.basis, annualLoad: annualLoad, cumulativeLoad: cumulative,
                            accumulation: accumulation, irrigationYearsLimit: limit?.years, limitingElement: limit?.element, ecw: salinity.ecw,
                            leachingRequirement: salinity.leachingRequirement, relativeYield: salinity.relativeYield,
                            waterSalinityClass: salinity.waterClass, waterChlorideClass: salinity.chlorideClass, soilSaltClass: salinity.soilSaltClass,
                            samplePH: samplePH, findings: findings)
    }

    /// The water a parcel takes each year (m³/ha): its latest irrigation record, else its crop
    /// class's quota.
    static func annualVolume(records: YearlyVolumes, cropClass: CropClass, options: ReviewOptions) -> (m3PerHectare: Double?, basis: String) {
        if let latest = records.latest { return (latest.value, "records") }
        if let quota = options.quotaM3PerMu[cropClass] { return (AreaUnit.perHectare(perMu: quota), "quota") }
        return (nil, "none")
    }

    /// Annual loads at the reference year's concentrations, and the sums over the years of
    /// irrigation records (chloride and salt in kg/ha, metals in g/ha).
    static func loads(annualVolume: Double?, records: YearlyVolumes, means: SourceSeries?, referenceYear: Int)
        -> (annual: LoadValues<Double>, cumulative: LoadValues<Double>) {
        var annualLoad = LoadValues<Double>(), cumulative = LoadValues<Double>()
        // In year order (as `YearlyVolumes` keeps them): in another order the last bits of the sum
        // (and a rounded output value) could change.
        let recordsByYear = Array(records)
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
        return (annualLoad, cumulative)
    }

    /// What the soil evidence itself calls for: no sample, a neighbour's sample, required items missing.
    static func soilEvidenceFindings(_ soil: [SoilSample], estimated: Bool, distance: Double?, parcelPH: Double?, landUse: SoilLandUse,
                                     bands: [Int], sampleIDs: [String], context c: Context) -> [Finding] {
        if soil.isEmpty {
            return [Finding(code: .soilNoData, parameter: nil, value: nil, threshold: nil, unit: nil, standard: nil, evidence: [],
                            messageZh: "地块内及附近无土壤样品，需补充采样", messageEn: "no soil sample in or near the parcel: sample it", review: true)]
        }
        var findings: [Finding] = []
        if estimated {
            findings.append(Finding(code: .soilEstimatedFromNeighbour, parameter: nil, value: distance, threshold: nil,
                                    unit: "m", standard: nil, evidence: sampleIDs,
                                    messageZh: "土壤数据取自邻近样品（估算）", messageEn: "soil values taken from a neighbouring sample (estimated)", review: false))
        }
        let missing = missingSoilEvidence(soil, parcelPH: parcelPH, landUse: landUse, bands: bands, context: c)
        if !missing.isEmpty {
            let list = missing.joined(separator: ", ")
            findings.append(Finding(code: .soilIncomplete, parameter: list, value: nil, threshold: nil, unit: nil,
                                    standard: "required evidence (GB 15618-2018 basic items and pH)", evidence: sampleIDs,
                                    messageZh: "土壤样品缺少必测项目：\(list)，需补测", messageEn: "the soil evidence lacks required items: \(list); measure them",
                                    review: true))
        }
        return findings
    }

    /// Each soil element: where it starts (measured, else background), how fast it grows under
    /// the load, when it reaches its screening value; with the findings that calls for (above
    /// the intervention or screening value now, or projected to reach it within the horizon).
    static func accumulate(soil: [SoilSample], annualLoad: LoadValues<Double>, cumulative: LoadValues<Double>, landUse: SoilLandUse, bands: [Int],
                           standard: String, evidence: (samples: [String], source: String?), context c: Context,
                           findings: inout [Finding]) -> LoadValues<Accumulation> {
        let options = c.options.accumulation
        var accumulation = LoadValues<Accumulation>()
        for rules in c.elementRules {
            let element = rules.element, parameter = rules.parameter
            let measured = SoilSummary.value(parameter, samples: soil)
            let start = measured ?? rules.background
            let screening = rules.screening(landUse: landUse, bands: bands)
            let intervention = rules.intervention(bands: bands)
            let load = (annualLoad[index: rules.loadIndex] ?? 0) + (rules.otherInputs ?? 0)
            let r = annualLoad[index: rules.loadIndex] == nil && rules.otherInputs == nil ? nil
                : AccumulationModel.annualIncrement(loadGramsPerHectare: load, soilMass: options.soilMassKgPerHectare)
            let k = rules.residualRate
            var years: Double? = nil, projected: Double? = nil
            if let start, let r, let screening {
                years = AccumulationModel.yearsToScreening(start: start, increment: r, screening: screening, model: options.model, k: k)
                projected = AccumulationModel.content(start: start, increment: r, years: options.horizonYears, model: options.model, k: k)
            }
            var yearsToCap: Double? = nil
            if let cap = rules.cumulativeCap, load > 0 {
                yearsToCap = max(0, (cap * 1000 - (cumulative[index: rules.loadIndex] ?? 0)) / load)  // kg/ha → g/ha
            }
            accumulation[index: rules.loadIndex] = Accumulation(annualIncrement: r ?? 0, start: start, startIsBackground: measured == nil && start != nil,
                                                 screening: screening, yearsToScreening: years, projected: projected, yearsToCap: yearsToCap)
            if let measured, let intervention, measured > intervention {
                findings.append(Finding(code: .soilAboveIntervention, parameter: element, value: measured, threshold: intervention, unit: "mg/kg",
                                        standard: standard, evidence: evidence.samples, messageZh: "土壤\(parameter.chineseName)超过风险管制值",
                                        messageEn: "soil \(parameter.englishName) above the intervention value", review: true))
            } else if let measured, let screening, measured > screening {
                findings.append(Finding(code: .soilAboveScreening, parameter: element, value: measured, threshold: screening, unit: "mg/kg",
                                        standard: standard, evidence: evidence.samples, messageZh: "土壤\(parameter.chineseName)超过风险筛选值",
                                        messageEn: "soil \(parameter.englishName) above the screening value", review: true))
            }
            if let years, years > 0, years < options.horizonYears {
                findings.append(Finding(code: .soilProjectedExceedance, parameter: element, value: years,
                                        threshold: options.horizonYears, unit: "years", standard: standard,
                                        evidence: evidence.samples + [evidence.source].compactMap { $0 },
                                        messageZh: "按当前灌溉负荷，\(String(format: "%.1f", years)) 年后土壤\(parameter.chineseName)达到筛选值",
                                        messageEn: "at the current load, soil \(parameter.englishName) reaches the screening value in \(String(format: "%.1f", years)) years",
                                        review: true))
            }
        }
        return accumulation
    }

    /// The allowed irrigation years (灌溉年限): the fewest over the elements' years to their
    /// screening value and to their cumulative caps, with the element that sets it (on a tie
    /// the first by name).
    static func irrigationYearsLimit(_ accumulation: LoadValues<Accumulation>) -> (years: Double, element: String)? {
        var limit: (years: Double, element: String)? = nil
        for (index, element) in Self.loadKeys.enumerated() {
            guard let a = accumulation[index: index] else { continue }
            // (Two values, not an array literal: that was an allocation per element and parcel.)
            func consider(_ years: Double?) {
                if let years, limit == nil || years < limit!.years || (years == limit!.years && element < limit!.element) { limit = (years, element) }
            }
            consider(a.yearsToScreening)
            consider(a.yearsToCap)
        }
        return limit
    }

    /// Salinity of the water (FAO 29 classes), of the crop's root zone (leaching requirement,
    /// relative yield by Maas–Hoffman) and of the soil.
    struct SalinityResult {
        var ecw: Double?, leachingRequirement: Double?, relativeYield: Double?
        var waterClass: String?, chlorideClass: String?, soilSaltClass: String?
    }

    static func salinity(means: SourceSeries?, year: Int, crop: CropEntry?, soil: [SoilSample], evidence: (samples: [String], source: String?),
                         context c: Context, findings: inout [Finding]) -> SalinityResult {
        let options = c.options, standards = c.standards
        var result = SalinityResult()
        if let ec = means?.concentration("ec", year: year) { result.ecw = ec }
        else if let tds = means?.concentration("tds", year: year) ?? means?.concentration("total_salt", year: year) {
            result.ecw = Salinity.ecw(fromTDS: tds, tdsPerEC: standards.faoConstants["tds_per_ec"]?.value ?? 640)
        }
        if let ecw = result.ecw {
            let fao = standards.fao29WaterClasses.first { $0.parameter == "ec" }
            result.waterClass = fao.map { ecw < $0.noneBelow ? "none" : (ecw > $0.severeAbove ? "severe" : "slight_to_moderate") }
            if let key = crop?.salt, let tolerance = standards.cropSaltTolerance[key] {
                let ece = Salinity.ece(fromECw: ecw, ratio: standards.faoConstants["ece_per_ecw"]?.value ?? 1.5)
                result.leachingRequirement = Salinity.leachingRequirement(ecw: ecw, threshold: tolerance.threshold)
                result.relativeYield = Salinity.relativeYield(ece: ece, threshold: tolerance.threshold, slope: tolerance.slope)
            }
        }
        if let chloride = means?.concentration("chloride", year: year),
           let fao = standards.fao29WaterClasses.first(where: { $0.parameter == "chloride" }) {
            result.chlorideClass = chloride < fao.noneBelow ? "none" : (chloride > fao.severeAbove ? "severe" : "slight_to_moderate")
        }
        if let saltParameter = ParameterCatalog.parameter(id: "salt"), let salt = SoilSummary.value(saltParameter, samples: soil) {
            let index = options.soilSaltClassLimits.firstIndex { salt < $0 } ?? options.soilSaltClassLimits.count
            let saltClass = ReviewOptions.soilSaltClassNames[index]
            result.soilSaltClass = saltClass
            if index >= options.soilSaltReviewClass {
                findings.append(Finding(code: .soilSalinity, parameter: "salt", value: salt, threshold: options.soilSaltClassLimits[options.soilSaltReviewClass - 1],
                                        unit: "g/kg", standard: "project soil salt classes (M)", evidence: evidence.samples,
                                        messageZh: "土壤含盐量达到\(saltClass)等级", messageEn: "soil salt is \(saltClass)", review: true))
            }
        }
        if let yield = result.relativeYield, yield < options.yieldReviewBelowPercent {
            findings.append(Finding(code: .soilSalinity, parameter: "ec", value: yield, threshold: options.yieldReviewBelowPercent, unit: "%",
                                    standard: "FAO 29 / Maas–Hoffman", evidence: [evidence.source].compactMap { $0 },
                                    messageZh: "灌溉水盐分使作物相对产量降至 \(String(format: "%.0f", yield))%",
                                    messageEn: "irrigation-water salinity cuts relative yield to \(String(format: "%.0f", yield)) %", review: true))
        }
        return result
    }

    /// The wells within reach: what each says whatever the parcel, and a shallow water table
    /// under this parcel's high chloride or salt load.
    static func groundwaterFindings(wellIDs: [String], annualLoad: LoadValues<Double>, sourceID: String?, context c: Context) -> [Finding] {
        let options = c.options
        guard !wellIDs.isEmpty else {
            return [Finding(code: .groundwaterNoData, parameter: nil, value: nil, threshold: nil, unit: nil, standard: nil, evidence: [],
                            messageZh: "监测半径内无地下水监测井", messageEn: "no groundwater well within the radius", review: false)]
        }
        var findings: [Finding] = []
        for id in wellIDs {
            guard let well = c.wells[id] else { continue }
            findings += c.wellFindings[id] ?? []
            guard let depth = well.latestDepthMetres, depth < options.shallowWaterTableMetres else { continue }
            for (key, threshold) in options.shallowLoadKgPerHectare.sorted(by: { $0.key < $1.key }) {
                guard let load = annualLoad[key], load > threshold else { continue }
                findings.append(Finding(code: .groundwaterShallowAndLoaded, parameter: key, value: load, threshold: threshold,
                                        unit: "kg/ha·yr", standard: "project default (water table < \(options.shallowWaterTableMetres) m)",
                                        evidence: [id] + [sourceID].compactMap { $0 },
                                        messageZh: "浅埋地下水（\(String(format: "%.1f", depth)) m）且\(key == "salt" ? "盐分" : "氯化物")负荷高",
                                        messageEn: "shallow water table (\(String(format: "%.1f", depth)) m) under a high \(key) load", review: true))
            }
        }
        return findings
    }
}
