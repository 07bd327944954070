import Foundation
import GeoKit
import IrrigationModel

/// Whether a geographic CRS → WGS84 is a no-op, asked of PROJ once per CRS in a process.
///
/// CGCS2000 → WGS84 is one: PROJ knows no transformation between them and keeps the
/// coordinates. Finding that out searches PROJ's database (≈ 290 M instructions, ≈ 0.1 s, in each
/// fresh PROJ context), and a run needs it three times at its start: for the parcels' geometry,
/// for the layer's extent (the monitoring tables check their samples against it) and for the
/// wells' x/y. Each asked it of PROJ on its own before, on the two threads that read. CGCS2000
/// itself is now answered without PROJ; other CRSs are asked of it once.
enum GeographicToWGS84 {
    private static let lock = NSLock()
    /// Each CRS asked about (as WKT), with its answer.
    private nonisolated(unsafe) static var answers: [(wkt: String, answer: Promised<Bool>)] = []
    /// The answer for WGS84 itself and for CGCS2000.
    static let knownNoOperation: Promised<Bool> = {
        let answer = Promised<Bool>()
        answer.fulfil(true)
        return answer
    }()

    /// The answer for `geographic`: already there when `geographic` is WGS84 itself, else
    /// worked out on a thread of its own by the first caller (its `SpatialReference` stays on the
    /// caller's thread: PROJ is handed the CRS as WKT) and shared with the callers after it that
    /// ask about the same CRS (`SpatialReference.isSame(as:)`: the CRS read back from a layer's
    /// WKT, as the monitoring tables take it, exports without the layer's area of use).
    ///
    /// CGCS2000 (EPSG:4490), the datum of Chinese land-survey data, is answered without PROJ:
    /// PROJ knows no transformation to WGS84 for it (`SpatialTests` checks that this PROJ still
    /// says so), and asking took ≈ 0.1 s of a core at every run's start, while both were busy
    /// reading.
    static func isNoOperation(_ geographic: SpatialReference) throws -> Promised<Bool> {
        let wgs84 = try SpatialReference.wgs84()
        if geographic.declaredAuthorityCode == "EPSG:4490" || geographic.isSame(as: wgs84) { return knownNoOperation }
        let geographicWKT = try geographic.wkt(), wgs84WKT = try wgs84.wkt()
        let (answer, asked) = lock.withLock { () -> (Promised<Bool>, Bool) in
            if let known = answers.first(where: { $0.wkt == geographicWKT }) { return (known.answer, true) }
            for known in answers where (try? SpatialReference(userInput: known.wkt))?.isSame(as: geographic) == true { return (known.answer, true) }
            let answer = Promised<Bool>()
            answers.append((geographicWKT, answer))
            return (answer, false)
        }
        if !asked {
            Thread { answer.fulfil(CoordinateTransformation.isNoOperation(fromWKT: geographicWKT, toWKT: wgs84WKT)) }.start()
        }
        return answer
    }
}

/// Points from a CRS to WGS84 lon/lat, in the two steps the parcels' geometry takes
/// (`ParcelReader.TransformPrototype`), so a well or a layer's extent lands where the parcels
/// do: the CRS → its geographic CRS, which PROJ sets up without searching its database (the
/// inverse of a projection, ≈ 1 M instructions), then → WGS84 only when that step is not a no-op
/// (`GeographicToWGS84`). One transformation straight to WGS84 searched the database again on
/// every thread that made one.
///
/// Used on the thread that made it.
final class WGS84Transform {
    /// The CRS the points are in.
    let source: SpatialReference
    private let toGeographic: CoordinateTransformation
    /// Nil when geographic → WGS84 is a no-op.
    private let geographicToWGS84: CoordinateTransformation?

    /// Waits for `GeographicToWGS84`'s answer when it is still being worked out.
    init(from source: SpatialReference) throws {
        self.source = source
        let geographic = try source.geographic()
        toGeographic = try CoordinateTransformation(from: source, to: geographic)
        geographicToWGS84 = try GeographicToWGS84.isNoOperation(geographic).wait()
            ? nil : try CoordinateTransformation(from: geographic, to: try SpatialReference.wgs84())
    }

    /// Transforms points in place; false when PROJ could not transform one of them.
    func transform(x: inout [Double], y: inout [Double]) -> Bool {
        guard toGeographic.transform(x: &x, y: &y) else { return false }
        return geographicToWGS84?.transform(x: &x, y: &y) ?? true
    }

    /// One point, nil when PROJ could not transform it or the result is not finite.
    func transform(x: Double, y: Double) -> Position? {
        guard let geographic = toGeographic.transform(x: x, y: y) else { return nil }
        guard let geographicToWGS84 else { return Position(x: geographic.x, y: geographic.y) }
        return geographicToWGS84.transform(x: geographic.x, y: geographic.y).map { Position(x: $0.x, y: $0.y) }
    }
}
