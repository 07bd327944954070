import Foundation
import GeoKit
import Ingest
import IrrigationModel

/// `irrizone check`: reads the same inputs as `assess` and says what it would accept, repair and
/// reject. Writes nothing.
public struct CheckReport: Codable, Sendable {
    public struct ParcelLayer: Codable, Sendable {
        public var path: String
        public var layer: String
        public var driver: String
        public var crs: String
        public var crsAssumed: Bool
        public var textEncoding: String
        public var fields: [String]
        public var fieldMapping: [String: String]
        public var featuresIn: Int
        public var accepted: Int
        public var repaired: Int
        public var rejected: Int
        public var rejectedByCode: [String: Int]
        public var firstRejects: [Reject]
        public var firstRepairs: [Repair]
        public var areaHectares: Double
    }

    public var canAssess: Bool
    public var parcels: ParcelLayer
    public var warnings: [String]

    public static func make(options: AssessOptions) throws -> CheckReport {
        GDALEnvironment.initialize()
        guard GDALEnvironment.geosVersion != nil else { throw PipelineError.gdalWithoutGEOS }
        let reading = try ParcelReader(options: options.parcels).read()
        let parcels = ParcelLayer(
            path: options.parcels.path, layer: reading.layerName, driver: reading.driver, crs: reading.sourceCRS,
            crsAssumed: reading.crsWasAssumed, textEncoding: reading.textEncoding, fields: reading.fieldNames,
            fieldMapping: Dictionary(uniqueKeysWithValues: reading.fieldMapping.map { ($0.key.rawValue, $0.value) }),
            featuresIn: reading.featuresRead, accepted: reading.parcels.count, repaired: reading.repairedCount,
            rejected: reading.rejects.count,
            rejectedByCode: Dictionary(reading.rejects.map { ($0.code, 1) }, uniquingKeysWith: +),
            firstRejects: Array(reading.rejects.prefix(20)), firstRepairs: Array(reading.repairs.prefix(20)),
            areaHectares: reading.parcels.reduce(0) { $0 + $1.areaHectares })
        return CheckReport(canAssess: !reading.parcels.isEmpty, parcels: parcels, warnings: reading.warnings)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report for people.
    public var text: String {
        var lines: [String] = []
        let p = parcels
        lines.append("parcels: \(p.path)")
        lines.append("  layer \"\(p.layer)\" (\(p.driver)), CRS \(p.crs)\(p.crsAssumed ? " (assumed)" : ""), text \(p.textEncoding)")
        let mapped = ParcelField.allCases.map { role in "\(role.rawValue)=\(p.fieldMapping[role.rawValue] ?? "—")" }
        lines.append("  fields: \(mapped.joined(separator: ", "))")
        lines.append("  features: \(p.featuresIn) in, \(p.accepted) accepted (\(p.repaired) repaired), \(p.rejected) rejected")
        for (code, count) in p.rejectedByCode.sorted(by: { $0.key < $1.key }) { lines.append("    \(code): \(count)") }
        for reject in p.firstRejects.prefix(10) { lines.append("    \(reject.location): \(reject.reason)") }
        for repair in p.firstRepairs.prefix(10) { lines.append("    repaired \(repair.location): \(repair.reason)") }
        lines.append("  area: \(String(format: "%.2f", p.areaHectares)) ha (\(String(format: "%.1f", p.areaHectares * 15)) mu)")
        for warning in warnings { lines.append("warning: \(warning)") }
        lines.append(canAssess ? "ok: the inputs can be assessed" : "cannot assess: no parcel was accepted")
        return lines.joined(separator: "\n")
    }
}
