import Foundation
import TestSupport
import Testing
@testable import IrrigationModel
@testable import Reports
@testable import GeoKit
import PlanarGeometry

@Suite struct GeoJSONWriterTests {
    func write(_ body: (GeoJSONWriter) -> Void) throws -> [String: Any] {
        let path = NSTemporaryDirectory() + "irrizone-writer-\(UUID().uuidString).geojson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try GeoJSONWriter(path: path, name: "t")
        body(writer)
        try writer.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func writesValidJSONWithEscapesAndNulls() throws {
        let square = MultiPolygon(polygons: [Polygon(rings: [[
            Position(x: 112.123456789, y: 38.1), Position(x: 112.2, y: 38.1), Position(x: 112.2, y: 38.2), Position(x: 112.123456789, y: 38.1),
        ]])])
        let json = try write { writer in
            writer.writeFeature(geometry: square, properties: [
                ("name", .string("a \"quoted\"\\ line\nand 玉米\u{01}")), ("missing", .null), ("nan", .number(.nan)),
                ("area", .fixed(1.23456789, decimals: 4)), ("count", .integer(-3)), ("flag", .boolean(true)),
                ("codes", .strings(["A", "B"])), ("small", .number(1e-7)),
            ])
        }
        let features = try #require(json["features"] as? [[String: Any]])
        let properties = try #require(features.first?["properties"] as? [String: Any])
        #expect(properties["name"] as? String == "a \"quoted\"\\ line\nand 玉米\u{01}")
        #expect(properties["missing"] is NSNull)
        #expect(properties["nan"] is NSNull)
        #expect(properties["area"] as? Double == 1.2346)
        #expect(properties["count"] as? Int == -3)
        #expect(properties["codes"] as? [String] == ["A", "B"])
        #expect(properties["small"] as? Double == 1e-7)
        let geometry = try #require(features.first?["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "Polygon")
        let ring = try #require((geometry["coordinates"] as? [[[Double]]])?.first)
        #expect(ring[0] == [112.1234568, 38.1])  // 7 decimals
    }

    @Test(arguments: [(0.0, "0"), (-0.00000004, "0"), (-1.5, "-1.5"), (112.10000001, "112.1"), (38.0000001, "38.0000001"),
                      (-179.99999995, "-180")])
    func fixedFormatting(value: Double, expected: String) throws {
        let path = NSTemporaryDirectory() + "irrizone-fixed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = try OutputBuffer(path: path)
        out.appendFixed(value, decimals: 7)
        try out.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // A value that rounds to zero prints as 0, never "-0".
        #expect(text == expected)
    }

    /// Issue #23: numbers fixed point cannot hold are written, not trapped on (a run with an
    /// irrigation volume of 10¹⁶ m³ ended by signal 4).
    @Test(arguments: [(1e16, 4, "1e+16"), (-9.3e18, 0, "-9.3e+18"), (9.1e14, 4, "910000000000000"), (Double.nan, 4, "null"),
                      (Double.infinity, 2, "null"), (123456789.123, 4, "123456789.123")])
    func numbersBeyondFixedPointAreWritten(value: Double, decimals: Int, expected: String) {
        #expect(JSONText.fixed(value, decimals) == expected)
        var bytes = JSONBytes()
        bytes.appendFixed(value, decimals: decimals)
        #expect(bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == expected)
    }

    /// A file keeps exactly the bytes appended, whatever their sizes, on both sides of the point
    /// where a large file goes around the page cache (whole pieces written directly, the last one
    /// padded to a block and cut back) and of the first flush to disk during the writing.
    @Test(arguments: [0, 1, 4095, 4097, DiskWriter.directFrom - 1, DiskWriter.directFrom + 1,
                      DiskWriter.directFrom + 2 * DiskWriter.pieceSize + 12_345])
    func aFileHoldsExactlyTheBytesAppended(size: Int) throws {
        let path = NSTemporaryDirectory() + "irrizone-disk-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var generator = SplitMix(seed: UInt64(size))
        let expected = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let out = try OutputBuffer(path: path)
        // Small appends through the buffer, and pieces past it written at once, mixed.
        var offset = 0, round = 0
        while offset < size {
            let length = min(size - offset, round % 3 == 2 ? 3 << 20 : 1 + Int(generator.next() % 70_000))
            var piece = JSONBytes()
            piece.append(contentsOf: Array(expected[offset..<(offset + length)]))
            out.append(encoded: piece)
            offset += length; round += 1
        }
        let direct = size > DiskWriter.directFrom
        try out.close()
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(written.count == size)
        #expect(written == Data(expected))
        // Where the temporary directory takes direct writes (ext4 here and in CI), they were used.
        #expect(out.bypassesPageCache == (direct && Self.temporaryDirectoryTakesDirectWrites))
        // A file of a flush step or more was flushed to disk while it was written.
        #expect((out.backgroundFlushes > 0) == (size >= DiskWriter.flushStep))
    }

    /// Whether a file in the temporary directory can be switched to `O_DIRECT` and written so
    /// (asked of the system itself, not of `DiskWriter`).
    static let temporaryDirectoryTakesDirectWrites: Bool = {
        let path = NSTemporaryDirectory() + "irrizone-direct-probe-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0, DiskWriter.directFlag != 0 else { return false }
        defer { close(descriptor) }
        var block: UnsafeMutableRawPointer?
        guard posix_memalign(&block, 4096, 4096) == 0, let block else { return false }
        defer { free(block) }
        block.initializeMemory(as: UInt8.self, repeating: 0x20, count: 4096)
        let flags = fcntl(descriptor, F_GETFL)
        return fcntl(descriptor, F_SETFL, flags | DiskWriter.directFlag) == 0 && Glibc.write(descriptor, block, 4096) == 4096
    }()

    /// Numbers with a few decimals are written without `String(value)`: the text must be
    /// `String(value)`'s (the shortest that reads back the same), for decimals of every length
    /// and random doubles, across the range the short path takes and beyond it.
    @Test func shortDecimalsAreWrittenAsStringWritesThem() {
        func written(_ value: Double) -> String {
            var bytes = JSONBytes()
            bytes.appendJSONNumber(value)
            return String(decoding: bytes.bytes, as: UTF8.self)
        }
        func expected(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        var generator = GeoJSONWriterTests.SplitMix(seed: 11)
        var mismatches: [String] = [], short = 0
        for _ in 0..<300_000 {
            let value: Double
            switch generator.next() % 4 {
            case 0:  // a lab value or load: up to 8 digits, 1–7 decimals
                let digits = Double(generator.next() % 100_000_000)
                value = digits / FixedPoint.powersOfTen[1 + Int(generator.next() % 7)]
            case 1:  // any double in 10^-5 … 10^9
                value = pow(10, Double(generator.next() % 1_400_000) / 100_000 - 5)
            case 2:  // next to a short decimal
                let decimal = Double(generator.next() % 1_000_000) / 1000
                value = generator.next() % 2 == 0 ? decimal.nextUp : decimal.nextDown
            default:  // a short decimal times a factor, as loads are
                value = Double(generator.next() % 100_000) / 100 * [0.001, 1.5, 15, 0.0864, 1e-3 / 1.5][Int(generator.next() % 5)]
            }
            for signed in [value, -value] {
                if JSONBytes.shortDecimals(signed) != nil { short += 1 }
                if written(signed) != expected(signed), mismatches.count < 10 { mismatches.append("\(signed): \(written(signed)) vs \(expected(signed))") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(short > 100_000 && short < 550_000)  // both paths were taken
        #expect(written(0.103) == "0.103" && written(-8.4) == "-8.4" && written(0.0001) == String(0.0001))
    }

    /// Appending a piece copies exactly its bytes, at every length the short-copy paths take
    /// (1–32) and around them, after text of every length modulo 8.
    @Test func appendedPiecesAreCopiedExactly() {
        for before in 0..<9 {
            for length in 0...40 {
                let prefix = (0..<before).map { UInt8(ascii: "a") &+ UInt8($0) }
                let piece = (0..<length).map { UInt8(truncatingIfNeeded: 0x30 &+ $0 &* 7) }
                // The room is filled first, so a byte the copy leaves out shows.
                var bytes = JSONBytes(capacity: 128)
                bytes.append(contentsOf: [UInt8](repeating: 0xEE, count: 128))
                bytes.removeAll()
                bytes.append(contentsOf: prefix)
                bytes.append(contentsOf: piece)
                #expect(bytes.bytes == prefix + piece, "\(length) bytes after \(before)")
            }
        }
    }

    /// The eight-bytes-at-a-time escape check against the byte-by-byte rule: every byte value
    /// at every position of short and long texts, and random texts (mostly bytes that need no
    /// escaping, as in real text, with multi-byte UTF-8).
    @Test func theEscapeCheckAgreesWithTheByteRule() {
        func byRule(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
        func checked(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { JSONBytes.needsEscaping($0) } }
        for length in [1, 7, 8, 9, 17, 24] {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = UInt8(value)
                    #expect(checked(bytes) == byRule(bytes), "byte \(value) at \(position) of \(length)")
                }
            }
        }
        var generator = GeoJSONWriterTests.SplitMix(seed: 5)
        let alphabet = Array("abc 123,.:;-_/()[]{}地块玉米旱地".utf8) + [0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0xFF]
        var mismatches = 0, escaped = 0
        for _ in 0..<50_000 {
            let length = Int(generator.next() % 64)
            let bytes = (0..<length).map { _ in
                generator.next() % 40 == 0 ? alphabet[alphabet.count - 1 - Int(generator.next() % 9)] : alphabet[Int(generator.next() % UInt64(alphabet.count - 9))]
            }
            if checked(bytes) != byRule(bytes) { mismatches += 1 }
            if byRule(bytes) { escaped += 1 }
        }
        #expect(mismatches == 0)
        #expect(escaped > 1000 && escaped < 49_000)  // both kinds of text were tried
        #expect(!checked([]))
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A write that fails (a full disk) is kept and thrown when the file is closed, so the run
    /// stops instead of publishing a short file; the writes after it are skipped. (`/dev/full`
    /// fails every write with ENOSPC; a file with nothing written to it closes cleanly.)
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aFailedWriteIsThrownWhenTheFileCloses() throws {
        let nothingWritten = OutputBuffer(writingTo: try #require(FileHandle(forWritingAtPath: "/dev/full")))
        #expect(throws: Never.self) { try nothingWritten.flushNow() }
        let out = OutputBuffer(writingTo: try #require(FileHandle(forWritingAtPath: "/dev/full")))
        var piece = JSONBytes()
        piece.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: 3 << 20))  // past the buffer: written at once
        out.append(encoded: piece)
        out.append("more after the failure")
        do {
            try out.close()
            Issue.record("closing after a failed write did not throw")
        } catch {
            let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            #expect((error as NSError).code == Int(ENOSPC) || posix?.code == Int(ENOSPC) || (error as? CocoaError)?.code == .fileWriteOutOfSpace,
                    "expected ENOSPC, got \(error)")
        }
    }

    @Test func emptyGeometryIsNull() throws {
        let json = try write { $0.writeFeature(geometry: nil, properties: []) }
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.first?["geometry"] is NSNull)
    }
}

@Suite struct CSVWriterTests {
    @Test func quotesWhatNeedsQuotingAndStartsWithBOM() throws {
        let path = NSTemporaryDirectory() + "irrizone-csv-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let csv = try CSVWriter(path: path, header: ["a", "b"])
        csv.writeRow(["x,y", "say \"hi\""])
        csv.writeRow(["玉米", "line\nbreak"])
        try csv.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n玉米,\"line\nbreak\"\r\n")
    }

    /// "\r\n" is a single Character, equal to neither "\r" nor "\n": a field holding a Windows
    /// line break (a pasted Excel cell) must still be quoted, or the row splits in two.
    @Test func quotesAWindowsLineBreakAndLeavesPlainFieldsAlone() {
        #expect(CSVWriter.row(["a\r\nb", "c"]) == "\"a\r\nb\",c\r\n")
        #expect(CSVWriter.row(["备注\r", "x"]) == "\"备注\r\",x\r\n")
        #expect(CSVWriter.row(["土壤镉超过风险筛选值", "", "0.3"]) == "土壤镉超过风险筛选值,,0.3\r\n")
        #expect(CSVWriter.row([]) == "\r\n")
        // Every quote is doubled, also one that a combining mark joins into one Character.
        #expect(CSVWriter.row(["a\"\u{301}b,", "\"\"", "x"]) == "\"a\"\"\u{301}b,\",\"\"\"\"\"\",x\r\n")
    }
}

@Suite struct ParcelPropertiesTests {
    @Test func contractFieldsFirstAndCollisionsRenamed() {
        let parcel = Parcel(id: "P1", featureID: 0, crop: "玉米", landUseCode: "0102", landUseName: nil, soilPH: 8.1,
                            sourceID: nil, adminUnit: nil,
                            attributes: [Attribute(name: "parcel_id", value: .string("P1")), Attribute(name: "AREA_HA", value: .real(9))],
                            geometry: MultiPolygon(polygons: []), areaSquareMetres: 6666.67, geometryRepaired: false)
        let keys = ParcelProperties.properties(for: parcel).map(\.0)
        #expect(Array(keys.prefix(ParcelProperties.contractNames.count)) == ParcelProperties.contractNames)
        #expect(keys.contains("in_parcel_id"))
        #expect(keys.contains("in_AREA_HA"))
        #expect(Set(keys).count == keys.count)
    }
}

@Suite struct ReportTextTests {
    /// The map's coordinates are written from tenths of a pixel as the Double would print.
    @Test func tenthsPrintAsTheirDouble() {
        for tenths in Array(-20_000...20_000) + [123_456_789, -987_654_321] {
            var bytes = JSONBytes()
            SVGMap.appendTenths(tenths, to: &bytes)
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == "\(Double(tenths) / 10)", "tenths \(tenths)")
        }
    }

    @Test func escapesTheFourHTMLCharactersOnly() {
        #expect(escapeHTML("水源 <ZS01> & \"甲\" 'x'") == "水源 &lt;ZS01&gt; &amp; &quot;甲&quot; 'x'")
        #expect(escapeHTML("玉米") == "玉米")
        #expect(escapeHTML("") == "")
    }
}

@Suite struct JSONBytesTests {
    /// The digits written in place match the rule spelled out with strings: round half away
    /// from zero at `decimals` places, drop trailing zeros of the fraction, no "-0".
    /// A ring's positions written in one go read as each number written on its own, joined.
    @Test func positionsAreWrittenAsTheirNumbersJoined() {
        var generator = GeoJSONWriterTests.SplitMix(seed: 11)
        for count in [1, 2, 5, 64, 1000] {
            let positions = (0..<count).map { _ in
                Position(x: Double(Int64(bitPattern: generator.next()) % 360_000_000_000) / 1e9, y: Double(Int64(bitPattern: generator.next()) % 90_000_000) / 1e6)
            }
            var bytes = JSONBytes()
            bytes.append("[")  // after text already there
            bytes.appendPositions(positions, decimals: 7)
            let expected = "[" + positions.map { "[\(JSONText.fixed($0.x, 7)),\(JSONText.fixed($0.y, 7))]" }.joined(separator: ",")
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == expected)
        }
    }

