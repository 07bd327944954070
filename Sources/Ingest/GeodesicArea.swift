import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

extension Ellipsoid {
    /// Geodesic area (m²) of a lon/lat multipolygon: exterior rings minus holes, summed in ring
    /// order. A large shape (a dissolved zone: 10⁵ rings and more) has its rings measured on all
    /// cores first; the sum is the same.
    public func area(of shape: MultiPolygon) -> Double {
        let rings = shape.polygons.flatMap { polygon in polygon.rings.indices.map { (ring: polygon.rings[$0], isExterior: $0 == 0) } }
        let vertices = rings.reduce(0) { $0 + $1.ring.count }
        let areas = vertices < Self.parallelAreaVertices
            ? rings.map { ringArea(longitudes: $0.ring.map(\.x), latitudes: $0.ring.map(\.y)) }
            : parallelMap(count: rings.count, chunkSize: 256) { ringArea(longitudes: rings[$0].ring.map(\.x), latitudes: rings[$0].ring.map(\.y)) }
        return zip(rings, areas).reduce(0.0) { total, ring in ring.0.isExterior ? total + ring.1 : total - ring.1 }
    }

    /// From this many vertices a shape's rings are measured on all cores (below, starting the
    /// threads costs more than it saves).
    static let parallelAreaVertices = 20_000
}
