import CGEOS
import PlanarGeometry

/// A GEOS context (the reentrant `_r` API). One per thread: not `Sendable`.
///
/// Used for what OGR 3.6 does not expose — coverage union for dissolving a land-survey
/// coverage — and for the validity check of plain polygons straight from WKB (the parcel
/// reader's common case); everything else goes through OGR.
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    /// Messages GEOS reported (notices and errors), for the run's warnings.
    public private(set) var messages: [String] = []

    /// The corresponding C function is `GEOS_init_r`.
    public init() {
        handle = GEOS_init_r()
        let context = Unmanaged.passUnretained(self).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let message, let userData else { return }
            Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue().messages.append(String(cString: message))
        }, context)
    }

    deinit { GEOS_finish_r(handle) }

    /// Reads WKB. The corresponding C function is `GEOSGeomFromWKB_buf_r`.
    public func geometry(wkb: [UInt8]) throws(GDALError) -> GEOSGeometryValue {
        guard let geometry = wkb.withUnsafeBufferPointer({ GEOSGeomFromWKB_buf_r(handle, $0.baseAddress, $0.count) }) else {
            throw GDALError(code: 0, message: messages.last ?? "invalid WKB", function: "GEOSGeomFromWKB_buf_r")
        }
        return GEOSGeometryValue(adopting: geometry, context: self)
    }

    /// A collection of the polygons of `parts` (multipolygons are flattened), taking ownership.
    /// The corresponding C function is `GEOSGeom_createCollection_r`.
    public func collection(_ parts: [GEOSGeometryValue]) throws(GDALError) -> GEOSGeometryValue {
        var polygons: [OpaquePointer?] = []
        for part in parts {
            let count = GEOSGetNumGeometries_r(handle, part.handle)
            if GEOSGeomTypeId_r(handle, part.handle) == Int32(GEOS_MULTIPOLYGON.rawValue) {
                for index in 0..<count { polygons.append(GEOSGeom_clone_r(handle, GEOSGetGeometryN_r(handle, part.handle, index))) }
            } else {
                polygons.append(GEOSGeom_clone_r(handle, part.handle))
            }
        }
        let result = polygons.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createCollection_r(handle, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), buffer.baseAddress, UInt32(buffer.count))
        }
        guard let result else { throw GDALError(code: 0, message: messages.last ?? "", function: "GEOSGeom_createCollection_r") }
        return GEOSGeometryValue(adopting: result, context: self)
    }
}

@available(*, unavailable)
extension GEOSContext: Sendable {}

/// A GEOS geometry owned by this value (freed in `deinit`), tied to its context.
public final class GEOSGeometryValue {
    let handle: OpaquePointer
    let context: GEOSContext

    init(adopting handle: OpaquePointer, context: GEOSContext) {
        self.handle = handle
        self.context = context
    }

    deinit { GEOSGeom_destroy_r(context.handle, handle) }

    /// Planar area. The corresponding C function is `GEOSArea_r`.
    public var area: Double {
        var value = 0.0
        _ = GEOSArea_r(context.handle, handle, &value)
        return value
    }

    /// The corresponding C function is `GEOSisValid_r`.
    public var isValid: Bool { GEOSisValid_r(context.handle, handle) == 1 }

    /// The corresponding C function is `GEOSisEmpty_r`.
    public var isEmpty: Bool { GEOSisEmpty_r(context.handle, handle) != 0 }

    /// Union of polygons that form a coverage (no overlaps, shared edges matching exactly):
    /// much faster than a general union, but wrong on overlapping input — check the result.
    /// The corresponding C function is `GEOSCoverageUnion_r`.
    public func coverageUnion() throws(GDALError) -> GEOSGeometryValue {
        guard let result = GEOSCoverageUnion_r(context.handle, handle) else {
            throw GDALError(code: 0, message: context.messages.last ?? "", function: "GEOSCoverageUnion_r")
        }
        return GEOSGeometryValue(adopting: result, context: context)
    }

    /// General (cascaded) union. The corresponding C function is `GEOSUnaryUnion_r`.
    public func unaryUnion() throws(GDALError) -> GEOSGeometryValue {
        guard let result = GEOSUnaryUnion_r(context.handle, handle) else {
            throw GDALError(code: 0, message: context.messages.last ?? "", function: "GEOSUnaryUnion_r")
        }
        return GEOSGeometryValue(adopting: result, context: context)
    }

    /// Repairs an invalid geometry keeping areas as areas (the STRUCTURE method, collapsed parts
    /// dropped), as `Geometry.makeValid` does through OGR. The corresponding C function is
    /// `GEOSMakeValidWithParams_r`.
    public func makeValid() throws(GDALError) -> GEOSGeometryValue {
        let params = GEOSMakeValidParams_create_r(context.handle)
        defer { GEOSMakeValidParams_destroy_r(context.handle, params) }
        GEOSMakeValidParams_setMethod_r(context.handle, params, GEOS_MAKE_VALID_STRUCTURE)
        GEOSMakeValidParams_setKeepCollapsed_r(context.handle, params, 0)
        guard let result = GEOSMakeValidWithParams_r(context.handle, handle, params) else {
            throw GDALError(code: 0, message: context.messages.last ?? "", function: "GEOSMakeValidWithParams_r")
        }
        return GEOSGeometryValue(adopting: result, context: context)
    }

    /// ISO WKB, little-endian. The corresponding C function is `GEOSWKBWriter_write_r`.
    public func wkb() throws(GDALError) -> [UInt8] {
        let writer = GEOSWKBWriter_create_r(context.handle)
        defer { GEOSWKBWriter_destroy_r(context.handle, writer) }
        GEOSWKBWriter_setByteOrder_r(context.handle, writer, Int32(GEOS_WKB_NDR.rawValue))
        var size = 0
        guard let bytes = GEOSWKBWriter_write_r(context.handle, writer, handle, &size) else {
            throw GDALError(code: 0, message: context.messages.last ?? "", function: "GEOSWKBWriter_write_r")
        }
        defer { GEOSFree_r(context.handle, bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }
}

@available(*, unavailable)
extension GEOSGeometryValue: Sendable {}
