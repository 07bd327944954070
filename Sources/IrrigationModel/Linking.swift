import PlanarGeometry
import RunSupport
/// Distances that decide what evidence belongs to a parcel (project file `linking:`).
public struct LinkingOptions: Sendable, Hashable, Codable {
    /// A parcel with no soil sample inside takes the nearest one within this distance, marked
    /// as estimated (issue #3 default: 500 m).
    public var soilMaxDistanceMetres: Double = 500
    /// Wells within this distance of a parcel are its wells (DESIGN.md §4 default: 1 000 m).
    public var groundwaterRadiusMetres: Double = 1000
    public init() {}
}

/// What was linked to one parcel. Every parcel of a run keeps one, so the references come first
/// and the flags last (72 bytes), and its soil samples, mostly one, are kept inline.
public struct ParcelLinks: Sendable, Hashable {
    /// Indices into the soil samples: those inside the parcel, or the nearest within reach.
    public var soilSamples: SampleIndices = []
    /// Well ids within the radius, sorted.
    public var wellIDs: [String] = []
    /// Irrigation per year, m³/ha.
    public var irrigationByYear = YearlyVolumes()
    /// Indices into the produce samples: those naming the parcel or taken inside it, else the
    /// nearest within reach (`produceEstimated`), as for soil samples.
    public var produceSamples: [Int] = []
    public var produceSampleIDs: [String] = []
    private var storedSoilDistance = Double.nan
    /// Whether the parcel's source id names a known source; nil when no sources were given or
    /// the parcel names no source.
    public var sourceKnown: Bool?
    /// True when the soil data comes from a neighbouring sample outside the parcel.
    public var soilEstimated = false
    public var produceEstimated = false
    public init() {}

    /// Distance to that neighbouring sample.
    public var soilDistanceMetres: Double? {
        get { storedSoilDistance.isNaN ? nil : storedSoilDistance }
        set { storedSoilDistance = newValue ?? .nan }
    }

    /// Equal by what they say (NaN, for no distance, is not equal to itself).
    public static func == (a: ParcelLinks, b: ParcelLinks) -> Bool {
        a.soilSamples == b.soilSamples && a.wellIDs == b.wellIDs && a.irrigationByYear == b.irrigationByYear
            && a.produceSamples == b.produceSamples && a.produceSampleIDs == b.produceSampleIDs && a.soilDistanceMetres == b.soilDistanceMetres
            && a.sourceKnown == b.sourceKnown && a.soilEstimated == b.soilEstimated && a.produceEstimated == b.produceEstimated
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(soilSamples); hasher.combine(wellIDs); hasher.combine(irrigationByYear); hasher.combine(produceSamples)
        hasher.combine(produceSampleIDs); hasher.combine(soilDistanceMetres); hasher.combine(sourceKnown); hasher.combine(soilEstimated)
        hasher.combine(produceEstimated)
    }

    mutating func addProduce(_ sample: Int, id: String) {
        produceSamples.append(sample)
        produceSampleIDs.append(id)
    }
}

/// How much of the parcels the evidence covers (for `check` and run.json).
public struct LinkCoverage: Sendable, Hashable, Codable {
    public var parcels = 0
    public var withKnownSource = 0
    public var withUnknownSource = 0
    public var withoutSourceID = 0
    /// Parcels whose source came from a service area rather than their own field.
    public var sourceFromServiceArea = 0
    public var soilMeasured = 0
    public var soilEstimated = 0
    public var soilNone = 0
    public var withWell = 0
    public var withIrrigationRecords = 0
    public var withProduceSamples = 0
    /// Source ids parcels name that no source row has.
    public var unknownSourceIDs: [String] = []
    public init() {}
}

