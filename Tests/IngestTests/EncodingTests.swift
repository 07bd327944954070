import Foundation
import TestSupport
import Testing
@testable import Ingest
import GeoKit

@Suite struct TextEncodingCheckTests {
    static func latin1Mojibake(_ text: String) -> [UInt8] {
        // What GDAL returns when it decodes GBK bytes as ISO-8859-1: each byte becomes U+00xx.
        Array(String(String.UnicodeScalarView(TextRecoding.encode(text, to: "CP936").map { Unicode.Scalar($0) })).utf8)
    }

    init() { GDALEnvironment.initialize() }

    @Test func asciiAndCleanTextPass() {
        #expect(TextEncodingCheck.problem(in: Array("Winterweizen".utf8), assumedLatin1: true) == nil)
        #expect(TextEncodingCheck.problem(in: Array("玉米".utf8), assumedLatin1: false) == nil)
    }

    /// Eight bytes at a time and the tail one by one: a high byte anywhere, in texts of every
    /// length up to 40, makes the text not ASCII.
    @Test func asciiIsFoundEightBytesAtATime() {
        for length in 0...40 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(plain.withUnsafeBytes(TextEncodingCheck.isASCII), "length \(length)")
            for position in 0..<length {
                var text = plain
                text[position] = 0xB2  // a GBK lead byte
                #expect(!text.withUnsafeBytes(TextEncodingCheck.isASCII), "length \(length), high byte at \(position)")
            }
        }
    }

    @Test func europeanLatin1IsNotMistakenForGBK() {
        for word in ["Vårbyg", "Grünland", "Ñandú", "Kartoffeln, Pflanz- (Ä)", "Lucerne æøå"] {
            #expect(TextEncodingCheck.problem(in: Array(word.utf8), assumedLatin1: true) == nil, "\(word)")
        }
    }

    @Test func gbkDecodedAsLatin1IsCaught() {
        #expect(TextEncodingCheck.problem(in: Self.latin1Mojibake("青贮玉米"), assumedLatin1: true) == .gbkReadAsLatin1)
        // The user chose the encoding explicitly: trust it.
        #expect(TextEncodingCheck.problem(in: Self.latin1Mojibake("青贮玉米"), assumedLatin1: false) == nil)
    }

    @Test func rawGBKBytesAreCaught() {
        #expect(TextEncodingCheck.problem(in: TextRecoding.encode("玉米", to: "CP936"), assumedLatin1: false) == .notUTF8(likelyGBK: true))
    }

    @Test func utf8DecodedAsLatin1IsCaught() {
        let mojibake = Array(String(String.UnicodeScalarView(Array("Platība".utf8).map { Unicode.Scalar($0) })).utf8)
        #expect(TextEncodingCheck.problem(in: mojibake, assumedLatin1: true) == .utf8ReadAsLatin1)
    }

    @Test func replacementCharacterIsCaught() {
        #expect(TextEncodingCheck.problem(in: Array("玉\u{FFFD}".utf8), assumedLatin1: false) == .replacementCharacter)
    }
}

@Suite struct GBKShapefileTests {
    @Test(arguments: [UInt8(0x57), UInt8(0)])
    func gbkWithoutCPGStopsAndNamesTheEncodingFlag(ldid: UInt8) throws {
        let path = try makeGBKShapefileWithoutCPG(in: try temporaryDirectory(), ldid: ldid)
        do {
            _ = try ParcelReader(options: ParcelInputOptions(path: path)).read()
            Issue.record("GBK text read without --encoding must not pass silently")
        } catch let error as IngestError {
            let message = error.description
            #expect(message.contains("--encoding GBK"))
            #expect(message.contains("ZZZW"))
            #expect(message.contains(path))
            #expect(message.contains("玉米"))  // what it would read as
        }
    }

    @Test(arguments: ["GBK", "CP936", "gb18030"])
    func encodingFlagDecodesIt(encoding: String) throws {
        let path = try makeGBKShapefileWithoutCPG(in: try temporaryDirectory(), ldid: 0x57)
        let reading = try ParcelReader(options: ParcelInputOptions(path: path, encoding: encoding)).read()
        #expect(reading.parcels.map(\.crop) == ["玉米", "苜蓿"], "features read \(reading.featuresRead), rejects \(reading.rejects), warnings \(reading.warnings)")
        #expect(reading.textEncoding.contains("--encoding"))
    }
}
