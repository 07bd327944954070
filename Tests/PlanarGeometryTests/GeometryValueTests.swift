import TestSupport
import Testing
import IrrigationModel
import PlanarGeometry

@Suite struct WKBTests {
    /// Hand-assembled little-endian ISO WKB for POLYGON((0 0,1 0,1 1,0 0)).
    static let triangleLittleEndian: [UInt8] = {
        var bytes: [UInt8] = [1] + le32(3) + le32(1) + le32(4)
        for (x, y) in [(0.0, 0.0), (1, 0), (1, 1), (0, 0)] { bytes += le64(x) + le64(y) }
        return bytes
    }()

    @Test func decodesPolygon() throws {
        let multi = try WKB.multiPolygon(from: Self.triangleLittleEndian)
        #expect(multi.polygons.count == 1)
        #expect(multi.polygons[0].exterior == [Position(x: 0, y: 0), Position(x: 1, y: 0), Position(x: 1, y: 1), Position(x: 0, y: 0)])
    }

    @Test func decodesBigEndianMultiPolygonWithZ() throws {
        // MULTIPOLYGON Z (((0 0 5,2 0 5,2 2 5,0 0 5))), big-endian: type 1006 / 1003.
        var bytes: [UInt8] = [0] + be32(1006) + be32(1) + [0] + be32(1003) + be32(1) + be32(4)
        for (x, y) in [(0.0, 0.0), (2, 0), (2, 2), (0, 0)] { bytes += be64(x) + be64(y) + be64(5) }
        let multi = try WKB.multiPolygon(from: bytes)
        #expect(multi.polygons[0].exterior.map(\.x) == [0, 2, 2, 0])
        #expect(multi.polygons[0].exterior.map(\.y) == [0, 0, 2, 0])
    }

    @Test func rejectsLinesAndTruncation() {
        #expect(throws: WKB.DecodeError.unsupportedType(2)) { try WKB.multiPolygon(from: [1] + le32(2) + le32(0)) }
        #expect(throws: WKB.DecodeError.truncated) { try WKB.multiPolygon(from: Array(Self.triangleLittleEndian.dropLast(3))) }
    }
}

@Suite struct WindingTests {
    static let clockwiseSquare = [Position(x: 0, y: 0), Position(x: 0, y: 1), Position(x: 1, y: 1), Position(x: 1, y: 0), Position(x: 0, y: 0)]

    @Test func signedAreaIsPositiveForCounterClockwise() {
        #expect(Ring.signedArea(Self.clockwiseSquare) == -1)
        #expect(Ring.signedArea(Self.clockwiseSquare.reversed()) == 1)
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    @Test func rightHandRuleOrientsExteriorAndHoles() {
        let hole = [Position(x: 0.2, y: 0.2), Position(x: 0.4, y: 0.2), Position(x: 0.4, y: 0.4), Position(x: 0.2, y: 0.2)]  // CCW
        let polygon = MultiPolygon(polygons: [Polygon(rings: [Self.clockwiseSquare, hole])]).rightHandRule()
        #expect(Ring.signedArea(polygon.polygons[0].rings[0]) > 0)
        #expect(Ring.signedArea(polygon.polygons[0].rings[1]) < 0)
    }
}

@Suite struct ParcelFieldMappingTests {
    @Test func findsSanDiaoFieldsByAlias() throws {
        let mapping = try ParcelFieldMapping(fieldNames: ["BSM", "DKBM", "DLBM", "DLMC", "ZZZW", "TRPH", "SYDM", "XZQMC"])
        #expect(mapping[.parcelID] == "DKBM")  // listed before BSM
        #expect(mapping[.crop] == "ZZZW")
        #expect(mapping[.landUseCode] == "DLBM")
        #expect(mapping[.soilPH] == "TRPH")
        #expect(mapping[.sourceID] == "SYDM")
        #expect(mapping[.adminUnit] == "XZQMC")
    }

    @Test func matchesCaseInsensitivelyAndChineseNames() throws {
        let mapping = try ParcelFieldMapping(fieldNames: ["地块编码", "种植作物", "PH", "水源"])
        #expect(mapping[.parcelID] == "地块编码")
        #expect(mapping[.crop] == "种植作物")
        #expect(mapping[.soilPH] == "PH")
        #expect(mapping[.sourceID] == "水源")
        #expect(mapping[.adminUnit] == nil)
    }

    @Test func explicitMappingWinsAndMustExist() throws {
        let mapping = try ParcelFieldMapping(fieldNames: ["id", "gewas"], explicit: [.crop: "GEWAS"])
        #expect(mapping[.crop] == "gewas")
        #expect(throws: ParcelFieldMapping.MappingError.self) {
            try ParcelFieldMapping(fieldNames: ["id"], explicit: [.crop: "ZZZW"])
        }
    }
}

