import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// The read loop: GDAL reads the features on this thread (attributes decoded and checked as they
/// come); their geometry work runs block by block on the other cores (`GeometryBlocks`) while
/// the next block is read; the census counts them on a thread of its own.
extension ParcelReader {
    func readCollecting(diagnostics: Diagnostics) throws -> ParcelLayerReading {
        let dataset = try open()
        let layer = try chooseLayer(in: dataset)
        var warnings: [String] = []
        // A shapefile in a legacy code page (GBK above all) is read raw and recoded by
        // `RawTextDecoder` (GDAL's own recoding took ~40 % of this thread's time).
        let recodeFrom = selfRecodedEncoding(of: layer, driver: dataset.driverName)
        let rawDataset = recodeFrom == nil ? nil : try open(rawText: true)
        let featureLayer = try rawDataset.map { try chooseLayer(in: $0) } ?? layer
        let (sourceCRS, crsWasAssumed) = try layerCRS(of: featureLayer, named: layer.name, driver: dataset.driverName, warnings: &warnings)
        // A part of a partitioned run is a run of features in the layer's reading order: a
        // database gives no stable order (one UPDATE between parts gave a parcel to two parts
        // and none to another: issue #23).
        if options.featureRange != nil, Self.unorderedDrivers.contains(dataset.driverName) {
            throw IngestError.unstableOrder(path: options.path, driver: dataset.driverName)
        }
        let crsLabel = sourceCRS.authorityCode ?? sourceCRS.name
        let ellipsoid = try sourceCRS.ellipsoid()
        try checkExtent(of: layer, transform: try CoordinateTransformation(from: sourceCRS, to: sourceCRS.geographic()), crsLabel: crsLabel)
        let roles = try FieldRoles(fieldNames: layer.fields.map(\.name), explicit: options.fields, path: options.path)
        let (textEncoding, assumedLatin1) = describeEncoding(of: layer)
        var attributes = AttributeReader(fields: layer.fields, decoder: RawTextDecoder(encoding: recodeFrom), assumedLatin1: assumedLatin1)

        let featureCount = options.featureRange?.count ?? layer.featureCount(forceScan: false)
        let counter = try options.census == nil ? CensusCounter(crsWKT: try sourceCRS.wkt(), expectedIDs: featureCount) : nil
        var tally = ParcelTally(expected: featureCount ?? 0)
        var spill = options.attributeSpill.map(AttributeSpillWriter.init)
        var sharedRoles = ParcelRoles.Sharing()
        var blocks = GeometryBlocks(transform: try SharedWGS84Transform(from: sourceCRS), ellipsoid: ellipsoid, crsLabel: crsLabel, file: options.path)
        defer { blocks.waitForAll() }  // a block still being worked on when the reading stops on an error
        let firstFeature = options.featureRange?.lowerBound ?? 0, total = options.progress == nil ? nil : featureCount
        var featuresRead = 0
        do {
            try featureLayer.forEachFeature(from: firstFeature, count: options.featureRange?.count) { feature in
                featuresRead += 1
                if featuresRead % 5000 == 0 { options.progress?(featuresRead, total) }
                let fid = feature.id, ordinal = firstFeature + featuresRead
                let values = attributes.read(feature, featureID: fid, reader: self)
                let draft = try roles.parcel(from: values, featureID: fid, ordinal: ordinal, spill: &spill, sharedRoles: &sharedRoles)
                counter?.add(draft.parcel!, id: draft.id)
                let wkb: [UInt8]?
                do { wkb = try feature.geometry?.wkb() } catch {
                    tally.rejects.append(Reject(file: options.path, location: Self.location(featureID: fid, ordinal: ordinal), field: "geometry",
                                                code: .geometryError, reason: "GDAL could not export the geometry: \(error)"))
                    return
                }
                var withGeometry = draft
                withGeometry.wkb = wkb
                if blocks.append(withGeometry, into: &tally) { counter?.countBlock() }
            }
        } catch let error as GDALError where error.function == "OGR_L_GetNextFeature" {
            throw IngestError.damaged(path: options.path, gdal: error)
        }
        var census = options.census ?? ParcelCensus()
        if let counter {
            census = try counter.finish()
            options.idsCounted?(census.parcelIDs)
            // After the features, when whether CGCS2000 → WGS84 is a no-op is long known
            // (`GeographicToWGS84`): asked at the start, the reading waited for it.
            census.extent = ParcelCensus.wgs84Extent(of: layer, transform: try WGS84Transform(from: sourceCRS))
        }
        blocks.finish(into: &tally)
        try spill?.flush()
        if !attributes.findings.isEmpty {
            throw IngestError.undecodableText(path: options.path, findings: attributes.findings,
                                              suggestion: encodingSuggestion(for: attributes.findings))
        }
        warnings += summarise(tally.workerWarnings) + readingWarnings(tally, roles: roles, census: census)
        return ParcelLayerReading(
            parcels: tally.parcels, rejects: tally.rejects, featuresRead: featuresRead, repairs: tally.repairs,
            layerName: layer.name, driver: dataset.driverName, sourceCRS: crsLabel, sourceCRSWKT: try sourceCRS.wkt(), ellipsoid: ellipsoid,
            crsWasAssumed: crsWasAssumed, textEncoding: textEncoding, fieldMapping: roles.mapping.fieldForRole, fieldNames: roles.fieldNames,
            files: (rawDataset ?? dataset).fileList, warnings: warnings, census: census)
    }

