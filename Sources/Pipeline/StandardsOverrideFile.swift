import Foundation
import IrrigationModel
import Yams

/// A province override file (YAML):
///
/// ```yaml
/// name: 某省再生水农田灌溉水质标准
/// source: DB14/T 0000-2025
/// allow_less_strict: false
/// limits:
///   - {standard: GB5084-2021, parameter: chloride, column: all, max: 250}
///   - {standard: DB14-2025, parameter: cd, column: feed_forage, max: 0.005}
/// ```
///
/// A standard for a use of an outlet (the one irrizone cannot source, SL 368 for industry):
///
/// ```yaml
/// name: 再生水水质标准（工业用水）
/// source: SL 368-2006 表X, as printed
/// uses: {industry: SL368-2006}
/// limits:
///   - {standard: SL368-2006, parameter: ph, min: 6.5, max: 8.5}
///   - {standard: SL368-2006, parameter: turbidity, max: 5, unit: NTU}
///   - {standard: SL368-2006, parameter: total_hardness, max: 450, selective: true}
/// ```
enum StandardsOverrideFile {
    static func load(path: String) throws -> StandardsCatalog.Override {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ProjectFile.LoadError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let root = try ProjectFile.loadYAML(text, path: path) as? [String: Any] else {
            throw ProjectFile.LoadError.invalid(path: path, reason: "expected a mapping with name, source, limits")
        }
        let allowed: Set<String> = ["name", "source", "allow_less_strict", "limits", "uses"]
        for key in root.keys where !allowed.contains(key) {
            throw ProjectFile.LoadError.invalid(path: path, reason: "unknown key \"\(key)\"; expected \(allowed.sorted().joined(separator: ", "))")
        }
        var limits: [StandardsCatalog.Override.Limit] = [], selective: Set<String> = []
        var uses: [WaterUse: String] = [:]
        if let node = root["uses"] {
            guard let mapping = node as? [String: Any] else { throw ProjectFile.LoadError.invalid(path: path, reason: "uses: expected a mapping of use to standard id, e.g. {industry: SL368-2006}") }
            for (key, value) in mapping {
                guard let use = WaterUse(rawValue: key), use != .farmland else {
                    throw ProjectFile.LoadError.invalid(path: path, reason: "uses: \"\(key)\" is not a use with a standard of its own; expected one of \(WaterUse.allCases.filter { $0 != .farmland }.map(\.rawValue).joined(separator: ", "))")
                }
                guard let id = value as? String, !id.isEmpty else { throw ProjectFile.LoadError.invalid(path: path, reason: "uses.\(key): expected a standard id") }
                uses[use] = id
            }
        }
        for (index, node) in ((root["limits"] as? [Any]) ?? []).enumerated() {
            guard let item = node as? [String: Any], let standard = item["standard"] as? String, let parameter = item["parameter"] as? String else {
                throw ProjectFile.LoadError.invalid(path: path, reason: "limits[\(index)]: needs standard and parameter")
            }
            func number(_ key: String) throws -> Double? {
                guard let value = item[key] else { return nil }
                if let v = value as? Int { return Double(v) }
                if let v = value as? Double, v.isFinite { return v }
                throw ProjectFile.LoadError.invalid(path: path, reason: "limits[\(index)].\(key): expected a number")
            }
            let max = try number("max"), min = try number("min")
            guard max != nil || min != nil else { throw ProjectFile.LoadError.invalid(path: path, reason: "limits[\(index)]: needs max or min") }
            limits.append(.init(standard: standard, parameter: parameter, column: item["column"] as? String ?? "all",
                                condition: item["condition"] as? String, min: min, max: max, unit: item["unit"] as? String))
            if item["selective"] as? Bool == true { selective.insert("\(standard):\(parameter)") }
        }
        var override = StandardsCatalog.Override(name: root["name"] as? String ?? "", source: root["source"] as? String ?? "",
                                                 allowLessStrict: root["allow_less_strict"] as? Bool ?? false, limits: limits)
        override.uses = uses
        override.selective = selective
        return override
    }
}
