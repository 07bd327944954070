import Foundation
import GeoKit
import Ingest
import IrrigationModel
import PlanarGeometry
import RunSupport

/// Exclusion areas (drinking-water source protection zones, wells, rivers …): any geometry,
/// buffered by a distance in metres, then intersected with the parcels.
enum ExclusionStage {
    struct Area {
        var name: String
        var geometry: Geometry  // WGS84
        var box: BoundingBox
    }

    enum ExclusionError: Error, CustomStringConvertible {
        case noCRS(String)
        case severalLayers(path: String, layers: [String])
        case noLayer(path: String, layer: String, layers: [String])
        case unrepairable(path: String, feature: Int, reason: String)
        var description: String {
            switch self {
            case .noCRS(let path): "exclusion layer \(path) has no CRS; give it a .prj (or convert it to GeoJSON)"
            case let .severalLayers(path, layers):
                "exclusion source \(path) has several layers (\(layers.joined(separator: ", "))): name one with layer: under its exclusions entry in the project file"
            case let .noLayer(path, layer, layers):
                "exclusion source \(path) has no layer \"\(layer)\"; its layers are: \(layers.joined(separator: ", "))"
            case let .unrepairable(path, feature, reason):
                "exclusion area \(path) feature \(feature) is an invalid polygon that make-valid cannot repair (\(reason)); fix it in a GIS"
            }
        }
    }

    /// Per parcel, the share of its area (0–1) inside exclusion areas and their names; and the (buffered) areas themselves in WGS84 for the report's map.
    static func run(parcels: [Parcel], inputs: [ExclusionInput]) throws -> (shares: [(share: Double, names: [String])], shapes: [(name: String, shape: MultiPolygon)]) {
        var result = [(share: Double, names: [String])](repeating: (0, []), count: parcels.count)
        guard !inputs.isEmpty else { return (result, []) }
        GDALEnvironment.initialize()
        // GEOS's reasons for an invalid area are collected, not printed.
        let areas = try Diagnostics().collect { () throws -> [Area] in try inputs.flatMap(read) }
        let shapes: [(name: String, shape: MultiPolygon)] = try areas.compactMap { area in
            guard let polygonal = try area.geometry.polygonalPart(), let shape = try? WKB.multiPolygon(from: try polygonal.wkb()) else { return nil }
            return (area.name, shape)
        }
        // The parcels whose box meets each area's, found on all cores through an index of the
        // areas (a handful, where an index of a million parcels took longer to build than the
        // rest of the stage). A parcel's result depends on the order of the areas only.
        let areaIndex = SpatialIndex(boxes: areas.map(\.box))
        let areasAroundParcel = parallelChunks(count: parcels.count, chunkSize: 16_384) { range -> [[Int]] in
            var found: [Int] = []
            return range.map { parcelIndex in
                guard let box = parcels[parcelIndex].bounds else { return [] }
                found.removeAll(keepingCapacity: true)
                areaIndex.query(box, into: &found)
                return found
            }
        }
        var parcelsAroundArea = [[Int]](repeating: [], count: areas.count)
        for (parcelIndex, around) in areasAroundParcel.enumerated() { for area in around { parcelsAroundArea[area].append(parcelIndex) } }
        for (areaNumber, area) in areas.enumerated() {
            for parcelIndex in parcelsAroundArea[areaNumber] {
                let parcel = parcels[parcelIndex]
                let geometry = try Geometry(wkb: WKB.encode(parcel.geometry))
                guard geometry.intersects(area.geometry) else { continue }
                let overlap = try geometry.intersection(area.geometry)
                guard let polygonal = try overlap.polygonalPart(), let shape = try? WKB.multiPolygon(from: try polygonal.wkb()) else { continue }
                let overlapArea = Ellipsoid.wgs84.area(of: shape)
                let share = parcel.areaSquareMetres > 0 ? overlapArea / parcel.areaSquareMetres : 0
                guard share > 0 else { continue }
                // Overlapping exclusion areas could count twice; a share never exceeds the parcel.
                result[parcelIndex].share = min(1, result[parcelIndex].share + share)
                if !result[parcelIndex].names.contains(area.name) { result[parcelIndex].names.append(area.name) }
            }
        }
        return (result, shapes)
    }

    /// Reads one exclusion layer, buffering each feature in a local azimuthal equidistant
    /// projection centred on it, so the distance is in metres whatever the layer's CRS.
    static func read(_ input: ExclusionInput) throws -> [Area] {
        let dataset: Dataset
        do { dataset = try Dataset.open(ParcelReader.gdalPath(for: input.path), openOptions: input.openOptions) } catch {
            throw IngestError.cannotOpen(path: input.path, gdal: error, hint: nil)
        }
        // Several layers: the user says which (the first was used silently: issue #23).
        let withGeometry = dataset.layers.filter { $0.geometryType != .other("None") }  // attribute-only tables are not areas
        let layer: Layer
        if let name = input.layer {
            guard let named = dataset.layer(named: name) else {
                throw ExclusionError.noLayer(path: input.path, layer: name, layers: dataset.layers.map(\.name))
            }
            layer = named
        } else {
            guard withGeometry.count <= 1 else { throw ExclusionError.severalLayers(path: input.path, layers: withGeometry.map(\.name)) }
            guard let only = withGeometry.first ?? dataset.layer(at: 0) else { throw IngestError.noVectorLayer(path: input.path) }
            layer = only
        }
        if let filter = input.attributeFilter {
            do { try layer.setAttributeFilter(filter) } catch {
                throw IngestError.badFilter(path: input.path, layer: layer.name, whereClause: filter, gdal: error)
            }
        }
        guard let srs = try layer.spatialReference() else { throw ExclusionError.noCRS(input.path) }
        let wgs84 = try SpatialReference.wgs84()
        let toWGS84 = try CoordinateTransformation(from: srs, to: wgs84)
        let nameField = layer.fields.firstIndex { ["name", "名称", "zone_name"].contains($0.name.lowercased()) }
        var areas: [Area] = []
        var number = 0
        try layer.forEachFeature { feature in
            number += 1
            guard let source = feature.geometry, !source.isEmpty else { return }
            var geometry = try source.clone()
            try geometry.transform(with: toWGS84)
            if input.bufferMetres > 0 {
                let e = geometry.envelope
                let local = try SpatialReference(userInput: "+proj=aeqd +lat_0=\((e.minY + e.maxY) / 2) +lon_0=\((e.minX + e.maxX) / 2) +datum=WGS84 +units=m +no_defs")
                try geometry.transform(with: try CoordinateTransformation(from: wgs84, to: local))
                geometry = try geometry.buffer(distance: input.bufferMetres, quadrantSegments: 16)
                try geometry.transform(with: try CoordinateTransformation(from: local, to: wgs84))
            }
            guard geometry.type.isPolygonal || geometry.type == .geometryCollection else { return }  // unbuffered points and lines cover no area
            // Repaired like a parcel: an invalid polygon ended the run with a raw GEOS error.
            if !geometry.isValid {
                guard let repaired = try geometry.makeValid().polygonalPart(), !repaired.isEmpty, repaired.isValid else {
                    throw ExclusionError.unrepairable(path: input.path, feature: number, reason: "self-intersecting or degenerate rings")
                }
                geometry = repaired
            }
            let e = geometry.envelope
            let label = nameField.flatMap { feature.value(at: $0) == .null ? nil : TableReader.text(of: feature.value(at: $0)) }
            areas.append(Area(name: label ?? "\(input.name ?? (input.path as NSString).lastPathComponent) #\(number)", geometry: geometry,
                              box: BoundingBox(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY)))
        }
        return areas
    }
}

