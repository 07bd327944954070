#if canImport(Glibc)
import Glibc
#endif

/// The irrizone release, reported by `--version` and in run.json.
public enum IrrizoneVersion {
    public static let current = "0.1.0"
}

/// The memory allocator the process runs with, for run.json: "jemalloc 5.3.0 (thp: always)"
/// where jemalloc replaced malloc (the executable links it on Linux: `CJemalloc`), else "system".
public enum MemoryAllocator {
    public static let current: String = {
        #if os(Linux)
        // jemalloc's control function, looked up in the whole process (RTLD_DEFAULT is null).
        guard let symbol = dlsym(nil, "mallctl") else { return "system" }
        typealias Mallctl = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                                            UnsafeMutableRawPointer?, Int) -> Int32
        let mallctl = unsafeBitCast(symbol, to: Mallctl.self)
        var version: UnsafePointer<CChar>? = nil, thp: UnsafePointer<CChar>? = nil
        var length = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &length, nil, 0) == 0, let version else { return "jemalloc" }
        // "5.3.0-0-g54eaed1d…": the release, without the commit.
        let release = "jemalloc " + (String(cString: version).split(separator: "-").first.map(String.init) ?? "")
        // Its huge-page option (`CJemalloc`): "always", or "default" when it was not set.
        guard mallctl("opt.thp", &thp, &length, nil, 0) == 0, let thp else { return release }
        return release + " (thp: \(String(cString: thp)))"
        #else
        return "system"
        #endif
    }()
}
