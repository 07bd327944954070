import Foundation
import TestSupport
import Testing
@testable import IrrigationModel
import PlanarGeometry

/// Issue #22: no verdict more permissive than its evidence. A required item not measured is not
/// a pass; stand-ins can only be stricter; species are never confused.
@Suite struct EvidenceTests {
    static let standards = try! StandardsCatalog.bundled()
    static let origin = RecordOrigin(file: "water.csv", location: "row 2")
    static let dryland = standards.effectiveLimits(columns: ["GB5084-2021": ["dryland"], "GB20922-2007": ["dryland_grain_oil"]],
                                                   conditions: SiteConditions(), boron: nil)

    /// Every required water item, passing with a margin (mg/L; MPN/L; eggs/10 L).
    static let passingWater: [String: MeasuredValue] = [
        "chloride": .value(180), "total_salt": .value(800), "cd": .belowDetection(limit: 0.001), "hg": .belowDetection(limit: 0.00004),
        "as": .value(0.005), "pb": .value(0.01), "cr6": .belowDetection(limit: 0.004), "fecal_coliforms": .value(3000), "ascaris_eggs": .belowDetection(limit: 1),
    ]

    static func samples(_ values: [String: MeasuredValue], count: Int = 3) -> [WaterSample] {
        var measurements: Measurements = [:]
        for (id, value) in values { measurements[ParameterCatalog.parameter(id: id)!] = value }
        return (1...count).map { month in
            WaterSample(id: "W\(month)", sourceID: "S", date: CalendarDate(year: 2025, month: month, day: 10)!, measurements: measurements, origin: origin)
        }
    }

    static func verdict(_ values: [String: MeasuredValue], required: [RequiredEvidence.Item] = standards.requiredEvidence.water) -> SourceVerdict {
        SourceCompliance.evaluate(sourceID: "S", source: nil, samples: samples(values), year: 2025, limits: dryland, statistic: .max,
                                  required: required, tdsPerEC: 640)
    }

    static func zone(_ verdict: SourceVerdict) -> (zone: Zone, reasons: [ZoneReason]) {
        Zoning.zone(ZoningInput(cropClass: .feedForage, tier: .preferred, sourceVerdict: verdict, sourceKnown: true))
    }

    @Test func everyRequiredItemMeasuredAndPassingIsAPass() {
        let verdict = Self.verdict(Self.passingWater)
        #expect(verdict.status == .pass && verdict.missingParameters.isEmpty)
        #expect(Self.zone(verdict).zone == .suitable)
    }

    /// The property the issue pins: removing any one piece of evidence never makes the verdict
    /// more permissive: the source becomes incomplete and its parcels restricted.
    @Test(arguments: Array(passingWater.keys).sorted())
    func droppingARequiredItemNeverPasses(item: String) {
        var values = Self.passingWater
        values[item] = nil
        let verdict = Self.verdict(values)
        #expect(verdict.status == .incomplete)
        #expect(verdict.missingParameters == [item])
        let (zone, reasons) = Self.zone(verdict)
        #expect(zone >= Self.zone(Self.verdict(Self.passingWater)).zone && zone == .restricted)
        #expect(reasons.contains(.sourceIncomplete))
    }

    @Test func droppingEveryMetalAndPathogenNeverImproves() {
        let full = Self.verdict(Self.passingWater.merging(["cd": .value(0.02)]) { $1 })  // Cd fails
        var stripped = Self.passingWater
        for item in ["cd", "hg", "as", "pb", "cr6", "fecal_coliforms", "ascaris_eggs"] { stripped[item] = nil }
        let partial = Self.verdict(stripped)
        #expect(full.status == .fail && Self.zone(full).zone == .prohibited)
        #expect(partial.status == .incomplete && Self.zone(partial).zone == .restricted)
        #expect(Set(partial.missingParameters) == ["cd", "hg", "as", "pb", "cr6", "fecal_coliforms", "ascaris_eggs"])
    }

