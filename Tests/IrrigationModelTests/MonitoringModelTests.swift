import TestSupport
import Testing
@testable import IrrigationModel
import PlanarGeometry

@Suite struct MeasuredValueTests {
    @Test(arguments: [
        ("0.012", MeasuredValue.ParseResult.measured(.value(0.012))),
        (".50", .measured(.value(0.5))),
        ("5e-04", .measured(.value(0.0005))),
        ("0.79990000000000006", .measured(.value(0.7999))),
        ("<0.01", .measured(.belowDetection(limit: 0.01))),
        ("< 0.01", .measured(.belowDetection(limit: 0.01))),
        ("＜0.01", .measured(.belowDetection(limit: 0.01))),
        ("0.01L", .measured(.belowDetection(limit: 0.01))),
        ("0.004 L", .measured(.belowDetection(limit: 0.004))),
        ("ND", .measured(.belowDetection(limit: nil))),
        ("N.D.", .measured(.belowDetection(limit: nil))),
        ("未检出", .measured(.belowDetection(limit: nil))),
        ("-", .measured(.belowDetection(limit: nil))),
        (">24000", .measured(.aboveRange(24000))),
        ("", .missing), ("N/A", .missing), ("NA", .missing),
        ("abc", .unparseable("abc")), ("<x", .unparseable("<x")), ("1,2", .unparseable("1,2")),
    ])
    func parsesWhatLabsWrite(raw: String, expected: MeasuredValue.ParseResult) {
        #expect(MeasuredValue.parse(raw) == expected)
    }

    /// The plain-number shortcut gives what the full parse gives, for every cell it takes and
    /// for the near misses it must leave to the full parse.
    @Test func plainNumberShortcutAgreesWithTheFullParse() {
        var cells = ["0", "-0", "+5", ".5", "5.", "5e-04", "1E3", "-", "--", "+", ".", "e", "E5", "1e", "1e400", "-1e400", "1-2", "1..2",
                     "0.79990000000000006", "12345678901234567890123456789012", "123456789012345678901234567890123", "1.5e-320", "00012"]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+eE".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...8, using: &generator)
            cells.append(String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self))
        }
        for _ in 0..<5_000 { cells.append(String(Double.random(in: -1e6...1e6, using: &generator))) }
        for cell in cells {
            #expect(MeasuredValue.parse(cell) == MeasuredValue.parseInFull(cell), "cell \"\(cell)\"")
        }
    }

    @Test func censoredValuesConvertTheirLimit() {
        #expect(MeasuredValue.belowDetection(limit: 2).mapNumbers { $0 / 1000 } == .belowDetection(limit: 0.002))
        #expect(MeasuredValue.belowDetection(limit: nil).mapNumbers { $0 / 1000 } == .belowDetection(limit: nil))
    }
}

@Suite struct UnitConversionTests {
    /// Every conversion factor, as (unit as written, parameter, medium, value, canonical value).
    @Test(arguments: [
        ("mg/L", "cd", Medium.water, 1.0, 1.0), ("µg/L", "cd", .water, 18, 0.018), ("ug/L", "cd", .water, 1, 0.001),
        ("μg/L", "cd", .water, 1, 0.001), ("ng/L", "hg", .water, 40, 0.00004), ("g/L", "total_salt", .water, 0.8, 800),
        ("g/m3", "chloride", .water, 200, 200), ("ppm", "chloride", .water, 200, 200), ("ppb", "cd", .water, 5, 0.005),
        ("毫克/升", "cd", .water, 1, 1), ("mg／L", "cd", .water, 2, 2),
        ("mg/kg", "cd", .soil, 0.3, 0.3), ("µg/kg", "hg", .soil, 50, 0.05), ("ug/g", "zn", .soil, 80, 80),
        ("mg/g", "zn", .soil, 0.08, 80), ("ppm", "cd", .soil, 11.7, 11.7), ("%", "zn", .soil, 0.01, 100),
        ("g/kg", "salt", .soil, 1.5, 1.5), ("mg/kg", "salt", .soil, 1500, 1.5), ("%", "salt", .soil, 0.15, 1.5),
        ("dS/m", "ec", .water, 1.2, 1.2), ("µS/cm", "ec", .water, 1200, 1.2), ("uS/cm", "ec", .water, 343.6, 0.3436),
        ("mS/cm", "ec", .water, 1.2, 1.2), ("S/m", "ec", .water, 0.12, 1.2), ("mS/m", "ec", .water, 120, 1.2),
        ("mmho/cm", "ec", .water, 1.2, 1.2),
        ("MPN/L", "fecal_coliforms", .water, 4000, 4000), ("MPN/100mL", "fecal_coliforms", .water, 400, 4000),
        ("CFU/100 mL", "fecal_coliforms", .water, 400, 4000), ("MPN/mL", "fecal_coliforms", .water, 4, 4000),
        ("个/L", "fecal_coliforms", .water, 4000, 4000),
        ("个/10L", "ascaris_eggs", .water, 2, 2), ("eggs/L", "ascaris_eggs", .water, 2, 20), ("个/L", "ascaris_eggs", .water, 2, 20),
        ("℃", "water_temp", .water, 20, 20),
    ])
    func convertsToTheCanonicalUnit(unit: String, parameterID: String, medium: Medium, value: Double, expected: Double) throws {
        let parameter = try #require(ParameterCatalog.parameter(id: parameterID))
        let parsed = try #require(MeasurementUnit.parse(unit, kind: parameter.kind), "unit \(unit)")
        let converted = try #require(parsed.convert(value, to: parameter.canonicalUnit(in: medium)))
        #expect(abs(converted - expected) <= 1e-12 * max(1, abs(expected)), "\(value) \(unit) → \(converted)")
    }

