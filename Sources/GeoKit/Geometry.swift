import CGDAL
import PlanarGeometry

/// The flat OGR geometry type (Z/M flags removed).
public enum GeometryType: Sendable, Hashable, CustomStringConvertible {
    case point, lineString, polygon, multiPoint, multiLineString, multiPolygon, geometryCollection
    case curve(String)  // CircularString, CompoundCurve, CurvePolygon, MultiSurface, …
    case other(String)  // TIN, PolyhedralSurface, Triangle, None, Unknown

    init(cValue: OGRwkbGeometryType) {
        let flat = irrizone_flatten(cValue)
        switch flat {
        case wkbPoint: self = .point
        case wkbLineString: self = .lineString
        case wkbPolygon: self = .polygon
        case wkbMultiPoint: self = .multiPoint
        case wkbMultiLineString: self = .multiLineString
        case wkbMultiPolygon: self = .multiPolygon
        case wkbGeometryCollection: self = .geometryCollection
        case wkbCircularString, wkbCompoundCurve, wkbCurvePolygon, wkbMultiCurve, wkbMultiSurface, wkbCurve, wkbSurface:
            self = .curve(String(cString: OGRGeometryTypeToName(flat)))
        default: self = .other(String(cString: OGRGeometryTypeToName(flat)))
        }
    }

    public var isPolygonal: Bool { self == .polygon || self == .multiPolygon }

    public var description: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        case .geometryCollection: "GeometryCollection"
        case .curve(let name), .other(let name): name
        }
    }
}

/// An OGR geometry.
///
/// Either owned (created by us or returned by an OGR operation: destroyed in `deinit`) or
/// borrowed from a feature (`Feature.geometry`): a borrowed geometry keeps its feature alive and
/// must not be kept after the feature is done with. Operations that return new geometries return
/// owned ones.
public final class Geometry {
    let handle: OGRGeometryH
    private var isOwned: Bool
    /// Keeps the owner of a borrowed handle alive.
    private let owner: AnyObject?

    /// Takes ownership of `handle`.
    init(adopting handle: OGRGeometryH) {
        self.handle = handle
        self.isOwned = true
        self.owner = nil
    }

    /// Borrows `handle` from `owner` (a feature).
    init(borrowing handle: OGRGeometryH, from owner: AnyObject) {
        self.handle = handle
        self.isOwned = false
        self.owner = owner
    }

    deinit { if isOwned { OGR_G_DestroyGeometry(handle) } }

    /// Gives up ownership (e.g. to `OGR_F_SetGeometryDirectly`).
    func relinquish() -> OGRGeometryH {
        precondition(isOwned, "cannot relinquish a borrowed geometry")
        isOwned = false
        return handle
    }

    // MARK: - Creating

    /// Parses ISO or extended WKB. The corresponding C function is `OGR_G_CreateFromWkbEx`.
    public convenience init(wkb: [UInt8], srs: SpatialReference? = nil) throws(GDALError) {
        var created: OGRGeometryH? = nil
        try ogrCheck("OGR_G_CreateFromWkbEx") {
            wkb.withUnsafeBytes { bytes in OGR_G_CreateFromWkbEx(bytes.baseAddress, srs?.handle, &created, bytes.count) }
        }
        guard let created else { throw GDALError(code: 0, message: "no geometry", function: "OGR_G_CreateFromWkbEx") }
        self.init(adopting: created)
    }

    /// Parses WKT. The corresponding C function is `OGR_G_CreateFromWkt`.
    public convenience init(wkt: String, srs: SpatialReference? = nil) throws(GDALError) {
        var created: OGRGeometryH? = nil
        var text = Array(wkt.utf8CString)
        try ogrCheck("OGR_G_CreateFromWkt", context: "WKT") {
            text.withUnsafeMutableBufferPointer { buffer in
                var cursor: UnsafeMutablePointer<CChar>? = buffer.baseAddress
                return OGR_G_CreateFromWkt(&cursor, srs?.handle, &created)
            }
        }
        guard let created else { throw GDALError(code: 0, message: "no geometry", function: "OGR_G_CreateFromWkt") }
        self.init(adopting: created)
    }

    /// An owned deep copy. The corresponding C function is `OGR_G_Clone`.
    public func clone() throws(GDALError) -> Geometry {
        Geometry(adopting: try gdalNonNull("OGR_G_Clone") { OGR_G_Clone(handle) })  // returns NULL on failure
    }

    // MARK: - Inspecting

    /// The corresponding C function is `OGR_G_GetGeometryType`.
    public var type: GeometryType { GeometryType(cValue: OGR_G_GetGeometryType(handle)) }

    /// The corresponding C function is `OGR_G_IsEmpty`.
    public var isEmpty: Bool { OGR_G_IsEmpty(handle) != 0 }

    /// Whether the coordinates carry Z or M. The corresponding C functions are `OGR_G_Is3D` and
    /// `OGR_G_IsMeasured`.
    public var hasZOrM: Bool { OGR_G_Is3D(handle) != 0 || OGR_G_IsMeasured(handle) != 0 }

    /// Drops Z and M, keeping x and y. The corresponding C function is `OGR_G_FlattenTo2D`.
    public func flattenTo2D() { OGR_G_FlattenTo2D(handle) }

    /// Strict OGC validity, through GEOS. The corresponding C function is `OGR_G_IsValid`.
    public var isValid: Bool { OGR_G_IsValid(handle) != 0 }

    /// The corresponding C function is `OGR_G_GetEnvelope`.
    public var envelope: BoundingBox {
        var e = OGREnvelope()
        OGR_G_GetEnvelope(handle, &e)
        return BoundingBox(minX: e.MinX, minY: e.MinY, maxX: e.MaxX, maxY: e.MaxY)
    }

