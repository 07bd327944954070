import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// How to read the parcel layer: the `--parcels`, `--layer`, `--encoding`, `--assume-crs`
/// flags and the `parcels:` section of the project file.
public struct ParcelInputOptions: Sendable {
    /// The path as the user gave it (a `.zip` is read through `/vsizip/`).
    public var path: String
    public var layer: String?
    /// Character set of the attribute text (e.g. "GBK"); overrides a shapefile's .cpg/LDID.
    public var encoding: String?
    /// CRS to use when the layer has none (no .prj).
    public var assumeCRS: String?
    /// Explicit field names by role; unmapped roles are found by alias.
    public var fields: [ParcelField: String]
    /// Told every few thousand features: features read so far, and the total when the driver
    /// knows it cheaply (for a live progress line).
    public var progress: (@Sendable (Int, Int?) -> Void)?
    /// Read only these features (0-based positions in reading order): one part of a
    /// partitioned run. Nil reads the whole layer.
    public var featureRange: Range<Int>?
    /// The whole layer's census when the caller has read it already (`census()`); the reading
    /// then carries it instead of counting its own.
    public var census: ParcelCensus?
    /// Told the parcel ids as soon as the reading has counted every feature (before the last
    /// geometry is done), when it counts its own census: the monitoring tables read beside the
    /// parcels wait for them.
    public var idsCounted: (@Sendable (Set<String>) -> Void)?

    public init(path: String, layer: String? = nil, encoding: String? = nil, assumeCRS: String? = nil,
                fields: [ParcelField: String] = [:]) {
        self.path = path; self.layer = layer; self.encoding = encoding; self.assumeCRS = assumeCRS; self.fields = fields
    }
}

/// What reading the parcel layer produced.
public struct ParcelLayerReading: Sendable {
    public var parcels: [Parcel]
    public var rejects: [Reject]
    /// Features the layer delivered; always `parcels.count + rejects.count`.
    public var featuresRead: Int
    /// Invalid geometries that make-valid repaired (the parcels carry `geometryRepaired`).
    public var repairs: [Repair]
    public var repairedCount: Int { repairs.count }
    public var layerName: String
    public var driver: String
    /// The source CRS as identified ("EPSG:4547") or named.
    public var sourceCRS: String
    /// The source CRS as WKT, so samples' x/y can be read in the parcels' CRS.
    public var sourceCRSWKT: String
    /// The source CRS's ellipsoid, on which areas are measured.
    public var ellipsoid: Ellipsoid
    public var crsWasAssumed: Bool
    /// How GDAL decoded the attribute text (from .cpg, LDID, or the user's --encoding).
    public var textEncoding: String
    public var fieldMapping: [ParcelField: String]
    /// Field names in input order, for pass-through columns.
    public var fieldNames: [String]
    /// Files that make up the input (for provenance: sizes and SHA-256).
    public var files: [String]
    /// Things the user should know that did not stop the run.
    public var warnings: [String]
    /// The facts of every feature of the layer (accepted or not): `options.census`, else counted
    /// while reading.
    public var census: ParcelCensus
}

/// A geometry that was invalid and was repaired, and why it was invalid.
public struct Repair: Sendable, Codable, Hashable {
    public var location: String
    public var reason: String
}

/// Reads any OGR polygon layer into `Parcel` values: finds the roles' fields, checks the text
/// encoding and the CRS, repairs invalid geometries, measures ellipsoidal area and reprojects to
/// WGS84. Every feature ends up as a parcel or a reject.
public struct ParcelReader: Sendable {
    public let options: ParcelInputOptions

    public init(options: ParcelInputOptions) { self.options = options }

    public func read() throws -> ParcelLayerReading {
        GDALEnvironment.initialize()
        let diagnostics = Diagnostics()
        return try diagnostics.collect { () throws -> ParcelLayerReading in
            var reading = try readCollecting(diagnostics: diagnostics)
            reading.warnings += summarise(diagnostics.drainWarnings())
            return reading
        }
    }

    // MARK: - Opening

    /// Drivers of database servers, whose layers have no reading order that holds from one
    /// connection to the next.
    static let unorderedDrivers: Set<String> = ["PostgreSQL", "MySQL", "MSSQLSpatial", "OCI", "ODBC", "PGeo", "HANA", "MongoDBv3", "Elasticsearch"]

    /// GDAL's path for the user's path: zipped shapefiles go through `/vsizip/`.
    public static func gdalPath(for path: String) -> String {
        let lower = path.lowercased()
        if lower.hasSuffix(".zip") && !path.hasPrefix("/vsi") { return "/vsizip/" + path }
        return path
    }