    @Test func refusesToMixMedia() throws {
        #expect(MeasurementUnit.milligramsPerLitre.convert(1, to: .milligramsPerKilogram) == nil)
        #expect(MeasurementUnit.parse("meq/L") == nil)
        // NTU is turbidity's unit (GB/T 18920, issue #27), never a concentration.
        #expect(MeasurementUnit.parse("NTU")?.kind == .turbidity)
        #expect(MeasurementUnit.parse("NTU")?.convert(1, to: .milligramsPerLitre) == nil)
    }
}

@Suite struct ParameterCatalogTests {
    @Test(arguments: [
        ("氯化物", "chloride"), ("全盐量", "total_salt"), ("溶解性总固体", "tds"), ("总镉", "cd"), ("镉", "cd"), ("Cd", "cd"),
        ("cadmium", "cd"), ("总汞", "hg"), ("总砷", "as"), ("总铅", "pb"), ("六价铬", "cr6"), ("Cr(VI)", "cr6"), ("Cr（VI）", "cr6"),
        ("总铬", "cr"), ("总铜", "cu"), ("总锌", "zn"), ("总镍", "ni"), ("粪大肠菌群", "fecal_coliforms"), ("蛔虫卵", "ascaris_eggs"),
        ("硝酸盐氮", "nitrate_n"), ("NO3-N", "nitrate_n"), ("电导率", "ec"), ("EC", "ec"), ("Cond", "ec"), ("pH", "ph"), ("BOD5", "bod5"),
        ("CODCr", "cod_cr"), ("悬浮物", "ss"), ("Cd_tot", "cd"), ("Residue Filterable", "tds"), ("SO4", "sulfate"), ("Na", "na"),
        ("Ca", "ca"), ("Mg", "mg"), ("硼", "b"), ("氟化物", "f"), ("氰化物", "cn"), ("石油类", "petroleum"), ("挥发酚", "volatile_phenol"),
        ("硫化物", "sulfide"), ("氨氮", "ammonia_n"), ("阴离子表面活性剂", "anionic_surfactants"), ("水温", "water_temp"), ("硒", "se"),
    ])
    func recognisesLabNames(name: String, id: String) {
        #expect(ParameterCatalog.parameter(named: name)?.id == id)
    }

    @Test func unknownNamesAreNotGuessed() {
        #expect(ParameterCatalog.parameter(named: "Cd_diss") == nil)
        #expect(ParameterCatalog.parameter(named: "delta_O_18") == nil)
    }
}

@Suite struct CalendarDateTests {
    @Test(arguments: [
        ("2024-01-15", "2024-01-15"), ("2024/1/5", "2024-01-05"), ("2024.1.5", "2024-01-05"), ("20240105", "2024-01-05"),
        ("2024年1月5日", "2024-01-05"), ("2016-03-01T00:00:00Z", "2016-03-01"), ("2024-01-15 08:30", "2024-01-15"),
    ])
    func parses(raw: String, expected: String) {
        #expect(CalendarDate.parse(raw)?.description == expected)
    }

