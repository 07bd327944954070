import Foundation
import TestSupport
import Testing
import IrrigationModel
import PlanarGeometry

/// Produce against GB 2762 (issue #27), from worked cases: the limits are GB 2762-2025 表1–表5,
/// unchanged from the 2022 edition for these foods (docs/standards-sources.md).
@Suite struct ProduceRulesTests {
    static let limits = try! StandardsCatalog.bundled().foodLimits
    static let crops = try! CropCatalog.bundled()

    static func sample(_ values: [String: MeasuredValue], crop: String? = nil, food: String? = nil) -> ProduceSample {
        var measurements: Measurements = [:]
        for (id, value) in values { measurements[ParameterCatalog.parameter(id: id)!] = value }
        return ProduceSample(id: "S1", parcelID: "P1", location: nil, crop: crop, foodCategory: food, date: nil, measurements: measurements,
                             origin: RecordOrigin(file: "produce.csv", location: "row 2"))
    }

    static func codes(_ sample: ProduceSample, parcelFood: String? = nil) -> [String] {
        ProduceRules.findings([sample], parcelFood: parcelFood, crops: crops, limits: limits).map(\.code.rawValue)
    }

    @Test func riceCadmiumAboveItsLimitIsAFinding() throws {
        let findings = ProduceRules.findings([Self.sample(["cd": .value(0.25)])], parcelFood: "rice", crops: Self.crops, limits: Self.limits)
        let finding = try #require(findings.first)
        #expect(findings.count == 1 && finding.code == .produceAboveLimit && finding.review && finding.target == .produce)
        #expect(finding.value == 0.25 && finding.threshold == 0.2 && finding.unit == "mg/kg" && finding.evidence == ["S1"])
        #expect(finding.standard?.contains("GB2762") == true)
        #expect(Self.codes(Self.sample(["cd": .value(0.2)]), parcelFood: "rice").isEmpty, "at the limit complies")
    }

    /// Rice is held to inorganic arsenic; total arsenic at or below that limit complies (表4 note a).
    @Test func riceArsenicFollowsTheScreeningRule() {
        #expect(Self.codes(Self.sample(["as": .value(0.3)]), parcelFood: "rice").isEmpty)
        #expect(Self.codes(Self.sample(["as": .value(0.5)]), parcelFood: "rice") == ["PRODUCE_INDETERMINATE"])
        #expect(Self.codes(Self.sample(["as": .value(0.5), "inorganic_as": .value(0.4)]), parcelFood: "rice") == ["PRODUCE_ABOVE_LIMIT"])
        #expect(Self.codes(Self.sample(["as": .value(0.5), "inorganic_as": .value(0.2)]), parcelFood: "rice").isEmpty)
        // Wheat is held to total arsenic.
        #expect(Self.codes(Self.sample(["as": .value(0.6)]), parcelFood: "wheat") == ["PRODUCE_ABOVE_LIMIT"])
    }

    /// A non-detect is a pass only when its detection limit is at or below the limit.
    @Test func nonDetectsCountOnlyBelowTheLimit() {
        #expect(Self.codes(Self.sample(["pb": .belowDetection(limit: 0.01)]), parcelFood: "fruit").isEmpty)
        #expect(Self.codes(Self.sample(["pb": .belowDetection(limit: 0.3)]), parcelFood: "fruit") == ["PRODUCE_INDETERMINATE"])
        #expect(Self.codes(Self.sample(["pb": .belowDetection(limit: nil)]), parcelFood: "fruit") == ["PRODUCE_INDETERMINATE"])
    }

    /// The sample's own category, else its crop's, else the parcel's.
    @Test func theCategoryComesFromTheSampleItsCropOrTheParcel() {
        let lead = ["pb": MeasuredValue.value(0.25)]
        #expect(Self.codes(Self.sample(lead, crop: "菠菜")).isEmpty, "leafy vegetables: Pb 0.3")
        #expect(Self.codes(Self.sample(lead, crop: "番茄")) == ["PRODUCE_ABOVE_LIMIT"], "other vegetables: Pb 0.1")
        #expect(Self.codes(Self.sample(lead, food: "leafy_vegetables"), parcelFood: "fruit").isEmpty)
        #expect(Self.codes(Self.sample(lead), parcelFood: "fruit") == ["PRODUCE_ABOVE_LIMIT"])
        let unknown = ProduceRules.findings([Self.sample(lead, food: "no_such_food")], parcelFood: nil, crops: Self.crops, limits: Self.limits)
        #expect(unknown.map(\.code) == [.produceCategoryUnknown] && unknown.allSatisfy(\.review), "not judged is under review")
        #expect(Self.codes(Self.sample(lead, food: "叶菜蔬菜")).isEmpty, "a category by its Chinese name")
        #expect(Self.codes(Self.sample(["cd": .aboveRange(0.01)], crop: "番茄")) == ["PRODUCE_INDETERMINATE"], "> 0.01 may be above 0.05")
        #expect(Self.codes(Self.sample(["cd": .aboveRange(0.08)], crop: "番茄")) == ["PRODUCE_ABOVE_LIMIT"])
    }

    /// Every limit names a parameter the catalog reads, a unit, a confidence and a source; every
    /// crop's food category is one of them.
    @Test func theTableIsComplete() {
        #expect(Self.limits.categories.count >= 15)
        for (id, category) in Self.limits.categories {
            #expect(!category.limits.isEmpty, "\(id)")
            for limit in category.limits {
                #expect(ParameterCatalog.parameter(id: limit.parameter) != nil && limit.unit == "mg/kg" && limit.max > 0, "\(id) \(limit.parameter)")
                #expect(["C1", "C2", "M"].contains(limit.confidence) && !limit.source.isEmpty)
            }
        }
        for crop in Self.crops.crops { if let food = crop.food { #expect(Self.limits.categories[food] != nil, "\(crop.names[0]): \(food)") } }
        #expect(Self.crops.classify(crop: "水稻", landUseCode: nil).entry?.food == "rice")
    }
}
