import GeoKit
import Ingest
import IrrigationModel
import PlanarGeometry
import RunSupport

/// Dissolves parcels into one (multi)polygon per (zone, crop class). Land-survey parcels form a
/// coverage, whose union is rebuilt from the edges only one parcel uses (`CoverageUnion`), then
/// checked with GEOS; where that fails (overlaps, T-junctions) GEOS's coverage union and, failing
/// that, its general (cascaded) union are used, strip by strip.
enum DissolveStage {
    /// Shapes to dissolve into one zone polygon.
    struct Group {
        var zone: Zone
        var cropClass: CropClass
        var shapes: [MultiPolygon]
        var parcelCount: Int
        /// The parcels' own (ellipsoidal, source CRS) areas, summed: a zone's area where they
        /// do not overlap (issue #23: measured again on WGS84 coordinates it differed, by
        /// −0.023 % on Bessel layers).
        var partsArea = 0.0
        /// The shapes are pieces that already needed GEOS's general union (`merge`).
        var cascadedBefore = false
        /// The coverage union's edge work done already, with the same shapes in the same order.
        var builder: CoverageUnion.Builder?
    }

    /// A zone and crop class: one zone polygon.
    struct GroupKey: Hashable, Sendable {
        var zone: Zone
        var cropClass: CropClass
    }

    /// The coverage unions of the groups, built as the parcels' outcomes come in (the output
    /// pass's sink adds each block's parcels), so their edge work overlaps the pass instead of
    /// leaving a core idle at the end.
    struct GroupUnions: Sendable {
        private(set) var builders: [GroupKey: CoverageUnion.Builder] = [:]
        private(set) var areas: [GroupKey: Double] = [:]

        mutating func add(_ shape: MultiPolygon, _ outcome: ParcelOutcome, areaSquareMetres: Double) {
            let key = GroupKey(zone: outcome.zone, cropClass: outcome.cropClass)
            builders[key, default: CoverageUnion.Builder()].add(shape)
            areas[key, default: 0] += areaSquareMetres
        }
    }

    /// - Parameter unions: the groups' unions built from these parcels and outcomes, in order;
    ///   the groups' shapes are then gathered only for a group whose union fails.
    static func run(parcels: [Parcel], outcomes: [ParcelOutcome], unions: GroupUnions? = nil) throws -> [ZonePolygon] {
        if let unions {
            let groups = unions.builders.map { key, builder in
                Group(zone: key.zone, cropClass: key.cropClass, shapes: [], parcelCount: builder.count, partsArea: unions.areas[key] ?? 0, builder: builder)
            }
            return try dissolve(groups) { key in
                outcomes.indices.filter { outcomes[$0].zone == key.zone && outcomes[$0].cropClass == key.cropClass }.map { parcels[$0].geometry }
            }
        }
        var groups: [GroupKey: Group] = [:]
        for (index, outcome) in outcomes.enumerated() {
            let key = GroupKey(zone: outcome.zone, cropClass: outcome.cropClass)
            groups[key, default: Group(zone: outcome.zone, cropClass: outcome.cropClass, shapes: [], parcelCount: 0, builder: unions?.builders[key])]
                .shapes.append(parcels[index].geometry)
            groups[key]!.parcelCount += 1
            groups[key]!.partsArea += parcels[index].areaSquareMetres
        }
        return try dissolve(Array(groups.values))
    }

    /// Zone pieces of the parts of a partitioned run, unioned across the parts' edges (in a
    /// coverage the shared edges cancel, as they do between parcels).
    static func merge(pieces: [ZonePolygon]) throws -> [ZonePolygon] {
        var groups: [GroupKey: Group] = [:]
        for piece in pieces {
            let key = GroupKey(zone: piece.zone, cropClass: piece.cropClass)
            groups[key, default: Group(zone: piece.zone, cropClass: piece.cropClass, shapes: [], parcelCount: 0)].shapes.append(piece.geometry)
            groups[key]!.parcelCount += piece.parcelCount
            groups[key]!.partsArea += piece.areaSquareMetres
            if piece.method == "cascaded" { groups[key]!.cascadedBefore = true }
        }
        return try dissolve(Array(groups.values))
    }

