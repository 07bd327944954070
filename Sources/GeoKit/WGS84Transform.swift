import Foundation
import PlanarGeometry
import RunSupport
import Synchronization

/// Whether a geographic CRS → WGS84 is a no-op, asked of PROJ once per CRS in a process.
///
/// CGCS2000 → WGS84 is one: PROJ knows no transformation between them and keeps the
/// coordinates. Finding that out searches PROJ's database (≈ 0.1 s in each fresh PROJ context,
/// docs/scaling.md), and a run needs it three times at its start (the parcels' geometry, the
/// layer's extent, the wells' x/y): asked once, on a thread of its own, and shared.
enum GeographicToWGS84 {
    /// Each CRS asked about (as WKT), with its answer.
    private static let answers = Mutex<[(wkt: String, answer: Promise<Bool>)]>([])
    /// The answer for WGS84 itself and for CGCS2000.
    static let knownNoOperation = Promise<Bool>(fulfilled: true)

    /// The answer for `geographic`: already there when `geographic` is WGS84 itself or CGCS2000
    /// (EPSG:4490, the datum of Chinese land-survey data, for which PROJ knows no transformation
    /// to WGS84: `SpatialTests` checks that this PROJ still says so); else worked out on a thread
    /// of its own by the first caller (PROJ is handed the CRS as WKT, so the caller's
    /// `SpatialReference` stays on the caller's thread) and shared with later callers that ask
    /// about the same CRS (`SpatialReference.isSame(as:)`).
    static func isNoOperation(_ geographic: SpatialReference) throws -> Promise<Bool> {
        let wgs84 = try SpatialReference.wgs84()
        if geographic.declaredAuthorityCode == "EPSG:4490" || geographic.isSame(as: wgs84) { return knownNoOperation }
        let geographicWKT = try geographic.wkt(), wgs84WKT = try wgs84.wkt()
        let (answer, asked) = answers.withLock { answers -> (Promise<Bool>, Bool) in
            if let known = answers.first(where: { $0.wkt == geographicWKT }) { return (known.answer, true) }
            for known in answers where (try? SpatialReference(userInput: known.wkt))?.isSame(as: geographic) == true { return (known.answer, true) }
            let answer = Promise<Bool>()
            answers.append((geographicWKT, answer))
            return (answer, false)
        }
        if !asked {
            Thread { answer.fulfil(CoordinateTransformation.isNoOperation(fromWKT: geographicWKT, toWKT: wgs84WKT)) }.start()
        }
        return answer
    }
}

/// The one route from a CRS to WGS84 lon/lat, for points, extents and parcel geometry alike, in
/// two steps: the CRS → its geographic CRS (the inverse of a projection, which PROJ sets up
/// without searching its database), then → WGS84 only when that step is not a no-op
/// (`GeographicToWGS84`). The geographic step is where areas are measured on the CRS's own
/// ellipsoid. One transformation straight to WGS84 searched PROJ's database again on every
/// thread that made one.
///
/// Used on the thread that made it (`SharedWGS84Transform` gives each worker thread its own).
public final class WGS84Transform {
    /// The CRS the points are in.
    public let source: SpatialReference
    public let toGeographic: CoordinateTransformation
    /// Nil when geographic → WGS84 is a no-op.
    public let geographicToWGS84: CoordinateTransformation?

    /// Waits for `GeographicToWGS84`'s answer when it is still being worked out.
    public init(from source: SpatialReference) throws {
        self.source = source
        let geographic = try source.geographic()
        toGeographic = try CoordinateTransformation(from: source, to: geographic)
        geographicToWGS84 = try GeographicToWGS84.isNoOperation(geographic).wait()
            ? nil : try CoordinateTransformation(from: geographic, to: try SpatialReference.wgs84())
    }

    fileprivate init(toGeographic: CoordinateTransformation, geographicToWGS84: CoordinateTransformation?) {
        source = toGeographic.source; self.toGeographic = toGeographic; self.geographicToWGS84 = geographicToWGS84
    }

    /// Transforms points in place; false when PROJ could not transform one of them.
    public func transform(x: inout [Double], y: inout [Double]) -> Bool {
        guard toGeographic.transform(x: &x, y: &y) else { return false }
        return geographicToWGS84?.transform(x: &x, y: &y) ?? true
    }

    /// One point, nil when PROJ could not transform it or the result is not finite.
    public func transform(x: Double, y: Double) -> Position? {
        guard let geographic = toGeographic.transform(x: x, y: y) else { return nil }
        guard let geographicToWGS84 else { return Position(x: geographic.x, y: geographic.y) }
        return geographicToWGS84.transform(x: geographic.x, y: geographic.y).map { Position(x: $0.x, y: $0.y) }
    }
}

/// A layer's transformation to WGS84 for the threads that work on its geometry: each thread
/// gets its own copy (`forCurrentThread()`), cloned from this one the first time the thread
/// works on the layer and kept by the thread for as long as it is the same layer. Setting a
/// transformation up on each worker queried PROJ's database each time (docs/scaling.md).
///
/// `@unchecked Sendable` because it holds GDAL objects: they are made on the thread that makes
/// this value, and afterwards only cloned, under `lock`, one thread at a time (`OCTClone` gives
/// the copy the calling thread's PROJ context); they never transform anything themselves.
public final class SharedWGS84Transform: @unchecked Sendable {
    private let toGeographic: CoordinateTransformation
    /// The geographic CRS as WKT, for the thread that first needs the WGS84 step.
    private let geographicWKT: String
    private let noOperation: Promise<Bool>
    /// Geographic → WGS84, set up under `lock` by the first copy that needs it.
    private var toWGS84: CoordinateTransformation?
    private let lock = NSLock()

    /// Whether geographic → WGS84 is a no-op is asked on a thread of its own while the caller
    /// goes on; the first copy waits for the answer.
    public init(from source: SpatialReference) throws {
        toGeographic = try CoordinateTransformation(from: source, to: try source.geographic())
        geographicWKT = try toGeographic.target.wkt()
        noOperation = try GeographicToWGS84.isNoOperation(toGeographic.target)
    }

    /// The calling thread's own copy.
    public func forCurrentThread() throws -> WGS84Transform {
        try threadCopy(key: "irrizone.SharedWGS84Transform", of: self, make: copy)
    }

    private func copy() throws -> WGS84Transform {
        let identity = noOperation.wait()
        return try lock.withLock {
            if !identity, toWGS84 == nil {
                toWGS84 = try CoordinateTransformation(from: try SpatialReference(userInput: geographicWKT), to: try SpatialReference.wgs84())
            }
            return WGS84Transform(toGeographic: try toGeographic.clone(), geographicToWGS84: identity ? nil : try toWGS84?.clone())
        }
    }
}
