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
        try reader.read { rows.verdict(for: $0) }
        guard let knownParcels = parcelIDs.wait() else { throw CancellationError() }  // the parcels could not be read
        let (accepted, merged, rejected) = rows.records(file: file.path, layerIDs: rows.layerIDs(in: knownParcels),
                                                        locations: reader.rowLocations ?? RowLocations(prefix: "row "), into: &data)
        reader.noteAccepted(accepted)
        reader.noteMerged(merged)
        reader.rejectLate(rejected)
        finish(reader, into: &data)
    }
}

/// An irrigation table's rows between the two steps of `readIrrigation`: 32 bytes a row, as a
/// county has millions of rows (docs/scaling.md). A row names its parcel by the place of the id
/// among the table's distinct ids (each id's text is kept once), and its location by its number.
/// Rows of the same parcel and year are found by sorting once all are read (a dictionary of the
/// first row of each parcel and year, held while the rows were read, was as large as the rows).
struct PendingIrrigation {
    /// A checked row's volume, or its rejection (`rejections`: rows are many, rejections few).
    enum Kind: UInt8 { case cubicMetres, cubicMetresPerMu, rejected }
    /// (The fields in this order make 32 bytes: the 4-byte `parcel` beside the 2-byte `year`.)
    struct Row {
        var amount: Double
        /// The row's number in the file (its location: `RowLocations`).
        var number: Int
        /// The row's place among the table's rows (`InterpretedRow.index`).
        var index: Int
        /// The place of the row's id in `parcelIDs`, `Row.noParcel` for a row that names none.
        var parcel: Int32
        var year: Int16
        var kind: Kind

        var volume: IrrigationRecord.Volume? {
            switch kind {
            case .cubicMetres: .cubicMetres(amount)
            case .cubicMetresPerMu: .cubicMetresPerMu(amount)
            case .rejected: nil
            }
        }
    }
    struct Rejection { var field: String, code: RejectCode, reason: String }

    let fileUnitIsPerMu: Bool
    let today: CalendarDate
    private(set) var rows = RowBlocks()
    /// The table's distinct parcel ids, in the order they first appear (their lookup dropped
    /// after the reading).
    private(set) var parcelIDs = DistinctTexts()
    /// The rows rejected as they were checked, by their place in `rows`.
    private var rejections: [Int: Rejection] = [:]

    init(fileUnitIsPerMu: Bool, today: CalendarDate) { self.fileUnitIsPerMu = fileUnitIsPerMu; self.today = today }

    /// The rows in blocks of 65 536, so that each block is freed once its rows are records (the
    /// rows and the records were both held whole at the end of the reading: the run's peak).
    struct RowBlocks {
        private static let blockBits = 16
        private var blocks: [[Row]] = []
        private(set) var count = 0

        mutating func append(_ row: Row) {
            if count & (1 << Self.blockBits - 1) == 0 { blocks.append([]); blocks[blocks.count - 1].reserveCapacity(1 << Self.blockBits) }
            blocks[blocks.count - 1].append(row)
            count += 1
        }

        subscript(place: Int) -> Row { blocks[place >> Self.blockBits][place & (1 << Self.blockBits - 1)] }

        var indices: Range<Int> { 0..<count }

        /// Hands each row with its place to `body`, in order, and frees each block when done.
        mutating func drain(_ body: (Int, Row) -> Void) {
            for block in blocks.indices {
                for (offset, row) in blocks[block].enumerated() { body(block << Self.blockBits + offset, row) }
                blocks[block] = []
            }
            blocks = []
            count = 0
        }
    }

