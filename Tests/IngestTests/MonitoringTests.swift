import Foundation
import RunSupport
import TestSupport
import Testing
import GeoKit
import IrrigationModel
@testable import Ingest
import PlanarGeometry

@Suite struct MonitoringTests {
    /// Cells trimmed at the byte level read as `trimmingWhitespace()` reads them, for cells
    /// with ASCII, ideographic and no-break spaces, line breaks and marks that join a space into
    /// one Character at either end; and a row's location is spelled as before.
    @Test func trimmedCellsAndLocationsReadAsTheStringRulesGiveThem() {
        let pieces = [" ", "\t", "\r\n", "\u{3000}", "\u{A0}", "\u{301}", "a", "7", "水", "\"", "", "\u{85}", "x y"]
        var texts: [String] = [""]
        for a in pieces { for b in pieces { for c in pieces { texts.append(a + b + c) } } }
        var table = Table(file: "t.csv", header: ["v"], rows: [], unitsRow: nil, encoding: "UTF-8", delimiter: ",")
        for (index, text) in texts.enumerated() { table.appendRow([text], number: index - 3) }
        for (row, text) in zip(table.rows, texts) {
            #expect(table.trimmedCell(row, 0) == text.trimmingWhitespace(), "\(Array(text.unicodeScalars))")
            #expect(table.trimmedCell(row, 1) == "")
            #expect(table.location(of: row) == "row " + String(row.number))
        }
    }

