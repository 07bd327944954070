import IrrigationModel
import PlanarGeometry

/// A property value for a GeoJSON feature.
public enum PropertyValue: Sendable, Hashable {
    case null
    case string(String)
    case number(Double)
    /// A number written rounded to a fixed number of decimals (areas, concentrations).
    case fixed(Double, decimals: Int)
    case integer(Int64)
    case boolean(Bool)
    case strings([String])
    /// Pre-rendered JSON; must be valid JSON.
    case rawJSON(String)
    /// The `findings` array of a parcel, encoded straight into the output.
    case findings([Finding])
}

/// Streams an RFC 7946 FeatureCollection: WGS84 lon/lat, right-hand-rule rings (callers pass
/// geometry already wound, see `MultiPolygon.rightHandRule()`), coordinates to 7 decimals
/// (≈ 1 cm, GDAL's RFC 7946 default), flat properties.
public final class GeoJSONWriter {
    public static let coordinateDecimals = OutputPrecision.coordinateDecimals
    private let out: OutputBuffer
    private var featureCount = 0

    /// Opens `path` and writes the collection header. `name` becomes the layer name GDAL reports.
    public init(path: String, name: String) throws {
        out = try OutputBuffer(path: path)
        out.append(encoded: Self.header(name: name))
    }

    /// The bytes before the first feature, and after the last (`merge` joins files between them);
    /// features are separated by `featureSeparator`.
    public static func header(name: String) -> JSONBytes {
        var bytes = JSONBytes()
        bytes.append("{\n\"type\": \"FeatureCollection\",\n\"name\": ")
        bytes.appendJSONString(name)
        bytes.append(",\n\"features\": [\n")
        return bytes
    }
    public static let footer = "\n]\n}\n", featureSeparator = ",\n"

    /// Writes one feature with a polygonal geometry (MultiPolygon, or Polygon when it has one part).
    public func writeFeature(geometry: MultiPolygon?, properties: [(String, PropertyValue)]) {
        write(encoded: Self.encodeFeature(geometry: geometry, properties: properties))
    }

    /// Writes a feature encoded with `encodeFeature` (possibly on another thread).
    public func write(encoded: JSONBytes) {
        if featureCount > 0 { out.append(Self.featureSeparator) }
        featureCount += 1
        out.append(encoded: encoded)
    }

    /// Writes features encoded together with `encodeParcelFeatures` (possibly on another thread).
    public func write(encodedFeatures encoded: JSONBytes, count: Int) {
        guard count > 0 else { return }
        if featureCount > 0 { out.append(Self.featureSeparator) }
        featureCount += count
        out.append(encoded: encoded)
    }

    /// One feature's JSON, for encoding features concurrently and writing them in order.
    public static func encodeFeature(geometry: MultiPolygon?, properties: [(String, PropertyValue)]) -> JSONBytes {
        var out = JSONBytes(), keys = EncodedKeys()
        appendFeature(geometry: geometry, properties: properties, keys: &keys, to: &out)
        return out
    }

    /// The features of `parcels[range]`, separated as in the file: one piece per chunk of parcels
    /// encoded on one core (one allocation and one write per chunk, not per feature), each
    /// parcel's properties encoded as `ParcelProperties.visit` hands them over.
    /// - Parameters:
    ///   - links: one per parcel, or empty (no monitoring data).
    ///   - assessments: the assessments of `parcels[firstAssessed...]`.
    ///   - attributes: the attributes of `parcels[range]` read back when the parcels' are spilled
    ///     (`AttributeRecord.loaded`), else nil.
    public static func encodeParcelFeatures(_ range: Range<Int>, parcels: [Parcel], links: [ParcelLinks], soil: [SoilSample],
                                            assessments: [ParcelAssessment], firstAssessed: Int,
                                            fieldNames: ParcelProperties.FieldNames, attributes: [AttributeRecord]? = nil) -> JSONBytes {
        var encoder = PropertyEncoder()
        for index in range {
            if index > range.lowerBound { encoder.out.append(text: featureSeparator) }
            appendParcelFeature(parcels, at: index, links: links, soil: soil, assessment: assessments[index - firstAssessed],
                                fieldNames: fieldNames, attributes: attributes?[index - range.lowerBound], to: &encoder)
            // Room for the rest at the first feature's size (and a margin): growing a piece of
            // megabytes by doubling copied it over and over.
            if index == range.lowerBound {
                encoder.out.reserveCapacity(encoder.out.count * range.count + encoder.out.count * range.count / 8)
            }
        }
        return encoder.out
    }

