import Foundation
import GeoKit
import IrrigationModel
import RunSupport

/// Every monitoring input of a run (`--sources`, `--water`, `--soil`, `--wells`, `--irrigation`,
/// `--produce`).
public struct MonitoringOptions: Sendable {
    public var sources: TableInputOptions?
    public var water: [TableInputOptions]
    public var soil: [TableInputOptions]
    public var wells: [TableInputOptions]
    public var irrigation: [TableInputOptions]
    /// Produce samples (农产品): contaminants in harvests, mg/kg fresh weight.
    public var produce: [TableInputOptions] = []
    /// A survey workspace whose records join the files' (`assess --workspace`).
    public var workspace: WorkspaceInput?
    /// `units: strict` refuses the workspace's records whose batch had a unit assumed too.
    var workspaceUnitPolicy = UnitPolicy.assumeCanonical
    /// Points farther than this outside the parcels' extent are rejected (project file
    /// `locations.max_outside_m`; default 10 km: a sample that far away cannot inform a parcel).
    public var maxOutsideMetres: Double

    public static let defaultMaxOutsideMetres = 10_000.0

    public init(sources: TableInputOptions? = nil, water: [TableInputOptions] = [], soil: [TableInputOptions] = [],
                wells: [TableInputOptions] = [], irrigation: [TableInputOptions] = [], maxOutsideMetres: Double = defaultMaxOutsideMetres) {
        self.sources = sources; self.water = water; self.soil = soil; self.wells = wells; self.irrigation = irrigation
        self.maxOutsideMetres = maxOutsideMetres
    }

    /// What every file's unit-less columns mean (project file `units:`).
    public var unitPolicy: UnitPolicy {
        get { allFiles.first?.options.unitPolicy ?? workspaceUnitPolicy }
        set {
            workspaceUnitPolicy = newValue
            sources?.unitPolicy = newValue
            for index in water.indices { water[index].unitPolicy = newValue }
            for index in soil.indices { soil[index].unitPolicy = newValue }
            for index in wells.indices { wells[index].unitPolicy = newValue }
            for index in irrigation.indices { irrigation[index].unitPolicy = newValue }
            for index in produce.indices { produce[index].unitPolicy = newValue }
        }
    }

    public var isEmpty: Bool { sources == nil && water.isEmpty && soil.isEmpty && wells.isEmpty && irrigation.isEmpty && produce.isEmpty && workspace == nil }
    public var allFiles: [(role: String, options: TableInputOptions)] {
        (sources.map { [("sources", $0)] } ?? []) + water.map { ("water", $0) } + soil.map { ("soil", $0) }
            + wells.map { ("wells", $0) } + irrigation.map { ("irrigation", $0) } + produce.map { ("produce", $0) }
    }
}

/// The monitoring data of a run, as typed records in canonical units.
public struct MonitoringData: Sendable {
    public var sources: [WaterSource] = []
    public var waterSamples: [WaterSample] = []
    public var soilSamples: [SoilSample] = []
    public var wellReadings: [WellReading] = []
    public var irrigation = IrrigationRecords()
    public var produceSamples: [ProduceSample] = []
    public var rejects: [Reject] = []
    public var reports: [InputFileReport] = []
    /// Whether sources were listed (a sources table, or sources in the workspace): then every
    /// source id a sample or parcel names must be among them.
    public var sourcesListed = false
    public init() {}

    /// Every unit the files did not give and that was assumed: "soil_samples.csv: Cd → mg/kg".
    public var assumedUnits: [String] {
        reports.flatMap { report in report.assumedUnits.map { "\(report.fileName): \($0.replacingOccurrences(of: ": ", with: " → "))" } }
    }

    /// One warning per file that had a unit assumed or a species decided, for stderr and
    /// run.json (an assumption is announced, never silent: issue #22).
    public var assumptionWarnings: [String] {
        reports.flatMap { report -> [String] in
            var warnings: [String] = []
            if !report.assumedUnits.isEmpty {
                warnings.append("\(report.fileName): no unit given for \(report.assumedUnits.joined(separator: ", ")) — read in the \(report.kind) table's canonical unit; write units in the headers (e.g. \"Cd (mg/kg)\") or set units: strict to refuse such columns")
            }
            for decision in report.speciesDecisions { warnings.append("\(report.fileName): \(decision)") }
            return warnings
        }
    }
}

