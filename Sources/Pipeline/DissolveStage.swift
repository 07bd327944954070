import GeoKit
import IrrigationModel

/// Dissolves parcels into one (multi)polygon per (zone, crop class). Land-survey parcels form a
/// coverage, for which GEOS's coverage union is fast and exact; if the union's area differs from
/// the parts' (overlaps) or the result is invalid, a general union is used instead.
enum DissolveStage {
    static func run(parcels: [Parcel], assessments: [ParcelAssessment], ellipsoid: Ellipsoid) throws -> [ZonePolygon] {
        var groups: [String: (Zone, CropClass, [Int])] = [:]
        for (index, assessment) in assessments.enumerated() {
            let key = "\(assessment.zone.rawValue)|\(assessment.classification.cropClass.rawValue)"
            groups[key, default: (assessment.zone, assessment.classification.cropClass, [])].2.append(index)
        }
        let context = GEOSContext()
        return try groups.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { zone, cropClass, indices in
            let parts = try indices.map { try context.geometry(wkb: WKB.encode(parcels[$0].geometry)) }
            let collection = try context.collection(parts)
            let partsArea = parts.reduce(0) { $0 + $1.area }
            // GEOS refuses some overlaps outright and silently mis-handles others: accept the
            // coverage union only when it is valid and keeps the parts' total area.
            var method = "coverage"
            let coverage = try? collection.coverageUnion()
            var union: GEOSGeometryValue
            if let coverage, coverage.isValid, abs(coverage.area - partsArea) <= 1e-9 * max(partsArea, 1e-12) {
                union = coverage
            } else {
                method = "cascaded"
                union = try collection.unaryUnion()
            }
            let shape = try WKB.multiPolygon(from: try union.wkb()).rightHandRule()
            let area = shape.polygons.reduce(0.0) { sum, polygon in
                polygon.rings.enumerated().reduce(sum) { s, ring in
                    let a = ellipsoid.ringArea(longitudes: ring.element.map(\.x), latitudes: ring.element.map(\.y))
                    return ring.offset == 0 ? s + a : s - a
                }
            }
            return ZonePolygon(zone: zone, cropClass: cropClass, geometry: shape, areaSquareMetres: area, parcelCount: indices.count, method: method)
        }
    }
}
