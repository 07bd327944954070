import Foundation
import Ingest
import IrrigationModel
import Reports
import Yams

/// The project file (`--project FILE`, YAML): inputs and mappings for a run, so a bureau can
/// re-run a season with one command. Relative paths are relative to the file's folder.
/// The schema is documented in README.md ("Project file").
public struct ProjectFile: Sendable {
    public struct Parcels: Sendable, Equatable {
        public var path: String?
        public var layer: String?
        public var encoding: String?
        public var assumeCRS: String?
        public var fields: [ParcelField: String] = [:]
        /// GDAL's `-oo NAME=VALUE` for the parcel source.
        public var openOptions: [String] = []
        /// GDAL's `-where`: only the features it selects are parcels.
        public var attributeFilter: String?
    }

    public var parcels = Parcels()
    public var output: String?
    public var sources: TableInputOptions?
    public var water: [TableInputOptions] = []
    public var soil: [TableInputOptions] = []
    public var wells: [TableInputOptions] = []
    public var irrigation: [TableInputOptions] = []
    public var produce: [TableInputOptions] = []
    public var samplesCRS: String?
    /// Polygons with a source id: a path, or `{path, layer, open_options, where}`.
    public var serviceAreas: ParcelInputOptions?
    public var linking = LinkingOptions()
    public var rules = RuleOptions()
    public var targets: [ReportInput.Target] = []
    public var language: String?
    public var format: String?
    public var maxOutsideMetres = MonitoringOptions.defaultMaxOutsideMetres
    /// `units: assume` (default) or `strict`: what a parameter column without a unit means.
    public var unitPolicy = UnitPolicy.assumeCanonical
    /// GDAL configuration options (`gdal_config:`), as GDAL's `--config KEY VALUE`.
    public var gdalConfig: [String: String] = [:]
    /// `db:`: the database each run is also written into (`--db`).
    public var database: String?
    /// `workspace:`: the survey workspace `load` fills and `assess` reads (`--workspace`).
    public var workspace: String?

