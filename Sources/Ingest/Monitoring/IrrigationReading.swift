import Foundation
import GeoKit
import IrrigationModel
import RunSupport

extension MonitoringIngest {
    /// Reads an irrigation table in two steps: every row checked but for its parcel id (the
    /// parcels may still be being read), then, once the layer's ids are known, each row's
    /// verdict in row order, a row of an unknown parcel rejected as such whatever else it was.
    /// (Rows of one parcel id are all known or all unknown, so checking duplicates first gives
    /// what checking the id first would.)
    func readIrrigation(_ file: TableInputOptions, into data: inout MonitoringData) throws {
        var reader = MonitoringReader(options: file, medium: .water, kind: "irrigation", primaryID: .parcelID, context: context)
        var rows = PendingIrrigation(fileUnitIsPerMu: (file.volumeUnit ?? "m3").lowercased().contains("mu"), today: context.today)
        try reader.read(expect: { rows.reserveCapacity($0) }) { rows.verdict(for: $0) }
        guard let knownParcels = parcelIDs.wait() else { throw CancellationError() }  // the parcels could not be read
        let (accepted, merged, rejected) = rows.records(file: file.path, layerIDs: rows.layerIDs(in: knownParcels), into: &data)
        reader.noteAccepted(accepted)
        reader.noteMerged(merged)
        reader.rejectLate(rejected)
        finish(reader, into: &data)
    }
}

/// An irrigation table's rows between the two steps of `readIrrigation`. Rows, keys and all are
/// a few tens of bytes each: a county has millions of rows (docs/scaling.md). A row names its
/// parcel by the place of the id among the table's distinct ids (each id's text is kept once:
/// a string per row was most of what the table held at a run's peak: docs/scaling.md).
struct PendingIrrigation {
    /// A parcel (its place in `parcelIDs`) and year: the key of its first row.
    struct ParcelYear: Hashable { var parcel: Int32, year: Int32 }
    /// A row's verdict; a rejection's text is kept apart (`rejections`), as rows are many and
    /// rejections few.
    enum Outcome { case record(year: Int32, volume: IrrigationRecord.Volume), merged, rejected(Int32) }
    /// (The file of every row is the table's: a row keeps its location only.) `parcel` is the
    /// place of the row's id in `parcelIDs`, `Row.noParcel` for a row that names none.
    struct Row { var index: Int; var location: String; var parcel: Int32; var outcome: Outcome }

    let fileUnitIsPerMu: Bool
    let today: CalendarDate
    private(set) var rows: [Row] = []
    /// The table's distinct parcel ids, in the order they first appear.
    private(set) var parcelIDs: [String] = []
    /// Each id's place in `parcelIDs`; emptied after the reading.
    private var placeOfID: [String: Int32] = [:]
    private var rejections: [(field: String, code: RejectCode, reason: String)] = []
    /// The first row of each parcel and year, by its place in `rows`; emptied after the reading.
    private var firstRow: [ParcelYear: Int32] = [:]

    init(fileUnitIsPerMu: Bool, today: CalendarDate) { self.fileUnitIsPerMu = fileUnitIsPerMu; self.today = today }

    mutating func reserveCapacity(_ count: Int) {
        firstRow.reserveCapacity(count)
        rows.reserveCapacity(count)
    }

    /// Checks a row but for its parcel id; its verdict comes with `records`.
    mutating func verdict(for row: InterpretedRow) -> MonitoringReader.RowVerdict {
        guard let parcelID = row.text[.parcelID] else { return reject(row, field: "parcel_id", code: .missingID, reason: "no parcel id", parcel: Row.noParcel) }
        let parcel = place(of: parcelID)
        guard let year = row.text[.year].flatMap({ Int($0) }) ?? row.date?.year, (1900...today.year).contains(year) else {
            return reject(row, field: "year", code: .badDate, reason: "no valid year (\"\(row.text[.year] ?? "")\")", parcel: parcel)
        }
        let perMu = row.text[.volumePerMu] != nil
            || (row.text[.volumeUnit].map { $0.lowercased().contains("mu") || $0.contains("亩") } ?? fileUnitIsPerMu)
        guard let text = row.text[.volumePerMu] ?? row.text[.volume] else {
            return reject(row, field: "volume_m3", code: .missingValue, reason: "no irrigation volume", parcel: parcel)
        }
        guard let amount = Double(text), amount.isFinite, amount >= 0 else {
            return reject(row, field: "volume_m3", code: .badNumber, reason: "volume \"\(text)\" is not a non-negative number", parcel: parcel)
        }
        let volume: IrrigationRecord.Volume = perMu ? .cubicMetresPerMu(amount) : .cubicMetres(amount)
        let thisRow = Int32(rows.count)
        let first = firstRow.value(for: ParcelYear(parcel: parcel, year: Int32(year)), insertingIfAbsent: thisRow)
        if first != thisRow, case .record(_, let firstVolume) = rows[Int(first)].outcome {
            if firstVolume == volume { return note(row, .merged, parcel: parcel) }
            return reject(row, field: "volume_m3", code: .duplicateConflict,
                          reason: "parcel \(parcelID) has another volume for \(year) at \(rows[Int(first)].location)", parcel: parcel)
        }
        return note(row, .record(year: Int32(year), volume: volume), parcel: parcel)
    }

