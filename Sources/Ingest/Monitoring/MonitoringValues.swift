import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry

/// Values and locations of a monitoring table's rows.
extension MonitoringReader {
    // MARK: - Values

    struct UnitKey: Hashable { var text: String; var kind: QuantityKind? }

    mutating func cachedUnit(_ text: String, kind: QuantityKind?) -> MeasurementUnit? {
        let key = UnitKey(text: text, kind: kind)
        if let cached = unitCache[key] { return cached }
        let unit = MeasurementUnit.parse(text, kind: kind)
        unitCache[key] = unit
        return unit
    }

    mutating func addMeasurement(_ parameter: Parameter, raw: String, unitText: String?, column: String,
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

    func coordinateTransform(needed: Bool) throws -> WGS84Transform? {
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
    mutating func locate(_ row: InterpretedRow, point: Position?, transform: WGS84Transform?) throws -> Position? {
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



    mutating func markBadLocation(_ origin: RecordOrigin, _ reason: String) {
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
}
