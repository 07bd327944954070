import Foundation
import IrrigationModel
import PlanarGeometry

/// Where a run's workspace is (`assess --workspace`): its connection and how to name it.
public struct WorkspaceInput: Sendable, Hashable {
    public var connection: String
    /// The connection as it may be shown (no password).
    public var display: String
    public init(connection: String, display: String) { self.connection = connection; self.display = display }
}

/// The workspace's records in a run, beside the files given (issue #25). A file's record with
/// the key of a workspace record is the same record when it says the same (kept once), else
/// refused (`DUPLICATE_CONFLICT`) naming both places. The workspace's records are held to this
/// run's parcels as a file's would be: a point far outside them, a parcel not in the layer, a
/// source not among the sources are rejects.
struct WorkspaceMerge: Sendable {
    let records: [WorkspaceRecord]
    /// What each batch's load assumed (units, species): announced in this run as a file's are.
    let assumptions: [WorkspaceStore.Assumptions]
    /// `units: strict`: records of a batch that had a unit assumed are refused.
    let strictUnits: Bool

    /// Adds the workspace records of `kinds` to `data`; `parcelIDs` when the kinds name parcels.
    func merge(kinds: Set<WorkspaceRecord.Kind>, into data: inout MonitoringData,
               workspace: WorkspaceInput, context: LocationContext, parcelIDs: Set<String>?, knownSources: Set<String>?) throws {
        let mine = records.filter { kinds.contains($0.kind) }
        guard !mine.isEmpty else { return }
        // The files' records that share a workspace record's name (only those are encoded).
        var fromFiles: [String: WorkspaceRecord] = [:]
        for record in try WorkspaceRecord.records(of: data, file: "", only: Set(mine.map(\.identity))) where kinds.contains(record.kind) {
            fromFiles[record.identity] = record
        }
        var reports: [WorkspaceRecord.Kind: InputFileReport] = [:]
        for batch in assumptions where kinds.contains(batch.kind) {
            var report = reports[batch.kind] ?? InputFileReport(file: workspace.display, kind: batch.kind.rawValue, encoding: "—", layout: "workspace")
            report.assumedUnits += batch.assumedUnits.map { "\($0) (\(batch.file))" }
            report.speciesDecisions += batch.speciesDecisions.map { "\(batch.file): \($0)" }
            reports[batch.kind] = report
        }
        let assumedBatches = Set(assumptions.filter { !$0.assumedUnits.isEmpty }.map(\.batch))
        var conflictingFileRecords: Set<String> = []
        var rejects: [Reject] = []
        for record in mine {
            var report = reports[record.kind] ?? InputFileReport(file: workspace.display, kind: record.kind.rawValue, encoding: "—", layout: "workspace")
            report.rowsRead += 1
            defer { reports[record.kind] = report }
            func reject(_ field: String, _ code: RejectCode, _ reason: String) {
                rejects.append(Reject(file: workspace.display, location: "\(record.origin.file), \(record.origin.location)", field: field,
                                      code: code, reason: reason))
                report.rowsRejected += 1
                report.rejectedByCode[code.rawValue, default: 0] += 1
            }
            if strictUnits, let batch = record.batch, assumedBatches.contains(batch) {
                reject("", .unitMissing, "loaded in batch \(batch) with a unit assumed for a column that gave none, and this run has units: strict; reload the file with its units given")
                continue
            }
            if let twin = fromFiles[record.identity] {
                if twin.hash == record.hash {
                    report.duplicateRowsMerged += 1  // the file's copy stands for it
                } else {
                    conflictingFileRecords.insert(record.identity)
                    reject("", .duplicateConflict, "\(record.kind.rawValue) \(record.key) in the workspace (first read from \(record.origin)) says otherwise than the files given to this run: neither is used; load the correction as a new batch or drop the file")
                }
                continue
            }
            var added = MonitoringData()
            try record.add(to: &added)
            if let problem = problem(of: added, context: context, parcelIDs: parcelIDs, knownSources: knownSources) {
                reject(problem.field, problem.code, problem.reason)
                continue
            }
            data.append(added)
            report.rowsAccepted += 1
        }
        data.rejects += rejects
        // A conflict withdraws the file's record too.
        if !conflictingFileRecords.isEmpty { data.remove(keys: conflictingFileRecords, workspace: workspace) }
        data.reports += WorkspaceRecord.Kind.allCases.compactMap { reports[$0] }
    }

