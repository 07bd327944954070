import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// How to read the parcel layer: the `--parcels`, `--layer`, `--encoding`, `--assume-crs`
/// flags and the `parcels:` section of the project file.
public struct ParcelInputOptions: Sendable {
    /// The path as the user gave it (a `.zip` is read through `/vsizip/`).
    public var path: String
    public var layer: String?
    /// Character set of the attribute text (e.g. "GBK"); overrides a shapefile's .cpg/LDID.
    public var encoding: String?
    /// CRS to use when the layer has none (no .prj).
    public var assumeCRS: String?
    /// Explicit field names by role; unmapped roles are found by alias.
    public var fields: [ParcelField: String]
    /// Driver open options as GDAL's `-oo NAME=VALUE` (e.g. `LIST_ALL_TABLES=YES` for PostGIS).
    public var openOptions: [String] = []
    /// An OGR SQL `WHERE` clause (GDAL's `-where`): only the features it selects are parcels.
    public var attributeFilter: String?
    /// Told every few thousand features: features read so far, and the total when the driver
    /// knows it cheaply (for a live progress line).
    public var progress: (@Sendable (Int, Int?) -> Void)?
    /// Read only these features (0-based positions in reading order): one part of a
    /// partitioned run. Nil reads the whole layer.
    public var featureRange: Range<Int>?
    /// The whole layer's census when the caller has read it already (`census()`); the reading
    /// then carries it instead of counting its own.
    public var census: ParcelCensus?
    /// Told the parcel ids as soon as the reading has counted every feature (before the last
    /// geometry is done), when it counts its own census: the monitoring tables read beside the
    /// parcels wait for them.
    public var idsCounted: (@Sendable (Set<String>) -> Void)?
    /// Where the parcels' pass-through attributes wait for the outputs, out of memory (written as
    /// the layer is read, `AttributeSpillWriter`); nil: kept in the parcels.
    public var attributeSpill: SpillFile?

    public init(path: String, layer: String? = nil, encoding: String? = nil, assumeCRS: String? = nil,
                fields: [ParcelField: String] = [:]) {
        self.path = path; self.layer = layer; self.encoding = encoding; self.assumeCRS = assumeCRS; self.fields = fields
    }
}

/// What reading the parcel layer produced.
public struct ParcelLayerReading: Sendable {
    public var parcels: [Parcel]
    public var rejects: [Reject]
    /// Features the layer delivered; always `parcels.count + rejects.count`.
    public var featuresRead: Int
    /// Invalid geometries that make-valid repaired (the parcels carry `geometryRepaired`).
    public var repairs: [Repair]
    public var repairedCount: Int { repairs.count }
    public var layerName: String
    public var driver: String
    /// The source CRS as identified ("EPSG:4547") or named.
    public var sourceCRS: String
    /// The source CRS as WKT, so samples' x/y can be read in the parcels' CRS.
    public var sourceCRSWKT: String
    /// The source CRS's ellipsoid, on which areas are measured.
    public var ellipsoid: Ellipsoid
    public var crsWasAssumed: Bool
    /// How GDAL decoded the attribute text (from .cpg, LDID, or the user's --encoding).
    public var textEncoding: String
    public var fieldMapping: [ParcelField: String]
    /// Field names in input order, for pass-through columns.
    public var fieldNames: [String]
    /// Files that make up the input (for provenance: sizes and SHA-256).
    public var files: [String]
    /// Things the user should know that did not stop the run.
    public var warnings: [String]
    /// The facts of every feature of the layer (accepted or not): `options.census`, else counted
    /// while reading.
    public var census: ParcelCensus
}

/// A geometry that was invalid and was repaired, and why it was invalid.
public struct Repair: Sendable, Codable, Hashable {
    public var location: String
    public var reason: String
}

/// Reads any OGR polygon layer into `Parcel` values: finds the roles' fields, checks the text
/// encoding and the CRS, repairs invalid geometries, measures ellipsoidal area and reprojects to
/// WGS84. Every feature ends up as a parcel or a reject.
public struct ParcelReader: Sendable {
    public let options: ParcelInputOptions

    public init(options: ParcelInputOptions) { self.options = options }

    public func read() throws -> ParcelLayerReading {
        GDALEnvironment.initialize()
        let diagnostics = Diagnostics()
        return try diagnostics.collect { () throws -> ParcelLayerReading in
            var reading = try readCollecting(diagnostics: diagnostics)
            reading.warnings += summarise(diagnostics.drainWarnings())
            return reading
        }
    }

    // MARK: - Opening

    /// Drivers of database servers, whose layers have no reading order that holds from one
    /// connection to the next.
    static let unorderedDrivers: Set<String> = ["PostgreSQL", "MySQL", "MSSQLSpatial", "OCI", "ODBC", "PGeo", "HANA", "MongoDBv3", "Elasticsearch"]

    /// GDAL's path for the user's path: zipped shapefiles go through `/vsizip/`.
    public static func gdalPath(for path: String) -> String {
        let lower = path.lowercased()
        if lower.hasSuffix(".zip") && !path.hasPrefix("/vsi") { return "/vsizip/" + path }
        return path
    }

