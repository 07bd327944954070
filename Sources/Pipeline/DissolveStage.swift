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
        // Groups are independent: one GEOS context per group, on all cores.
        let ordered = groups.values.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let results = parallelMap(count: ordered.count, chunkSize: 1) { index -> Result<ZonePolygon, GDALError> in
            let (zone, cropClass, indices) = ordered[index]
            return Result { () throws(GDALError) -> ZonePolygon in
                try dissolve(zone: zone, cropClass: cropClass, indices: indices, parcels: parcels, ellipsoid: ellipsoid)
            }
        }
        return try results.map { try $0.get() }
    }

    static func dissolve(zone: Zone, cropClass: CropClass, indices: [Int], parcels: [Parcel], ellipsoid: Ellipsoid) throws(GDALError) -> ZonePolygon {
        let context = GEOSContext()
        var parts: [GEOSGeometryValue] = []
        for index in indices { parts.append(try context.geometry(wkb: WKB.encode(parcels[index].geometry))) }
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
        let bytes = try union.wkb()
        let shape: MultiPolygon
        do { shape = try WKB.multiPolygon(from: bytes).rightHandRule() } catch {
            throw GDALError(code: 0, message: "unexpected geometry in the union: \(error)", function: "GEOSWKBWriter_write_r")
        }
        let area = shape.polygons.reduce(0.0) { sum, polygon in
            polygon.rings.enumerated().reduce(sum) { s, ring in
                let a = ellipsoid.ringArea(longitudes: ring.element.map(\.x), latitudes: ring.element.map(\.y))
                return ring.offset == 0 ? s + a : s - a
            }
        }
        return ZonePolygon(zone: zone, cropClass: cropClass, geometry: shape, areaSquareMetres: area, parcelCount: indices.count, method: method)
    }
}
