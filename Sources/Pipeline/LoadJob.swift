import Foundation
import GeoKit
import Ingest
import IrrigationModel
import Reports

/// `irrizone load --workspace CONN …` (issue #25): field batches of monitoring data into a survey
/// workspace, read with the readers, rules and rejects of `assess` (held to the parcel layer the
/// project names). A file loaded before adds nothing; a record loaded before adds nothing; a
/// record that says otherwise than one loaded before is refused with both places. Each file is
/// a batch of its own, written in one transaction.
public struct LoadJob {
    public var workspace: WorkspaceInput
    public var parcels: ParcelInputOptions
    public var monitoring: MonitoringOptions
    public var samplesCRS: String?
    public var today: CalendarDate = .today
    /// Where the load's `rejects.csv` goes.
    public var rejectsPath: String
    public var gdalConfig: [String: String] = [:]

    public init(workspace: WorkspaceInput, parcels: ParcelInputOptions, monitoring: MonitoringOptions, rejectsPath: String) {
        self.workspace = workspace; self.parcels = parcels; self.monitoring = monitoring; self.rejectsPath = rejectsPath
    }

    /// What happened to one file.
    public struct FileResult: Sendable {
        public var kind: WorkspaceRecord.Kind
        public var file: String
        /// The batch the file's records went into; nil when the file was loaded before.
        public var batch: String?
        /// The batch that loaded this very file before, and when.
        public var loadedBefore: (id: String, loadedAt: String)?
        public var rowsRead = 0
        public var added = 0
        public var alreadyLoaded = 0
        public var conflicting = 0
        public var rejected = 0
    }

    public struct Summary: Sendable {
        public var files: [FileResult]
        public var rejects: [Reject]
        public var rejectsPath: String
    }

    public func run() throws -> Summary {
        GDALEnvironment.initialize()
        for (key, value) in gdalConfig.sorted(by: { $0.key < $1.key }) { GDALEnvironment.setConfigOption(key, value) }
        guard !monitoring.isEmpty else { throw LoadError.nothingToLoad }
        let context = try locationContext()
        let namesParcels = !monitoring.irrigation.isEmpty || !monitoring.produce.isEmpty
        let parcelIDs = namesParcels ? try ParcelReader(options: parcels).census().parcelIDs : Set<String>()

        let store = try WorkspaceStore(connection: workspace.connection, display: workspace.display, create: true)
        defer { try? store.close() }
        var known: [String: WorkspaceRecord] = [:]
        for record in try store.records() { known[record.identity] = record }
        var results: [FileResult] = [], allRejects: [Reject] = []
        for (role, file) in monitoring.allFiles {
            guard let kind = WorkspaceRecord.Kind(rawValue: role) else { continue }
            var result = FileResult(kind: kind, file: file.path)
            let sha256 = try Self.fingerprint(file.path), fileOptions = Self.optionsJSON(file)
            // The same file read the same way: nothing new. Read with other options (a column
            // mapped anew) it is loaded again, its records checked one by one.
            if let sha256, let before = try store.batch(sha256: sha256, kind: kind, options: fileOptions) {
                result.loadedBefore = before
                results.append(result)
                continue
            }
            var options = MonitoringOptions(maxOutsideMetres: monitoring.maxOutsideMetres)
            switch kind {
            case .sources: options.sources = file
            case .water: options.water = [file]
            case .soil: options.soil = [file]
            case .wells: options.wells = [file]
            case .irrigation: options.irrigation = [file]
            case .produce: options.produce = [file]
            }
            var data = try MonitoringIngest(options: options, context: context, parcelIDs: parcelIDs).read()
            let refusedForSource = checkSources(&data, known: known)
            var fresh: [WorkspaceRecord] = []
            for record in try WorkspaceRecord.records(of: data, file: file.path) {
                if let earlier = known[record.identity] {
                    if earlier.hash == record.hash {
                        result.alreadyLoaded += 1
                    } else {
                        result.conflicting += 1
                        data.rejects.append(Reject(file: record.origin.file, location: record.origin.location, field: "", code: .duplicateConflict,
                            reason: "\(kind.rawValue) \(record.key) says otherwise than the record loaded before from \(earlier.origin): not loaded; if this one is the correction, correct the earlier batch's file and say so in the workspace, or load it into a new workspace"))
                    }
                    continue
                }
                known[record.identity] = record
                fresh.append(record)
            }
            result.rowsRead = data.reports.reduce(0) { $0 + $1.rowsRead }
            result.added = fresh.count
            // Rows, as the tables count them (a value dropped from a kept row is not a row
            // rejected), and the rows refused for their source; conflicts are counted apart.
            result.rejected = data.reports.reduce(0) { $0 + $1.rowsRejected } + refusedForSource
            let batchID = Self.batchID(kind: kind)
            var batch = WorkspaceStore.Batch(id: batchID, kind: kind, file: file.path, sha256: sha256,
                                             loadedAt: ISO8601DateFormatter().string(from: Date()))
            batch.rowsRead = result.rowsRead; batch.recordsAdded = result.added; batch.recordsAlreadyLoaded = result.alreadyLoaded
            batch.recordsConflicting = result.conflicting; batch.rowsRejected = result.rejected
            batch.options = fileOptions
            batch.assumedUnits = data.reports.flatMap(\.assumedUnits)
            batch.speciesDecisions = data.reports.flatMap(\.speciesDecisions)
            try store.append(batch, records: fresh, rejects: data.rejects)
            result.batch = batchID
            results.append(result)
            allRejects += data.rejects
        }
        try RejectsFile.write(allRejects, to: rejectsPath)
        return Summary(files: results, rejects: allRejects, rejectsPath: rejectsPath)
    }

