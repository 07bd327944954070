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
        case accepted, merged, rejected(field: String, code: RejectCode, reason: String)
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
        // Long tables: parameters whose unit-less values are implausible in the canonical unit.
        let implausible = isLong && options.unitPolicy == .assumeCanonical ? try implausibleUnitlessParameters(table, meanings) : [:]
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
                                           remark: rowRemark, detectionLimit: detectionLimitText, into: &interpreted)
                        }
                    case .refused(let reason):
                        if MeasuredValue.parse(interpreted.text[.value] ?? "") != .missing {
                            rejectValue(interpreted.origin, field: "parameter", code: .speciesAmbiguous, reason: reason)
                        }
                    case .unrecognised:
                        if !report.unrecognisedColumns.contains("parameter \(name)") { report.unrecognisedColumns.append("parameter \(name)") }
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
                    rejectRow(interpreted.origin, field: columnName(.date, table, meanings), code: .badDate,
                              reason: "\"\(dateText)\" is not a date (expected e.g. 2024-05-01 or 2024/5/1)")
                    continue
                }
                guard date <= context.today else {
                    rejectRow(interpreted.origin, field: columnName(.date, table, meanings), code: .futureDate,
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
                    meaning = measurementMeaning(header)
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
        // A unit-less parameter column takes the table's canonical unit, announced, unless its
        // values are implausible in it (then it is refused whole, naming the likely unit).
        for (index, meaning) in meanings.enumerated() {
            guard case .measurement(let parameter, nil) = meaning, needsUnit(parameter), options.unitPolicy == .assumeCanonical else { continue }
            let canonical = parameter.canonicalUnit(in: medium)
            if let bound = try Self.plausibility.get().bound(parameter, in: medium),
               let median = UnitPlausibility.median(table.rows.compactMap { Self.detectedNumber(table.trimmedCell($0, index)) }), median > bound.medianMax {
                rejectColumn(index, of: table, code: .unitImplausible, reason: implausibleReason(table.header[index], parameter, (bound, median)))
                meanings[index] = .ignored
                continue
            }
            meanings[index] = .measurement(parameter, unit: canonical.symbol)
            report.assumedUnits.append("\(table.header[index]): \(canonical.symbol)")
            report.columnMeanings[table.header[index]] = "\(parameter.id) (\(canonical.symbol), assumed)"
        }
        for (index, header) in table.header.enumerated() {
            if let reason = speciesRefusals[header] { rejectColumn(index, of: table, code: .speciesAmbiguous, reason: reason) }
        }
        // One column-level reject for a parameter column whose unit is missing or unknown: every
        // value in it would be wrong by an unknown factor.
        for (index, meaning) in meanings.enumerated() {
            guard case .measurement(let parameter, let unitText) = meaning else { continue }
            if let problem = unitProblem(parameter, unitText) {
                rejectColumn(index, of: table, code: problem.code, reason: problem.reason)
                meanings[index] = .ignored
            }
        }
        return meanings
    }

    // MARK: - Species and assumed units (issue #22)

    /// The bounds on assumed units, read once.
    static let plausibility = Result { try UnitPlausibility.bundled() }

    /// Whether values of the parameter need a unit (pH and temperature do not).
    private func needsUnit(_ parameter: Parameter) -> Bool { parameter.kind != .ph && parameter.kind != .temperature }

    /// The number of a cell that holds a detected value (not a non-detect, not text).
    static func detectedNumber(_ text: String) -> Double? {
        if case .measured(.value(let number)) = MeasuredValue.parse(text) { number } else { nil }
    }

    private func implausibleReason(_ header: String, _ parameter: Parameter, _ found: (bound: UnitPlausibility.Bound, median: Double)) -> String {
        let canonical = parameter.canonicalUnit(in: medium).symbol
        return "\(header) has no unit; read as \(canonical) (the \(kind) table's unit) its median would be \(found.median) \(canonical), above the plausible "
            + "\(found.bound.medianMax) \(canonical) (\(found.bound.basis)): the values look like \(found.bound.likelyUnit). Write the unit in the header, "
            + "e.g. \"\(header) (\(found.bound.likelyUnit))\", or set units: {\(parameter.id): \(found.bound.likelyUnit)} for this file"
    }

    /// What a header names when it is not a role: a parameter (with the unit it gives), a name
    /// whose species the file decides, or nothing known.
    private mutating func measurementMeaning(_ header: String) -> ColumnMeaning {
        var (name, unit) = ColumnHeader.split(header)
        if ParameterCatalog.parameter(named: name) == nil, SpeciesAmbiguity.named(name) == nil, let bracketed = ColumnHeader.bracketed(header) {
            (name, unit) = (bracketed.name, bracketed.unit)  // a unit we do not know: rejected later with the reason
        }
        switch resolveParameter(name, unitText: unit) {
        case .measurement(let parameter, let unitText): return .measurement(parameter, unit: unitText)
        case .refused(let reason):
            speciesRefusals[header] = reason
            return .ignored
        case .unrecognised: return .unrecognised
        }
    }

    enum ParameterResolution { case measurement(Parameter, unit: String?), refused(String), unrecognised }

    /// A parameter name and unit as written, with the species a name like "nitrate" leaves open
    /// decided by the unit ("mg/L as N"), the file's `species:` option, or a groundwater table's
    /// GB/T 14848 convention (as N), each decision announced; undecided, it is refused.
    private mutating func resolveParameter(_ name: String, unitText: String?) -> ParameterResolution {
        let (unit, unitSays) = unitText.map(SpeciesAmbiguity.speciesInUnit) ?? (nil, nil)
        let cleanUnit = unit.flatMap { $0.isEmpty ? nil : $0 }
        if let parameter = ParameterCatalog.parameter(named: name) {
            // A unit that names the species overrides a formula-like name ("NO3 (mg/L as N)").
            if let unitSays, let ambiguity = SpeciesAmbiguity.all.first(where: { $0.asIon == parameter || $0.asNitrogen == parameter }) {
                let decided = unitSays ? ambiguity.asNitrogen : ambiguity.asIon
                if decided != parameter { noteSpecies(name, decided, because: "the unit says \"\(unitText!)\"") }
                return .measurement(decided, unit: cleanUnit)
            }
            return .measurement(parameter, unit: cleanUnit)
        }
        guard let ambiguity = SpeciesAmbiguity.named(name) else { return .unrecognised }
        if let unitSays {
            let decided = unitSays ? ambiguity.asNitrogen : ambiguity.asIon
            noteSpecies(name, decided, because: "the unit says \"\(unitText!)\"")
            return .measurement(decided, unit: cleanUnit)
        }
        if let species = options.nitrogenSpecies {
            let decided = species == .asNitrogen ? ambiguity.asNitrogen : ambiguity.asIon
            noteSpecies(name, decided, because: "species: \(species.rawValue) in the project file")
            return .measurement(decided, unit: cleanUnit)
        }
        if medium == .groundwater {
            noteSpecies(name, ambiguity.asNitrogen, because: "GB/T 14848-2017 reports groundwater \(ambiguity.asNitrogen.chineseName)（以N计）, the convention of a wells table and the stricter reading; if the lab reported the ion, set species: as_ion for this file")
            return .measurement(ambiguity.asNitrogen, unit: cleanUnit)
        }
        return .refused("\"\(name)\" does not say whether it is \(ambiguity.asNitrogen.englishName) (as N) or \(ambiguity.asIon.englishName); they differ by the ratio of molar masses (e.g. 62.00/14.01 ≈ 4.43 for nitrate). Rename the column (\(ambiguity.asNitrogen.chineseName) / \(ambiguity.asNitrogen.englishName), or the ion's formula), write the unit as \"mg/L as N\", or set species: as_n (or as_ion) for this file in the project file")
    }

    /// Long tables name a parameter on every row: each name is resolved once.
    private mutating func longTableParameter(_ name: String, unitText: String?) -> ParameterResolution {
        let key = LongKey(name: name, unit: unitText)
        if let known = longResolutions[key] { return known }
        let resolution = resolveParameter(name, unitText: unitText)
        longResolutions[key] = resolution
        return resolution
    }
    private struct LongKey: Hashable { var name: String; var unit: String? }
    private var longResolutions: [LongKey: ParameterResolution] = [:]

    /// The canonical unit for a unit-less value of a long table (announced once per parameter),
    /// nil when values need no unit, the policy is strict, or the parameter's values are implausible.
    private mutating func longTableAssumedUnit(_ parameter: Parameter, implausible: [Parameter: (bound: UnitPlausibility.Bound, median: Double)]) -> String? {
        guard needsUnit(parameter), options.unitPolicy == .assumeCanonical, implausible[parameter] == nil else { return nil }
        let canonical = parameter.canonicalUnit(in: medium).symbol
        let note = "\(parameter.id): \(canonical)"
        if !report.assumedUnits.contains(note) { report.assumedUnits.append(note) }
        return canonical
    }

    /// In a long table, the parameters whose unit-less values have an implausible median.
    private mutating func implausibleUnitlessParameters(_ table: Table, _ meanings: [ColumnMeaning]) throws -> [Parameter: (bound: UnitPlausibility.Bound, median: Double)] {
        guard let parameterColumn = meanings.firstIndex(of: .role(.parameter)), let valueColumn = meanings.firstIndex(of: .role(.value)) else { return [:] }
        let unitColumn = meanings.firstIndex(of: .role(.unit))
        var values: [Parameter: [Double]] = [:]
        for row in table.rows {
            if let unitColumn, !table.trimmedCell(row, unitColumn).isEmpty { continue }
            guard case .measurement(let parameter, nil) = longTableParameter(table.trimmedCell(row, parameterColumn), unitText: nil),
                  options.units[parameter.id] == nil, let number = Self.detectedNumber(table.trimmedCell(row, valueColumn)) else { continue }
            values[parameter, default: []].append(number)
        }
        var result: [Parameter: (bound: UnitPlausibility.Bound, median: Double)] = [:]
        for (parameter, numbers) in values {
            if let bound = try Self.plausibility.get().bound(parameter, in: medium), let median = UnitPlausibility.median(numbers), median > bound.medianMax {
                result[parameter] = (bound, median)
            }
        }
        return result
    }

    private mutating func noteSpecies(_ name: String, _ parameter: Parameter, because reason: String) {
        let note = "\(name): read as \(parameter.id) (\(parameter.englishName)): \(reason)"
        if !report.speciesDecisions.contains(note) { report.speciesDecisions.append(note) }
    }

    /// Columns refused because their species cannot be decided, with the reason (rejected
    /// whole once the columns are known).
    private var speciesRefusals: [String: String] = [:]

    /// Why a parameter's values in `unitText` cannot be used, or nil when they can.
    private func unitProblem(_ parameter: Parameter, _ unitText: String?) -> (code: RejectCode, reason: String)? {
        let canonical = parameter.canonicalUnit(in: medium)
        if parameter.kind == .ph || parameter.kind == .temperature, unitText == nil { return nil }
        guard let unitText else {
            return (.unitMissing, "\(parameter.englishName) has no unit: write it in the header, e.g. \"\(parameter.id) (\(canonical.symbol))\", or set units: {\(parameter.id): …} in the project file")
        }
        guard let unit = MeasurementUnit.parse(unitText, kind: parameter.kind) else {
            return (.unitUnknown, "\"\(unitText)\" is not a unit irrizone converts for \(parameter.englishName) (expected e.g. \(canonical.symbol))")
        }
        guard unit.convert(1, to: canonical) != nil else {
            return (.unitIncompatible, "\(unit.symbol) cannot express \(parameter.englishName) in \(medium.rawValue) (expected e.g. \(canonical.symbol))")
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
            rejectValue(row.origin, field: column, code: .badNumber, reason: "\"\(text)\" is not a number or a non-detect (e.g. 0.01, <0.01, 0.01L, ND)")
            return
        case .measured(var value):
            let canonical = parameter.canonicalUnit(in: medium)
            var convert: (Double) -> Double = { $0 }
            if let unitText, let unit = cachedUnit(unitText, kind: parameter.kind) {
                guard unit.convert(1, to: canonical) != nil else {
                    rejectValue(row.origin, field: column, code: .unitIncompatible, reason: "\(unit.symbol) cannot express \(parameter.englishName)")
                    return
                }
                convert = { unit.convert($0, to: canonical)! }
                if unit != canonical {
                    let note = "\(unit.symbol) → \(canonical.symbol) (\(parameter.id))"
                    if !report.unitConversions.contains(note) { report.unitConversions.append(note) }
                }
            } else if let unitText, parameter.kind != .ph {
                rejectValue(row.origin, field: column, code: .unitUnknown, reason: "\"\(unitText)\" is not a unit irrizone converts for \(parameter.englishName)")
                return
            } else if unitText == nil, parameter.kind != .ph, parameter.kind != .temperature {
                rejectValue(row.origin, field: column, code: .unitMissing, reason: "no unit for \(parameter.englishName)")
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
                    rejectValue(row.origin, field: column, code: .pHOutOfRange, reason: "pH \(number) is outside 0–14")
                    return
                }
                if parameter.kind != .temperature, parameter.kind != .ph, number < 0 {
                    rejectValue(row.origin, field: column, code: .negativeValue, reason: "\(parameter.englishName) \(raw) is negative")
                    return
                }
            }
            var stored = parameter
            if let species = SpeciesConversion.of(parameter), let target = ParameterCatalog.parameter(id: species.target) {
                // The standards limit the nitrogen of an ion: NO₃⁻ → NO₃-N by the molar masses.
                value = value.mapNumbers { $0 * species.factor }
                stored = target
                if !report.unitConversions.contains(species.note) { report.unitConversions.append(species.note) }
            }
            if !report.parametersRecognised.contains(stored.id) { report.parametersRecognised.append(stored.id) }
            row.measurements[stored] = value
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
                badLocations[row.origin] = (.missingLocation, "no coordinates (lon \"\(lonText)\", lat \"\(latText)\")")
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
                    badLocations[row.origin] = (.missingLocation, "no coordinates (x \"\(xText)\", y \"\(yText)\")")
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
                badLocations[row.origin] = (.locationOutsideExtent,
                    "the point (\(position.x), \(position.y)) lies \(Int(distance.rounded())) m outside the parcels' extent (limit \(Int(context.maxOutsideMetres)) m)")
                return nil
            }
        }
        return position
    }

    /// The roles the file has a column (or a constant) for.
    private(set) var hasColumn: Set<ColumnRole> = []

    /// Rows whose location was unusable, with the reason; the record builders reject them.
    var badLocations: [RecordOrigin: (code: RejectCode, reason: String)] = [:]

    private mutating func markBadLocation(_ origin: RecordOrigin, _ reason: String) {
        badLocations[origin] = (.badCoordinate, reason)
    }

    /// Metres from a point to a lon/lat box (0 inside), the shorter way round in longitude: a
    /// well at 123° W is 60° from a layer at 177° E, not 300° (issue #23).
    static func distanceOutside(_ p: Position, _ box: BoundingBox) -> Double {
        func wrapped(_ degrees: Double) -> Double { let d = degrees.truncatingRemainder(dividingBy: 360); return d < 0 ? d + 360 : d }
        let dx = box.minX <= p.x && p.x <= box.maxX ? 0 : min(wrapped(box.minX - p.x), wrapped(p.x - box.maxX))
        let dy = max(box.minY - p.y, 0, p.y - box.maxY)
        let metresPerDegreeLat = 111_132.954
        let metresPerDegreeLon = metresPerDegreeLat * cos(p.y * Double.pi / 180)
        return ((dx * metresPerDegreeLon) * (dx * metresPerDegreeLon) + (dy * metresPerDegreeLat) * (dy * metresPerDegreeLat)).squareRoot()
    }

    // MARK: - Rejects

    mutating func rejectRow(_ origin: RecordOrigin, field: String, code: RejectCode, reason: String) {
        report.rowsRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason))
    }

    /// One reject for a whole column whose values cannot be used: each of its values counted.
    private mutating func rejectColumn(_ index: Int, of table: Table, code: RejectCode, reason: String) {
        let count = table.rows.filter { !table.trimmedCell($0, index).isEmpty }.count
        report.valuesRejected += count
        addReject(Reject(file: options.path, location: "all rows (\(count) values)", field: table.header[index], code: code, reason: reason))
    }

    private mutating func rejectValue(_ origin: RecordOrigin, field: String, code: RejectCode, reason: String) {
        report.valuesRejected += 1
        addReject(Reject(file: origin.file, location: origin.location, field: field, code: code, reason: reason + " (value dropped, row kept)"))
    }

    private mutating func addReject(_ reject: Reject) {
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
