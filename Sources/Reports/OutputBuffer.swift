import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// JSON/text bytes under construction: the encoding helpers, as a value that can be built on any
/// thread (features are encoded concurrently, then written in order).
///
/// The bytes are copied into room made ahead (`storage[count...]`) through a pointer: the
/// parcels file is hundreds of small pieces a parcel (docs/scaling.md, "Fast paths").
public struct JSONBytes: Sendable {
    /// `storage[..<count]` is the text. The rest is room: allocated, not yet written, never read.
    private var storage: [UInt8]
    public private(set) var count = 0

    public init(capacity: Int = 0) { storage = Self.room(capacity) }

    /// An array of `capacity` bytes that are not zero-filled (they are written before they are
    /// read; zero-filling gigabytes that are overwritten at once showed in profiles).
    private static func room(_ capacity: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { _, initialized in initialized = capacity }
    }

    public var isEmpty: Bool { count == 0 }
    public var capacity: Int { storage.count }
    /// A copy of the text's bytes (tests, small pieces); writers use `withUnsafeBytes`.
    public var bytes: [UInt8] { Array(storage[..<count]) }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Makes room for `capacity` bytes in all.
    public mutating func reserveCapacity(_ capacity: Int) {
        if capacity > storage.count { moveToRoom(capacity) }
    }

    /// Forgets the text, keeping the room.
    public mutating func removeAll() { count = 0 }

