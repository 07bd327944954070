import Foundation
import Ingest
import IrrigationModel

/// The project file's input sections: the parcel layer, the monitoring tables, exclusion layers
/// and service areas, with GDAL's open options and filters (issue #25), and how their paths are
/// resolved.
extension ProjectFile {
    /// `parcels:`: the layer and its field roles.
    static func parcelSection(_ node: Any, path: String, resolve: (String) -> String) throws -> Parcels {
        var options = Parcels()
        guard let parcels = node as? [String: Any] else {
            throw LoadError.invalid(path: path, reason: "parcels: expected a mapping with keys \(parcelKeys.sorted().joined(separator: ", "))")
        }
        try checkKeys(parcels, allowed: parcelKeys, section: "parcels", path: path)
        options.path = try string(parcels, "path", path).map(resolve)
        options.layer = try string(parcels, "layer", path)
        options.encoding = try string(parcels, "encoding", path)
        options.assumeCRS = try string(parcels, "assume_crs", path)
        options.openOptions = try openOptions(parcels["open_options"], "parcels.open_options", path)
        options.attributeFilter = try string(parcels, "where", path)
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
                options.fields[role] = name
            }
        }
        return options
    }

    /// `exclusions:`: areas where reclaimed water is prohibited (a path, or a path with a buffer, name and layer).
    static func exclusionSection(_ node: Any, path: String, resolve: (String) -> String) throws -> [ExclusionInput] {
        let list = (node as? [Any]) ?? [node]
        return try list.enumerated().map { index, item in
            if let file = item as? String { return ExclusionInput(path: resolve(file)) }
            guard let mapping = item as? [String: Any], let file = mapping["path"] as? String else {
                throw LoadError.invalid(path: path, reason: "exclusions[\(index)]: expected a path or {path, buffer_m, name, layer, open_options, where}")
            }
            try checkKeys(mapping, allowed: ["path", "buffer_m", "name", "layer", "open_options", "where"], section: "exclusions[\(index)]", path: path)
            var input = ExclusionInput(path: resolve(file), bufferMetres: try number(mapping, "buffer_m", path, in: 0...ExclusionInput.largestBufferMetres) ?? 0,
                                       name: mapping["name"] as? String, layer: try string(mapping, "layer", path))
            input.openOptions = try openOptions(mapping["open_options"], "exclusions[\(index)].open_options", path)
            input.attributeFilter = try string(mapping, "where", path)
            return input
        }
    }

    /// A path of the project file, relative to its folder; an absolute path, a GDAL virtual path
    /// (`/vsizip/…`) or a data source name GDAL opens by its prefix (`PG:`, `MySQL:`, `ODBC:`, a URL)
    /// as it is (issue #25: `path: "PG:…"` was taken for a relative file).
    static func resolve(_ value: String, relativeTo base: URL) -> String {
        if value.hasPrefix("/") || isDataSourceName(value) { return value }
        return base.appendingPathComponent(value).path
    }

    /// `PG:dbname=…`, `MySQL:…`, `https://…`: a driver prefix of two or more letters and a colon
    /// (one letter and a colon is a Windows drive).
    static func isDataSourceName(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":") else { return false }
        let prefix = value[..<colon]
        return prefix.count >= 2 && prefix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// A monitoring input: a path, a mapping (`path`, `columns`, `units`, …), or a list of them.
    static func tableList(_ node: Any, section: String, path: String, resolve: (String) -> String) throws -> [TableInputOptions] {
        if let list = node as? [Any] { return try list.flatMap { try tableList($0, section: section, path: path, resolve: resolve) } }
        if let file = node as? String { return [TableInputOptions(path: resolve(file))] }
        guard let mapping = node as? [String: Any] else {
            throw LoadError.invalid(path: path, reason: "\(section): expected a file path, a mapping with keys \(tableKeys.sorted().joined(separator: ", ")), or a list of them")
        }
        try checkKeys(mapping, allowed: tableKeys, section: section, path: path)
        guard let file = try string(mapping, "path", path) else { throw LoadError.invalid(path: path, reason: "\(section): path is missing") }
        var options = TableInputOptions(path: resolve(file))
        options.layer = try string(mapping, "layer", path)
        options.encoding = try string(mapping, "encoding", path)
        options.crs = try string(mapping, "crs", path)
        options.openOptions = try openOptions(mapping["open_options"], "\(section).open_options", path)
        options.attributeFilter = try string(mapping, "where", path)
        options.volumeUnit = try string(mapping, "volume_unit", path)
        options.columns = try stringMap(mapping["columns"], "\(section).columns", path)
        options.units = try stringMap(mapping["units"], "\(section).units", path)
        options.constants = try stringMap(mapping["constants"], "\(section).constants", path)
        if let text = try string(mapping, "species", path) {
            guard let species = NitrogenSpecies(rawValue: text) else {
                throw LoadError.invalid(path: path, reason: "\(section).species: expected as_n (nitrate, nitrite, ammonia reported as nitrogen) or as_ion (as NO₃⁻, NO₂⁻, NH₃)")
            }
            options.nitrogenSpecies = species
        }
        for (key, value) in try stringMap(mapping["detection_limits"], "\(section).detection_limits", path) {
            guard let limit = Double(value), limit.isFinite, limit >= 0 else {
                throw LoadError.invalid(path: path, reason: "\(section).detection_limits.\(key): expected a number of zero or more")
            }
            options.detectionLimits[key] = limit
        }
        return [options]
    }

    /// GDAL open options as a mapping (`{LIST_ALL_TABLES: YES}`) or a list (`["LIST_ALL_TABLES=YES"]`),
    /// as `NAME=VALUE` texts.
    static func openOptions(_ node: Any?, _ section: String, _ path: String) throws -> [String] {
        guard let node, !(node is NSNull) else { return [] }
        if let list = node as? [Any] {
            return try list.map { item in
                guard let text = item as? String, let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                    throw LoadError.invalid(path: path, reason: "\(section): expected NAME=VALUE items, e.g. [\"LIST_ALL_TABLES=YES\"]")
                }
                return text
            }
        }
        return try stringMap(node, section, path, gdalBooleans: true).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// `service_areas:`: a path, or `{path, layer, open_options, where}`.
    static func serviceAreaSection(_ node: Any, path: String, resolve: (String) -> String) throws -> ParcelInputOptions {
        if let file = node as? String { return ParcelInputOptions(path: resolve(file)) }
        guard let mapping = node as? [String: Any], let file = mapping["path"] as? String else {
            throw LoadError.invalid(path: path, reason: "service_areas: expected a path or {path, layer, open_options, where}")
        }
        try checkKeys(mapping, allowed: ["path", "layer", "open_options", "where"], section: "service_areas", path: path)
        var input = ParcelInputOptions(path: resolve(file), layer: try string(mapping, "layer", path))
        input.openOptions = try openOptions(mapping["open_options"], "service_areas.open_options", path)
        input.attributeFilter = try string(mapping, "where", path)
        return input
    }
}
