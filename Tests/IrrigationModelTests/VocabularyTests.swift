import Foundation
import TestSupport
import Testing
import IrrigationModel

/// Every code the outputs carry has its meaning in both languages, and codes.json holds no code
/// the enums do not.
@Suite struct VocabularyTests {
    static func check<Code: OutputCode>(_: Code.Type) {
        let name = String(describing: Code.self)
        let entries = CodeMeanings.table[name] ?? [:]
        for code in Code.allCases {
            let meaning = entries[code.rawValue]
            #expect(meaning != nil && !(meaning?.zh.isEmpty ?? true) && !(meaning?.en.isEmpty ?? true), "\(name).\(code.rawValue) has no meaning in codes.json")
        }
        #expect(Set(entries.keys) == Set(Code.allCases.map(\.rawValue)), "codes.json lists codes \(name) does not have")
    }

    @Test func everyCodeHasItsMeaning() {
        Self.check(ZoneReason.self)
        Self.check(FindingCode.self)
        Self.check(RejectCode.self)
        Self.check(SourceStatusReason.self)
        Self.check(IrrigationMethodReason.self)
        #expect(FindingCode.soilIncomplete.meaning.zh == "土壤缺测必测项目的地块")
    }

    /// The raw values are what the outputs have always written.
    @Test func rawValuesAreStable() {
        #expect(ZoneReason.allCases.first?.rawValue == "TIER_NOT_RECOMMENDED" && ZoneReason.allCases.last?.rawValue == "IRRIGATION_METHOD_NOT_ALLOWED")
        #expect(RejectCode(rawValue: "GEOMETRY_UNREPAIRABLE") == .geometryUnrepairable)
        #expect(FindingCode.groundwaterAboveClassIII.rawValue == "GW_ABOVE_CLASS_III" && FindingCode.groundwaterAboveClassIII.target == .groundwater)
    }
}
