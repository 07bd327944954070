import CGDAL

/// An ellipsoid of revolution: semi-major axis in metres and flattening.
public struct Ellipsoid: Sendable, Hashable, Codable {
    public let semiMajorAxis: Double
    public let flattening: Double

    public init(semiMajorAxis: Double, flattening: Double) {
        self.semiMajorAxis = semiMajorAxis
        self.flattening = flattening
    }

    /// GRS 80 as used by CGCS2000 (a = 6 378 137 m, 1/f = 298.257222101).
    public static let cgcs2000 = Ellipsoid(semiMajorAxis: 6_378_137, flattening: 1 / 298.257222101)
    public static let wgs84 = Ellipsoid(semiMajorAxis: 6_378_137, flattening: 1 / 298.257223563)

    /// Geodesic area (m², unsigned) of one ring given as longitude/latitude degrees.
    ///
    /// Uses PROJ's geodesic API (Karney 2013), as the national land survey computes ellipsoidal
    /// area. A closing vertex equal to the first is allowed. The corresponding C function is
    /// `geod_polygonarea`.
    public func ringArea(longitudes: [Double], latitudes: [Double]) -> Double {
        precondition(longitudes.count == latitudes.count)
        var count = longitudes.count
        if count > 1, longitudes[0] == longitudes[count - 1], latitudes[0] == latitudes[count - 1] {
            count -= 1  // geod_polygonarea closes the ring itself
        }
        guard count >= 3 else { return 0 }
        var geodesic = geod_geodesic()
        geod_init(&geodesic, semiMajorAxis, flattening)
        var area = 0.0, perimeter = 0.0
        // geod_polygonarea takes (lats, lons) as non-const double*; it does not modify them.
        var lats = latitudes, lons = longitudes
        lats.withUnsafeMutableBufferPointer { latBuffer in
            lons.withUnsafeMutableBufferPointer { lonBuffer in
                geod_polygonarea(&geodesic, latBuffer.baseAddress, lonBuffer.baseAddress, Int32(count), &area, &perimeter)
            }
        }
        return abs(area)
    }
}