extension InputFileReport {
    /// The file's name without its folder.
    public var fileName: String { file.split(separator: "/").last.map(String.init) ?? file }
}

/// The parcel layer's ids for the monitoring tables: known already, or promised by the reading
/// of the parcels that runs beside them (`fulfil` once it has counted every feature, `fulfil(nil)`
/// when it failed). Saves reading the layer's attributes twice in a whole run.
public final class PendingParcelIDs: Sendable {
    private let ids = Promise<Set<String>?>()

    public init(_ ids: Set<String>) { self.ids.fulfil(ids) }

    /// Ids to come.
    public init() {}

    /// Hands over the ids (nil: the parcels could not be read). Only the first call counts.
    public func fulfil(_ ids: Set<String>?) { self.ids.fulfil(ids) }

    /// The ids, once they are known; nil when the parcels could not be read.
    public func wait() -> Set<String>? { ids.wait() }

    /// Frees the ids once the tables that needed them are read: a set of every parcel's id, not
    /// to be held to the run's peak, which comes after (docs/scaling.md). A later `wait` gets nil.
    public func drop() { ids.replace(with: nil) }
}

/// Reads every monitoring input. A file that cannot be read at all throws (the run stops before
/// any output is written); bad rows and values become rejects.
public struct MonitoringIngest {
    public let options: MonitoringOptions
    public let context: LocationContext
    /// Parcel ids, for rejecting irrigation records of unknown parcels.
    public let parcelIDs: PendingParcelIDs

    public init(options: MonitoringOptions, context: LocationContext, parcelIDs: Set<String>) {
        self.init(options: options, context: context, parcelIDs: PendingParcelIDs(parcelIDs))
    }

    /// Reads while the parcels are still being read: the irrigation rows are checked against
    /// their ids once `parcelIDs` has them.
    public init(options: MonitoringOptions, context: LocationContext, parcelIDs: PendingParcelIDs) {
        self.options = options; self.context = context; self.parcelIDs = parcelIDs
    }

    /// Reads the tables; the irrigation tables (millions of rows in a county, and waiting for
    /// the parcel ids) on a thread of their own beside the others. The result is what reading
    /// them one after another in this order gives, and so is the error when any fails.
    /// - Parameter othersRead: called as soon as the tables but the irrigation ones are read,
    ///   with what they gave (nil when one failed); the result holds the same.
    public func read(othersRead: ((MonitoringData?) -> Void)? = nil) throws -> MonitoringData {
        // The workspace's records, read here (its GDAL dataset opened and closed on this thread).
        var assumptions: [WorkspaceStore.Assumptions] = []
        let stored = try options.workspace.map { workspace -> [WorkspaceRecord] in
            let store = try WorkspaceStore(connection: workspace.connection, display: workspace.display, create: false)
            defer { try? store.close() }
            assumptions = try store.assumptions()
            return try store.records()
        } ?? []
        let merging = WorkspaceMerge(records: stored, assumptions: assumptions, strictUnits: options.workspaceUnitPolicy == .strict)
        let workspaceNamesParcels = stored.contains { $0.kind == .irrigation || $0.kind == .produce }
        // The irrigation tables on a thread of their own, with their own GDAL objects: the
        // default CRS goes there as WKT and is made again there.
        let irrigation: BackgroundWork<MonitoringData>?
        if options.irrigation.isEmpty && options.produce.isEmpty && !workspaceNamesParcels {
            irrigation = nil
        } else {
            let options = self.options, parcelIDs = self.parcelIDs, crsWKT = try context.defaultCRS?.wkt()
            let extent = context.parcelExtent, maxOutside = context.maxOutsideMetres, today = context.today
            irrigation = BackgroundWork {
                let context = LocationContext(defaultCRS: try crsWKT.map { try SpatialReference(userInput: $0) }, parcelExtent: extent,
                                              maxOutsideMetres: maxOutside, today: today)
                let reader = MonitoringIngest(options: options, context: context, parcelIDs: parcelIDs)
                var data = MonitoringData()
                for file in options.irrigation { try reader.readIrrigation(file, into: &data) }
                for file in options.produce { try reader.readProduce(file, into: &data) }
                if let workspace = options.workspace, workspaceNamesParcels {
                    // No ids: the parcels' reading failed (its error stops the run).
                    guard let ids = parcelIDs.wait() else { throw CancellationError() }
                    try merging.merge(kinds: [.irrigation, .produce], into: &data, workspace: workspace, context: context,
                                      parcelIDs: ids, knownSources: nil)
                }
                return data
            }
        }
        let others = Result { () throws -> MonitoringData in
            var data = MonitoringData()
            if let sources = options.sources { try readSources(sources, into: &data) }
            // The workspace's sources join first, so that the samples are held to the sources
            // that were kept, not to every one the workspace holds.
            if let workspace = options.workspace {
                try merging.merge(kinds: [.sources], into: &data, workspace: workspace, context: context, parcelIDs: nil, knownSources: nil)
            }
            data.sourcesListed = options.sources != nil || stored.contains { $0.kind == .sources }
            let knownSources: Set<String>? = data.sourcesListed ? Set(data.sources.map(\.id)) : nil
            for file in options.water { try readWater(file, knownSources: knownSources, into: &data) }
            for file in options.soil { try readSoil(file, into: &data) }
            for file in options.wells { try readWells(file, into: &data) }
            if let workspace = options.workspace {
                try merging.merge(kinds: [.water, .soil, .wells], into: &data, workspace: workspace, context: context,
                                  parcelIDs: nil, knownSources: knownSources)
            }
            return data
        }
        othersRead?(try? others.get())
        let irrigationResult = irrigation?.wait()  // before any error is thrown: no reading is left running
        var data = try others.get()
        if let irrigationData = try irrigationResult?.get() {
            data.irrigation = irrigationData.irrigation
            data.produceSamples = irrigationData.produceSamples
            data.rejects += irrigationData.rejects
            data.reports += irrigationData.reports
        }
        return data
    }

