import Foundation

/// What a verdict must rest on (issue #22, DESIGN.md §4 "Evidence before verdicts"): the
/// parameters a source's water in the assessment year and a parcel's soil must have had
/// measured before either can support `suitable`. A test not done is not a pass.
///
/// Defaults come from `standards.json` (`required_evidence`), each list with its source; a
/// project adds items or, with a stated reason, drops one (`rules.required`).
public struct RequiredEvidence: Sendable {
    /// One required item: satisfied when any of its parameters was measured (the first
    /// measured stands for it: TDS or EC for total salt, total Cr for Cr(VI)).
    public struct Item: Sendable, Hashable {
        public var item: String
        public var anyOf: [String]
        public var note: String?
        public init(item: String, anyOf: [String], note: String? = nil) { self.item = item; self.anyOf = anyOf; self.note = note }

        /// "total_salt (or tds, ec)": the item with its stand-ins.
        public var summary: String { anyOf.count > 1 ? "\(item) (or \(anyOf.dropFirst().joined(separator: ", ")))" : item }
    }

    /// An item the project dropped, with the reason it gave.
    public struct Dropped: Sendable, Hashable {
        public var medium: Medium
        public var item: String
        public var reason: String
    }

    public var water: [Item]
    public var soil: [Item]
    public var waterSource: String
    public var soilSource: String
    public var waterConfidence: String
    public var soilConfidence: String
    /// Items the project added (by medium) and dropped, for run.json and the report.
    public private(set) var added: [(medium: Medium, item: String)] = []
    public private(set) var dropped: [Dropped] = []

    public init(water: [Item], soil: [Item], waterSource: String, soilSource: String, waterConfidence: String, soilConfidence: String) {
        self.water = water; self.soil = soil; self.waterSource = waterSource; self.soilSource = soilSource
        self.waterConfidence = waterConfidence; self.soilConfidence = soilConfidence
    }

    public enum ChangeError: Error, Equatable, CustomStringConvertible {
        case unknownParameter(medium: Medium, parameter: String)
        case dropWithoutReason(medium: Medium, item: String)
        case notRequired(medium: Medium, item: String)

        public var description: String {
            switch self {
            case let .unknownParameter(medium, parameter):
                "rules.required.\(medium.rawValue): \"\(parameter)\" is not a parameter irrizone knows (see `irrizone standards`; ids such as ph, bod5, cd)"
            case let .dropWithoutReason(medium, item):
                "rules.required.\(medium.rawValue).drop: \(item) needs a reason (drop: {\(item): \"why this evidence is not needed\"})"
            case let .notRequired(medium, item):
                "rules.required.\(medium.rawValue).drop: \(item) is not among the required items (`irrizone standards` lists them)"
            }
        }
    }

    /// Adds a parameter (by id or name) to the items required of `medium`.
    public mutating func add(_ parameterName: String, to medium: Medium) throws {
        guard let parameter = ParameterCatalog.parameter(id: parameterName) ?? ParameterCatalog.parameter(named: parameterName) else {
            throw ChangeError.unknownParameter(medium: medium, parameter: parameterName)
        }
        let item = Item(item: parameter.id, anyOf: [parameter.id], note: "added by the project")
        switch medium {
        case .soil: if !soil.contains(where: { $0.item == parameter.id }) { soil.append(item) }
        default: if !water.contains(where: { $0.item == parameter.id }) { water.append(item) }
        }
        added.append((medium, parameter.id))
    }

    /// Drops a required item; the reason is recorded in run.json and the report.
    public mutating func drop(_ item: String, from medium: Medium, reason: String) throws {
        guard !reason.trimmingWhitespace().isEmpty else { throw ChangeError.dropWithoutReason(medium: medium, item: item) }
        let id = ParameterCatalog.parameter(named: item)?.id ?? item
        switch medium {
        case .soil:
            guard soil.contains(where: { $0.item == id }) else { throw ChangeError.notRequired(medium: medium, item: item) }
            soil.removeAll { $0.item == id }
        default:
            guard water.contains(where: { $0.item == id }) else { throw ChangeError.notRequired(medium: medium, item: item) }
            water.removeAll { $0.item == id }
        }
        dropped.append(Dropped(medium: medium, item: id, reason: reason))
    }

    /// The items not satisfied by `measured` (parameter ids with a value or a non-detect).
    public static func missing(_ items: [Item], measured: (String) -> Bool) -> [String] {
        items.filter { !$0.anyOf.contains(where: measured) }.map(\.item)
    }
}

/// The guard on a unit assumed for a column without one (issue #22): a column whose typical
/// value is implausible in the assumed unit is refused whole, naming the likely unit. Data in
/// `plausibility.json`, each bound a project default with its basis.
public struct UnitPlausibility: Sendable {
    public struct Bound: Sendable, Hashable {
        public var parameter: String
        /// The highest plausible median of a column's detected values, in the canonical unit.
        public var medianMax: Double
        public var likelyUnit: String
        public var basis: String
    }

    public let water: [String: Bound]
    public let soil: [String: Bound]

    /// The bound for a parameter in a medium (groundwater uses the water bounds).
    public func bound(_ parameter: Parameter, in medium: Medium) -> Bound? {
        medium == .soil ? soil[parameter.id] : water[parameter.id]
    }

    struct File: Decodable {
        var water: [Entry]
        var soil: [Entry]
        struct Entry: Decodable { var parameter: String; var median_max: Double; var likely_unit: String; var basis: String }
    }

    public init(data: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: data)
        func table(_ entries: [File.Entry]) throws -> [String: Bound] {
            var result: [String: Bound] = [:]
            for entry in entries {
                guard ParameterCatalog.parameter(id: entry.parameter) != nil else {
                    throw CropCatalog.LoadError.invalid("plausibility.json names unknown parameter \(entry.parameter)")
                }
                result[entry.parameter] = Bound(parameter: entry.parameter, medianMax: entry.median_max, likelyUnit: entry.likely_unit, basis: entry.basis)
            }
            return result
        }
        water = try table(file.water)
        soil = try table(file.soil)
    }

    public static func bundled() throws -> UnitPlausibility {
        guard let url = Bundle.module.url(forResource: "plausibility", withExtension: "json") else {
            throw CropCatalog.LoadError.missingResource("plausibility.json")
        }
        return try UnitPlausibility(data: Data(contentsOf: url))
    }

    /// The median of values (nil when there are none).
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