    /// The layer's CRS: its own, else `--assume-crs`, else the run stops. Asked of the layer the
    /// features are read from: GDAL identifies the .prj for each layer it is asked of.
    private func layerCRS(of layer: Layer, named name: String, driver: String, warnings: inout [String]) throws -> (SpatialReference, assumed: Bool) {
        if let declared = try layer.spatialReference() {
            if let assumed = options.assumeCRS {
                warnings.append("--assume-crs \(assumed) ignored: \(options.path) declares its CRS (\(declared.authorityCode ?? declared.name))")
            }
            return (declared, false)
        }
        guard let assumed = options.assumeCRS else { throw IngestError.missingCRS(path: options.path, layer: name, driver: driver) }
        do { return (try SpatialReference(userInput: assumed), true) } catch { throw IngestError.invalidCRS(input: assumed, gdal: error) }
    }

    /// What the user should know about the features read that did not stop the run.
    private func readingWarnings(_ tally: ParcelTally, roles: FieldRoles, census: ParcelCensus) -> [String] {
        var warnings: [String] = []
        if tally.linearised > 0 { warnings.append("\(tally.linearised) curved geometries in \(options.path) were approximated by straight segments") }
        if tally.flattened > 0 { warnings.append("\(tally.flattened) geometries in \(options.path) had Z or M coordinates: read in 2D (heights and measures dropped)") }
        if tally.emptyIDs > 0 {
            warnings.append("\(tally.emptyIDs) parcels in \(options.path) have an empty \(roles.mapping[.parcelID] ?? "id") field; their feature id is used as parcel_id")
        }
        // The census counts every feature of the layer: when its ids are all different, so are these.
        let duplicates = census.parcelIDs.count == census.featureCount ? [] : duplicateIDs(in: tally.parcels)
        if !duplicates.isEmpty {
            warnings.append("\(duplicates.count) parcel ids occur more than once in \(options.path) (e.g. \(duplicates.prefix(5).joined(separator: ", "))); records linked by id will match all of them")
        }
        if !tally.badPH.isEmpty {
            warnings.append("soil pH field \(roles.mapping[.soilPH] ?? "") holds values that are not a pH between 0 and 14 (treated as missing): \(tally.badPH.prefix(5).joined(separator: "; "))")
        }
        return warnings
    }
}

/// What the reading has gathered so far: the parcels accepted (in input order), the features
/// rejected, and the counts its warnings report.
struct ParcelTally {
    var parcels: [Parcel] = []
    var rejects: [Reject] = []
    var repairs: [Repair] = []
    var workerWarnings: [GDALWarning] = []
    var linearised = 0, flattened = 0, emptyIDs = 0
    var badPH: [String] = []

    /// Room for every parcel up front: growing an array of a million parcels by doubling copied
    /// it into fresh memory again and again.
    init(expected: Int) { parcels.reserveCapacity(expected) }
}

/// The layer's fields that play a role (`ParcelFieldMapping`), looked up once: a dictionary
/// lookup per role and feature showed on the reading thread.
struct FieldRoles {
    let fieldNames: [String]
    /// The names every parcel's `AttributeRecord` shares.
    let attributeNames: AttributeNames
    let mapping: ParcelFieldMapping
    private let id, crop, landUseCode, landUseName, soilPH, source, adminUnit, irrigationMethod: Int?

    init(fieldNames: [String], explicit: [ParcelField: String], path: String) throws {
        self.fieldNames = fieldNames
        attributeNames = AttributeNames(fieldNames)
        do { mapping = try ParcelFieldMapping(fieldNames: fieldNames, explicit: explicit) } catch {
            throw IngestError.fieldMapping(path: path, message: error.description)
        }
        let index: [ParcelField: Int] = mapping.fieldForRole.compactMapValues { fieldNames.firstIndex(of: $0) }
        id = index[.parcelID]; crop = index[.crop]; landUseCode = index[.landUseCode]; landUseName = index[.landUseName]
        soilPH = index[.soilPH]; source = index[.sourceID]; adminUnit = index[.adminUnit]; irrigationMethod = index[.irrigationMethod]
    }

