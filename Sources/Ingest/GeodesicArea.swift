import GeoKit
import IrrigationModel

extension Ellipsoid {
    /// Geodesic area (m²) of a lon/lat multipolygon: exterior rings minus holes.
    public func area(of shape: MultiPolygon) -> Double {
        shape.polygons.reduce(0.0) { sum, polygon in
            polygon.rings.enumerated().reduce(sum) { total, ring in
                let a = ringArea(longitudes: ring.element.map(\.x), latitudes: ring.element.map(\.y))
                return ring.offset == 0 ? total + a : total - a
            }
        }
    }
}