/// Ties monitoring evidence to parcels with an STR-packed R-tree (built once over the parcels,
/// once over the points), an exact point-in-polygon test, and metric distances.
public enum Linker {
    /// Gives parcels that name no source the source of the service area containing them (judged
    /// at the parcel's bounding-box centre when that lies inside it, else at its first vertex).
    /// Returns how many parcels were assigned.
    public static func assignSources(_ parcels: inout [Parcel], serviceAreas: [(sourceID: String, area: MultiPolygon)]) -> Int {
        let index = SpatialIndex(boxes: serviceAreas.map { $0.area.box ?? BoundingBox(minX: .nan, minY: .nan, maxX: .nan, maxY: .nan) })
        var assigned = 0
        var candidates: [Int] = []
        for i in parcels.indices where parcels[i].sourceID == nil {
            let shape = parcels[i].geometry  // unpacked once (`Parcel.geometry`)
            guard let b = shape.bounds, let first = shape.polygons.first?.exterior.first else { continue }
            let centre = Position(x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2)
            let probe = shape.contains(centre) ? centre : first
            candidates.removeAll(keepingCapacity: true)
            index.query(BoundingBox(minX: probe.x, minY: probe.y, maxX: probe.x, maxY: probe.y), into: &candidates)
            if let area = candidates.sorted().first(where: { serviceAreas[$0].area.contains(probe) }) {
                parcels[i].sourceID = serviceAreas[area].sourceID
                parcels[i].sourceFromServiceArea = true
                assigned += 1
            }
        }
        return assigned
    }

    /// What linking needs of the parcels alone (their boxes and R-tree, their ids): made while
    /// the monitoring tables are still being read (`prepare`), or by `link` itself.
    public struct ParcelSide: Sendable {
        private(set) var boxes: [BoundingBox]
        private(set) var index: SpatialIndex
        /// The first parcel with each id, and the others with an id the layer repeats (rare).
        let firstParcelWithID: ParcelIDIndex
        let laterParcelsWithID: [String: [Int]]

        /// Frees the boxes and their R-tree, keeping the ids: all `addIrrigation` needs, so that
        /// the boxes are not held at the end of the ingest (docs/scaling.md).
        public mutating func keepIDsOnly() {
            boxes = []
            index = SpatialIndex(boxes: [])
        }
    }

    public static func prepare(_ parcels: [Parcel]) -> ParcelSide {
        // Parcels are read in place throughout: `parcels[index]` as a value copied a parcel
        // whole, its attributes and geometry retained and released.
        let boxes = parallelMap(count: parcels.count) { index in
            parcels[index].bounds ?? BoundingBox(minX: .nan, minY: .nan, maxX: .nan, maxY: .nan)
        }
        // The ids and the R-tree made at once (each ≈ 20 ms of a core at 10⁵ parcels).
        let (ids, index) = concurrently({ () -> (first: ParcelIDIndex, later: [String: [Int]]) in
            let firstParcelWithID = ParcelIDIndex(parcels)
            var laterParcelsWithID: [String: [Int]] = [:]
            if firstParcelWithID.distinctCount < parcels.count {
                for index in parcels.indices where firstParcelWithID.first(parcels[index].id) != index { laterParcelsWithID[parcels[index].id, default: []].append(index) }
            }
            return (firstParcelWithID, laterParcelsWithID)
        }, { SpatialIndex(boxes: boxes) })
        return ParcelSide(boxes: boxes, index: index, firstParcelWithID: ids.first, laterParcelsWithID: ids.later)
    }

    /// - Parameter prepared: `prepare(parcels)`, when it was made already.
    public static func link(parcels: [Parcel], prepared: ParcelSide? = nil, sourceIDs: Set<String>?, soil: [SoilSample], wells: [WellReading],
                            irrigation: IrrigationRecords, options: LinkingOptions) -> (links: [ParcelLinks], coverage: LinkCoverage) {
        let side = prepared ?? prepare(parcels)
        var linked = linkLocations(parcels: parcels, prepared: side, sourceIDs: sourceIDs, soil: soil, wells: wells, options: options)
        addIrrigation(irrigation, parcels: parcels, prepared: side, to: &linked)
        return (linked.links, linked.coverage)
    }

