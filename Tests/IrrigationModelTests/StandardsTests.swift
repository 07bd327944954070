import Foundation
import TestSupport
import Testing
@testable import IrrigationModel

/// Every number in standards.json read back against the tables of
/// ../shared/reference/standards.md (§1 GB 5084-2021, §2 GB 20922-2007, §3 GB 15618-2018,
/// §4 GB/T 14848-2017, §7 FAO 29), transcribed here independently.
@Suite struct StandardsDataTests {
    static let catalog = try! StandardsCatalog.bundled()

    static func limit(_ standard: String, _ parameter: String, _ column: String, _ condition: String? = nil) -> WaterLimit? {
        catalog.waterLimits.first { $0.standard == standard && $0.parameter == parameter && $0.column == column && $0.condition == condition }
    }

    /// standards.md §1 Table 1 and 2 (2021, M): (parameter, condition, paddy, dryland, vegetable a, vegetable b).
    static let gb5084: [(String, String?, Double, Double, Double, Double)] = [
        ("water_temp", nil, 35, 35, 35, 35), ("ss", nil, 80, 100, 60, 15), ("bod5", nil, 60, 100, 40, 15), ("cod_cr", nil, 150, 200, 100, 60),
        ("anionic_surfactants", nil, 5, 8, 5, 5), ("chloride", nil, 350, 350, 350, 350), ("sulfide", nil, 1, 1, 1, 1),
        ("total_salt", "non_saline", 1000, 1000, 1000, 1000), ("total_salt", "saline_alkali", 2000, 2000, 2000, 2000),
        ("pb", nil, 0.2, 0.2, 0.2, 0.2), ("cd", nil, 0.01, 0.01, 0.01, 0.01), ("cr6", nil, 0.1, 0.1, 0.1, 0.1),
        ("hg", nil, 0.001, 0.001, 0.001, 0.001), ("as", nil, 0.05, 0.1, 0.05, 0.05),
        ("fecal_coliforms", nil, 40000, 40000, 20000, 10000), ("ascaris_eggs", nil, 20, 20, 20, 10),
        ("cn", nil, 0.5, 0.5, 0.5, 0.5), ("f", "general", 2, 2, 2, 2),
        // Issue #22: the 1992 and 2005 texts give 2.0 to high-fluoride areas and 3.0 to general ones, the
        // reverse of §1 Table 2's memory of 2021; 2.0 for both is the stricter value under either reading.
        ("f", "high_fluoride", 2, 2, 2, 2),
        ("petroleum", nil, 5, 10, 1, 1), ("volatile_phenol", nil, 1, 1, 1, 1), ("cu", nil, 0.5, 1, 1, 1), ("zn", nil, 2, 2, 2, 2),
        ("ni", nil, 0.2, 0.2, 0.2, 0.2), ("se", nil, 0.02, 0.02, 0.02, 0.02),
        ("b", "boron_sensitive", 1, 1, 1, 1), ("b", "boron_fairly_tolerant", 2, 2, 2, 2), ("b", "boron_tolerant", 3, 3, 3, 3),
        ("benzene", nil, 2.5, 2.5, 2.5, 2.5), ("toluene", nil, 0.7, 0.7, 0.7, 0.7), ("xylene", nil, 0.5, 0.5, 0.5, 0.5),
        ("cumene", nil, 0.25, 0.25, 0.25, 0.25), ("aniline", nil, 0.5, 0.5, 0.5, 0.5), ("trichloroacetaldehyde", nil, 1, 0.5, 0.5, 0.5),
        ("acrolein", nil, 0.5, 0.5, 0.5, 0.5), ("chlorobenzene", nil, 0.3, 0.3, 0.3, 0.3), ("dichlorobenzene_12", nil, 1, 1, 1, 1),
        ("dichlorobenzene_14", nil, 0.4, 0.4, 0.4, 0.4), ("nitrobenzene", nil, 2, 2, 2, 2),
    ]

    @Test func gb5084MatchesStandardsMD() throws {
        for (parameter, condition, paddy, dryland, vegA, vegB) in Self.gb5084 {
            for (column, expected) in [("paddy", paddy), ("dryland", dryland), ("vegetable_a", vegA), ("vegetable_b", vegB)] {
                let limit = try #require(Self.limit("GB5084-2021", parameter, column, condition), "\(parameter) \(column)")
                #expect(limit.max == expected, "GB 5084 \(parameter) \(column)")
                #expect(limit.isUnverified, "standards.md marks every GB 5084-2021 value M")
            }
        }
        let ph = try #require(Self.limit("GB5084-2021", "ph", "dryland"))
        #expect(ph.min == 5.5 && ph.max == 8.5)
        #expect(Self.catalog.waterLimits.filter { $0.standard == "GB5084-2021" }.count == 4 * (Self.gb5084.count + 1))
    }

