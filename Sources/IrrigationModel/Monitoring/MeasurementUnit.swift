/// A unit a lab writes, with its conversion to the canonical unit of its kind.
public struct MeasurementUnit: Sendable, Hashable, CustomStringConvertible {
    /// The unit's canonical spelling, e.g. "µg/L".
    public let symbol: String
    public let kind: QuantityKind
    /// A value in this unit × `factor` is the value in the kind's base unit (mg/L or mg/kg for
    /// concentrations, dS/m, MPN/L, eggs/10 L, pH, °C). Factors below one are kept as their
    /// exact reciprocal (`divisor`), so 18 µg/L converts to exactly 0.018 mg/L (18 / 1000),
    /// not 0.018000000000000002 (18 × 0.001).
    public var factor: Double { multiplier / divisor }
    let multiplier: Double
    let divisor: Double
    /// For concentrations: true for mass per mass (soil), false for mass per volume (water);
    /// nil when the unit means either (ppm, ppb).
    public let perMass: Bool?

    public var description: String { symbol }

    init(symbol: String, kind: QuantityKind, factor: Double, perMass: Bool?) {
        self.symbol = symbol
        self.kind = kind
        self.perMass = perMass
        if factor < 1 { multiplier = 1; divisor = (1 / factor).rounded() } else { multiplier = factor; divisor = 1 }
    }

    public static let milligramsPerLitre = MeasurementUnit(symbol: "mg/L", kind: .concentration, factor: 1, perMass: false)
    public static let milligramsPerKilogram = MeasurementUnit(symbol: "mg/kg", kind: .concentration, factor: 1, perMass: true)
    public static let gramsPerKilogram = MeasurementUnit(symbol: "g/kg", kind: .concentration, factor: 1000, perMass: true)
    public static let deciSiemensPerMetre = MeasurementUnit(symbol: "dS/m", kind: .conductivity, factor: 1, perMass: nil)
    public static let mpnPerLitre = MeasurementUnit(symbol: "MPN/L", kind: .bacteriaCount, factor: 1, perMass: nil)
    public static let eggsPerTenLitres = MeasurementUnit(symbol: "eggs/10 L", kind: .eggCount, factor: 1, perMass: nil)
    public static let pH = MeasurementUnit(symbol: "pH", kind: .ph, factor: 1, perMass: nil)
    public static let degreesCelsius = MeasurementUnit(symbol: "°C", kind: .temperature, factor: 1, perMass: nil)
    public static let nephelometricTurbidity = MeasurementUnit(symbol: "NTU", kind: .turbidity, factor: 1, perMass: nil)
    public static let platinumCobaltColour = MeasurementUnit(symbol: "PCU", kind: .colour, factor: 1, perMass: nil)

