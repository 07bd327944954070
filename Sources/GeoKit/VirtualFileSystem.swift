import CGDAL

/// GDAL's virtual file system (`/vsizip/`, `/vsimem/`, plain paths).
public enum VirtualFileSystem {
    /// Every file below `path`, relative to it. The corresponding C function is `VSIReadDirRecursive`.
    public static func filesRecursively(under path: String) -> [String] {
        let list = VSIReadDirRecursive(path)
        defer { CSLDestroy(list) }
        return stringsFromCStringList(list)
    }

}