    /// standards.md §2 Table 1 (M): fibre, dryland grain & oil, paddy grain, open-field vegetables.
    static let gb20922: [(String, String?, Double, Double, Double, Double)] = [
        ("bod5", nil, 100, 80, 60, 40), ("cod_cr", nil, 200, 180, 150, 100), ("ss", nil, 100, 90, 80, 60),
        ("tds", "non_saline", 1000, 1000, 1000, 1000), ("tds", "saline_alkali", 2000, 2000, 2000, 1000), ("chloride", nil, 350, 350, 350, 350),
        ("sulfide", nil, 1, 1, 1, 1), ("residual_chlorine", nil, 1.5, 1.5, 1, 1), ("petroleum", nil, 10, 10, 5, 1),
        ("volatile_phenol", nil, 1, 1, 1, 1), ("anionic_surfactants", nil, 8, 8, 5, 5), ("hg", nil, 0.001, 0.001, 0.001, 0.001),
        ("cd", nil, 0.01, 0.01, 0.01, 0.01), ("as", nil, 0.1, 0.1, 0.05, 0.05), ("cr6", nil, 0.1, 0.1, 0.1, 0.1), ("pb", nil, 0.2, 0.2, 0.2, 0.2),
        ("fecal_coliforms", nil, 40000, 40000, 20000, 20000), ("ascaris_eggs", nil, 20, 20, 20, 20),
        // Table 2, same for all categories.
        ("be", nil, 0.002, 0.002, 0.002, 0.002), ("co", nil, 1, 1, 1, 1), ("cu", nil, 1, 1, 1, 1), ("f", nil, 2, 2, 2, 2), ("fe", nil, 1.5, 1.5, 1.5, 1.5),
        ("mn", nil, 0.3, 0.3, 0.3, 0.3), ("mo", nil, 0.5, 0.5, 0.5, 0.5), ("ni", nil, 0.1, 0.1, 0.1, 0.1), ("se", nil, 0.02, 0.02, 0.02, 0.02),
        ("zn", nil, 2, 2, 2, 2), ("b", nil, 1, 1, 1, 1), ("v", nil, 0.1, 0.1, 0.1, 0.1), ("cn", nil, 0.5, 0.5, 0.5, 0.5),
        ("trichloroacetaldehyde", nil, 0.5, 0.5, 0.5, 0.5), ("acrolein", nil, 0.5, 0.5, 0.5, 0.5), ("formaldehyde", nil, 1, 1, 1, 1),
        ("benzene", nil, 2.5, 2.5, 2.5, 2.5),
    ]

    @Test func gb20922MatchesStandardsMD() throws {
        for (parameter, condition, fiber, grain, paddy, vegetable) in Self.gb20922 {
            for (column, expected) in [("fiber", fiber), ("dryland_grain_oil", grain), ("paddy_grain", paddy), ("vegetable", vegetable)] {
                let limit = try #require(Self.limit("GB20922-2007", parameter, column, condition), "\(parameter) \(column)")
                #expect(limit.max == expected, "GB 20922 \(parameter) \(column)")
                #expect(limit.isUnverified)
            }
        }
        #expect(Self.limit("GB20922-2007", "do", "fiber")?.min == 0.5)
    }

