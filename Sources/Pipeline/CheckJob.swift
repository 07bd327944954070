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
    /// Required evidence (`RequiredEvidence`) the inputs lack: per source in the assessment
    /// year, and per soil item, before a run finds them (issue #22).
    public var evidenceGaps: [String]
    public var warnings: [String]

    public static func make(options: AssessOptions) throws -> CheckReport {
        options.applyGDALConfig()
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
            rejectedByCode: Dictionary(reading.rejects.map { ($0.code.rawValue, 1) }, uniquingKeysWith: +),
            firstRejects: Array(reading.rejects.prefix(20)), firstRepairs: Array(reading.repairs.prefix(20)),
            areaHectares: reading.parcels.reduce(0) { $0 + $1.areaHectares })
        return CheckReport(canAssess: !reading.parcels.isEmpty, parcels: parcels, monitoring: project.monitoring.reports,
                           firstMonitoringRejects: Array(project.monitoring.rejects.prefix(30)), linking: project.coverage,
                           evidenceGaps: try evidenceGaps(project.monitoring, rules: options.rules),
                           warnings: reading.warnings + project.monitoring.assumptionWarnings)
    }

    /// What `assess` would find missing: each source's required items in the assessment year,
    /// and the soil samples that lack a required item.
    static func evidenceGaps(_ monitoring: MonitoringData, rules: RuleOptions) throws -> [String] {
        let required = try rules.standardsInEffect().catalog.requiredEvidence
        var gaps: [String] = []
        let year = rules.year ?? monitoring.waterSamples.map(\.date.year).max()
        let sourceIDs = Set(monitoring.sources.map(\.id)).union(monitoring.waterSamples.map(\.sourceID)).sorted()
        let samplesBySource = Dictionary(grouping: monitoring.waterSamples, by: \.sourceID)
        for id in sourceIDs {
            let verdict = SourceCompliance.evaluate(sourceID: id, source: nil, samples: samplesBySource[id] ?? [], year: year, limits: [:],
                                                    statistic: .max, required: required.water)
            if verdict.samplesInYear == 0 {
                gaps.append("source \(id): no water sample in \(year.map(String.init) ?? "the assessment year") (its parcels are restricted, SOURCE_NO_DATA)")
            } else if !verdict.missingParameters.isEmpty {
                gaps.append("source \(id): \(verdict.samplesInYear) samples in \(year.map(String.init) ?? "the year"), none of \(verdict.missingParameters.joined(separator: ", ")) (incomplete: its parcels are restricted, SOURCE_INCOMPLETE)")
            }
        }
        if !monitoring.soilSamples.isEmpty {
            var lacking: [String: Int] = [:]
            for sample in monitoring.soilSamples {
                let missing = RequiredEvidence.missing(required.soil) { id in ParameterCatalog.parameter(id: id).map { sample.measurements[$0] != nil } ?? false }
                for item in missing { lacking[item, default: 0] += 1 }
            }
            for (item, count) in lacking.sorted(by: { $0.key < $1.key }) {
                gaps.append("soil: \(count) of \(monitoring.soilSamples.count) samples have no \(item) (parcels resting on them alone get SOIL_INCOMPLETE; pH may come from the parcel layer)")
            }
        }
        return gaps
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
        lines.append("  area: \(String(format: "%.2f", p.areaHectares)) ha (\(String(format: "%.1f", AreaUnit.mu(hectares: p.areaHectares))) mu)")
        for file in monitoring {
            lines.append("\(file.kind): \(file.file)")
            lines.append("  \(file.layout), text \(file.encoding)")
            lines.append("  rows: \(file.rowsRead) read, \(file.rowsAccepted) accepted, \(file.rowsRejected) rejected, \(file.duplicateRowsMerged) exact duplicates merged; \(file.valuesRejected) values rejected")
            for (code, count) in file.rejectedByCode.sorted(by: { $0.key < $1.key }) { lines.append("    \(code): \(count)") }
            if !file.parametersRecognised.isEmpty { lines.append("  parameters: \(file.parametersRecognised.joined(separator: ", "))") }
            if !file.unitConversions.isEmpty { lines.append("  unit conversions: \(file.unitConversions.joined(separator: "; "))") }
            if !file.assumedUnits.isEmpty { lines.append("  units assumed (none given): \(file.assumedUnits.joined(separator: ", "))") }
            for decision in file.speciesDecisions { lines.append("  species: \(decision)") }
            if file.nonDetects > 0 {
                lines.append("  non-detects: \(file.nonDetects)" + (file.nonDetectsWithoutLimit > 0 ? " (\(file.nonDetectsWithoutLimit) without a detection limit)" : ""))
            }
            for note in file.notes { lines.append("  note: \(note)") }
            if !file.unrecognisedColumns.isEmpty { lines.append("  not recognised (ignored): \(file.unrecognisedColumns.joined(separator: ", "))") }
        }
        for reject in firstMonitoringRejects.prefix(15) {
            lines.append("  reject \(reject.file) \(reject.location) [\(reject.field)] \(reject.code.rawValue): \(reject.reason)")
        }
        if let c = linking {
            lines.append("linking (\(c.parcels) parcels):")
            lines.append("  source: \(c.withKnownSource) known, \(c.withUnknownSource) unknown\(c.unknownSourceIDs.isEmpty ? "" : " (\(c.unknownSourceIDs.joined(separator: ", ")))"), \(c.withoutSourceID) without a source id")
            lines.append("  soil: \(c.soilMeasured) measured, \(c.soilEstimated) estimated from a neighbour, \(c.soilNone) without data")
            lines.append("  wells within the radius: \(c.withWell); irrigation records: \(c.withIrrigationRecords)")
        }
        if !evidenceGaps.isEmpty { lines.append("required evidence missing:") }
        for gap in evidenceGaps { lines.append("  \(gap)") }
        for warning in warnings { lines.append("warning: \(warning)") }
        lines.append(canAssess ? "ok: the inputs can be assessed" : "cannot assess: no parcel was accepted")
        return lines.joined(separator: "\n")
    }
}
