import Foundation

/// Crop classes of DESIGN.md §4.
public enum CropClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case fiberIndustrial = "fiber_industrial", feedForage = "feed_forage", drylandGrainOil = "dryland_grain_oil", paddy
    case vegetableCooked = "vegetable_cooked", vegetableRaw = "vegetable_raw", fruit, landscapeForest = "landscape_forest", unknown

    public static func < (a: CropClass, b: CropClass) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// The reclaimed-water policy's view of a crop class (DESIGN.md §1).
public enum PolicyTier: String, Sendable, Hashable, Codable {
    case preferred, cautious, notRecommended = "not_recommended"
}

/// GB 15618-2018 land-use columns.
public enum SoilLandUse: String, Sendable, Hashable, Codable {
    case paddy, orchard, other
}

/// GB 5084 boron tiers (Table 2 footnotes c, d, e).
public enum BoronTolerance: String, Sendable, Hashable, Codable {
    case sensitive, fairlyTolerant = "fairly_tolerant", tolerant
}

/// Policy and standard columns of one crop class.
public struct CropClassPolicy: Sendable, Hashable, Codable {
    public var zh: String
    public var tier: PolicyTier?
    /// GB 5084-2021 column (paddy, dryland, vegetable_a, vegetable_b); nil: the strictest.
    public var gb5084: String?
    /// GB 20922-2007 column (fiber, dryland_grain_oil, paddy_grain, vegetable); nil: the strictest.
    public var gb20922: String?
    public var soilLandUse: SoilLandUse
    public var source: String

    enum CodingKeys: String, CodingKey { case zh, tier, gb5084, gb20922, soilLandUse = "soil_land_use", source }
}

/// One crop with its names.
public struct CropEntry: Sendable, Hashable, Codable {
    public var names: [String]
    public var cropClass: CropClass
    /// Key into the FAO 29 crop salt-tolerance table.
    public var salt: String?
    public var boron: BoronTolerance?
    /// The GB 2762 food category of its harvest (standards.json `food_contaminants`); nil for a
    /// crop that is not food.
    public var food: String?
    public var note: String?

    enum CodingKeys: String, CodingKey { case names, cropClass = "class", salt, boron, food, note }

    public init(names: [String], cropClass: CropClass, salt: String? = nil, boron: BoronTolerance? = nil, food: String? = nil, note: String? = nil) {
        self.names = names; self.cropClass = cropClass; self.salt = salt; self.boron = boron; self.food = food; self.note = note
    }
}

/// How a parcel's crop class was decided.
public struct CropClassification: Sendable, Hashable {
    public enum Basis: Sendable, Hashable {
        case cropName(String)
        case landUseCode(String)
        case none
    }
    public var cropClass: CropClass
    public var basis: Basis
    public var entry: CropEntry?

    public init(cropClass: CropClass, basis: Basis, entry: CropEntry?) { self.cropClass = cropClass; self.basis = basis; self.entry = entry }
}

/// The crop catalog: names (Chinese, English, aliases) → class → policy tier and columns. Data,
/// bundled as `crops.json`, extendable in the project file.
public struct CropCatalog: Sendable {
    public let version: String
    public private(set) var classes: [CropClass: CropClassPolicy]
    public private(set) var crops: [CropEntry]
    public let landUseCodes: [(prefix: String, name: String, cropClass: CropClass)]
    public let landUseSource: String
    private var byName: [String: Int] = [:]

    struct File: Decodable {
        var version: String
        var classes: [String: CropClassPolicy]
        var crops: [CropEntry]
        var land_use_codes: [Code]
        var land_use_source: String
        struct Code: Decodable { var prefix: String; var name: String; var `class`: CropClass }
    }

    public enum LoadError: Error, CustomStringConvertible {
        case missingResource(String)
        case invalid(String)
        public var description: String {
            switch self {
            case .missingResource(let name): "the bundled \(name) is missing next to the irrizone binary (irrizone_IrrigationModel.resources)"
            case .invalid(let message): message
            }
        }
    }

    public static func bundled() throws -> CropCatalog {
        guard let url = Bundle.module.url(forResource: "crops", withExtension: "json") else { throw LoadError.missingResource("crops.json") }
        return try CropCatalog(data: Data(contentsOf: url))
    }

    public init(data: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: data)
        version = file.version
        var classes: [CropClass: CropClassPolicy] = [:]
        for (key, policy) in file.classes {
            guard let cropClass = CropClass(rawValue: key) else { throw LoadError.invalid("crops.json: unknown crop class \(key)") }
            classes[cropClass] = policy
        }
        guard Set(classes.keys) == Set(CropClass.allCases) else { throw LoadError.invalid("crops.json must describe every crop class") }
        self.classes = classes
        crops = []
        landUseCodes = file.land_use_codes.map { ($0.prefix, $0.name, $0.class) }
        landUseSource = file.land_use_source
        for entry in file.crops { try add(entry) }
    }

    /// Adds (or, for names already known, re-classifies) a crop, e.g. from the project file.
    public mutating func add(_ entry: CropEntry) throws {
        crops.append(entry)
        for name in entry.names { byName[Self.key(name)] = crops.count - 1 }
    }

    public func policy(_ cropClass: CropClass) -> CropClassPolicy { classes[cropClass]! }

    /// The crop's class: by name (exact, case- and width-insensitive), else by the 三调 land-use
    /// code when no crop is given. A crop name the catalog does not know is `unknown`: never guessed.
    public func classify(crop: String?, landUseCode: String?) -> CropClassification {
        if let crop, !crop.trimmingWhitespace().isEmpty {
            if let index = byName[Self.key(crop)] {
                return CropClassification(cropClass: crops[index].cropClass, basis: .cropName(crop), entry: crops[index])
            }
            return CropClassification(cropClass: .unknown, basis: .cropName(crop), entry: nil)
        }
        if let code = landUseCode?.trimmingWhitespace(), !code.isEmpty,
           let match = landUseCodes.filter({ code.hasPrefix($0.prefix) }).max(by: { $0.prefix.count < $1.prefix.count }) {
            return CropClassification(cropClass: match.cropClass, basis: .landUseCode(code), entry: nil)
        }
        return CropClassification(cropClass: .unknown, basis: .none, entry: nil)
    }

    static func key(_ name: String) -> String { ParameterCatalog.normalise(name) }
}
