import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// Facts about the whole parcel layer that decide things beyond one parcel: which parcel ids
/// exist (irrigation records must name one), which crops each source serves (a source is judged
/// by the strictest standard among them) and where the parcels lie (samples far outside are
/// rejected).
///
/// They count every feature, whether or not its geometry is accepted: a parcel with a broken
/// shape is still irrigated from its source. That makes them knowable from the attributes alone,
/// so a partitioned run (`--shard`), which reads the geometry of its own part only, reaches the
/// same verdicts as one run over the whole layer.
public struct ParcelCensus: Sendable, Hashable {
    /// A crop as the layer names it; classified against the crop catalog by the rules.
    public struct CropKey: Sendable, Hashable, Comparable {
        public var crop: String?
        public var landUseCode: String?

        public init(crop: String?, landUseCode: String?) { self.crop = crop; self.landUseCode = landUseCode }

        public static func < (a: CropKey, b: CropKey) -> Bool { (a.crop ?? "", a.landUseCode ?? "") < (b.crop ?? "", b.landUseCode ?? "") }
    }

    /// Features in the layer.
    public var featureCount = 0
    /// Every distinct parcel id (for the monitoring tables' rows); emptied by `dropParcelIDs()`
    /// once they are read.
    public var parcelIDs = Set<String>()
    private var droppedIDCount: Int? = nil
    /// How many distinct parcel ids the layer has.
    public var distinctIDCount: Int { droppedIDCount ?? parcelIDs.count }

    /// Frees the ids, keeping their count: a run holds the census to its end, and nothing needs
    /// the ids after the monitoring tables.
    public mutating func dropParcelIDs() {
        droppedIDCount = distinctIDCount
        parcelIDs = []
    }
    /// For each source id the parcels name, the crops of those parcels.
    public var cropsBySource: [String: Set<CropKey>] {
        var bySource: [String: Set<CropKey>] = [:]
        for served in sourceCrops { bySource[served.sourceID, default: []].insert(served.crop) }
        return bySource
    }
    /// A source and a crop it serves: counted as one key, a hash per parcel (a set per source
    /// inside a dictionary was two, and a copy of the set on every insert).
    struct SourceCrop: Sendable, Hashable {
        var sourceID: String
        var crop: CropKey
    }
    private var sourceCrops = Set<SourceCrop>()
    /// The layer's extent (as its driver reports it) in WGS84 lon/lat.
    public var extent: BoundingBox?
    /// The layer's CRS (else the assumed one) as WKT: monitoring x/y default to it.
    public var crsWKT: String?

    public init() {}

    /// Adds the census of other features of the same layer (the extent and CRS are kept).
    mutating func join(_ other: ParcelCensus) {
        featureCount += other.featureCount
        if parcelIDs.isEmpty { parcelIDs = other.parcelIDs } else { parcelIDs.formUnion(other.parcelIDs) }
        sourceCrops.formUnion(other.sourceCrops)
    }

    mutating func reserveCapacity(ids: Int) { parcelIDs.reserveCapacity(parcelIDs.count + ids) }

    mutating func count(id: String, crop: String?, landUseCode: String?, sourceID: String?) {
        featureCount += 1
        parcelIDs.insert(id)
        if let sourceID { sourceCrops.insert(SourceCrop(sourceID: sourceID, crop: CropKey(crop: crop, landUseCode: landUseCode))) }
    }

    /// The layer's extent through `transform`, densified along the edges (a projected box is not
    /// a lon/lat box).
    static func wgs84Extent(of layer: Layer, transform: WGS84Transform) -> BoundingBox? {
        guard let e = layer.extent(), e.minX <= e.maxX, e.minY <= e.maxY else { return nil }
        var xs: [Double] = [], ys: [Double] = []
        let steps = 8
        for step in 0...steps {
            let t = Double(step) / Double(steps)
            let x = e.minX + t * (e.maxX - e.minX), y = e.minY + t * (e.maxY - e.minY)
            xs += [x, x, e.minX, e.maxX]; ys += [e.minY, e.maxY, y, y]
        }
        guard transform.transform(x: &xs, y: &ys), let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
              minX.isFinite, maxX.isFinite, minY.isFinite, maxY.isFinite else { return nil }
        return BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}

extension ParcelReader {
    /// Reads the census of the whole layer from the attributes alone (the geometry and the other
    /// fields are not fetched): what each part of a partitioned run needs to know of the others.
    /// The parcel id, crop, land-use code and source id are read exactly as `read()` reads them.
    ///
    /// A shapefile is read in one contiguous run of features per core, each run through its own
    /// dataset on its own thread, and the runs' censuses are joined.
    public func census() throws -> ParcelCensus {
        try census(runs: max(1, ProcessInfo.processInfo.activeProcessorCount), splitMinimum: Self.censusSplitMinimum)
    }