    /// GDAL/iconv names for the encodings users type.
    public static func gdalEncodingName(_ name: String) -> String {
        switch name.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "") {
        case "GBK", "CP936", "936", "GB2312", "EUCCN": "CP936"
        case "GB18030": "GB18030"
        case "UTF8": "UTF-8"
        case "LATIN1", "ISO88591": "ISO-8859-1"
        case "CP1252", "WINDOWS1252": "CP1252"
        default: name
        }
    }

    /// - Parameter rawText: open a shapefile without recoding its text (`ENCODING=""`).
    func open(rawText: Bool = false) throws -> Dataset {
        let path = Self.gdalPath(for: options.path)
        var openOptions: [String] = []
        if rawText { openOptions.append("ENCODING=") }
        else if let encoding = options.encoding { openOptions.append("ENCODING=\(Self.gdalEncodingName(encoding))") }
        openOptions += options.openOptions
        do {
            return try Dataset.open(path, openOptions: openOptions)
        } catch {
            // A zip whose vector file sits in a sub-folder: open it when there is exactly one.
            if path.hasPrefix("/vsizip/") {
                let candidates = VirtualFileSystem.filesRecursively(under: path).filter { name in
                    Self.vectorExtensions.contains { name.lowercased().hasSuffix($0) }
                }
                if candidates.count == 1, let dataset = try? Dataset.open(path + "/" + candidates[0], openOptions: openOptions) {
                    return dataset
                }
                if candidates.count > 1 {
                    let choices = candidates.map { "\(path)/\($0)" }.joined(separator: ", ")
                    throw IngestError.cannotOpen(path: options.path, gdal: error,
                                                 hint: "the zip holds several vector files; name one with --parcels, e.g. one of: \(choices)")
                }
            }
            throw IngestError.cannotOpen(path: options.path, gdal: error, hint: Self.openHint(path: options.path, error: error))
        }
    }

    static let vectorExtensions = [".shp", ".gpkg", ".geojson", ".json", ".gml", ".kml", ".fgb", ".tab", ".mif"]

    /// A next step for common reasons GDAL cannot open a file.
    static func openHint(path: String, error: GDALError) -> String? {
        if error.message.contains(".shx") {
            return "the shapefile's .shx index is missing; restore it with `ogr2ogr -f \"ESRI Shapefile\" fixed.shp \(path) --config SHAPE_RESTORE_SHX YES`, then read fixed.shp"
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") || lower.hasSuffix(".json") {
            if let firstByte = firstNonSpaceByte(of: path), firstByte == UInt8(ascii: "[") {
                return "the file is a bare JSON array of features, not a GeoJSON FeatureCollection; "
                    + "wrap it as {\"type\": \"FeatureCollection\", \"features\": [ … ]}"
            }
        }
        if lower.hasSuffix(".zip") { return "the zip must contain a shapefile or another vector file GDAL can read" }
        return nil
    }

    private static func firstNonSpaceByte(of path: String) -> UInt8? {
        guard let handle = FileBytes(path: path) else { return nil }
        return handle.firstNonSpaceByte()
    }

    /// The parcel layer, filtered by `attributeFilter` when one is given.
    func chooseLayer(in dataset: Dataset) throws -> Layer {
        let layer = try chooseUnfilteredLayer(in: dataset)
        if let filter = options.attributeFilter {
            do { try layer.setAttributeFilter(filter) } catch {
                throw IngestError.badFilter(path: options.path, layer: layer.name, whereClause: filter, gdal: error)
            }
        }
        return layer
    }

    private func chooseUnfilteredLayer(in dataset: Dataset) throws -> Layer {
        let layers = dataset.layers
        if let wanted = options.layer {
            guard let layer = dataset.layer(named: wanted) else {
                throw IngestError.layerNotFound(path: options.path, layer: wanted, available: layers.map(\.name))
            }
            return layer
        }
        let spatial = layers.filter { layer in
            if case .other(let name) = layer.geometryType, name == "None" { return false }
            return true
        }
        guard !spatial.isEmpty else { throw IngestError.noVectorLayer(path: options.path) }
        guard spatial.count == 1 else { throw IngestError.ambiguousLayer(path: options.path, available: spatial.map(\.name)) }
        return spatial[0]
    }

    // MARK: - Helpers


    func summarise(_ warnings: [GDALWarning]) -> [String] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for warning in warnings {
            if counts[warning.message] == nil { order.append(warning.message) }
            counts[warning.message, default: 0] += 1
        }
        return order.map { message in
            let count = counts[message]!
            return "GDAL (\(options.path)): \(message)" + (count > 1 ? " (×\(count))" : "")
        }
    }

    func duplicateIDs(in parcels: [Parcel]) -> [String] {
        var seen = Set<String>(), duplicates: [String] = []
        for parcel in parcels where !seen.insert(parcel.id).inserted {
            if duplicates.count < 100 { duplicates.append(parcel.id) }
        }
        return duplicates
    }
}