    @Test func gbkCSVWithChineseHeadersIsDetected() throws {
        let csv = "样品编号,水源编码,采样日期,总镉(μg/L),氯化物(mg/L),总汞(mg/L)\r\nW1,ZS01,2025/7/5,18,210.5,未检出\r\n"
        let path = try MonitoringFixtures.write(csv, "water_gbk.csv", encoding: "CP936")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: path)]))
        #expect(data.reports[0].encoding == "GBK/GB18030 (detected)")
        let sample = try #require(data.waterSamples.first)
        #expect(sample.id == "W1" && sample.sourceID == "ZS01" && sample.date.description == "2025-07-05")
        #expect(sample.measurements[MonitoringFixtures.cd] == .value(0.018))
        #expect(sample.measurements[MonitoringFixtures.chloride] == .value(210.5))
        #expect(sample.measurements[ParameterCatalog.parameter(id: "hg")!] == .belowDetection(limit: nil))
        #expect(data.reports[0].nonDetectsWithoutLimit == 1)
        #expect(data.reports[0].unitConversions == ["µg/L → mg/L (cd)"])
    }

    @Test func xlsxThroughGDALGivesTheSameSamples() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/water.xlsx"
        let dataset = try Dataset.create(driver: "XLSX", path: path)
        let layer = try dataset.createLayer(named: "Sheet1", srs: nil, geometryType: .none)
        for name in ["sample_id", "source_id", "date", "Cd (µg/L)", "氯化物(mg/L)"] { try layer.createField(FieldDefinition(name: name, type: .string)) }
        for (id, cd, cl) in [("W1", "18", "210.5"), ("W2", "<1", "198")] {
            let feature = layer.makeFeature()
            for (index, value) in [id, "ZS01", "2025-07-05", cd, cl].enumerated() { feature.set(.string(value), at: index) }
            try layer.create(feature)
        }
        try dataset.close()
        let data = try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: path)]))
        #expect(data.waterSamples.map(\.id) == ["W1", "W2"])
        #expect(data.waterSamples[0].measurements[MonitoringFixtures.cd] == .value(0.018))
        #expect(data.waterSamples[1].measurements[MonitoringFixtures.cd] == .belowDetection(limit: 0.001))
        #expect(data.waterSamples[1].origin.location == "sheet Sheet1 row 3")
    }

    @Test func longAndWideTablesGiveTheSameMeasurements() throws {
        let wide = try MonitoringFixtures.write("well_id,x,y,date,depth_to_water_m,氯化物(mg/L),Cd (ug/L)\nGW1,386000,4253000,2024-05-15,2.4,120.5,<0.5\nGW1,386000,4253000,2024-08-15,2.6,131,0.8\n", "wide.csv")
        let long = try MonitoringFixtures.write("""
        well_id,x,y,date,depth_to_water_m,parameter,value,unit
        GW1,386000,4253000,2024-05-15,2.4,氯化物,120.5,mg/L
        GW1,386000,4253000,2024-05-15,2.4,Cd,<0.5,ug/L
        GW1,386000,4253000,2024-08-15,2.6,chloride,131,mg/L
        GW1,386000,4253000,2024-08-15,2.6,镉,0.8,µg/L
        GW1,386000,4253000,2024-08-15,2.6,镉,0.8,µg/L

        """, "long.csv")
        let a = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: wide)]))
        let b = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: long)]))
        #expect(a.wellReadings.count == 2)
        #expect(a.wellReadings.map(\.measurements) == b.wellReadings.map(\.measurements))
        #expect(a.wellReadings.map(\.date) == b.wellReadings.map(\.date))
        #expect(a.wellReadings.map(\.depthToWaterMetres) == [2.4, 2.6])
        #expect(b.reports[0].duplicateRowsMerged == 1)  // the repeated last row
        #expect(a.wellReadings[0].measurements[MonitoringFixtures.cd] == .belowDetection(limit: 0.0005))
        let location = a.wellReadings[0].location
        #expect(abs(location.x - 112.69) < 0.05 && abs(location.y - 38.42) < 0.05)
        MonitoringFixtures.expectBalanced(a); MonitoringFixtures.expectBalanced(b)
    }

    @Test func everyRejectionReasonNamesRowAndColumn() throws {
        let csv = """
        sample_id,source_id,date,pH,Cd (mg/L),氯化物(mg/L),Zn (furlongs)
        W1,ZS01,2025-01-05,7.5,0.002,200,1
        ,ZS01,2025-01-06,7.5,0.002,200,1
        W3,ZS01,2025-13-01,7.5,0.002,200,1
        W4,ZS01,2025-01-07,7.5,abc,200,1
        W5,ZS01,2025-01-08,7.5,-0.002,200,1
        W6,ZS01,2025-01-09,15,0.002,200,1
        W7,ZS01,2027-01-01,7.5,0.002,200,1
        W1,ZS01,2025-01-05,7.5,0.003,200,1
        W1,ZS01,2025-01-05,7.5,0.002,200,1
        W9,ZS99,2025-01-05,7.5,0.002,200,1
        W10,ZS01,2025-01-05,,,,

        """
        let sources = try MonitoringFixtures.write("source_id,name,industrial_inflow,uses\nZS01,A,无,农田灌溉;城市绿化\nZS02,B,化工,农田灌溉\nZS03,C,cosmic rays,农田灌溉\n", "sources.csv")
        let path = try MonitoringFixtures.write(csv, "water.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(sources: TableInputOptions(path: sources), water: [TableInputOptions(path: path)]))
        let byLocation = Dictionary(grouping: data.rejects.filter { $0.file == path }, by: \.location)
        #expect(byLocation["row 3"]?.first?.code.rawValue == "MISSING_ID")
        #expect(byLocation["row 4"]?.first?.code.rawValue == "BAD_DATE" && byLocation["row 4"]?.first?.field == "date")
        #expect(byLocation["row 5"]?.first?.code.rawValue == "BAD_NUMBER" && byLocation["row 5"]?.first?.field == "Cd (mg/L)")
        #expect(byLocation["row 6"]?.first?.code.rawValue == "NEGATIVE_VALUE")
        #expect(byLocation["row 7"]?.first?.code.rawValue == "PH_OUT_OF_RANGE" && byLocation["row 7"]?.first?.field == "pH")
        #expect(byLocation["row 8"]?.first?.code.rawValue == "FUTURE_DATE")
        #expect(byLocation["row 9"]?.first?.code.rawValue == "DUPLICATE_CONFLICT")
        #expect(byLocation["row 11"]?.first?.code.rawValue == "UNKNOWN_SOURCE")
        #expect(byLocation["row 12"]?.first?.code.rawValue == "NO_MEASUREMENTS")
        #expect(data.rejects.contains { $0.code.rawValue == "UNIT_UNKNOWN" && $0.field == "Zn (furlongs)" && $0.location.hasPrefix("all rows") })
        #expect(data.rejects.contains { $0.file == sources && $0.code.rawValue == "BAD_VALUE" && $0.reason.contains("cosmic rays") })
        let report = try #require(data.reports.first { $0.file == path })
        #expect(report.duplicateRowsMerged == 1)  // row 10 repeats row 2 exactly
        // Value-level rejects keep the row: W4 and W5 still load with their chloride.
        #expect(Set(data.waterSamples.map(\.id)) == ["W1", "W4", "W5", "W6"])
        #expect(data.sources.first { $0.id == "ZS02" }?.hasProhibitedInflow == true)
        #expect(data.sources.first { $0.id == "ZS01" }?.uses == [.farmland, .greenSpace])
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func pointsFarOutsideTheParcelsAreRejectedWithTheDistance() throws {
        let path = try MonitoringFixtures.write("sample_id,lon,lat,Cd_mg_kg\nS1,112.70,38.42,0.2\nS2,113.70,38.42,0.2\n", "soil.csv")
        let extent = BoundingBox(minX: 112.66, minY: 38.38, maxX: 112.74, maxY: 38.42)
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [TableInputOptions(path: path)]), context: try MonitoringFixtures.context(extent: extent))
        #expect(data.soilSamples.map(\.id) == ["S1"])
        let reject = try #require(data.rejects.first)
        #expect(reject.code.rawValue == "LOCATION_OUTSIDE_EXTENT" && reject.location == "row 3" && reject.reason.contains(" m outside"))
    }

    /// In a whole run the irrigation table is read while the parcels still are: its rows wait
    /// for the parcel ids, then get the verdicts, rejects and counts they would have had with
    /// the ids known from the start, in row order among the rejects made while reading.
    @Test func irrigationRowsWaitForParcelIDsCountedLater() throws {
        let path = try MonitoringFixtures.write("parcel_id,year,volume_m3,date\nP9,2024,100,\nP1,2024,abc,\nP1,,3000,2024-13-45\nP1,2024,3000,\nP9,1800,100,\n"
                                  + "P1,2024,3100,\nP9,2024,200,\nP1,2024,3000,\n", "irrigation.csv")
        let options = MonitoringOptions(irrigation: [TableInputOptions(path: path)])
        let expected = [("row 2", "UNKNOWN_PARCEL"), ("row 3", "BAD_NUMBER"), ("row 4", "BAD_DATE"), ("row 6", "UNKNOWN_PARCEL"),
                        ("row 7", "DUPLICATE_CONFLICT"), ("row 8", "UNKNOWN_PARCEL")]
        let known = try MonitoringFixtures.ingest(options, parcelIDs: ["P1"])
        #expect(known.rejects.map { [$0.location, $0.code.rawValue] } == expected.map { [$0.0, $0.1] })
        #expect(known.irrigation.map(\.parcelID) == ["P1"] && known.reports[0].duplicateRowsMerged == 1)
        // A conflict names the row it conflicts with: the first of its parcel and year.
        #expect(known.rejects[4].reason == "parcel P1 has another volume for 2024 at row 5")
        #expect(MemoryLayout<PendingIrrigation.Row>.stride == 32)  // a county's table has millions
        MonitoringFixtures.expectBalanced(known)

        let ids = PendingParcelIDs()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { ids.fulfil(["P1"]) }
        let later = try MonitoringIngest(options: options, context: try MonitoringFixtures.context(), parcelIDs: ids).read()
        #expect(later.rejects == known.rejects && later.irrigation == known.irrigation && later.reports == known.reports)

        let failed = PendingParcelIDs()
        failed.fulfil(nil)  // the parcels could not be read: the tables stop instead of waiting
        #expect(throws: CancellationError.self) { try MonitoringIngest(options: options, context: try MonitoringFixtures.context(), parcelIDs: failed).read() }
    }

    @Test func irrigationRecordsForUnknownParcelsAreRejected() throws {
        let path = try MonitoringFixtures.write("parcel_id,year,volume_m3\nP1,2024,3000\nP2,2024,2800\nP1,2025,abc\nP1,2024,3000\n", "irrigation.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(irrigation: [TableInputOptions(path: path)]), parcelIDs: ["P1"])
        #expect(data.irrigation.count == 1)
        #expect(data.rejects.map(\.code.rawValue) == ["UNKNOWN_PARCEL", "BAD_NUMBER"])
        #expect(data.reports[0].duplicateRowsMerged == 1)
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func anUnreadableFileStopsTheRun() throws {
        #expect(throws: TableError.self) { try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: "/nonexistent/water.csv")])) }
        let binary = try MonitoringFixtures.write("", "latin.csv")
        try Data([0x73, 0x61, 0x6D, 0x70, 0x6C, 0x65, 0x0A, 0xFF, 0xFE, 0x80, 0x0A]).write(to: URL(fileURLWithPath: binary))
        #expect(throws: TableError.self) { try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: binary)])) }
    }

    // MARK: - Real tables (../shared/realdata)

    /// Kwale County groundwater: UTM 37S coordinates, units only in a data dictionary (trace
    /// metals µg/L, ions mg/L, conductivity µS/cm), DL-substituted values and a few negatives.
    @Test func kwaleGroundwaterLoadsWithAMapping() throws {
        // "localization" names a site, which holds several boreholes: wells are told apart by
        // their coordinates.
        let file = TableInputOptions(path: realData + "/kwale_groundwater/water_samples.csv", crs: "EPSG:32737",
                                     units: ["ec": "uS/cm", "chloride": "mg/L", "sulfate": "mg/L", "no3": "mg/L", "f": "mg/L",
                                             "na": "mg/L", "ca": "mg/L", "mg": "mg/L", "b": "ug/L", "cr": "ug/L", "ni": "ug/L", "cu": "ug/L",
                                             "zn": "ug/L", "as": "ug/L", "se": "ug/L", "cd": "ug/L", "pb": "ug/L",
                                             // data/dictionary.csv: Fe and Al in mg/L, the other trace elements in ppb.
                                             "fe": "mg/L", "al": "mg/L", "do": "mg/L", "be": "ppb", "v": "ppb", "mn": "ppb", "co": "ppb", "mo": "ppb"])
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [file]))
        let report = data.reports[0]
        #expect(report.rowsRead == 157)
        // Four rows have no date ("NA") and cannot enter a time series.
        #expect(report.rowsRejected == 4)
        #expect(data.rejects.filter { $0.code.rawValue == "MISSING_DATE" }.count == 4)
        #expect(data.wellReadings.count + report.duplicateRowsMerged == 153)
        // "Y" is yttrium here, not a coordinate: utm_y keeps the role.
        #expect(report.notes.contains { $0.contains("\"Y\"") })
        #expect(report.unitConversions.contains("µg/L → mg/L (cd)"))
        #expect(data.rejects.allSatisfy { $0.code.rawValue == "NEGATIVE_VALUE" || $0.code.rawValue == "MISSING_DATE" })  // values dropped, rows kept
        #expect(Set(data.wellReadings.map(\.wellID)).count > 30)
        let location = try #require(data.wellReadings.first?.location)
        #expect(abs(location.x - 39.44) < 0.5 && abs(location.y + 4.3) < 0.5)  // Kwale, Kenya
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func kwaleWithStrictUnitsFailsClearly() throws {
        var file = TableInputOptions(path: realData + "/kwale_groundwater/water_samples.csv", crs: "EPSG:32737")
        file.unitPolicy = .strict
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [file]))
        let missing = data.rejects.filter { $0.code.rawValue == "UNIT_MISSING" }
        #expect(missing.contains { $0.field == "Cd" && $0.reason.contains("units:") })
    }

    /// British Columbia: a units row under the header, N/A, scientific notation, _diss/_tot.
    @Test func britishColumbiaLabExportLoadsAsWells() throws {
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: realData + "/bc_groundwater_aquachem/aquachem_2019-05-31.csv")]),
                                   context: try MonitoringFixtures.context(crs: nil))
        #expect(data.wellReadings.count == 8)
        #expect(data.reports[0].unitConversions.contains("µS/cm → dS/m (ec)"))
        #expect(data.wellReadings.allSatisfy { $0.measurements[MonitoringFixtures.chloride] != nil })
        #expect(data.reports[0].unrecognisedColumns.contains("Cd_diss"))  // dissolved ≠ total: not used
        #expect(data.wellReadings.contains { $0.measurements[MonitoringFixtures.cd] != nil })  // Cd_tot is
        MonitoringFixtures.expectBalanced(data)
    }

    /// Meuse: RD New coordinates, metals in ppm (mg/kg), no sample id column.
    @Test func meuseSoilLoadsWithAMapping() throws {
        let file = TableInputOptions(path: realData + "/meuse_soil_metals/meuse.csv", crs: "EPSG:28992",
                                     columns: ["cadmium": "cd:ppm", "copper": "cu:ppm", "lead": "pb:ppm", "zinc": "zn:ppm"])
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [file]))
        #expect(data.soilSamples.count == 155)
        #expect(data.soilSamples[0].id == "meuse.csv:row 2")
        #expect(data.soilSamples[0].measurements[MonitoringFixtures.cd] == .value(11.7))
        #expect(abs(data.soilSamples[0].location.x - 5.76) < 0.05 && abs(data.soilSamples[0].location.y - 50.99) < 0.05)
        #expect(data.reports[0].notes.contains { $0.contains("named by their row") })
    }



}

