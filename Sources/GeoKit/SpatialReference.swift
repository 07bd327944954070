import CGDAL

/// A coordinate reference system. Reference-counted by OSR; this value holds one reference.
///
/// Every instance uses the traditional GIS axis order (x = easting/longitude first), whatever
/// the authority says: since GDAL 3, EPSG:4326 and the CGCS2000 Gauss–Krüger CRSs are
/// northing-first by authority (reference/peers.md C.9).
public final class SpatialReference {
    let handle: OGRSpatialReferenceH

    /// Takes one reference to `handle` (which the caller already owns).
    init(adopting handle: OGRSpatialReferenceH) {
        GDALEnvironment.initialize()
        self.handle = handle
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
    }

    /// Clones a borrowed SRS (e.g. from `OGR_L_GetSpatialRef`) so it outlives its owner.
    convenience init(cloning borrowed: OGRSpatialReferenceH) throws(GDALError) {
        let copy = try gdalNonNull("OSRClone") { OSRClone(borrowed) }  // returns NULL on failure
        self.init(adopting: copy)
    }

    /// Parses anything `OSRSetFromUserInput` accepts: `EPSG:4547`, WKT, PROJ strings, `OGC:CRS84`.
    ///
    /// The corresponding C function is `OSRSetFromUserInput`.
    public convenience init(userInput: String) throws(GDALError) {
        let handle = try gdalNonNull("OSRNewSpatialReference") { OSRNewSpatialReference(nil) }
        do {
            try ogrCheck("OSRSetFromUserInput", context: "CRS \"\(userInput)\"") { OSRSetFromUserInput(handle, userInput) }
        } catch {
            OSRRelease(handle)
            throw error
        }
        self.init(adopting: handle)
    }

    /// EPSG code shortcut. The corresponding C function is `OSRImportFromEPSG`.
    public convenience init(epsg: Int) throws(GDALError) {
        let handle = try gdalNonNull("OSRNewSpatialReference") { OSRNewSpatialReference(nil) }
        do {
            try ogrCheck("OSRImportFromEPSG", context: "EPSG:\(epsg)") { OSRImportFromEPSG(handle, Int32(epsg)) }
        } catch {
            OSRRelease(handle)
            throw error
        }
        self.init(adopting: handle)
    }

    /// WGS84 longitude/latitude, the CRS of RFC 7946 GeoJSON.
    public static func wgs84() throws(GDALError) -> SpatialReference { try SpatialReference(epsg: 4326) }

    deinit { OSRRelease(handle) }

    /// `AUTHORITY:CODE` when OSR can identify it (e.g. "EPSG:4547"), else nil.
    public var authorityCode: String? {
        if let declared = declaredAuthorityCode { return declared }
        // ESRI .prj files often lack an AUTHORITY node; ask PROJ to identify with full confidence.
        guard let copy = OSRClone(handle) else { return nil }
        defer { OSRRelease(copy) }
        if OSRAutoIdentifyEPSG(copy) == OGRERR_NONE,
           let name = OSRGetAuthorityName(copy, nil), let code = OSRGetAuthorityCode(copy, nil) {
            return "\(String(cString: name)):\(String(cString: code))"
        }
        return nil
    }

    /// `AUTHORITY:CODE` as the CRS itself states it (its AUTHORITY node), without asking PROJ.
    public var declaredAuthorityCode: String? {
        guard let name = OSRGetAuthorityName(handle, nil), let code = OSRGetAuthorityCode(handle, nil) else { return nil }
        return "\(String(cString: name)):\(String(cString: code))"
    }

    /// The CRS's name, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 114E".
    public var name: String {
        OSRGetName(handle).map { String(cString: $0) } ?? "unnamed CRS"
    }

    public var isGeographic: Bool { OSRIsGeographic(handle) != 0 }
    public var isProjected: Bool { OSRIsProjected(handle) != 0 }

    /// WKT2 (2019) text. The corresponding C function is `OSRExportToWktEx`.
    public func wkt() throws(GDALError) -> String {
        var text: UnsafeMutablePointer<CChar>? = nil
        try withCStringList(["FORMAT=WKT2_2019"]) { (options) throws(GDALError) in
            try ogrCheck("OSRExportToWktEx") { OSRExportToWktEx(handle, &text, constList(options)) }
        }
        defer { VSIFree(text) }
        return text.map { String(cString: $0) } ?? ""
    }

    /// The geographic CRS this one is based on (same datum and ellipsoid).
    ///
    /// The corresponding C function is `OSRCloneGeogCS`.
    public func geographic() throws(GDALError) -> SpatialReference {
        let copy = try gdalNonNull("OSRCloneGeogCS") { OSRCloneGeogCS(handle) }
        return SpatialReference(adopting: copy)
    }

