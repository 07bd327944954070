import Foundation

/// What a measurement is of. Each parameter has one canonical unit per medium (DESIGN.md §4):
/// water mg/L (coliforms MPN/L, ascaris eggs per 10 L, EC dS/m), soil mg/kg dry weight
/// (salt g/kg).
public struct Parameter: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The parameter's place in `ParameterCatalog.all` (every parameter comes from the catalog):
    /// all a parameter stores. Measurements are dictionaries keyed by parameter, so a key is 8
    /// bytes, not the id and names (docs/scaling.md).
    let ordinal: Int

    public var id: String { ParameterCatalog.entries[ordinal].0 }
    public var kind: QuantityKind { ParameterCatalog.entries[ordinal].1 }
    public var englishName: String { ParameterCatalog.entries[ordinal].2 }
    public var chineseName: String { ParameterCatalog.entries[ordinal].3 }

    public var description: String { id }
    public static func < (a: Parameter, b: Parameter) -> Bool { a.id < b.id }
    // A parameter is its place in the catalog (whose ids are unique): measurements are keyed by
    // parameter, and hashing the id string was ≈ 16 % of a parcel's rules in `perf` samples
    // (the soil samples' values are looked up per element and parcel).
    public static func == (a: Parameter, b: Parameter) -> Bool { a.ordinal == b.ordinal }
    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    /// The canonical unit of this parameter in `medium`.
    public func canonicalUnit(in medium: Medium) -> MeasurementUnit {
        switch (kind, medium) {
        case (.concentration, .soil): id == "salt" ? .gramsPerKilogram : .milligramsPerKilogram
        case (.concentration, .produce): .milligramsPerKilogram
        case (.concentration, _): .milligramsPerLitre
        case (.conductivity, _): .deciSiemensPerMetre
        case (.bacteriaCount, _): .mpnPerLitre
        case (.eggCount, _): .eggsPerTenLitres
        case (.ph, _): .pH
        case (.temperature, _): .degreesCelsius
        case (.turbidity, _): .nephelometricTurbidity
        case (.colour, _): .platinumCobaltColour
        }
    }
}

/// Where a sample was taken; decides canonical units.
public enum Medium: String, Sendable, Codable, CaseIterable {
    case water, soil, groundwater, produce
}

/// The physical kind of a parameter; units convert only within a kind.
public enum QuantityKind: Sendable, Hashable {
    /// Mass per volume (water) or mass per mass (soil).
    case concentration
    case conductivity
    case bacteriaCount
    case eggCount
    case ph
    case temperature
    /// Nephelometric turbidity (NTU).
    case turbidity
    /// Colour in platinum-cobalt units (铂钴色度单位, 度).
    case colour
}

