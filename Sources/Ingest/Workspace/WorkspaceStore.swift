import Foundation
import GeoKit
import IrrigationModel

/// A survey workspace (issue #25): field batches of monitoring data kept in a GeoPackage or
/// PostGIS, so that lab sheets brought every few weeks accumulate. Tables:
///
/// - `irrizone_ws_batches`: one row per file loaded (file, SHA-256, time, counts, its options);
/// - `irrizone_ws_records`: every record once, by kind and key, with the hash of what it says and
///   where it was first read;
/// - `irrizone_ws_rejects`: what each load refused, with where and why.
///
/// - Important: Not thread-safe: opened, used and closed on one thread.
public final class WorkspaceStore {
    public static let batchesTable = "irrizone_ws_batches", recordsTable = "irrizone_ws_records", rejectsTable = "irrizone_ws_rejects"

    let dataset: Dataset
    public let display: String

    /// A batch as recorded.
    public struct Batch: Sendable {
        public var id: String
        public var kind: WorkspaceRecord.Kind
        public var file: String
        /// Nil for what is no local file (a database table).
        public var sha256: String?
        public var loadedAt: String
        public var rowsRead = 0
        public var recordsAdded = 0
        public var recordsAlreadyLoaded = 0
        public var recordsConflicting = 0
        public var rowsRejected = 0
        /// The file's options (columns, units, detection limits …) as JSON.
        public var options = "{}"
        /// What reading the file assumed: units of columns that gave none ("Cd: mg/L") and how
        /// names that do not say their species were read. Announced again by every run.
        public var assumedUnits: [String] = []
        public var speciesDecisions: [String] = []

        public init(id: String, kind: WorkspaceRecord.Kind, file: String, sha256: String?, loadedAt: String) {
            self.id = id; self.kind = kind; self.file = file; self.sha256 = sha256; self.loadedAt = loadedAt
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, String)
        case write(String, String)
        case notAWorkspace(String)

        public var description: String {
            switch self {
            case let .cannotOpen(display, message): "cannot open the workspace \(display): \(Credentials.redact(message))"
            case let .write(display, message): "writing into the workspace \(display) failed: \(Credentials.redact(message)). The workspace is as it was"
            case let .notAWorkspace(display): "\(display) is not an irrizone workspace (no \(WorkspaceStore.recordsTable) table): load a batch into it first (irrizone load --workspace …)"
            }
        }
    }

    /// Opens a workspace; `create` makes a GeoPackage that does not exist yet (`load`), where a run
    /// (`assess --workspace`) needs one that does.
    public init(connection: String, display: String, create: Bool) throws {
        self.display = display
        GDALEnvironment.initialize()
        do {
            if create, !connection.hasPrefix("PG:"), !FileManager.default.fileExists(atPath: connection) {
                dataset = try Dataset.createGeoPackage(path: connection)
            } else {
                dataset = try Dataset.open(connection, update: create)
            }
        } catch {
            throw Failure.cannotOpen(display, error.message.isEmpty ? error.description : error.message)
        }
        if !create, dataset.layer(named: Self.recordsTable) == nil { throw Failure.notAWorkspace(display) }
    }

    // MARK: - Reading

    /// What one batch's reading assumed.
    public struct Assumptions: Sendable {
        public var batch: String
        public var kind: WorkspaceRecord.Kind
        public var file: String
        public var assumedUnits: [String]
        public var speciesDecisions: [String]
    }