    /// Adds the produce samples: a sample naming its parcel goes to every parcel with that id;
    /// else to the parcels it lies in; else to the nearest parcel within `maxDistanceMetres`
    /// (estimated), the soil samples' rule.
    public static func addProduce(_ samples: [ProduceSample], parcels: [Parcel], prepared side: ParcelSide, maxDistanceMetres: Double,
                                  to linked: inout (links: [ParcelLinks], coverage: LinkCoverage)) {
        guard !samples.isEmpty else { return }
        var candidates: [Int] = []
        for (sampleIndex, sample) in samples.enumerated() {
            if let id = sample.parcelID, let first = side.firstParcelWithID.first(id) {
                for index in [first] + (side.laterParcelsWithID[id] ?? []) { linked.links[index].addProduce(sampleIndex, id: sample.id) }
                continue
            }
            guard let p = sample.location else { continue }
            candidates.removeAll(keepingCapacity: true)
            side.index.query(BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y), into: &candidates)
            let inside = candidates.sorted().filter { parcels[$0].geometry.contains(p) }
            if !inside.isEmpty {
                for index in inside { linked.links[index].addProduce(sampleIndex, id: sample.id) }
                continue
            }
            let reach = degreesAround(latitude: p.y, metres: maxDistanceMetres)
            candidates.removeAll(keepingCapacity: true)
            side.index.query(BoundingBox(minX: p.x - reach.dLon, minY: p.y - reach.dLat, maxX: p.x + reach.dLon, maxY: p.y + reach.dLat), into: &candidates)
            var best: (parcel: Int, distance: Double)? = nil
            for index in candidates.sorted() {
                let distance = parcels[index].geometry.distanceMetres(to: p)
                if distance <= maxDistanceMetres, distance < (best?.distance ?? .infinity) { best = (index, distance) }
            }
            if let best {
                linked.links[best.parcel].addProduce(sampleIndex, id: sample.id)
                linked.links[best.parcel].produceEstimated = true
            }
        }
        linked.coverage.withProduceSamples = linked.links.reduce(0) { $0 + ($1.produceSamples.isEmpty ? 0 : 1) }
    }

    /// Links by id and place: sources, soil samples, wells (`link` without the irrigation records).
    /// A run does this while its irrigation tables are still being read, then `addIrrigation`.
    public static func linkLocations(parcels: [Parcel], prepared side: ParcelSide, sourceIDs: Set<String>?, soil: [SoilSample], wells: [WellReading],
                                     options: LinkingOptions) -> (links: [ParcelLinks], coverage: LinkCoverage) {
        // The searches come first, on all cores; then each parcel's links are made from their
        // answers, on all cores too, and counted. (Made in place, one parcel after the other,
        // the links took ≈ 30 ms of one core at 10⁵ parcels while the other had nothing to do.)
        let parcelBoxes = side.boxes, parcelIndex = side.index

        // Soil samples inside parcels: the parcels around each sample, then each parcel's
        // samples in sample order.
        let parcelsAroundSample = parallelChunks(count: soil.count, chunkSize: 1024) { range -> [[Int]] in
            var candidates: [Int] = []
            return range.map { sampleIndex in
                let p = soil[sampleIndex].location
                candidates.removeAll(keepingCapacity: true)
                parcelIndex.query(BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y), into: &candidates)
                return candidates.filter { parcel in parcels[parcel].geometry.contains(p) }
            }
        }
        var samplesInside: [Int: [Int]] = [:]
        for (sampleIndex, around) in parcelsAroundSample.enumerated() {
            for parcel in around { samplesInside[parcel, default: []].append(sampleIndex) }
        }

        // Parcels without a sample inside take the nearest within reach, marked estimated;
        // wells within the radius (one location per well: its first reading's).
        let soilIndex = SpatialIndex(boxes: soil.map { BoundingBox(minX: $0.location.x, minY: $0.location.y, maxX: $0.location.x, maxY: $0.location.y) })
        let soilReach = options.soilMaxDistanceMetres
        var wellLocations: [(id: String, at: Position)] = []
        var seenWells = Set<String>()
        for reading in wells where seenWells.insert(reading.wellID).inserted { wellLocations.append((reading.wellID, reading.location)) }
        let wellIndex = SpatialIndex(boxes: wellLocations.map { BoundingBox(minX: $0.at.x, minY: $0.at.y, maxX: $0.at.x, maxY: $0.at.y) })
        let wellRadius = options.groundwaterRadiusMetres, wellPoints = wellLocations, inside = samplesInside

        let links = parallelChunks(count: parcels.count, chunkSize: 4096) { range -> [ParcelLinks] in
            var candidates: [Int] = []
            // Neighbouring parcels mostly have the same wells: a parcel whose list equals the one
            // before it shares that array, not one of its own (held through the output pass:
            // docs/scaling.md).
            var previousWellIDs: [String] = []
            return range.map { index -> ParcelLinks in
                var links = ParcelLinks()
                candidates.removeAll(keepingCapacity: true)
                var unpacked: MultiPolygon? = nil
                /// The parcel's shape, unpacked once and only for a parcel with samples or wells near it.
                func shape() -> MultiPolygon {
                    if let unpacked { return unpacked }
                    let shape = parcels[index].geometry
                    unpacked = shape
                    return shape
                }
                if let sourceIDs, let id = parcels[index].sourceID { links.sourceKnown = sourceIDs.contains(id) }
                if let samples = inside[index] {
                    links.soilSamples = SampleIndices(samples)
                } else if let box = parcelBoxes[index].expanded(byMetres: soilReach) {
                    soilIndex.query(box, into: &candidates)
                    var best: (sample: Int, distance: Double)? = nil
                    for sample in candidates {
                        let distance = shape().distanceMetres(to: soil[sample].location)
                        if distance <= soilReach, distance < (best?.distance ?? .infinity) || (distance == best?.distance && sample < best!.sample) {
                            best = (sample, distance)
                        }
                    }
                    if let (sample, distance) = best {
                        links.soilSamples = [sample]
                        links.soilEstimated = true
                        links.soilDistanceMetres = distance
                    }
                }
                if let box = parcelBoxes[index].expanded(byMetres: wellRadius) {
                    candidates.removeAll(keepingCapacity: true)
                    wellIndex.query(box, into: &candidates)
                    let wellIDs = candidates.filter { shape().distanceMetres(to: wellPoints[$0].at) <= wellRadius }.map { wellPoints[$0].id }.sorted()
                    if wellIDs == previousWellIDs { links.wellIDs = previousWellIDs } else { links.wellIDs = wellIDs; previousWellIDs = wellIDs }
                }
                return links
            }
        }

        var coverage = LinkCoverage()
        coverage.parcels = parcels.count
        var unknown = Set<String>()
        for index in parcels.indices {
            if parcels[index].sourceFromServiceArea { coverage.sourceFromServiceArea += 1 }
            if parcels[index].sourceID == nil { coverage.withoutSourceID += 1 }
            switch links[index].sourceKnown {
            case true?: coverage.withKnownSource += 1
            case false?: coverage.withUnknownSource += 1; unknown.insert(parcels[index].sourceID!)
            case nil: break
            }
            if links[index].soilSamples.isEmpty { coverage.soilNone += 1 } else if links[index].soilEstimated { coverage.soilEstimated += 1 } else { coverage.soilMeasured += 1 }
            if !links[index].wellIDs.isEmpty { coverage.withWell += 1 }
        }
        coverage.unknownSourceIDs = unknown.sorted()
        return (links, coverage)
    }

    /// Adds the irrigation records to `linkLocations`'s links (m³/ha per parcel and year).
    public static func addIrrigation(_ irrigation: IrrigationRecords, parcels: [Parcel], prepared side: ParcelSide,
                                     to linked: inout (links: [ParcelLinks], coverage: LinkCoverage)) {
        // Irrigation records by parcel id (an id shared by several parcels applies to each): each
        // id's first parcel is looked up once, on all cores; then the records are grouped by
        // parcel (a counting sort, in record order within a parcel) and each parcel's years
        // summed, on all cores too.
        let ids = irrigation.parcelIDs, firstParcels = side.firstParcelWithID, laterParcels = side.laterParcelsWithID
        // Places as 32-bit numbers: millions of them, made and dropped while every parcel's links
        // are held (2³¹ records would take 32 GB: a place fits).
        let firstParcelOfID = parallelChunks(count: ids.count, chunkSize: 65_536) { range in
            range.map { place in firstParcels.first(ids[place]).map(Int32.init) ?? -1 }
        }
        var laterParcelsOfID: [Int: [Int]] = [:]  // rare: a layer that repeats ids
        if !laterParcels.isEmpty {
            for place in ids.indices where firstParcelOfID[place] >= 0 { if let later = laterParcels[ids[place]] { laterParcelsOfID[place] = later } }
        }
        func forEachParcel(ofRecord record: Int, _ body: (Int) -> Void) {
            let place = irrigation.parcelPlace(at: record), first = Int(firstParcelOfID[place])
            guard first >= 0 else { return }
            body(first)
            if let later = laterParcelsOfID[place] { later.forEach(body) }
        }
        var firstRecordOfParcel = [Int](repeating: 0, count: parcels.count + 1)
        for record in irrigation.indices { forEachParcel(ofRecord: record) { firstRecordOfParcel[$0 + 1] += 1 } }
        for index in parcels.indices { firstRecordOfParcel[index + 1] += firstRecordOfParcel[index] }
        var next = firstRecordOfParcel, recordsByParcel = [Int32](repeating: 0, count: firstRecordOfParcel[parcels.count])
        for record in irrigation.indices {
            forEachParcel(ofRecord: record) { parcel in recordsByParcel[next[parcel]] = Int32(record); next[parcel] += 1 }
        }
        next = []
        let grouped = recordsByParcel, bounds = firstRecordOfParcel
        let irrigationByYear = parallelChunks(count: parcels.count, chunkSize: 4096) { range -> [YearlyVolumes] in
            var builder = YearlyVolumes.Builder()  // one buffer for the chunk's parcels
            for index in range {
                let area = parcels[index].areaHectares
                for record in grouped[bounds[index]..<bounds[index + 1]].lazy.map(Int.init) {
                    if let perHectare = irrigation.cubicMetresPerHectare(at: record, areaHectares: area) { builder.add(perHectare, year: irrigation.year(at: record)) }
                }
                builder.endParcel()
            }
            return builder.finish()
        }
        for (index, byYear) in irrigationByYear.enumerated() where !byYear.isEmpty { linked.links[index].irrigationByYear = byYear }
        linked.coverage.withIrrigationRecords = linked.links.indices.count { !linked.links[$0].irrigationByYear.isEmpty }
    }
}

