import GeoKit
import IrrigationModel

/// Turns one monitoring table into interpreted rows: columns to roles and parameters, values to
/// canonical units, non-detects kept as such, bad cells and rows into rejects. Wide tables (one
/// column per parameter) and long tables (parameter, value, unit columns) give the same rows.
struct MonitoringReader {
    let options: TableInputOptions
    let medium: Medium
    let kind: String
    /// The role an "id" column plays in this kind of file.
    let primaryID: ColumnRole
    let context: LocationContext

    private(set) var report: InputFileReport
    private(set) var rejects: [Reject] = []
    /// The row of each reject, while `read` goes through the rows (nil after): rows decided
    /// later (`rejectLate(_:)`) take their place among them.
    private var rejectRows: [Int?] = []
    private var currentRow: Int?

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
        case accepted, merged, rejected(field: String, code: String, reason: String)
        /// Counted later by the caller (`read()`).
        case undecided
    }

    /// Reads the table a row at a time, handing each interpreted row to `consume` (the table keeps
    /// its cells in one compact buffer, so a table of millions of rows — irrigation records — is
    /// cheap to hold while its rows are taken). `expect` hears the number of rows before the
    /// first one (to reserve room).
    mutating func read(expect: (Int) -> Void = { _ in }, each consume: (InterpretedRow) -> RowVerdict) throws {
        let table = try TableReader.read(options.path, encoding: options.encoding, layer: options.layer)
        expect(table.rows.count)
        report.encoding = table.encoding
        let meanings = try interpretColumns(table)
        let isLong = meanings.contains(.role(.parameter)) && meanings.contains(.role(.value))
        report.layout = isLong ? "long (parameter, value, unit columns)" : "wide (one column per parameter)"

        // A remark column right before a measurement column qualifies that column only
        // (USGS: remarkCode;Nitrate;remarkCode2;Nitrate2); any other remark column, every value.
        var boundRemarks: [Int: Int] = [:]
        for (index, meaning) in meanings.enumerated() where meaning == .role(.remark) && index + 1 < meanings.count {
            switch meanings[index + 1] {
            case .measurement, .ignored, .unrecognised: boundRemarks[index + 1] = index
            case .role: break
            }
        }
        let rowRemarkColumns = meanings.indices.filter { meanings[$0] == .role(.remark) && !boundRemarks.values.contains($0) }
        let constants = try constantRoles()
        // A file without any id column names its samples by row (Meuse: x, y and metals only).
        let hasOwnID = meanings.contains(.role(primaryID)) || constants[primaryID] != nil
        hasColumn = Set(meanings.compactMap { if case .role(let role) = $0 { role } else { nil } }).union(constants.keys)
        // Set up only for a table with x/y (≈ 50 ms for a first transformation on a new thread,
        // for an irrigation table that has none); a bad `crs:` is reported either way.
        let xyTransform = try coordinateTransform(needed: hasColumn.contains(.x) || hasColumn.contains(.y))
        if !hasOwnID && primaryID == .sampleID && kind == "soil" {
            report.notes.append("no sample_id column: samples are named by their row (e.g. \(fileName):row 2)")
        }
        if !hasOwnID && primaryID == .wellID {
            report.notes.append("no well_id column: wells are identified by their coordinates")
        }

        // What each column gives a row, worked out once rather than per row (an irrigation table
        // has millions of rows): the role columns and the measurement columns.
        let roleColumns: [(index: Int, role: ColumnRole)] = meanings.indices.compactMap { index in
            if case .role(let role) = meanings[index], role != .remark { (index, role) } else { nil }
        }
        let measurementColumns: [(index: Int, parameter: Parameter, unit: String?)] = meanings.indices.compactMap { index in
            if case .measurement(let parameter, let unit) = meanings[index] { (index, parameter, unit) } else { nil }
        }
        let constantTexts = RoleTexts(constants)
        // One row value reused from row to row: its role texts keep their room unless `consume`
        // kept the previous row (a new list per row was an allocation per row).
        var interpreted = InterpretedRow(origin: RecordOrigin(file: options.path, location: ""), text: constantTexts, measurements: [:])
        defer { currentRow = nil }
        for rowIndex in table.rows.indices {
            let row = table.rows[rowIndex]
            currentRow = rowIndex
            report.rowsRead += 1
            let location = table.location(of: row)
            interpreted.index = rowIndex
            interpreted.origin.location = location
            interpreted.text.reset(to: constantTexts)
            if !interpreted.measurements.isEmpty { interpreted.measurements = [:] }
            interpreted.location = nil
            interpreted.date = nil
            if !hasOwnID && primaryID == .sampleID && kind == "soil" { interpreted.text[primaryID] = "\(fileName):\(location)" }
            var detectionLimitText: String? = nil
            func cell(_ index: Int) -> String { table.trimmedCell(row, index) }
            // Only measurements take a remark.
            let rowRemark = measurementColumns.isEmpty && !isLong ? nil : rowRemarkColumns.lazy.map(cell).first { !$0.isEmpty }
            for (index, role) in roleColumns {
                let text = cell(index)
                guard !text.isEmpty else { continue }
                if role == .detectionLimit { detectionLimitText = text } else { interpreted.text[role] = text }
            }
            if isLong {
                if let name = interpreted.text[.parameter] {
                    if let parameter = ParameterCatalog.parameter(named: name) {
                        let unit = interpreted.text[.unit] ?? options.units[parameter.id]
                        addMeasurement(parameter, raw: interpreted.text[.value] ?? "", unitText: unit, column: "value",
                                       remark: rowRemark, detectionLimit: detectionLimitText, into: &interpreted)
                    } else if !report.unrecognisedColumns.contains("parameter \(name)") {
                        report.unrecognisedColumns.append("parameter \(name)")
                    }
                }
            } else {
                for (index, parameter, unit) in measurementColumns {
                    let remark = boundRemarks[index].map(cell).flatMap { $0.isEmpty ? nil : $0 } ?? rowRemark
                    addMeasurement(parameter, raw: cell(index), unitText: unit, column: table.header[index],
                                   remark: remark, detectionLimit: detectionLimitText, into: &interpreted)
                }
            }
            if !hasOwnID && primaryID == .wellID {
                if let x = interpreted.text[.x] ?? interpreted.text[.lon], let y = interpreted.text[.y] ?? interpreted.text[.lat] {
                    interpreted.text[.wellID] = "\(x),\(y)"
                } else if let p = row.point {
                    interpreted.text[.wellID] = "\(p.x),\(p.y)"
                }
            }
            // Location: lon/lat, else x/y in the file's or the parcels' CRS, else the layer's points.
            if let location = try locate(interpreted, point: row.point, transform: xyTransform) {
                interpreted.location = location
            }
            if let dateText = interpreted.text[.date], MeasuredValue.parse(dateText) != .missing {
                guard let date = CalendarDate.parse(dateText) else {
                    rejectRow(interpreted.origin, field: columnName(.date, table, meanings), code: "BAD_DATE",
                              reason: "\"\(dateText)\" is not a date (expected e.g. 2024-05-01 or 2024/5/1)")
                    continue
                }
                guard date <= context.today else {
                    rejectRow(interpreted.origin, field: columnName(.date, table, meanings), code: "FUTURE_DATE",
                              reason: "\(date) is after today (\(context.today))")
                    continue
                }
                interpreted.date = date
            }
            switch consume(interpreted) {
            case .accepted: noteAccepted()
            case .merged: noteMerged()
            case let .rejected(field, code, reason): rejectRow(interpreted.origin, field: field, code: code, reason: reason)
            case .undecided: break
            }
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

    // MARK: - Columns

    private mutating func interpretColumns(_ table: Table) throws -> [ColumnMeaning] {
        var meanings: [ColumnMeaning] = []
        for (index, header) in table.header.enumerated() {
            var meaning: ColumnMeaning
            if let spec = options.columns[header] {
                guard let explicit = ColumnMeaning.fromSpec(spec) else {
                    throw ReadError.badColumnSpec(file: options.path, column: header, spec: spec)
                }
                meaning = explicit
            } else {
                let normalised = ParameterCatalog.normalise(header)
                if normalised == "id" {
                    meaning = .role(primaryID)
                } else if let role = ColumnRole.byAlias[normalised] ?? ColumnRole.byAlias[String(normalised.reversed().drop(while: \.isNumber).reversed())] {
                    // "remarkCode2", "date_2": numbered copies of a role column.
                    meaning = .role(role)
                } else {
                    let (name, unit) = ColumnHeader.split(header)
                    if let parameter = ParameterCatalog.parameter(named: name) {
                        meaning = .measurement(parameter, unit: unit)
                    } else if let (name, unit) = ColumnHeader.bracketed(header), let parameter = ParameterCatalog.parameter(named: name) {
                        meaning = .measurement(parameter, unit: unit)  // a unit we do not know: rejected below with the reason
                    } else {
                        meaning = .unrecognised
                    }
                }
            }
            // A unit from the units row or the project file when the header has none.
            if case .measurement(let parameter, nil) = meaning {
                let rowUnit = table.unitsRow.flatMap { index < $0.count ? $0[index].trimmingWhitespace() : nil }.flatMap { $0.isEmpty ? nil : $0 }
                meaning = .measurement(parameter, unit: rowUnit ?? options.units[parameter.id])
            }
            // A role belongs to its first column: Kwale's "Y" (yttrium) must not replace "utm_y".
            if case .role(let role) = meaning, role != .remark, meanings.contains(.role(role)) {
                report.notes.append("column \"\(header)\" would also be \(role.rawValue); the first such column is used and this one ignored")
                meaning = .unrecognised
            }
            switch meaning {
            case .unrecognised: report.unrecognisedColumns.append(header)
            case .role(let role): report.columnMeanings[header] = role.rawValue
            case .measurement(let p, let unit): report.columnMeanings[header] = p.id + (unit.map { " (\($0))" } ?? "")
            case .ignored: report.columnMeanings[header] = "ignore"
            }
            meanings.append(meaning)
        }
        // One column-level reject for a parameter column whose unit is missing or unknown: every
        // value in it would be wrong by an unknown factor.
        for (index, meaning) in meanings.enumerated() {
            guard case .measurement(let parameter, let unitText) = meaning else { continue }
            if let problem = unitProblem(parameter, unitText) {
                let count = table.rows.filter { !table.trimmedCell($0, index).isEmpty }.count
                report.valuesRejected += count
                addReject(Reject(file: options.path, location: "all rows (\(count) values)", field: table.header[index],
                                 code: problem.code, reason: problem.reason))
                meanings[index] = .ignored
            }
        }
        return meanings
    }

    /// Why a parameter's values in `unitText` cannot be used, or nil when they can.
    private func unitProblem(_ parameter: Parameter, _ unitText: String?) -> (code: String, reason: String)? {
        let canonical = parameter.canonicalUnit(in: medium)
        if parameter.kind == .ph || parameter.kind == .temperature, unitText == nil { return nil }
        guard let unitText else {
            return ("UNIT_MISSING", "\(parameter.englishName) has no unit: write it in the header, e.g. \"\(parameter.id) (\(canonical.symbol))\", or set units: {\(parameter.id): …} in the project file")
        }
        guard let unit = MeasurementUnit.parse(unitText, kind: parameter.kind) else {
            return ("UNIT_UNKNOWN", "\"\(unitText)\" is not a unit irrizone converts for \(parameter.englishName) (expected e.g. \(canonical.symbol))")
        }
        guard unit.convert(1, to: canonical) != nil else {
            return ("UNIT_INCOMPATIBLE", "\(unit.symbol) cannot express \(parameter.englishName) in \(medium.rawValue) (expected e.g. \(canonical.symbol))")
        }
        return nil
    }

    private func columnName(_ role: ColumnRole, _ table: Table, _ meanings: [ColumnMeaning]) -> String {
        meanings.firstIndex(of: .role(role)).map { table.header[$0] } ?? role.rawValue
    }

    // MARK: - Values

    /// Units parsed once per distinct text (a long table repeats "mg/L" on every row).
    private var unitCache: [UnitKey: MeasurementUnit?] = [:]
    private struct UnitKey: Hashable { var text: String; var kind: QuantityKind? }

    private mutating func cachedUnit(_ text: String, kind: QuantityKind?) -> MeasurementUnit? {
        let key = UnitKey(text: text, kind: kind)
        if let cached = unitCache[key] { return cached }
        let unit = MeasurementUnit.parse(text, kind: kind)
        unitCache[key] = unit
        return unit
    }

    private mutating func addMeasurement(_ parameter: Parameter, raw: String, unitText: String?, column: String,
                                         remark: String?, detectionLimit: String?, into row: inout InterpretedRow) {
        var parsed = MeasuredValue.parse(raw)
        // A separate remark column ("<" beside ".50") makes the number a detection limit.
        if let remark, remark.hasPrefix("<") || remark.uppercased() == "ND" || remark.uppercased() == "U",
           case .measured(.value(let limit)) = parsed {
            parsed = .measured(.belowDetection(limit: limit))
        }
        switch parsed {
        case .missing: return
        case .unparseable(let text):
            rejectValue(row.origin, field: column, code: "BAD_NUMBER", reason: "\"\(text)\" is not a number or a non-detect (e.g. 0.01, <0.01, 0.01L, ND)")
            return
        case .measured(var value):
            let canonical = parameter.canonicalUnit(in: medium)
            var convert: (Double) -> Double = { $0 }
            if let unitText, let unit = cachedUnit(unitText, kind: parameter.kind) {
                guard unit.convert(1, to: canonical) != nil else {
                    rejectValue(row.origin, field: column, code: "UNIT_INCOMPATIBLE", reason: "\(unit.symbol) cannot express \(parameter.englishName)")
                    return
                }
                convert = { unit.convert($0, to: canonical)! }
                if unit != canonical {
                    let note = "\(unit.symbol) → \(canonical.symbol) (\(parameter.id))"
                    if !report.unitConversions.contains(note) { report.unitConversions.append(note) }
                }
            } else if let unitText, parameter.kind != .ph {
                rejectValue(row.origin, field: column, code: "UNIT_UNKNOWN", reason: "\"\(unitText)\" is not a unit irrizone converts for \(parameter.englishName)")
                return
            } else if unitText == nil, parameter.kind != .ph, parameter.kind != .temperature {
                rejectValue(row.origin, field: column, code: "UNIT_MISSING", reason: "no unit for \(parameter.englishName)")
                return
            }
            value = value.mapNumbers(convert)
            if case .belowDetection(nil) = value {
                let limit = detectionLimit.flatMap { MeasuredValue.parse($0) }.flatMap { if case .measured(.value(let v)) = $0 { convert(v) } else { nil } }
                    ?? options.detectionLimits[parameter.id]
                value = .belowDetection(limit: limit)
                if limit == nil { report.nonDetectsWithoutLimit += 1 }
            }
            if value.isNonDetect { report.nonDetects += 1 }
            if let number = value.number {
                if parameter.kind == .ph, !(0...14).contains(number) {
                    rejectValue(row.origin, field: column, code: "PH_OUT_OF_RANGE", reason: "pH \(number) is outside 0–14")
                    return
                }
                if parameter.kind != .temperature, parameter.kind != .ph, number < 0 {
                    rejectValue(row.origin, field: column, code: "NEGATIVE_VALUE", reason: "\(parameter.englishName) \(raw) is negative")
                    return
                }
            }
            if !report.parametersRecognised.contains(parameter.id) { report.parametersRecognised.append(parameter.id) }
            row.measurements[parameter] = value
        }
    }

    // MARK: - Locations

    private func coordinateTransform(needed: Bool) throws -> WGS84Transform? {
        let source: SpatialReference?
        if let crs = options.crs {
            do { source = try SpatialReference(userInput: crs) } catch { throw ReadError.badCRS(file: options.path, crs: crs, message: error.message) }
        } else {
            source = context.defaultCRS
        }
        guard needed else { return nil }
        return try source.map { try WGS84Transform(from: $0) }
    }

    enum LocationError: Error { case rejected }

    /// The row's WGS84 location, or nil when the table has no coordinates. Bad or far-away
    /// coordinates reject the row (the caller sees the row dropped via `rejectedRows`).
    private mutating func locate(_ row: InterpretedRow, point: Position?, transform: WGS84Transform?) throws -> Position? {
        var position: Position? = point
        if let lonText = row.text[.lon], let latText = row.text[.lat] {
            if MeasuredValue.parse(lonText) == .missing || MeasuredValue.parse(latText) == .missing {
                badLocations[row.origin] = ("MISSING_LOCATION", "no coordinates (lon \"\(lonText)\", lat \"\(latText)\")")
                return nil
            }
            guard let lon = Double(lonText), let lat = Double(latText), abs(lon) <= 180, abs(lat) <= 90 else {
                markBadLocation(row.origin, "\"\(lonText)\", \"\(latText)\" is not a longitude/latitude pair")
                return nil
            }
            position = Position(x: lon, y: lat)
        } else if let xText = row.text[.x], let yText = row.text[.y] {
            guard let x = Double(xText), let y = Double(yText) else {
                if MeasuredValue.parse(xText) == .missing || MeasuredValue.parse(yText) == .missing {
                    badLocations[row.origin] = ("MISSING_LOCATION", "no coordinates (x \"\(xText)\", y \"\(yText)\")")
                } else {
                    markBadLocation(row.origin, "\"\(xText)\", \"\(yText)\" are not coordinates")
                }
                return nil
            }
            guard let transform else {
                markBadLocation(row.origin, "x/y given but no CRS known: set crs: for this file in the project file")
                return nil
            }
            guard let p = transform.transform(x: x, y: y), abs(p.x) <= 180, abs(p.y) <= 90 else {
                markBadLocation(row.origin, "x \(x), y \(y) cannot be placed in \(transform.source.authorityCode ?? transform.source.name)")
                return nil
            }
            position = Position(x: p.x, y: p.y)
        }
        guard let position else { return nil }
        if let extent = context.parcelExtent {
            let distance = Self.distanceOutside(position, extent)
            if distance > context.maxOutsideMetres {
                badLocations[row.origin] = ("LOCATION_OUTSIDE_EXTENT",
                    "the point (\(position.x), \(position.y)) lies \(Int(distance.rounded())) m outside the parcels' extent (limit \(Int(context.maxOutsideMetres)) m)")
                return nil
            }
        }
        return position
    }

    /// The roles the file has a column (or a constant) for.
    private(set) var hasColumn: Set<ColumnRole> = []

    /// Rows whose location was unusable, with the reason; the record builders reject them.
    var badLocations: [RecordOrigin: (code: String, reason: String)] = [:]

    private mutating func markBadLocation(_ origin: RecordOrigin, _ reason: String) {
        badLocations[origin] = ("BAD_COORDINATE", reason)
    }

    /// Metres from a point to a lon/lat box (0 inside).
    static func distanceOutside(_ p: Position, _ box: SpatialIndex.Box) -> Double {
        let dx = max(box.minX - p.x, 0, p.x - box.maxX), dy = max(box.minY - p.y, 0, p.y - box.maxY)
        let metresPerDegreeLat = 111_132.954
        let metresPerDegreeLon = metresPerDegreeLat * cos(p.y * Double.pi / 180)
        return ((dx * metresPerDegreeLon) * (dx * metresPerDegreeLon) + (dy * metresPerDegreeLat) * (dy * metresPerDegreeLat)).squareRoot()
    }

    // MARK: - Rejects

    mutating func rejectRow(_ origin: RecordOrigin, field: String, code: String, reason: String) {
        report.rowsRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason))
    }

    private mutating func rejectValue(_ origin: RecordOrigin, field: String, code: String, reason: String) {
        report.valuesRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason + " (value dropped, row kept)"))
    }

    private mutating func addReject(_ reject: Reject) {
        rejects.append(reject)
        rejectRows.append(currentRow)
        report.rejectedByCode[reject.code, default: 0] += 1
    }

    /// A row `read` handed over undecided and its caller then rejected.
    struct LateReject {
        var row: Int
        var origin: RecordOrigin
        var field: String, code: String, reason: String
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
            report.rejectedByCode[reject.code, default: 0] += 1
            merged.append(Reject(file: reject.origin.file, location: reject.origin.location, field: reject.field, code: reject.code, reason: reject.reason))
            mergedRows.append(reject.row)
        }
        takeEarlierRejects(before: nil)
        merged += rejects[next...]; mergedRows += rejectRows[next...]  // made after the rows were read
        rejects = merged; rejectRows = mergedRows
    }

    mutating func noteAccepted(_ count: Int = 1) { report.rowsAccepted += count }

    /// Rejects a sample that was accepted row by row (checks that need the whole sample).
    mutating func unaccept(_ origin: RecordOrigin, rows: Int, field: String, code: String, reason: String) {
        report.rowsAccepted -= rows
        report.rowsRejected += rows - 1
        rejectRow(origin, field: field, code: code, reason: rows > 1 ? reason + " (\(rows) rows)" : reason)
    }
    mutating func noteMerged(_ count: Int = 1) { report.duplicateRowsMerged += count }
}

#if canImport(Glibc)
import Glibc
#endif
