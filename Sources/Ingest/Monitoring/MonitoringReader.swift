import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry

/// Turns one monitoring table into interpreted rows: columns to roles and parameters, values to
/// canonical units, non-detects kept as such, bad cells and rows into rejects. Wide tables (one
/// column per parameter) and long tables (parameter, value, unit columns) give the same rows.
struct MonitoringReader {
    let options: TableInputOptions
    /// The medium its values are measured in, and the kind of table ("water", "soil", …).
    let medium: Medium, kind: String
    /// The role an "id" column plays in this kind of file.
    let primaryID: ColumnRole
    let context: LocationContext

    /// What the reading found, for run.json (set by the reading, read by the record builders).
    var report: InputFileReport
    private(set) var rejects: [Reject] = []
    /// The row of each reject, while `read` goes through the rows (nil after): rows decided
    /// later (`rejectLate(_:)`) take their place among them.
    var rejectRows: [Int?] = []
    var currentRow: Int?
    /// How the table read last names its rows from their numbers (`InterpretedRow.number`).
    private(set) var rowLocations: RowLocations?

    /// The roles the file has a column (or a constant) for.
    var hasColumn: Set<ColumnRole> = []
    var longResolutions: [LongKey: ParameterResolution] = [:]
    /// Columns refused because their species cannot be decided, with the reason (rejected
    /// whole once the columns are known).
    var speciesRefusals: [String: String] = [:]
    /// Units parsed once per distinct text (a long table repeats "mg/L" on every row).
    var unitCache: [UnitKey: MeasurementUnit?] = [:]
    /// Rows whose location was unusable, with the reason; the record builders reject them.
    var badLocations: [RecordOrigin: (code: RejectCode, reason: String)] = [:]

    init(options: TableInputOptions, medium: Medium, kind: String, primaryID: ColumnRole, context: LocationContext) {
        self.options = options; self.medium = medium; self.kind = kind; self.primaryID = primaryID; self.context = context
        report = InputFileReport(file: options.path, kind: kind, encoding: "", layout: "")
    }

    enum ReadError: Error, CustomStringConvertible {
        case badColumnSpec(file: String, column: String, spec: String)
        case badCRS(file: String, crs: String, message: String)
        var description: String {
            switch self {
            case let .badColumnSpec(file, column, spec):
                "\(file): the project file maps column \"\(column)\" to \"\(spec)\", which is neither a role (\(ColumnRole.allCases.map(\.rawValue).joined(separator: ", "))), a parameter (\(ParameterCatalog.all.map(\.id).joined(separator: ", "))) nor \"ignore\""
            case let .badCRS(file, crs, message): "\(file): crs \"\(crs)\" is not a CRS GDAL understands: \(message)"
            }
        }
    }

    /// Every interpreted row (for tables whose rows are grouped before use: samples, wells).
    mutating func read() throws -> [InterpretedRow] {
        var rows: [InterpretedRow] = []
        try read { rows.append($0); return .undecided }
        return rows
    }

    /// What a caller that takes rows one at a time made of a row.
    enum RowVerdict {
        case accepted, merged, rejected(field: String, code: RejectCode, reason: String)
        /// Counted later by the caller (`read()`).
        case undecided
    }

    /// Reads the table a row at a time, handing each interpreted row to `consume` (the table keeps
    /// its cells in one compact buffer, so a table of millions of rows — irrigation records — is
    /// cheap to hold while its rows are taken).
    mutating func read(each consume: (InterpretedRow) -> RowVerdict) throws {
        let table = try TableReader.read(options.path, encoding: options.encoding, layer: options.layer,
                                          openOptions: options.openOptions, attributeFilter: options.attributeFilter)
        report.encoding = table.encoding
        rowLocations = table.rowLocations
        let layout = try layout(of: table)
        // One row value reused from row to row: its role texts keep their room unless `consume`
        // kept the previous row (a new list per row was an allocation per row).
        var interpreted = InterpretedRow(origin: RecordOrigin(file: options.path, location: ""), text: layout.constantTexts, measurements: [:])
        defer { currentRow = nil }
        for rowIndex in table.rows.indices {
            currentRow = rowIndex
            report.rowsRead += 1
            guard try interpret(table.rows[rowIndex], at: rowIndex, of: table, layout, into: &interpreted) else { continue }
            switch consume(interpreted) {
            case .accepted: noteAccepted()
            case .merged: noteMerged()
            case let .rejected(field, code, reason): rejectRow(interpreted.origin, field: field, code: code, reason: reason)
            case .undecided: break
            }
        }
    }