    /// The ellipsoid's semi-major axis (m) and flattening.
    public func ellipsoid() throws(GDALError) -> Ellipsoid {
        var error: OGRErr = OGRERR_NONE
        let a = OSRGetSemiMajor(handle, &error)
        guard error == OGRERR_NONE else { throw GDALError.last("OSRGetSemiMajor") }
        let inverseFlattening = OSRGetInvFlattening(handle, &error)
        guard error == OGRERR_NONE else { throw GDALError.last("OSRGetInvFlattening") }
        return Ellipsoid(semiMajorAxis: a, flattening: inverseFlattening == 0 ? 0 : 1 / inverseFlattening)
    }

    /// Whether two CRSs describe the same thing (ignoring axis mapping).
    ///
    /// The corresponding C function is `OSRIsSame`.
    public func isSame(as other: SpatialReference) -> Bool { OSRIsSame(handle, other.handle) != 0 }
}

@available(*, unavailable)
extension SpatialReference: Sendable {}

/// A transformation between two CRSs (PROJ picks the operation).
public final class CoordinateTransformation {
    let handle: OGRCoordinateTransformationH
    public let source: SpatialReference
    public let target: SpatialReference

    /// The corresponding C function is `OCTNewCoordinateTransformation`.
    public init(from source: SpatialReference, to target: SpatialReference) throws(GDALError) {
        self.handle = try gdalNonNull("OCTNewCoordinateTransformation",
                                      context: "\(source.name) → \(target.name)") {
            OCTNewCoordinateTransformation(source.handle, target.handle)
        }
        self.source = source
        self.target = target
    }

    private init(handle: OGRCoordinateTransformationH, source: SpatialReference, target: SpatialReference) {
        self.handle = handle; self.source = source; self.target = target
    }

    deinit { OCTDestroyCoordinateTransformation(handle) }

    /// Whether PROJ's operation from `source` to `target` leaves every coordinate as it is: its
    /// definition is `proj=noop`, as for CGCS2000 → WGS 84 (datums that agree to about a metre,
    /// which PROJ does not shift). A parcel layer's second transformation is then skipped
    /// instead of run on every vertex.
    ///
    /// The corresponding C functions are `proj_create_crs_to_crs`, `proj_normalize_for_visualization`
    /// and `proj_pj_info`.
    public static func isNoOperation(from source: SpatialReference, to target: SpatialReference) throws(GDALError) -> Bool {
        isNoOperation(fromWKT: try source.wkt(), toWKT: try target.wkt())
    }

    /// `isNoOperation(from:to:)` for CRSs given as WKT: safe on any thread (it uses a PROJ
    /// context of its own and no GDAL object), so it can run beside the thread that owns the
    /// `SpatialReference`s. It costs ≈ 0.1 s (PROJ's database searched in a fresh context).
    public static func isNoOperation(fromWKT sourceWKT: String, toWKT targetWKT: String) -> Bool {
        guard let context = proj_context_create() else { return false }
        defer { proj_context_destroy(context) }
        guard let operation = proj_create_crs_to_crs(context, sourceWKT, targetWKT, nil) else { return false }
        defer { proj_destroy(operation) }
        guard let normalized = proj_normalize_for_visualization(context, operation) else { return false }
        defer { proj_destroy(normalized) }
        guard let definition = proj_pj_info(normalized).definition else { return false }
        return String(cString: definition).split(separator: " ").first == "proj=noop"
    }

    /// An independent copy, for another thread: setting a transformation up queries PROJ's
    /// database (≈ 7 ms here), copying one does not (≈ 0.07 ms). Not to be called while this
    /// transformation is in use on another thread.
    ///
    /// The corresponding C function is `OCTClone`.
    public func clone() throws(GDALError) -> CoordinateTransformation {
        let copy = try gdalNonNull("OCTClone", context: "\(source.name) → \(target.name)") { OCTClone(handle) }
        return CoordinateTransformation(handle: copy, source: source, target: target)
    }

    /// Transforms points in place; returns false for any point PROJ could not transform.
    ///
    /// The corresponding C function is `OCTTransform`.
    public func transform(x: inout [Double], y: inout [Double]) -> Bool {
        precondition(x.count == y.count)
        let count = Int32(x.count)
        return x.withUnsafeMutableBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                OCTTransform(handle, count, xs.baseAddress, ys.baseAddress, nil) != 0
            }
        }
    }

    /// Transforms one point, or nil if PROJ cannot.
    public func transform(x: Double, y: Double) -> (x: Double, y: Double)? {
        var xs = [x], ys = [y]
        guard transform(x: &xs, y: &ys), xs[0].isFinite, ys[0].isFinite else { return nil }
        return (xs[0], ys[0])
    }
}

@available(*, unavailable)
extension CoordinateTransformation: Sendable {}