    /// - Parameter shapesOf: the shapes of a group built with `builder` and no `shapes`.
    static func dissolve(_ groups: [Group], shapesOf: ((GroupKey) -> [MultiPolygon])? = nil) throws -> [ZonePolygon] {
        let ordered = groups.sorted { ($0.zone, $0.cropClass) < ($1.zone, $1.cropClass) }

        // First the coverage union of each whole group (all cores, one group each), checked by
        // GEOS: valid, and the parts' area kept. The largest groups start first: one started
        // last kept a single core busy alone at the end (a second at 10⁶ parcels).
        let largestFirst = ordered.indices.sorted { ordered[$0].parcelCount > ordered[$1].parcelCount }
        let directLargestFirst = parallelMap(count: ordered.count, chunkSize: 1) { position -> Result<ZonePolygon?, GDALError> in
            let group = ordered[largestFirst[position]]
            return Result { () throws(GDALError) -> ZonePolygon? in
                let context = GEOSContext()
                let union = group.builder.map { $0.finish() } ?? CoverageUnion.union(group.shapes)
                let partsArea = group.builder?.area ?? group.shapes.reduce(0) { $0 + $1.planarArea }
                guard let union = try checkedCoverageUnion(union, partsArea: partsArea, context: context) else { return nil }
                return try zonePolygon(union, group, method: group.cascadedBefore ? "cascaded" : "coverage", checkedValid: true, context: context)
            }
        }
        var zones = [ZonePolygon?](repeating: nil, count: ordered.count)
        for (position, result) in directLargestFirst.enumerated() { zones[largestFirst[position]] = try result.get() }

        // Groups that are not a coverage (overlaps, T-junctions) are cut into strips of parcels
        // (by x), each strip unioned on its own (all cores, one GEOS context per strip), then the
        // strips are unioned. An overlap then costs a cascaded union of one strip, not of the
        // whole group.
        let fallback = ordered.indices.filter { zones[$0] == nil }
        var gathered = ordered
        for index in fallback where gathered[index].shapes.isEmpty {
            gathered[index].shapes = shapesOf?(GroupKey(zone: gathered[index].zone, cropClass: gathered[index].cropClass)) ?? []
        }
        let withShapes = gathered
        var strips: [(group: Int, indices: [Int])] = []
        for groupIndex in fallback {
            let shapes = withShapes[groupIndex].shapes
            let byX = shapes.indices.sorted { (shapes[$0].bounds?.minX ?? 0) < (shapes[$1].bounds?.minX ?? 0) }
            for start in stride(from: 0, to: byX.count, by: stripSize) {
                strips.append((groupIndex, Array(byX[start..<min(start + stripSize, byX.count)])))
            }
        }
        let stripList = strips
        let stripResults = parallelMap(count: stripList.count, chunkSize: 1) { index -> Result<(wkb: [UInt8], method: String), GDALError> in
            Result { () throws(GDALError) -> (wkb: [UInt8], method: String) in
                let context = GEOSContext()
                var parts: [GEOSGeometryValue] = []
                let shapes = withShapes[stripList[index].group].shapes
                for shape in stripList[index].indices { parts.append(try context.geometry(wkb: WKB.encode(shapes[shape]))) }
                let (union, method) = try unionChecked(try context.collection(parts))
                return (try union.wkb(), method)
            }
        }
        var byGroup = [[(wkb: [UInt8], method: String)]](repeating: [], count: withShapes.count)
        for (strip, result) in zip(stripList, stripResults) { byGroup[strip.group].append(try result.get()) }
        let pieceLists = byGroup
        let merged = parallelMap(count: fallback.count, chunkSize: 1) { position -> Result<ZonePolygon, GDALError> in
            let index = fallback[position]
            let group = withShapes[index]
            return Result { () throws(GDALError) -> ZonePolygon in
                let context = GEOSContext()
                let pieces = pieceLists[index]
                var method = group.cascadedBefore || pieces.contains { $0.method == "cascaded" } ? "cascaded" : "coverage"
                var union: GEOSGeometryValue
                if pieces.count == 1 {
                    union = try context.geometry(wkb: pieces[0].wkb)
                } else {
                    var geometries: [GEOSGeometryValue] = []
                    for piece in pieces { geometries.append(try context.geometry(wkb: piece.wkb)) }
                    let (merged, mergeMethod) = try unionChecked(try context.collection(geometries))
                    union = merged
                    if mergeMethod == "cascaded" { method = "cascaded" }
                }
                return try zonePolygon(union, group, method: method, context: context)
            }
        }
        for (position, result) in merged.enumerated() { zones[fallback[position]] = try result.get() }
        return zones.map { $0! }
    }