    /// What each column gives a row, worked out once rather than per row (an irrigation table
    /// has millions of rows).
    struct TableLayout {
        var meanings: [ColumnMeaning]
        /// Parameter, value and unit columns (else one column per parameter).
        var isLong: Bool
        /// A remark column right before a measurement column qualifies that column only (USGS:
        /// remarkCode;Nitrate;remarkCode2;Nitrate2): the measurement column's remark column.
        var boundRemarks: [Int: Int]
        /// Remark columns for every value of their row.
        var rowRemarkColumns: [Int]
        /// Whether the file has its own id column (a file without names its samples by row).
        var hasOwnID: Bool
        var roleColumns: [(index: Int, role: ColumnRole)]
        var measurementColumns: [(index: Int, parameter: Parameter, unit: String?)]
        /// Long tables: parameters whose unit-less values are implausible in the canonical unit.
        var implausible: [Parameter: (bound: UnitPlausibility.Bound, median: Double)]
        var constantTexts: RoleTexts
        /// For x/y columns; set up only for a table with x/y (≈ 50 ms for a first transformation
        /// on a new thread); a bad `crs:` is reported either way.
        var xyTransform: WGS84Transform?
    }

    private mutating func layout(of table: Table) throws -> TableLayout {
        let meanings = try interpretColumns(table)
        let isLong = meanings.contains(.role(.parameter)) && meanings.contains(.role(.value))
        report.layout = isLong ? "long (parameter, value, unit columns)" : "wide (one column per parameter)"
        var boundRemarks: [Int: Int] = [:]
        for (index, meaning) in meanings.enumerated() where meaning == .role(.remark) && index + 1 < meanings.count {
            switch meanings[index + 1] {
            case .measurement, .ignored, .unrecognised: boundRemarks[index + 1] = index
            case .role: break
            }
        }
        let constants = try constantRoles()
        let hasOwnID = meanings.contains(.role(primaryID)) || constants[primaryID] != nil
        hasColumn = Set(meanings.compactMap { if case .role(let role) = $0 { role } else { nil } }).union(constants.keys)
        if !hasOwnID && primaryID == .sampleID && kind == "soil" {
            report.notes.append("no sample_id column: samples are named by their row (e.g. \(fileName):row 2)")
        }
        if !hasOwnID && primaryID == .wellID {
            report.notes.append("no well_id column: wells are identified by their coordinates")
        }
        return TableLayout(
            meanings: meanings, isLong: isLong, boundRemarks: boundRemarks,
            rowRemarkColumns: meanings.indices.filter { meanings[$0] == .role(.remark) && !boundRemarks.values.contains($0) },
            hasOwnID: hasOwnID,
            roleColumns: meanings.indices.compactMap { index in
                if case .role(let role) = meanings[index], role != .remark { (index, role) } else { nil }
            },
            measurementColumns: meanings.indices.compactMap { index in
                if case .measurement(let parameter, let unit) = meanings[index] { (index, parameter, unit) } else { nil }
            },
            implausible: isLong && options.unitPolicy == .assumeCanonical ? try implausibleUnitlessParameters(table, meanings) : [:],
            constantTexts: RoleTexts(constants),
            xyTransform: try coordinateTransform(needed: hasColumn.contains(.x) || hasColumn.contains(.y)))
    }

