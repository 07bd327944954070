import Foundation

/// One limit of an irrigation-water standard, as the data file states it.
public struct WaterLimit: Sendable, Hashable, Codable {
    public var standard: String
    public var parameter: String
    /// The standard's column (or, for province standards, a crop class or "all").
    public var column: String
    /// total_salt: non_saline / saline_alkali; f: general / high_fluoride; b: boron_<tolerance>.
    public var condition: String?
    public var min: Double?
    public var max: Double?
    public var unit: String
    public var table: String
    /// C1, C2, C2*, M (unverified), D (derived).
    public var confidence: String
    public var source: String
    /// The province override that set this value, when one did.
    public var overriddenBy: String?

    public var isUnverified: Bool { confidence == "M" }
}

/// A water standard's identity and columns.
public struct WaterStandard: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var columns: [String]
    public var columnNames: [String: String]
    public var source: String
}

/// GB 15618-2018 values for one element.
public struct SoilThreshold: Sendable, Hashable {
    public var parameter: String
    public var landUse: String  // paddy, orchard, other, all
    public var screening: [Double]  // four pH bands
}

/// Conditions that pick among a standard's alternative limits.
public struct SiteConditions: Sendable, Hashable, Codable {
    /// Saline-alkali land takes GB 5084's 2 000 mg/L total-salt limit instead of 1 000.
    public var salineAlkali = false
    /// High-fluoride areas take GB 5084's high-fluoride limit.
    public var highFluoride = false
    public init() {}
}

/// The limit that binds one parameter for a set of columns: the strictest of all that apply.
public struct EffectiveLimit: Sendable, Hashable, Codable {
    public var parameter: String
    public var min: Double?
    public var max: Double?
    public var unit: String
    /// The limits this came from (the binding ones first).
    public var sources: [WaterLimit]
    public var isUnverified: Bool { sources.contains { $0.isUnverified } }
    public var standardLabel: String { Array(Set(sources.map(\.standard))).sorted().joined(separator: " + ") }
}

/// Every standard irrizone applies, as data (standards.json), after province overrides.
public struct StandardsCatalog: Sendable {
    public let version: String
    public private(set) var waterStandards: [WaterStandard]
    public private(set) var waterLimits: [WaterLimit]
    public let soilStandard: (id: String, title: String, bands: [String], confidence: String, source: String, screeningTable: String, interventionTable: String)
    public let soilScreening: [SoilThreshold]
    public let soilIntervention: [String: [Double]]
    public let groundwater: (id: String, title: String, confidence: String, source: String, table: String)
    /// What a verdict needs measured (issue #22); the project's `rules.required` changes it.
    public var requiredEvidence: RequiredEvidence
    /// parameter → class I–IV upper limits (or [min, max] ranges for pH).
    public let groundwaterClasses: [String: [Double]]
    public let groundwaterRanges: [String: [[Double]]]
    public let fao29WaterClasses: [(parameter: String, noneBelow: Double, severeAbove: Double, confidence: String, source: String)]
    public let cropSaltTolerance: [String: (threshold: Double, slope: Double, confidence: String, source: String)]
    public let faoConstants: [String: (value: Double, confidence: String, source: String)]
    /// GB 2762 limits for produce by food category.
    public let foodLimits: FoodLimits
    /// The standard columns each non-farmland use of an outlet is judged by (`use_standards`;
    /// an override may add one, `Override.uses`: SL 368 for industry, read by the bureau); a use
    /// missing here is not judged.
    public private(set) var useStandards: [WaterUse: [String: [String]]]
    /// Overrides applied, in order: name and source.
    public private(set) var overrides: [(name: String, source: String)] = []

    // MARK: - Loading