/// Indices of a parcel's samples. A parcel has mostly none or one, kept inline rather than in an
/// array allocated for each parcel (docs/scaling.md).
public struct SampleIndices: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// The one index, or -1; used when `several` is empty.
    private var single = -1
    /// Two or more indices.
    private var several: [Int] = []

    public init(_ indices: [Int]) {
        if indices.count == 1 { single = indices[0] } else if indices.count > 1 { several = indices }
    }
    public init(arrayLiteral elements: Int...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { several.isEmpty ? (single >= 0 ? 1 : 0) : several.count }
    public subscript(position: Int) -> Int {
        guard several.isEmpty else { return several[position] }
        precondition(position == 0 && single >= 0, "index out of range")
        return single
    }
}

/// A parcel's irrigation per year (m³/ha), in year order. Every parcel of a run has one, so the
/// years of many parcels share one buffer (`YearlyVolumes.Builder`) and a parcel keeps its place
/// in it: 16 bytes a parcel and 16 a year, and no allocation of its own (docs/scaling.md).
/// Equal by the years and volumes, not by the buffer.
public struct YearlyVolumes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    fileprivate struct Entry: Sendable, Hashable { var year: Int32; var value: Double }
    /// The buffer the entries are in (nil when there are none).
    private final class Buffer: Sendable {
        let entries: [Entry]
        init(_ entries: [Entry]) { self.entries = entries }
    }
    private var buffer: Buffer?
    private var start: Int32 = 0, storedCount: Int32 = 0

    public init() {}
    public init(dictionaryLiteral elements: (Int, Double)...) {
        for (year, value) in elements { add(value, year: year) }
    }

    private var entries: ArraySlice<Entry> {
        guard let buffer else { return [] }
        return buffer.entries[Int(start)..<Int(start + storedCount)]
    }

    public var isEmpty: Bool { storedCount == 0 }
    public var count: Int { Int(storedCount) }
    /// The years, earliest first.
    public var keys: [Int] { entries.map { Int($0.year) } }
    /// The latest year and its volume.
    public var latest: (key: Int, value: Double)? { entries.last.map { (key: Int($0.year), value: $0.value) } }

    public subscript(year: Int) -> Double? {
        entries.first { $0.year == Int32(year) }?.value
    }

    /// Adds `value` to the year's volume (a year not seen before starts at 0).
    public mutating func add(_ value: Double, year: Int) {
        var own = Array(entries)
        Self.add(value, year: Int32(clamping: year), to: &own)
        self = YearlyVolumes(own)
    }

    private init(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        buffer = Buffer(entries)
        storedCount = Int32(entries.count)
    }

    /// Adds to the year among `entries[first...]` (kept in year order).
    fileprivate static func add(_ value: Double, year key: Int32, to entries: inout [Entry], from first: Int = 0) {
        if let index = entries[first...].firstIndex(where: { $0.year >= key }) {
            if entries[index].year == key { entries[index].value += value } else { entries.insert(Entry(year: key, value: value), at: index) }
        } else {
            entries.append(Entry(year: key, value: value))
        }
    }

    /// Makes the volumes of many parcels, one after another, in one buffer.
    public struct Builder {
        private var entries: [Entry] = []
        /// Where each finished parcel's entries start and end in `entries`.
        private var bounds: [(start: Int32, count: Int32)] = []
        private var parcelStart = 0

        public init() {}

        /// Adds to the current parcel's year (entries of a parcel kept in year order).
        public mutating func add(_ value: Double, year: Int) {
            YearlyVolumes.add(value, year: Int32(clamping: year), to: &entries, from: parcelStart)
        }

        /// Ends the current parcel; the next `add` starts the next.
        public mutating func endParcel() {
            bounds.append((Int32(parcelStart), Int32(entries.count - parcelStart)))
            parcelStart = entries.count
        }

        /// Each parcel's volumes, in the order they were ended.
        public func finish() -> [YearlyVolumes] {
            let buffer = Buffer(entries)
            return bounds.map { bound in
                var volumes = YearlyVolumes()
                if bound.count > 0 { volumes.buffer = buffer; volumes.start = bound.start; volumes.storedCount = bound.count }
                return volumes
            }
        }
    }

    public static func == (a: YearlyVolumes, b: YearlyVolumes) -> Bool { a.entries.elementsEqual(b.entries) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for entry in entries { hasher.combine(entry) }
    }

    public func makeIterator() -> Iterator { Iterator(entries: entries.makeIterator()) }

    /// The (year, m³/ha) pairs, earliest first.
    public struct Iterator: IteratorProtocol {
        fileprivate var entries: IndexingIterator<ArraySlice<Entry>>
        public mutating func next() -> (key: Int, value: Double)? { entries.next().map { (key: Int($0.year), value: $0.value) } }
    }
}