    /// standards.md §3 Tables 1 and 3 (C2).
    @Test func gb15618MatchesStandardsMD() {
        let screening: [(String, SoilLandUse, [Double])] = [
            ("cd", .paddy, [0.3, 0.4, 0.6, 0.8]), ("cd", .other, [0.3, 0.3, 0.3, 0.6]), ("cd", .orchard, [0.3, 0.3, 0.3, 0.6]),
            ("hg", .paddy, [0.5, 0.5, 0.6, 1.0]), ("hg", .other, [1.3, 1.8, 2.4, 3.4]),
            ("as", .paddy, [30, 30, 25, 20]), ("as", .other, [40, 40, 30, 25]),
            ("pb", .paddy, [80, 100, 140, 240]), ("pb", .other, [70, 90, 120, 170]),
            ("cr", .paddy, [250, 250, 300, 350]), ("cr", .other, [150, 150, 200, 250]),
            ("cu", .orchard, [150, 150, 200, 200]), ("cu", .other, [50, 50, 100, 100]), ("cu", .paddy, [50, 50, 100, 100]),
            ("ni", .other, [60, 70, 100, 190]), ("zn", .paddy, [200, 200, 250, 300]),
        ]
        for (parameter, landUse, values) in screening {
            #expect([5.0, 6.0, 7.0, 8.0].map { Self.catalog.soilScreeningValue(parameter, landUse: landUse, ph: $0)! } == values, "\(parameter) \(landUse)")
        }
        let intervention: [(String, [Double])] = [("cd", [1.5, 2.0, 3.0, 4.0]), ("hg", [2.0, 2.5, 4.0, 6.0]), ("as", [200, 150, 120, 100]),
                                                  ("pb", [400, 500, 700, 1000]), ("cr", [800, 850, 1000, 1300])]
        for (parameter, values) in intervention {
            #expect([5.0, 6.0, 7.0, 8.0].map { Self.catalog.soilInterventionValue(parameter, ph: $0)! } == values)
        }
        #expect(Self.catalog.soilInterventionValue("cu", ph: 7) == nil)
        // Band edges: pH 5.5 is the first band, 7.5 the third.
        #expect(StandardsCatalog.phBand(5.5) == 0 && StandardsCatalog.phBand(5.51) == 1 && StandardsCatalog.phBand(7.5) == 2 && StandardsCatalog.phBand(7.51) == 3)
    }

    /// standards.md §4 (C2): class III (the review threshold) of the main items.
    @Test(arguments: [("tds", 1000.0), ("sulfate", 250), ("chloride", 250), ("cu", 1.0), ("zn", 1.0), ("ammonia_n", 0.5), ("nitrate_n", 20),
                      ("f", 1.0), ("hg", 0.001), ("as", 0.01), ("cd", 0.005), ("cr6", 0.05), ("pb", 0.01), ("ni", 0.02), ("na", 200), ("b", 0.5)])
    func gbt14848ClassIII(parameter: String, expected: Double) {
        #expect(Self.catalog.groundwaterClassIII(parameter)?.max == expected)
    }

    /// standards.md §7.4 crop salt tolerance (a, b).
    @Test(arguments: [("maize", 1.7, 12.0), ("wheat", 6.0, 7.1), ("cotton", 7.7, 5.2), ("alfalfa", 2.0, 7.3), ("rice", 3.0, 12.0), ("tomato", 2.5, 9.9)])
    func fao29CropTolerance(crop: String, threshold: Double, slope: Double) {
        #expect(Self.catalog.cropSaltTolerance[crop]?.threshold == threshold && Self.catalog.cropSaltTolerance[crop]?.slope == slope)
    }

    @Test func everyLimitHasASourceAndConfidence() {
        #expect(Self.catalog.waterLimits.allSatisfy { !$0.source.isEmpty && ["C1", "C2", "C2*", "M", "D"].contains($0.confidence) })
    }
}

@Suite struct OverrideTests {
    static func catalog() -> StandardsCatalog { try! StandardsCatalog.bundled() }

    @Test func tighteningReplacesAndIsRecorded() throws {
        var catalog = Self.catalog()
        let warnings = try catalog.apply(.init(name: "晋标", source: "DB14/T 0000-2025", allowLessStrict: false,
                                               limits: [.init(standard: "GB5084-2021", parameter: "chloride", column: "all", max: 250)]))
        #expect(warnings.isEmpty)
        #expect(StandardsDataTests.limit("GB5084-2021", "chloride", "dryland", nil)?.max == 350)  // the bundled table is untouched
        let limit = try #require(catalog.waterLimits.first { $0.standard == "GB5084-2021" && $0.parameter == "chloride" && $0.column == "dryland" })
        #expect(limit.max == 250 && limit.overriddenBy == "晋标" && limit.source.contains("DB14/T 0000-2025"))
        #expect(catalog.overrides.map(\.name) == ["晋标"])
    }

