import CGDAL

/// Process-wide GDAL set-up. `Dataset` and `SpatialReference` call `initialize()` themselves;
/// calling it early from the main thread keeps registration off worker threads
/// (reference/peers.md C.2).
public enum GDALEnvironment {
    private static let registration: Void = {
        // Axis order: every SRS we build is also set explicitly, this is the belt to those braces
        // (reference/peers.md C.9).
        CPLSetConfigOption("OSR_DEFAULT_AXIS_MAPPING_STRATEGY", "TRADITIONAL_GIS_ORDER")
        // Shapefiles without .shx fail loudly unless asked; keep GDAL's default (error) so we can
        // report it, and never let GDAL write partial reprojections silently.
        CPLSetConfigOption("OGR_ENABLE_PARTIAL_REPROJECTION", "NO")
        GDALAllRegister()
    }()

    /// Registers all drivers once. Safe to call many times.
    ///
    /// The corresponding C function is `GDALAllRegister`.
    public static func initialize() {
        _ = registration
    }

    /// GDAL's release name, e.g. "3.6.2".
    public static var gdalVersion: String {
        String(cString: GDALVersionInfo("RELEASE_NAME"))
    }

    /// The GEOS version GDAL was built with, or nil when GDAL has no GEOS.
    ///
    /// Without GEOS, `OGR_G_Intersects` silently compares bounding boxes only and make-valid is
    /// unavailable (reference/peers.md C.7), so the pipeline refuses to run without it.
    public static var geosVersion: String? {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        guard OGRGetGEOSVersion(&major, &minor, &patch) else { return nil }
        return "\(major).\(minor).\(patch)"
    }

    /// PROJ's runtime version, e.g. "9.1.1".
    public static var projVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        OSRGetPROJVersion(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Runs `body` with configuration options set for the current thread only, restoring the
    /// previous values afterwards. The corresponding C function is `CPLSetThreadLocalConfigOption`.
    public static func withThreadLocalConfig<T>(_ options: [String: String], _ body: () throws -> T) rethrows -> T {
        var previous: [(String, String?)] = []
        for (key, value) in options {
            previous.append((key, CPLGetThreadLocalConfigOption(key, nil).map { String(cString: $0) }))
            CPLSetThreadLocalConfigOption(key, value)
        }
        defer { for (key, value) in previous { CPLSetThreadLocalConfigOption(key, value) } }
        return try body()
    }

    /// A GDAL configuration option's value, nil when unset.
    ///
    /// The corresponding C function is `CPLGetConfigOption`.
    public static func configOption(_ key: String) -> String? {
        CPLGetConfigOption(key, nil).map { String(cString: $0) }
    }

    /// Sets a GDAL configuration option for this process (GDAL's `--config KEY VALUE`); call it
    /// before the datasets it should affect are opened.
    ///
    /// The corresponding C function is `CPLSetConfigOption`.
    public static func setConfigOption(_ key: String, _ value: String?) {
        CPLSetConfigOption(key, value)
    }
}
