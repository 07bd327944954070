import CGDAL

/// SHA-256 of files, for provenance in run.json. Uses GDAL's own implementation
/// (`CPL_SHA256*`, exported by libgdal) and reads through VSI, so `/vsizip/` paths work too.
public enum SHA256 {
    /// Hex digest of the file at `path`.
    ///
    /// The corresponding C functions are `VSIFOpenL`, `VSIFReadL` and `CPL_SHA256Update`.
    public static func hexDigest(ofFile path: String) throws(GDALError) -> String {
        let file = try gdalNonNull("VSIFOpenL", context: path) { VSIFOpenL(path, "rb") }
        defer { VSIFCloseL(file) }
        let context = UnsafeMutableRawPointer.allocate(byteCount: Int(IRRIZONE_SHA256_CONTEXT_BYTES), alignment: 16)
        defer { context.deallocate() }
        CPL_SHA256Init(context)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let read = VSIFReadL(buffer, 1, chunk, file)
            if read > 0 { CPL_SHA256Update(context, buffer, read) }
            if read < chunk { break }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { CPL_SHA256Final(context, $0.baseAddress) }
        return digest.map { String(format2: $0) }.joined()
    }

    /// Hex digest of bytes in memory.
    public static func hexDigest(of bytes: [UInt8]) -> String {
        let context = UnsafeMutableRawPointer.allocate(byteCount: Int(IRRIZONE_SHA256_CONTEXT_BYTES), alignment: 16)
        defer { context.deallocate() }
        CPL_SHA256Init(context)
        bytes.withUnsafeBytes { CPL_SHA256Update(context, $0.baseAddress, $0.count) }
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { CPL_SHA256Final(context, $0.baseAddress) }
        return digest.map { String(format2: $0) }.joined()
    }
}

private extension String {
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16)
        self = byte < 16 ? "0" + hex : hex
    }
}
