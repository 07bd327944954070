import Foundation

/// How a parcel may be irrigated (灌溉方式): the methods as data (`Resources/methods.json`, zh/en,
/// aliases, best first) and the rules that take methods away, each with its source.
public struct IrrigationMethodCatalog: Sendable {
    public struct Method: Sendable, Decodable, Hashable {
        public var id, zh, en: String
        public var aliases: [String]
        /// Whether the water falls on the leaves (overhead methods).
        public var wetsFoliage: Bool
        /// Whether the water can reach the edible part of the crop.
        public var contactsEdiblePart: Bool
        enum CodingKeys: String, CodingKey { case id, zh, en, aliases, wetsFoliage = "wets_foliage", contactsEdiblePart = "contacts_edible_part" }
    }

    /// Methods, best first.
    public let methods: [Method]
    public let note: String
    /// Crop classes that take only methods keeping water off the edible part.
    public let contactFreeClasses: Set<CropClass>
    public let contactFreeSource: String
    /// Crop classes not irrigated overhead.
    public let dryCanopyClasses: Set<CropClass>
    public let dryCanopySource: String
    /// FAO 29 Table 1: sodium and chloride (me/L) above which overhead methods are not allowed.
    public let foliarSodiumMeqPerLitre: Double
    public let foliarChlorideMeqPerLitre: Double
    public let foliarSource: String
    private let byAlias: [String: Int]

    public static func bundled() throws -> IrrigationMethodCatalog {
        guard let url = Bundle.module.url(forResource: "methods", withExtension: "json") else { throw CropCatalog.LoadError.missingResource("methods.json") }
        return try IrrigationMethodCatalog(data: Data(contentsOf: url))
    }

    struct File: Decodable {
        var note: String
        var methods: [Method]
        var rules: Rules
        struct Rules: Decodable {
            var contact_free_classes: Classes
            var dry_canopy_classes: Classes
            var foliar_injury: Foliar
        }
        struct Classes: Decodable { var classes: [String]; var source: String }
        struct Foliar: Decodable { var sodium_meq_per_l, chloride_meq_per_l: Double; var source: String }
    }

    public init(data: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: data)
        methods = file.methods
        note = file.note
        func classes(_ names: [String]) throws -> Set<CropClass> {
            Set(try names.map { name in
                guard let cropClass = CropClass(rawValue: name) else { throw CropCatalog.LoadError.invalid("methods.json: unknown crop class \(name)") }
                return cropClass
            })
        }
        contactFreeClasses = try classes(file.rules.contact_free_classes.classes)
        contactFreeSource = file.rules.contact_free_classes.source
        dryCanopyClasses = try classes(file.rules.dry_canopy_classes.classes)
        dryCanopySource = file.rules.dry_canopy_classes.source
        foliarSodiumMeqPerLitre = file.rules.foliar_injury.sodium_meq_per_l
        foliarChlorideMeqPerLitre = file.rules.foliar_injury.chloride_meq_per_l
        foliarSource = file.rules.foliar_injury.source
        var aliases: [String: Int] = [:]
        for (index, method) in methods.enumerated() {
            for alias in method.aliases + [method.id, method.zh, method.en] { aliases[Self.key(alias)] = index }
        }
        byAlias = aliases
    }

    /// Trimmed, lower case, without spaces. Asked for every parcel that names its method, so
    /// without Foundation's `replacingOccurrences` (docs/scaling.md).
    private static func key(_ text: String) -> String {
        String(String.UnicodeScalarView(text.trimmingWhitespace().lowercased().unicodeScalars.filter { $0 != " " }))
    }

    /// The method a parcel's field names, nil when the text is none of them.
    public func method(named text: String) -> Method? { byAlias[Self.key(text)].map { methods[$0] } }
}

/// Why a method is not allowed on a parcel (`irrigation_method_reasons`).
public enum IrrigationMethodReason: String, OutputCode, Codable {
    case wetsRawEatenCrop = "METHOD_WETS_RAW_EATEN_CROP", wetsFruit = "METHOD_WETS_FRUIT"
    case foliarSalt = "METHOD_FOLIAR_SALT", foliarEvidenceMissing = "METHOD_FOLIAR_EVIDENCE_MISSING"
}

/// The irrigation methods a parcel may take, best first, with the reasons others were taken away.
public struct IrrigationMethodAdvice: Sendable, Hashable {
    public var allowed: [String]
    public var reasons: [IrrigationMethodReason]
    public var recommended: String? { allowed.first }
}

extension IrrigationMethodCatalog {
    /// IUPAC molar masses: Na 22.990, Cl 35.453 g/mol (monovalent: 1 me/L = that many mg/L).
    static let sodiumMgPerMeq = 22.990, chlorideMgPerMeq = 35.453

    /// The methods allowed for a crop class under water with these annual means (mg/L; nil when
    /// not measured). Overhead methods need both chloride and sodium measured to be allowed at
    /// all: FAO 29 Table 1 limits each on its own, so a low chloride does not clear an unmeasured
    /// sodium (one measured above its limit is reason enough to take them away).
    public func advice(for cropClass: CropClass, chloride: Double?, sodium: Double?) -> IrrigationMethodAdvice {
        var reasons: [IrrigationMethodReason] = []
        var allowed = methods
        if contactFreeClasses.contains(cropClass) {
            allowed.removeAll { $0.contactsEdiblePart }
            reasons.append(.wetsRawEatenCrop)
        }
        if dryCanopyClasses.contains(cropClass), allowed.contains(where: \.wetsFoliage) {
            allowed.removeAll { $0.wetsFoliage }
            reasons.append(.wetsFruit)
        }
        if allowed.contains(where: \.wetsFoliage) {
            let salty = (chloride.map { $0 / Self.chlorideMgPerMeq > foliarChlorideMeqPerLitre } ?? false)
                || (sodium.map { $0 / Self.sodiumMgPerMeq > foliarSodiumMeqPerLitre } ?? false)
            if salty || chloride == nil || sodium == nil {
                allowed.removeAll { $0.wetsFoliage }
                reasons.append(salty ? .foliarSalt : .foliarEvidenceMissing)
            }
        }
        return IrrigationMethodAdvice(allowed: allowed.map(\.id), reasons: reasons)
    }
}