    /// Water samples of a source neither this load nor the workspace lists are refused, as a run
    /// refuses them, once sources are listed anywhere.
    /// Refuses water samples of sources neither in the workspace nor loaded with them; returns
    /// how many.
    private func checkSources(_ data: inout MonitoringData, known: [String: WorkspaceRecord]) -> Int {
        let listed = Set(known.values.filter { $0.kind == .sources }.map(\.key)).union(data.sources.map(\.id))
        guard !listed.isEmpty else { return 0 }
        var refused: [Reject] = []
        data.waterSamples.removeAll { sample in
            guard !listed.contains(sample.sourceID) else { return false }
            refused.append(Reject(file: sample.origin.file, location: sample.origin.location, field: "source_id", code: .unknownSource,
                                  reason: "source \(sample.sourceID) is neither in the workspace nor in the sources loaded with it"))
            return true
        }
        data.rejects += refused
        return refused.count
    }

    /// x/y in the parcels' CRS unless said otherwise; points far outside the parcels refused.
    private func locationContext() throws -> LocationContext {
        let facts = try ParcelReader(options: parcels).layerFacts()
        var crs: SpatialReference? = nil
        if let text = samplesCRS ?? facts.crsWKT {
            do { crs = try SpatialReference(userInput: text) } catch { throw PipelineError.badSamplesCRS(text, error.message) }
        }
        return LocationContext(defaultCRS: crs, parcelExtent: facts.extent, maxOutsideMetres: monitoring.maxOutsideMetres, today: today)
    }

    /// The SHA-256 of the local file a path reads (an archive for `/vsizip/…`), nil for what is
    /// no local file (a database table); a file that cannot be read stops the load.
    static func fingerprint(_ path: String) throws -> String? {
        guard let local = AssessJob.localFile(behind: path) else { return nil }
        return try SHA256.hexDigest(ofFile: local)
    }

    static func batchID(kind: WorkspaceRecord.Kind) -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).filter { $0.isNumber || $0 == "T" }
        return "batch-\(stamp)-\(kind.rawValue)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// How the file was read (its per-file options), so a batch can be understood later.
    static func optionsJSON(_ file: TableInputOptions) -> String {
        var object: [String: Any] = ["columns": file.columns, "units": file.units, "detection_limits": file.detectionLimits, "constants": file.constants]
        if let layer = file.layer { object["layer"] = layer }
        if let encoding = file.encoding { object["encoding"] = encoding }
        if let crs = file.crs { object["crs"] = crs }
        if let unit = file.volumeUnit { object["volume_unit"] = unit }
        if let species = file.nitrogenSpecies { object["species"] = species.rawValue }
        if let filter = file.attributeFilter { object["where"] = filter }
        if !file.openOptions.isEmpty { object["open_options"] = file.openOptions }
        object["unit_policy"] = file.unitPolicy.rawValue  // units: strict refuses what assume would read
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Credentials.redact(String(decoding: data, as: UTF8.self))
    }
}

public enum LoadError: Error, CustomStringConvertible {
    case nothingToLoad
    public var description: String {
        switch self {
        case .nothingToLoad: "nothing to load: give --water, --soil, --wells, --irrigation, --produce or --sources files, or list them in --project"
        }
    }
}
