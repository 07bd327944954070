import Foundation
import TestSupport
import Testing
@testable import IrrigationModel

/// An outlet of several uses answers to the strictest of their standards (双辽: "出水具有多种用途时，
/// 其水质标准按最高使用要求确定"; issue #27); GB/T 18920-2020 for municipal uses.
@Suite struct MultiUseTests {
    static let standards = try! StandardsCatalog.bundled()
    static let crops = try! CropCatalog.bundled()
    static let origin = RecordOrigin(file: "t", location: "row 2")
    static let rules = SourceRules(standards: standards, crops: crops, year: 2025, statistic: .max, conditions: SiteConditions())

    /// A sample meeting GB 5084's dryland column and GB/T 18920 in everything but what is changed.
    static func sample(_ changes: [String: MeasuredValue?] = [:]) -> WaterSample {
        var values: [String: MeasuredValue?] = [
            "chloride": .value(120), "total_salt": .value(600), "cd": .value(0.001), "hg": .belowDetection(limit: 0.00004), "as": .value(0.01),
            "pb": .value(0.01), "cr6": .value(0.01), "fecal_coliforms": .value(500), "ascaris_eggs": .belowDetection(limit: 1),
            "ph": .value(7.5), "colour": .value(10), "turbidity": .value(2), "bod5": .value(6), "ammonia_n": .value(1),
            "anionic_surfactants": .value(0.1), "fe": .value(0.1), "mn": .value(0.05), "tds": .value(700), "do": .value(4),
            "residual_chlorine": .value(1.2), "e_coli": .belowDetection(limit: 1),
        ]
        for (key, value) in changes { values[key] = value }
        var measurements: Measurements = [:]
        for (id, value) in values { if let value, let parameter = ParameterCatalog.parameter(id: id) { measurements[parameter] = value } }
        return WaterSample(id: "W1", sourceID: "S", date: CalendarDate(year: 2025, month: 6, day: 1)!, measurements: measurements, origin: origin)
    }

    static func assess(_ sample: WaterSample, uses: [WaterUse]) -> SourceAssessment {
        let source = WaterSource(id: "S", name: nil, location: nil, inflows: [.none], uses: uses, treatment: nil, origin: origin)
        return rules.assess(sourceID: "S", source: source, samples: [sample],
                            served: SourceRules.Served(cropClasses: [.feedForage], parcelIndices: [0], areaHectares: 1))
    }

