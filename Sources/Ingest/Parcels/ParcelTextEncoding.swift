import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// How the layer's text was decoded, and what to do when it was not decoded right.
extension ParcelReader {

    /// The code page this reader recodes shapefile text from itself, or nil when GDAL's own
    /// decoding is kept (other formats, UTF-8, Latin-1, or no declared encoding).
    func selfRecodedEncoding(of layer: Layer, driver: String) -> String? {
        guard driver == "ESRI Shapefile" else { return nil }
        // A `--where` compares the text GDAL decodes, and `--oo` may set the encoding itself:
        // GDAL decodes then.
        guard options.attributeFilter == nil, options.openOptions.isEmpty else { return nil }
        guard let encoding = options.encoding.map(Self.gdalEncodingName) ?? layer.metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE"),
              !encoding.isEmpty else { return nil }
        let canonical = encoding.uppercased().filter { $0.isLetter || $0.isNumber }
        return ["UTF8", "ISO88591", "LATIN1", "ASCII", "USASCII"].contains(canonical) ? nil : encoding
    }

    /// (a description of how GDAL decoded the text, whether it decoded as Latin-1 by default).
    func describeEncoding(of layer: Layer) -> (String, Bool) {
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

    func finding(field: String, fid: Int64?, bytes: [UInt8], problem: TextEncodingCheck.Problem) -> EncodingFinding {
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

    func encodingSuggestion(for findings: [EncodingFinding]) -> String {
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
