import Foundation
import IrrigationModel
import Yams

/// The project file (`--config FILE`, YAML): inputs and mappings for a run, so a bureau can
/// re-run a season with one command. Relative paths are relative to the file's folder.
/// The schema is documented in README.md ("Project file").
public struct ProjectFile: Sendable, Equatable {
    public struct Parcels: Sendable, Equatable {
        public var path: String?
        public var layer: String?
        public var encoding: String?
        public var assumeCRS: String?
        public var fields: [ParcelField: String] = [:]
    }

    public var parcels = Parcels()
    public var output: String?

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

    static let topLevelKeys: Set<String> = ["parcels", "output"]
    static let parcelKeys: Set<String> = ["path", "layer", "encoding", "assume_crs", "fields"]

    /// Loads and validates a project file. Unknown keys are errors: a misspelt key silently
    /// ignored would run the wrong assessment.
    public static func load(path: String) throws -> ProjectFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LoadError.unreadable(path: path, reason: error.localizedDescription)
        }
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch {
            throw LoadError.invalid(path: path, reason: "not valid YAML: \(error)")
        }
        guard let root = node as? [String: Any] else {
            throw LoadError.invalid(path: path, reason: "expected a mapping with keys \(topLevelKeys.sorted().joined(separator: ", "))")
        }
        try checkKeys(root, allowed: topLevelKeys, section: "top level", path: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ value: String) -> String {
            value.hasPrefix("/") || value.hasPrefix("/vsi") ? value : base.appendingPathComponent(value).path
        }

        var project = ProjectFile()
        if let output = root["output"] {
            guard let output = output as? String else { throw LoadError.invalid(path: path, reason: "output: expected a folder path") }
            project.output = resolve(output)
        }
        if let parcelsNode = root["parcels"] {
            guard let parcels = parcelsNode as? [String: Any] else {
                throw LoadError.invalid(path: path, reason: "parcels: expected a mapping with keys \(parcelKeys.sorted().joined(separator: ", "))")
            }
            try checkKeys(parcels, allowed: parcelKeys, section: "parcels", path: path)
            project.parcels.path = try string(parcels, "path", path).map(resolve)
            project.parcels.layer = try string(parcels, "layer", path)
            project.parcels.encoding = try string(parcels, "encoding", path)
            project.parcels.assumeCRS = try string(parcels, "assume_crs", path)
            if let fieldsNode = parcels["fields"] {
                guard let fields = fieldsNode as? [String: Any] else {
                    throw LoadError.invalid(path: path, reason: "parcels.fields: expected a mapping of role to field name")
                }
                for (key, value) in fields {
                    guard let role = ParcelField(rawValue: key) else {
                        throw LoadError.invalid(path: path, reason: "parcels.fields: unknown role \"\(key)\"; roles are \(ParcelField.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    guard let name = value as? String else {
                        throw LoadError.invalid(path: path, reason: "parcels.fields.\(key): expected a field name")
                    }
                    project.parcels.fields[role] = name
                }
            }
        }
        return project
    }

    private static func checkKeys(_ mapping: [String: Any], allowed: Set<String>, section: String, path: String) throws {
        for key in mapping.keys where !allowed.contains(key) {
            throw LoadError.invalid(path: path, reason: "unknown key \"\(key)\" (\(section)); expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private static func string(_ mapping: [String: Any], _ key: String, _ path: String) throws -> String? {
        guard let value = mapping[key], !(value is NSNull) else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw LoadError.invalid(path: path, reason: "\(key): expected text")
    }
}