    /// Why a workspace record cannot be used in this run, if it cannot.
    func problem(of record: MonitoringData, context: LocationContext, parcelIDs: Set<String>?,
                        knownSources: Set<String>?) -> (field: String, code: RejectCode, reason: String)? {
        if let knownSources, let sample = record.waterSamples.first, !knownSources.contains(sample.sourceID) {
            return ("source_id", .unknownSource, "source \(sample.sourceID) is neither in the sources given nor in the workspace")
        }
        let located = record.sources.compactMap(\.location) + record.soilSamples.map(\.location) + record.wellReadings.map(\.location)
            + record.produceSamples.compactMap(\.location)
        if let extent = context.parcelExtent {
            for position in located {
                let distance = MonitoringReader.distanceOutside(position, extent)
                if distance > context.maxOutsideMetres {
                    return ("location", .locationOutsideExtent,
                            "the point (\(position.x), \(position.y)) lies \(Int(distance.rounded())) m outside this run's parcels (limit \(Int(context.maxOutsideMetres)) m)")
                }
            }
        }
        if let parcelIDs {
            for parcel in record.irrigation.map(\.parcelID) + record.produceSamples.compactMap(\.parcelID) where !parcelIDs.contains(parcel) {
                return ("parcel_id", .unknownParcel, "parcel \(parcel) is not in this run's parcel layer")
            }
        }
        return nil
    }
}

extension MonitoringData {
    mutating func append(_ other: MonitoringData) {
        sources += other.sources; waterSamples += other.waterSamples; soilSamples += other.soilSamples
        wellReadings += other.wellReadings; irrigation += other.irrigation; produceSamples += other.produceSamples
    }

    /// Withdraws the records of the files with these identities (`WorkspaceRecord.identity`),
    /// each a reject.
    mutating func remove(keys: Set<String>, workspace: WorkspaceInput) {
        func named(_ kind: WorkspaceRecord.Kind, _ key: String) -> Bool { keys.contains(WorkspaceRecord.identity(kind, key)) }
        var refused: [Reject] = []
        func refuse(_ origin: RecordOrigin, _ what: String) {
            refused.append(Reject(file: origin.file, location: origin.location, field: "", code: .duplicateConflict,
                                  reason: "\(what) says otherwise than the same record in the workspace \(workspace.display): neither is used"))
        }
        sources.removeAll { s in named(.sources, s.id) ? (refuse(s.origin, "source \(s.id)"), true).1 : false }
        waterSamples.removeAll { s in named(.water, s.id) ? (refuse(s.origin, "water sample \(s.id)"), true).1 : false }
        soilSamples.removeAll { s in named(.soil, s.id) ? (refuse(s.origin, "soil sample \(s.id)"), true).1 : false }
        wellReadings.removeAll { r in named(.wells, WorkspaceRecord.wellKey(r)) ? (refuse(r.origin, "well \(r.wellID) on \(r.date)"), true).1 : false }
        irrigation.removeAll { r in
            named(.irrigation, WorkspaceRecord.irrigationKey(r))
                ? (refuse(RecordOrigin(file: "irrigation table", location: "parcel \(r.parcelID), year \(r.year)"), "the irrigation of parcel \(r.parcelID) in \(r.year)"), true).1 : false
        }
        produceSamples.removeAll { s in named(.produce, s.id) ? (refuse(s.origin, "produce sample \(s.id)"), true).1 : false }
        rejects += refused
    }
}