@Suite struct PointInPolygonTests {
    /// Our even-odd test against GEOS (through OGR) on real parcels with holes.
    @Test func agreesWithGEOS() throws {
        GDALEnvironment.initialize()
        let reading = try ParcelReader(options: .init(path: realData + "/fiboa_lpis_samples/bg/Arable_Land_2024.shp")).read()
        var random = SplitMix64(seed: 3)
        var checked = 0
        for parcel in reading.parcels.prefix(40) {
            let geometry = try Geometry(wkb: WKB.encode(parcel.geometry))
            let bounds = try #require(parcel.geometry.bounds)
            for _ in 0..<50 {
                let p = Position(x: random.uniform(bounds.minX, bounds.maxX), y: random.uniform(bounds.minY, bounds.maxY))
                let geos = try Geometry(wkt: "POINT(\(p.x) \(p.y))")
                #expect(parcel.geometry.contains(p) == geometry.intersects(geos))
                checked += 1
            }
        }
        #expect(checked == 2000)
    }
}

@Suite struct ServiceAreaAndLayerTests {

    @Test func soilSamplesFromAPointLayer() throws {
        let path = try temporaryDirectory() + "/soil.geojson"
        let dataset = try Dataset.create(driver: "GeoJSON", path: path)
        let layer = try dataset.createLayer(named: "soil", srs: try SpatialReference.wgs84(), geometryType: .point)
        try layer.createField(FieldDefinition(name: "sample_id", type: .string))
        try layer.createField(FieldDefinition(name: "Cd_mg_kg", type: .real))
        let feature = layer.makeFeature()
        feature.set(.string("S1"), at: 0)
        feature.set(.real(0.45), at: 1)
        try feature.setGeometry(try Geometry(wkt: "POINT(112.7 38.41)"))
        try layer.create(feature)
        try dataset.close()
        let data = try MonitoringIngest(options: MonitoringOptions(soil: [TableInputOptions(path: path)]),
                                        context: try MonitoringFixtures.context(), parcelIDs: []).read()
        let sample = try #require(data.soilSamples.first)
        #expect(sample.id == "S1" && sample.measurements[MonitoringFixtures.cd] == .value(0.45))
        #expect(abs(sample.location.x - 112.7) < 1e-9 && abs(sample.location.y - 38.41) < 1e-9)
        #expect(sample.origin.location.hasPrefix("feature"))
    }
}