    /// The census read in up to `runs` runs when the layer is a shapefile of at least
    /// `splitMinimum` features.
    func census(runs: Int, splitMinimum: Int) throws -> ParcelCensus {
        GDALEnvironment.initialize()
        let diagnostics = Diagnostics()
        return try diagnostics.collect { () throws -> ParcelCensus in
            let opened = try open()
            let layer = try chooseLayer(in: opened)
            var census = try facts(of: layer)
            // Only a shapefile is split: it seeks to a feature in its files, where other drivers
            // would read the whole layer again for each run (GeoJSON parses the file on opening).
            // A shapefile in a legacy code page is read raw and recoded as `read()` does it
            // (`RawTextDecoder`), so the texts are the same.
            let recodeFrom = selfRecodedEncoding(of: layer, driver: opened.driverName)
            guard opened.driverName == "ESRI Shapefile", runs > 1, let total = layer.featureCount(forceScan: false), total >= splitMinimum else {
                census.join(try censusOfFeatures(from: 0, count: nil, recodeFrom: recodeFrom, in: recodeFrom == nil ? opened : try open(rawText: true)))
                return census
            }
            let parts = parallelChunks(count: runs, chunkSize: 1) { run in
                let range = (total * run.lowerBound / runs)..<(total * run.upperBound / runs)
                return [Result { try censusOfFeatures(from: range.lowerBound, count: range.count, recodeFrom: recodeFrom, in: nil) }]
            }
            for part in parts { census.join(try part.get()) }
            return census
        }
    }

    /// The layer's extent and CRS alone, without reading a feature: what the monitoring tables
    /// need before the parcel ids, which a whole run's reading counts itself
    /// (`ParcelInputOptions.idsCounted`).
    public func layerFacts() throws -> ParcelCensus {
        GDALEnvironment.initialize()
        let diagnostics = Diagnostics()
        return try diagnostics.collect { () throws -> ParcelCensus in try facts(of: try chooseLayer(in: try open())) }
    }

    private func facts(of layer: Layer) throws -> ParcelCensus {
        var facts = ParcelCensus()
        facts.extent = try wgs84Extent(of: layer)
        facts.crsWKT = try layerCRS(of: layer)?.wkt()
        return facts
    }

    /// Below this many features the census is read in one run (opening more datasets costs more).
    static let censusSplitMinimum = 20_000

    /// The census of `count` features (all remaining when nil) from the `start`-th, through
    /// `given` (opened on the calling thread, raw when its text is recoded from `recodeFrom`) or
    /// else a dataset of its own. The extent and CRS are left out.
    private func censusOfFeatures(from start: Int, count: Int?, recodeFrom: String?, in given: Dataset?) throws -> ParcelCensus {
        let diagnostics = Diagnostics()
        return try diagnostics.collect { () throws -> ParcelCensus in
            let layer = try chooseLayer(in: try given ?? open(rawText: recodeFrom != nil))
            let fields = layer.fields
            let fieldNames = fields.map(\.name)
            let mapping: ParcelFieldMapping
            do { mapping = try ParcelFieldMapping(fieldNames: fieldNames, explicit: options.fields) } catch let error as ParcelFieldMapping.MappingError {
                throw IngestError.fieldMapping(path: options.path, message: error.description)
            }
            // The field index of each role (an array lookup per feature, not a dictionary's).
            func index(of role: ParcelField) -> Int? { mapping[role].flatMap { fieldNames.firstIndex(of: $0) } }
            let idField = index(of: .parcelID), cropField = index(of: .crop), landUseField = index(of: .landUseCode), sourceField = index(of: .sourceID)
            let needed = Set([idField, cropField, landUseField, sourceField].compactMap { $0.map { fieldNames[$0] } })
            try layer.setIgnoredFields(fieldNames.filter { !needed.contains($0) } + ["OGR_GEOMETRY", "OGR_STYLE"])

            var census = ParcelCensus()
            var ordinal = start
            var rawText = RawTextDecoder(encoding: recodeFrom)
            try IngestError.readingFeatures(of: options.path) { try layer.forEachFeature(from: start, count: count) { feature in
                ordinal += 1
                func text(_ field: Int?) -> String? {
                    guard let index = field else { return nil }
                    guard fields[index].type == .string else { return AttributeValue(feature.value(at: index)).text }
                    guard let bytes = feature.textBytes(at: index) else { return nil }
                    return AttributeValue.string(rawText.decode(bytes, checkedBy: { _ in nil }).text).text
                }
                let id = text(idField) ?? feature.id.map { String($0) } ?? String(ordinal)
                census.count(id: id, crop: text(cropField), landUseCode: text(landUseField), sourceID: text(sourceField))
            } }
            return census
        }
    }

    /// The layer's extent in WGS84, or nil when the layer has no CRS (and none is assumed).
    func wgs84Extent(of layer: Layer) throws -> BoundingBox? {
        guard let crs = try layerCRS(of: layer) else { return nil }
        return ParcelCensus.wgs84Extent(of: layer, transform: try WGS84Transform(from: crs))
    }

    /// The layer's CRS, else the one `--assume-crs` names (as `read()` decides it).
    func layerCRS(of layer: Layer) throws -> SpatialReference? {
        try layer.spatialReference() ?? options.assumeCRS.flatMap { try? SpatialReference(userInput: $0) }
    }
}
