import Foundation
import RunSupport
import GeoKit
import IrrigationModel
import PlanarGeometry

/// Generates the demo project (DESIGN.md §6) and the benchmark projects (`irrizone synth`):
/// a coverage of quadrilateral parcels near Xinzhou (Shanxi) in CGCS2000 / 3-degree GK CM 114E
/// (EPSG:4547), written as a GBK shapefile with 三调-style fields, plus the monitoring files the
/// later stages read. Deterministic: the same seed and size give the same files, byte for byte.
///
/// The story it tells is written down in SampleData/README.md; the numbers below are that story.
public struct SampleProject {
    public var parcelCount: Int
    public var seed: UInt64
    /// Reclaimed-water plants: the story's three (ZS01–ZS03), plus ordinary compliant plants up to
    /// this number for benchmarks (issue #7 asks for 20). Parcels are served in west–east bands.
    public var sourceCount: Int

    public static let storySourceCount = 3

    /// The parcel layer's format: a GBK shapefile as 三调 exports come, or a GeoPackage for a
    /// province (a shapefile's parts stop at 2 GB: about 5 million parcels here).
    public enum ParcelFormat: String, Sendable, CaseIterable { case shapefile = "shp", geopackage = "gpkg" }
    public var parcelFormat = ParcelFormat.shapefile

    public init(parcelCount: Int = 3000, seed: UInt64 = 20_241_015, sourceCount: Int = SampleProject.storySourceCount) {
        self.parcelCount = parcelCount
        self.seed = seed
        self.sourceCount = max(sourceCount, Self.storySourceCount)
    }

    /// The CRS of the parcel layer.
    public static let epsg = 4547
    /// South-west corner of the parcel grid (lon, lat): the plain south-west of Xinzhou city.
    static let origin = (lon: 112.66, lat: 38.38)
    static let cellWidth = 110.0, cellHeight = 90.0

    /// Crop mix of the sample (weights sum to 1000): grain dominates the Xinzhou basin; forage and
    /// vegetables follow the city's reclaimed-water policy story. "" means the crop field is blank
    /// (the land-use code decides); 试验田 is a name no catalog knows.
    static let cropMix: [(crop: String, landUse: String, weight: Int)] = [
        ("玉米", "0102", 330), ("谷子", "0103", 90), ("高粱", "0103", 50), ("马铃薯", "0102", 50),
        ("小麦", "0102", 50), ("大豆", "0103", 30), ("苜蓿", "0102", 80), ("青贮玉米", "0102", 80),
        ("向日葵", "0103", 40), ("甜菜", "0102", 20), ("番茄", "0102", 20), ("白菜", "0102", 15),
        ("辣椒", "0102", 10), ("苹果", "0201", 30), ("梨", "0201", 15), ("杨树", "0301", 30),
        ("", "0102", 15), ("", "0404", 15), ("试验田", "0102", 10),
    ]

    /// Today's irrigation method (灌溉方式, field GGFS) by crop, with a few sprinkled vegetables,
    /// fruit on micro-sprinklers and sprinkled forage: the sample's water is too salty for
    /// overhead methods (FAO 29), so these must move to drip (issue #27).
    static func irrigationMethod(crop: String, index: Int) -> String? {
        switch crop {
        case "番茄", "白菜", "辣椒": index % 5 == 0 ? "喷灌" : "沟灌"
        case "苹果", "梨": index % 4 == 0 ? "微喷" : "滴灌"
        case "苜蓿", "青贮玉米": index % 9 == 0 ? "喷灌" : "管灌"
        case "杨树": "漫灌"
        case "": nil
        default: "畦灌"
        }
    }

    static let landUseNames = ["0101": "水田", "0102": "水浇地", "0103": "旱地", "0201": "果园", "0301": "乔木林地", "0404": "其他草地"]

    /// Towns (乡镇) of 忻府区 in bands from west to east, with their 9-digit codes.
    static let towns: [(name: String, code: String)] = [
        ("奇村镇", "140902101"), ("播明镇", "140902102"), ("豆罗镇", "140902103"), ("庄磨镇", "140902104"),
    ]

    public struct Summary: Sendable {
        public var files: [String]
        public var parcels: Int
    }