@Suite struct UnitTests {
    @Test func fifteenMuMakeOneHectare() {
        #expect(abs(AreaUnit.mu(squareMetres: 10_000) - 15) < 1e-12)
        #expect(abs(AreaUnit.squareMetresPerMu - 666.67) < 0.01)
        #expect(AreaUnit.hectares(squareMetres: 25_000) == 2.5)
    }

    @Test func attributeTextTrimsIdeographicSpace() {
        #expect(AttributeValue.string("\u{3000}玉米 ").text == "玉米")
        #expect(AttributeValue.string("  ").text == nil)
        #expect(AttributeValue.real(12.0).text == "12")
        #expect(AttributeValue.string("7.9").number == 7.9)
    }
}

func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
func be32(_ v: UInt32) -> [UInt8] { le32(v).reversed() }
func le64(_ v: Double) -> [UInt8] { (0..<8).map { UInt8((v.bitPattern >> (8 * UInt64($0))) & 0xFF) } }
func be64(_ v: Double) -> [UInt8] { le64(v).reversed() }

@Suite struct TrimTests {
    @Test(arguments: [("abc", "abc"), (" abc ", "abc"), ("\u{3000}玉米\u{3000}", "玉米"), ("\u{2003}x", "x"), ("x\u{00A0}", "x"), ("", ""), ("  ", ""), ("玉米", "玉米")])
    func trims(raw: String, expected: String) { #expect(raw.trimmingWhitespace() == expected) }

    /// The fast paths (ASCII or CJK at both ends) against trimming by Character, on strings made
    /// of ASCII, CJK, white space of every kind and combining marks in every order.
    @Test func fastPathsAgreeWithTrimmingByCharacter() {
        let pieces = ["a", "7", " ", "\t", "\u{3000}", "\u{00A0}", "\u{2003}", "\u{0085}", "玉", "米", "\u{4DC0}", "\u{9FFF}", "\u{0301}", "\u{200D}",
                      "é", "\u{1F33D}", "\r\n", "\u{FEFF}"]
        func byCharacter(_ s: String) -> String {
            let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\u{3000}" }
            guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
            return String(s[first...last])
        }
        var state: UInt64 = 20_241_015
        var checked = 0
        for length in 1...5 {
            for _ in 0..<4000 {
                var s = ""
                for _ in 0..<length {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    s += pieces[Int((state >> 33) % UInt64(pieces.count))]
                }
                if s.trimmingWhitespace() != byCharacter(s) { Issue.record("\(s.unicodeScalars.map { String($0.value, radix: 16) })"); return }
                checked += 1
            }
        }
        #expect(checked == 20_000)
    }
}

/// Zones are written in a canonical order so that unions built in different orders (one run, or
/// the parts of a partitioned run) write the same bytes.
@Suite struct CanonicalOrderTests {
    static func ring(_ points: [(Double, Double)]) -> [Position] { (points + [points[0]]).map { Position(x: $0.0, y: $0.1) } }

    @Test func ringsStartAtTheirSmallestVertexAndKeepTheirDirection() {
        let square = Self.ring([(2, 0), (2, 2), (0, 2), (0, 0)])  // counter-clockwise, starting at (2, 0)
        let shape = MultiPolygon(polygons: [Polygon(rings: [square])]).canonicalOrder()
        #expect(shape.polygons[0].rings[0] == Self.ring([(0, 0), (2, 0), (2, 2), (0, 2)]))
    }

    @Test func theSameShapeInAnyOrderGivesTheSameValue() {
        let a = Polygon(rings: [Self.ring([(0, 0), (4, 0), (4, 4), (0, 4)]), Self.ring([(3, 1), (3, 2), (2, 2), (2, 1)]), Self.ring([(1, 1), (1, 2), (0.5, 2), (0.5, 1)])])
        let b = Polygon(rings: [Self.ring([(10, 0), (11, 0), (11, 1), (10, 1)])])
        let rotated = Polygon(rings: [Self.ring([(4, 4), (0, 4), (0, 0), (4, 0)]), Self.ring([(1, 2), (0.5, 2), (0.5, 1), (1, 1)]), Self.ring([(2, 2), (2, 1), (3, 1), (3, 2)])])
        let one = MultiPolygon(polygons: [a, b]).canonicalOrder(), other = MultiPolygon(polygons: [b, rotated]).canonicalOrder()
        #expect(one == other)
        #expect(one.polygons[0].rings[1].first == Position(x: 0.5, y: 1), "holes sorted by their first vertex")
        #expect(one.polygons[1].exterior.first == Position(x: 10, y: 0), "polygons sorted by their first vertex")
    }
}
