import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// The geometry work on each feature: validity, repair, the transformation to WGS84, the area on
/// the CRS's ellipsoid, and the re-check of what will be written.
extension ParcelReader {

    /// A feature's place as rejects and repairs name it: its id, else its position.
    static func location(featureID: Int64?, ordinal: Int) -> String { featureID.map { "feature \($0)" } ?? "feature #\(ordinal)" }

    /// A feature read by GDAL, waiting for its geometry work.
    struct ParcelDraft: Sendable {
        /// Where the feature is, for a reject or a repair: made only when one needs it (a string
        /// per feature cost the reading thread).
        var featureID: Int64?, ordinal: Int
        var location: String { ParcelReader.location(featureID: featureID, ordinal: ordinal) }
        /// The parcel's id, packed with its shape by `processGeometries`.
        var id: String
        /// Taken (moved out) when the parcel is accepted.
        var parcel: Parcel?
        var wkb: [UInt8]?
        var idWasEmpty: Bool
        var badPH: String?
    }

    struct DraftResult: Sendable {
        enum Outcome: Sendable {
            case accepted(area: Double, repair: String?)
            case rejected(Reject)
        }
        var outcome: Outcome
        /// The accepted shape, until `processGeometries` packs it with the parcel's id into
        /// `packed`, with those of the chunk's other parcels.
        var shape: MultiPolygon? = nil
        var packed: ParcelIDAndShape? = nil
        var linearised: Bool
        var warnings: [GDALWarning]
        /// Z or M coordinates were dropped (survey layers often carry heights).
        var flattened = false
    }

    /// The geometry work of some drafts, on the calling (worker) thread: its own PROJ
    /// transformations and its own GDAL warning collector (GDAL's handler stack is per thread).
    static func processGeometries(_ drafts: ArraySlice<ParcelDraft>, transforms shared: SharedWGS84Transform, ellipsoid: Ellipsoid,
                                  crsLabel: String, file: String) -> [DraftResult] {
        let diagnostics = Diagnostics()
        return diagnostics.collect { () -> [DraftResult] in
            let geos = GEOSContext()
            let transforms: WGS84Transform
            do {
                transforms = try shared.forCurrentThread()
            } catch {
                return drafts.map { draft in
                    DraftResult(outcome: .rejected(Reject(file: file, location: draft.location, field: "geometry", code: .geometryError,
                                                          reason: "PROJ could not set up the transformation: \(error)")), linearised: false, warnings: [])
                }
            }
            // By index: `map` handed each draft over as a copy of its parcel and WKB.
            var shapes: [(id: String, shape: MultiPolygon)] = [], accepted: [Int] = []
            var results = drafts.indices.map { index in
                var result = processGeometry(wkb: drafts[index].wkb, location: drafts[index].location, transforms: transforms,
                                             ellipsoid: ellipsoid, crsLabel: crsLabel, file: file, diagnostics: diagnostics, geos: geos)
                result.warnings = diagnostics.drainWarnings()
                if let shape = result.shape {
                    shapes.append((drafts[index].id, shape)); accepted.append(index - drafts.startIndex)  // a place in `results`
                    result.shape = nil
                }
                return result
            }
            for (index, packed) in zip(accepted, ParcelIDAndShape.packTogether(shapes)) { results[index].packed = packed }
            return results
        }
    }

    /// - Parameter location: the feature's place in the layer, for a reject (made only then).
    static func processGeometry(wkb: [UInt8]?, location: @autoclosure () -> String, transforms: WGS84Transform,
                                ellipsoid: Ellipsoid, crsLabel: String, file: String, diagnostics: Diagnostics, geos: GEOSContext) -> DraftResult {
        func reject(_ code: RejectCode, _ reason: String, linearised: Bool = false) -> DraftResult {
            DraftResult(outcome: .rejected(Reject(file: file, location: location(), field: "geometry", code: code, reason: reason)),
                        linearised: linearised, warnings: [])
        }
        guard let wkb else { return reject(.geometryNull, "the feature has no geometry") }
        let outcome: GeometryOutcome
        // The common case, a plain polygon, is decoded once and checked without OGR.
        let plain = isPlainPolygon(wkb) ? try? WKB.multiPolygon(from: wkb) : nil
        do {
            outcome = plain.map { isValidPlainPolygon($0, wkb: wkb, geos: geos) } == true ? .accepted(wkb: wkb, repair: nil, linearised: false)
                : try prepareGeometry(try Geometry(wkb: wkb), diagnostics: diagnostics)
        } catch {
            return reject(.geometryError, "GDAL could not process the geometry: \(error)")
        }
        switch outcome {
        case .rejected(let code, let reason):
            return reject(code, reason)
        case .accepted(let accepted, let repair, let linearised, let flattened):
            guard let projected = accepted == wkb ? plain : try? WKB.multiPolygon(from: accepted) else {
                return reject(.geometryError, "the geometry could not be decoded", linearised: linearised)
            }
            guard let (lonLat, area) = reproject(projected, toGeographic: transforms.toGeographic, geographicToWGS84: transforms.geographicToWGS84, ellipsoid: ellipsoid) else {
                return reject(.geometryOutsideCRS, "coordinates cannot be transformed from \(crsLabel) to WGS84", linearised: linearised)
            }
            // Reprojection and rounding to the output precision can make a valid polygon
            // invalid (reference/peers.md B.2, QGIS #58169): check what will be written.
            let checked: OutputGeometryOutcome
            do { checked = try outputGeometry(lonLat.rightHandRule(), diagnostics: diagnostics, geos: geos) } catch {
                return reject(.geometryError, "GDAL could not check the output geometry: \(error)", linearised: linearised)
            }
            switch checked {
            case .valid(let geometry):
                return DraftResult(outcome: .accepted(area: area, repair: repair), shape: geometry, linearised: linearised, warnings: [], flattened: flattened)
            case .repaired(let geometry, let reason):
                return DraftResult(outcome: .accepted(area: area, repair: repair ?? reason), shape: geometry, linearised: linearised, warnings: [],
                                   flattened: flattened)
            case .unrepairable(let reason):
                return reject(.geometryUnrepairable, reason, linearised: linearised)
            }
        }
    }