    @Test func municipalUseIsJudgedByGBT18920AndBindsTheOutlet() {
        let clean = Self.assess(Self.sample(), uses: [.farmland, .municipal])
        #expect(clean.perUse["municipal"]?.status == .pass && clean.effective.status == .pass,
                "E. coli not detected meets 无: \(String(describing: clean.perUse["municipal"]))")
        // Turbidity 8 NTU: within column B (10) but not A (5); the outlet answers to the stricter.
        let turbid = Self.assess(Self.sample(["turbidity": .value(8)]), uses: [.farmland, .municipal])
        #expect(turbid.farmland?.status == .pass)
        #expect(turbid.perUse["municipal"]?.status == .fail && turbid.effective.status == .fail)
        #expect(turbid.effective.failing.contains { $0.parameter == "turbidity" && $0.limit.max == 5 })
        // The same water serving farmland alone passes.
        #expect(Self.assess(Self.sample(["turbidity": .value(8)]), uses: [.farmland]).effective.status == .pass)
    }

    @Test func aMinimumAndADetectedColiformFail() {
        #expect(Self.assess(Self.sample(["do": .value(1)]), uses: [.municipal]).perUse["municipal"]?.status == .fail, "DO ≥ 2.0")
        #expect(Self.assess(Self.sample(["e_coli": .value(10)]), uses: [.municipal]).perUse["municipal"]?.status == .fail, "E. coli 无")
        #expect(Self.assess(Self.sample(["e_coli": .belowDetection(limit: nil)]), uses: [.municipal]).perUse["municipal"]?.status == .indeterminate,
                "ND without its detection limit cannot show 无")
    }

    /// An item of the use's standard not measured is not a pass.
    @Test func anUnmeasuredItemLeavesTheUseIncomplete() {
        let assessment = Self.assess(Self.sample(["turbidity": nil]), uses: [.farmland, .municipal])
        #expect(assessment.perUse["municipal"]?.status == .incomplete && assessment.perUse["municipal"]?.missingParameters == ["turbidity"])
        #expect(assessment.effective.status == .incomplete && assessment.effective.isIncomplete)
    }

    /// A use without a standard in standards.json is said not judged, and never passes silently:
    /// its parcels cannot be suitable, since the strictest standard among the uses is unknown.
    @Test func aUseWithoutAStandardIsNotJudged() {
        let assessment = Self.assess(Self.sample(), uses: [.farmland, .industry])
        #expect(assessment.usesNotJudged == ["industry"] && assessment.perUse.isEmpty)
        #expect(assessment.effective.status == .incomplete, "the strictest standard among the uses is unknown: not a pass")
        #expect(SourceStatusReason.reasons(for: assessment).contains(.useNotJudged))
        var input = ZoningInput(cropClass: .feedForage, tier: .preferred, sourceVerdict: assessment.effective, sourceKnown: true)
        #expect(Zoning.zone(input).zone == .suitable)
        input.sourceUseNotJudged = true
        let (zone, reasons) = Zoning.zone(input)
        #expect(zone == .restricted && reasons == [.sourceUseNotJudged])
    }

    /// 城市绿化 is green-space irrigation: GB/T 25499, both columns, the strictest (M values).
    @Test func greenSpaceIsJudgedByGBT25499() {
        #expect(WaterUse(name: "城市绿化") == .greenSpace && WaterUse(name: "绿地灌溉") == .greenSpace)
        let green = ["residual_chlorine": MeasuredValue.value(0.5), "fecal_coliforms": .value(150), "ammonia_n": .value(5)]
        let clean = Self.assess(Self.sample(green), uses: [.farmland, .greenSpace])
        #expect(clean.perUse["green_space"]?.status == .pass && clean.effective.status == .pass,
                "\(String(describing: clean.perUse["green_space"]))")
        // 500 个/L passes GB 5084's dryland column but not public green space (≤ 200).
        let dirty = Self.assess(Self.sample(green.merging(["fecal_coliforms": .value(500)]) { $1 }), uses: [.farmland, .greenSpace])
        #expect(dirty.farmland?.status == .pass && dirty.perUse["green_space"]?.status == .fail && dirty.effective.status == .fail)
        #expect(dirty.effective.failing.contains { $0.parameter == "fecal_coliforms" && $0.limit.max == 200 && $0.limit.isUnverified })
        // Chloride 300: GB 5084 (350) passes, GB/T 25499 (250) does not.
        let salty = Self.assess(Self.sample(green.merging(["chloride": .value(300)]) { $1 }), uses: [.farmland, .greenSpace])
        #expect(salty.perUse["green_space"]?.failing.map(\.parameter) == ["chloride"])
        // Chlorine at the outlet must reach 0.2 (the network end's floor).
        #expect(Self.assess(Self.sample(green.merging(["residual_chlorine": .value(0.1)]) { $1 }), uses: [.greenSpace])
            .perUse["green_space"]?.failing.map(\.parameter) == ["residual_chlorine"])
    }

    /// Landscape water (GB/T 18921) limits nutrients; the kind of water body is not recorded, so
    /// every column counts. 生态补水 takes the wetland column alone.
    @Test func landscapeAndEcologicalAreJudgedByGBT18921() {
        let nutrients = ["total_p": MeasuredValue.value(0.4), "total_n": .value(8), "ammonia_n": .value(2), "fecal_coliforms": .value(2)]
        let landscape = Self.assess(Self.sample(nutrients), uses: [.landscape])
        #expect(landscape.perUse["landscape"]?.failing.map(\.parameter) == ["total_p"], "0.4 is above the lake and feature columns' 0.3")
        let wetland = Self.assess(Self.sample(nutrients), uses: [.ecological])
        #expect(wetland.perUse["ecological"]?.status == .pass, "\(String(describing: wetland.perUse["ecological"]))")
        // Not measured is not a pass.
        let untested = Self.assess(Self.sample(["total_p": nil]), uses: [.ecological])
        #expect(untested.perUse["ecological"]?.status == .incomplete && untested.perUse["ecological"]?.missingParameters.contains("total_p") == true)
        #expect(ParameterCatalog.parameter(named: "总磷(以P计)")?.id == "total_p" && ParameterCatalog.parameter(named: "TN")?.id == "total_n")
    }

    /// A standard irrizone cannot source (SL 368, industry) given by the bureau as an override:
    /// then the use is judged by it, each of its limits required.
    @Test func aUseStandardFromAnOverrideJudgesItsUse() throws {
        var standards = try StandardsCatalog.bundled()
        var override = StandardsCatalog.Override(name: "再生水水质标准（工业用水）", source: "SL 368-2006, as printed", allowLessStrict: false, limits: [
            .init(standard: "SL368-2006", parameter: "ph", column: "all", min: 6.5, max: 8.5),
            .init(standard: "SL368-2006", parameter: "turbidity", column: "all", max: 5, unit: "NTU"),
            .init(standard: "SL368-2006", parameter: "total_hardness", column: "all", max: 450),
        ])
        override.uses = [.industry: "SL368-2006"]
        override.selective = ["SL368-2006:total_hardness"]
        _ = try standards.apply(override)
        let rules = SourceRules(standards: standards, crops: Self.crops, year: 2025, statistic: .max, conditions: SiteConditions())
        func assess(_ sample: WaterSample) -> SourceAssessment {
            let source = WaterSource(id: "S", name: nil, location: nil, inflows: [.none], uses: [.farmland, .industry], treatment: nil, origin: Self.origin)
            return rules.assess(sourceID: "S", source: source, samples: [sample], served: SourceRules.Served(cropClasses: [.feedForage], parcelIndices: [0], areaHectares: 1))
        }
        let clean = assess(Self.sample())
        #expect(clean.usesNotJudged.isEmpty && clean.perUse["industry"]?.status == .pass, "\(String(describing: clean.perUse["industry"]))")
        #expect(assess(Self.sample(["turbidity": .value(8)])).perUse["industry"]?.status == .fail)
        #expect(assess(Self.sample(["turbidity": nil])).perUse["industry"]?.missingParameters == ["turbidity"], "a required item not measured")
        // SL 368's limits are not farmland limits.
        #expect(standards.columns(for: Self.crops.policy(.feedForage), cropClass: .feedForage)["SL368-2006"] == nil)
        // A limit in another unit of its kind is converted; one of another kind refused.
        var perHundred = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [
            .init(standard: "SL368-X", parameter: "fecal_coliforms", column: "all", max: 200, unit: "个/100mL")])
        perHundred.uses = [.other: "SL368-X"]
        _ = try standards.apply(perHundred)
        #expect(standards.waterLimits.first { $0.standard == "SL368-X" }.map { ($0.max, $0.unit) } ?? (nil, "") == (2000, "MPN/L"))
        var wrongKind = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [
            .init(standard: "SL368-Y", parameter: "turbidity", column: "all", max: 5, unit: "mg/L")])
        wrongKind.uses = [.ecological: "SL368-Y"]
        #expect(throws: StandardsCatalog.OverrideError.self) { _ = try standards.apply(wrongKind) }
        // A use's standard from an override stands beside the bundled one (municipal: GB/T 18920).
        var municipal = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [
            .init(standard: "LOCAL-MUNICIPAL", parameter: "turbidity", column: "all", max: 50)])
        municipal.uses = [.municipal: "LOCAL-MUNICIPAL"]
        _ = try standards.apply(municipal)
        #expect(Set(standards.useStandards[.municipal]?.keys.map { $0 } ?? []) == ["GB/T18920-2020", "LOCAL-MUNICIPAL"])
        var national = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [.init(standard: "GB5084-2021", parameter: "ph", column: "all", min: 6)])
        national.uses = [.industry: "GB5084-2021"]
        #expect(throws: StandardsCatalog.OverrideError.self) { _ = try standards.apply(national) }
        // A use's standard with only selective limits would pass an outlet that measured nothing.
        var selectiveOnly = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [
            .init(standard: "SL368-Z", parameter: "turbidity", column: "all", max: 5)])
        selectiveOnly.uses = [.industry: "SL368-Z"]
        selectiveOnly.selective = ["SL368-Z:turbidity"]
        #expect(throws: StandardsCatalog.OverrideError.self) { _ = try standards.apply(selectiveOnly) }
        // One standard of an override may serve two uses.
        var twoUses = StandardsCatalog.Override(name: "x", source: "y", allowLessStrict: false, limits: [
            .init(standard: "SL368-W", parameter: "turbidity", column: "all", max: 5)])
        twoUses.uses = [.industry: "SL368-W", .other: "SL368-W"]
        _ = try standards.apply(twoUses)
        #expect(standards.useStandards[.industry]?["SL368-W"] != nil && standards.useStandards[.other]?["SL368-W"] != nil)
        #expect(standards.waterStandards.filter { $0.id == "SL368-W" }.count == 1)
    }
}