    /// The feature as a parcel waiting for its geometry: an empty id takes the feature id (else
    /// its position), a soil pH outside 0–14 is left out and reported.
    /// - Parameters:
    ///   - spill: where the attributes wait for the outputs, when not in the parcel.
    ///   - sharedRoles: the role texts parcels repeat, one object for each combination.
    func parcel(from attributes: [Attribute], featureID fid: Int64?, ordinal: Int,
                spill: inout AttributeSpillWriter?, sharedRoles: inout ParcelRoles.Sharing) throws -> ParcelReader.ParcelDraft {
        func text(_ field: Int?) -> String? { field.flatMap { attributes[$0].value.text } }
        let givenID = id.flatMap { attributes[$0].value.text }  // ids are many and distinct: not shared
        var soilPHValue: Double? = nil, badPH: String? = nil
        if let index = soilPH, let raw = attributes[index].value.text {
            if let value = attributes[index].value.number, (0...14).contains(value) { soilPHValue = value }
            else { badPH = "\(ParcelReader.location(featureID: fid, ordinal: ordinal)): \"\(raw)\"" }
        }
        let roleTexts = ParcelRoles.Texts(crop: text(crop), landUseCode: text(landUseCode), landUseName: text(landUseName),
                                          sourceID: text(source), adminUnit: text(adminUnit), irrigationMethod: text(irrigationMethod))
        // The id and shape are packed together once the shape is made (`processGeometries`).
        let parcel = Parcel(idAndShape: .unpacked, featureID: fid, roles: sharedRoles.roles(for: roleTexts), soilPH: soilPHValue,
                            attributes: try spill?.record(names: attributeNames, values: attributes.map(\.value))
                                ?? AttributeRecord(names: attributeNames, values: attributes.map(\.value)),
                            areaSquareMetres: 0, geometryRepaired: false)
        return ParcelReader.ParcelDraft(featureID: fid, ordinal: ordinal, id: givenID ?? fid.map { String($0) } ?? String(ordinal), parcel: parcel,
                                        wkb: nil, idWasEmpty: givenID == nil && id != nil, badPH: badPH)
    }
}

/// A feature's attributes, decoded and checked: text that does not decode as its declared
/// encoding is recorded (`findings`, up to 50, each field at least once) and stops the run.
struct AttributeReader {
    let fields: [FieldDefinition]
    var decoder: RawTextDecoder
    let assumedLatin1: Bool
    private(set) var findings: [EncodingFinding] = []
    private var reportedFields = Set<String>()

    init(fields: [FieldDefinition], decoder: RawTextDecoder, assumedLatin1: Bool) {
        self.fields = fields; self.decoder = decoder; self.assumedLatin1 = assumedLatin1
    }

    mutating func read(_ feature: Feature, featureID fid: Int64?, reader: ParcelReader) -> [Attribute] {
        var attributes: [Attribute] = []
        attributes.reserveCapacity(fields.count)
        for (index, definition) in fields.enumerated() {
            guard definition.type == .string else {
                attributes.append(Attribute(name: definition.name, value: AttributeValue(feature.value(at: index))))
                continue
            }
            // An ASCII value is its own text (no recoding, nothing to check): read in GDAL's
            // buffer, without an array of its bytes.
            enum Field { case null, ascii(String), bytes([UInt8]) }
            let field = feature.withTextBytes(at: index) { raw -> Field in
                guard let raw else { return .null }
                return TextEncodingCheck.isASCII(UnsafeRawBufferPointer(raw)) ? .ascii(String(decoding: raw, as: UTF8.self)) : .bytes(Array(raw))
            }
            switch field {
            case .null: attributes.append(Attribute(name: definition.name, value: .null))
            case .ascii(let text): attributes.append(Attribute(name: definition.name, value: .string(text)))
            case .bytes(let raw):
                let assumedLatin1 = self.assumedLatin1
                let (text, bytes, problem) = decoder.decode(raw, checkedBy: { TextEncodingCheck.problem(in: $0, assumedLatin1: assumedLatin1) })
                if findings.count < 50, let problem, reportedFields.insert(definition.name).inserted || findings.count < 5 {
                    findings.append(reader.finding(field: definition.name, fid: fid, bytes: bytes, problem: problem))
                }
                attributes.append(Attribute(name: definition.name, value: .string(text)))
            }
        }
        return attributes
    }
}