    /// GDAL/iconv names for the encodings users type.
    public static func gdalEncodingName(_ name: String) -> String {
        switch name.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "") {
        case "GBK", "CP936", "936", "GB2312", "EUCCN": "CP936"
        case "GB18030": "GB18030"
        case "UTF8": "UTF-8"
        case "LATIN1", "ISO88591": "ISO-8859-1"
        case "CP1252", "WINDOWS1252": "CP1252"
        default: name
        }
    }

    /// - Parameter rawText: open a shapefile without recoding its text (`ENCODING=""`).
    func open(rawText: Bool = false) throws -> Dataset {
        let path = Self.gdalPath(for: options.path)
        var openOptions: [String] = []
        if rawText { openOptions.append("ENCODING=") }
        else if let encoding = options.encoding { openOptions.append("ENCODING=\(Self.gdalEncodingName(encoding))") }
        do {
            return try Dataset.open(path, openOptions: openOptions)
        } catch {
            // A zip whose vector file sits in a sub-folder: open it when there is exactly one.
            if path.hasPrefix("/vsizip/") {
                let candidates = VirtualFileSystem.filesRecursively(under: path).filter { name in
                    Self.vectorExtensions.contains { name.lowercased().hasSuffix($0) }
                }
                if candidates.count == 1, let dataset = try? Dataset.open(path + "/" + candidates[0], openOptions: openOptions) {
                    return dataset
                }
                if candidates.count > 1 {
                    let choices = candidates.map { "\(path)/\($0)" }.joined(separator: ", ")
                    throw IngestError.cannotOpen(path: options.path, gdal: error,
                                                 hint: "the zip holds several vector files; name one with --parcels, e.g. one of: \(choices)")
                }
            }
            throw IngestError.cannotOpen(path: options.path, gdal: error, hint: Self.openHint(path: options.path, error: error))
        }
    }

    static let vectorExtensions = [".shp", ".gpkg", ".geojson", ".json", ".gml", ".kml", ".fgb", ".tab", ".mif"]

    /// A next step for common reasons GDAL cannot open a file.
    static func openHint(path: String, error: GDALError) -> String? {
        if error.message.contains(".shx") {
            return "the shapefile's .shx index is missing; restore it with `ogr2ogr -f \"ESRI Shapefile\" fixed.shp \(path) --config SHAPE_RESTORE_SHX YES`, then read fixed.shp"
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") || lower.hasSuffix(".json") {
            if let firstByte = firstNonSpaceByte(of: path), firstByte == UInt8(ascii: "[") {
                return "the file is a bare JSON array of features, not a GeoJSON FeatureCollection; "
                    + "wrap it as {\"type\": \"FeatureCollection\", \"features\": [ … ]}"
            }
        }
        if lower.hasSuffix(".zip") { return "the zip must contain a shapefile or another vector file GDAL can read" }
        return nil
    }

    private static func firstNonSpaceByte(of path: String) -> UInt8? {
        guard let handle = FileBytes(path: path) else { return nil }
        return handle.firstNonSpaceByte()
    }

    func chooseLayer(in dataset: Dataset) throws -> Layer {
        let layers = dataset.layers
        if let wanted = options.layer {
            guard let layer = dataset.layer(named: wanted) else {
                throw IngestError.layerNotFound(path: options.path, layer: wanted, available: layers.map(\.name))
            }
            return layer
        }
        let spatial = layers.filter { layer in
            if case .other(let name) = layer.geometryType, name == "None" { return false }
            return true
        }
        guard !spatial.isEmpty else { throw IngestError.noVectorLayer(path: options.path) }
        guard spatial.count == 1 else { throw IngestError.ambiguousLayer(path: options.path, available: spatial.map(\.name)) }
        return spatial[0]
    }

    // MARK: - Reading

    private func readCollecting(diagnostics: Diagnostics) throws -> ParcelLayerReading {
        let dataset = try open()
        let layer = try chooseLayer(in: dataset)
        var warnings: [String] = []
        // A shapefile in a legacy code page (GBK above all) is read raw and recoded by
        // `RawTextDecoder` (GDAL's own recoding took ~40 % of this thread's time).
        let recodeFrom = selfRecodedEncoding(of: layer, driver: dataset.driverName)
        let rawDataset = recodeFrom == nil ? nil : try open(rawText: true)
        let featureLayer = try rawDataset.map { try chooseLayer(in: $0) } ?? layer

        // CRS: the layer's own, else --assume-crs, else stop. Asked of the layer the features
        // are read from: GDAL reads and identifies the .prj for each layer it is asked of
        // (≈ 90 M instructions: PROJ's database is searched), and reading a feature asks it.
        let layerCRS = try featureLayer.spatialReference()
        let sourceCRS: SpatialReference
        var crsWasAssumed = false
        if let layerCRS {
            sourceCRS = layerCRS
            if let assumed = options.assumeCRS {
                warnings.append("--assume-crs \(assumed) ignored: \(options.path) declares its CRS (\(layerCRS.authorityCode ?? layerCRS.name))")
            }
        } else if let assumed = options.assumeCRS {
            do { sourceCRS = try SpatialReference(userInput: assumed) } catch { throw IngestError.invalidCRS(input: assumed, gdal: error) }
            crsWasAssumed = true
        } else {
            throw IngestError.missingCRS(path: options.path, layer: layer.name, driver: dataset.driverName)
        }
        // A part of a partitioned run is a run of features in the layer's reading order: a
        // database gives no stable order (one UPDATE between parts gave a parcel to two parts and
        // none to another: issue #23).
        if options.featureRange != nil, Self.unorderedDrivers.contains(dataset.driverName) {
            throw IngestError.unstableOrder(path: options.path, driver: dataset.driverName)
        }
        let crsLabel = sourceCRS.authorityCode ?? sourceCRS.name
        let geographicCRS = try sourceCRS.geographic()
        let ellipsoid = try sourceCRS.ellipsoid()
        // Workers build their own transformations; this one checks the layer's extent.
        let toGeographic = try CoordinateTransformation(from: sourceCRS, to: geographicCRS)
        try checkExtent(of: layer, transform: toGeographic, crsLabel: crsLabel)

        // Fields and roles.
        let fieldDefinitions = layer.fields
        let fieldNames = fieldDefinitions.map(\.name)
        let mapping: ParcelFieldMapping
        do {
            mapping = try ParcelFieldMapping(fieldNames: fieldNames, explicit: options.fields)
        } catch {
            throw IngestError.fieldMapping(path: options.path, message: error.description)
        }
        let roleIndex: [ParcelField: Int] = mapping.fieldForRole.compactMapValues { fieldNames.firstIndex(of: $0) }
        // Each role's field, looked up once (a dictionary lookup per role and feature was ≈ 3 000
        // instructions a feature on the reading thread).
        let idField = roleIndex[.parcelID], cropField = roleIndex[.crop], landUseCodeField = roleIndex[.landUseCode],
            landUseNameField = roleIndex[.landUseName], soilPHField = roleIndex[.soilPH], sourceField = roleIndex[.sourceID],
            adminUnitField = roleIndex[.adminUnit]

        // Text encoding: what GDAL decoded with, and whether the Latin-1 heuristics apply.
        let (textEncoding, assumedLatin1) = describeEncoding(of: layer)
        var rawText = RawTextDecoder(encoding: recodeFrom)
        var encodingFindings: [EncodingFinding] = []
        var reportedFields = Set<String>()

        var parcels: [Parcel] = []
        var rejects: [Reject] = []
        let countCensus = options.census == nil
        var census = options.census ?? ParcelCensus()
        if countCensus { census.crsWKT = try sourceCRS.wkt() }
        // Counted on a queue of its own, a block of features at a time in reading order: the set
        // of a million ids took a fifth of this thread, which is what the reading waits for.
        let counter = try CensusCounter(census)
        var censusKeys: [CensusCounter.Key] = []
        func countBlock() {
            guard countCensus, !censusKeys.isEmpty else { return }
            counter.count(censusKeys)
            censusKeys.removeAll(keepingCapacity: true)
        }
        let firstFeature = options.featureRange?.lowerBound ?? 0
        var featuresRead = 0
        var repairs: [Repair] = []
        var workerWarnings: [GDALWarning] = []
        var linearised = 0, flattened = 0
        var emptyIDs = 0
        var badPH: [String] = []
        let featureCount = options.featureRange?.count ?? layer.featureCount(forceScan: false)
        if countCensus, let featureCount { counter.reserveCapacity(ids: featureCount) }
        let total = options.progress == nil ? nil : featureCount
        // Room for every parcel up front: growing an array of a million parcels by doubling
        // copied it into fresh memory again and again (0.3 s at 10⁶).
        parcels.reserveCapacity(featureCount ?? 0)

        // GDAL reads on this thread; the geometry work of each block of features (validity,
        // repair, PROJ transforms, geodesic area, output re-check) runs on the other cores while
        // the next block is read, each worker with its own transformations and GDAL warning
        // collector; results keep input order.
        let sharedTransform = try SharedWGS84Transform(from: sourceCRS)
        var block: [ParcelDraft] = []
        block.reserveCapacity(Self.blockSize)
        // One chunk per core.
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let inFlight = DispatchGroup()
        defer { inFlight.wait() }  // a block still being processed when the reading stops on an error
        var pending: (drafts: [ParcelDraft], results: Promise<[DraftResult]>)? = nil
        func collectPending() {
            guard var (drafts, promised) = pending else { return }
            let results = promised.wait()
            pending = nil
            // Each parcel moved out of its draft (`take()`): a copy retained every string and
            // array of the parcel, and freeing the block released them again (`perf`). The
            // results are read in place for the same reason.
            results.withUnsafeBufferPointer { results in for index in drafts.indices {
                let result = results.baseAddress! + index
                workerWarnings += result.pointee.warnings
                if result.pointee.linearised { linearised += 1 }
                if result.pointee.flattened { flattened += 1 }
                switch result.pointee.outcome {
                case .rejected(let reject):
                    rejects.append(reject)
                case .accepted(let geometry, let area, let repair):
                    if let repair { repairs.append(Repair(location: drafts[index].location, reason: repair)) }
                    if drafts[index].idWasEmpty { emptyIDs += 1 }
                    if let bad = drafts[index].badPH, badPH.count < 20 { badPH.append(bad) }
                    // Finished in place: appending a local `var parcel` copied it once more.
                    parcels.append(drafts[index].parcel.take()!)
                    parcels[parcels.count - 1].geometry = geometry
                    parcels[parcels.count - 1].areaSquareMetres = area
                    parcels[parcels.count - 1].geometryRepaired = repair != nil
                }
            } }
        }
        func finishBlock() {
            collectPending()
            guard !block.isEmpty else { return }
            let drafts = block, results = Promise<[DraftResult]>()
            let chunkSize = max(512, (drafts.count + workers - 1) / workers)
            DispatchQueue.global().async(group: inFlight) {
                results.fulfil(parallelChunks(count: drafts.count, chunkSize: chunkSize) { range in
                    Self.processGeometries(drafts[range], transforms: sharedTransform, ellipsoid: ellipsoid, crsLabel: crsLabel, file: options.path)
                })
            }
            pending = (drafts, results)
            block.removeAll(keepingCapacity: true)
        }

        do { try featureLayer.forEachFeature(from: firstFeature, count: options.featureRange?.count) { feature in
            featuresRead += 1
            if featuresRead % 5000 == 0 { options.progress?(featuresRead, total) }
            let fid = feature.id
            let ordinal = firstFeature + featuresRead

            // Attributes, checking text as we go.
            var attributes: [Attribute] = []
            attributes.reserveCapacity(fieldDefinitions.count)
            for (index, definition) in fieldDefinitions.enumerated() {
                guard definition.type == .string else {
                    attributes.append(Attribute(name: definition.name, value: AttributeValue(feature.value(at: index))))
                    continue
                }
                // An ASCII value is its own text (no recoding, nothing to check): read in GDAL's
                // buffer, without an array of its bytes (≈ 1 000 instructions a feature).
                enum Field { case null, ascii(String), bytes([UInt8]) }
                let field = feature.withTextBytes(at: index) { raw -> Field in
                    guard let raw else { return .null }
                    return TextEncodingCheck.isASCII(UnsafeRawBufferPointer(raw)) ? .ascii(String(decoding: raw, as: UTF8.self)) : .bytes(Array(raw))
                }
                var bytes: [UInt8]
                switch field {
                case .null: attributes.append(Attribute(name: definition.name, value: .null)); continue
                case .ascii(let text): attributes.append(Attribute(name: definition.name, value: .string(text))); continue
                case .bytes(let raw): bytes = raw
                }
                let text: String, problem: TextEncodingCheck.Problem?
                (text, bytes, problem) = rawText.decode(bytes, checkedBy: { TextEncodingCheck.problem(in: $0, assumedLatin1: assumedLatin1) })
                if encodingFindings.count < 50, let problem {
                    if reportedFields.insert(definition.name).inserted || encodingFindings.count < 5 {
                        encodingFindings.append(finding(field: definition.name, fid: fid, bytes: bytes, problem: problem))
                    }
                }
                attributes.append(Attribute(name: definition.name, value: .string(text)))
            }

            func text(_ field: Int?) -> String? { field.flatMap { attributes[$0].value.text } }
            var id = text(idField)
            let idWasEmpty = id == nil && idField != nil
            if id == nil { id = fid.map { String($0) } ?? String(ordinal) }
            var soilPH: Double? = nil, badPHText: String? = nil
            if let index = soilPHField, let raw = attributes[index].value.text {
                if let value = attributes[index].value.number, (0...14).contains(value) { soilPH = value } else { badPHText = "\(Self.location(featureID: fid, ordinal: ordinal)): \"\(raw)\"" }
            }
            let parcel = Parcel(id: id!, featureID: fid, crop: text(cropField), landUseCode: text(landUseCodeField), landUseName: text(landUseNameField),
                                soilPH: soilPH, sourceID: text(sourceField), adminUnit: text(adminUnitField), attributes: attributes,
                                geometry: MultiPolygon(polygons: []), areaSquareMetres: 0, geometryRepaired: false)
            if countCensus { censusKeys.append(CensusCounter.Key(id: parcel.id, crop: parcel.crop, landUseCode: parcel.landUseCode, sourceID: parcel.sourceID)) }
            let wkb: [UInt8]?
            do { wkb = try feature.geometry?.wkb() } catch {
                rejects.append(Reject(file: options.path, location: Self.location(featureID: fid, ordinal: ordinal), field: "geometry", code: .geometryError,
                                      reason: "GDAL could not export the geometry: \(error)"))
                return
            }
            block.append(ParcelDraft(featureID: fid, ordinal: ordinal, parcel: parcel, wkb: wkb, idWasEmpty: idWasEmpty, badPH: badPHText))
            if block.count == Self.blockSize { countBlock(); finishBlock() }
        } } catch let error as GDALError where error.function == "OGR_L_GetNextFeature" {
            throw IngestError.damaged(path: options.path, gdal: error)
        }
        if countCensus {
            countBlock()
            census = try counter.finish()
            options.idsCounted?(census.parcelIDs)
            // After the features, when whether CGCS2000 → WGS84 is a no-op is long known
            // (`GeographicToWGS84`): asked at the start, the reading waited for it.
            census.extent = ParcelCensus.wgs84Extent(of: layer, transform: try WGS84Transform(from: sourceCRS))
        }
        finishBlock()
        collectPending()
        warnings += summarise(workerWarnings)

        if !encodingFindings.isEmpty {
            throw IngestError.undecodableText(path: options.path, findings: encodingFindings,
                                              suggestion: encodingSuggestion(for: encodingFindings))
        }
        if linearised > 0 { warnings.append("\(linearised) curved geometries in \(options.path) were approximated by straight segments") }
        if flattened > 0 { warnings.append("\(flattened) geometries in \(options.path) had Z or M coordinates: read in 2D (heights and measures dropped)") }
        if emptyIDs > 0 {
            warnings.append("\(emptyIDs) parcels in \(options.path) have an empty \(mapping[.parcelID] ?? "id") field; their feature id is used as parcel_id")
        }
        // The census counts every feature of the layer: when its ids are all different, so are these.
        let duplicates = census.parcelIDs.count == census.featureCount ? [] : duplicateIDs(in: parcels)
        if !duplicates.isEmpty {
            warnings.append("\(duplicates.count) parcel ids occur more than once in \(options.path) (e.g. \(duplicates.prefix(5).joined(separator: ", "))); records linked by id will match all of them")
        }
        if !badPH.isEmpty {
            warnings.append("soil pH field \(mapping[.soilPH] ?? "") holds values that are not a pH between 0 and 14 (treated as missing): \(badPH.prefix(5).joined(separator: "; "))")
        }

        return ParcelLayerReading(
            parcels: parcels, rejects: rejects, featuresRead: featuresRead, repairs: repairs,
            layerName: layer.name, driver: dataset.driverName, sourceCRS: crsLabel, sourceCRSWKT: try sourceCRS.wkt(), ellipsoid: ellipsoid,
            crsWasAssumed: crsWasAssumed,
            textEncoding: textEncoding, fieldMapping: mapping.fieldForRole, fieldNames: fieldNames,
            files: (rawDataset ?? dataset).fileList, warnings: warnings, census: census)
    }

    // MARK: - Geometry

    /// Features per block handed to the geometry workers (bounds the memory of raw WKB).
    static let blockSize = 16_384

    /// The census of the features read, counted in order on a thread of its own.
    struct CensusCounter {
        struct Key: Sendable { var id: String, crop: String?, landUseCode: String?, sourceID: String? }
        private let counting: ThreadConfined<ParcelCensus>

        init(_ census: ParcelCensus) throws { counting = try ThreadConfined(name: "irrizone.parcel-census") { census } }

        /// Counts `keys` after the keys handed over before them.
        func count(_ keys: [Key]) {
            counting.async { census in for key in keys { census.count(id: key.id, crop: key.crop, landUseCode: key.landUseCode, sourceID: key.sourceID) } }
        }

        /// Room for `ids` ids up front: the set grew by doubling, hashing every id again at each step.
        func reserveCapacity(ids: Int) { counting.async { $0.reserveCapacity(ids: ids) } }

        /// The census once every key handed over is counted; ends the counting thread.
        func finish() throws -> ParcelCensus {
            defer { counting.close() }
            return try counting.sync { $0 }
        }
    }

    /// A feature's place as rejects and repairs name it: its id, else its position.
    static func location(featureID: Int64?, ordinal: Int) -> String { featureID.map { "feature \($0)" } ?? "feature #\(ordinal)" }

    /// A feature read by GDAL, waiting for its geometry work.
    struct ParcelDraft: Sendable {
        /// Where the feature is, for a reject or a repair: made only when one needs it (a string
        /// per feature cost the reading thread).
        var featureID: Int64?, ordinal: Int
        var location: String { ParcelReader.location(featureID: featureID, ordinal: ordinal) }
        /// Taken (moved out) when the parcel is accepted.
        var parcel: Parcel?
        var wkb: [UInt8]?
        var idWasEmpty: Bool
        var badPH: String?
    }

    struct DraftResult: Sendable {
        enum Outcome: Sendable {
            case accepted(MultiPolygon, area: Double, repair: String?)
            case rejected(Reject)
        }
        var outcome: Outcome
        var linearised: Bool
        var warnings: [GDALWarning]
        /// Z or M coordinates were dropped (survey layers often carry heights).
        var flattened = false
    }

    /// The geometry work of some drafts, on the calling (worker) thread: its own PROJ
    /// transformations and its own GDAL warning collector (GDAL's handler stack is per thread).
    static func processGeometries(_ drafts: ArraySlice<ParcelDraft>, transforms shared: SharedWGS84Transform, ellipsoid: Ellipsoid,
                                  crsLabel: String, file: String) -> [DraftResult] {
        let diagnostics = Diagnostics()
        return diagnostics.collect { () -> [DraftResult] in
            let geos = GEOSContext()
            let transforms: WGS84Transform
            do {
                transforms = try shared.forCurrentThread()
            } catch {
                return drafts.map { draft in
                    DraftResult(outcome: .rejected(Reject(file: file, location: draft.location, field: "geometry", code: .geometryError,
                                                          reason: "PROJ could not set up the transformation: \(error)")), linearised: false, warnings: [])
                }
            }
            // Read in place: `map` handed each draft over as a copy of its parcel and WKB.
            return drafts.withUnsafeBufferPointer { drafts in
                drafts.indices.map { index in
                    let draft = drafts.baseAddress! + index
                    var result = processGeometry(wkb: draft.pointee.wkb, location: draft.pointee.location, transforms: transforms, ellipsoid: ellipsoid,
                                                 crsLabel: crsLabel, file: file, diagnostics: diagnostics, geos: geos)
                    result.warnings = diagnostics.drainWarnings()
                    return result
                }
            }
        }
    }

    /// - Parameter location: the feature's place in the layer, for a reject (made only then).
    static func processGeometry(wkb: [UInt8]?, location: @autoclosure () -> String, transforms: WGS84Transform,
                                ellipsoid: Ellipsoid, crsLabel: String, file: String, diagnostics: Diagnostics, geos: GEOSContext) -> DraftResult {
        func reject(_ code: RejectCode, _ reason: String, linearised: Bool = false) -> DraftResult {
            DraftResult(outcome: .rejected(Reject(file: file, location: location(), field: "geometry", code: code, reason: reason)),
                        linearised: linearised, warnings: [])
        }
        guard let wkb else { return reject(.geometryNull, "the feature has no geometry") }
        let outcome: GeometryOutcome
        // The common case, a plain polygon, is decoded once and checked without OGR.
        let plain = isPlainPolygon(wkb) ? try? WKB.multiPolygon(from: wkb) : nil
        do {
            outcome = plain.map { isValidPlainPolygon($0, wkb: wkb, geos: geos) } == true ? .accepted(wkb: wkb, repair: nil, linearised: false)
                : try prepareGeometry(try Geometry(wkb: wkb), diagnostics: diagnostics)
        } catch {
            return reject(.geometryError, "GDAL could not process the geometry: \(error)")
        }
        switch outcome {
        case .rejected(let code, let reason):
            return reject(code, reason)
        case .accepted(let accepted, let repair, let linearised, let flattened):
            guard let projected = accepted == wkb ? plain : try? WKB.multiPolygon(from: accepted) else {
                return reject(.geometryError, "the geometry could not be decoded", linearised: linearised)
            }
            guard let (lonLat, area) = reproject(projected, toGeographic: transforms.toGeographic, geographicToWGS84: transforms.geographicToWGS84, ellipsoid: ellipsoid) else {
                return reject(.geometryOutsideCRS, "coordinates cannot be transformed from \(crsLabel) to WGS84", linearised: linearised)
            }
            // Reprojection and rounding to the output precision can make a valid polygon
            // invalid (reference/peers.md B.2, QGIS #58169): check what will be written.
            let checked: OutputGeometryOutcome
            do { checked = try outputGeometry(lonLat.rightHandRule(), diagnostics: diagnostics, geos: geos) } catch {
                return reject(.geometryError, "GDAL could not check the output geometry: \(error)", linearised: linearised)
            }
            switch checked {
            case .valid(let geometry):
                return DraftResult(outcome: .accepted(geometry, area: area, repair: repair), linearised: linearised, warnings: [], flattened: flattened)
            case .repaired(let geometry, let reason):
                return DraftResult(outcome: .accepted(geometry, area: area, repair: repair ?? reason), linearised: linearised, warnings: [],
                                   flattened: flattened)
            case .unrepairable(let reason):
                return reject(.geometryUnrepairable, reason, linearised: linearised)
            }
        }
    }

    /// Whether the WKB is a 2D polygon or multipolygon: the common case, accepted as read when
    /// valid, without building an OGR geometry (which hands GEOS a converted copy) and exporting
    /// it again: that took a third of the geometry work. Anything else takes `prepareGeometry`,
    /// which names the problem and repairs it.
    static func isPlainPolygon(_ wkb: [UInt8]) -> Bool {
        guard wkb.count >= 9, wkb[0] <= 1 else { return false }
        let type = wkb[0] == 1 ? UInt32(wkb[1]) | UInt32(wkb[2]) << 8 | UInt32(wkb[3]) << 16 | UInt32(wkb[4]) << 24
            : UInt32(wkb[4]) | UInt32(wkb[3]) << 8 | UInt32(wkb[2]) << 16 | UInt32(wkb[1]) << 24
        return type == 3 || type == 6  // wkbPolygon, wkbMultiPolygon
    }

    /// A plain polygon (`isPlainPolygon`) is valid and not empty: certainly so by
    /// `QuickValidity`, else as GEOS finds it straight from the WKB.
    static func isValidPlainPolygon(_ shape: MultiPolygon, wkb: [UInt8], geos: GEOSContext) -> Bool {
        if QuickValidity.isCertainlyValid(shape) { return true }
        guard let geometry = try? geos.geometry(wkb: wkb) else { return false }
        return !geometry.isEmpty && geometry.isValid
    }

    enum GeometryOutcome {
        /// `repair` says why the input was invalid (GEOS's words), when it was repaired.
        case accepted(wkb: [UInt8], repair: String?, linearised: Bool, flattened: Bool = false)
        case rejected(code: RejectCode, reason: String)
    }

    /// Null/empty/non-polygon → reject; curves → linearised; invalid → make-valid, re-checked.
    /// GEOS reports why a geometry is invalid as a GDAL warning; it is taken from `diagnostics`
    /// and attached to this feature instead of the run's general warnings.
    static func prepareGeometry(_ geometry: Geometry?, diagnostics: Diagnostics) throws(GDALError) -> GeometryOutcome {
        guard var geometry else { return .rejected(code: .geometryNull, reason: "the feature has no geometry") }
        if geometry.isEmpty { return .rejected(code: .geometryEmpty, reason: "the geometry is empty") }
        var linearised = false
        if case .curve = geometry.type {
            geometry = try geometry.linearized()
            linearised = true
        }
        // Z and M are dropped (the rules are planar and areal), and counted for a warning.
        let flattened = geometry.hasZOrM
        if flattened { geometry.flattenTo2D() }
        guard geometry.type.isPolygonal else {
            return .rejected(code: .geometryNotPolygon,
                             reason: "expected a Polygon or MultiPolygon, found \(geometry.type)")
        }
        let mark = diagnostics.mark
        let isValid = geometry.isValid
        let invalidity = diagnostics.takeWarnings(since: mark).map(\.message).joined(separator: "; ")
        if isValid { return .accepted(wkb: try geometry.wkb(), repair: nil, linearised: linearised, flattened: flattened) }
        let why = invalidity.isEmpty ? "invalid geometry" : invalidity
        let fixed = try geometry.makeValid()
        guard let polygonal = try fixed.polygonalPart(), !polygonal.isEmpty, polygonal.planarArea > 0 else {
            return .rejected(code: .geometryUnrepairable, reason: "\(why); make-valid left no area")
        }
        let recheckMark = diagnostics.mark
        let repairedIsValid = polygonal.isValid
        _ = diagnostics.takeWarnings(since: recheckMark)
        guard repairedIsValid else {
            return .rejected(code: .geometryUnrepairable, reason: "\(why); still invalid after make-valid")
        }
        return .accepted(wkb: try polygonal.wkb(), repair: why, linearised: linearised, flattened: flattened)
    }

    enum OutputGeometryOutcome {
        case valid(MultiPolygon)
        case repaired(MultiPolygon, reason: String)
        case unrepairable(reason: String)
    }

    /// Rounds to the output precision and makes sure the result is valid, repairing it in WGS84
    /// (and rounding again) when rounding or reprojection broke it.
    static func outputGeometry(_ lonLat: MultiPolygon, diagnostics: Diagnostics, geos: GEOSContext) throws(GDALError) -> OutputGeometryOutcome {
        var candidate = lonLat.rounded(decimals: OutputPrecision.coordinateDecimals)
        // Nearly always still valid: certainly so for a small single ring (`QuickValidity`), else
        // GEOS says so straight from the WKB (no OGR geometry).
        if QuickValidity.isCertainlyValid(candidate) { return .valid(candidate) }
        if let geometry = try? geos.geometry(wkb: WKB.encode(candidate)), !geometry.isEmpty, geometry.isValid { return .valid(candidate) }
        var reasons: [String] = []
        for _ in 0..<3 {
            let geometry = try Geometry(wkb: WKB.encode(candidate))
            let mark = diagnostics.mark
            let isValid = geometry.isValid
            let why = diagnostics.takeWarnings(since: mark).map(\.message).joined(separator: "; ")
            if isValid {
                return reasons.isEmpty ? .valid(candidate)
                    : .repaired(candidate, reason: "invalid after reprojection to WGS84 and rounding to \(OutputPrecision.coordinateDecimals) decimals: \(reasons[0])")
            }
            reasons.append(why.isEmpty ? "invalid geometry" : why)
            guard let polygonal = try geometry.makeValid().polygonalPart(), !polygonal.isEmpty,
                  let decoded = try? WKB.multiPolygon(from: try polygonal.wkb()) else { break }
            candidate = decoded.rightHandRule().rounded(decimals: OutputPrecision.coordinateDecimals)
        }
        return .unrepairable(reason: "invalid after reprojection to WGS84 and rounding (\(reasons.first ?? "")), and make-valid could not fix it")
    }

    /// Source CRS → (WGS84 lon/lat geometry, ellipsoidal area in m²), or nil if PROJ fails.
    static func reproject(_ geometry: MultiPolygon, toGeographic: CoordinateTransformation,
                   geographicToWGS84: CoordinateTransformation?, ellipsoid: Ellipsoid) -> (MultiPolygon, Double)? {
        // Sized first: grown by appending, the two arrays were reallocated three times each for
        // a parcel's handful of vertices.
        let vertexCount = geometry.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } }
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(vertexCount)
        ys.reserveCapacity(vertexCount)
        for polygon in geometry.polygons { for ring in polygon.rings { for p in ring { xs.append(p.x); ys.append(p.y) } } }
        guard toGeographic.transform(x: &xs, y: &ys) else { return nil }
        // Area per ring on the source ellipsoid: exterior minus holes.
        var area = 0.0
        var cursor = 0
        for polygon in geometry.polygons {
            for (index, ring) in polygon.rings.enumerated() {
                let range = cursor..<(cursor + ring.count)
                let ringArea = xs.withUnsafeBufferPointer { xs in
                    ys.withUnsafeBufferPointer { ys in
                        ellipsoid.ringArea(longitudes: UnsafeBufferPointer(rebasing: xs[range]), latitudes: UnsafeBufferPointer(rebasing: ys[range]))
                    }
                }
                area += index == 0 ? ringArea : -ringArea
                cursor += ring.count
            }
        }
        if let geographicToWGS84 { guard geographicToWGS84.transform(x: &xs, y: &ys) else { return nil } }
        guard xs.allSatisfy(Self.isLongitude), ys.allSatisfy(Self.isLatitude) else { return nil }
        cursor = 0
        let lonLat = MultiPolygon(polygons: geometry.polygons.map { polygon in
            Polygon(rings: polygon.rings.map { ring in
                defer { cursor += ring.count }
                return (cursor..<(cursor + ring.count)).map { Position(x: xs[$0], y: ys[$0]) }
            })
        })
        return (lonLat, area)
    }

    /// Stops early when the layer's coordinates cannot be on the earth in its CRS, e.g. a
    /// Gauss–Krüger layer with zone-prefixed eastings (38 500 000) declared without the prefix.
    private func checkExtent(of layer: Layer, transform: CoordinateTransformation, crsLabel: String) throws {
        guard let extent = layer.extent(), extent.minX <= extent.maxX else { return }
        let corners = [(extent.minX, extent.minY), (extent.maxX, extent.maxY), (extent.minX, extent.maxY), (extent.maxX, extent.minY)]
        let fits = corners.allSatisfy { corner in
            guard let p = transform.transform(x: corner.0, y: corner.1) else { return false }
            return Self.isLongitude(p.x) && Self.isLatitude(p.y)
        }
        guard !fits else { return }
        var hint: String? = nil
        if extent.minX > 1_000_000 {
            hint = "eastings above 1 000 000 usually carry a Gauss–Krüger zone prefix (e.g. 38 500 000): "
                + "use the zone-prefixed CGCS2000 code (EPSG:4513–4533) instead of a \"CM xxxE\" code (EPSG:4534–4554)"
        }
        throw IngestError.coordinatesOutsideCRS(path: options.path, crs: crsLabel, extent: extent, hint: hint)
    }

    /// Longitudes and latitudes, allowing the last-bit noise of world layers (180.00000000000006).
    static func isLongitude(_ value: Double) -> Bool { value.isFinite && abs(value) <= 180 + 1e-9 }
    static func isLatitude(_ value: Double) -> Bool { value.isFinite && abs(value) <= 90 + 1e-9 }

    // MARK: - Encoding

    /// The code page this reader recodes shapefile text from itself, or nil when GDAL's own
    /// decoding is kept (other formats, UTF-8, Latin-1, or no declared encoding).
    func selfRecodedEncoding(of layer: Layer, driver: String) -> String? {
        guard driver == "ESRI Shapefile" else { return nil }
        guard let encoding = options.encoding.map(Self.gdalEncodingName) ?? layer.metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE"),
              !encoding.isEmpty else { return nil }
        let canonical = encoding.uppercased().filter { $0.isLetter || $0.isNumber }
        return ["UTF8", "ISO88591", "LATIN1", "ASCII", "USASCII"].contains(canonical) ? nil : encoding
    }

    /// (a description of how GDAL decoded the text, whether it decoded as Latin-1 by default).
    private func describeEncoding(of layer: Layer) -> (String, Bool) {
        if let explicit = options.encoding { return ("\(Self.gdalEncodingName(explicit)) (--encoding)", false) }
        guard let source = layer.metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE") else {
            return ("UTF-8 (\(layer.dataset.driverName))", false)
        }
        if source.isEmpty { return ("none declared: bytes passed through", false) }
        let fromCPG = layer.metadataItem("ENCODING_FROM_CPG", domain: "SHAPEFILE")
        let origin = fromCPG != nil && fromCPG == source ? ".cpg" : "DBF language driver id"
        let isLatin1 = source.uppercased() == "ISO-8859-1" && origin != ".cpg"
        return ("\(source) (from \(origin))", isLatin1)
    }

    private func finding(field: String, fid: Int64?, bytes: [UInt8], problem: TextEncodingCheck.Problem) -> EncodingFinding {
        let asRead = String(decoding: bytes, as: UTF8.self)
        var asSuggested: String? = nil
        switch problem {
        case .notUTF8(let likelyGBK) where likelyGBK:
            asSuggested = TextRecoding.decode(bytes, from: "CP936")
        case .gbkReadAsLatin1:
            asSuggested = TextRecoding.decode(asRead.unicodeScalars.map { UInt8($0.value) }, from: "CP936")
        case .utf8ReadAsLatin1:
            asSuggested = String(decoding: asRead.unicodeScalars.map { UInt8($0.value) }, as: UTF8.self)
        default: break
        }
        return EncodingFinding(field: field, featureID: fid, problem: problem, asRead: asRead, asSuggested: asSuggested)
    }

    private func encodingSuggestion(for findings: [EncodingFinding]) -> String {
        let gbk = findings.contains { finding in
            switch finding.problem {
            case .gbkReadAsLatin1, .notUTF8(likelyGBK: true): true
            default: false
            }
        }
        if gbk { return "The text looks like GBK (Chinese Windows). Run again with --encoding GBK (or add a .cpg file containing \"GBK\")." }
        if findings.contains(where: { $0.problem == .utf8ReadAsLatin1 }) {
            return "The text looks like UTF-8. Run again with --encoding UTF-8 (or add a .cpg file containing \"UTF-8\")."
        }
        return "Name the file's character set with --encoding (e.g. --encoding GBK, --encoding UTF-8, --encoding CP1252)."
    }

    // MARK: - Helpers

    private func summarise(_ warnings: [GDALWarning]) -> [String] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for warning in warnings {
            if counts[warning.message] == nil { order.append(warning.message) }
            counts[warning.message, default: 0] += 1
        }
        return order.map { message in
            let count = counts[message]!
            return "GDAL (\(options.path)): \(message)" + (count > 1 ? " (×\(count))" : "")
        }
    }

    private func duplicateIDs(in parcels: [Parcel]) -> [String] {
        var seen = Set<String>(), duplicates: [String] = []
        for parcel in parcels where !seen.insert(parcel.id).inserted {
            if duplicates.count < 100 { duplicates.append(parcel.id) }
        }
        return duplicates
    }
}