@Suite struct CSVParserTests {
    @Test func quotesNewlinesAndLineNumbers() throws {
        let text = "id,name,note\r\n1,\"a, b\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",x\n3,c,\n"
        let table = try TableReader.parseCSV(Array(text.utf8), file: "t.csv", encoding: nil)
        #expect(table.header == ["id", "name", "note"])
        #expect(table.rows.map(table.cells(of:)) == [["1", "a, b", "say \"hi\""], ["2", "two\nlines", "x"], ["3", "c", ""]])
        #expect(table.rows.map(table.location(of:)) == ["row 2", "row 3", "row 5"])  // row 3 spans two lines
    }

    @Test func semicolonsAndTabsAreDetected() throws {
        for text in ["a;b\n1;2\n", "a\tb\n1\t2\n"] {
            let table = try TableReader.parseCSV(Array(text.utf8), file: "t", encoding: nil)
            #expect(table.header == ["a", "b"] && table.rows.map(table.cells(of:)) == [["1", "2"]])
        }
    }

    /// Blank records (whitespace only, ideographic space included) before the header and
    /// between rows are skipped; a last record without a newline is kept; quoted cells keep
    /// their spaces; the units row under the header is recognised.
    @Test func blankRecordsHeaderAndLastLine() throws {
        let text = "\n  ,\t\n id , value\n1,\" 2 \"\n\u{3000},\n\n3,4"
        let table = try TableReader.parseCSV(Array(text.utf8), file: "t", encoding: nil)
        #expect(table.header == ["id", "value"])
        #expect(table.rows.map(table.cells(of:)) == [["1", " 2 "], ["3", "4"]])
        #expect(table.rows.map(table.location(of:)) == ["row 4", "row 7"])
        let units = try TableReader.parseCSV(Array("site,cd,pb,zn\n,mg/kg,mg/kg,mg/kg\nA,0.1,20,50\n".utf8), file: "t", encoding: nil)
        #expect(units.unitsRow == ["", "mg/kg", "mg/kg", "mg/kg"] && units.rows.map(units.cells(of:)) == [["A", "0.1", "20", "50"]])
    }

