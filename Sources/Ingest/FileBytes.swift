import Foundation

/// Peeks at the start of a plain file (for hints about files GDAL cannot open).
struct FileBytes {
    let data: Data

    init?(path: String, limit: Int = 4096) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit) else { return nil }
        self.data = data
    }

    func firstNonSpaceByte() -> UInt8? {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }  // UTF-8 BOM
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    }
}