    public init() {}

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): "cannot read project file \(path): \(reason)"
            case let .invalid(path, reason): "project file \(path): \(reason)"
            }
        }
    }

    static let topLevelKeys: Set<String> = ["parcels", "output", "sources", "water", "soil", "wells", "irrigation", "produce", "samples_crs", "service_areas", "linking",
                                               "rules", "standards_override", "crops", "exclusions",
                                               "loads", "accumulation", "review", "targets", "report", "units", "gdal_config", "db", "workspace"]
    static let reportKeys: Set<String> = ["lang", "format"]
    static let loadKeys: Set<String> = ["quota_m3_per_mu", "non_detects"]
    static let accumulationKeys: Set<String> = ["depth_m", "bulk_density_t_m3", "model", "residual_rate", "horizon_years", "background_mg_kg",
                                                "other_inputs_g_ha_yr", "cumulative_caps_kg_ha"]
    static let reviewKeys: Set<String> = ["soil_salt_classes_g_kg", "soil_salt_review_class", "yield_review_below_pct", "shallow_water_table_m",
                                          "shallow_load_kg_ha_yr", "trend_min_readings", "trend_alpha"]
    static let ruleKeys: Set<String> = ["year", "statistic", "indeterminate_as", "saline_alkali", "high_fluoride", "required"]
    static let parcelKeys: Set<String> = ["path", "layer", "encoding", "assume_crs", "fields", "open_options", "where"]
    static let tableKeys: Set<String> = ["path", "layer", "encoding", "crs", "columns", "units", "detection_limits", "volume_unit", "constants", "species",
                                         "open_options", "where"]
    static let linkingKeys: Set<String> = ["soil_max_distance_m", "groundwater_radius_m", "max_outside_m"]

    /// Loads and validates a project file. Unknown keys are errors: a misspelt key silently
    /// ignored would run the wrong assessment.
    public static func load(path: String) throws -> ProjectFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LoadError.unreadable(path: path, reason: unreadableReason(path: path, error: error))
        }
        return try load(text: text, path: path)
    }

    /// Why a project file could not be read, in the user's terms (Foundation says "The operation
    /// could not be completed" for a folder, a missing file and bad UTF-8 alike).
    static func unreadableReason(path: String, error: Error) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "no such file" }
        if isFolder.boolValue {
            let inside = (path as NSString).appendingPathComponent("project.yaml")
            return FileManager.default.fileExists(atPath: inside)
                ? "this is a folder; give the project file itself: \(inside)"
                : "this is a folder, and it holds no project.yaml; give the project file itself (`irrizone init` writes one)"
        }
        guard FileManager.default.isReadableFile(atPath: path) else { return "permission denied" }
        if let bytes = FileManager.default.contents(atPath: path), String(data: bytes, encoding: .utf8) == nil {
            return "not UTF-8 text; save the project file as UTF-8"
        }
        return error.localizedDescription
    }

    /// Validates a project file's text; relative paths are relative to `path`'s folder.
    public static func load(text: String, path: String) throws -> ProjectFile {
        let node = try loadYAML(text, path: path)
        guard let root = node as? [String: Any] else {
            throw LoadError.invalid(path: path, reason: "expected a mapping with keys \(topLevelKeys.sorted().joined(separator: ", "))")
        }
        try checkKeys(root, allowed: topLevelKeys, section: "top level", path: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ value: String) -> String { Self.resolve(value, relativeTo: base) }

        var project = ProjectFile()
        if let output = root["output"] {
            guard let output = output as? String else { throw LoadError.invalid(path: path, reason: "output: expected a folder path") }
            project.output = resolve(output)
        }
        if let node = root["parcels"] { project.parcels = try parcelSection(node, path: path, resolve: resolve) }
        if let node = root["sources"] {
            let tables = try tableList(node, section: "sources", path: path, resolve: resolve)
            guard tables.count == 1 else { throw LoadError.invalid(path: path, reason: "sources: expected one file") }
            project.sources = tables[0]
        }
        project.water = try root["water"].map { try tableList($0, section: "water", path: path, resolve: resolve) } ?? []
        project.soil = try root["soil"].map { try tableList($0, section: "soil", path: path, resolve: resolve) } ?? []
        project.wells = try root["wells"].map { try tableList($0, section: "wells", path: path, resolve: resolve) } ?? []
        project.irrigation = try root["irrigation"].map { try tableList($0, section: "irrigation", path: path, resolve: resolve) } ?? []
        project.produce = try root["produce"].map { try tableList($0, section: "produce", path: path, resolve: resolve) } ?? []
        project.samplesCRS = try string(root, "samples_crs", path)
        if let node = root["service_areas"] { project.serviceAreas = try serviceAreaSection(node, path: path, resolve: resolve) }
        project.gdalConfig = try stringMap(root["gdal_config"], "gdal_config", path, gdalBooleans: true)
        project.database = try string(root, "db", path).map(resolve)
        project.workspace = try string(root, "workspace", path).map(resolve)
        if let node = root["linking"] { try linkingSection(node, into: &project, path: path) }
        if let node = root["rules"] { try ruleSection(node, into: &project.rules, path: path) }
        if let text = try string(root, "units", path) {
            guard let policy = UnitPolicy(rawValue: text) else {
                throw LoadError.invalid(path: path, reason: "units: expected \(UnitPolicy.allCases.map(\.rawValue).joined(separator: " or ")) (assume: a column without a unit takes its table's canonical unit, announced; strict: it is rejected)")
            }
            project.unitPolicy = policy
        }
        try loadReviewSections(root, into: &project.rules.review, path: path)
        if let node = root["targets"] { project.targets = try targetSection(node, path: path) }
        if let node = root["report"] {
            guard let report = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "report: expected a mapping") }
            try checkKeys(report, allowed: reportKeys, section: "report", path: path)
            project.language = try string(report, "lang", path)
            project.format = try string(report, "format", path)
        }
        if let node = root["standards_override"] {
            let list = (node as? [Any]) ?? [node]
            project.rules.standardsOverrides = try list.map { item in
                guard let file = item as? String else { throw LoadError.invalid(path: path, reason: "standards_override: expected file paths") }
                return resolve(file)
            }
        }
        if let node = root["crops"] { project.rules.extraCrops = try cropSection(node, path: path) }
        if let node = root["exclusions"] { project.rules.exclusions = try exclusionSection(node, path: path, resolve: resolve) }
        return project
    }

    /// `linking:`: how far samples and wells may be from a parcel.
    private static func linkingSection(_ node: Any, into project: inout ProjectFile, path: String) throws {
        guard let linking = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "linking: expected a mapping") }
        try checkKeys(linking, allowed: linkingKeys, section: "linking", path: path)
        if let v = try number(linking, "soil_max_distance_m", path, in: 0...100_000) { project.linking.soilMaxDistanceMetres = v }
        if let v = try number(linking, "groundwater_radius_m", path, in: 0...100_000) { project.linking.groundwaterRadiusMetres = v }
        if let v = try number(linking, "max_outside_m", path, in: 0...1_000_000) { project.maxOutsideMetres = v }
    }

    /// `rules:`: the assessment year, statistic, site conditions and required evidence.
    private static func ruleSection(_ node: Any, into options: inout RuleOptions, path: String) throws {
        guard let rules = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "rules: expected a mapping") }
        try checkKeys(rules, allowed: ruleKeys, section: "rules", path: path)
        if let year = rules["year"] {
            guard let y = year as? Int, (1900...2200).contains(y) else { throw LoadError.invalid(path: path, reason: "rules.year: expected a year") }
            options.year = y
        }
        if let text = try string(rules, "statistic", path) {
            guard let statistic = ComplianceStatistic(rawValue: text) else {
                throw LoadError.invalid(path: path, reason: "rules.statistic: expected one of \(ComplianceStatistic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.statistic = statistic
        }
        if let text = try string(rules, "indeterminate_as", path) {
            guard ["pass", "fail"].contains(text) else { throw LoadError.invalid(path: path, reason: "rules.indeterminate_as: expected pass or fail") }
            options.indeterminateAsPass = text == "pass"
        }
        options.conditions.salineAlkali = rules["saline_alkali"] as? Bool ?? false
        options.conditions.highFluoride = rules["high_fluoride"] as? Bool ?? false
        if let node = rules["required"] { options.requiredChanges = try requiredChanges(node, path: path) }
    }

    /// `targets:`: the reclaimed-water volumes the report compares against.
    private static func targetSection(_ node: Any, path: String) throws -> [ReportInput.Target] {
        guard let list = node as? [[String: Any]] else { throw LoadError.invalid(path: path, reason: "targets: expected a list of {year, volume_10k_m3}") }
        return try list.enumerated().map { index, item in
            guard let year = item["year"] as? Int, let volume = try number(item, "volume_10k_m3", path, in: 0...1e9) else {
                throw LoadError.invalid(path: path, reason: "targets[\(index)]: needs year and volume_10k_m3")
            }
            return ReportInput.Target(year: year, volume10kM3: volume, label: item["label"] as? String)
        }
    }

    /// `crops:`: crop names the catalog does not know, with their class.
    private static func cropSection(_ node: Any, path: String) throws -> [CropEntry] {
        var crops: [CropEntry] = []
        guard let list = node as? [[String: Any]] else { throw LoadError.invalid(path: path, reason: "crops: expected a list of {names, class}") }
        for (index, item) in list.enumerated() {
            guard let names = item["names"] as? [String], let className = item["class"] as? String, let cropClass = CropClass(rawValue: className) else {
                throw LoadError.invalid(path: path, reason: "crops[\(index)]: needs names (a list) and class (one of \(CropClass.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            crops.append(CropEntry(names: names, cropClass: cropClass, salt: item["salt"] as? String,
                                                      boron: (item["boron"] as? String).flatMap(BoronTolerance.init(rawValue:)), note: "project file"))
        }
        return crops
    }

    /// `rules.required`: per medium (water, soil), `add: [ids]` and `drop: {id: reason}`.
    private static func requiredChanges(_ node: Any, path: String) throws -> RequiredEvidenceChanges {
        guard let mapping = node as? [String: Any] else {
            throw LoadError.invalid(path: path, reason: "rules.required: expected a mapping with water and/or soil, each with add: [ids] and drop: {id: reason}")
        }
        try checkKeys(mapping, allowed: ["water", "soil"], section: "rules.required", path: path)
        var changes = RequiredEvidenceChanges()
        for (key, medium) in [("water", Medium.water), ("soil", Medium.soil)] {
            guard let node = mapping[key] else { continue }
            guard let section = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "rules.required.\(key): expected add: and/or drop:") }
            try checkKeys(section, allowed: ["add", "drop"], section: "rules.required.\(key)", path: path)
            if let add = section["add"] {
                guard let list = add as? [String] else { throw LoadError.invalid(path: path, reason: "rules.required.\(key).add: expected a list of parameter ids") }
                changes.add += list.map { (medium, $0) }
            }
            if let drop = section["drop"] {
                guard let reasons = drop as? [String: Any] else {
                    throw LoadError.invalid(path: path, reason: "rules.required.\(key).drop: expected a mapping of item to the reason it is not needed")
                }
                for (item, reason) in reasons.sorted(by: { $0.key < $1.key }) {
                    guard let reason = reason as? String else {
                        throw LoadError.invalid(path: path, reason: "rules.required.\(key).drop.\(item): expected the reason as text")
                    }
                    changes.drop.append((medium, item, reason))
                }
            }
        }
        return changes
    }

    /// `loads:`, `accumulation:` and `review:` (issue #5 settings; defaults in `ReviewOptions`).
    private static func loadReviewSections(_ root: [String: Any], into review: inout ReviewOptions, path: String) throws {
        func mapping(_ key: String, _ allowed: Set<String>) throws -> [String: Any]? {
            guard let node = root[key] else { return nil }
            guard let m = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "\(key): expected a mapping") }
            try checkKeys(m, allowed: allowed, section: key, path: path)
            return m
        }
        func numbers(_ node: Any?, _ section: String) throws -> [String: Double] {
            try stringMap(node, section, path).mapValues { text in try finite(text, section, path) }
        }
        if let loads = try mapping("loads", loadKeys) {
            for (name, value) in try numbers(loads["quota_m3_per_mu"], "loads.quota_m3_per_mu") {
                guard let cropClass = CropClass(rawValue: name) else { throw LoadError.invalid(path: path, reason: "loads.quota_m3_per_mu: unknown crop class \(name)") }
                review.quotaM3PerMu[cropClass] = value
            }
            if let rule = try string(loads, "non_detects", path) {
                guard let value = ReviewOptions.NonDetectRule(rawValue: rule) else { throw LoadError.invalid(path: path, reason: "loads.non_detects: expected half, zero or limit") }
                review.nonDetects = value
            }
        }
        if let a = try mapping("accumulation", accumulationKeys) {
            if let v = try number(a, "depth_m", path, in: 0.01...5) { review.accumulation.depthMetres = v }
            if let v = try number(a, "bulk_density_t_m3", path, in: 0.1...3) { review.accumulation.bulkDensity = v }
            if let v = try number(a, "horizon_years", path, in: 1...1000) { review.accumulation.horizonYears = v }
            if let model = try string(a, "model", path) {
                guard let value = AccumulationOptions.Model(rawValue: model) else { throw LoadError.invalid(path: path, reason: "accumulation.model: expected linear or residual") }
                review.accumulation.model = value
            }
            review.accumulation.residualRate = try numbers(a["residual_rate"], "accumulation.residual_rate")
            review.accumulation.background = try numbers(a["background_mg_kg"], "accumulation.background_mg_kg")
            review.accumulation.otherInputs = try numbers(a["other_inputs_g_ha_yr"], "accumulation.other_inputs_g_ha_yr")
            review.accumulation.cumulativeCaps = try numbers(a["cumulative_caps_kg_ha"], "accumulation.cumulative_caps_kg_ha")
        }
        if let r = try mapping("review", reviewKeys) {
            if let list = r["soil_salt_classes_g_kg"] {
                guard let values = (list as? [Any])?.compactMap({ ($0 as? Double) ?? ($0 as? Int).map(Double.init) }), values.count == 4,
                      values.allSatisfy(\.isFinite), zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw LoadError.invalid(path: path, reason: "review.soil_salt_classes_g_kg: expected four increasing numbers")
                }
                review.soilSaltClassLimits = values
            }
            if let v = try integer(r, "soil_salt_review_class", path, in: 1...4) { review.soilSaltReviewClass = v }
            if let v = try number(r, "yield_review_below_pct", path, in: 0...100) { review.yieldReviewBelowPercent = v }
            if let v = try number(r, "shallow_water_table_m", path, in: 0...1000) { review.shallowWaterTableMetres = v }
            if let v = try integer(r, "trend_min_readings", path, in: 3...10_000) { review.trendMinimumReadings = v }
            if let v = try number(r, "trend_alpha", path, in: 0.000001...0.5) { review.trendAlpha = v }
            let loads = try numbers(r["shallow_load_kg_ha_yr"], "review.shallow_load_kg_ha_yr")
            if !loads.isEmpty { review.shallowLoadKgPerHectare = loads }
        }
    }

    /// - Parameter gdalBooleans: YAML's `YES`/`true` read as GDAL's `YES` (open options and
    ///   configuration options), instead of an error.
    static func stringMap(_ node: Any?, _ section: String, _ path: String, gdalBooleans: Bool = false) throws -> [String: String] {
        guard let node, !(node is NSNull) else { return [:] }
        guard let mapping = node as? [String: Any] else { throw LoadError.invalid(path: path, reason: "\(section): expected a mapping") }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            switch value {
            case let text as String: result[key] = text
            case let number as Int: result[key] = String(number)
            case let number as Double: result[key] = String(number)
            case let flag as Bool where gdalBooleans: result[key] = flag ? "YES" : "NO"
            default: throw LoadError.invalid(path: path, reason: "\(section).\(key): expected text")
            }
        }
        return result
    }

    /// A number, finite and within `range` (YAML's `.nan` and `.inf` are numbers to YAML, not to
    /// the rules: issue #23).
    static func number(_ mapping: [String: Any], _ key: String, _ path: String,
                               in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double? {
        guard let value = mapping[key] else { return nil }
        let number: Double
        if let integer = value as? Int { number = Double(integer) } else if let real = value as? Double { number = real } else {
            throw LoadError.invalid(path: path, reason: "\(key): expected a number")
        }
        guard number.isFinite, range.contains(number) else {
            throw LoadError.invalid(path: path, reason: "\(key): \(number) is not a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A whole number within `range` (a count or a class index).
    private static func integer(_ mapping: [String: Any], _ key: String, _ path: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try number(mapping, key, path, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard value == value.rounded() else { throw LoadError.invalid(path: path, reason: "\(key): expected a whole number, not \(value)") }
        return Int(value)
    }

    /// A text as a finite number (maps of numbers are read as text first).
    private static func finite(_ text: String, _ section: String, _ path: String) throws -> Double {
        guard let value = Double(text), value.isFinite else {
            throw LoadError.invalid(path: path, reason: "\(section): \"\(text)\" is not a finite number")
        }
        return value
    }

    /// Largest YAML text read (a project file is a page; this bounds what a parser is handed).
    static let largestFileBytes = 1 << 20

    /// Parses YAML refusing what a project file never needs and an attacker could use: files
    /// past `largestFileBytes`, nesting past 64 levels, and more than `largestValueCount` values
    /// once aliases are expanded (a "billion laughs" file of a few hundred bytes expands to
    /// gigabytes when its values are built). Shared by the project file and province overrides.
    static func loadYAML(_ text: String, path: String) throws -> Any? {
        guard text.utf8.count <= largestFileBytes else {
            throw LoadError.invalid(path: path, reason: "\(text.utf8.count) bytes: larger than a project file can be (\(largestFileBytes) bytes)")
        }
        do {
            // Composing shares an alias's node instead of copying it, so it costs no more than the
            // text; the values are counted, as building them would expand them, up to the limit.
            if let root = try Yams.compose(yaml: text) {
                var budget = largestValueCount
                try count(root, budget: &budget, depth: 0, path: path)
            }
            return try Yams.load(yaml: text)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError.invalid(path: path, reason: "not valid YAML: \(error)")
        }
    }

    /// Values a project file may hold, aliases expanded (a county's crops and exclusions are
    /// hundreds).
    static let largestValueCount = 100_000

    private static func count(_ node: Node, budget: inout Int, depth: Int, path: String) throws {
        guard depth < 64 else { throw LoadError.invalid(path: path, reason: "nested more than 64 levels deep") }
        budget -= 1
        guard budget >= 0 else {
            throw LoadError.invalid(path: path, reason: "more than \(largestValueCount) values once its aliases (*name) are expanded: write the values out instead of repeating anchors")
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try count(key, budget: &budget, depth: depth + 1, path: path)
                try count(value, budget: &budget, depth: depth + 1, path: path)
            }
        case .sequence(let sequence):
            for element in sequence { try count(element, budget: &budget, depth: depth + 1, path: path) }
        case .scalar, .alias: break
        }
    }

    static func checkKeys(_ mapping: [String: Any], allowed: Set<String>, section: String, path: String) throws {
        for key in mapping.keys where !allowed.contains(key) {
            throw LoadError.invalid(path: path, reason: "unknown key \"\(key)\" (\(section)); expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    static func string(_ mapping: [String: Any], _ key: String, _ path: String) throws -> String? {
        guard let value = mapping[key], !(value is NSNull) else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw LoadError.invalid(path: path, reason: "\(key): expected text")
    }
}
