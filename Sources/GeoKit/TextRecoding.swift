import CGDAL

/// Character-set conversion through GDAL's `CPLRecode` (iconv on Debian).
public enum TextRecoding {
    /// Decodes `bytes` from `encoding` (e.g. "CP936") to a Swift string.
    ///
    /// The corresponding C function is `CPLRecode`.
    public static func decode(_ bytes: [UInt8], from encoding: String) -> String {
        var text = bytes.map { CChar(bitPattern: $0) }
        text.append(0)
        let recoded = CPLRecode(text, encoding, CPL_ENC_UTF8)  // never NULL; free with VSIFree
        defer { VSIFree(recoded) }
        return String(cString: recoded)
    }

    /// Whether GDAL's iconv knows `encoding` (e.g. "CP936", "GB18030").
    public static func isSupported(_ encoding: String) -> Bool {
        let diagnostics = Diagnostics()
        _ = diagnostics.collect { decode(Array("a".utf8), from: encoding) }
        return diagnostics.warnings.isEmpty && diagnostics.errors.isEmpty
    }
}

extension TextRecoding {
    /// Encodes `text` into `encoding` (e.g. "CP936" for files as Excel on Chinese Windows
    /// writes them). The corresponding C function is `CPLRecode`.
    public static func encode(_ text: String, to encoding: String) -> [UInt8] {
        let recoded = CPLRecode(text, CPL_ENC_UTF8, encoding)  // never NULL; free with VSIFree
        defer { VSIFree(recoded) }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(recoded).assumingMemoryBound(to: UInt8.self), count: strlen(recoded)))
    }
}
