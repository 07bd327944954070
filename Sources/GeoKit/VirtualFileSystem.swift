import CGDAL

/// GDAL's virtual file system (`/vsizip/`, `/vsimem/`, plain paths).
public enum VirtualFileSystem {
    /// Every file below `path`, relative to it. The corresponding C function is `VSIReadDirRecursive`.
    public static func filesRecursively(under path: String) -> [String] {
        let list = VSIReadDirRecursive(path)
        defer { CSLDestroy(list) }
        return stringsFromCStringList(list)
    }

    /// Writes `bytes` to a (virtual) file. The corresponding C functions are `VSIFOpenL` and `VSIFWriteL`.
    public static func write(_ bytes: [UInt8], to path: String) throws(GDALError) {
        let file = try gdalNonNull("VSIFOpenL", context: path) { VSIFOpenL(path, "wb") }
        let written = bytes.withUnsafeBytes { VSIFWriteL($0.baseAddress, 1, $0.count, file) }
        VSIFCloseL(file)
        guard written == bytes.count else { throw GDALError(code: 0, message: "short write", function: "VSIFWriteL", context: path) }
    }

    /// Removes a (virtual) file. The corresponding C function is `VSIUnlink`.
    public static func remove(_ path: String) { _ = VSIUnlink(path) }
}
