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
enum StandardsOverrideFile {
    static func load(path: String) throws -> StandardsCatalog.Override {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ProjectFile.LoadError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let root = try ProjectFile.loadYAML(text, path: path) as? [String: Any] else {
            throw ProjectFile.LoadError.invalid(path: path, reason: "expected a mapping with name, source, limits")
        }
        let allowed: Set<String> = ["name", "source", "allow_less_strict", "limits"]
        for key in root.keys where !allowed.contains(key) {
            throw ProjectFile.LoadError.invalid(path: path, reason: "unknown key \"\(key)\"; expected \(allowed.sorted().joined(separator: ", "))")
        }
        var limits: [StandardsCatalog.Override.Limit] = []
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
        }
        return StandardsCatalog.Override(name: root["name"] as? String ?? "", source: root["source"] as? String ?? "",
                                         allowLessStrict: root["allow_less_strict"] as? Bool ?? false, limits: limits)
    }
}
