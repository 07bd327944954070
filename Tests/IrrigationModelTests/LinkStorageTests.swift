import Testing
import RunSupport
import PlanarGeometry
@testable import IrrigationModel

/// Parcels' volumes built in one shared buffer are what each parcel's own adds give.
@Suite struct YearlyVolumesTests {
    @Test func builtTogetherEqualsBuiltAlone() {
        var generator = SplitMix64(seed: 11)
        var builder = YearlyVolumes.Builder()
        var alone: [YearlyVolumes] = []
        for _ in 0..<500 {
            var own = YearlyVolumes()
            for _ in 0..<Int(generator.next() % 5) {  // 0–4 records, years out of order and repeated
                let year = 2018 + Int(generator.next() % 6), value = Double(generator.next() % 10_000) / 7
                own.add(value, year: year)
                builder.add(value, year: year)
            }
            builder.endParcel()
            alone.append(own)
        }
        let together = builder.finish()
        #expect(together == alone)
        #expect(together.map { Array($0.map(\.key)) } == alone.map(\.keys))
        #expect(together.allSatisfy { $0.keys == $0.keys.sorted() })
        #expect(together.map(\.latest?.value) == alone.map(\.latest?.value))
    }

    @Test func equalByContentsWhereverStored() {
        var builder = YearlyVolumes.Builder()
        builder.add(300, year: 2024); builder.add(200, year: 2023); builder.add(1, year: 2024); builder.endParcel()
        builder.endParcel()  // a parcel without records
        let built = builder.finish()
        let literal: YearlyVolumes = [2023: 200, 2024: 301]
        #expect(built[0] == literal && built[0].hashValue == literal.hashValue && built[0][2024] == 301)
        #expect(built[1].isEmpty && built[1] == YearlyVolumes())
        var changed = built[0]
        changed.add(5, year: 2022)
        #expect(changed.keys == [2022, 2023, 2024] && built[0].keys == [2023, 2024])  // the shared buffer is not changed
    }
}

/// A parcel's sample indices, kept inline when there is one, read as the array they were.
@Suite struct SampleIndicesTests {
    @Test func readsAsTheArrayGiven() {
        for indices in [[], [0], [7], [3, 1], [5, 6, 9]] {
            let kept = SampleIndices(indices)
            #expect(Array(kept) == indices && kept.count == indices.count && kept.isEmpty == indices.isEmpty)
            #expect(kept == SampleIndices(indices) && (kept == SampleIndices([4]) ? indices == [4] : true))
        }
        #expect(SampleIndices([1]) != SampleIndices([1, 1]) && SampleIndices([]) != SampleIndices([0]))
        var links = ParcelLinks()
        #expect(links.soilDistanceMetres == nil && links == ParcelLinks() && links.hashValue == ParcelLinks().hashValue)
        links.soilDistanceMetres = 0
        #expect(links.soilDistanceMetres == 0 && MemoryLayout<ParcelLinks>.stride <= 72)
    }
}

/// The parcel id index answers as a dictionary of each id's first parcel would.
@Suite struct ParcelIDIndexTests {
    @Test func findsEachIdsFirstParcel() {
        var generator = SplitMix64(seed: 3)
        let ids = (0..<20_000).map { _ in "1409021010010" + String(generator.next() % 15_000) }  // with repeats
        let parcels = ids.map { Parcel(id: $0, featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                                       attributes: .empty, geometry: MultiPolygon(polygons: []), areaSquareMetres: 1, geometryRepaired: false) }
        var first: [String: Int] = [:]
        for (index, id) in ids.enumerated() where first[id] == nil { first[id] = index }
        let index = ParcelIDIndex(parcels)
        #expect(index.distinctCount == first.count)
        #expect(ids.allSatisfy { index.first($0) == first[$0] })
        #expect(index.first("not a parcel") == nil && ParcelIDIndex([]).first("x") == nil)
    }
}

/// A parcel is kept for every feature of a run: small, and saying what it was given.
@Suite struct ParcelStorageTests {
    @Test func soilPHReadsBackAsGiven() {
        var parcel = Parcel(id: "A", featureID: 7, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                            attributes: .empty, geometry: MultiPolygon(polygons: []), areaSquareMetres: 1, geometryRepaired: false)
        #expect(parcel.soilPH == nil && parcel.featureID == 7)
        parcel.soilPH = 0
        #expect(parcel.soilPH == 0)
        parcel.soilPH = nil
        #expect(parcel.soilPH == nil && MemoryLayout<Parcel>.stride <= 96)
    }

