import Foundation
import TestSupport
import Testing
@testable import IrrigationModel
import PlanarGeometry

/// The worked examples of ../shared/reference/standards.md §7.3 and §8.4.
@Suite struct WorkedExampleTests {
    @Test(arguments: [
        // LR-1 [S20]: ECw 0.6, ECe threshold 0.4 (avocado) → 0.428571…; LR-2 [S21]: 1.2 and 4.0 → 0.0638298.
        (0.6, 0.4, 0.428571428571), (1.2, 4.0, 0.063829787234),
    ])
    func leachingRequirement(ecw: Double, threshold: Double, expected: Double) throws {
        #expect(abs(try #require(Salinity.leachingRequirement(ecw: ecw, threshold: threshold)) - expected) < 1e-9)
    }

    /// LR-1 continued: AW = 40 in / (1 − 0.43) = 70 in (published, rounded).
    @Test func applicationWater() throws {
        let lr = try #require(Salinity.leachingRequirement(ecw: 0.6, threshold: 0.4))
        #expect(abs(40 / (1 - lr) - 70.0) < 0.01)
    }

    /// SAR-1 [S22]: Na 10, Ca 4, Mg 2 me/L → 5.773503; SAR-2 [S23]: 5, 10, 5 → 1.825742.
    @Test(arguments: [(10.0, 4.0, 2.0, 5.773503), (5.0, 10.0, 5.0, 1.825742)])
    func sar(na: Double, ca: Double, mg: Double, expected: Double) {
        #expect(abs(Salinity.sar(sodium: na, calcium: ca, magnesium: mg) - expected) < 1e-6)
    }