    @Test func fixedDecimalsMatchTheRuleSpelledOut() {
        func spelledOut(_ value: Double, _ decimals: Int) -> String {
            let scale = (0..<decimals).reduce(1.0) { product, _ in product * 10 }
            let scaled = Int64((value * scale).rounded())
            let unit = UInt64(scale), magnitude = scaled.magnitude
            var fraction = decimals == 0 ? "" : String(magnitude % unit)
            fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return (scaled < 0 ? "-" : "") + String(magnitude / unit) + (fraction.isEmpty ? "" : "." + fraction)
        }
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.5, -0.5, 0.05, 1.005, 10, 100.0001, 123456.7890123, -0.00004, -0.00005, 9.99999999, 1e11]
        for _ in 0..<20_000 { values.append(Double.random(in: -1e6...1e6, using: &generator) / Double(Int.random(in: 1...100_000, using: &generator))) }
        for value in values {
            for decimals in 0...7 {
                var bytes = JSONBytes()
                bytes.appendFixed(value, decimals: decimals)
                #expect(String(decoding: bytes.bytes, as: UTF8.self) == spelledOut(value, decimals), "\(value) to \(decimals) places")
            }
        }
    }

    /// The rounding without libm gives `Int64(value.rounded())`: halves, the doubles next to
    /// them, values past 2⁵² (already whole) and random ones.
    @Test func roundingMatchesTheStandardLibrary() {
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                                4503599627370495.5, 4503599627370497, -4503599627370497, 9.2e18, -9.2e18, .leastNonzeroMagnitude]
        for half in stride(from: -1000.5, through: 1000.5, by: 1) { values += [half, half.nextUp, half.nextDown] }
        var generator = GeoJSONWriterTests.SplitMix(seed: 5)
        for _ in 0..<100_000 {
            let magnitude = pow(10, Double(generator.next() % 1_800_000) / 100_000 - 3)
            values.append(generator.next() % 2 == 0 ? magnitude : -magnitude)
        }
        for value in values {
            #expect(FixedPoint.rounded(value) == Int64(value.rounded()), "\(value)")
        }
    }

    @Test func growsPastItsRoomAndKeepsWhatWasWritten() {
        var bytes = JSONBytes(capacity: 4)
        var expected: [UInt8] = []
        for index in 0..<10_000 {
            let text = "k\(index)é,"
            bytes.append(text: text)
            expected += Array(text.utf8)
            if index % 7 == 0 { bytes.append(byte: UInt8(ascii: "|")); expected.append(UInt8(ascii: "|")) }
            if index % 5 == 0 { bytes.append("—literal"); expected += Array("—literal".utf8) }
        }
        #expect(bytes.bytes == expected)
        #expect(bytes.count == expected.count && bytes.capacity >= bytes.count)
        bytes.removeAll()
        #expect(bytes.isEmpty && bytes.bytes.isEmpty)
    }
}

