import Foundation
import TestSupport
import Testing
import IrrigationModel

/// 灌溉方式 (issue #27): the methods a parcel may take, from worked cases.
@Suite struct IrrigationMethodTests {
    static let catalog = try! IrrigationMethodCatalog.bundled()

    @Test func methodsAreReadByTheirNames() {
        #expect(Self.catalog.method(named: "喷灌")?.id == "sprinkler" && Self.catalog.method(named: " Drip ")?.id == "drip")
        #expect(Self.catalog.method(named: "低压管灌")?.id == "pipe" && Self.catalog.method(named: "大水漫灌")?.id == "flood")
        #expect(Self.catalog.method(named: "人工浇灌") == nil)
        #expect(Self.catalog.methods.map(\.id) == ["drip", "subsurface_drip", "micro_sprinkler", "pipe", "furrow", "border", "sprinkler", "flood"])
    }

    @Test func rawEatenCropsTakeOnlyMethodsThatKeepWaterOffTheEdiblePart() {
        let advice = Self.catalog.advice(for: .vegetableRaw, chloride: 50, sodium: 30)
        #expect(advice.allowed == ["drip", "subsurface_drip"] && advice.reasons == [.wetsRawEatenCrop] && advice.recommended == "drip")
    }

    @Test func fruitIsNotIrrigatedOverhead() {
        let advice = Self.catalog.advice(for: .fruit, chloride: 50, sodium: 30)
        #expect(advice.allowed == ["drip", "subsurface_drip", "pipe", "furrow", "border", "flood"] && advice.reasons == [.wetsFruit])
    }

    /// FAO 29 Table 1: Na or Cl above 3 me/L under sprinklers (Cl 106.36 mg/L, Na 68.97 mg/L).
    @Test func salineWaterTakesSprinklersAway() {
        #expect(Self.catalog.advice(for: .feedForage, chloride: 100, sodium: 60).allowed.contains("sprinkler"), "2.8 me/L Cl, 2.6 me/L Na")
        let salty = Self.catalog.advice(for: .feedForage, chloride: 150, sodium: nil)
        #expect(!salty.allowed.contains("sprinkler") && !salty.allowed.contains("micro_sprinkler") && salty.reasons == [.foliarSalt])
        #expect(Self.catalog.advice(for: .feedForage, chloride: 100, sodium: 80).reasons == [.foliarSalt], "3.5 me/L Na")
        let unknown = Self.catalog.advice(for: .feedForage, chloride: nil, sodium: nil)
        #expect(!unknown.allowed.contains("sprinkler") && unknown.reasons == [.foliarEvidenceMissing], "not measured is not cleared")
        let chlorideOnly = Self.catalog.advice(for: .feedForage, chloride: 50, sodium: nil)
        #expect(!chlorideOnly.allowed.contains("sprinkler") && chlorideOnly.reasons == [.foliarEvidenceMissing], "a low chloride does not clear an unmeasured sodium")
        #expect(Self.catalog.advice(for: .feedForage, chloride: 150, sodium: nil).allowed.first == "drip")
    }
}
