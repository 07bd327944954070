import TestSupport
import Testing
@testable import IrrigationModel

@Suite struct ComplianceTests {
    static let cd = ParameterCatalog.parameter(id: "cd")!
    static let origin = RecordOrigin(file: "t", location: "row 2")
    static let cdLimit = EffectiveLimit(parameter: "cd", min: nil, max: 0.01, unit: "mg/L", sources: [])

    static func samples(_ values: [MeasuredValue], year: Int = 2025) -> [WaterSample] {
        values.enumerated().map { index, value in
            WaterSample(id: "W\(index + 1)", sourceID: "ZS01", date: CalendarDate(year: year, month: index % 12 + 1, day: 5)!,
                        measurements: [cd: value], origin: origin)
        }
    }

    static func status(_ values: [MeasuredValue], _ statistic: ComplianceStatistic, limits: [String: EffectiveLimit] = ["cd": cdLimit]) -> SourceVerdict {
        SourceCompliance.evaluate(sourceID: "ZS01", source: nil, samples: samples(values), year: 2025, limits: limits, statistic: statistic)
    }

    // One exceedance among twelve months: max and p95 catch it, mean and latest do not.
    static let oneExceedance: [MeasuredValue] = Array(repeating: .value(0.002), count: 11) + [.value(0.018)]

    @Test(arguments: [(ComplianceStatistic.max, ComplianceStatus.fail), (.p95, .pass), (.mean, .pass), (.latest, .fail)])
    func statistics(statistic: ComplianceStatistic, expected: ComplianceStatus) {
        #expect(Self.status(Self.oneExceedance, statistic).status == expected)
    }

    @Test func evidenceNamesTheExceedingSample() {
        let verdict = Self.status(Self.oneExceedance, .max)
        #expect(verdict.failing.first?.evidence == ["W12"])
        #expect(verdict.failing.first?.statisticHigh == 0.018)
    }

    /// numpy.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) = 9.55 (linear, the default).
    @Test func percentileMatchesNumpy() {
        #expect(abs(SourceCompliance.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95) - 9.55) < 1e-12)
        #expect(SourceCompliance.percentile([3], 0.95) == 3)
    }

    @Test func p95CatchesRepeatedExceedances() {
        let values: [MeasuredValue] = Array(repeating: .value(0.002), count: 10) + [.value(0.02), .value(0.02)]
        #expect(Self.status(values, .p95).status == .fail)
    }

    @Test func nonDetectsBelowTheLimitPass() {
        #expect(Self.status([.belowDetection(limit: 0.001), .belowDetection(limit: 0.005), .value(0.003)], .max).status == .pass)
        #expect(Self.status([.belowDetection(limit: 0.01)], .max).status == .pass)  // at the limit passes
    }

    @Test func nonDetectsAboveTheLimitAreIndeterminate() {
        let verdict = Self.status([.value(0.003), .belowDetection(limit: 0.05)], .max)
        #expect(verdict.status == .indeterminate && verdict.indeterminate.first?.evidence == ["W2"])
        #expect(Self.status([.belowDetection(limit: nil)], .max).status == .indeterminate)
        // A measured exceedance still fails, whatever the non-detects say.
        #expect(Self.status([.value(0.02), .belowDetection(limit: 0.05)], .max).status == .fail)
    }

    @Test func rangesAndMinimums() {
        let ph = ParameterCatalog.parameter(id: "ph")!
        let limit = EffectiveLimit(parameter: "ph", min: 5.5, max: 8.5, unit: "pH", sources: [])
        let samples = [7.0, 9.0, 7.2].enumerated().map { WaterSample(id: "P\($0.offset)", sourceID: "S", date: CalendarDate(year: 2025, month: $0.offset + 1, day: 1)!, measurements: [ph: .value($0.element)], origin: Self.origin) }
        #expect(SourceCompliance.evaluate(sourceID: "S", source: nil, samples: samples, year: 2025, limits: ["ph": limit], statistic: .max).status == .fail)
        let acid = samples.map { var s = $0; s.measurements[ph] = .value(5.0); return s }
        #expect(SourceCompliance.evaluate(sourceID: "S", source: nil, samples: acid, year: 2025, limits: ["ph": limit], statistic: .mean).status == .fail)
    }

    @Test func noSamplesInTheYearIsNoData() {
        let verdict = SourceCompliance.evaluate(sourceID: "ZS01", source: nil, samples: Self.samples([.value(0.001)], year: 2024), year: 2025,
                                                limits: ["cd": Self.cdLimit], statistic: .max)
        #expect(verdict.status == .noData)
    }

    @Test func prohibitedInflowFailsWhateverTheWater() {
        let source = WaterSource(id: "ZS01", name: nil, location: nil, inflows: [.chemical], uses: [.farmland], treatment: nil, origin: Self.origin)
        let verdict = SourceCompliance.evaluate(sourceID: "ZS01", source: source, samples: Self.samples([.value(0.001)]), year: 2025,
                                                limits: ["cd": Self.cdLimit], statistic: .max)
        #expect(verdict.status == .fail && verdict.prohibitedInflows == [.chemical] && verdict.failing.isEmpty)
    }

