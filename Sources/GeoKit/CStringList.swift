import CGDAL

/// Builds a GDAL `char**` option list (`KEY=VALUE` strings) for the duration of `body`.
///
/// The list is freed when `body` returns. The corresponding C functions are `CSLAddString` and
/// `CSLDestroy`.
func withCStringList<R, E: Error>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws(E) -> R) throws(E) -> R {
    var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
    for string in strings { list = CSLAddString(list, string) }
    defer { CSLDestroy(list) }
    return try body(list)
}

/// Reads a NULL-terminated `char**` that we do not own.
func stringsFromCStringList(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    guard let list else { return [] }
    var result: [String] = []
    var index = 0
    while let item = list[index] {
        result.append(String(cString: item))
        index += 1
    }
    return result
}

/// GDAL declares some option lists `const char* const*`.
func constList(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafePointer<UnsafePointer<CChar>?>? {
    list.map { UnsafeRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
}
