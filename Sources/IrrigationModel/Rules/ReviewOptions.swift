import Foundation

/// Settings of the loads and review rules (project file `loads:`, `review:`).
public struct ReviewOptions: Sendable, Hashable {
    /// Irrigation quota (m³/mu·yr) when a parcel has no records. Defaults from GB 5084-92 via
    /// standards.md §1: paddy 800, dryland 300; vegetables 350 (the middle of 200–500 per crop).
    public var quotaM3PerMu: [CropClass: Double] = [
        .paddy: 800, .drylandGrainOil: 300, .feedForage: 300, .fiberIndustrial: 300, .fruit: 300, .landscapeForest: 300,
        .vegetableCooked: 350, .vegetableRaw: 350,
    ]
    /// How years without water samples are filled (see `ReviewEngine.concentration`).
    public static let concentrationYears = "each year's annual mean; a year without samples uses the nearest year's mean (the later year on a tie)"
    public static let quotaSource = "GB 5084-92 irrigation quotas (standards.md §1, [S7]): paddy 800, dryland 300 m³/亩·a; vegetables 350 m³/亩 (middle of 200–500 per crop)"
    public enum NonDetectRule: String, Sendable, Hashable, Codable { case half, zero, limit }
    /// How a non-detect enters an annual mean (default: half the detection limit).
    public var nonDetects = NonDetectRule.half
    public var accumulation = AccumulationOptions()
    /// Soil salt (g/kg) class limits: non-saline < 1, slight < 2, moderate < 4, severe < 6, else
    /// saline soil. Project default (commonly used North-China grading, unverified: M).
    public var soilSaltClassLimits: [Double] = [1, 2, 4, 6]
    public static let soilSaltClassNames = ["non_saline", "slight", "moderate", "severe", "saline_soil"]
    /// A soil salt class at or above this index is a review (default: moderate).
    public var soilSaltReviewClass = 2
    /// Relative yield below this (%) is a review (DESIGN.md §4: 90 %).
    public var yieldReviewBelowPercent = 90.0
    /// Depth to water below which the water table counts as shallow (DESIGN.md §4: 3 m).
    public var shallowWaterTableMetres = 3.0
    /// Loads (kg/ha·yr) above which a shallow water table is a review. Project defaults, no
    /// published source: chloride 500, salt 2 000.
    public var shallowLoadKgPerHectare: [String: Double] = ["chloride": 500, "salt": 2000]
    /// Trend test: parameters, minimum readings, significance (DESIGN.md §4).
    public var trendParameters = ["chloride", "tds", "nitrate_n"]
    public var trendMinimumReadings = 6
    public var trendAlpha = 0.05
    public init() {}
}

/// A value per load: chloride, salt, then the soil elements (`ReviewEngine.loadKeys`). The keys
/// are fixed, so a parcel's loads are a short array rather than a hashed dictionary (the rules
/// make three of them for every parcel).
public struct LoadValues<Value: Sendable>: Sendable {
    /// Every key's value or nil, in key order. Public storage, so that other modules (the parcel
    /// file, the summary) get these accessors inlined and specialized (docs/scaling.md).
    public var inKeyOrder: [Value?]

    @inlinable public init() { inKeyOrder = Array(repeating: nil, count: ReviewEngine.loadKeys.count) }

    /// The value of a load key; nil for a key that is not one.
    @inlinable public subscript(key: String) -> Value? { ReviewEngine.loadKeys.firstIndex(of: key).flatMap { inKeyOrder[$0] } }

    /// The value at a position in `ReviewEngine.loadKeys`.
    @inlinable public subscript(index index: Int) -> Value? {
        get { inKeyOrder[index] }
        set { inKeyOrder[index] = newValue }
    }

    @inlinable public var isEmpty: Bool { !inKeyOrder.contains { $0 != nil } }
    /// The values there are, in key order.
    @inlinable public var values: [Value] { inKeyOrder.compactMap { $0 } }
    /// Whether a value there is satisfies `predicate` (without making `values`).
    @inlinable public func contains(where predicate: (Value) -> Bool) -> Bool {
        inKeyOrder.contains { $0.map(predicate) ?? false }
    }
}