/// The catalog of parameters irrizone recognises, with the names labs write them by.
public enum ParameterCatalog {
    /// (id, kind, English, Chinese, aliases). Aliases are compared after `normalise(_:)`.
    static let entries: [(String, QuantityKind, String, String, [String])] = [
        ("ph", .ph, "pH", "pH值", ["ph", "ph值", "酸碱度", "土壤ph"]),
        ("water_temp", .temperature, "water temperature", "水温", ["watertemperature", "temperature", "temp", "水温", "wt"]),
        ("ss", .concentration, "suspended solids", "悬浮物", ["ss", "suspendedsolids", "tss", "悬浮物"]),
        ("bod5", .concentration, "BOD5", "五日生化需氧量", ["bod5", "bod", "五日生化需氧量", "生化需氧量"]),
        ("cod_cr", .concentration, "CODCr", "化学需氧量", ["codcr", "cod", "化学需氧量"]),
        ("anionic_surfactants", .concentration, "anionic surfactants", "阴离子表面活性剂", ["las", "anionicsurfactants", "阴离子表面活性剂"]),
        ("chloride", .concentration, "chloride", "氯化物", ["cl", "chloride", "氯化物", "氯离子", "cl-", "cl⁻"]),
        ("sulfide", .concentration, "sulfide", "硫化物", ["sulfide", "sulphide", "s2-", "硫化物"]),
        ("total_salt", .concentration, "total salt", "全盐量", ["totalsalt", "salinity", "全盐量", "含盐量"]),
        ("tds", .concentration, "total dissolved solids", "溶解性总固体", ["tds", "totaldissolvedsolids", "溶解性总固体", "residuefilterable"]),
        ("ec", .conductivity, "electrical conductivity", "电导率", ["ec", "conductivity", "cond", "电导率", "spc", "specificconductance"]),
        ("cd", .concentration, "cadmium", "镉", ["cd", "cadmium", "镉", "总镉", "cdtot", "cdtotal"]),
        ("hg", .concentration, "mercury", "汞", ["hg", "mercury", "汞", "总汞", "hgtot", "hgtotal"]),
        ("as", .concentration, "arsenic", "砷", ["as", "arsenic", "砷", "总砷", "astot", "astotal"]),
        ("pb", .concentration, "lead", "铅", ["pb", "lead", "铅", "总铅", "pbtot", "pbtotal"]),
        ("cr6", .concentration, "chromium (VI)", "六价铬", ["cr6", "cr(vi)", "crvi", "cr6+", "hexavalentchromium", "六价铬", "铬(六价)"]),
        ("cr", .concentration, "chromium", "铬", ["cr", "chromium", "铬", "总铬", "crtot", "crtotal"]),
        ("cu", .concentration, "copper", "铜", ["cu", "copper", "铜", "总铜", "cutot", "cutotal"]),
        ("zn", .concentration, "zinc", "锌", ["zn", "zinc", "锌", "总锌", "zntot", "zntotal"]),
        ("ni", .concentration, "nickel", "镍", ["ni", "nickel", "镍", "总镍", "nitot", "nitotal"]),
        ("se", .concentration, "selenium", "硒", ["se", "selenium", "硒", "总硒", "setot"]),
        ("b", .concentration, "boron", "硼", ["b", "boron", "硼", "总硼", "btot"]),
        ("f", .concentration, "fluoride", "氟化物", ["f", "f-", "fluoride", "氟化物", "氟"]),
        ("cn", .concentration, "cyanide", "氰化物", ["cn", "cn-", "cyanide", "氰化物", "总氰化物"]),
        ("petroleum", .concentration, "petroleum oils", "石油类", ["petroleum", "oil", "石油类"]),
        ("volatile_phenol", .concentration, "volatile phenol", "挥发酚", ["volatilephenol", "phenol", "挥发酚"]),
        ("fecal_coliforms", .bacteriaCount, "fecal coliforms", "粪大肠菌群", ["fecalcoliforms", "faecalcoliforms", "fc", "粪大肠菌群", "粪大肠菌群数"]),
        ("ascaris_eggs", .eggCount, "ascaris eggs", "蛔虫卵", ["ascariseggs", "ascaris", "蛔虫卵", "蛔虫卵数"]),
        // Nitrogen species: "-N" ids are the mass of nitrogen (GB/T 14848 reports 硝酸盐（以N计）);
        // the ions are converted to them at ingest (`SpeciesConversion`). A bare "nitrate" or
        // "硝酸盐" names neither (`SpeciesAmbiguity`).
        ("nitrate_n", .concentration, "nitrate-N", "硝酸盐氮", ["nitraten", "no3n", "no3-n", "nitrateasn", "nitrate(asn)", "nitrateasnitrogen",
                                                           "硝酸盐氮", "硝酸盐(以n计)", "硝态氮", "no3asn", "no3(asn)"]),
        ("ammonia_n", .concentration, "ammonia-N", "氨氮", ["ammonian", "nh3n", "nh3-n", "nh4n", "nh4-n", "nh4+-n", "ammoniaasn", "ammonia(asn)",
                                                       "ammoniumn", "氨氮", "氨氮(以n计)", "铵态氮"]),
        ("no3", .concentration, "nitrate (as NO₃⁻)", "硝酸根", ["no3-", "no3⁻", "nitrateasno3", "nitrate(asno3)", "硝酸根", "硝酸根离子",
                                                                "硝酸盐(以no3计)", "硝酸盐(以no3-计)", "no3asno3"]),
        ("no2", .concentration, "nitrite (as NO₂⁻)", "亚硝酸根", ["no2-", "no2⁻", "nitriteasno2", "nitrite(asno2)", "亚硝酸根",
                                                                 "亚硝酸盐(以no2计)", "亚硝酸盐(以no2-计)"]),
        ("nh4", .concentration, "ammonium (as NH₄⁺)", "铵离子", ["nh4+", "nh4⁺", "ammonium", "ammoniumasnh4", "ammonium(asnh4)", "铵", "铵离子",
                                                                  "氨氮(以nh4计)", "氨氮(以nh4+计)"]),
        ("nh3", .concentration, "ammonia (as NH₃)", "氨（以NH₃计）", ["ammoniaasnh3", "ammonia(asnh3)", "氨(以nh3计)", "氨氮(以nh3计)"]),
        ("sulfate", .concentration, "sulfate", "硫酸盐", ["so4", "sulfate", "sulphate", "硫酸盐", "so42-"]),
        ("na", .concentration, "sodium", "钠", ["na", "sodium", "钠", "钠离子"]),
        ("ca", .concentration, "calcium", "钙", ["ca", "calcium", "钙", "钙离子"]),
        ("mg", .concentration, "magnesium", "镁", ["mg", "magnesium", "镁", "镁离子"]),
        ("salt", .concentration, "soil salt", "土壤全盐量", ["salt", "soilsalt", "土壤全盐量", "土壤含盐量"]),
        ("do", .concentration, "dissolved oxygen", "溶解氧", ["do", "dissolvedoxygen", "溶解氧"]),
        ("residual_chlorine", .concentration, "residual chlorine", "余氯", ["residualchlorine", "余氯", "总余氯", "总氯", "totalchlorine"]),
        ("benzene", .concentration, "benzene", "苯", ["benzene", "苯"]),
        ("toluene", .concentration, "toluene", "甲苯", ["toluene", "甲苯"]),
        ("xylene", .concentration, "xylene", "二甲苯", ["xylene", "xylenes", "二甲苯"]),
        ("cumene", .concentration, "cumene (isopropylbenzene)", "异丙苯", ["cumene", "isopropylbenzene", "异丙苯"]),
        ("aniline", .concentration, "aniline", "苯胺", ["aniline", "苯胺"]),
        ("trichloroacetaldehyde", .concentration, "trichloroacetaldehyde", "三氯乙醛", ["trichloroacetaldehyde", "三氯乙醛"]),
        ("acrolein", .concentration, "acrolein", "丙烯醛", ["acrolein", "丙烯醛"]),
        ("formaldehyde", .concentration, "formaldehyde", "甲醛", ["formaldehyde", "甲醛"]),
        ("chlorobenzene", .concentration, "chlorobenzene", "氯苯", ["chlorobenzene", "氯苯"]),
        ("dichlorobenzene_12", .concentration, "1,2-dichlorobenzene", "1,2-二氯苯", ["1,2-dichlorobenzene", "1,2-二氯苯", "邻二氯苯"]),
        ("dichlorobenzene_14", .concentration, "1,4-dichlorobenzene", "1,4-二氯苯", ["1,4-dichlorobenzene", "1,4-二氯苯", "对二氯苯"]),
        ("nitrobenzene", .concentration, "nitrobenzene", "硝基苯", ["nitrobenzene", "硝基苯"]),
        ("be", .concentration, "beryllium", "铍", ["be", "beryllium", "铍"]),
        ("co", .concentration, "cobalt", "钴", ["co", "cobalt", "钴"]),
        ("fe", .concentration, "iron", "铁", ["fe", "iron", "铁"]),
        ("mn", .concentration, "manganese", "锰", ["mn", "manganese", "锰"]),
        ("mo", .concentration, "molybdenum", "钼", ["mo", "molybdenum", "钼"]),
        ("v", .concentration, "vanadium", "钒", ["v", "vanadium", "钒"]),
        ("al", .concentration, "aluminium", "铝", ["al", "aluminium", "aluminum", "铝"]),
        ("total_hardness", .concentration, "total hardness (as CaCO3)", "总硬度", ["totalhardness", "hardness", "总硬度"]),
        ("cod_mn", .concentration, "CODMn (permanganate index)", "耗氧量", ["codmn", "耗氧量", "高锰酸盐指数"]),
        ("nitrite_n", .concentration, "nitrite-N", "亚硝酸盐氮", ["nitriten", "no2n", "no2-n", "nitriteasn", "nitrite(asn)", "亚硝酸盐氮",
                                                             "亚硝酸盐(以n计)", "no2asn"]),
        ("total_coliforms", .bacteriaCount, "total coliforms", "总大肠菌群", ["totalcoliforms", "总大肠菌群"]),
        ("turbidity", .turbidity, "turbidity", "浊度", ["turbidity", "浊度", "turb"]),
        ("colour", .colour, "colour", "色度", ["colour", "color", "色度"]),
        ("e_coli", .bacteriaCount, "E. coli", "大肠埃希氏菌", ["ecoli", "e.coli", "escherichiacoli", "大肠埃希氏菌", "大肠埃希菌", "大肠杆菌"]),
        ("inorganic_as", .concentration, "inorganic arsenic", "无机砷", ["inorganicas", "inorganicarsenic", "ias", "无机砷", "无机砷(以as计)"]),
        // GB/T 18921 (landscape water) limits nutrients as the element.
        ("total_p", .concentration, "total phosphorus (as P)", "总磷", ["totalp", "totalphosphorus", "tp", "总磷", "总磷(以p计)"]),
        ("total_n", .concentration, "total nitrogen (as N)", "总氮", ["totaln", "totalnitrogen", "tn", "总氮", "总氮(以n计)"]),
    ]