    @Test func noSamplesInTheYearIsNoDataNotIncomplete() {
        let verdict = SourceCompliance.evaluate(sourceID: "S", source: nil, samples: [], year: 2025, limits: Self.dryland, statistic: .max,
                                                required: Self.standards.requiredEvidence.water)
        #expect(verdict.status == .noData && !verdict.isIncomplete)
        #expect(Self.zone(verdict).reasons.contains(.sourceNoData))
    }

    /// Total salt: TDS stands in, else EC × 640 (FAO 29); Cr(VI): total Cr. A stand-in is judged
    /// against the item's limit, so it can only make the verdict stricter.
    @Test func standInsAreJudgedAgainstTheItemsLimit() throws {
        var values = Self.passingWater
        values["total_salt"] = nil
        values["ec"] = .value(1.8)  // 1.8 dS/m × 640 = 1 152 mg/L > 1 000
        let byEC = Self.verdict(values)
        let salt = try #require(byEC.failing.first { $0.parameter == "total_salt" })
        #expect(salt.measuredAs == "ec" && abs(salt.statisticHigh - 1152) < 1e-9)
        #expect(byEC.missingParameters.isEmpty && byEC.status == .fail)

        values = Self.passingWater
        values["cr6"] = nil
        values["cr"] = .value(0.15)  // total Cr above the Cr(VI) limit of 0.1
        let byTotalCr = Self.verdict(values)
        #expect(byTotalCr.failing.contains { $0.parameter == "cr6" && $0.measuredAs == "cr" })
        values["cr"] = .value(0.05)
        #expect(Self.verdict(values).status == .pass)
    }

    @Test func aNonDetectAboveTheLimitIsNotAPass() {
        var values = Self.passingWater
        values["cd"] = .belowDetection(limit: 0.05)  // limit 0.01: cannot tell
        #expect(Self.verdict(values).status == .indeterminate)
        values["cd"] = .belowDetection(limit: nil)
        #expect(Self.verdict(values).status == .indeterminate)
    }