    /// A block's ids and shapes share one buffer and come back as given.
    @Test func idsAndShapesPackedTogetherComeBackAsGiven() {
        let square = [Position(x: 112.7, y: 38.4), Position(x: 112.701, y: 38.4), Position(x: 112.701, y: 38.401), Position(x: 112.7, y: 38.4)]
        let unrounded = square.map { Position(x: $0.x + 1e-9, y: $0.y) }
        let given: [(id: String, shape: MultiPolygon)] = [
            ("1409021010010000005", MultiPolygon(polygons: [Polygon(rings: [square])])), ("", MultiPolygon(polygons: [])),
            ("奇村镇第一行政村-07", MultiPolygon(polygons: [Polygon(rings: [unrounded])])), (String(repeating: "地", count: 300), MultiPolygon(polygons: [Polygon(rings: [square])]))]
        let packed = ParcelIDAndShape.packTogether(given)
        #expect(packed.map(\.id) == given.map(\.id) && packed.map(\.shape) == given.map(\.shape) && packed.map(\.bounds) == given.map(\.shape.bounds))
        var parcel = Parcel(id: "A", featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                            attributes: .empty, geometry: MultiPolygon(polygons: []), areaSquareMetres: 1, geometryRepaired: false)
        parcel.idAndShape = packed[2]
        #expect(parcel.id == given[2].id && parcel.geometry == given[2].shape)
        parcel.geometry = given[0].shape  // keeps its id
        #expect(parcel.id == given[2].id && parcel.geometry == given[0].shape && MemoryLayout<Parcel>.stride <= 80)
    }

    /// A packed id matches as `String`'s `==` does: canonically equivalent texts are the same id.
    @Test func aPackedIDMatchesAsAStringDoes() {
        let composed = ParcelIDAndShape(id: "Caf\u{E9}-07", shape: MultiPolygon(polygons: []))
        #expect(composed.idIs("Cafe\u{301}-07") && composed.idIs("Caf\u{E9}-07") && !composed.idIs("Cafe-07"))
        let digits = ParcelIDAndShape(id: "1409021010010000005", shape: MultiPolygon(polygons: []))
        #expect(digits.idIs("1409021010010000005") && !digits.idIs("1409021010010000006") && !digits.idIs(""))
        #expect(ParcelIDAndShape(id: "K-1", shape: MultiPolygon(polygons: [])).idIs("\u{212A}-1") == ("K-1" == "\u{212A}-1"))
    }

    /// Parcels with the same role texts hold one object; a change to one parcel's text is its own.
    @Test func roleTextsAreSharedAndChangedPerParcel() {
        var sharing = ParcelRoles.Sharing(limit: 2)
        let town = "奇村镇第一行政村村民委员会"  // above 15 bytes: a heap string
        func texts(_ crop: String, _ unit: String? = nil) -> ParcelRoles.Texts {
            .init(crop: crop, landUseCode: "0102", landUseName: nil, sourceID: "ZS01", adminUnit: unit ?? town)
        }
        let wheat = sharing.roles(for: texts("小麦")), maize = sharing.roles(for: texts("玉米"))
        #expect(sharing.roles(for: texts("小麦")) === wheat && sharing.roles(for: texts("玉米")) === maize)
        // Past the limit a combination gets an object of its own, its texts as given.
        let third = sharing.roles(for: texts("水稻")), again = sharing.roles(for: texts("小麦")), thirdAgain = sharing.roles(for: texts("水稻"))
        #expect(third !== thirdAgain && third.texts == thirdAgain.texts && again === wheat && third.texts.crop == "水稻")
        var first = Parcel(id: "A", featureID: 1, roles: wheat, soilPH: nil, attributes: .empty, geometry: MultiPolygon(polygons: []),
                           areaSquareMetres: 1, geometryRepaired: false)
        let second = Parcel(id: "B", featureID: 2, roles: wheat, soilPH: nil, attributes: .empty, geometry: MultiPolygon(polygons: []),
                            areaSquareMetres: 1, geometryRepaired: false)
        first.sourceID = "ZS02"
        first.irrigationMethod = "drip"
        #expect(first.sourceID == "ZS02" && first.irrigationMethod == "drip" && first.crop == "小麦" && first.adminUnit == town)
        #expect(second.sourceID == "ZS01" && second.irrigationMethod == nil && second.roles === wheat && wheat.texts == texts("小麦"))
    }
}