    public static let all: [Parameter] = entries.indices.map { Parameter(ordinal: $0) }
    /// Whether a bit per parameter fits 128 bits (`DetectedValues`): a parameter added beyond
    /// that needs a wider bitmap there.
    static let fitsABitPerParameter = all.count <= 128

    private static let byID: [String: Parameter] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    private static let byAlias: [String: Parameter] = {
        var map: [String: Parameter] = [:]
        for (entry, parameter) in zip(entries, all) {
            map[normalise(entry.0)] = parameter
            for alias in entry.4 { map[normalise(alias)] = parameter }
        }
        return map
    }()

    public static func parameter(id: String) -> Parameter? { byID[id] }

    /// The parameter a column or `parameter` cell names (`总镉`, `Cd`, `cadmium`, `Cr(VI)` …).
    public static func parameter(named name: String) -> Parameter? {
        byAlias[normalise(name)]
    }

    /// Lowercase, without spaces, underscores, hyphens and dots; full-width forms folded.
    public static func normalise(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            var s = scalar
            if (0xFF01...0xFF5E).contains(s.value) { s = Unicode.Scalar(s.value - 0xFEE0)! }  // full-width ASCII
            if s == " " || s == "_" || s == "\u{3000}" || s == "." || s == "·" { continue }
            if s == "（" { s = "(" } else if s == "）" { s = ")" }
            result.unicodeScalars.append(s)
        }
        return result.lowercased()
    }
}

