import Foundation

/// JSON/text bytes under construction: the encoding helpers, as a value that can be built on any
/// thread (features are encoded concurrently, then written in order).
public struct JSONBytes: Sendable {
    public var bytes: [UInt8] = []
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// (Through `withUTF8`: appending `string.utf8` itself copied byte by byte in profiles.)
    @inline(__always) mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
    }
    @inline(__always) mutating func append(byte: UInt8) { bytes.append(byte) }

    /// A JSON string literal with RFC 8259 escaping. Strings that need no escaping (nearly all)
    /// are copied in one piece.
    mutating func appendJSONString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
            } else {
                for byte in utf8 { appendEscaped(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(0x5C); bytes.append(0x22)
        case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(0x5C)
        case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
        case 0x00..<0x20:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }

    /// A JSON number, or `null` for NaN/∞ (JSON has no such numbers).
    mutating func appendJSONNumber(_ value: Double) {
        guard value.isFinite else { append("null"); return }
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value))
        } else {
            append(String(value))  // shortest representation that round-trips
        }
    }

    /// Decimal digits of `value`, without going through `String`.
    mutating func appendInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumDigits: 1)
    }

    /// The decimal digits of `value`, left-padded with zeros to `minimumDigits`.
    @inline(__always)
    private mutating func appendDigits(_ value: UInt64, minimumDigits: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
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
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }

    /// `value` rounded to `decimals` places without trailing zeros, fast (no `String(format:)`).
    /// Valid for |value| < 9.2e18 / 10^decimals.
    mutating func appendFixed(_ value: Double, decimals: Int) {
        let scale = FixedPoint.powersOfTen[decimals]
        let scaled = Int64((value * scale).rounded())
        if scaled < 0 { bytes.append(UInt8(ascii: "-")) }
        let unit = UInt64(scale)
        let magnitude = scaled.magnitude
        appendDigits(magnitude / unit, minimumDigits: 1)
        var fraction = magnitude % unit
        guard fraction != 0 else { return }
        var digits = decimals
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, minimumDigits: digits)
    }
}

/// JSON fragments as text, with the same escaping and number rules as the GeoJSON writer.
public enum JSONText {
    /// A JSON string literal.
    public static func quote(_ string: String) -> String {
        var bytes = JSONBytes()
        bytes.appendJSONString(string)
        return String(decoding: bytes.bytes, as: UTF8.self)
    }

    /// `value` rounded to `decimals` places without trailing zeros (the GeoJSON writer's format).
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        var bytes = JSONBytes()
        if value.isFinite { bytes.appendFixed(value, decimals: decimals) } else { bytes.append("null") }
        return String(decoding: bytes.bytes, as: UTF8.self)
    }

    /// A JSON number (shortest round-trip form, integers without ".0"), or `null` for NaN/∞/nil.
    public static func number(_ value: Double?) -> String {
        guard let value else { return "null" }
        var bytes = JSONBytes()
        bytes.appendJSONNumber(value)
        return String(decoding: bytes.bytes, as: UTF8.self)
    }
}

/// A byte buffer that streams to a file in large chunks.
///
/// Hand-written JSON/CSV output exists because GDAL 3.6's GeoJSON driver writes about 10 000
/// features/s (DESIGN.md §3); everything written here is read back through GDAL in tests.
final class OutputBuffer {
    private let handle: FileHandle
    private var buffer = JSONBytes(capacity: (1 << 20) + 65_536)
    private let flushThreshold = 1 << 20

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// Writes to a file opened already (tests: `/dev/full`, whose every write fails).
    init(writingTo handle: FileHandle) {
        self.handle = handle
    }

    @inline(__always) func append(_ string: String) { buffer.append(string); flushIfFull() }
    @inline(__always) func append(byte: UInt8) { buffer.append(byte: byte) }
    func append(encoded: JSONBytes) {
        guard encoded.bytes.count >= flushThreshold else { buffer.bytes.append(contentsOf: encoded.bytes); flushIfFull(); return }
        // A large piece (a chunk of features) goes to the file as it is, not through the buffer.
        flushBuffer()
        write(encoded.bytes)
    }
    func appendJSONString(_ string: String) { buffer.appendJSONString(string) }
    func appendJSONNumber(_ value: Double) { buffer.appendJSONNumber(value) }
    func appendFixed(_ value: Double, decimals: Int) { buffer.appendFixed(value, decimals: decimals) }

    /// The first write that failed (a full disk): later writes are skipped and closing throws it,
    /// so the run stops instead of publishing a short file.
    private var writeError: (any Error)?

    private func write(_ bytes: [UInt8]) {
        guard writeError == nil else { return }
        do { try handle.write(contentsOf: bytes) } catch { writeError = error }
    }

    private func flushIfFull() { if buffer.bytes.count >= flushThreshold { flushBuffer() } }

    private func flushBuffer() {
        guard !buffer.bytes.isEmpty else { return }
        write(buffer.bytes)
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered; throws the first write error of the file.
    func flushNow() throws {
        flushBuffer()
        if let writeError { throw writeError }
    }

    func close() throws {
        try flushNow()
        try handle.synchronize()
        try handle.close()
    }

    /// Writes what is buffered, then flushes the file to disk and closes it on another thread
    /// (for a large file the flush takes as long as the disk needs: 0.36 s for 354 MB here).
    func closeInBackground() throws -> PendingSync {
        try flushNow()
        return PendingSync(handle)
    }
}

/// A file being flushed to disk (`fsync`) and closed on another thread; `wait()` before the
/// file is published (renamed out of staging).
public final class PendingSync: @unchecked Sendable {
    private let group = DispatchGroup()
    private var error: (any Error)?

    init(_ handle: FileHandle) {
        DispatchQueue.global().async(group: group) {
            do {
                try handle.synchronize()
                try handle.close()
            } catch { self.error = error }
        }
    }

    /// Waits for the flush; throws its error (`error` is written before the group leaves).
    public func wait() throws {
        group.wait()
        if let error { throw error }
    }
}

enum FixedPoint {
    static let powersOfTen: [Double] = (0...15).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }
}