    private static func appendParcelFeature(_ parcels: [Parcel], at index: Int, links: [ParcelLinks], soil: [SoilSample],
                                            assessment: ParcelAssessment, fieldNames: ParcelProperties.FieldNames,
                                            attributes: AttributeRecord?, to encoder: inout PropertyEncoder) {
        let geometry = parcels[index].geometry  // unpacked once (`Parcel.geometry`)
        let vertices = geometry.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } }
        let needed = encoder.out.count + 512 + 40 * (ParcelProperties.contractNames.count + parcels[index].attributes.count) + 26 * vertices
        if needed > encoder.out.capacity { encoder.out.reserveCapacity(max(needed, 2 * encoder.out.capacity)) }
        encoder.out.append("{ \"type\": \"Feature\", \"properties\": { ")
        encoder.index = 0
        ParcelProperties.visit(parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames,
                               attributes: attributes, into: &encoder)
        encoder.out.append(" }, \"geometry\": ")
        if !geometry.isEmpty { write(geometry, to: &encoder.out) } else { encoder.out.append("null") }
        encoder.out.append(" }")
    }

    /// Writes properties as `write(_:to:)` writes their `PropertyValue`s, as they come.
    struct PropertyEncoder: PropertyReceiver {
        var out = JSONBytes()
        var keys = EncodedKeys()
        /// The position of the next property in its feature.
        var index = 0

        @inline(__always) private mutating func key(_ key: String) {
            keys.append(key, at: index, to: &out)
            index += 1
        }
        mutating func string(_ key: String, _ value: String?) {
            self.key(key)
            if let value { out.appendJSONString(value) } else { out.append("null") }
        }
        mutating func fixed(_ key: String, _ value: Double?, decimals: Int) {
            self.key(key)
            if let value, value.isFinite { out.appendFixed(value, decimals: decimals) } else { out.append("null") }
        }
        mutating func number(_ key: String, _ value: Double?) {
            self.key(key)
            if let value { out.appendJSONNumber(value) } else { out.append("null") }
        }
        mutating func integer(_ key: String, _ value: Int64?) {
            self.key(key)
            if let value { out.appendInteger(value) } else { out.append("null") }
        }
        mutating func boolean(_ key: String, _ value: Bool?) {
            self.key(key)
            if let value { out.append(value ? "true" : "false") } else { out.append("null") }
        }
        mutating func strings(_ key: String, _ values: [String]) {
            self.key(key)
            out.append(byte: UInt8(ascii: "["))
            for (index, s) in values.enumerated() {
                if index > 0 { out.append(", ") }
                out.appendJSONString(s)
            }
            out.append(byte: UInt8(ascii: "]"))
        }
        mutating func findings(_ key: String, _ findings: [Finding]) {
            self.key(key)
            out.appendFindings(findings)
        }
        mutating func attribute(_ key: String, _ value: AttributeValue) {
            self.key(key)
            switch value {
            case .null: out.append("null")
            case .integer(let v): out.appendInteger(v)
            case .real(let v): out.appendJSONNumber(v)
            case .string(let v): out.appendJSONString(v)
            case .boolean(let v): out.append(v ? "true" : "false")
            }
        }
    }

    static func appendFeature(geometry: MultiPolygon?, properties: [(String, PropertyValue)], keys: inout EncodedKeys, to out: inout JSONBytes) {
        // Room for the whole feature up front (a parcel's is ≈ 3.5 KB; growing the buffer showed
        // in profiles).
        let vertices = geometry?.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } } ?? 0
        let needed = out.count + 512 + 40 * properties.count + 26 * vertices
        if needed > out.capacity { out.reserveCapacity(max(needed, 2 * out.capacity)) }
        out.append("{ \"type\": \"Feature\", \"properties\": { ")
        for (index, (key, value)) in properties.enumerated() {
            keys.append(key, at: index, to: &out)
            write(value, to: &out)
        }
        out.append(" }, \"geometry\": ")
        if let geometry, !geometry.isEmpty { write(geometry, to: &out) } else { out.append("null") }
        out.append(" }")
    }

    /// The property keys of the last feature encoded, as written (`, "key": `): features of one
    /// layer name the same keys in the same order, so a key is escaped and quoted once per piece
    /// of features rather than once per feature (110 keys a parcel).
    struct EncodedKeys {
        private struct Entry { var key: String; var start: Int; var end: Int }
        private var entries: [Entry] = []
        private var bytes: [UInt8] = []

        /// Writes the key at `index` of a feature's properties, with the separator before it.
        mutating func append(_ key: String, at index: Int, to out: inout JSONBytes) {
            // Comparing a key with the same string as before is a check of its storage. (Read in
            // place: taking the key out of an array of keys was a retain and a release.)
            let known = entries.withUnsafeBufferPointer { entries -> Range<Int>? in
                index < entries.count && entries[index].key == key ? entries[index].start..<entries[index].end : nil
            }
            if let known {
                bytes.withUnsafeBytes { out.append(raw: UnsafeRawBufferPointer(rebasing: $0[known])) }  // a memcpy
                return
            }
            var encoded = JSONBytes()
            if index > 0 { encoded.append(", ") }
            encoded.appendJSONString(key)
            encoded.append(": ")
            let entry = Entry(key: key, start: bytes.count, end: bytes.count + encoded.count)
            bytes.append(contentsOf: encoded.bytes)
            if index < entries.count { entries[index] = entry } else { entries.append(entry) }
            out.append(encoded)
        }
    }

    /// Writes one point feature (sources, wells).
    public func writePointFeature(longitude: Double, latitude: Double, properties: [(String, PropertyValue)]) {
        var encoded = JSONBytes(capacity: 1024)
        encoded.append("{ \"type\": \"Feature\", \"properties\": { ")
        for (index, (key, value)) in properties.enumerated() {
            if index > 0 { encoded.append(", ") }
            encoded.appendJSONString(key)
            encoded.append(": ")
            Self.write(value, to: &encoded)
        }
        encoded.append(" }, \"geometry\": { \"type\": \"Point\", \"coordinates\": [")
        encoded.appendFixed(longitude, decimals: Self.coordinateDecimals)
        encoded.append(byte: UInt8(ascii: ","))
        encoded.appendFixed(latitude, decimals: Self.coordinateDecimals)
        encoded.append("] } }")
        write(encoded: encoded)
    }

    /// Closes the collection; returns the number of features written.
    @discardableResult
    public func finish() throws -> Int {
        out.append(Self.footer)
        try out.close()
        return featureCount
    }

    /// Closes the collection, writes the file to its end, flushes it to disk and closes it;
    /// returns the number of features written. (`ParcelOutputPass` runs it on the thread that
    /// wrote the features, while the run goes on.)
    public func finishAndSynchronize() throws -> Int {
        out.append(Self.footer)
        try out.closeAndSynchronize()
        return featureCount
    }

    static func write(_ value: PropertyValue, to out: inout JSONBytes) {
        switch value {
        case .null: out.append("null")
        case .string(let s): out.appendJSONString(s)
        case .number(let d): out.appendJSONNumber(d)
        case .fixed(let d, let decimals): d.isFinite ? out.appendFixed(d, decimals: decimals) : out.append("null")
        case .integer(let i): out.appendInteger(i)
        case .boolean(let b): out.append(b ? "true" : "false")
        case .strings(let list):
            out.append(byte: UInt8(ascii: "["))
            for (index, s) in list.enumerated() {
                if index > 0 { out.append(", ") }
                out.appendJSONString(s)
            }
            out.append(byte: UInt8(ascii: "]"))
        case .rawJSON(let json): out.append(text: json)
        case .findings(let findings): out.appendFindings(findings)
        }
    }

    static func write(_ geometry: MultiPolygon, to out: inout JSONBytes) {
        let single = geometry.polygons.count == 1
        out.append(single ? "{ \"type\": \"Polygon\", \"coordinates\": " : "{ \"type\": \"MultiPolygon\", \"coordinates\": [")
        for (p, polygon) in geometry.polygons.enumerated() {
            if p > 0 { out.append(byte: UInt8(ascii: ",")) }
            out.append(byte: UInt8(ascii: "["))
            for (r, ring) in polygon.rings.enumerated() {
                if r > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(byte: UInt8(ascii: "["))
                out.appendPositions(ring, decimals: coordinateDecimals)
                out.append(byte: UInt8(ascii: "]"))
            }
            out.append(byte: UInt8(ascii: "]"))
        }
        out.append(single ? " }" : "] }")
    }
}