extension BoundingBox {
    /// The box grown by `metres` on every side (lon/lat boxes), or nil for an empty box.
    func expanded(byMetres metres: Double) -> BoundingBox? {
        guard minX.isFinite, minY.isFinite else { return nil }
        let (dLon, dLat) = degreesAround(latitude: max(abs(minY), abs(maxY)), metres: metres)
        return BoundingBox(minX: minX - dLon, minY: minY - dLat, maxX: maxX + dLon, maxY: maxY + dLat)
    }
}

/// Soil values of a parcel from its linked samples.
public enum SoilSummary {
    /// The highest detected value of `parameter` among the samples (conservative), nil when no
    /// sample detected it (non-detects are not turned into numbers here).
    private static let ph = ParameterCatalog.parameter(id: "ph")

    public static func value(_ parameter: Parameter, samples: [SoilSample]) -> Double? {
        var highest: Double? = nil
        // By index: `for sample in samples` copied each sample (its strings and measurements).
        for index in samples.indices {
            if let value = samples[index].number(parameter), highest.map({ value > $0 }) ?? true { highest = value }
        }
        return highest
    }

    /// The mean measured pH of the samples, nil when none has one.
    public static func pH(samples: [SoilSample]) -> Double? {
        guard let ph = Self.ph else { return nil }
        let values = samples.indices.compactMap { samples[$0].number(ph) }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