extension AttributeValue {
    init(_ value: FieldValue) {
        switch value {
        case .null: self = .null
        case .integer(let v): self = .integer(v)
        case .real(let v): self = .real(v)
        case .string(let v), .temporal(let v): self = .string(v)
        case .boolean(let v): self = .boolean(v)
        }
    }
}

/// Text read raw from a shapefile in a legacy code page (GBK above all), recoded with GDAL's own
/// `CPLRecode` once per distinct value: GDAL would open an iconv descriptor for every text field of
/// every feature. Without an encoding (or for ASCII) the bytes are UTF-8 already.
struct RawTextDecoder {
    let encoding: String?
    private var recoded: [RawBytes: (text: String, utf8: [UInt8], problem: TextEncodingCheck.Problem?)] = [:]
    /// Distinct values remembered at most (ids are distinct; crops and units repeat).
    static let cacheLimit = 200_000

    init(encoding: String?) { self.encoding = encoding }

    /// The text, its UTF-8 bytes and what `check` says of them; a recoded value is checked once
    /// (a crop or a township name repeats in every feature that has it), so a decoder is used
    /// with one `check` throughout.
    mutating func decode(_ bytes: [UInt8], checkedBy check: ([UInt8]) -> TextEncodingCheck.Problem?)
        -> (text: String, utf8: [UInt8], problem: TextEncodingCheck.Problem?) {
        guard let encoding, bytes.contains(where: { $0 >= 0x80 }) else { return (String(decoding: bytes, as: UTF8.self), bytes, check(bytes)) }
        if let known = recoded[RawBytes(bytes)] { return known }
        let text = TextRecoding.decode(bytes, from: encoding)
        let utf8 = Array(text.utf8)
        let result = (text, utf8, check(utf8))
        if recoded.count < Self.cacheLimit { recoded[RawBytes(bytes)] = result }
        return result
    }

    /// A field's raw bytes as a dictionary key, hashed in one call: `[UInt8]` hashes a byte at
    /// a time (≈ 440 instructions a lookup of a Chinese crop or township name, 35 M on 20 000
    /// parcels).
    struct RawBytes: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}
