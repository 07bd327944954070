import GeoKit
import IrrigationModel
import PlanarGeometry

/// Input problems that stop a run (DESIGN.md §7): each names the file, what was wrong and what
/// the user can do about it.
public enum IngestError: Error, CustomStringConvertible {
    case cannotOpen(path: String, gdal: GDALError, hint: String?)
    case noVectorLayer(path: String)
    case layerNotFound(path: String, layer: String, available: [String])
    case ambiguousLayer(path: String, available: [String])
    case missingCRS(path: String, layer: String, driver: String)
    case invalidCRS(input: String, gdal: GDALError)
    case coordinatesOutsideCRS(path: String, crs: String, extent: BoundingBox, hint: String?)
    case fieldMapping(path: String, message: String)
    case undecodableText(path: String, findings: [EncodingFinding], suggestion: String)
    case gdal(GDALError)
    /// GDAL failed to read a feature: the file is damaged or cut short (issue #23).
    case damaged(path: String, gdal: GDALError)
    /// A partitioned run over a source whose reading order is not stable (a database).
    case unstableOrder(path: String, driver: String)
    /// An attribute filter (`--where`) GDAL cannot apply to the layer.
    case badFilter(path: String, layer: String, whereClause: String, gdal: GDALError)

    public var description: String {
        switch self {
        case let .cannotOpen(path, gdal, hint):
            var text = "cannot open \(path): \(gdal.message.isEmpty ? gdal.description : gdal.message)"
            if let hint { text += "\n  hint: \(hint)" }
            return text
        case let .noVectorLayer(path):
            return "\(path) has no layer with polygon geometry to read as parcels"
        case let .layerNotFound(path, layer, available):
            return "\(path) has no layer \"\(layer)\"; its layers are: \(available.joined(separator: ", "))"
        case let .ambiguousLayer(path, available):
            return "\(path) has several layers with geometry (\(available.joined(separator: ", "))); choose one with --layer NAME"
        case let .missingCRS(path, layer, driver):
            return "\(path) (layer \"\(layer)\") has no coordinate reference system\(driver == "ESRI Shapefile" ? " (no .prj file)" : ""). "
                + "Name it with --assume-crs, e.g. --assume-crs EPSG:4547 for CGCS2000 / 3-degree Gauss-Kruger CM 114E"
        case let .invalidCRS(input, gdal):
            return "--assume-crs \"\(input)\" is not a CRS GDAL understands: \(gdal.message)"
        case let .coordinatesOutsideCRS(path, crs, extent, hint):
            var text = "the coordinates of \(path) (x \(extent.minX)…\(extent.maxX), y \(extent.minY)…\(extent.maxY)) "
                + "do not fit its CRS \(crs): they cannot be placed on the earth"
            if let hint { text += "\n  hint: \(hint)" }
            return text
        case let .fieldMapping(path, message):
            return "\(path): \(message)"
        case let .undecodableText(path, findings, suggestion):
            let examples = findings.prefix(5).map { "  - \($0)" }.joined(separator: "\n")
            return "the text in \(path) does not decode cleanly (\(findings.count) value(s)), e.g.:\n\(examples)\n  \(suggestion)"
        case let .damaged(path, gdal):
            return "\(path) is damaged or cut short: \(gdal.message.isEmpty ? "GDAL could not read it" : gdal.message) (\(gdal.context ?? "reading its features")). Nothing was assessed or written; restore the file (all of its parts: .shp, .shx, .dbf) from where it came from"
        case let .unstableOrder(path, driver):
            return "\(Credentials.redact(path)) is a \(driver) database layer: its features come in no fixed order, so the parts of a partitioned run (--shard) could overlap and miss parcels. Export it once for the run (ogr2ogr -f GPKG parcels.gpkg …) and partition the file, or run without --shard"
        case let .badFilter(path, layer, whereClause, gdal):
            return "--where \"\(whereClause)\" cannot filter \(path) (layer \"\(layer)\"): \(gdal.message.isEmpty ? gdal.description : gdal.message). "
                + "Write it in OGR SQL over the layer's fields, e.g. --where \"DLMC IN ('水浇地', '旱地')\""
        case let .gdal(error):
            return error.description
        }
    }
}

/// One garbled text value: where it is and what it looks like.
public struct EncodingFinding: Sendable, CustomStringConvertible {
    public let field: String
    public let featureID: Int64?
    public let problem: TextEncodingCheck.Problem
    /// The text as read, and what it would read as in the suggested encoding.
    public let asRead: String
    public let asSuggested: String?

    public var description: String {
        let place = featureID.map { "feature \($0)" } ?? "a feature"
        var text = "field \"\(field)\", \(place): read as \"\(asRead)\""
        switch problem {
        case .notUTF8: text += " (bytes are not UTF-8)"
        case .replacementCharacter: text += " (contains U+FFFD replacement characters)"
        case .gbkReadAsLatin1: text += " (GBK bytes decoded as Latin-1)"
        case .utf8ReadAsLatin1: text += " (UTF-8 bytes decoded as Latin-1)"
        }
        if let asSuggested { text += ", would read as \"\(asSuggested)\"" }
        return text
    }
}

extension IngestError {
    /// Runs a pass over a layer's features, turning GDAL's report of a failed read into
    /// `damaged` naming the file.
    static func readingFeatures(of path: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as GDALError where error.function == "OGR_L_GetNextFeature" {
            throw IngestError.damaged(path: path, gdal: error)
        }
    }
}