    /// Whether the WKB is a 2D polygon or multipolygon: the common case, accepted as read when
    /// valid, without building an OGR geometry (which hands GEOS a converted copy) and exporting
    /// it again: that took a third of the geometry work. Anything else takes `prepareGeometry`,
    /// which names the problem and repairs it.
    static func isPlainPolygon(_ wkb: [UInt8]) -> Bool {
        guard wkb.count >= 9, wkb[0] <= 1 else { return false }
        let type = wkb[0] == 1 ? UInt32(wkb[1]) | UInt32(wkb[2]) << 8 | UInt32(wkb[3]) << 16 | UInt32(wkb[4]) << 24
            : UInt32(wkb[4]) | UInt32(wkb[3]) << 8 | UInt32(wkb[2]) << 16 | UInt32(wkb[1]) << 24
        return type == 3 || type == 6  // wkbPolygon, wkbMultiPolygon
    }

    /// A plain polygon (`isPlainPolygon`) is valid and not empty: certainly so by
    /// `QuickValidity`, else as GEOS finds it straight from the WKB.
    static func isValidPlainPolygon(_ shape: MultiPolygon, wkb: [UInt8], geos: GEOSContext) -> Bool {
        if QuickValidity.isCertainlyValid(shape) { return true }
        guard let geometry = try? geos.geometry(wkb: wkb) else { return false }
        return !geometry.isEmpty && geometry.isValid
    }

    enum GeometryOutcome {
        /// `repair` says why the input was invalid (GEOS's words), when it was repaired.
        case accepted(wkb: [UInt8], repair: String?, linearised: Bool, flattened: Bool = false)
        case rejected(code: RejectCode, reason: String)
    }

    /// Null/empty/non-polygon → reject; curves → linearised; invalid → make-valid, re-checked.
    /// GEOS reports why a geometry is invalid as a GDAL warning; it is taken from `diagnostics`
    /// and attached to this feature instead of the run's general warnings.
    static func prepareGeometry(_ geometry: Geometry?, diagnostics: Diagnostics) throws(GDALError) -> GeometryOutcome {
        guard var geometry else { return .rejected(code: .geometryNull, reason: "the feature has no geometry") }
        if geometry.isEmpty { return .rejected(code: .geometryEmpty, reason: "the geometry is empty") }
        var linearised = false
        if case .curve = geometry.type {
            geometry = try geometry.linearized()
            linearised = true
        }
        // Z and M are dropped (the rules are planar and areal), and counted for a warning.
        let flattened = geometry.hasZOrM
        if flattened { geometry.flattenTo2D() }
        guard geometry.type.isPolygonal else {
            return .rejected(code: .geometryNotPolygon,
                             reason: "expected a Polygon or MultiPolygon, found \(geometry.type)")
        }
        let mark = diagnostics.mark
        let isValid = geometry.isValid
        let invalidity = diagnostics.takeWarnings(since: mark).map(\.message).joined(separator: "; ")
        if isValid { return .accepted(wkb: try geometry.wkb(), repair: nil, linearised: linearised, flattened: flattened) }
        let why = invalidity.isEmpty ? "invalid geometry" : invalidity
        let fixed = try geometry.makeValid()
        guard let polygonal = try fixed.polygonalPart(), !polygonal.isEmpty, polygonal.planarArea > 0 else {
            return .rejected(code: .geometryUnrepairable, reason: "\(why); make-valid left no area")
        }
        let recheckMark = diagnostics.mark
        let repairedIsValid = polygonal.isValid
        _ = diagnostics.takeWarnings(since: recheckMark)
        guard repairedIsValid else {
            return .rejected(code: .geometryUnrepairable, reason: "\(why); still invalid after make-valid")
        }
        return .accepted(wkb: try polygonal.wkb(), repair: why, linearised: linearised, flattened: flattened)
    }