    func finish(_ reader: MonitoringReader, into data: inout MonitoringData) {
        data.rejects += reader.rejects
        data.reports.append(reader.report)
    }

    // MARK: - Sources

    private func readSources(_ file: TableInputOptions, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .water, kind: "sources", primaryID: .sourceID, context: context)
        var seen: Set<String> = []
        for row in try reader.read() {
            if let bad = reader.badLocations[row.origin] { reader.rejectRow(row.origin, field: "location", code: bad.code, reason: bad.reason); continue }
            guard let id = row.text[.sourceID] else { reader.rejectRow(row.origin, field: "source_id", code: .missingID, reason: "no source id"); continue }
            guard seen.insert(id).inserted else {
                reader.rejectRow(row.origin, field: "source_id", code: .duplicateID, reason: "source \(id) is listed more than once"); continue
            }
            // An empty or missing cell states nothing: no inflow is recorded (`[]`), which is not
            // the "无" (`[.none]`) a secondary-effluent plant must state (`SourceRules`).
            let inflowNames = row.text[.inflow].map(split) ?? []
            let inflows = inflowNames.compactMap(IndustrialInflow.init(name:))
            guard inflows.count == inflowNames.count else {
                let unknown = inflowNames.filter { IndustrialInflow(name: $0) == nil }
                reader.rejectRow(row.origin, field: "industrial_inflow", code: .badValue,
                                 reason: "unknown industrial inflow \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); expected \(IndustrialInflow.allCases.map(\.rawValue).joined(separator: ", ")) or 化工, 电镀, 印染, 制药, 医疗, 放射性, 无")
                continue
            }
            let useNames = split(row.text[.uses] ?? "farmland")
            let uses = useNames.compactMap(WaterUse.init(name:))
            guard uses.count == useNames.count else {
                let unknown = useNames.filter { WaterUse(name: $0) == nil }
                reader.rejectRow(row.origin, field: "uses", code: .badValue,
                                 reason: "unknown use \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); expected \(WaterUse.allCases.map(\.rawValue).joined(separator: ", ")) or 农田灌溉, 绿地灌溉 (城市绿化), 景观, 工业, 市政, 生态补水")
                continue
            }
            data.sources.append(WaterSource(id: id, name: row.text[.name], location: row.location, inflows: inflows,
                                            uses: uses, treatment: row.text[.treatment], origin: row.origin))
            reader.noteAccepted()
        }
        finish(reader, into: &data)
    }

    private func split(_ list: String) -> [String] {
        list.split(whereSeparator: { ";,，、；/|".contains($0) }).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    // MARK: - Samples (grouped: a long table has one row per value)

    /// Rows grouped into samples by `key`; rows of one sample must agree on shared values.
    private func group(_ rows: [InterpretedRow], reader: inout MonitoringReader, key: (InterpretedRow) -> String?,
                       missingKey: (field: String, reason: String)) -> [(key: String, first: InterpretedRow, measurements: Measurements, rows: Int)] {
        var order: [String] = []
        /// What makes two rows exact duplicates.
        struct RowSignature: Hashable { var date: CalendarDate?; var measurements: Measurements }
        var groups: [String: (first: InterpretedRow, measurements: Measurements, signatures: Set<RowSignature>, rows: Int)] = [:]
        for row in rows {
            if let bad = reader.badLocations[row.origin] { reader.rejectRow(row.origin, field: "location", code: bad.code, reason: bad.reason); continue }
            guard let k = key(row) else { reader.rejectRow(row.origin, field: missingKey.field, code: .missingID, reason: missingKey.reason); continue }
            let signature = RowSignature(date: row.date, measurements: row.measurements)
            guard var existing = groups[k] else {
                order.append(k)
                groups[k] = (row, row.measurements, [signature], 1)
                reader.noteAccepted()
                continue
            }
            if existing.signatures.contains(signature) { reader.noteMerged(); continue }  // exact duplicate row
            if row.date != existing.first.date {
                reader.rejectRow(row.origin, field: "date", code: .duplicateConflict,
                                 reason: "sample \(k) appears again with date \(row.date.map(\.description) ?? "none") (first at \(existing.first.origin.location): \(existing.first.date.map(\.description) ?? "none"))")
                continue
            }
            let conflicts = row.measurements.filter { entry in existing.measurements[entry.key].map { old in old != entry.value } ?? false }
            guard conflicts.isEmpty else {
                let names = conflicts.keys.sorted().map(\.id).joined(separator: ", ")
                reader.rejectRow(row.origin, field: names, code: .duplicateConflict,
                                 reason: "sample \(k) appears again with different \(names) (first at \(existing.first.origin.location))")
                continue
            }
            existing.measurements.merge(row.measurements) { old, _ in old }
            existing.signatures.insert(signature)
            existing.rows += 1
            groups[k] = existing
            reader.noteAccepted()
        }
        return order.map { (key: $0, first: groups[$0]!.first, measurements: groups[$0]!.measurements, rows: groups[$0]!.rows) }
    }

    private func readWater(_ file: TableInputOptions, knownSources: Set<String>?, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .water, kind: "water", primaryID: .sampleID, context: context)
        let rows = try reader.read()
        // Without a sample_id column, a sample is named by its source and date; with one, an
        // empty cell is a missing id.
        let hasSampleIDs = reader.hasColumn.contains(.sampleID)
        let samples = group(rows, reader: &reader, key: { row in
            hasSampleIDs ? row.text[.sampleID] : row.text[.sourceID].flatMap { s in row.date.map { "\(s)@\($0)" } }
        }, missingKey: ("sample_id", hasSampleIDs ? "no sample id" : "no sample_id column, and no source id and date to name the sample by"))
        for sample in samples {
            let row = sample.first
            guard let sourceID = row.text[.sourceID] else {
                reader.unaccept(row.origin, rows: sample.rows, field: "source_id", code: .missingID, reason: "sample \(sample.key) names no source"); continue
            }
            if let knownSources, !knownSources.contains(sourceID) {
                reader.unaccept(row.origin, rows: sample.rows, field: "source_id", code: .unknownSource, reason: "source \(sourceID) is not in the sources file"); continue
            }
            guard let date = row.date else { reader.unaccept(row.origin, rows: sample.rows, field: "date", code: .missingDate, reason: "sample \(sample.key) has no date"); continue }
            guard !sample.measurements.isEmpty else {
                reader.unaccept(row.origin, rows: sample.rows, field: "", code: .noMeasurements, reason: "sample \(sample.key) has no recognised value"); continue
            }
            data.waterSamples.append(WaterSample(id: sample.key, sourceID: sourceID, date: date, measurements: sample.measurements, origin: row.origin))
        }
        finish(reader, into: &data)
    }

    private func readSoil(_ file: TableInputOptions, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .soil, kind: "soil", primaryID: .sampleID, context: context)
        let rows = try reader.read()
        let samples = group(rows, reader: &reader, key: { $0.text[.sampleID] }, missingKey: ("sample_id", "no sample id"))
        for sample in samples {
            let row = sample.first
            guard let location = row.location else {
                reader.unaccept(row.origin, rows: sample.rows, field: "location", code: .missingLocation, reason: "soil sample \(sample.key) has no lon/lat or x/y"); continue
            }
            guard !sample.measurements.isEmpty else {
                reader.unaccept(row.origin, rows: sample.rows, field: "", code: .noMeasurements, reason: "soil sample \(sample.key) has no recognised value"); continue
            }
            data.soilSamples.append(SoilSample(id: sample.key, location: location, date: row.date, depth: row.text[.depth],
                                               texture: row.text[.texture], measurements: sample.measurements, origin: row.origin))
        }
        finish(reader, into: &data)
    }

    /// Produce samples, on the thread that waits for the parcel layer's ids: a sample naming a
    /// parcel must name one of the layer's (else `UNKNOWN_PARCEL`); one naming none must have a
    /// location.
    func readProduce(_ file: TableInputOptions, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .produce, kind: "produce", primaryID: .sampleID, context: context)
        let rows = try reader.read()
        let samples = group(rows, reader: &reader, key: { $0.text[.sampleID] }, missingKey: ("sample_id", "no sample id"))
        let known = samples.contains { $0.first.text[.parcelID] != nil } ? parcelIDs.wait() : nil
        for sample in samples {
            let row = sample.first
            let parcelID = row.text[.parcelID]
            if let parcelID, let known, !known.contains(parcelID) {
                reader.unaccept(row.origin, rows: sample.rows, field: "parcel_id", code: .unknownParcel, reason: "parcel \(parcelID) is not in the parcel layer"); continue
            }
            guard parcelID != nil || row.location != nil else {
                reader.unaccept(row.origin, rows: sample.rows, field: "location", code: .missingLocation,
                                reason: "produce sample \(sample.key) names no parcel and has no lon/lat or x/y"); continue
            }
            guard !sample.measurements.isEmpty else {
                reader.unaccept(row.origin, rows: sample.rows, field: "", code: .noMeasurements, reason: "produce sample \(sample.key) has no recognised value"); continue
            }
            data.produceSamples.append(ProduceSample(id: sample.key, parcelID: parcelID, location: row.location, crop: row.text[.crop],
                                                     foodCategory: row.text[.foodCategory], date: row.date, measurements: sample.measurements,
                                                     origin: row.origin))
        }
        finish(reader, into: &data)
    }

    private func readWells(_ file: TableInputOptions, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .groundwater, kind: "wells", primaryID: .wellID, context: context)
        let rows = try reader.read()
        let readings = group(rows, reader: &reader, key: { row in row.text[.wellID].map { "\($0)@\(row.date.map(\.description) ?? "")" } },
                             missingKey: ("well_id", "no well id"))
        for sample in readings {
            let row = sample.first
            guard let wellID = row.text[.wellID], let date = row.date else {
                reader.unaccept(row.origin, rows: sample.rows, field: "date", code: .missingDate, reason: "well reading has no date"); continue
            }
            guard let location = row.location else {
                reader.unaccept(row.origin, rows: sample.rows, field: "location", code: .missingLocation, reason: "well \(wellID) has no lon/lat or x/y"); continue
            }
            var depth: Double? = nil
            if let text = row.text[.depthToWater] {
                guard let value = Double(text), value.isFinite, value >= 0 else {
                    reader.unaccept(row.origin, rows: sample.rows, field: "depth_to_water_m", code: .badNumber, reason: "depth to water \"\(text)\" is not a depth in metres"); continue
                }
                depth = value
            }
            data.wellReadings.append(WellReading(wellID: wellID, location: location, date: date, depthToWaterMetres: depth,
                                                 measurements: sample.measurements, origin: row.origin))
        }
        finish(reader, into: &data)
    }
}