    @Test(arguments: ["15/01/2024", "2024-02-30", "2024-13-01", "yesterday", ""])
    func rejects(raw: String) { #expect(CalendarDate.parse(raw) == nil) }

    /// The `YYYY-MM-DD` shortcut gives what the full parse gives.
    @Test func isoShortcutAgreesWithTheFullParse() {
        var cells = ["2024-00-10", "2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "2024-1-015", "2024-01-1", "2024-01-150", "２０２４-01-15"]
        for year in [1899, 1900, 2000, 2023, 2024, 2200, 2201] {
            for month in 0...13 {
                for day in 0...32 {
                    let text = String(year) + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
                    cells.append(text)
                }
            }
        }
        for cell in cells {
            #expect(CalendarDate.parse(cell) == CalendarDate.parseInFull(cell), "cell \"\(cell)\"")
        }
    }
}

@Suite struct SpatialIndexTests {
    @Test func queriesMatchBruteForce() {
        var random = LCG(seed: 42)
        let boxes = (0..<2000).map { _ -> BoundingBox in
            let x = random.next() * 100, y = random.next() * 100
            return BoundingBox(minX: x, minY: y, maxX: x + random.next() * 3, maxY: y + random.next() * 3)
        }
        let index = SpatialIndex(boxes: boxes)
        for _ in 0..<200 {
            let x = random.next() * 100, y = random.next() * 100
            let query = BoundingBox(minX: x, minY: y, maxX: x + random.next() * 10, maxY: y + random.next() * 10)
            #expect(Set(index.query(query)) == Set(boxes.indices.filter { boxes[$0].intersects(query) }))
        }
        #expect(SpatialIndex(boxes: []).query(BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)).isEmpty)
    }
}

@Suite struct LinkerTests {
    /// Three 0.001° (≈ 87 m × 111 m at 38.4°N) squares in a row, 0.002° apart.
    static func square(_ x0: Double, id: String) -> Parcel {
        let ring = [Position(x: x0, y: 38.4), Position(x: x0 + 0.001, y: 38.4), Position(x: x0 + 0.001, y: 38.401), Position(x: x0, y: 38.401), Position(x: x0, y: 38.4)]
        return Parcel(id: id, featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: id == "C" ? "ZS09" : "ZS01",
                      adminUnit: nil, attributes: [], geometry: MultiPolygon(polygons: [Polygon(rings: [ring])]),
                      areaSquareMetres: 9700, geometryRepaired: false)
    }

    /// At 38.4°N one degree of longitude is ≈ 87 100 m: A and B are 174 m apart, C is ≈ 1.3 km east of B.
    static let parcels = [square(112.000, id: "A"), square(112.003, id: "B"), square(112.020, id: "C")]
    static let origin = RecordOrigin(file: "t", location: "row 2")
    static let cd = ParameterCatalog.parameter(id: "cd")!

    @Test func linksSoilWellsSourcesAndIrrigation() {
        let soil = [
            SoilSample(id: "S1", location: Position(x: 112.0005, y: 38.4005), date: nil, depth: nil, texture: nil, measurements: [Self.cd: .value(0.7)], origin: Self.origin),
            // 0.0005° east of B's east edge: ≈ 44 m away.
            SoilSample(id: "S2", location: Position(x: 112.0045, y: 38.4005), date: nil, depth: nil, texture: nil, measurements: [Self.cd: .belowDetection(limit: 0.05)], origin: Self.origin),
        ]
        // W1 is 55 m north of C and ≈ 1.4 km from B.
        let wells = [WellReading(wellID: "W1", location: Position(x: 112.0205, y: 38.4015), date: CalendarDate(year: 2024, month: 1, day: 1)!,
                                 depthToWaterMetres: 2.5, measurements: [:], origin: Self.origin)]
        let irrigation: IrrigationRecords = [IrrigationRecord(parcelID: "A", year: 2024, volume: .cubicMetres(485)),
                          IrrigationRecord(parcelID: "A", year: 2025, volume: .cubicMetresPerMu(300))]
        let (links, coverage) = Linker.link(parcels: Self.parcels, sourceIDs: ["ZS01"], soil: soil, wells: wells, irrigation: irrigation, options: LinkingOptions())
        #expect(links[0].soilSamples == [0] && !links[0].soilEstimated)
        #expect(links[1].soilSamples == [1] && links[1].soilEstimated)
        #expect(abs((links[1].soilDistanceMetres ?? 0) - 43.6) < 1)
        #expect(links[2].soilSamples.isEmpty)  // S2 is ≈ 1.35 km from C, beyond the 500 m default
        #expect(links[2].wellIDs == ["W1"] && links[1].wellIDs.isEmpty && links[0].wellIDs.isEmpty)
        #expect(links[0].irrigationByYear[2024] == 485 / 0.97 && links[0].irrigationByYear[2025] == 4500)
        #expect(links[2].sourceKnown == false && coverage.unknownSourceIDs == ["ZS09"])
        #expect(coverage.soilMeasured == 1 && coverage.soilEstimated == 1 && coverage.soilNone == 1)
    }

    @Test func soilValuesAreTheHighestDetected() {
        let samples = [
            SoilSample(id: "a", location: Position(x: 0, y: 0), date: nil, depth: nil, texture: nil, measurements: [Self.cd: .value(0.2)], origin: Self.origin),
            SoilSample(id: "b", location: Position(x: 0, y: 0), date: nil, depth: nil, texture: nil, measurements: [Self.cd: .value(0.5)], origin: Self.origin),
            SoilSample(id: "c", location: Position(x: 0, y: 0), date: nil, depth: nil, texture: nil, measurements: [Self.cd: .belowDetection(limit: 0.9)], origin: Self.origin),
        ]
        #expect(SoilSummary.value(Self.cd, samples: samples) == 0.5)
        #expect(SoilSummary.value(Self.cd, samples: [samples[2]]) == nil)  // a non-detect is not a number
    }

    /// A sample's numbers, kept apart from its measurements for the rules, say what the
    /// measurements say for every parameter of the catalog, first and last included.
    @Test func aSoilSamplesNumbersAreItsDetectedMeasurements() {
        #expect(ParameterCatalog.fitsABitPerParameter)
        let all = ParameterCatalog.all
        var random = LCG(seed: 7)
        for _ in 0..<200 {
            var measurements: Measurements = [all[0]: .value(1.5), all[all.count - 1]: .value(-2)]
            for parameter in all where random.next() < 0.2 {
                switch random.next() {
                case ..<0.5: measurements[parameter] = .value(random.next() * 10)
                case ..<0.7: measurements[parameter] = .belowDetection(limit: 0.01)
                case ..<0.8: measurements[parameter] = .aboveRange(24000)
                case ..<0.9: measurements[parameter] = .value(.nan)
                default: measurements[parameter] = nil
                }
            }
            var sample = SoilSample(id: "s", location: Position(x: 0, y: 0), date: nil, depth: nil, texture: nil, measurements: [:], origin: Self.origin)
            #expect(all.allSatisfy { sample.number($0) == nil })
            sample.measurements = measurements
            for parameter in all {
                let expected = measurements[parameter]?.number.flatMap { $0.isNaN ? nil : $0 }
                #expect(sample.number(parameter) == expected, "\(parameter.id)")
            }
        }
    }

    /// Records read as the records appended, whether they came one by one, as a table's rows
    /// naming ids by place, or joined; parcels that share an id each get its records, and a
    /// record of an id no parcel has goes nowhere.
    @Test func irrigationRecordsKeepWhatWasAppended() {
        let a2024 = IrrigationRecord(parcelID: "A", year: 2024, volume: .cubicMetres(485))
        let a2025 = IrrigationRecord(parcelID: "A", year: 2025, volume: .cubicMetresPerMu(300))
        let b2025 = IrrigationRecord(parcelID: "B", year: 2025, volume: .cubicMetres(97))
        var byPlace = IrrigationRecords(parcelIDs: ["B", "A", "Z"], reservingCapacity: 3)
        byPlace.append(parcel: 1, year: 2024, volume: .cubicMetres(485))
        byPlace.append(parcel: 2, year: 2024, volume: .cubicMetres(1))
        byPlace.append(parcel: 0, year: 2025, volume: .cubicMetres(97))
        var joined: IrrigationRecords = [a2025]
        joined += byPlace
        #expect(Array(joined) == [a2025, a2024, IrrigationRecord(parcelID: "Z", year: 2024, volume: .cubicMetres(1)), b2025])
        #expect(joined.cubicMetresPerHectare(at: 0, areaHectares: 0) == 4500 && joined.cubicMetresPerHectare(at: 3, areaHectares: 0) == nil)
        joined.removeAll { $0.parcelID == "Z" }
        #expect(joined == [a2025, a2024, b2025] && joined != [a2024, a2025, b2025])

        let parcels = [Self.square(112.000, id: "A"), Self.square(112.003, id: "B"), Self.square(112.006, id: "A")]
        let (links, coverage) = Linker.link(parcels: parcels, sourceIDs: nil, soil: [], wells: [], irrigation: joined, options: LinkingOptions())
        for index in [0, 2] { #expect(links[index].irrigationByYear == [2024: 485 / 0.97, 2025: 4500]) }
        #expect(links[1].irrigationByYear == [2025: 97 / 0.97] && coverage.withIrrigationRecords == 3)
    }
}

struct LCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}