    /// Interprets one row into `interpreted` (reused from row to row); false when the row was
    /// rejected (a bad or future date).
    private mutating func interpret(_ row: Table.Row, at rowIndex: Int, of table: Table, _ layout: TableLayout,
                                    into interpreted: inout InterpretedRow) throws -> Bool {
        let location = table.location(of: row)
        interpreted.index = rowIndex
        interpreted.number = row.number
        interpreted.origin.location = location
        interpreted.text.reset(to: layout.constantTexts)
        if !interpreted.measurements.isEmpty { interpreted.measurements = [:] }
        interpreted.location = nil
        interpreted.date = nil
        if !layout.hasOwnID && primaryID == .sampleID && kind == "soil" { interpreted.text[primaryID] = "\(fileName):\(location)" }
        var detectionLimitText: String? = nil
        func cell(_ index: Int) -> String { table.trimmedCell(row, index) }
        // Only measurements take a remark.
        let rowRemark = layout.measurementColumns.isEmpty && !layout.isLong ? nil : layout.rowRemarkColumns.lazy.map(cell).first { !$0.isEmpty }
        for (index, role) in layout.roleColumns {
            let text = cell(index)
            guard !text.isEmpty else { continue }
            if role == .detectionLimit { detectionLimitText = text } else { interpreted.text[role] = text }
        }
        if layout.isLong {
            addLongTableMeasurement(remark: rowRemark, detectionLimit: detectionLimitText, implausible: layout.implausible, into: &interpreted)
        } else {
            for (index, parameter, unit) in layout.measurementColumns {
                let remark = layout.boundRemarks[index].map(cell).flatMap { $0.isEmpty ? nil : $0 } ?? rowRemark
                addMeasurement(parameter, raw: cell(index), unitText: unit, column: table.header[index],
                               remark: remark, detectionLimit: detectionLimitText, into: &interpreted)
            }
        }
        if !layout.hasOwnID && primaryID == .wellID {
            if let x = interpreted.text[.x] ?? interpreted.text[.lon], let y = interpreted.text[.y] ?? interpreted.text[.lat] {
                interpreted.text[.wellID] = "\(x),\(y)"
            } else if let p = table.point(of: row) {
                interpreted.text[.wellID] = "\(p.x),\(p.y)"
            }
        }
        // Location: lon/lat, else x/y in the file's or the parcels' CRS, else the layer's points.
        if let location = try locate(interpreted, point: table.point(of: row), transform: layout.xyTransform) {
            interpreted.location = location
        }
        if let dateText = interpreted.text[.date], MeasuredValue.parse(dateText) != .missing {
            guard let date = CalendarDate.parse(dateText) else {
                rejectRow(interpreted.origin, field: columnName(.date, table, layout.meanings), code: .badDate,
                          reason: "\"\(dateText)\" is not a date (expected e.g. 2024-05-01 or 2024/5/1)")
                return false
            }
            guard date <= context.today else {
                rejectRow(interpreted.origin, field: columnName(.date, table, layout.meanings), code: .futureDate,
                          reason: "\(date) is after today (\(context.today))")
                return false
            }
            interpreted.date = date
        }
        return true
    }

    /// A long table's row: its parameter column names the parameter, its value and unit columns give the value.
    private mutating func addLongTableMeasurement(remark: String?, detectionLimit: String?,
                                                 implausible: [Parameter: (bound: UnitPlausibility.Bound, median: Double)],
                                                 into interpreted: inout InterpretedRow) {
        guard let name = interpreted.text[.parameter] else { return }
        switch longTableParameter(name, unitText: interpreted.text[.unit]) {
        case .measurement(let parameter, let unitText):
            let unit: String?
            switch unitText ?? options.units[parameter.id] {
            case let given?: unit = given
            case nil: unit = longTableAssumedUnit(parameter, implausible: implausible)
            }
            if unit == nil, let bound = implausible[parameter] {
                rejectValue(interpreted.origin, field: "value", code: .unitImplausible, reason: implausibleReason(name, parameter, bound))
            } else {
                addMeasurement(parameter, raw: interpreted.text[.value] ?? "", unitText: unit, column: "value",
                               remark: remark, detectionLimit: detectionLimit, into: &interpreted)
            }
        case .refused(let reason):
            if MeasuredValue.parse(interpreted.text[.value] ?? "") != .missing {
                rejectValue(interpreted.origin, field: "parameter", code: .speciesAmbiguous, reason: reason)
            }
        case .unrecognised:
            if !report.unrecognisedColumns.contains("parameter \(name)") { report.unrecognisedColumns.append("parameter \(name)") }
        }
    }