    /// Planar area in the units of the CRS squared. The corresponding C function is `OGR_G_Area`.
    public var planarArea: Double { OGR_G_Area(handle) }

    /// Number of direct sub-geometries (parts of a multi, rings of a polygon).
    public var subGeometryCount: Int { Int(OGR_G_GetGeometryCount(handle)) }

    /// A borrowed sub-geometry. The corresponding C function is `OGR_G_GetGeometryRef`.
    public func subGeometry(at index: Int) -> Geometry? {
        guard let sub = OGR_G_GetGeometryRef(handle, Int32(index)) else { return nil }
        return Geometry(borrowing: sub, from: self)
    }

    /// Points of a simple curve (line string or ring), as parallel coordinate arrays.
    ///
    /// The corresponding C function is `OGR_G_GetPoints`.
    public func points() -> (x: [Double], y: [Double]) {
        let count = Int(OGR_G_GetPointCount(handle))
        var xs = [Double](repeating: 0, count: count), ys = [Double](repeating: 0, count: count)
        guard count > 0 else { return (xs, ys) }
        xs.withUnsafeMutableBytes { xb in
            ys.withUnsafeMutableBytes { yb in
                _ = OGR_G_GetPoints(handle, xb.baseAddress, Int32(MemoryLayout<Double>.stride),
                                    yb.baseAddress, Int32(MemoryLayout<Double>.stride), nil, 0)
            }
        }
        return (xs, ys)
    }

    /// ISO WKB (little-endian). The corresponding C function is `OGR_G_ExportToIsoWkb`.
    public func wkb() throws(GDALError) -> [UInt8] {
        let size = Int(OGR_G_WkbSize(handle))
        var bytes = [UInt8](repeating: 0, count: size)
        try ogrCheck("OGR_G_ExportToIsoWkb") {
            bytes.withUnsafeMutableBufferPointer { buffer in OGR_G_ExportToIsoWkb(handle, wkbNDR, buffer.baseAddress) }
        }
        return bytes
    }

    /// WKT, for messages and tests. The corresponding C function is `OGR_G_ExportToIsoWkt`.
    public func wkt() throws(GDALError) -> String {
        var text: UnsafeMutablePointer<CChar>? = nil
        try ogrCheck("OGR_G_ExportToIsoWkt") { OGR_G_ExportToIsoWkt(handle, &text) }
        defer { VSIFree(text) }
        return text.map { String(cString: $0) } ?? ""
    }

    // MARK: - Operations (each returns a new, owned geometry)

    /// Repairs an invalid geometry with GEOS MakeValid, STRUCTURE method (GEOS ≥ 3.10), which
    /// keeps areas as areas: a bow-tie becomes two triangles, not a line (reference/peers.md B.2).
    /// The result may still be invalid: re-check with `isValid`.
    ///
    /// The corresponding C function is `OGR_G_MakeValidEx`.
    public func makeValid() throws(GDALError) -> Geometry {
        try withCStringList(["METHOD=STRUCTURE", "KEEP_COLLAPSED=NO"]) { (options) throws(GDALError) in
            Geometry(adopting: try gdalNonNull("OGR_G_MakeValidEx") { OGR_G_MakeValidEx(handle, options) })
        }
    }

    /// Approximates curves with line segments. The corresponding C function is `OGR_G_GetLinearGeometry`.
    public func linearized() throws(GDALError) -> Geometry {
        Geometry(adopting: try gdalNonNull("OGR_G_GetLinearGeometry") { OGR_G_GetLinearGeometry(handle, 0, nil) })
    }

    /// The polygonal part as a MultiPolygon: polygons of a collection are kept, points and lines
    /// (e.g. collapsed slivers from make-valid) are dropped. Returns nil when nothing is polygonal.
    public func polygonalPart() throws(GDALError) -> Geometry? {
        switch type {
        case .polygon, .multiPolygon:
            let copy = try clone()
            return Geometry(adopting: OGR_G_ForceToMultiPolygon(copy.relinquish()))
        case .geometryCollection:
            let result = Geometry(adopting: OGR_G_CreateGeometry(wkbMultiPolygon))
            for index in 0..<subGeometryCount {
                guard let part = subGeometry(at: index), let polygons = try part.polygonalPart() else { continue }
                for p in 0..<polygons.subGeometryCount {
                    guard let polygon = polygons.subGeometry(at: p) else { continue }
                    try ogrCheck("OGR_G_AddGeometry") { OGR_G_AddGeometry(result.handle, polygon.handle) }
                }
            }
            return result.subGeometryCount > 0 ? result : nil
        default:
            return nil
        }
    }

    /// Transforms in place. The corresponding C function is `OGR_G_Transform`.
    public func transform(with transformation: CoordinateTransformation) throws(GDALError) {
        try ogrCheck("OGR_G_Transform") { OGR_G_Transform(handle, transformation.handle) }
    }

    /// The corresponding C function is `OGR_G_Buffer`.
    public func buffer(distance: Double, quadrantSegments: Int = 8) throws(GDALError) -> Geometry {
        Geometry(adopting: try gdalNonNull("OGR_G_Buffer") { OGR_G_Buffer(handle, distance, Int32(quadrantSegments)) })
    }

    /// The corresponding C function is `OGR_G_Intersection`.
    public func intersection(_ other: Geometry) throws(GDALError) -> Geometry {
        Geometry(adopting: try gdalNonNull("OGR_G_Intersection") { OGR_G_Intersection(handle, other.handle) })
    }

    /// Rigorous (GEOS) intersection test. The corresponding C function is `OGR_G_Intersects`.
    public func intersects(_ other: Geometry) -> Bool { OGR_G_Intersects(handle, other.handle) != 0 }
}

@available(*, unavailable)
extension Geometry: Sendable {}
