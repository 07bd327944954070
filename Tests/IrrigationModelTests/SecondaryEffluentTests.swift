import Foundation
import TestSupport
import Testing
@testable import IrrigationModel

/// Secondary effluent (二沉池出水) for farmland (issue #27; Xinzhou 忻政办发〔2024〕11号 二（四）):
/// only from a plant without industrial wastewater, with fecal coliforms and ascaris tested and passing.
@Suite struct SecondaryEffluentTests {
    static let origin = RecordOrigin(file: "t", location: "row 2")
    static let passing = SourceVerdict(sourceID: "S", year: 2025, status: .pass, prohibitedInflows: [], failing: [], indeterminate: [], samplesInYear: 1)

    static func source(_ inflows: [IndustrialInflow]) -> WaterSource {
        WaterSource(id: "S", name: nil, location: nil, inflows: inflows, uses: [.farmland], treatment: "二级处理（二沉池出水）", origin: origin)
    }

    static func samples(_ ids: [String]) -> [WaterSample] {
        var measurements: Measurements = [:]
        for id in ids { measurements[ParameterCatalog.parameter(id: id)!] = .value(1) }
        return [WaterSample(id: "W1", sourceID: "S", date: CalendarDate(year: 2025, month: 6, day: 1)!, measurements: measurements, origin: origin)]
    }

    @Test func treatmentIsReadAsLabsWriteIt() {
        #expect(TreatmentLevel("二级处理") == .secondary && TreatmentLevel("二沉池出水") == .secondary && TreatmentLevel("Secondary") == .secondary)
        #expect(TreatmentLevel("深度处理") == .advanced && TreatmentLevel("tertiary") == .advanced)
        #expect(TreatmentLevel(nil) == .unknown && TreatmentLevel("A2O") == .unknown)
    }

    @Test func onlyAPlantWithoutIndustryAndWithTestedPathogensQualifies() {
        let both = Self.samples(["fecal_coliforms", "ascaris_eggs"])
        #expect(SourceRules.secondaryEffluentProblems(source: Self.source([.none]), samples: both, verdict: Self.passing).isEmpty)
        #expect(SourceRules.secondaryEffluentProblems(source: Self.source([]), samples: both, verdict: Self.passing) == ["industrial inflow not stated"])
        #expect(SourceRules.secondaryEffluentProblems(source: Self.source([.pharmaceutical]), samples: both, verdict: Self.passing)
                    == ["takes industrial wastewater (pharmaceutical)"])
        #expect(SourceRules.secondaryEffluentProblems(source: Self.source([.none]), samples: Self.samples(["fecal_coliforms"]), verdict: Self.passing)
                    == ["ascaris_eggs not tested in the year"])
        var failing = Self.passing
        failing.failing = [ParameterVerdict(parameter: "fecal_coliforms", status: .fail, statisticLow: 50_000, statisticHigh: 50_000,
                                            limit: EffectiveLimit(parameter: "fecal_coliforms", min: nil, max: 40_000, unit: "MPN/L", sources: []),
                                            evidence: ["W1"], samples: 1)]
        #expect(SourceRules.secondaryEffluentProblems(source: Self.source([.none]), samples: both, verdict: failing) == ["fecal_coliforms fails"])
    }

    @Test func anUnqualifiedSourceKeepsItsParcelsFromSuitable() {
        var input = ZoningInput(cropClass: .feedForage, tier: .preferred, sourceVerdict: Self.passing, sourceKnown: true)
        #expect(Zoning.zone(input).zone == .suitable)
        input.sourceSecondaryNotQualified = true
        let (zone, reasons) = Zoning.zone(input)
        #expect(zone == .restricted && reasons == [.sourceSecondaryNotQualified])
    }
}