    @Test func projectsAddItemsAndDropOnlyWithAReason() throws {
        var required = Self.standards.requiredEvidence
        try required.add("BOD5", to: .water)
        #expect(Self.verdict(Self.passingWater, required: required.water).missingParameters == ["bod5"])
        #expect(throws: RequiredEvidence.ChangeError.dropWithoutReason(medium: .water, item: "ascaris_eggs")) {
            try required.drop("ascaris_eggs", from: .water, reason: " ")
        }
        #expect(throws: RequiredEvidence.ChangeError.unknownParameter(medium: .soil, parameter: "unobtainium")) {
            try required.add("unobtainium", to: .soil)
        }
        try required.drop("ascaris_eggs", from: .water, reason: "tertiary plant with UV: eggs measured quarterly by the health bureau")
        var values = Self.passingWater
        values["ascaris_eggs"] = nil
        values["bod5"] = .value(10)
        #expect(Self.verdict(values, required: required.water).status == .pass)
        #expect(required.dropped.map(\.item) == ["ascaris_eggs"])
    }

    @Test func defaultsNameTheirSources() {
        let evidence = Self.standards.requiredEvidence
        #expect(evidence.water.map(\.item) == ["chloride", "total_salt", "cd", "hg", "as", "pb", "cr6", "fecal_coliforms", "ascaris_eggs"])
        #expect(evidence.soil.map(\.item) == ["ph", "cd", "hg", "as", "pb", "cr", "cu", "ni", "zn"])
        #expect(evidence.waterSource.contains("应检测合格") && evidence.soilSource.contains("GB 15618"))
    }

    // MARK: - Soil

    static func review(_ soil: [SoilSample], parcelPH: Double? = nil) -> ParcelReview {
        var links = ParcelLinks()
        links.soilSamples = SampleIndices(soil.indices.map { $0 })
        let context = ReviewEngine.Context(standards: standards, options: ReviewOptions(),
                                           sourceMeans: ReviewEngine.annualMeans(samples(passingWater), rule: .half), wells: [:], year: 2025)
        let crops = try! CropCatalog.bundled()
        let classification = crops.classify(crop: "苜蓿", landUseCode: nil)
        return ReviewEngine.review(sourceID: "S", soilPH: parcelPH, cropClass: classification.cropClass, policy: crops.policy(classification.cropClass),
                                   crop: classification.entry, links: links, soil: soil, context: context)
    }

    static func soil(_ values: [String: MeasuredValue]) -> SoilSample {
        var measurements: Measurements = [:]
        for (id, value) in values { measurements[ParameterCatalog.parameter(id: id)!] = value }
        return SoilSample(id: "S1", location: Position(x: 112.7, y: 38.4), date: nil, depth: nil, texture: nil, measurements: measurements, origin: origin)
    }

    static let completeSoil: [String: MeasuredValue] = [
        "ph": .value(8.0), "cd": .value(0.15), "hg": .value(0.03), "as": .value(10), "pb": .value(20), "cr": .value(60), "cu": .value(20),
        "ni": .value(28), "zn": .value(70),
    ]

    static func incomplete(_ review: ParcelReview) -> Finding? { review.findings.first { $0.code.rawValue == "SOIL_INCOMPLETE" } }

    @Test func aSoilSampleWithoutMetalsIsNotClean() throws {
        let review = Self.review([Self.soil(["ph": .value(8.0), "salt": .value(1.2)])])
        let finding = try #require(Self.incomplete(review))
        #expect(finding.review && review.soilReview)
        #expect(finding.parameter == "cd, hg, as, pb, cr, cu, ni, zn")
        #expect(Zoning.zone(ZoningInput(cropClass: .feedForage, tier: .preferred, sourceVerdict: Self.verdict(Self.passingWater), sourceKnown: true,
                                        soilReview: review.soilReview)).zone == .restricted)
        #expect(Self.incomplete(Self.review([Self.soil(Self.completeSoil)])) == nil)
    }

    @Test func soilNonDetectsCountOnlyBelowTheScreeningValue() throws {
        var values = Self.completeSoil
        values["cd"] = .belowDetection(limit: 0.05)  // screening 0.6 at pH > 7.5: measured and clean
        #expect(Self.incomplete(Self.review([Self.soil(values)])) == nil)
        values["cd"] = .belowDetection(limit: 1.0)  // cannot tell against 0.6
        #expect(try #require(Self.incomplete(Self.review([Self.soil(values)]))).parameter == "cd")
    }

    @Test func aPHOnTheParcelCountsForPH() {
        var values = Self.completeSoil
        values["ph"] = nil
        #expect(Self.incomplete(Self.review([Self.soil(values)]))?.parameter == "ph")
        #expect(Self.incomplete(Self.review([Self.soil(values)], parcelPH: 7.9)) == nil)
    }

    // MARK: - Species

    /// NO₃⁻ and NO₃-N differ by the molar masses 62.0049 / 14.0067 ≈ 4.43 (IUPAC atomic weights).
    @Test func ionsConvertToTheirNitrogenByMolarMass() throws {
        let nitrate = try #require(SpeciesConversion.of(ParameterCatalog.parameter(id: "no3")!))
        #expect(nitrate.target == "nitrate_n")
        #expect(abs(50 * nitrate.factor - 11.2948) < 1e-4)  // 50 mg/L NO₃⁻ = 11.29 mg/L NO₃-N: within class III (20)
        #expect(abs(1 / nitrate.factor - 4.4268) < 1e-4)
        #expect(abs(SpeciesConversion.of(ParameterCatalog.parameter(id: "nh4")!)!.factor - 14.0067 / 18.03846) < 1e-6)
        #expect(abs(SpeciesConversion.of(ParameterCatalog.parameter(id: "no2")!)!.factor - 14.0067 / 46.0055) < 1e-6)
        #expect(SpeciesConversion.of(ParameterCatalog.parameter(id: "nitrate_n")!) == nil)
    }

    @Test(arguments: [("NO3", "no3"), ("NO3-N", "nitrate_n"), ("硝酸盐氮", "nitrate_n"), ("硝酸盐（以N计）", "nitrate_n"), ("Nitrate (as N)", "nitrate_n"),
                      ("NH4", "nh4"), ("氨氮", "ammonia_n"), ("NO2-N", "nitrite_n"), ("亚硝酸盐氮", "nitrite_n")])
    func namesThatSayTheirSpecies(name: String, id: String) {
        #expect(ParameterCatalog.parameter(named: name)?.id == id)
        #expect(SpeciesAmbiguity.named(name) == nil)
    }

    @Test(arguments: ["nitrate", "硝酸盐", "Nitrate", "ammonia", "亚硝酸盐"])
    func namesThatDoNotAreNeverReadOneWay(name: String) {
        #expect(ParameterCatalog.parameter(named: name) == nil)
        #expect(SpeciesAmbiguity.named(name) != nil)
    }

    @Test func unitsCanSayTheSpecies() {
        #expect(SpeciesAmbiguity.speciesInUnit("mg/l as N") == ("mg/l", true))
        #expect(SpeciesAmbiguity.speciesInUnit("mg/l asNO3") == ("mg/l", false))
        #expect(SpeciesAmbiguity.speciesInUnit("mg/L（以N计）") == ("mg/l", true))
        #expect(SpeciesAmbiguity.speciesInUnit("mg/L").asNitrogen == nil)
    }

    // MARK: - Unit plausibility

    @Test func boundsHaveABasisAndCatchThousandfoldMistakes() throws {
        let bounds = try UnitPlausibility.bundled()
        for bound in Array(bounds.water.values) + Array(bounds.soil.values) { #expect(!bound.basis.isEmpty && bound.medianMax > 0) }
        let zinc = try #require(bounds.bound(ParameterCatalog.parameter(id: "zn")!, in: .soil))
        #expect(70_000 > zinc.medianMax && 1_839 < zinc.medianMax)  // µg/kg read as mg/kg vs the Meuse floodplain's worst
        let ec = try #require(bounds.bound(ParameterCatalog.parameter(id: "ec")!, in: .groundwater))
        #expect(343.6 > ec.medianMax && 4.0 < ec.medianMax)  // µS/cm read as dS/m vs a saline well
        #expect(UnitPlausibility.median([3, 1, 2]) == 2 && UnitPlausibility.median([1, 2, 3, 4]) == 2.5 && UnitPlausibility.median([]) == nil)
    }

    // MARK: - Credentials (issue #23)

    @Test(arguments: [
        ("PG:host=db user=gis password=s3cret dbname=x", "PG:host=db user=gis password=*** dbname=x"),
        ("PG:\"host=db password='a b c' dbname=x\"", "PG:\"host=db password=*** dbname=x\""),
        ("MSSQL:server=s;database=d;UID=u;PWD=s3cret;", "MSSQL:server=s;database=d;UID=u;PWD=***;"),
        ("postgresql://gis:s3cret@db.example/survey", "postgresql://gis:***@db.example/survey"),
        ("postgresql://gis:pa/ss@db.example/survey", "postgresql://gis:***@db.example/survey"),
        ("/data/parcels.shp", "/data/parcels.shp"),
    ])
    func passwordsAreRedacted(text: String, expected: String) {
        #expect(Credentials.redact(text) == expected)
    }

    @Test func secretConfigOptionsAreRedactedFromTheCommand() {
        let command = ["irrizone", "assess", "--config", "AWS_SECRET_ACCESS_KEY", "abc", "GDAL_CACHEMAX", "512", "--config", "GDAL_HTTP_USERPWD", "u:p", "--out", "x"]
        #expect(Credentials.redact(arguments: command)
                == ["irrizone", "assess", "--config", "AWS_SECRET_ACCESS_KEY", "***", "GDAL_CACHEMAX", "512", "--config", "GDAL_HTTP_USERPWD", "***", "--out", "x"])
    }
}
