import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry

/// What each column of a monitoring table means: roles, parameters, units and species.
extension MonitoringReader {
    // MARK: - Columns

    mutating func interpretColumns(_ table: Table) throws -> [ColumnMeaning] {
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
    func needsUnit(_ parameter: Parameter) -> Bool { parameter.kind != .ph && parameter.kind != .temperature }

    /// The number of a cell that holds a detected value (not a non-detect, not text).
    static func detectedNumber(_ text: String) -> Double? {
        if case .measured(.value(let number)) = MeasuredValue.parse(text) { number } else { nil }
    }

    func implausibleReason(_ header: String, _ parameter: Parameter, _ found: (bound: UnitPlausibility.Bound, median: Double)) -> String {
        let canonical = parameter.canonicalUnit(in: medium).symbol
        return "\(header) has no unit; read as \(canonical) (the \(kind) table's unit) its median would be \(found.median) \(canonical), above the plausible "
            + "\(found.bound.medianMax) \(canonical) (\(found.bound.basis)): the values look like \(found.bound.likelyUnit). Write the unit in the header, "
            + "e.g. \"\(header) (\(found.bound.likelyUnit))\", or set units: {\(parameter.id): \(found.bound.likelyUnit)} for this file"
    }

    /// What a header names when it is not a role: a parameter (with the unit it gives), a name
    /// whose species the file decides, or nothing known.
    mutating func measurementMeaning(_ header: String) -> ColumnMeaning {
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
    mutating func resolveParameter(_ name: String, unitText: String?) -> ParameterResolution {
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
    mutating func longTableParameter(_ name: String, unitText: String?) -> ParameterResolution {
        let key = LongKey(name: name, unit: unitText)
        if let known = longResolutions[key] { return known }
        let resolution = resolveParameter(name, unitText: unitText)
        longResolutions[key] = resolution
        return resolution
    }
    struct LongKey: Hashable { var name: String; var unit: String? }

    /// The canonical unit for a unit-less value of a long table (announced once per parameter),
    /// nil when values need no unit, the policy is strict, or the parameter's values are implausible.
    mutating func longTableAssumedUnit(_ parameter: Parameter, implausible: [Parameter: (bound: UnitPlausibility.Bound, median: Double)]) -> String? {
        guard needsUnit(parameter), options.unitPolicy == .assumeCanonical, implausible[parameter] == nil else { return nil }
        let canonical = parameter.canonicalUnit(in: medium).symbol
        let note = "\(parameter.id): \(canonical)"
        if !report.assumedUnits.contains(note) { report.assumedUnits.append(note) }
        return canonical
    }

    /// In a long table, the parameters whose unit-less values have an implausible median.
    mutating func implausibleUnitlessParameters(_ table: Table, _ meanings: [ColumnMeaning]) throws -> [Parameter: (bound: UnitPlausibility.Bound, median: Double)] {
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

    mutating func noteSpecies(_ name: String, _ parameter: Parameter, because reason: String) {
        let note = "\(name): read as \(parameter.id) (\(parameter.englishName)): \(reason)"
        if !report.speciesDecisions.contains(note) { report.speciesDecisions.append(note) }
    }


    /// Why a parameter's values in `unitText` cannot be used, or nil when they can.
    func unitProblem(_ parameter: Parameter, _ unitText: String?) -> (code: RejectCode, reason: String)? {
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

    func columnName(_ role: ColumnRole, _ table: Table, _ meanings: [ColumnMeaning]) -> String {
        meanings.firstIndex(of: .role(role)).map { table.header[$0] } ?? role.rawValue
    }
}