    @inline(never) private mutating func moveToRoom(_ capacity: Int) {
        var larger = Self.room(capacity)
        if count > 0 {
            let written = count
            storage.withUnsafeBytes { old in larger.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: old.baseAddress!, byteCount: written) } }
        }
        storage = larger
    }

    @inline(__always) private mutating func makeRoom(for extra: Int) {
        if count + extra > storage.count { moveToRoom(max(count + extra, 2 * storage.count, 256)) }
    }

    /// Appends raw bytes.
    @inline(__always) public mutating func append(raw source: UnsafeRawBufferPointer) {
        let length = source.count
        guard length > 0 else { return }
        makeRoom(for: length)
        let start = count
        storage.withUnsafeMutableBytes { Self.copy(source.baseAddress!, to: $0.baseAddress! + start, length) }
        count += length
    }

    /// Copies `length` bytes. Most pieces of a feature are short (a key and its separators, a
    /// number, a code): up to 32 bytes are copied in place as machine words, the last ones
    /// overlapping, instead of a call to `memmove` each (docs/scaling.md).
    @inline(__always) static func copy(_ source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, _ length: Int) {
        @inline(__always) func word(_ offset: Int) { destination.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self) }
        switch length {
        case 17...32: word(0); word(8); word(length - 16); word(length - 8)
        case 8...16: word(0); word(length - 8)
        case 4..<8:
            destination.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self), toByteOffset: length - 4, as: UInt32.self)
        case 1..<4: for offset in 0..<length { destination.storeBytes(of: source.load(fromByteOffset: offset, as: UInt8.self), toByteOffset: offset, as: UInt8.self) }
        default: destination.copyMemory(from: source, byteCount: length)
        }
    }
    public mutating func append(contentsOf bytes: [UInt8]) { bytes.withUnsafeBytes { append(raw: $0) } }
    public mutating func append(_ other: JSONBytes) { other.withUnsafeBytes { append(raw: $0) } }

    /// A literal: its bytes are in the binary, so there is no `String` to open (docs/scaling.md).
    @inline(__always) mutating func append(_ literal: StaticString) {
        append(raw: UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
    /// (Through `withUTF8`: appending `string.utf8` itself copied byte by byte in profiles.)
    @inline(__always) mutating func append(text string: String) {
        var string = string
        string.withUTF8 { append(raw: UnsafeRawBufferPointer($0)) }
    }
    @inline(__always) mutating func append(byte: UInt8) {
        makeRoom(for: 1)
        storage[count] = byte
        count += 1
    }

    /// A JSON string literal with RFC 8259 escaping. Strings that need no escaping (nearly all)
    /// are copied in one piece.
    mutating func appendJSONString(_ string: String) {
        append(byte: UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            if !Self.needsEscaping(utf8) {
                append(raw: UnsafeRawBufferPointer(utf8))
            } else {
                for byte in utf8 { appendEscaped(byte) }
            }
        }
        append(byte: UInt8(ascii: "\""))
    }

    /// Whether any byte is a control character, a quote or a backslash (what JSON escapes).
    /// Eight bytes at a time: "has a byte below 0x20" and "has a zero byte" (after XOR with the
    /// quote or the backslash) are exact bit tests on a 64-bit word (Bit Twiddling Hacks); bytes
    /// of multi-byte UTF-8 characters (≥ 0x80) never match.
    static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101, highBits: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let control = (word &- ones &* 0x20) & ~word
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            if (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highBits != 0 { return true }
            offset += 8
        }
        while offset < bytes.count {
            let byte = base[offset]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            offset += 1
        }
        return false
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append(byte: 0x5C); append(byte: 0x22)
        case UInt8(ascii: "\\"): append(byte: 0x5C); append(byte: 0x5C)
        case 0x0A: append(byte: 0x5C); append(byte: UInt8(ascii: "n"))
        case 0x0D: append(byte: 0x5C); append(byte: UInt8(ascii: "r"))
        case 0x09: append(byte: 0x5C); append(byte: UInt8(ascii: "t"))
        case 0x00..<0x20:
            let hex: StaticString = "0123456789abcdef"
            append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
            append(byte: hex.utf8Start[Int(byte >> 4)])
            append(byte: hex.utf8Start[Int(byte & 0xF)])
        default: append(byte: byte)
        }
    }

    /// A JSON number, or `null` for NaN/∞ (JSON has no such numbers).
    mutating func appendJSONNumber(_ value: Double) {
        guard value.isFinite else { append("null"); return }
        if abs(value) < 1e15, Double(Int64(value)) == value {  // a whole number
            appendInteger(Int64(value))
        } else if let decimals = Self.shortDecimals(value) {
            appendFixed(value, decimals: decimals)
        } else {
            append(text: String(value))  // shortest representation that round-trips
        }
    }

    /// The fewest decimals (1–6) that write `value` so that it reads back the same, nil when
    /// more are needed or |value| is outside [0.001, 10⁸). `String(value)` writes the same digits
    /// then (the shortest that round-trip), at a third of the cost (docs/scaling.md); lab values
    /// and loads (0.103, 8.4) are nearly all such numbers.
    ///
    /// Why the digits are the same: m / 10^d, with m < 2^53 and 10^d exact, is divided with one
    /// correct rounding, so `scaled / scale == value` holds exactly when the text "m e-d" reads
    /// back as `value`. In this range d-decimal numbers are 10^-d ≥ 10^-6 apart, far more than
    /// `value`'s precision (≤ 1.5·10^-8), so at most one of them reads back as `value` and the
    /// rounded product finds it; the first d that works is the shortest.
    @inline(__always) static func shortDecimals(_ value: Double) -> Int? {
        let magnitude = abs(value)
        guard magnitude >= 1e-3, magnitude < 1e8 else { return nil }
        for decimals in 1...6 {
            let scale = FixedPoint.powersOfTen[decimals]
            if Double(FixedPoint.rounded(value * scale)) / scale == value { return decimals }
        }
        return nil
    }

    /// Decimal digits of `value`, without going through `String`.
    mutating func appendInteger(_ value: Int64) {
        if value < 0 { append(byte: UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumDigits: 1)
    }

    /// The decimal digits of `value`, left-padded with zeros to `minimumDigits`.
    @inline(__always)
    private mutating func appendDigits(_ value: UInt64, minimumDigits: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        Swift.withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            while scratch.count - position < minimumDigits {
                position -= 1
                scratch[position] = UInt8(ascii: "0")
            }
            append(raw: UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }

    /// `value` rounded to `decimals` places without trailing zeros (`FixedPoint.write`).
    /// A number fixed point cannot hold (NaN, ±∞, |value| · 10^decimals ≥ 2⁶³: a volume of
    /// 10¹⁶ m³ to four places) is written `null` or in its shortest round-trip form ("1e+16"),
    /// never trapped on (issue #23).
    mutating func appendFixed(_ value: Double, decimals: Int) {
        let scale = FixedPoint.powersOfTen[decimals]
        guard value.isFinite else { append("null"); return }
        guard (value * scale).magnitude < FixedPoint.largestScaled else { append(text: String(value)); return }
        makeRoom(for: FixedPoint.maximumLength)
        let start = count
        count += storage.withUnsafeMutableBytes { FixedPoint.write(value, decimals: decimals, scale: scale, to: $0.baseAddress! + start) }
    }

    /// `[x,y],[x,y],…`: the positions, each number as `appendFixed` writes it, in room made for
    /// the whole ring at once, not piece by piece (docs/scaling.md).
    mutating func appendPositions(_ positions: [Position], decimals: Int) {
        guard !positions.isEmpty else { return }
        makeRoom(for: positions.count * (2 * FixedPoint.maximumLength + 4))
        let start = count, scale = FixedPoint.powersOfTen[decimals]
        count += storage.withUnsafeMutableBytes { storage in
            let first = storage.baseAddress! + start
            var cursor = first
            @inline(__always) func put(_ byte: UInt8) { cursor.storeBytes(of: byte, as: UInt8.self); cursor += 1 }
            positions.withUnsafeBufferPointer { positions in
                for index in positions.indices {
                    if index > 0 { put(UInt8(ascii: ",")) }
                    put(UInt8(ascii: "["))
                    cursor += FixedPoint.write(positions[index].x, decimals: decimals, scale: scale, to: cursor)
                    put(UInt8(ascii: ","))
                    cursor += FixedPoint.write(positions[index].y, decimals: decimals, scale: scale, to: cursor)
                    put(UInt8(ascii: "]"))
                }
            }
            return cursor - first
        }
    }
}

/// JSON fragments as text, with the same escaping and number rules as the GeoJSON writer.
public enum JSONText {
    /// A JSON string literal.
    public static func quote(_ string: String) -> String {
        var bytes = JSONBytes()
        bytes.appendJSONString(string)
        return bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// `value` rounded to `decimals` places without trailing zeros (the GeoJSON writer's format).
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        var bytes = JSONBytes()
        if value.isFinite { bytes.appendFixed(value, decimals: decimals) } else { bytes.append("null") }
        return bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// A JSON number (shortest round-trip form, integers without ".0"), or `null` for NaN/∞/nil.
    public static func number(_ value: Double?) -> String {
        guard let value else { return "null" }
        var bytes = JSONBytes()
        bytes.appendJSONNumber(value)
        return bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}

/// A byte buffer that streams to a file in large chunks (`DiskWriter`).
///
/// Hand-written JSON/CSV output exists because GDAL 3.6's GeoJSON driver writes about 10 000
/// features/s (DESIGN.md §3); everything written here is read back through GDAL in tests.
final class OutputBuffer {
    private let file: DiskWriter
    private var buffer = JSONBytes(capacity: (1 << 20) + 65_536)
    private let flushThreshold = 1 << 20

    init(path: String) throws {
        file = try DiskWriter(path: path)
    }

    /// Writes to a file opened already (tests: `/dev/full`, whose every write fails).
    init(writingTo handle: FileHandle) {
        file = DiskWriter(writingTo: handle)
    }

    /// Whether the file is written around the page cache (`DiskWriter`).
    var bypassesPageCache: Bool { file.bypassesPageCache }
    /// How many flushes to disk were started while the file was written (`DiskWriter.flushStep`).
    var backgroundFlushes: Int { file.backgroundFlushes }

    @inline(__always) func append(_ string: String) { buffer.append(text: string); flushIfFull() }
    @inline(__always) func append(byte: UInt8) { buffer.append(byte: byte) }
    func append(encoded: JSONBytes) {
        guard encoded.count >= flushThreshold else { buffer.append(encoded); flushIfFull(); return }
        // A large piece (a chunk of features) goes to the file as it is, not through the buffer.
        flushBuffer()
        encoded.withUnsafeBytes { file.append($0) }
    }
    func appendJSONString(_ string: String) { buffer.appendJSONString(string) }
    func appendJSONNumber(_ value: Double) { buffer.appendJSONNumber(value) }
    func appendFixed(_ value: Double, decimals: Int) { buffer.appendFixed(value, decimals: decimals) }

    private func flushIfFull() { if buffer.count >= flushThreshold { flushBuffer() } }

    private func flushBuffer() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { file.append($0) }
        buffer.removeAll()
    }

    /// Writes everything appended to the file and waits for it (the file is then complete);
    /// throws the file's first write error (a full disk), so the run stops instead of
    /// publishing a short file.
    func flushNow() throws {
        flushBuffer()
        try file.finish()
    }

    /// Writes what is buffered and closes the file. Flushing it to disk is left to
    /// `OutputStaging.commit()`, which does it for every output at once: an `fsync` here waits
    /// for the parcels file's flush on another thread (ext4 commits its journal in order).
    func close() throws {
        try flushNow()
        try file.close()
    }

    /// Writes what is buffered, then flushes the file to disk and closes it (a large file was
    /// flushed in steps while it was written, so what is left is its last 32 MB at most).
    func closeAndSynchronize() throws {
        try flushNow()
        try file.synchronize()
        try file.close()
    }
}

enum FixedPoint {
    /// The most bytes `write` writes: a sign, 19 digits and a point.
    static let maximumLength = 21
    /// Scaled values at or above this do not fit the Int64 `write` rounds to (2⁶³ ≈ 9.22e18).
    static let largestScaled = 9.2e18

    /// Writes `value` rounded to `decimals` places without trailing zeros at `destination`, fast
    /// (no `String(format:)`), and returns how many bytes it wrote (at most `maximumLength`).
    /// Valid for |value| < 9.2e18 / 10^decimals. The length is worked out first and the digits
    /// are written from the last one back, two at a time (a table of the pairs "00"…"99"),
    /// straight into place: made in a scratch buffer byte by byte and then copied as words, each
    /// word waited for the bytes just stored in it (a third of the numbers' time; a million
    /// parcels' file has ≈ 50 million such numbers).
    /// - Parameter scale: 10^decimals (`powersOfTen`), looked up once by a caller that writes
    ///   many numbers (the global array is not free to reach).
    @inline(__always) static func write(_ value: Double, decimals: Int, scale: Double, to destination: UnsafeMutableRawPointer) -> Int {
        let scaled = rounded(value * scale)
        var rest = scaled.magnitude
        // Trailing zeros of the fraction are dropped.
        var fractionDigits = decimals
        while fractionDigits > 0, rest % 10 == 0 { rest /= 10; fractionDigits -= 1 }
        var integerDigits = 1, bound: UInt64 = 10
        for _ in 0..<fractionDigits { bound = bound &* 10 }
        while integerDigits < 19, rest >= bound { integerDigits += 1; bound = bound &* 10 }
        let length = (scaled < 0 ? 1 : 0) + integerDigits + (fractionDigits > 0 ? fractionDigits + 1 : 0)
        let pairs = UnsafeRawPointer(digitPairs.utf8Start)
        var position = length
        @inline(__always) func pair(_ twoDigits: UInt64) {
            position -= 2
            destination.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(twoDigits) * 2, as: UInt16.self), toByteOffset: position, as: UInt16.self)
        }
        @inline(__always) func byte(_ value: UInt8) {
            position -= 1
            destination.storeBytes(of: value, toByteOffset: position, as: UInt8.self)
        }
        if fractionDigits > 0 {
            while fractionDigits >= 2 { pair(rest % 100); rest /= 100; fractionDigits -= 2 }
            if fractionDigits == 1 { byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)); rest /= 10 }
            byte(UInt8(ascii: "."))
        }
        while rest >= 100 { pair(rest % 100); rest /= 100 }
        if rest >= 10 { pair(rest) } else { byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest)) }
        if scaled < 0 { byte(UInt8(ascii: "-")) }
        return length
    }

    /// "00", "01", … "99" end to end.
    static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    static let powersOfTen: [Double] = (0...15).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }

    /// `Int64(value.rounded())` (halves away from zero) without the call to libm's `round`.
    /// Exact: `value - trunc(value)` is the fraction's bits of `value`, so it needs no rounding.
    /// Traps where `Int64(value.rounded())` does (NaN, ±∞, |value| ≥ 2⁶³).
    @inline(__always) static func rounded(_ value: Double) -> Int64 {
        let whole = Int64(value)  // toward zero
        let fraction = value - Double(whole)
        return fraction >= 0.5 ? whole + 1 : (fraction <= -0.5 ? whole - 1 : whole)
    }
}