    @Test func loosentingNeedsPermission() throws {
        var catalog = Self.catalog()
        let loosen = StandardsCatalog.Override.Limit(standard: "GB5084-2021", parameter: "chloride", column: "dryland", max: 500)
        #expect(throws: StandardsCatalog.OverrideError.self) {
            try catalog.apply(.init(name: "宽松", source: "x", allowLessStrict: false, limits: [loosen]))
        }
        let warnings = try catalog.apply(.init(name: "宽松", source: "x", allowLessStrict: true, limits: [loosen]))
        #expect(warnings.count == 1 && warnings[0].contains("loosens"))
    }

    @Test func aProvinceStandardAddsLimitsByCropClass() throws {
        var catalog = Self.catalog()
        _ = try catalog.apply(.init(name: "省标", source: "DB00/T 1-2026", allowLessStrict: false,
                                    limits: [.init(standard: "DB00-2026", parameter: "cd", column: "feed_forage", max: 0.005)]))
        let crops = try CropCatalog.bundled()
        let limits = catalog.effectiveLimits(columns: catalog.columns(for: crops.policy(.feedForage), cropClass: .feedForage), conditions: SiteConditions(), boron: nil)
        #expect(limits["cd"]?.max == 0.005)
        #expect(limits["cd"]?.sources.first?.standard == "DB00-2026")
        let grain = catalog.effectiveLimits(columns: catalog.columns(for: crops.policy(.drylandGrainOil), cropClass: .drylandGrainOil), conditions: SiteConditions(), boron: nil)
        #expect(grain["cd"]?.max == 0.01)
    }

    @Test func anOverrideMustSayWhoItIs() {
        var catalog = Self.catalog()
        #expect(throws: StandardsCatalog.OverrideError.missingNameOrSource) { try catalog.apply(.init(name: "", source: "", allowLessStrict: false, limits: [])) }
    }
}

@Suite struct CropCatalogTests {
    static let catalog = try! CropCatalog.bundled()

    @Test(arguments: [("玉米", CropClass.drylandGrainOil), ("corn", .drylandGrainOil), ("青贮玉米", .feedForage), ("苜蓿", .feedForage),
                      ("谷子", .drylandGrainOil), ("高粱", .drylandGrainOil), ("马铃薯", .drylandGrainOil), ("向日葵", .drylandGrainOil),
                      ("棉花", .fiberIndustrial), ("甜菜", .fiberIndustrial), ("大麻", .fiberIndustrial), ("亚麻", .fiberIndustrial),
                      ("小麦", .drylandGrainOil), ("大豆", .drylandGrainOil), ("水稻", .paddy), ("蔬菜", .vegetableRaw), ("番茄", .vegetableRaw),
                      ("白菜", .vegetableCooked), ("果园", .fruit), ("苹果", .fruit), ("林地", .landscapeForest), ("草地", .landscapeForest),
                      ("苗圃", .landscapeForest), ("Sugar Beet", .fiberIndustrial)])
    func classifiesByName(name: String, expected: CropClass) {
        #expect(Self.catalog.classify(crop: name, landUseCode: nil).cropClass == expected)
    }

    @Test func unknownCropsAreNeverGuessed() {
        let result = Self.catalog.classify(crop: "试验田", landUseCode: "0103")
        #expect(result.cropClass == .unknown && result.basis == .cropName("试验田"))
        #expect(Self.catalog.policy(.unknown).tier == nil)
    }

    @Test(arguments: [("0101", CropClass.paddy), ("0102", .drylandGrainOil), ("0103", .drylandGrainOil), ("0201", .fruit), ("0301", .landscapeForest),
                      ("0404", .feedForage), ("0701", .unknown)])
    func landUseCodeWhenNoCrop(code: String, expected: CropClass) {
        #expect(Self.catalog.classify(crop: nil, landUseCode: code).cropClass == expected)
        #expect(Self.catalog.classify(crop: "  ", landUseCode: code).cropClass == expected)
    }

    @Test func tiersFollowThePolicy() {
        #expect(Self.catalog.policy(.fiberIndustrial).tier == .preferred && Self.catalog.policy(.feedForage).tier == .preferred)
        #expect(Self.catalog.policy(.drylandGrainOil).tier == .cautious && Self.catalog.policy(.paddy).tier == .cautious)
        #expect(Self.catalog.policy(.vegetableRaw).tier == .notRecommended && Self.catalog.policy(.fruit).tier == .notRecommended)
        #expect(Self.catalog.policy(.landscapeForest).tier == .preferred)
    }

    @Test func theProjectFileCanExtendIt() throws {
        var catalog = Self.catalog
        try catalog.add(CropEntry(names: ["藜麦", "quinoa"], cropClass: .drylandGrainOil))
        #expect(catalog.classify(crop: "藜麦", landUseCode: nil).cropClass == .drylandGrainOil)
    }
}
