import Foundation
import GeoKit
import IrrigationModel
import Reports

/// `irrizone diff OLD NEW --out DIR` (issue #25): season over season, the parcels whose zone,
/// allowed irrigation years band or review status changed, into `DIR/changes.csv`. OLD and NEW
/// are two output folders of `assess`, or two run ids in a database (`--db`; `latest` and
/// `previous` name its last two runs).
public struct DiffJob {
    public var old: String
    public var new: String
    public var outputDirectory: String
    public var database: DatabaseTarget?

    public init(old: String, new: String, outputDirectory: String, database: DatabaseTarget? = nil) {
        self.old = old; self.new = new; self.outputDirectory = outputDirectory; self.database = database
    }

    public struct Summary: Sendable {
        public var oldRun: String
        public var newRun: String
        public var changes: [ParcelChange]
        public var path: String

        public func count(_ kind: ParcelChange.Kind) -> Int { changes.filter { $0.kinds.contains(kind) }.count }
    }

    public func run() throws -> Summary {
        GDALEnvironment.initialize()
        let (oldStates, oldRun, newStates, newRun): ([ParcelState], String, [ParcelState], String)
        if let database {
            let dataset: Dataset
            do { dataset = try Dataset.open(Self.connection(database)) } catch { throw RunDatabase.Failure.cannotOpen(database.display, error) }
            let runs = try dataset.queryColumn("SELECT run_id FROM \(ResultTables.Names.database.runs) ORDER BY finished_at, run_id").compactMap { $0 }
            oldRun = try Self.resolve(old, among: runs, database: database.display)
            newRun = try Self.resolve(new, among: runs, database: database.display)
            oldStates = try ParcelStates.read(layerOf: dataset, named: ResultTables.Names.database.parcels, runID: oldRun, source: database.display)
            newStates = try ParcelStates.read(layerOf: dataset, named: ResultTables.Names.database.parcels, runID: newRun, source: database.display)
        } else {
            (oldStates, oldRun) = try Self.states(ofFolder: old)
            (newStates, newRun) = try Self.states(ofFolder: new)
        }
        let changes = SeasonChanges.compare(old: oldStates, new: newStates)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: outputDirectory).appendingPathComponent("changes.csv").path
        try ChangesFile.write(changes, to: path)
        return Summary(oldRun: oldRun, newRun: newRun, changes: changes, path: path)
    }

    public static func connection(_ target: DatabaseTarget) -> String {
        switch target {
        case .geopackage(let path): path
        case .postgis(let connection): connection
        }
    }

    /// A run id as given, or `latest` / `previous` among the runs in finishing order.
    static func resolve(_ name: String, among runs: [String], database: String) throws -> String {
        switch name {
        case "latest" where !runs.isEmpty: return runs[runs.count - 1]
        case "previous" where runs.count >= 2: return runs[runs.count - 2]
        default:
            guard runs.contains(name) else { throw DiffError.unknownRun(name, database: database, known: runs) }
            return name
        }
    }

    /// An output folder's published run: its own states file, else its parcels file.
    static func states(ofFolder folder: String) throws -> ([ParcelState], String) {
        let current = URL(fileURLWithPath: folder).appendingPathComponent(OutputStaging.stateFolder + "/current")
        let runName = (try? FileManager.default.destinationOfSymbolicLink(atPath: current.path)).map { URL(fileURLWithPath: $0).lastPathComponent }
        let statesFile = current.appendingPathComponent(ParcelStates.fileName).path
        if FileManager.default.fileExists(atPath: statesFile) {
            return (try ParcelStates.read(statesFile), runName ?? folder)
        }
        for (file, layer) in [("parcels.gpkg", "parcels"), ("parcels.geojson", nil)] {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let dataset = try Dataset.open(path)
            return (try ParcelStates.read(layerOf: dataset, named: layer, source: path), runName ?? folder)
        }
        throw DiffError.notARun(folder)
    }
}