    /// Every unit irrizone converts, with the spellings labs use. Factors are exact SI ratios:
    /// 1 mg/L = 1 g/m³ = 1 ppm (dilute water); 1 µS/cm = 10⁻³ dS/m; 1 mS/cm = 1 dS/m;
    /// 1 S/m = 10 dS/m; MPN/100 mL × 10 = MPN/L; eggs/L × 10 = eggs/10 L; 1 % = 10 000 mg/kg.
    static let table: [(MeasurementUnit, [String])] = [
        (.milligramsPerLitre, ["mg/l", "毫克/升", "mg/dm3"]),
        (MeasurementUnit(symbol: "µg/L", kind: .concentration, factor: 1e-3, perMass: false), ["ug/l", "微克/升"]),
        (MeasurementUnit(symbol: "ng/L", kind: .concentration, factor: 1e-6, perMass: false), ["ng/l", "纳克/升"]),
        (MeasurementUnit(symbol: "g/L", kind: .concentration, factor: 1e3, perMass: false), ["g/l", "克/升"]),
        (MeasurementUnit(symbol: "g/m³", kind: .concentration, factor: 1, perMass: false), ["g/m3", "g/m^3", "克/立方米"]),
        (MeasurementUnit(symbol: "ppm", kind: .concentration, factor: 1, perMass: nil), ["ppm"]),
        (MeasurementUnit(symbol: "ppb", kind: .concentration, factor: 1e-3, perMass: nil), ["ppb"]),
        (.milligramsPerKilogram, ["mg/kg", "毫克/千克", "毫克/公斤"]),
        (MeasurementUnit(symbol: "µg/kg", kind: .concentration, factor: 1e-3, perMass: true), ["ug/kg", "微克/千克"]),
        (MeasurementUnit(symbol: "µg/g", kind: .concentration, factor: 1, perMass: true), ["ug/g"]),
        (MeasurementUnit(symbol: "mg/g", kind: .concentration, factor: 1e3, perMass: true), ["mg/g"]),
        (.gramsPerKilogram, ["g/kg", "克/千克", "克/公斤"]),
        (MeasurementUnit(symbol: "%", kind: .concentration, factor: 1e4, perMass: true), ["%", "percent"]),
        (.deciSiemensPerMetre, ["ds/m", "mmho/cm", "mmhos/cm"]),
        (MeasurementUnit(symbol: "mS/cm", kind: .conductivity, factor: 1, perMass: nil), ["ms/cm", "毫西/厘米"]),
        (MeasurementUnit(symbol: "µS/cm", kind: .conductivity, factor: 1e-3, perMass: nil), ["us/cm", "umho/cm", "umhos/cm", "微西/厘米"]),
        (MeasurementUnit(symbol: "S/m", kind: .conductivity, factor: 10, perMass: nil), ["s/m"]),
        (MeasurementUnit(symbol: "mS/m", kind: .conductivity, factor: 0.01, perMass: nil), ["ms/m"]),
        (.mpnPerLitre, ["mpn/l", "个/l", "cfu/l"]),
        (MeasurementUnit(symbol: "MPN/100 mL", kind: .bacteriaCount, factor: 10, perMass: nil), ["mpn/100ml", "cfu/100ml", "个/100ml"]),
        (MeasurementUnit(symbol: "MPN/mL", kind: .bacteriaCount, factor: 1000, perMass: nil), ["mpn/ml", "cfu/ml", "个/ml"]),
        (.eggsPerTenLitres, ["eggs/10l", "个/10l", "egg/10l"]),
        (.nephelometricTurbidity, ["ntu", "fnu", "浊度单位"]),
        (.platinumCobaltColour, ["pcu", "度", "铂钴色度单位", "pt-co", "hazen"]),
        (MeasurementUnit(symbol: "eggs/L", kind: .eggCount, factor: 10, perMass: nil), ["eggs/l", "egg/l"]),
        (.pH, ["ph", "无量纲", "dimensionless", "-", "su", "ph units", "phunits"]),
        (.degreesCelsius, ["°c", "℃", "c", "degc", "摄氏度"]),
    ]

    /// Parses a unit as written ("µg/L", "ug/L", "μg/L", "mg／L", "EC_uS_cm" → "us/cm" …).
    /// `个/L` means eggs per litre for ascaris and a count per litre for bacteria, so the kind of
    /// the parameter decides among same-spelt units.
    public static func parse(_ text: String, kind: QuantityKind? = nil) -> MeasurementUnit? {
        let key = normalise(text)
        guard !key.isEmpty else { return nil }
        let matches = table.filter { $0.1.contains(key) || normalise($0.0.symbol) == key }.map(\.0)
        if let kind { return matches.first { $0.kind == kind } ?? (kind == .eggCount && key == "个/l" ? eggsPerLitre : nil) }
        return matches.first
    }

    static let eggsPerLitre = MeasurementUnit(symbol: "eggs/L", kind: .eggCount, factor: 10, perMass: nil)

    /// Lowercase; µ, μ and u folded to u; full-width slash and spaces removed.
    static func normalise(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "µ", "μ": result.append("u")
            case "／": result.append("/")
            case " ", "\u{3000}": continue
            case "³": result.append("3")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result.lowercased()
    }

    /// Converts `value` in this unit to `target` (same kind), or nil across kinds or media.
    public func convert(_ value: Double, to target: MeasurementUnit) -> Double? {
        guard kind == target.kind else { return nil }
        if let a = perMass, let b = target.perMass, a != b { return nil }  // mg/L is not mg/kg
        let numerator = multiplier * target.divisor, denominator = divisor * target.multiplier
        if numerator == denominator { return value }
        return numerator >= denominator ? value * (numerator / denominator) : value / (denominator / numerator)
    }
}