    /// The id's place in `parcelIDs`, added when it is new.
    private mutating func place(of parcelID: String) -> Int32 {
        let next = Int32(parcelIDs.count)
        let place = placeOfID.value(for: parcelID, insertingIfAbsent: next)
        if place == next { parcelIDs.append(parcelID) }
        return place
    }

    private mutating func note(_ row: InterpretedRow, _ outcome: Outcome, parcel: Int32) -> MonitoringReader.RowVerdict {
        rows.append(Row(index: row.index, location: row.origin.location, parcel: parcel, outcome: outcome))
        return .undecided
    }

    private mutating func reject(_ row: InterpretedRow, field: String, code: RejectCode, reason: String, parcel: Int32) -> MonitoringReader.RowVerdict {
        rejections.append((field, code, reason))
        return note(row, .rejected(Int32(rejections.count - 1)), parcel: parcel)
    }

    /// Each distinct id's parcel in the layer, looked up on all cores (this step waits for the
    /// parcels, so it is what the run waits for): the layer's own copy of the id, which the
    /// records keep; nil for an id the layer does not have.
    mutating func layerIDs(in knownParcels: Set<String>) -> [String?] {
        firstRow = [:]
        placeOfID = [:]
        let ids = parcelIDs
        return parallelChunks(count: ids.count, chunkSize: 65_536) { range in
            range.map { index in knownParcels.firstIndex(of: ids[index]).map { knownParcels[$0] } }
        }
    }

    /// The records of the rows of known parcels, in row order; the counts accepted and merged,
    /// and the rejects, which take their place among the table's others (`rejectLate`).
    /// - Parameter layerIDs: for each of `parcelIDs`, the layer's copy of it (`layerIDs(in:)`).
    func records(file: String, layerIDs: [String?], into data: inout MonitoringData) -> (accepted: Int, merged: Int, rejected: [MonitoringReader.LateReject]) {
        data.irrigation.reserveCapacity(data.irrigation.count + rows.count)
        var rejected: [MonitoringReader.LateReject] = []  // few: only these need a place among the rejects
        var accepted = 0, merged = 0
        for index in rows.indices {
            func reject(_ field: String, _ code: RejectCode, _ reason: String) {
                rejected.append(MonitoringReader.LateReject(row: rows[index].index, origin: RecordOrigin(file: file, location: rows[index].location),
                                                            field: field, code: code, reason: reason))
            }
            let parcel = Int(rows[index].parcel)
            if parcel != Int(Row.noParcel), layerIDs[parcel] == nil {
                reject("parcel_id", .unknownParcel, "parcel \(parcelIDs[parcel]) is not in the parcel layer")
                continue
            }
            switch rows[index].outcome {
            case let .record(year, volume):
                data.irrigation.append(IrrigationRecord(parcelID: layerIDs[parcel]!, year: Int(year), volume: volume)); accepted += 1
            case .merged: merged += 1
            case .rejected(let which):
                let rejection = rejections[Int(which)]
                reject(rejection.field, rejection.code, rejection.reason)
            }
        }
        return (accepted, merged, rejected)
    }
}

extension PendingIrrigation.Row {
    /// The `parcel` of a row without a parcel id.
    static let noParcel: Int32 = -1
}

extension Dictionary {
    /// The value for `key`, storing `value` first when there is none: one hash of the key either
    /// way (through the `default:` subscript's in-place access, which stores the default).
    @inline(__always) mutating func value(for key: Key, insertingIfAbsent value: Value) -> Value {
        func current(_ stored: inout Value) -> Value { stored }
        return current(&self[key, default: value])
    }
}