    /// The parser reads runs of plain bytes at a time; on random texts of quotes, delimiters,
    /// CR, LF, blanks and non-ASCII text it gives the records, line numbers and header that
    /// reading a byte at a time gives (`Reference`).
    @Test func runsReadAsBytesOneByOne() throws {
        let pieces = ["a", "bc", "1.5", ",", ",", ";", "\"", "\"\"", "\n", "\r\n", "\r", " ", "\t", "\u{3000}", "水源", "ND"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = Reference.read(Array(text.utf8))
            let table: Table
            do { table = try TableReader.parseCSV(Array(text.utf8), file: "t", encoding: nil) } catch {
                #expect(expected == nil, "\(text.debugDescription): \(error)")
                continue
            }
            let rows = table.rows.map { (table.cells(of: $0), $0.number) }
            // (A first row of units is the table's units row, not a row.)
            let expectedRows = (expected?.rows ?? []).dropFirst(table.unitsRow == nil ? 0 : 1)
            #expect(expected?.header == table.header && expectedRows.map(\.cells) == rows.map(\.0) && expectedRows.map(\.line) == rows.map(\.1),
                    "\(text.debugDescription)")
        }
    }

    /// RFC 4180 read a byte at a time, as the parser did before it read runs; a quote opens a
    /// field only at its start, and one never closed refuses the text.
    enum Reference {
        static func read(_ bytes: [UInt8]) -> (header: [String], rows: [(cells: [String], line: Int)])? {
            let delimiter = TableReader.detectDelimiter(bytes[...]).asciiValue!
            var header: [String]? = nil, rows: [(cells: [String], line: Int)] = []
            var record: [String] = [], field: [UInt8] = [], hasText = false, inQuotes = false
            var line = 1, recordLine = 1, index = 0
            func endField() {
                let text = String(decoding: field, as: UTF8.self)
                if !text.trimmingWhitespace().isEmpty { hasText = true }
                record.append(text)
                field = []
            }
            func endRecord() {
                if hasText { if header == nil { header = record.map { $0.trimmingWhitespace() } } else { rows.append((record, recordLine)) } }
                record = []
                hasText = false
            }
            while index < bytes.count {
                let byte = bytes[index]
                if inQuotes {
                    if byte == 0x22 {
                        if index + 1 < bytes.count, bytes[index + 1] == 0x22 { field.append(0x22); index += 2; continue }
                        inQuotes = false
                    } else {
                        if byte == 0x0A { line += 1 }
                        field.append(byte)
                    }
                } else if byte == 0x22 {
                    // Opens a quoted field at the field's start (after blanks); else a character.
                    if field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { inQuotes = true } else { field.append(byte) }
                } else if byte == delimiter {
                    endField()
                } else if byte == 0x0A || byte == 0x0D {
                    if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    endField()
                    endRecord()
                    line += 1
                    recordLine = line
                } else {
                    field.append(byte)
                }
                index += 1
            }
            if inQuotes { return nil }  // a quote never closed: the file is refused (issue #23)
            if !field.isEmpty || !record.isEmpty { endField(); endRecord() }
            return header.map { ($0, rows) }
        }
    }
}