    /// The strictest column applies to a multi-use outlet: vegetables (b) and grain together
    /// are held to SS 15 mg/L, not 100.
    @Test func strictestColumnAmongUses() throws {
        let standards = try StandardsCatalog.bundled(), crops = try CropCatalog.bundled()
        var columns: [String: [String]] = [:]
        for cropClass in [CropClass.drylandGrainOil, .vegetableRaw] {
            for (standard, list) in standards.columns(for: crops.policy(cropClass), cropClass: cropClass) { columns[standard, default: []] += list }
        }
        let limits = standards.effectiveLimits(columns: columns, conditions: SiteConditions(), boron: nil)
        #expect(limits["ss"]?.max == 15 && limits["cd"]?.max == 0.01 && limits["fecal_coliforms"]?.max == 10000)
        #expect(limits["b"]?.max == 1)  // unknown boron tolerance: the most sensitive tier
        var saline = SiteConditions(); saline.salineAlkali = true
        let grain = standards.effectiveLimits(columns: standards.columns(for: crops.policy(.drylandGrainOil), cropClass: .drylandGrainOil),
                                              conditions: saline, boron: .tolerant)
        #expect(grain["total_salt"]?.max == 2000 && grain["tds"]?.max == 2000 && grain["b"]?.max == 1)  // GB 20922 boron 1.0 binds
    }
}

@Suite struct ZoningTests {
    static let passing = SourceVerdict(sourceID: "S", year: 2025, status: .pass, prohibitedInflows: [], failing: [], indeterminate: [], samplesInYear: 12)

    static func zone(tier: PolicyTier? = .preferred, cropClass: CropClass = .feedForage, verdict: SourceVerdict? = passing,
                     screening: [String] = [], intervention: [String] = [], exclusion: Double = 0, indeterminateAsPass: Bool = false) -> (Zone, [ZoneReason]) {
        let result = Zoning.zone(ZoningInput(cropClass: cropClass, tier: tier, sourceVerdict: verdict, sourceKnown: verdict != nil,
                                             soilAboveScreening: screening, soilAboveIntervention: intervention, exclusionShare: exclusion,
                                             indeterminateAsPass: indeterminateAsPass))
        return (result.zone, result.reasons)
    }

    @Test func preferredCropWithGoodWaterIsSuitable() { #expect(Self.zone() == (.suitable, [])) }

    @Test func eachReasonPutsTheParcelInItsZone() {
        var failing = Self.passing; failing.status = .fail
        failing.failing = [ParameterVerdict(parameter: "cd", status: .fail, statisticLow: 0.02, statisticHigh: 0.02,
                                            limit: EffectiveLimit(parameter: "cd", min: nil, max: 0.01, unit: "mg/L", sources: []), evidence: ["W1"], samples: 1)]
        var prohibitedInflow = Self.passing; prohibitedInflow.status = .fail; prohibitedInflow.prohibitedInflows = [.electroplating]
        var indeterminate = Self.passing; indeterminate.status = .indeterminate
        var noData = Self.passing; noData.status = .noData
        #expect(Self.zone(tier: .notRecommended) == (.prohibited, [.tierNotRecommended]))
        #expect(Self.zone(verdict: failing) == (.prohibited, [.sourceFailsForClass]))
        #expect(Self.zone(verdict: prohibitedInflow) == (.prohibited, [.sourceProhibitedInflow]))
        #expect(Self.zone(verdict: indeterminate) == (.prohibited, [.sourceIndeterminate]))
        #expect(Self.zone(verdict: indeterminate, indeterminateAsPass: true) == (.suitable, []))
        #expect(Self.zone(intervention: ["cd"]) == (.prohibited, [.soilAboveIntervention]))
        #expect(Self.zone(exclusion: 0.25) == (.prohibited, [.inExclusionArea]))
        #expect(Self.zone(tier: .cautious) == (.restricted, [.tierCautious]))
        #expect(Self.zone(screening: ["cd"]) == (.restricted, [.soilAboveScreening]))
        #expect(Self.zone(tier: nil, cropClass: .unknown) == (.restricted, [.cropUnknown]))
        #expect(Self.zone(verdict: noData) == (.restricted, [.sourceNoData]))
        #expect(Self.zone(verdict: nil) == (.restricted, [.sourceUnknown]))
    }

    @Test func reasonsAccumulateMostSevereFirst() {
        let (zone, reasons) = Self.zone(tier: .cautious, screening: ["cd"], exclusion: 1)
        #expect(zone == .prohibited && reasons == [.inExclusionArea, .tierCautious, .soilAboveScreening])
    }
}