// MARK: - Chemical species

/// An ion measured as itself whose standards limit it as its nitrogen (NO₃⁻ → NO₃-N): the value
/// is converted at ingest by the ratio of molar masses, and the conversion is reported.
public struct SpeciesConversion: Sendable, Hashable {
    /// The parameter the lab reported (`no3`, nitrate as NO₃⁻).
    public let reported: String
    /// The parameter the standards use (`nitrate_n`, as N).
    public let target: String
    /// Molar mass of the element counted (N) over that of the ion: value as ion × factor = value as N.
    public let factor: Double
    /// e.g. "NO₃⁻ → NO₃-N × 14.0067/62.0049".
    public let note: String

    /// Standard atomic weights (IUPAC 2021, conventional values): N 14.0067, O 15.9994,
    /// H 1.00794. Ion masses are their sums (NO₃⁻ 62.0049, NO₂⁻ 46.0055, NH₄⁺ 18.0385,
    /// NH₃ 17.0305); the electron mass is below the stated precision.
    public static let nitrogen = 14.0067
    static let oxygen = 15.9994, hydrogen = 1.00794

    public static let all: [SpeciesConversion] = [
        SpeciesConversion(reported: "no3", target: "nitrate_n", ion: "NO₃⁻", ionMass: nitrogen + 3 * oxygen, asN: "NO₃-N"),
        SpeciesConversion(reported: "no2", target: "nitrite_n", ion: "NO₂⁻", ionMass: nitrogen + 2 * oxygen, asN: "NO₂-N"),
        SpeciesConversion(reported: "nh4", target: "ammonia_n", ion: "NH₄⁺", ionMass: nitrogen + 4 * hydrogen, asN: "NH₄-N"),
        SpeciesConversion(reported: "nh3", target: "ammonia_n", ion: "NH₃", ionMass: nitrogen + 3 * hydrogen, asN: "NH₃-N"),
    ]

