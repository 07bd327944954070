import CGDAL

/// An attribute value as OGR stores it.
public enum FieldValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case string(String)
    case boolean(Bool)
    /// Date, time or date-time rendered as ISO 8601 by GDAL.
    case temporal(String)
}

/// A feature read from, or to be written to, a layer. Owns its `OGRFeatureH`.
///
/// - Important: features handed to `Layer.forEachFeature` are valid only inside its closure.
public final class Feature {
    let handle: OGRFeatureH

    init(adopting handle: OGRFeatureH) { self.handle = handle }
    deinit { OGR_F_Destroy(handle) }

    /// The feature id (FID), or nil when unset. The corresponding C function is `OGR_F_GetFID`.
    public var id: Int64? {
        let fid = OGR_F_GetFID(handle)
        return fid == OGRNullFID ? nil : Int64(fid)
    }

    public var fieldCount: Int { Int(OGR_F_GetFieldCount(handle)) }

    /// The value of field `index`, typed.
    ///
    /// The corresponding C functions are `OGR_F_IsFieldSetAndNotNull` and `OGR_F_GetFieldAs…`.
    public func value(at index: Int) -> FieldValue {
        let i = Int32(index)
        guard OGR_F_IsFieldSetAndNotNull(handle, i) != 0, let defn = OGR_F_GetFieldDefnRef(handle, i) else { return .null }
        switch FieldType(type: OGR_Fld_GetType(defn), subtype: OGR_Fld_GetSubType(defn)) {
        case .boolean: return .boolean(OGR_F_GetFieldAsInteger(handle, i) != 0)
        case .integer: return .integer(Int64(OGR_F_GetFieldAsInteger(handle, i)))
        case .integer64: return .integer(Int64(OGR_F_GetFieldAsInteger64(handle, i)))
        case .real: return .real(OGR_F_GetFieldAsDouble(handle, i))
        case .date, .time, .dateTime: return .temporal(temporalString(at: i))
        case .string, .json, .binary, .list: return .string(String(decoding: stringBytes(at: index), as: UTF8.self))
        }
    }

    /// The bytes of a field rendered as text, or nil when the field is unset or null.
    public func textBytes(at index: Int) -> [UInt8]? {
        guard OGR_F_IsFieldSetAndNotNull(handle, Int32(index)) != 0 else { return nil }
        return stringBytes(at: index)
    }

    /// Calls `body` with the bytes of a field rendered as text, read in GDAL's own buffer (valid
    /// only during the call; no array made), or with nil when the field is unset or null.
    ///
    /// The corresponding C function is `OGR_F_GetFieldAsString`.
    public func withTextBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        guard OGR_F_IsFieldSetAndNotNull(handle, Int32(index)) != 0 else { return try body(nil) }
        guard let pointer = OGR_F_GetFieldAsString(handle, Int32(index)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let length = strlen(pointer)
        return try pointer.withMemoryRebound(to: UInt8.self, capacity: length) { try body(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The raw bytes GDAL returns for a field rendered as text (UTF-8 after GDAL's recoding; raw
    /// DBF bytes when GDAL did not recode). Used to detect encoding trouble.
    ///
    /// The corresponding C function is `OGR_F_GetFieldAsString`.
    public func stringBytes(at index: Int) -> [UInt8] {
        guard let pointer = OGR_F_GetFieldAsString(handle, Int32(index)) else { return [] }
        let length = strlen(pointer)
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// ISO 8601 (`2024-05-01`, `2024-05-01T08:30:00`, with `+08:00` when the source has a zone).
    private func temporalString(at index: Int32) -> String {
        var year: Int32 = 0, month: Int32 = 0, day: Int32 = 0, hour: Int32 = 0, minute: Int32 = 0, tz: Int32 = 0
        var second: Float = 0
        guard OGR_F_GetFieldAsDateTimeEx(handle, index, &year, &month, &day, &hour, &minute, &second, &tz) != 0,
              let defn = OGR_F_GetFieldDefnRef(handle, index) else {
            return String(cString: OGR_F_GetFieldAsString(handle, index))
        }
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(year)-\(two(month))-\(two(day))"
        let wholeSeconds = Int32(second)
        var time = "\(two(hour)):\(two(minute)):\(two(wholeSeconds))"
        let fraction = Double(second) - Double(wholeSeconds)
        if fraction > 0.0005 { time += String(millisecondFraction(fraction).dropFirst()) }
        // OGR time-zone flag: 0 unknown, 1 local, 100 = UTC, 100 ± n = n quarter-hours.
        var zone = ""
        if tz == 100 { zone = "Z" } else if tz > 1 {
            let minutes = Int(tz - 100) * 15
            zone = (minutes < 0 ? "-" : "+") + two(Int32(abs(minutes) / 60)) + ":" + two(Int32(abs(minutes) % 60))
        }
        switch OGR_Fld_GetType(defn) {
        case OFTDate: return date
        case OFTTime: return time + zone
        default: return date + "T" + time + zone
        }
    }

    /// The feature's geometry, borrowed: valid while this feature is. Nil when it has none.
    ///
    /// The corresponding C function is `OGR_F_GetGeometryRef`.
    public var geometry: Geometry? {
        guard let ref = OGR_F_GetGeometryRef(handle) else { return nil }
        return Geometry(borrowing: ref, from: self)
    }

    // MARK: - Writing

    /// The corresponding C functions are `OGR_F_SetFieldString`, `…Integer64`, `…Double`, `OGR_F_SetFieldNull`.
    public func set(_ value: FieldValue, at index: Int) {
        let i = Int32(index)
        switch value {
        case .null: OGR_F_SetFieldNull(handle, i)
        case .integer(let v): OGR_F_SetFieldInteger64(handle, i, GIntBig(v))
        case .real(let v): OGR_F_SetFieldDouble(handle, i, v)
        case .string(let v), .temporal(let v): OGR_F_SetFieldString(handle, i, v)
        case .boolean(let v): OGR_F_SetFieldInteger(handle, i, v ? 1 : 0)
        }
    }

    /// Sets a field from NUL-terminated UTF-8 that GDAL copies (a date field parses it).
    /// The corresponding C function is `OGR_F_SetFieldString`.
    public func setText(_ text: UnsafePointer<CChar>, at index: Int) {
        OGR_F_SetFieldString(handle, Int32(index), text)
    }

    /// Index of a field by name, or nil. The corresponding C function is `OGR_F_GetFieldIndex`.
    public func fieldIndex(named name: String) -> Int? {
        let index = OGR_F_GetFieldIndex(handle, name)
        return index < 0 ? nil : Int(index)
    }

    /// Hands `geometry` to the feature. The corresponding C function is `OGR_F_SetGeometryDirectly`.
    public func setGeometry(_ geometry: Geometry) throws(GDALError) {
        let owned = geometry.relinquish()
        try ogrCheck("OGR_F_SetGeometryDirectly") { OGR_F_SetGeometryDirectly(handle, owned) }
    }
}

@available(*, unavailable)
extension Feature: Sendable {}

/// "0.123" for a fraction in [0, 1), three decimals, without Foundation.
private func millisecondFraction(_ fraction: Double) -> String {
    let digits = String(Int((fraction * 1000).rounded()))
    return "0." + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}