    /// TDS-1 [S18]: ECw 1.0 dS/m ↔ 640 mg/L.
    @Test func tdsToEC() { #expect(Salinity.ecw(fromTDS: 640) == 1.0) }

    /// §8.4: C = 0.01 mg/L, V = 4 500 m³/ha·a, M = 2.25 × 10⁶ kg/ha → L = 45 g/ha·a, R = 0.02 mg/kg·a.
    @Test func loadAndIncrement() {
        let load = 0.01 * 4500
        #expect(abs(load - 45) < 1e-12)
        #expect(abs(AccumulationModel.annualIncrement(loadGramsPerHectare: load, soilMass: 2.25e6) - 0.02) < 1e-15)
    }

    /// §8.4 residual model, B = 0.2, K = 0.9: Q10 = 0.18697, Q50 = 0.18010, Q100 = 0.18000 (Q∞ = 0.18).
    @Test(arguments: [(10.0, 0.18697), (50.0, 0.18010), (100.0, 0.18000)])
    func residualModel(years: Double, expected: Double) {
        #expect(abs(AccumulationModel.content(start: 0.2, increment: 0.02, years: years, model: .residual, k: 0.9) - expected) < 5e-6)
    }

    /// §8.4: S = 0.3 is never reached under K = 0.9 (Q∞ = 0.18 < S); with K = 1 (linear) S = 0.6 is
    /// reached after (0.6 − 0.2) / 0.02 = 20 years.
    @Test func yearsToScreening() {
        #expect(AccumulationModel.yearsToScreening(start: 0.2, increment: 0.02, screening: 0.3, model: .residual, k: 0.9) == nil)
        #expect(abs(AccumulationModel.yearsToScreening(start: 0.2, increment: 0.02, screening: 0.6, model: .linear, k: 0.9)! - 20) < 1e-9)
        #expect(abs(AccumulationModel.yearsToScreening(start: 0.2, increment: 0.02, screening: 0.6, model: .residual, k: 1)! - 20) < 1e-9)
    }

    /// The closed form agrees with the recurrence: after n years the content is S.
    @Test func residualClosedFormHitsS() throws {
        let n = try #require(AccumulationModel.yearsToScreening(start: 0.1, increment: 0.05, screening: 0.3, model: .residual, k: 0.9))
        #expect(abs(AccumulationModel.content(start: 0.1, increment: 0.05, years: n, model: .residual, k: 0.9) - 0.3) < 1e-12)
    }

    @Test func edgeCases() {
        #expect(AccumulationModel.yearsToScreening(start: 0.7, increment: 0.02, screening: 0.6, model: .linear, k: 1) == 0)  // B ≥ S
        #expect(AccumulationModel.yearsToScreening(start: 0.2, increment: 0, screening: 0.6, model: .linear, k: 1) == nil)  // R = 0
        #expect(AccumulationModel.yearsToScreening(start: 0.7, increment: 0.02, screening: 0.6, model: .residual, k: 0.9) == 0)
    }

    /// Plough-layer mass defaults: 0.20 m × 10 000 m² × 1.30 t/m³ = 2.6 × 10⁶ kg/ha (DESIGN.md §4).
    @Test func soilMass() { #expect(abs(AccumulationOptions().soilMassKgPerHectare - 2.6e6) < 1e-6) }

    /// Maas–Hoffman: maize a = 1.7, b = 12: ECe 3.0 → 100 − 12 × 1.3 = 84.4 %.
    @Test func relativeYield() {
        #expect(abs(Salinity.relativeYield(ece: 3.0, threshold: 1.7, slope: 12) - 84.4) < 1e-9)
        #expect(Salinity.relativeYield(ece: 1.0, threshold: 1.7, slope: 12) == 100)
        #expect(Salinity.relativeYield(ece: 30, threshold: 1.7, slope: 12) == 0)
    }
}

/// Mann–Kendall against pymannkendall 1.4.3 `original_test` on the same series (values copied
/// from its output: s, var_s, z, p, slope).
@Suite struct MannKendallTests {
    @Test(arguments: [
        ([110.0, 118, 121, 135, 140, 139, 150, 162, 158, 170], 41.0, 125.0, 3.5777087639996634, 0.00034661935113455833, 6.5),
        ([5.0, 5, 6, 5, 5, 6, 5, 5, 6, 5, 5, 6], 8.0, 138.66666666666666, 0.5944454429259128, 0.5522142220341504, 0.0),
        ([3.0, 3, 4, 4, 4, 5, 5, 5, 5, 6], 35.0, 111.66666666666667, 3.21748951917021, 0.0012931775164104486, 0.3333333333333333),
    ])
    func matchesPymannkendall(values: [Double], s: Double, variance: Double, z: Double, p: Double, slope: Double) throws {
        let test = try #require(TrendTest.mannKendall(times: values.indices.map { 2016 + Double($0) }, values: values))
        #expect(test.s == s)
        #expect(abs(test.varianceS - variance) < 1e-9)
        #expect(abs(test.z - z) < 1e-9)
        #expect(abs(test.p - p) < 1e-9)
        #expect(abs(test.senSlopePerYear - slope) < 1e-9)
    }
}

/// Every review flag on hand-made parcels.
@Suite struct ReviewFlagTests {
    static let standards = try! StandardsCatalog.bundled()
    static let crops = try! CropCatalog.bundled()
    static let origin = RecordOrigin(file: "t", location: "row 2")
    static let ring = [Position(x: 112.7, y: 38.4), Position(x: 112.701, y: 38.4), Position(x: 112.701, y: 38.401), Position(x: 112.7, y: 38.401), Position(x: 112.7, y: 38.4)]

    static func parcel(ph: Double? = 8.0) -> Parcel {
        Parcel(id: "P1", featureID: 0, crop: "玉米", landUseCode: nil, landUseName: nil, soilPH: ph, sourceID: "ZS01", adminUnit: nil, attributes: [],
               geometry: MultiPolygon(polygons: [Polygon(rings: [ring])]), areaSquareMetres: 9700, geometryRepaired: false)
    }

    static func soil(_ values: [String: Double]) -> SoilSample {
        var measurements: Measurements = [:]
        for (id, v) in values { measurements[ParameterCatalog.parameter(id: id)!] = .value(v) }
        return SoilSample(id: "S1", location: Position(x: 112.7005, y: 38.4005), date: nil, depth: nil, texture: nil, measurements: measurements, origin: origin)
    }

    /// A soil sample with every required item (pH and the eight GB 15618 basic items) at clean
    /// North-China values, with `values` in their place.
    static func completeSoil(_ values: [String: Double]) -> SoilSample {
        let clean: [String: Double] = ["ph": 8.0, "cd": 0.15, "hg": 0.03, "as": 10, "pb": 20, "cr": 60, "cu": 20, "ni": 28, "zn": 70]
        return soil(clean.merging(values) { _, given in given })
    }

    static func water(_ values: [String: Double], year: Int = 2025) -> [WaterSample] {
        var measurements: Measurements = [:]
        for (id, v) in values { measurements[ParameterCatalog.parameter(id: id)!] = .value(v) }
        return [WaterSample(id: "W1", sourceID: "ZS01", date: CalendarDate(year: year, month: 6, day: 1)!, measurements: measurements, origin: origin)]
    }

    static func well(_ id: String, chloride: [Double], depth: Double = 10) -> [WellReading] {
        chloride.enumerated().map { i, v in
            WellReading(wellID: id, location: Position(x: 112.7, y: 38.4), date: CalendarDate(year: 2020 + i / 4, month: (i % 4) * 3 + 1, day: 15)!,
                        depthToWaterMetres: depth, measurements: [ParameterCatalog.parameter(id: "chloride")!: .value(v)], origin: origin)
        }
    }

    static func review(soil: [SoilSample], estimated: Bool = false, water: [WaterSample] = water(["cd": 0.005, "chloride": 200, "total_salt": 800]),
                       wells: [WellReading] = [], volume: Double = 4500, options: ReviewOptions = ReviewOptions()) -> ParcelReview {
        var links = ParcelLinks()
        links.soilSamples = SampleIndices(soil.indices.map { $0 })
        links.soilEstimated = estimated
        links.wellIDs = Array(Set(wells.map(\.wellID))).sorted()
        links.irrigationByYear = [2025: volume]
        let context = ReviewEngine.Context(standards: standards, options: options, sourceMeans: ReviewEngine.annualMeans(water, rule: .half),
                                           wells: WellSummary.make(wells, options: options), year: 2025)
        let classification = crops.classify(crop: "玉米", landUseCode: nil)
        return ReviewEngine.review(parcel: parcel(), cropClass: classification.cropClass, policy: crops.policy(classification.cropClass),
                                   crop: classification.entry, links: links, soil: soil, context: context)
    }

    static func codes(_ review: ParcelReview) -> Set<String> { Set(review.findings.map(\.code.rawValue)) }

    @Test func cleanParcelHasOnlyInformationalFindings() {
        let r = Self.review(soil: [Self.completeSoil(["cd": 0.15, "salt": 1.2])])
        #expect(!r.soilReview && !r.groundwaterReview)
        #expect(Self.codes(r) == ["GW_NO_DATA"])
        // Cd load: 0.005 mg/L × 4 500 m³/ha = 22.5 g/ha·yr; R = 22.5 × 1000 / 2.6e6; years = (0.6 − 0.15) / R.
        #expect(abs(r.annualLoad["cd"]! - 22.5) < 1e-9)
        #expect(abs(r.accumulation["cd"]!.yearsToScreening! - (0.6 - 0.15) / (22.5 * 1000 / 2.6e6)) < 1e-6)
        #expect(r.limitingElement == "cd")
        #expect(abs(r.annualLoad["chloride"]! - 900) < 1e-9)  // 200 mg/L × 4 500 m³/ha / 1000 kg
        // FAO 29 chloride (surface irrigation): 142–355 mg/L is slight to moderate.
        #expect(r.waterChlorideClass == "slight_to_moderate")
    }

    @Test func soilFlags() {
        #expect(Self.codes(Self.review(soil: [Self.soil(["cd": 0.7])])).contains("SOIL_ABOVE_SCREENING"))
        #expect(Self.codes(Self.review(soil: [Self.soil(["cd": 4.5])])).contains("SOIL_ABOVE_INTERVENTION"))
        let soon = Self.review(soil: [Self.soil(["cd": 0.58])], water: Self.water(["cd": 0.01]))
        #expect(Self.codes(soon).contains("SOIL_PROJECTED_EXCEEDANCE") && soon.soilReview)
        let salty = Self.review(soil: [Self.soil(["cd": 0.1, "salt": 4.5])])
        #expect(salty.findings.contains { $0.code.rawValue == "SOIL_SALINITY" && $0.parameter == "salt" } && salty.soilSaltClass == "severe")
        // Maize (a 1.7, b 12) with ECw 2.0 → ECe 3.0 → yield 84.4 % < 90 %.
        let yield = Self.review(soil: [Self.soil(["cd": 0.1])], water: Self.water(["ec": 2.0, "cd": 0.001]))
        #expect(abs(yield.relativeYield! - 84.4) < 1e-9 && yield.findings.contains { $0.code.rawValue == "SOIL_SALINITY" && $0.parameter == "ec" })
        let none = Self.review(soil: [])
        #expect(Self.codes(none).contains("SOIL_NO_DATA") && none.soilReview && none.irrigationYearsLimit == nil)
        let estimated = Self.review(soil: [Self.completeSoil(["cd": 0.1])], estimated: true)
        #expect(estimated.findings.contains { $0.code.rawValue == "SOIL_ESTIMATED_FROM_NEIGHBOUR" && !$0.review } && !estimated.soilReview)
    }

    @Test func groundwaterFlags() {
        let rising = (0..<12).map { 110.0 + Double($0) * 8 }  // 110 … 198: rising, below class III
        var r = Self.review(soil: [Self.soil(["cd": 0.1])], wells: Self.well("GW1", chloride: rising))
        let trend = r.findings.first { $0.code.rawValue == "GW_RISING_TREND" }
        #expect(trend != nil && abs(trend!.value! - 32) < 0.5 && trend!.evidence == ["GW1"])  // 8 mg/L a quarter; the 15th of Jan/Apr/Jul/Oct is not exactly ¼ year apart
        #expect(!Self.codes(r).contains("GW_ABOVE_CLASS_III"))
        r = Self.review(soil: [Self.soil(["cd": 0.1])], wells: Self.well("GW1", chloride: [240, 245, 262]))
        #expect(r.findings.contains { $0.code.rawValue == "GW_ABOVE_CLASS_III" && $0.value == 262 && $0.threshold == 250 })
        #expect(!Self.codes(r).contains("GW_RISING_TREND"))  // fewer than 6 readings
        r = Self.review(soil: [Self.soil(["cd": 0.1])], wells: Self.well("GW1", chloride: [100, 100], depth: 2.2))
        #expect(r.findings.contains { $0.code.rawValue == "GW_SHALLOW_AND_LOADED" && $0.parameter == "chloride" })  // 900 kg/ha·yr > 500
        #expect(r.groundwaterReview)
    }

    @Test func quotaWhenNoRecordsAndNullWhenNothingIsKnown() {
        var links = ParcelLinks()
        links.soilSamples = [0]
        let options = ReviewOptions()
        let context = ReviewEngine.Context(standards: Self.standards, options: options, sourceMeans: [:], wells: [:], year: 2025)
        let c = Self.crops.classify(crop: "玉米", landUseCode: nil)
        let r = ReviewEngine.review(parcel: Self.parcel(), cropClass: c.cropClass, policy: Self.crops.policy(c.cropClass), crop: c.entry,
                                    links: links, soil: [Self.soil(["cd": 0.1])], context: context)
        #expect(r.volumeBasis == "quota" && r.volumeM3PerHectare == 4500)  // 300 m³/mu × 15
        #expect(r.annualLoad.isEmpty && r.accumulation["cd"]?.yearsToScreening == nil)  // no water data: no load, no number
    }
}

/// The concentration a load uses for a year: that year's mean, else the nearest year's, the later
/// one on a tie (standards.md "concentration_years"; DESIGN.md §4).
@Suite struct SourceSeriesTests {
    @Test func exactYearElseNearestElseTheLaterOnATie() {
        let series = ReviewEngine.SourceSeries([2020: ["cd": 0.002, "chloride": 120], 2024: ["cd": 0.004], 2025: ["chloride": 150]])
        #expect(series.latestYear == 2025)
        #expect(series.concentration("cd", year: 2020) == 0.002)
        #expect(series.concentration("cd", year: 2021) == 0.002)
        #expect(series.concentration("cd", year: 2022) == 0.004, "2020 and 2024 are both two years away: the later")
        #expect(series.concentration("cd", year: 2030) == 0.004)
        #expect(series.concentration("chloride", year: 2024) == 150)
        #expect(series.concentration("chloride", year: 2022) == 120)
        #expect(series.concentration("pb", year: 2024) == nil)
    }
}