    struct File: Decodable {
        var version: String
        var water_standards: [Water]
        var soil: Soil
        var groundwater: Groundwater
        var fao29: FAO
        var required_evidence: Required
        var food_contaminants: FoodLimits
        var use_standards: [String: UseStandardEntry]
        /// A use's standard columns, or (under "note") the text explaining the table.
        enum UseStandardEntry: Decodable {
            case columns([String: [String]]), note(String)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let text = try? c.decode(String.self) { self = .note(text) } else { self = .columns(try c.decode([String: [String]].self)) }
            }
        }
        struct Required: Decodable {
            var water: Medium
            var soil: Medium
            struct Medium: Decodable { var source, confidence: String; var items: [Item] }
            struct Item: Decodable { var item: String; var any_of: [String]; var note: String? }
        }
        struct Water: Decodable {
            var id, title, source: String
            var columns: [String]
            var column_names: [String: String]
            var limits: [Limit]
        }
        struct Limit: Decodable {
            var parameter, unit, table, confidence, source: String
            var condition: String?
            var min: NumberOrList?
            var max: NumberOrList?
        }
        enum NumberOrList: Decodable {
            /// One value for every column, or one per column (null: the column sets none).
            case one(Double), each([Double?])
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let v = try? c.decode(Double.self) { self = .one(v) } else { self = .each(try c.decode([Double?].self)) }
            }
        }
        struct Soil: Decodable {
            var id, title, unit, confidence, source, screening_table, intervention_table: String
            var ph_bands: [String]
            var screening: [Screening]
            var intervention: [Intervention]
            struct Screening: Decodable { var parameter, land_use: String; var values: [Double] }
            struct Intervention: Decodable { var parameter: String; var values: [Double] }
        }
        struct Groundwater: Decodable {
            var id, title, confidence, source, table: String
            var items: [Item]
            struct Item: Decodable { var parameter, unit: String; var classes: [Double]?; var range_classes: [[Double]]? }
        }
        struct FAO: Decodable {
            var water_classes: [WaterClass]
            var constants: [Constant]
            var crop_salt_tolerance: [Tolerance]
            struct WaterClass: Decodable { var parameter: String; var none_below, severe_above: Double; var confidence, source: String }
            struct Constant: Decodable { var name: String; var value: Double; var confidence, source: String }
            struct Tolerance: Decodable { var crop: String; var threshold, slope: Double; var confidence, source: String }
        }
    }

    public static func bundled() throws -> StandardsCatalog {
        guard let url = Bundle.module.url(forResource: "standards", withExtension: "json") else {
            throw CropCatalog.LoadError.missingResource("standards.json")
        }
        return try StandardsCatalog(data: Data(contentsOf: url))
    }

    public init(data: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: data)
        version = file.version
        var standards: [WaterStandard] = []
        var limits: [WaterLimit] = []
        for water in file.water_standards {
            standards.append(WaterStandard(id: water.id, title: water.title, columns: water.columns, columnNames: water.column_names, source: water.source))
            for limit in water.limits {
                guard ParameterCatalog.parameter(id: limit.parameter) != nil else {
                    throw CropCatalog.LoadError.invalid("standards.json: \(water.id) names unknown parameter \(limit.parameter)")
                }
                for (index, column) in water.columns.enumerated() {
                    func pick(_ value: File.NumberOrList?) throws -> Double? {
                        switch value {
                        case nil: return nil
                        case .one(let v): return v
                        case .each(let list):
                            guard list.count == water.columns.count else {
                                throw CropCatalog.LoadError.invalid("standards.json: \(water.id) \(limit.parameter) needs \(water.columns.count) values")
                            }
                            return list[index]
                        }
                    }
                    let min = try pick(limit.min), max = try pick(limit.max)
                    guard min != nil || max != nil else { continue }  // this column sets no limit
                    limits.append(WaterLimit(standard: water.id, parameter: limit.parameter, column: column, condition: limit.condition,
                                             min: min, max: max, unit: limit.unit, table: limit.table,
                                             confidence: limit.confidence, source: limit.source, overriddenBy: nil))
                }
            }
        }
        waterStandards = standards
        waterLimits = limits
        soilStandard = (file.soil.id, file.soil.title, file.soil.ph_bands, file.soil.confidence, file.soil.source,
                        file.soil.screening_table, file.soil.intervention_table)
        soilScreening = file.soil.screening.map { SoilThreshold(parameter: $0.parameter, landUse: $0.land_use, screening: $0.values) }
        soilIntervention = Dictionary(uniqueKeysWithValues: file.soil.intervention.map { ($0.parameter, $0.values) })
        groundwater = (file.groundwater.id, file.groundwater.title, file.groundwater.confidence, file.groundwater.source, file.groundwater.table)
        func items(_ medium: File.Required.Medium) throws -> [RequiredEvidence.Item] {
            try medium.items.map { item in
                for id in item.any_of where ParameterCatalog.parameter(id: id) == nil {
                    throw CropCatalog.LoadError.invalid("standards.json: required_evidence names unknown parameter \(id)")
                }
                return RequiredEvidence.Item(item: item.item, anyOf: item.any_of, note: item.note)
            }
        }
        requiredEvidence = RequiredEvidence(water: try items(file.required_evidence.water), soil: try items(file.required_evidence.soil),
                                            waterSource: file.required_evidence.water.source, soilSource: file.required_evidence.soil.source,
                                            waterConfidence: file.required_evidence.water.confidence, soilConfidence: file.required_evidence.soil.confidence)
        groundwaterClasses = Dictionary(uniqueKeysWithValues: file.groundwater.items.compactMap { item in item.classes.map { (item.parameter, $0) } })
        groundwaterRanges = Dictionary(uniqueKeysWithValues: file.groundwater.items.compactMap { item in item.range_classes.map { (item.parameter, $0) } })
        fao29WaterClasses = file.fao29.water_classes.map { ($0.parameter, $0.none_below, $0.severe_above, $0.confidence, $0.source) }
        cropSaltTolerance = Dictionary(uniqueKeysWithValues: file.fao29.crop_salt_tolerance.map { ($0.crop, ($0.threshold, $0.slope, $0.confidence, $0.source)) })
        faoConstants = Dictionary(uniqueKeysWithValues: file.fao29.constants.map { ($0.name, ($0.value, $0.confidence, $0.source)) })
        foodLimits = file.food_contaminants
        var uses: [WaterUse: [String: [String]]] = [:]
        for (key, entry) in file.use_standards {
            switch entry {
            case .note: continue  // for the reader of standards.json
            case .columns(let columns):
                guard let use = WaterUse(rawValue: key) else { throw CropCatalog.LoadError.invalid("standards.json: use_standards names unknown use \(key)") }
                uses[use] = columns
            }
        }
        useStandards = uses
    }

    // MARK: - Soil (GB 15618-2018)

    /// pH band index 0…3: ≤5.5; 5.5<pH≤6.5; 6.5<pH≤7.5; >7.5.
    public static func phBand(_ ph: Double) -> Int { ph <= 5.5 ? 0 : ph <= 6.5 ? 1 : ph <= 7.5 ? 2 : 3 }

    /// Screening value (mg/kg) for an element, land use and pH.
    public func soilScreeningValue(_ parameter: String, landUse: SoilLandUse, ph: Double) -> Double? {
        // The land use's own row, else the "all" row, else "other" (one pass, no copies: the
        // rules ask for every element of every parcel).
        var fallback: SoilThreshold? = nil
        for row in soilScreening where row.parameter == parameter {
            if row.landUse == landUse.rawValue { return row.screening[Self.phBand(ph)] }
            if row.landUse == "all", fallback?.landUse != "all" { fallback = row }
            if row.landUse == "other", fallback == nil { fallback = row }
        }
        return fallback?.screening[Self.phBand(ph)]
    }

    /// Intervention value (mg/kg); nil for Cu, Ni, Zn, which have none.
    public func soilInterventionValue(_ parameter: String, ph: Double) -> Double? { soilIntervention[parameter]?[Self.phBand(ph)] }

    /// GB/T 14848 class III upper limit (or pH range).
    public func groundwaterClassIII(_ parameter: String) -> (min: Double?, max: Double)? {
        if let classes = groundwaterClasses[parameter] { return (nil, classes[2]) }
        if let ranges = groundwaterRanges[parameter] { return (ranges[2][0], ranges[2][1]) }
        return nil
    }

    // MARK: - Irrigation water

    /// The columns a crop class is held to, per standard. Province standards are keyed by crop
    /// class; a class without a column (unknown, or not covered) is held to every column, i.e.
    /// the strictest.
    public func columns(for policy: CropClassPolicy, cropClass: CropClass) -> [String: [String]] {
        var result: [String: [String]] = [:]
        // The standards of other uses (GB/T 18920 …) are not farmland standards.
        let useStandardIDs = Set(useStandards.values.flatMap(\.keys))
        for standard in waterStandards where !useStandardIDs.contains(standard.id) {
            switch standard.id {
            case "GB5084-2021": result[standard.id] = policy.gb5084.map { [$0] } ?? standard.columns
            case "GB20922-2007": result[standard.id] = policy.gb20922.map { [$0] } ?? standard.columns
            default: result[standard.id] = cropClass == .unknown ? standard.columns : [cropClass.rawValue, "all"]
            }
        }
        return result
    }

    /// The strictest limit per parameter across `columns` (standard → columns) under the site
    /// conditions and boron tolerance (nil tolerance: the most sensitive tier).
    public func effectiveLimits(columns: [String: [String]], conditions: SiteConditions, boron: BoronTolerance?) -> [String: EffectiveLimit] {
        var result: [String: EffectiveLimit] = [:]
        for limit in waterLimits {
            guard let wanted = columns[limit.standard], wanted.contains(limit.column) else { continue }
            if let condition = limit.condition {
                switch condition {
                case "non_saline": if conditions.salineAlkali { continue }
                case "saline_alkali": if !conditions.salineAlkali { continue }
                case "general": if conditions.highFluoride { continue }
                case "high_fluoride": if !conditions.highFluoride { continue }
                case "boron_sensitive": if let boron, boron != .sensitive { continue }
                case "boron_fairly_tolerant": if boron != .fairlyTolerant { continue }
                case "boron_tolerant": if boron != .tolerant { continue }
                default: break
                }
            }
            var effective = result[limit.parameter] ?? EffectiveLimit(parameter: limit.parameter, min: nil, max: nil, unit: limit.unit, sources: [])
            if let max = limit.max {
                if effective.max == nil || max < effective.max! { effective.max = max; effective.sources.insert(limit, at: 0) }
                else { effective.sources.append(limit) }
            }
            if let min = limit.min {
                if effective.min == nil || min > effective.min! { effective.min = min; if limit.max == nil { effective.sources.insert(limit, at: 0) } }
                else if limit.max == nil { effective.sources.append(limit) }
            }
            result[limit.parameter] = effective
        }
        return result
    }

    // MARK: - Province overrides

    /// A province's own standard or amendments (issue #4): replaces or adds limits and must say
    /// its name and source. Loosening a national limit needs `allowLessStrict`.
    public struct Override: Sendable, Hashable {
        public struct Limit: Sendable, Hashable {
            public var standard: String
            public var parameter: String
            /// A column of the standard, a crop class (new standards), or "all".
            public var column: String
            public var condition: String?
            public var min: Double?
            public var max: Double?
            public var unit: String?
            public init(standard: String, parameter: String, column: String, condition: String? = nil, min: Double? = nil, max: Double? = nil, unit: String? = nil) {
                self.standard = standard; self.parameter = parameter; self.column = column; self.condition = condition
                self.min = min; self.max = max; self.unit = unit
            }
        }
        public var name: String
        public var source: String
        public var allowLessStrict: Bool
        public var limits: [Limit]
        /// Uses of an outlet this override gives a standard for (`industry: SL368-2006`): the
        /// standard's limits, all in column "all", judge that use, each one required unless
        /// `selective`.
        public var uses: [WaterUse: String] = [:]
        /// Limits (by standard and parameter) that are judged when measured but not required.
        public var selective: Set<String> = []
        public init(name: String, source: String, allowLessStrict: Bool, limits: [Limit]) {
            self.name = name; self.source = source; self.allowLessStrict = allowLessStrict; self.limits = limits
        }
    }

    public enum OverrideError: Error, Equatable, CustomStringConvertible {
        case missingNameOrSource
        case lessStrict(name: String, standard: String, parameter: String, column: String, national: Double, proposed: Double)
        case unknownParameter(String)
        case unknownColumn(standard: String, column: String)
        case useStandardIsNational(use: String, standard: String)
        case badUnit(parameter: String, unit: String, canonical: String)
        case useWithoutLimits(use: String, standard: String)

        public var description: String {
            switch self {
            case .missingNameOrSource: "a standards override must give its name and source"
            case let .lessStrict(name, standard, parameter, column, national, proposed):
                "override \"\(name)\" loosens \(standard) \(parameter) (\(column)) from \(national) to \(proposed); set allow_less_strict: true if the province standard really allows this"
            case .unknownParameter(let p): "override names unknown parameter \"\(p)\""
            case let .unknownColumn(standard, column): "override: \(standard) has no column \"\(column)\""
            case let .useStandardIsNational(use, standard):
                "override: uses: \(use) names \(standard), a standard irrizone already has; a use's own standard is a new id (e.g. SL368-2006) with its limits under limits:"
            case let .useWithoutLimits(use, standard): "override: uses: \(use) names \(standard), but no required (not selective) limit of it is given"
            case let .badUnit(parameter, unit, canonical):
                "override: \(parameter)'s limit is given in \"\(unit)\", which is not a unit of \(parameter); give it in \(canonical) or a unit that converts to it"
            }
        }
    }

    /// Applies an override; returns warnings (loosened limits that were allowed).
    public mutating func apply(_ override: Override) throws -> [String] {
        guard !override.name.trimmingWhitespace().isEmpty, !override.source.trimmingWhitespace().isEmpty else { throw OverrideError.missingNameOrSource }
        var warnings: [String] = []
        // A use's own standard: one column, "all"; its limits are required unless selective.
        let bundledIDs = Set(waterStandards.map(\.id))
        for (use, id) in override.uses.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard !bundledIDs.contains(id) else { throw OverrideError.useStandardIsNational(use: use.rawValue, standard: id) }
            // At least one limit must be required: with only selective ones, an outlet that
            // measured nothing would pass the use.
            guard override.limits.contains(where: { $0.standard == id && !override.selective.contains("\(id):\($0.parameter)") }) else {
                throw OverrideError.useWithoutLimits(use: use.rawValue, standard: id)
            }
            if !waterStandards.contains(where: { $0.id == id }) {  // one standard may serve two uses
                waterStandards.append(WaterStandard(id: id, title: override.name, columns: ["all"], columnNames: ["all": use.rawValue], source: override.source))
            }
            // Beside the use's bundled standard, if it has one: the strictest of them applies.
            useStandards[use, default: [:]][id] = ["all"]
        }
        let useStandardIDs = Set(override.uses.values)
        for var item in override.limits {
            guard let parameter = ParameterCatalog.parameter(id: item.parameter) else { throw OverrideError.unknownParameter(item.parameter) }
            // A limit in another unit of its kind is converted to the one the values are held in
            // (a coliform limit per 100 mL is ten times that per L); a unit of another kind is refused.
            let canonical = parameter.canonicalUnit(in: .water)
            if let text = item.unit {
                guard let unit = MeasurementUnit.parse(text, kind: parameter.kind), unit.kind == parameter.kind else {
                    throw OverrideError.badUnit(parameter: item.parameter, unit: text, canonical: canonical.symbol)
                }
                let factor = unit.factor / canonical.factor
                item.max = item.max.map { $0 * factor }
                item.min = item.min.map { $0 * factor }
            }
            item.unit = canonical.symbol
            if let standard = waterStandards.first(where: { $0.id == item.standard }) {
                let columns = item.column == "all" ? standard.columns : [item.column]
                guard columns.allSatisfy(standard.columns.contains) else { throw OverrideError.unknownColumn(standard: item.standard, column: item.column) }
                for column in columns {
                    let matches = waterLimits.indices.filter {
                        waterLimits[$0].standard == item.standard && waterLimits[$0].parameter == item.parameter
                            && waterLimits[$0].column == column && waterLimits[$0].condition == item.condition
                    }
                    for index in matches {
                        let old = waterLimits[index]
                        if let new = item.max, let national = old.max, new > national {
                            guard override.allowLessStrict else {
                                throw OverrideError.lessStrict(name: override.name, standard: item.standard, parameter: item.parameter, column: column, national: national, proposed: new)
                            }
                            warnings.append("override \"\(override.name)\" loosens \(item.standard) \(item.parameter) (\(column)) from \(national) to \(new) (allow_less_strict)")
                        }
                        if let new = item.min, let national = old.min, new < national {
                            guard override.allowLessStrict else {
                                throw OverrideError.lessStrict(name: override.name, standard: item.standard, parameter: item.parameter, column: column, national: national, proposed: new)
                            }
                            warnings.append("override \"\(override.name)\" loosens \(item.standard) \(item.parameter) minimum (\(column)) from \(national) to \(new) (allow_less_strict)")
                        }
                        waterLimits[index].max = item.max ?? old.max
                        waterLimits[index].min = item.min ?? old.min
                        waterLimits[index].overriddenBy = override.name
                        waterLimits[index].confidence = "override"
                        waterLimits[index].source = "\(override.name) (\(override.source)); replaces \(old.confidence): \(old.source)"
                    }
                    if matches.isEmpty {
                        let table = !useStandardIDs.contains(item.standard) ? "override"
                            : override.selective.contains("\(item.standard):\(item.parameter)") ? "selective" : "basic"
                        waterLimits.append(WaterLimit(standard: item.standard, parameter: item.parameter, column: column, condition: item.condition,
                                                      min: item.min, max: item.max, unit: item.unit ?? "mg/L", table: table,
                                                      confidence: "override", source: "\(override.name) (\(override.source))", overriddenBy: override.name))
                    }
                }
            } else {
                // A province standard of its own: columns are crop classes (or "all").
                guard item.column == "all" || CropClass(rawValue: item.column) != nil else {
                    throw OverrideError.unknownColumn(standard: item.standard, column: item.column)
                }
                if !waterStandards.contains(where: { $0.id == item.standard }) {
                    waterStandards.append(WaterStandard(id: item.standard, title: override.name, columns: CropClass.allCases.map(\.rawValue) + ["all"],
                                                        columnNames: [:], source: override.source))
                }
                waterLimits.append(WaterLimit(standard: item.standard, parameter: item.parameter, column: item.column, condition: item.condition,
                                              min: item.min, max: item.max, unit: item.unit ?? "mg/L", table: "province",
                                              confidence: "override", source: "\(override.name) (\(override.source))", overriddenBy: override.name))
            }
        }
        overrides.append((override.name, override.source))
        return warnings
    }
}