    /// Writes the project into `directory` (created if needed).
    public func write(to directory: String) throws -> Summary {
        GDALEnvironment.initialize()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let grid = try ParcelGrid(parcelCount: parcelCount, seed: seed, sourceCount: sourceCount)
        var files: [String] = []
        files += try writeParcels(grid, to: directory)
        var monitoring = try SampleMonitoring(grid: grid, seed: seed)
        func save(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
            files.append(name)
        }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        try save("sources.csv", bom + Array(monitoring.sourcesCSV().utf8))
        // Excel on Chinese Windows saves "CSV" as GBK without a BOM.
        try save("water_samples.csv", TextRecoding.encode(monitoring.waterSamplesCSV(), to: "CP936"))
        try save("soil_samples.csv", bom + Array(monitoring.soilSamplesCSV().utf8))
        try save("wells.csv", Array(monitoring.wellsCSV().utf8))
        try save("irrigation.csv", Array(monitoring.irrigationCSV().utf8))
        try save("produce_samples.csv", bom + Array(monitoring.produceSamplesCSV().utf8))
        try save("protection_zone.geojson", Array(monitoring.protectionZoneGeoJSON().utf8))
        return Summary(files: files, parcels: grid.parcelCount)
    }

    // MARK: - Parcels

    private func writeParcels(_ grid: ParcelGrid, to directory: String) throws -> [String] {
        let geopackage = parcelFormat == .geopackage
        let path = (directory as NSString).appendingPathComponent(geopackage ? "parcels.gpkg" : "parcels.shp")
        for ext in ["shp", "shx", "dbf", "prj", "cpg", "gpkg"] {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent("parcels.\(ext)"))
        }
        let dataset = try Dataset.create(driver: geopackage ? "GPKG" : "ESRI Shapefile", path: path)
        let srs = try SpatialReference(epsg: Self.epsg)
        let layer = try dataset.createLayer(named: "parcels", srs: srs, geometryType: .polygon, options: geopackage
            ? ["GEOMETRY_NAME=geom", "FID=fid"]
            : ["ENCODING=CP936",                    // GBK text and a .cpg that says so
               "DBF_DATE_LAST_UPDATE=2025-01-01"])  // fixed header date: byte-identical reruns
        let fields: [FieldDefinition] = [
            .init(name: "BSM", type: .integer, width: 10),
            // 19 characters as in the land survey, up to 9 999 999 parcels; a larger synthetic
            // layer numbers its parcels with more digits, and the field says so.
            .init(name: "DKBM", type: .string, width: max(19, grid.parcels.lazy.map(\.code.utf8.count).max() ?? 19)),
            .init(name: "DLBM", type: .string, width: 4),
            .init(name: "DLMC", type: .string, width: 20),
            .init(name: "ZZZW", type: .string, width: 20),
            .init(name: "TRPH", type: .real, width: 5, precision: 2),
            .init(name: "SYDM", type: .string, width: 8),
            .init(name: "XZQDM", type: .string, width: 9),
            .init(name: "XZQMC", type: .string, width: 20),
            .init(name: "ZLDWMC", type: .string, width: 40),
            .init(name: "GGFS", type: .string, width: 10),
        ]
        for field in fields { try layer.createField(field) }

        // A GeoPackage's rows in transactions of 100 000 (SQLite commits each row alone otherwise).
        if geopackage { try dataset.beginTransaction() }
        for parcel in grid.parcels {
            if geopackage, parcel.index > 0, parcel.index % 100_000 == 0 { try dataset.commitTransaction(); try dataset.beginTransaction() }
            let feature = layer.makeFeature()
            feature.set(.integer(Int64(parcel.index + 1)), at: 0)
            feature.set(.string(parcel.code), at: 1)
            feature.set(.string(parcel.landUse), at: 2)
            feature.set(.string(Self.landUseNames[parcel.landUse] ?? ""), at: 3)
            feature.set(parcel.crop.isEmpty ? .null : .string(parcel.crop), at: 4)
            feature.set(.real(parcel.soilPH), at: 5)
            feature.set(.string(parcel.sourceID), at: 6)
            feature.set(.string(parcel.town.code), at: 7)
            feature.set(.string(parcel.town.name), at: 8)
            feature.set(.string(parcel.village), at: 9)
            feature.set(Self.irrigationMethod(crop: parcel.crop, index: parcel.index).map(FieldValue.string) ?? .null, at: 10)
            if let wkt = parcel.wkt { try feature.setGeometry(try Geometry(wkt: wkt)) }
            try layer.create(feature)
        }
        if geopackage { try dataset.commitTransaction() }
        try dataset.close()
        return geopackage ? ["parcels.gpkg"] : ["parcels.shp", "parcels.shx", "parcels.dbf", "parcels.prj", "parcels.cpg"]
    }
}