    /// The batches that assumed something, in load order.
    public func assumptions() throws -> [Assumptions] {
        guard let layer = dataset.layer(named: Self.batchesTable) else { return [] }
        let names = layer.fields.map(\.name)
        guard let batchAt = names.firstIndex(of: "batch_id"), let kindAt = names.firstIndex(of: "kind"), let fileAt = names.firstIndex(of: "file") else {
            throw Failure.notAWorkspace(display)
        }
        let unitsAt = names.firstIndex(of: "assumed_units"), speciesAt = names.firstIndex(of: "species_decisions")
        func text(_ feature: Feature, _ at: Int?) -> String? { at.flatMap { if case .string(let s) = feature.value(at: $0) { s } else { nil } } }
        // A batch whose assumptions cannot be read is damage, not "nothing was assumed": its
        // records would otherwise be used without the announcement (or refused under units: strict).
        func list(_ feature: Feature, _ at: Int?, batch: String) throws -> [String] {
            guard let text = text(feature, at) else { return [] }
            guard let list = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String] else {
                throw WorkspaceRecord.DecodeError(record: "batch \(batch)")
            }
            return list
        }
        var result: [(Int64, Assumptions)] = []
        try layer.forEachFeature { feature in
            guard let batch = text(feature, batchAt) else { throw WorkspaceRecord.DecodeError(record: "a batch without its id") }
            guard let kind = text(feature, kindAt).flatMap(WorkspaceRecord.Kind.init(rawValue:)) else { throw WorkspaceRecord.DecodeError(record: "batch \(batch)") }
            let found = Assumptions(batch: batch, kind: kind, file: text(feature, fileAt) ?? "", assumedUnits: try list(feature, unitsAt, batch: batch),
                                    speciesDecisions: try list(feature, speciesAt, batch: batch))
            if !found.assumedUnits.isEmpty || !found.speciesDecisions.isEmpty { result.append((feature.id ?? Int64(result.count), found)) }
        }
        return result.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The batch already loaded from a file with this SHA-256, kind and options, if any.
    public func batch(sha256: String, kind: WorkspaceRecord.Kind, options: String) throws -> (id: String, loadedAt: String)? {
        guard let layer = dataset.layer(named: Self.batchesTable) else { return nil }
        let names = layer.fields.map(\.name)
        guard let idAt = names.firstIndex(of: "batch_id"), let atAt = names.firstIndex(of: "loaded_at"), let optionsAt = names.firstIndex(of: "options") else {
            throw Failure.notAWorkspace(display)
        }
        try layer.setAttributeFilter("sha256 = '\(sha256)' AND kind = '\(kind.rawValue)'")  // a hex digest and an enum: nothing to quote
        defer { try? layer.setAttributeFilter(nil) }
        var found: (id: String, loadedAt: String)?
        try layer.forEachFeature { feature in
            guard found == nil, case .string(let stored) = feature.value(at: optionsAt), stored == options,
                  case .string(let id) = feature.value(at: idAt), case .string(let at) = feature.value(at: atAt) else { return }
            found = (id, at)
        }
        return found
    }

