import Foundation
import GeoKit

/// The repository's root folder.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// `../shared/realdata` relative to the repository root (CI has it there too).
public let realData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata").path

/// A new scratch directory, removed with the others when the test process exits.
public func temporaryDirectory(_ name: String = #function) throws -> String {
    try TestScratch.directory(name)
}

/// Reads a GeoJSON (or any vector file) back through GDAL: one dictionary of properties per
/// feature plus its geometry as WKT.
public func readBack(_ path: String) throws -> [(properties: [String: FieldValue], geometry: Geometry?)] {
    GDALEnvironment.initialize()
    let dataset = try Dataset.open(path)
    guard let layer = dataset.layer(at: 0) else { return [] }
    let names = layer.fields.map(\.name)
    var rows: [(properties: [String: FieldValue], geometry: Geometry?)] = []
    try layer.forEachFeature { feature in
        var properties: [String: FieldValue] = [:]
        for (index, name) in names.enumerated() { properties[name] = feature.value(at: index) }
        rows.append((properties, try feature.geometry?.clone()))
    }
    return rows
}

/// Writes a shapefile holding one polygon feature (no attributes) in EPSG:`epsg`; returns its path.
public func writeOnePolygonShapefile(named name: String, epsg: Int, wkt: String, _ caller: String = #function) throws -> String {
    GDALEnvironment.initialize()
    let path = try temporaryDirectory(caller) + "/\(name).shp"
    let dataset = try Dataset.create(driver: "ESRI Shapefile", path: path)
    let layer = try dataset.createLayer(named: name, srs: try SpatialReference(epsg: epsg), geometryType: .polygon)
    let feature = layer.makeFeature()
    try feature.setGeometry(try Geometry(wkt: wkt))
    try layer.create(feature)
    try dataset.close()
    return path
}

/// Writes a shapefile of two parcels whose crop names are GBK bytes, then makes it look like
/// what ArcMap on Chinese Windows leaves behind: no .cpg, and the DBF language driver id set to
/// `ldid` (0x57 "ANSI", which GDAL reads as ISO-8859-1; or 0, which GDAL does not decode).
public func makeGBKShapefileWithoutCPG(in directory: String, ldid: UInt8) throws -> String {
    GDALEnvironment.initialize()
    let path = directory + "/gbk_parcels.shp"
    let dataset = try Dataset.create(driver: "ESRI Shapefile", path: path)
    let layer = try dataset.createLayer(named: "gbk_parcels", srs: try SpatialReference(epsg: 4547), geometryType: .polygon,
                                        options: ["ENCODING=CP936"])
    try layer.createField(FieldDefinition(name: "DKBM", type: .string, width: 19))
    try layer.createField(FieldDefinition(name: "ZZZW", type: .string, width: 20))
    for (index, crop) in ["玉米", "苜蓿"].enumerated() {
        let feature = layer.makeFeature()
        feature.set(.string("140902101000000000\(index)"), at: 0)
        feature.set(.string(crop), at: 1)
        let x = 385_000.0 + Double(index) * 100
        try feature.setGeometry(try Geometry(wkt: "POLYGON((\(x) 4253000,\(x + 100) 4253000,\(x + 100) 4253100,\(x) 4253100,\(x) 4253000))"))
        try layer.create(feature)
    }
    try dataset.close()
    try FileManager.default.removeItem(atPath: directory + "/gbk_parcels.cpg")
    let dbf = URL(fileURLWithPath: directory + "/gbk_parcels.dbf")
    var bytes = try Data(contentsOf: dbf)
    bytes[29] = ldid  // DBF header byte 29: language driver id
    try bytes.write(to: dbf)
    return path
}
