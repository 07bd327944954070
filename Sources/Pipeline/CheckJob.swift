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
    public var monitoring: [InputFileReport]
    public var firstMonitoringRejects: [Reject]
    public var linking: LinkCoverage?
    public var warnings: [String]

    public static func make(options: AssessOptions) throws -> CheckReport {
        GDALEnvironment.initialize()
        guard GDALEnvironment.geosVersion != nil else { throw PipelineError.gdalWithoutGEOS }
        var timer = PhaseTimer()
        let project = try IngestStage.run(options, timer: &timer)
        let reading = project.parcels
        let parcels = ParcelLayer(
            path: options.parcels.path, layer: reading.layerName, driver: reading.driver, crs: reading.sourceCRS,
            crsAssumed: reading.crsWasAssumed, textEncoding: reading.textEncoding, fields: reading.fieldNames,
            fieldMapping: Dictionary(uniqueKeysWithValues: reading.fieldMapping.map { ($0.key.rawValue, $0.value) }),
            featuresIn: reading.featuresRead, accepted: reading.parcels.count, repaired: reading.repairedCount,
            rejected: reading.rejects.count,
            rejectedByCode: Dictionary(reading.rejects.map { ($0.code, 1) }, uniquingKeysWith: +),
            firstRejects: Array(reading.rejects.prefix(20)), firstRepairs: Array(reading.repairs.prefix(20)),
            areaHectares: reading.parcels.reduce(0) { $0 + $1.areaHectares })
        return CheckReport(canAssess: !reading.parcels.isEmpty, parcels: parcels, monitoring: project.monitoring.reports,
                           firstMonitoringRejects: Array(project.monitoring.rejects.prefix(30)), linking: project.coverage,
                           warnings: reading.warnings)
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
        for file in monitoring {
            lines.append("\(file.kind): \(file.file)")
            lines.append("  \(file.layout), text \(file.encoding)")
            lines.append("  rows: \(file.rowsRead) read, \(file.rowsAccepted) accepted, \(file.rowsRejected) rejected, \(file.duplicateRowsMerged) exact duplicates merged; \(file.valuesRejected) values rejected")
            for (code, count) in file.rejectedByCode.sorted(by: { $0.key < $1.key }) { lines.append("    \(code): \(count)") }
            if !file.parametersRecognised.isEmpty { lines.append("  parameters: \(file.parametersRecognised.joined(separator: ", "))") }
            if !file.unitConversions.isEmpty { lines.append("  unit conversions: \(file.unitConversions.joined(separator: "; "))") }
            if file.nonDetects > 0 {
                lines.append("  non-detects: \(file.nonDetects)" + (file.nonDetectsWithoutLimit > 0 ? " (\(file.nonDetectsWithoutLimit) without a detection limit)" : ""))
            }
            for note in file.notes { lines.append("  note: \(note)") }
            if !file.unrecognisedColumns.isEmpty { lines.append("  not recognised (ignored): \(file.unrecognisedColumns.joined(separator: ", "))") }
        }
        for reject in firstMonitoringRejects.prefix(15) {
            lines.append("  reject \(reject.file) \(reject.location) [\(reject.field)] \(reject.code): \(reject.reason)")
        }
        if let c = linking {
            lines.append("linking (\(c.parcels) parcels):")
            lines.append("  source: \(c.withKnownSource) known, \(c.withUnknownSource) unknown\(c.unknownSourceIDs.isEmpty ? "" : " (\(c.unknownSourceIDs.joined(separator: ", ")))"), \(c.withoutSourceID) without a source id")
            lines.append("  soil: \(c.soilMeasured) measured, \(c.soilEstimated) estimated from a neighbour, \(c.soilNone) without data")
            lines.append("  wells within the radius: \(c.withWell); irrigation records: \(c.withIrrigationRecords)")
        }
        for warning in warnings { lines.append("warning: \(warning)") }
        lines.append(canAssess ? "ok: the inputs can be assessed" : "cannot assess: no parcel was accepted")
        return lines.joined(separator: "\n")
    }
}