    /// Checks a row but for its parcel id and its duplicates; its verdict comes with `records`.
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
        rows.append(Row(amount: amount, number: row.number, index: row.index, parcel: parcel, year: Int16(year),
                        kind: perMu ? .cubicMetresPerMu : .cubicMetres))
        return .undecided
    }

    /// The id's place in `parcelIDs`, added when it is new.
    /// (2³¹ distinct ids would take 2³¹ rows, 64 GB of them: a place fits in an `Int32`.)
    private mutating func place(of parcelID: String) -> Int32 { Int32(parcelIDs.place(of: parcelID)) }

    private mutating func reject(_ row: InterpretedRow, field: String, code: RejectCode, reason: String, parcel: Int32) -> MonitoringReader.RowVerdict {
        rejections[rows.count] = Rejection(field: field, code: code, reason: reason)
        rows.append(Row(amount: 0, number: row.number, index: row.index, parcel: parcel, year: 0, kind: .rejected))
        return .undecided
    }

    /// Each distinct id's parcel in the layer, looked up on all cores (this step waits for the
    /// parcels, so it is what the run waits for): the layer's own copy of the id, which the
    /// records keep; nil for an id the layer does not have.
    mutating func layerIDs(in knownParcels: Set<String>) -> [String?] {
        parcelIDs.dropLookup()
        let ids = parcelIDs
        return parallelChunks(count: ids.count, chunkSize: 65_536) { range in
            range.map { index in knownParcels.firstIndex(of: ids[index]).map { knownParcels[$0] } }
        }
    }

    /// What a checked row is next to the rows before it of the same parcel and year.
    enum Repeat: Equatable {
        case first, sameAsFirst
        /// Another volume than that of the first row (its number: `RowLocations`).
        case conflict(firstNumber: Int)
    }

    /// Each row's `Repeat`, 1 byte a row (made for millions of rows once they are all read);
    /// conflicts, which are few, keep the first row's number apart.
    struct Repeats {
        private enum Code: UInt8 { case first, sameAsFirst, conflict }
        private var codes: [Code]
        private var firstNumbers: [Int: Int] = [:]

        init(count: Int) { codes = [Code](repeating: .first, count: count) }
        subscript(place: Int) -> Repeat {
            get {
                switch codes[place] {
                case .first: .first
                case .sameAsFirst: .sameAsFirst
                case .conflict: .conflict(firstNumber: firstNumbers[place]!)
                }
            }
            set {
                switch newValue {
                case .first: codes[place] = .first
                case .sameAsFirst: codes[place] = .sameAsFirst
                case .conflict(let number): codes[place] = .conflict; firstNumbers[place] = number
                }
            }
        }
    }

    /// Each checked row's place among the rows of its parcel and year, found by sorting the rows'
    /// places by parcel, year and place (rejected rows take no part). (A place fits in 31 bits,
    /// as 2³¹ rows would take 64 GB.)
    func repeats() -> Repeats {
        var order = rows.indices.compactMap { rows[$0].kind == .rejected ? nil : Int32($0) }
        order.sort { a, b in
            (rows[Int(a)].parcel, rows[Int(a)].year, a) < (rows[Int(b)].parcel, rows[Int(b)].year, b)
        }
        var result = Repeats(count: rows.count)
        var first = -1
        for place in order.lazy.map(Int.init) {
            if first >= 0, rows[first].parcel == rows[place].parcel, rows[first].year == rows[place].year {
                result[place] = rows[place].volume == rows[first].volume ? .sameAsFirst : .conflict(firstNumber: rows[first].number)
            } else {
                first = place
            }
        }
        return result
    }

    /// The records of the rows of known parcels, in row order; the counts accepted and merged,
    /// and the rejects, which take their place among the table's others (`rejectLate`).
    /// - Parameters:
    ///   - layerIDs: for each of `parcelIDs`, the layer's copy of it (`layerIDs(in:)`).
    ///   - locations: how the table names its rows from their numbers.
    mutating func records(file: String, layerIDs: [String?], locations: RowLocations,
                          into data: inout MonitoringData) -> (accepted: Int, merged: Int, rejected: [MonitoringReader.LateReject]) {
        let repeats = repeats()
        // The records name their parcels by the places of the table's ids, as the rows do (an id
        // not in the layer has "" there: no record names it).
        var records = IrrigationRecords(parcelIDs: layerIDs.map { $0 ?? "" }, reservingCapacity: rows.count)
        var rejected: [MonitoringReader.LateReject] = []  // few: only these need a place among the rejects
        var accepted = 0, merged = 0
        let parcelIDs = parcelIDs, rejections = rejections
        rows.drain { place, row in
            func reject(_ field: String, _ code: RejectCode, _ reason: String) {
                rejected.append(MonitoringReader.LateReject(row: row.index, origin: RecordOrigin(file: file, location: locations(row.number)),
                                                            field: field, code: code, reason: reason))
            }
            let parcel = Int(row.parcel)
            if parcel != Int(Row.noParcel), layerIDs[parcel] == nil {
                reject("parcel_id", .unknownParcel, "parcel \(parcelIDs[parcel]) is not in the parcel layer")
                return
            }
            guard let volume = row.volume else {
                let rejection = rejections[place]!
                reject(rejection.field, rejection.code, rejection.reason)
                return
            }
            switch repeats[place] {
            case .first:
                records.append(parcel: parcel, year: Int(row.year), volume: volume); accepted += 1
            case .sameAsFirst: merged += 1
            case .conflict(let firstNumber):
                reject("volume_m3", .duplicateConflict,
                       "parcel \(parcelIDs[parcel]) has another volume for \(row.year) at \(locations(firstNumber))")
            }
        }
        if data.irrigation.isEmpty { data.irrigation = records } else { data.irrigation += records }
        return (accepted, merged, rejected)
    }
}

extension PendingIrrigation.Row {
    /// The `parcel` of a row without a parcel id.
    static let noParcel: Int32 = -1
}