    init(reported: String, target: String, ion: String, ionMass: Double, asN: String) {
        self.reported = reported; self.target = target
        factor = Self.nitrogen / ionMass
        note = "\(ion) → \(asN) × \(Self.nitrogen)/\(String(format: "%.4f", ionMass))"
    }

    /// The conversion of a reported parameter, nil when it is not an ion the standards count as N.
    public static func of(_ parameter: Parameter) -> SpeciesConversion? { all.first { $0.reported == parameter.id } }
}

/// A name that does not say which species it counts ("nitrate", "硝酸盐"): as N or as the ion.
/// Never read one way silently (issue #22): the file says (a `species:` option, a unit such as
/// "mg/L as N"), a convention is announced, or the column is refused with the question.
public struct SpeciesAmbiguity: Sendable, Hashable {
    /// The parameter as nitrogen (`nitrate_n`) and as the ion (`no3`).
    public let asNitrogen: Parameter
    public let asIon: Parameter

    static let names: [(names: [String], asNitrogen: String, asIon: String)] = [
        (["nitrate", "硝酸盐", "nitrates"], "nitrate_n", "no3"),
        (["nitrite", "亚硝酸盐", "nitrites"], "nitrite_n", "no2"),
        (["ammonia", "氨"], "ammonia_n", "nh3"),
    ]

    /// Every pair (as N, as the ion) a name can leave open.
    /// (The ids are the catalog's own, so each pair is found: `zip` with `names` relies on it.)
    public static let all: [SpeciesAmbiguity] = names.map { entry in
        SpeciesAmbiguity(asNitrogen: ParameterCatalog.parameter(id: entry.asNitrogen)!, asIon: ParameterCatalog.parameter(id: entry.asIon)!)
    }

    private static let byName: [String: SpeciesAmbiguity] = {
        var map: [String: SpeciesAmbiguity] = [:]
        for (entry, ambiguity) in zip(names, all) { for name in entry.names { map[ParameterCatalog.normalise(name)] = ambiguity } }
        return map
    }()

    /// The ambiguity a column or parameter name holds, nil when the name is not ambiguous.
    public static func named(_ name: String) -> SpeciesAmbiguity? { byName[ParameterCatalog.normalise(name)] }

    /// What a unit text says of the species: "mg/L as N", "mg/l asNO3", "mg/L（以N计）".
    /// Returns the unit without that part and the species it names (nil: it names none).
    public static func speciesInUnit(_ unit: String) -> (unit: String, asNitrogen: Bool?) {
        // Compared without spaces and brackets: "mg/L (as N)", "mg/l asN", "mg/L（以N计）".
        var key = ""
        for scalar in unit.lowercased().unicodeScalars where !" ()（）\u{3000}".unicodeScalars.contains(scalar) { key.unicodeScalars.append(scalar) }
        let suffixes: [(String, Bool)] = [("asn", true), ("以n计", true), ("asnitrogen", true),
                                          ("asno3", false), ("以no3计", false), ("asno2", false), ("以no2计", false),
                                          ("asnh4", false), ("以nh4计", false), ("asnh3", false), ("以nh3计", false)]
        for (suffix, asN) in suffixes where key.hasSuffix(suffix) { return (String(key.dropLast(suffix.count)), asN) }
        return (unit, nil)
    }
}