/// A row's values in one byte buffer read back as given; text stops at a NUL, as GDAL reads a
/// field's text from a C string, and the values after it are intact; properties are converted as
/// the GeoJSON writes them (lists as JSON, numbers rounded, what is not finite null).
@Suite struct FieldValuesTests {
    @Test func valuesReadBackAsGiven() {
        let given: [PropertyValue] = [.null, .integer(-7), .integer(.max), .number(-0.125), .number(.greatestFiniteMagnitude), .boolean(true),
                                      .boolean(false), .string(""), .string("奇村镇第1村"), .rawJSON("{\"a\": 1}"), .string("a\u{0}b"), .integer(3),
                                      .number(.nan), .fixed(.infinity, decimals: 2), .fixed(1.23456789, decimals: 3),
                                      .strings(["TIER_CAUTIOUS", "引号\""]), .strings([])]
        var values = FieldValues()
        for property in given { values.append(property) }
        #expect(values.count == given.count)
        let expected: [FieldValue] = [.null, .integer(-7), .integer(.max), .real(-0.125), .real(.greatestFiniteMagnitude), .boolean(true),
                                      .boolean(false), .string(""), .string("奇村镇第1村"), .string("{\"a\": 1}"), .string("a"), .integer(3),
                                      .null, .null, .real(1.235),
                                      .string("[" + JSONText.quote("TIER_CAUTIOUS") + "," + JSONText.quote("引号\"") + "]"), .string("[]")]
        #expect(values.decoded == expected)
        var list = FieldValueList(runID: "run-1", names: nil)
        list.strings("reasons", ["TIER_CAUTIOUS"])
        list.fixed("area_ha", 1.23456789, decimals: 3)
        list.number("nan", .nan)
        #expect(list.values.decoded == [.string("run-1"), .string("[" + JSONText.quote("TIER_CAUTIOUS") + "]"), .real(1.235), .null])
        #expect(list.finishedNames == ["run_id", "reasons", "area_ha", "nan"])
        var shorter = FieldValues()
        for property in given.dropLast() { shorter.append(property) }
        #expect(values != shorter && values == { var again = FieldValues(); for p in given { again.append(p) }; return again }())
    }
}
