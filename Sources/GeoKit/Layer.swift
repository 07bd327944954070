import CGDAL
import PlanarGeometry

/// The type of an attribute field.
public enum FieldType: Sendable, Hashable {
    case integer, integer64, real, string, date, time, dateTime, boolean, binary, list
    /// Text holding JSON (GDAL's `OFSTJSON`): PostGIS makes it a `json` column, a GeoPackage
    /// records its MIME type.
    case json

    init(type: OGRFieldType, subtype: OGRFieldSubType) {
        switch type {
        case OFTInteger: self = subtype == OFSTBoolean ? .boolean : .integer
        case OFTInteger64: self = .integer64
        case OFTReal: self = .real
        case OFTString: self = subtype == OFSTJSON ? .json : .string
        case OFTDate: self = .date
        case OFTTime: self = .time
        case OFTDateTime: self = .dateTime
        case OFTBinary: self = .binary
        default: self = .list
        }
    }

    var cValue: OGRFieldType {
        switch self {
        case .integer, .boolean: OFTInteger
        case .integer64: OFTInteger64
        case .real: OFTReal
        case .string, .list, .json: OFTString
        case .date: OFTDate
        case .time: OFTTime
        case .dateTime: OFTDateTime
        case .binary: OFTBinary
        }
    }
}

/// One attribute column of a layer.
public struct FieldDefinition: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    public let width: Int
    public let precision: Int

    public init(name: String, type: FieldType, width: Int = 0, precision: Int = 0) {
        self.name = name; self.type = type; self.width = width; self.precision = precision
    }
}

/// A layer of a dataset. Borrowed: valid while its dataset is (it keeps the dataset alive).
///
/// - Important: don't create or update features on a layer while iterating it.
///
/// The corresponding C type is `OGRLayerH`.
public struct Layer {
    let handle: OGRLayerH
    public let dataset: Dataset

    init(handle: OGRLayerH, dataset: Dataset) {
        self.handle = handle
        self.dataset = dataset
    }

    /// The corresponding C function is `OGR_L_GetName`.
    public var name: String { String(cString: OGR_L_GetName(handle)) }

    /// The layer's CRS (a copy that outlives the layer), or nil when it has none (no .prj).
    ///
    /// The corresponding C function is `OGR_L_GetSpatialRef`.
    public func spatialReference() throws(GDALError) -> SpatialReference? {
        guard let borrowed = OGR_L_GetSpatialRef(handle) else { return nil }
        return try SpatialReference(cloning: borrowed)
    }

    /// Keeps only the features the OGR SQL `WHERE` clause selects (GDAL's `-where`); nil clears it.
    /// Every later read, count and seek sees the filtered layer.
    ///
    /// The corresponding C function is `OGR_L_SetAttributeFilter`.
    public func setAttributeFilter(_ whereClause: String?) throws(GDALError) {
        try ogrCheck("OGR_L_SetAttributeFilter", context: "layer \"\(name)\", where \(whereClause ?? "")") {
            OGR_L_SetAttributeFilter(handle, whereClause)
        }
    }

    /// The declared geometry type. The corresponding C function is `OGR_L_GetGeomType`.
    public var geometryType: GeometryType { GeometryType(cValue: OGR_L_GetGeomType(handle)) }

    /// Feature count; `forceScan: false` returns nil when the driver cannot count cheaply.
    ///
    /// The corresponding C function is `OGR_L_GetFeatureCount`.
    public func featureCount(forceScan: Bool = true) -> Int? {
        let count = OGR_L_GetFeatureCount(handle, forceScan ? 1 : 0)
        return count < 0 ? nil : Int(count)
    }

    /// The corresponding C function is `OGR_L_GetExtent`.
    public func extent() -> BoundingBox? {
        var e = OGREnvelope()
        guard OGR_L_GetExtent(handle, &e, 1) == OGRERR_NONE else { return nil }
        return BoundingBox(minX: e.MinX, minY: e.MinY, maxX: e.MaxX, maxY: e.MaxY)
    }

    /// The attribute columns. The corresponding C functions are `OGR_L_GetLayerDefn` and `OGR_FD_GetFieldDefn`.
    public var fields: [FieldDefinition] {
        guard let defn = OGR_L_GetLayerDefn(handle) else { return [] }
        return (0..<OGR_FD_GetFieldCount(defn)).compactMap { index in
            guard let field = OGR_FD_GetFieldDefn(defn, index) else { return nil }
            return FieldDefinition(name: String(cString: OGR_Fld_GetNameRef(field)),
                                   type: FieldType(type: OGR_Fld_GetType(field), subtype: OGR_Fld_GetSubType(field)),
                                   width: Int(OGR_Fld_GetWidth(field)), precision: Int(OGR_Fld_GetPrecision(field)))
        }
    }

    /// A metadata item, e.g. `metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE")`.
    ///
    /// The corresponding C function is `GDALGetMetadataItem`.
    public func metadataItem(_ key: String, domain: String? = nil) -> String? {
        GDALGetMetadataItem(handle, key, domain).map { String(cString: $0) }
    }

