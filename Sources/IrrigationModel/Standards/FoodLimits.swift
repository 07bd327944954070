/// GB 2762 食品中污染物限量: contaminant limits in food by food category (standards.json
/// `food_contaminants`), each with its source and confidence.
public struct FoodLimits: Sendable, Decodable {
    public struct Limit: Sendable, Decodable {
        public var parameter: String
        public var max: Double
        public var unit: String
        public var confidence: String
        public var source: String
        public var note: String?
    }
    public struct Category: Sendable, Decodable {
        public var zh: String
        public var en: String
        public var note: String?
        public var limits: [Limit]
    }
    public var id: String
    public var title: String
    public var note: String
    public var categories: [String: Category]

    /// The food category a crop's harvest falls in when its catalog entry names none: rice for
    /// paddy, and for vegetables of unknown kind the category with the strictest limits.
    public static func defaultCategory(for cropClass: CropClass) -> String? {
        switch cropClass {
        case .paddy: "rice"
        case .vegetableCooked, .vegetableRaw: "other_vegetables"
        case .fruit: "fruit"
        case .drylandGrainOil: "other_cereals"
        case .fiberIndustrial, .feedForage, .landscapeForest, .unknown: nil
        }
    }
}
