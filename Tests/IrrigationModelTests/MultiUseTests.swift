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
            "residual_chlorine": .value(1.2), "e_coli": .belowDetection(limit: 1), "chloride_": nil,
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
    }

    /// An item of the use's standard not measured is not a pass.
    @Test func anUnmeasuredItemLeavesTheUseIncomplete() {
        let assessment = Self.assess(Self.sample(["turbidity": nil]), uses: [.farmland, .municipal])
        #expect(assessment.perUse["municipal"]?.status == .incomplete && assessment.perUse["municipal"]?.missingParameters == ["turbidity"])
        #expect(assessment.effective.status == .incomplete && assessment.effective.isIncomplete)
    }

    /// A use without a standard in standards.json is said not judged, and never passes silently.
    @Test func aUseWithoutAStandardIsNotJudged() {
        let assessment = Self.assess(Self.sample(), uses: [.farmland, .industry])
        #expect(assessment.usesNotJudged == ["industry"] && assessment.perUse.isEmpty)
        #expect(SourceStatusReason.reasons(for: assessment).contains(.useNotJudged))
    }
}