    /// Every record of the workspace, in the order they were loaded (by feature id: a database
    /// returns rows in no fixed order). A record with an empty required field is damage, not data.
    public func records(kinds: Set<WorkspaceRecord.Kind> = Set(WorkspaceRecord.Kind.allCases)) throws -> [WorkspaceRecord] {
        guard let layer = dataset.layer(named: Self.recordsTable) else { return [] }
        let names = layer.fields.map(\.name)
        func index(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let kindAt = index("kind"), let keyAt = index("record_key"), let hashAt = index("record_hash"), let fileAt = index("origin_file"),
              let locationAt = index("origin_location"), let contentAt = index("content"), let batchAt = index("batch_id") else {
            throw Failure.notAWorkspace(display)
        }
        var result: [(id: Int64, record: WorkspaceRecord)] = []
        func text(_ feature: Feature, _ at: Int) throws -> String {
            guard case .string(let s) = feature.value(at: at), !s.isEmpty else {
                throw WorkspaceRecord.DecodeError(record: "feature \(feature.id.map(String.init) ?? "?") of \(Self.recordsTable)")
            }
            return s
        }
        try layer.forEachFeature { feature in
            guard let kind = WorkspaceRecord.Kind(rawValue: try text(feature, kindAt)) else {
                throw WorkspaceRecord.DecodeError(record: "feature \(feature.id.map(String.init) ?? "?") of \(Self.recordsTable)")
            }
            guard kinds.contains(kind) else { return }
            let record = WorkspaceRecord(kind: kind, key: try text(feature, keyAt), hash: try text(feature, hashAt),
                                         origin: RecordOrigin(file: try text(feature, fileAt), location: try text(feature, locationAt)),
                                         content: try text(feature, contentAt), batch: try text(feature, batchAt))
            result.append((feature.id ?? Int64(result.count), record))
        }
        return result.sorted { $0.id < $1.id }.map(\.record)
    }

    // MARK: - Writing

    static let batchFields: [FieldDefinition] = [
        FieldDefinition(name: "batch_id", type: .string), FieldDefinition(name: "kind", type: .string),
        FieldDefinition(name: "file", type: .string), FieldDefinition(name: "sha256", type: .string),
        FieldDefinition(name: "loaded_at", type: .string), FieldDefinition(name: "rows_read", type: .integer64),
        FieldDefinition(name: "records_added", type: .integer64), FieldDefinition(name: "records_already_loaded", type: .integer64),
        FieldDefinition(name: "records_conflicting", type: .integer64), FieldDefinition(name: "rows_rejected", type: .integer64),
        FieldDefinition(name: "options", type: .json), FieldDefinition(name: "assumed_units", type: .json),
        FieldDefinition(name: "species_decisions", type: .json),
    ]
    static let recordFields: [FieldDefinition] = [
        FieldDefinition(name: "kind", type: .string), FieldDefinition(name: "record_key", type: .string),
        FieldDefinition(name: "record_hash", type: .string), FieldDefinition(name: "batch_id", type: .string),
        FieldDefinition(name: "origin_file", type: .string), FieldDefinition(name: "origin_location", type: .string),
        FieldDefinition(name: "content", type: .json),
    ]
    static let rejectFields: [FieldDefinition] = [
        FieldDefinition(name: "batch_id", type: .string), FieldDefinition(name: "file", type: .string),
        FieldDefinition(name: "location", type: .string), FieldDefinition(name: "field", type: .string),
        FieldDefinition(name: "code", type: .string), FieldDefinition(name: "reason", type: .string),
    ]

    /// The table, made or given the fields it lacks (a workspace of an earlier irrizone).
    private func table(_ name: String, _ fields: [FieldDefinition]) throws -> Layer {
        if let layer = dataset.layer(named: name) {
            for field in fields where !layer.hasField(named: field.name) { try layer.createField(field) }
            return layer
        }
        let layer = try dataset.createLayer(named: name, srs: nil, geometryType: .none, options: ["FID=fid"])
        for field in fields { try layer.createField(field) }
        return layer
    }

    private func insert(_ layer: Layer, _ values: [(String, FieldValue)]) throws {
        let feature = layer.makeFeature()
        for (name, value) in values {
            guard let index = feature.fieldIndex(named: name) else { continue }
            feature.set(value, at: index)
        }
        try layer.create(feature)
    }

    /// Records one batch: its row, its new records and its rejects, in one transaction (a load
    /// that fails leaves the workspace as it was). File names and messages are stored without
    /// passwords (a table read from `PG:…`).
    public func append(_ batch: Batch, records: [WorkspaceRecord], rejects: [Reject]) throws {
        do {
            let batches = try table(Self.batchesTable, Self.batchFields)
            let recordLayer = try table(Self.recordsTable, Self.recordFields)
            let rejectLayer = try table(Self.rejectsTable, Self.rejectFields)
            try dataset.withTransaction {
                try insert(batches, [
                    ("batch_id", .string(batch.id)), ("kind", .string(batch.kind.rawValue)), ("file", .string(Credentials.redact(batch.file))),
                    ("sha256", batch.sha256.map(FieldValue.string) ?? .null), ("loaded_at", .string(batch.loadedAt)), ("rows_read", .integer(Int64(batch.rowsRead))),
                    ("records_added", .integer(Int64(batch.recordsAdded))), ("records_already_loaded", .integer(Int64(batch.recordsAlreadyLoaded))),
                    ("records_conflicting", .integer(Int64(batch.recordsConflicting))), ("rows_rejected", .integer(Int64(batch.rowsRejected))),
                    ("options", .string(batch.options)), ("assumed_units", .string(Self.jsonList(batch.assumedUnits))),
                    ("species_decisions", .string(Self.jsonList(batch.speciesDecisions))),
                ])
                for record in records {
                    try insert(recordLayer, [
                        ("kind", .string(record.kind.rawValue)), ("record_key", .string(record.key)), ("record_hash", .string(record.hash)),
                        ("batch_id", .string(batch.id)), ("origin_file", .string(Credentials.redact(record.origin.file))),
                        ("origin_location", .string(record.origin.location)), ("content", .string(record.content)),
                    ])
                }
                for reject in rejects {
                    try insert(rejectLayer, [
                        ("batch_id", .string(batch.id)), ("file", .string(Credentials.redact(reject.file))),
                        ("location", .string(Credentials.redact(reject.location))), ("field", .string(reject.field)),
                        ("code", .string(reject.code.rawValue)), ("reason", .string(Credentials.redact(reject.reason))),
                    ])
                }
            }
        } catch let error as GDALError {
            throw Failure.write(display, error.message.isEmpty ? error.description : error.message)
        }
    }

    static func jsonList(_ list: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public func close() throws {
        do { try dataset.close() } catch { throw Failure.write(display, error.message) }
    }
}