    private var fileName: String { options.path.split(separator: "/").last.map(String.init) ?? options.path }

    private func constantRoles() throws -> [ColumnRole: String] {
        var result: [ColumnRole: String] = [:]
        for (key, value) in options.constants {
            guard let role = ColumnRole(rawValue: key) else {
                throw ReadError.badColumnSpec(file: options.path, column: "constants.\(key)", spec: value)
            }
            result[role] = value
        }
        return result
    }

    // MARK: - Rejects

    mutating func rejectRow(_ origin: RecordOrigin, field: String, code: RejectCode, reason: String) {
        report.rowsRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason))
    }

    /// One reject for a whole column whose values cannot be used: each of its values counted.
    mutating func rejectColumn(_ index: Int, of table: Table, code: RejectCode, reason: String) {
        let count = table.rows.filter { !table.trimmedCell($0, index).isEmpty }.count
        report.valuesRejected += count
        addReject(Reject(file: options.path, location: "all rows (\(count) values)", field: table.header[index], code: code, reason: reason))
    }

    mutating func rejectValue(_ origin: RecordOrigin, field: String, code: RejectCode, reason: String) {
        report.valuesRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason + " (value dropped, row kept)"))
    }

    mutating func addReject(_ reject: Reject) {
        rejects.append(reject)
        rejectRows.append(currentRow)
        report.rejectedByCode[reject.code.rawValue, default: 0] += 1
    }

    /// A row `read` handed over undecided and its caller then rejected.
    struct LateReject {
        var row: Int
        var origin: RecordOrigin
        var field: String, code: RejectCode, reason: String
    }

    /// Records rows rejected after `read` handed them over undecided (in row order), each among
    /// the rejects `read` made by its row, as if it had been rejected as it was read. (Rows
    /// accepted or merged then are counted with `noteAccepted` and `noteMerged`.)
    mutating func rejectLate(_ late: [LateReject]) {
        var merged: [Reject] = [], mergedRows: [Int?] = []
        merged.reserveCapacity(rejects.count + late.count); mergedRows.reserveCapacity(rejects.count + late.count)
        var next = 0  // the next of the rejects made so far
        func takeEarlierRejects(before row: Int?) {
            while next < rejects.count, let made = rejectRows[next], row.map({ made <= $0 }) ?? true {
                merged.append(rejects[next]); mergedRows.append(made); next += 1
            }
        }
        for reject in late {
            takeEarlierRejects(before: reject.row)
            report.rowsRejected += 1
            report.rejectedByCode[reject.code.rawValue, default: 0] += 1
            merged.append(Reject(file: reject.origin.file, location: reject.origin.location, field: reject.field, code: reject.code, reason: reject.reason))
            mergedRows.append(reject.row)
        }
        takeEarlierRejects(before: nil)
        merged += rejects[next...]; mergedRows += rejectRows[next...]  // made after the rows were read
        rejects = merged; rejectRows = mergedRows
    }

    mutating func noteAccepted(_ count: Int = 1) { report.rowsAccepted += count }

    /// Rejects a sample that was accepted row by row (checks that need the whole sample).
    mutating func unaccept(_ origin: RecordOrigin, rows: Int, field: String, code: RejectCode, reason: String) {
        report.rowsAccepted -= rows
        report.rowsRejected += rows - 1
        rejectRow(origin, field: field, code: code, reason: rows > 1 ? reason + " (\(rows) rows)" : reason)
    }
    mutating func noteMerged(_ count: Int = 1) { report.duplicateRowsMerged += count }
}

#if canImport(Glibc)
import Glibc
import PlanarGeometry
#endif