    /// A `CoverageUnion` of parts with `partsArea` in all (`planarArea`), kept only when GEOS
    /// finds it valid and it has that area; nil otherwise (the input was not a coverage).
    static func checkedCoverageUnion(_ union: MultiPolygon?, partsArea: Double, context: GEOSContext) throws(GDALError) -> GEOSGeometryValue? {
        guard let union else { return nil }
        let geometry = try context.geometry(wkb: WKB.encode(union))
        guard geometry.isValid, abs(geometry.area - partsArea) <= 1e-9 * max(partsArea, 1e-12) else { return nil }
        return geometry
    }

    /// Parcels per strip: small enough that a cascaded union of one strip is cheap, large
    /// enough that the final union has few pieces.
    static let stripSize = 4096

    /// Coverage union when it is valid and keeps the parts' total area (GEOS refuses some
    /// overlaps outright and silently mis-handles others), else a cascaded union.
    static func unionChecked(_ collection: GEOSGeometryValue) throws(GDALError) -> (GEOSGeometryValue, String) {
        let partsArea = collection.area
        if let coverage = try? collection.coverageUnion(), coverage.isValid, abs(coverage.area - partsArea) <= 1e-9 * max(partsArea, 1e-12) {
            return (coverage, "coverage")
        }
        return (try collection.unaryUnion(), "cascaded")
    }

    /// The zone as written: its geometry rounded to the output precision and checked by GEOS
    /// (repaired with make-valid where rounding left degenerate holes or self-intersections:
    /// issue #23), and its area. A coverage's area is its parcels' areas summed; a union of
    /// overlapping parcels has less, measured on WGS84 (the coordinates' own ellipsoid).
    /// - Parameter checkedValid: whether GEOS found `union` valid already (`checkedCoverageUnion`).
    static func zonePolygon(_ union: GEOSGeometryValue, _ group: Group, method: String, checkedValid: Bool = false,
                            context: GEOSContext) throws(GDALError) -> ZonePolygon {
        let bytes = try union.wkb()
        let shape: MultiPolygon
        do { shape = try WKB.multiPolygon(from: bytes).rightHandRule().canonicalOrder() } catch {
            throw GDALError(code: 0, message: "unexpected geometry in the union: \(error)", function: "GEOSWKBWriter_write_r")
        }
        let written = try OutputGeometry.valid(shape, checkedValid: checkedValid, context: context)
        let area = method == "coverage" && !group.cascadedBefore ? group.partsArea : Ellipsoid.wgs84.area(of: written)
        return ZonePolygon(zone: group.zone, cropClass: group.cropClass, geometry: written, areaSquareMetres: area, parcelCount: group.parcelCount,
                           method: method)
    }
}

/// A dissolved geometry as it will be written: rounded to the output precision (7 decimals) and
/// valid in GEOS's eyes. Rounding a union's new vertices can leave a degenerate hole, a hole
/// wound the wrong way or a self-intersection (found on real layers: issue #23).
enum OutputGeometry {
    /// - Parameter checkedValid: whether GEOS found `shape` valid already. Then, when rounding
    ///   moves no vertex (a coverage union of parcels has their vertices, already rounded), it is
    ///   not checked again: orientation and ring order do not change validity, and GEOS's check of
    ///   a zone with many holes is costly (docs/scaling.md).
    static func valid(_ shape: MultiPolygon, checkedValid: Bool = false, context: GEOSContext) throws(GDALError) -> MultiPolygon {
        let rounded = shape.rounded(decimals: OutputPrecision.coordinateDecimals)
        var candidate = rounded.rightHandRule()
        if checkedValid && rounded == shape { return candidate }
        for _ in 0..<3 {
            let geometry = try context.geometry(wkb: WKB.encode(candidate))
            if geometry.isValid { return candidate }
            let repaired = try geometry.makeValid()
            guard let decoded = try? WKB.multiPolygon(from: try repaired.wkb()), !decoded.polygons.isEmpty else { break }
            candidate = decoded.rightHandRule().canonicalOrder().rounded(decimals: OutputPrecision.coordinateDecimals)
        }
        throw GDALError(code: 0, message: "a zone stays invalid after make-valid at \(OutputPrecision.coordinateDecimals) decimals",
                        function: "GEOSMakeValidWithParams_r")
    }
}