/// The parcel coverage: a grid of shared, jittered vertices, so neighbouring parcels share
/// edges exactly (a land-survey coverage), with a few deliberate defects.
struct ParcelGrid {
    struct Parcel {
        var index: Int
        var column: Int, row: Int
        var code: String
        var crop: String
        var landUse: String
        var soilPH: Double
        var sourceID: String
        var town: (name: String, code: String)
        var village: String
        /// Corners in EPSG:4547 metres, closed; nil for the deliberately geometry-less record.
        var ring: [Position]?
        var wkt: String? {
            guard let ring else { return nil }
            return "POLYGON((" + ring.map { "\($0.x) \($0.y)" }.joined(separator: ",") + "))"
        }
        var centre: Position? {
            guard let ring else { return nil }
            let corners = ring.dropLast()
            return Position(x: corners.map(\.x).reduce(0, +) / Double(corners.count),
                            y: corners.map(\.y).reduce(0, +) / Double(corners.count))
        }
    }

    let columns: Int, rows: Int
    let sourceCount: Int
    let originX: Double, originY: Double
    var parcels: [Parcel] = []
    var parcelCount: Int { parcels.count }

    /// Parcel indices given deliberate defects (documented in SampleData/README.md).
    static func bowTieIndices(count: Int) -> Set<Int> { [count / 7, count / 3, (count * 5) / 6] }
    static func missingGeometryIndex(count: Int) -> Int { count / 2 + 1 }

    init(parcelCount: Int, seed: UInt64, sourceCount: Int = SampleProject.storySourceCount) throws {
        self.sourceCount = sourceCount
        // Roughly 4:3 landscape grid.
        columns = max(1, Int((Double(parcelCount) * 4 / 3).squareRoot().rounded()))
        rows = max(1, Int((Double(parcelCount) / Double(columns)).rounded(.up)))
        let toGK = try CoordinateTransformation(from: try SpatialReference.wgs84(), to: try SpatialReference(epsg: SampleProject.epsg))
        guard let origin = toGK.transform(x: SampleProject.origin.lon, y: SampleProject.origin.lat) else {
            throw GDALError(code: 0, message: "cannot place the sample origin", function: "OCTTransform")
        }
        // Round the origin to a metre so coordinates are short and reproducible.
        originX = origin.x.rounded()
        originY = origin.y.rounded()

        var random = SplitMix64(seed: seed)
        // Shared vertex grid with jitter of up to ±18 % of a cell on interior vertices.
        var vertices = [[Position]](repeating: [], count: rows + 1)
        for r in 0...rows {
            for c in 0...columns {
                var x = originX + Double(c) * SampleProject.cellWidth
                var y = originY + Double(r) * SampleProject.cellHeight
                if r > 0, r < rows, c > 0, c < columns {
                    x += random.uniform(-0.18, 0.18) * SampleProject.cellWidth
                    y += random.uniform(-0.18, 0.18) * SampleProject.cellHeight
                }
                vertices[r].append(Position(x: (x * 100).rounded() / 100, y: (y * 100).rounded() / 100))
            }
        }

        // Crops are assigned per block of 3 × 2 parcels, as farmers' fields cluster.
        let totalWeight = SampleProject.cropMix.reduce(0) { $0 + $1.weight }
        var blockCrop: [Int: (String, String)] = [:]
        let bowTies = Self.bowTieIndices(count: parcelCount)
        let missing = Self.missingGeometryIndex(count: parcelCount)
        for index in 0..<parcelCount {
            let row = index / columns, column = index % columns
            let block = (row / 2) * 100_000 + column / 3
            if blockCrop[block] == nil {
                var pick = random.int(below: totalWeight)
                var chosen = SampleProject.cropMix[0]
                for entry in SampleProject.cropMix {
                    if pick < entry.weight { chosen = entry; break }
                    pick -= entry.weight
                }
                blockCrop[block] = (chosen.crop, chosen.landUse)
            }
            let (crop, landUse) = blockCrop[block]!
            let townIndex = min(SampleProject.towns.count - 1, column * SampleProject.towns.count / columns)
            let town = SampleProject.towns[townIndex]
            let villageNumber = row * 4 / max(rows, 1) + 1
            // The plants serve west-to-east bands of the plain (the story: three thirds).
            let sourceID = SampleMonitoring.sourceID(min(sourceCount, column * sourceCount / columns + 1))
            var ring: [Position]? = [
                vertices[row][column], vertices[row][column + 1], vertices[row + 1][column + 1], vertices[row + 1][column],
                vertices[row][column],
            ]
            if bowTies.contains(index) { ring!.swapAt(1, 2) }  // a self-intersecting "bow-tie"
            if index == missing { ring = nil }
            parcels.append(Parcel(
                index: index, column: column, row: row,
                code: town.code + String(format: "%03d%07d", villageNumber, index + 1),
                crop: crop, landUse: landUse,
                soilPH: (random.uniform(7.6, 8.5) * 100).rounded() / 100,
                sourceID: sourceID, town: town, village: "\(town.name)第\(villageNumber)村", ring: ring))
        }
    }
}
