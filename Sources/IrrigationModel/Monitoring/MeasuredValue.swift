/// A lab result as written, parsed but not interpreted: a number, or a non-detect that keeps
/// its detection limit. Non-detects are never turned into numbers here; how they are
/// substituted is the rules' job (DESIGN.md §2).
public enum MeasuredValue: Sendable, Hashable {
    case value(Double)
    /// Below the detection limit; the limit when the lab gave one.
    case belowDetection(limit: Double?)
    /// Above the reporting range (e.g. ">24000" MPN): at least this much.
    case aboveRange(Double)

    public var detectionLimit: Double? {
        if case .belowDetection(let limit) = self { return limit }
        return nil
    }

    public var isNonDetect: Bool { if case .belowDetection = self { true } else { false } }

    /// The number when the value is a plain measurement.
    public var number: Double? { if case .value(let v) = self { v } else { nil } }

    /// Applies `transform` (a unit conversion) to the number or the limit.
    public func mapNumbers(_ transform: (Double) -> Double) -> MeasuredValue {
        switch self {
        case .value(let v): .value(transform(v))
        case .belowDetection(let limit): .belowDetection(limit: limit.map(transform))
        case .aboveRange(let v): .aboveRange(transform(v))
        }
    }

    public enum ParseResult: Sendable, Hashable {
        case measured(MeasuredValue)
        /// An empty cell, "NA", "N/A": nothing was measured. Not an error.
        case missing
        case unparseable(String)
    }

    /// Parses what labs write: `0.012`, `.50`, `5e-04`, `<0.01`, `< 0.01`, `＜0.01`, `0.01L`,
    /// `ND`, `N.D.`, `未检出`, `-`, `>24000`.
    public static func parse(_ raw: String) -> ParseResult {
        if let value = plainNumber(raw) { return .measured(.value(value)) }
        return parseInFull(raw)
    }

    /// `parse` without the plain-number shortcut (tests hold the two equal).
    static func parseInFull(_ raw: String) -> ParseResult {
        var text = ""
        for scalar in raw.unicodeScalars {  // fold full-width digits, signs and dots
            if (0xFF01...0xFF5E).contains(scalar.value) { text.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!) }
            else if scalar == "\u{3000}" { text.append(" ") }
            else { text.unicodeScalars.append(scalar) }
        }
        text = text.trimmingWhitespace()
        if text.isEmpty { return .missing }
        let upper = text.uppercased()
        if ["NA", "N/A", "NAN", "NULL", "/", "无"].contains(upper) { return .missing }
        if ["ND", "N.D.", "N.D", "BDL", "<DL", "<LOD", "未检出", "检出限以下", "低于检出限", "-", "—", "--", "－"].contains(upper) {
            return .measured(.belowDetection(limit: nil))
        }
        if let first = text.first, first == "<" || first == "≤" {
            guard let limit = number(text.dropFirst()) else { return .unparseable(raw) }
            return limit >= 0 ? .measured(.belowDetection(limit: limit)) : .unparseable(raw)
        }
        if let first = text.first, first == ">" || first == "≥" {
            guard let value = number(text.dropFirst()) else { return .unparseable(raw) }
            return .measured(.aboveRange(value))
        }
        // HJ-series convention: the detection limit followed by "L" means "below it".
        if let last = text.last, last == "L" || last == "l", let limit = number(text.dropLast()), limit >= 0 {
            return .measured(.belowDetection(limit: limit))
        }
        guard let value = number(Substring(text)) else { return .unparseable(raw) }
        return .measured(.value(value))
    }

    /// A cell that is nothing but ASCII number text (`0.012`, `-3`, `5e-04`: nearly every cell
    /// of a lab table) gives what the full parse gives, without its folding, trimming and word
    /// lists (≈ 7 000 instructions a cell). Anything else returns nil and takes the full parse.
    @inline(__always) static func plainNumber(_ raw: String) -> Double? {
        let plain = raw.utf8.count <= 32 && !raw.isEmpty && raw.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }
        guard plain, let value = Double(raw), value.isFinite else { return nil }
        return value
    }

    private static func number(_ text: Substring) -> Double? {
        let trimmed = String(text).trimmingWhitespace()
        guard !trimmed.isEmpty, let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }
}

/// A calendar date (no time zone games: samples are dated by day).
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month), (1...CalendarDate.days(in: month, year: year)).contains(day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// Decimal years, for trends (mid-day, 365.25-day years).
    public var decimalYear: Double { Double(year) + (Double(dayOfYear) - 0.5) / (CalendarDate.isLeap(year) ? 366 : 365) }

    var dayOfYear: Int { (1..<month).reduce(0) { $0 + CalendarDate.days(in: $1, year: year) } + day }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
    static func days(in month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses `2024-01-15`, `2024/1/15`, `2024.1.15`, `20240115`, `2024年1月15日`, and ISO date-times
    /// (`2016-03-01T00:00:00Z`, `2024-01-15 08:30`: the date part is kept). Day-first forms
    /// (`15/01/2024`) are ambiguous and rejected.
    public static func parse(_ raw: String) -> CalendarDate? {
        isoDate(raw) ?? parseInFull(raw)
    }

    /// `parse` without the `YYYY-MM-DD` shortcut (tests hold the two equal).
    static func parseInFull(_ raw: String) -> CalendarDate? {
        var text = raw.trimmingWhitespace()
        if let cut = text.firstIndex(where: { $0 == "T" || $0 == " " }) { text = String(text[..<cut]) }
        text = String(text.compactMap { c -> Character? in c == "日" ? nil : (c == "年" || c == "月" ? "-" : c) })
        if text.count == 8, text.allSatisfy(\.isNumber), let y = Int(text.prefix(4)), let m = Int(text.dropFirst(4).prefix(2)), let d = Int(text.suffix(2)) {
            return CalendarDate(year: y, month: m, day: d)
        }
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    /// `2024-01-15` exactly (ten ASCII bytes), as the full parse reads it.
    @inline(__always) static func isoDate(_ raw: String) -> CalendarDate? {
        var utf8 = raw.utf8.makeIterator()
        var digits = (year: 0, month: 0, day: 0), position = 0
        while let byte = utf8.next() {
            switch position {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
            case 0..<10:
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                let digit = Int(byte &- UInt8(ascii: "0"))
                if position < 4 { digits.year = digits.year * 10 + digit } else if position < 7 { digits.month = digits.month * 10 + digit } else { digits.day = digits.day * 10 + digit }
            default: return nil
            }
            position += 1
        }
        guard position == 10 else { return nil }
        return CalendarDate(year: digits.year, month: digits.month, day: digits.day)
    }
}