    enum OutputGeometryOutcome {
        case valid(MultiPolygon)
        case repaired(MultiPolygon, reason: String)
        case unrepairable(reason: String)
    }

    /// Rounds to the output precision and makes sure the result is valid, repairing it in WGS84
    /// (and rounding again) when rounding or reprojection broke it.
    static func outputGeometry(_ lonLat: MultiPolygon, diagnostics: Diagnostics, geos: GEOSContext) throws(GDALError) -> OutputGeometryOutcome {
        var candidate = lonLat.rounded(decimals: OutputPrecision.coordinateDecimals)
        // Nearly always still valid: certainly so for a small single ring (`QuickValidity`), else
        // GEOS says so straight from the WKB (no OGR geometry).
        if QuickValidity.isCertainlyValid(candidate) { return .valid(candidate) }
        if let geometry = try? geos.geometry(wkb: WKB.encode(candidate)), !geometry.isEmpty, geometry.isValid { return .valid(candidate) }
        var reasons: [String] = []
        for _ in 0..<3 {
            let geometry = try Geometry(wkb: WKB.encode(candidate))
            let mark = diagnostics.mark
            let isValid = geometry.isValid
            let why = diagnostics.takeWarnings(since: mark).map(\.message).joined(separator: "; ")
            if isValid {
                return reasons.isEmpty ? .valid(candidate)
                    : .repaired(candidate, reason: "invalid after reprojection to WGS84 and rounding to \(OutputPrecision.coordinateDecimals) decimals: \(reasons[0])")
            }
            reasons.append(why.isEmpty ? "invalid geometry" : why)
            guard let polygonal = try geometry.makeValid().polygonalPart(), !polygonal.isEmpty,
                  let decoded = try? WKB.multiPolygon(from: try polygonal.wkb()) else { break }
            candidate = decoded.rightHandRule().rounded(decimals: OutputPrecision.coordinateDecimals)
        }
        return .unrepairable(reason: "invalid after reprojection to WGS84 and rounding (\(reasons.first ?? "")), and make-valid could not fix it")
    }

    /// Source CRS → (WGS84 lon/lat geometry, ellipsoidal area in m²), or nil if PROJ fails.
    static func reproject(_ geometry: MultiPolygon, toGeographic: CoordinateTransformation,
                   geographicToWGS84: CoordinateTransformation?, ellipsoid: Ellipsoid) -> (MultiPolygon, Double)? {
        var (xs, ys) = geometry.coordinateArrays
        guard toGeographic.transform(x: &xs, y: &ys) else { return nil }
        // Area per ring on the source ellipsoid: exterior minus holes.
        var area = 0.0
        var cursor = 0
        for polygon in geometry.polygons {
            for (index, ring) in polygon.rings.enumerated() {
                let range = cursor..<(cursor + ring.count)
                let ringArea = xs.withUnsafeBufferPointer { xs in
                    ys.withUnsafeBufferPointer { ys in
                        ellipsoid.ringArea(longitudes: UnsafeBufferPointer(rebasing: xs[range]), latitudes: UnsafeBufferPointer(rebasing: ys[range]))
                    }
                }
                area += index == 0 ? ringArea : -ringArea
                cursor += ring.count
            }
        }
        if let geographicToWGS84 { guard geographicToWGS84.transform(x: &xs, y: &ys) else { return nil } }
        guard xs.allSatisfy(Self.isLongitude), ys.allSatisfy(Self.isLatitude) else { return nil }
        return (geometry.withCoordinates(xs: xs, ys: ys), area)
    }

    /// Stops early when the layer's coordinates cannot be on the earth in its CRS, e.g. a
    /// Gauss–Krüger layer with zone-prefixed eastings (38 500 000) declared without the prefix.
    func checkExtent(of layer: Layer, transform: CoordinateTransformation, crsLabel: String) throws {
        guard let extent = layer.extent(), extent.minX <= extent.maxX else { return }
        let corners = [(extent.minX, extent.minY), (extent.maxX, extent.maxY), (extent.minX, extent.maxY), (extent.maxX, extent.minY)]
        let fits = corners.allSatisfy { corner in
            guard let p = transform.transform(x: corner.0, y: corner.1) else { return false }
            return Self.isLongitude(p.x) && Self.isLatitude(p.y)
        }
        guard !fits else { return }
        var hint: String? = nil
        if extent.minX > 1_000_000 {
            hint = "eastings above 1 000 000 usually carry a Gauss–Krüger zone prefix (e.g. 38 500 000): "
                + "use the zone-prefixed CGCS2000 code (EPSG:4513–4533) instead of a \"CM xxxE\" code (EPSG:4534–4554)"
        }
        throw IngestError.coordinatesOutsideCRS(path: options.path, crs: crsLabel, extent: extent, hint: hint)
    }

    /// Longitudes and latitudes, allowing the last-bit noise of world layers (180.00000000000006).
    static func isLongitude(_ value: Double) -> Bool { value.isFinite && abs(value) <= 180 + 1e-9 }
    static func isLatitude(_ value: Double) -> Bool { value.isFinite && abs(value) <= 90 + 1e-9 }
}