    /// Makes GDAL write a table it has created but not yet put in the file: a GeoPackage layer's
    /// table, its `gpkg_contents` and `gpkg_geometry_columns` rows wait for the first use
    /// (GDAL 3.6's deferred creation), and SQL on the table fails until then.
    ///
    /// The corresponding C function is `OGR_L_ResetReading`.
    public func createPendingTable() {
        OGR_L_ResetReading(handle)
    }

    /// Iterates every feature from the start.
    ///
    /// - Important: `feature` is only valid inside `body`; copy out what you need.
    /// - Throws: what `body` throws, or a `GDALError` when the driver fails to read a feature
    ///   (`forEachFeature(from:count:_:)`).
    ///
    /// The corresponding C functions are `OGR_L_ResetReading` and `OGR_L_GetNextFeature`.
    public func forEachFeature(_ body: (Feature) throws -> Void) throws {
        try forEachFeature(from: 0, count: nil, body)
    }

    /// Iterates `count` features (all remaining when nil) starting at the `start`-th feature in
    /// reading order: one part of a layer, for partitioned runs. Shapefiles seek directly; other
    /// drivers skip features.
    ///
    /// A damaged file is not a smaller layer (issue #23): a read that GDAL reports as failed (a
    /// `.dbf` cut short ends the layer early with "fread failed on DBF file"; a `.shp` cut short
    /// gives features without their shapes) throws, naming the feature.
    ///
    /// The corresponding C functions are `OGR_L_ResetReading`, `OGR_L_SetNextByIndex` and `OGR_L_GetNextFeature`.
    public func forEachFeature(from start: Int, count: Int?, _ body: (Feature) throws -> Void) throws {
        OGR_L_ResetReading(handle)
        var position = 0
        /// The next feature, or nil at the end; throws when GDAL reports the read failed.
        func next() throws(GDALError) -> OGRFeatureH? {
            CPLErrorReset()
            let feature = OGR_L_GetNextFeature(handle)  // an owned copy; NULL at the end or on failure
            guard CPLGetLastErrorType() != CE_Failure, CPLGetLastErrorType() != CE_Fatal else {
                if let feature { OGR_F_Destroy(feature) }
                throw GDALError.last("OGR_L_GetNextFeature", context: "layer \"\(name)\", feature \(position + 1): the file is damaged or cut short")
            }
            if feature != nil { position += 1 }
            return feature
        }
        if start > 0 {
            if OGR_L_SetNextByIndex(handle, GIntBig(start)) == OGRERR_NONE {
                position = start
            } else {
                // A driver without random access: skip from the beginning.
                for _ in 0..<start { guard let skipped = try next() else { return }; OGR_F_Destroy(skipped) }
            }
        }
        var delivered = 0
        while count.map({ delivered < $0 }) ?? true, let feature = try next() {
            delivered += 1
            try body(Feature(adopting: feature))
        }
    }

    /// Tells the driver not to fetch these fields ("OGR_GEOMETRY" for the geometry): reading
    /// only the attributes a pass needs is several times faster.
    ///
    /// The corresponding C function is `OGR_L_SetIgnoredFields`.
    public func setIgnoredFields(_ names: [String]) throws(GDALError) {
        try withCStringList(names) { (list) throws(GDALError) in
            try ogrCheck("OGR_L_SetIgnoredFields", context: "layer \"\(name)\"") { OGR_L_SetIgnoredFields(handle, UnsafeMutableRawPointer(list)?.assumingMemoryBound(to: UnsafePointer<CChar>?.self)) }
        }
    }

    /// Adds an attribute column. The corresponding C function is `OGR_L_CreateField`.
    public func createField(_ definition: FieldDefinition) throws(GDALError) {
        let field = OGR_Fld_Create(definition.name, definition.type.cValue)
        defer { OGR_Fld_Destroy(field) }
        if definition.type == .boolean { OGR_Fld_SetSubType(field, OFSTBoolean) }
        if definition.type == .json { OGR_Fld_SetSubType(field, OFSTJSON) }
        if definition.width > 0 { OGR_Fld_SetWidth(field, Int32(definition.width)) }
        if definition.precision > 0 { OGR_Fld_SetPrecision(field, Int32(definition.precision)) }
        try ogrCheck("OGR_L_CreateField", context: "field \"\(definition.name)\" in layer \"\(name)\"") {
            OGR_L_CreateField(handle, field, 1)
        }
    }

    /// Whether the layer has a field of this name.
    ///
    /// The corresponding C function is `OGR_FD_GetFieldIndex`.
    public func hasField(named name: String) -> Bool {
        guard let defn = OGR_L_GetLayerDefn(handle) else { return false }
        return OGR_FD_GetFieldIndex(defn, name) >= 0
    }

    /// A new, empty feature with this layer's schema.
    public func makeFeature() -> Feature {
        Feature(adopting: OGR_F_Create(OGR_L_GetLayerDefn(handle)))
    }

    /// Writes a new feature. The corresponding C function is `OGR_L_CreateFeature`.
    public func create(_ feature: Feature) throws(GDALError) {
        try ogrCheck("OGR_L_CreateFeature", context: "layer \"\(name)\"") { OGR_L_CreateFeature(handle, feature.handle) }
    }
}

@available(*, unavailable)
extension Layer: Sendable {}
