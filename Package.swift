// swift-tools-version:6.0
import Foundation
import PackageDescription

/// jemalloc replaces malloc, and so does AddressSanitizer: under a sanitizer (scripts/test
/// --sanitize=…, which sets IRRIZONE_SANITIZE) the build keeps the system allocator, or PROJ's
/// static initialisers free memory ASan never saw allocated.
let linksJemalloc = ProcessInfo.processInfo.environment["IRRIZONE_SANITIZE"] == nil

/// irrizone: reclaimed-water irrigation zoning, load accounting and review flags.
///
/// Data flows one way through the targets (docs/architecture.md):
///   Ingest → (Linking, Rules: IrrigationModel) → Zoning/Dissolve and the output pass (Pipeline) → Reports
///   GeoKit owns every C handle (GDAL, PROJ, GEOS, OpenSSL, POSIX files); RunSupport holds the threads and
///   locks; PlanarGeometry the geometry values and their pure-Swift algorithms. IrrigationModel
///   (the domain) and Reports (the writers) import no C module.
let package = Package(
    name: "irrizone",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "irrizone", targets: ["irrizone"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CGDAL",
            pkgConfig: "gdal",
            providers: [.apt(["libgdal-dev", "libproj-dev"])]
        ),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "RunSupport"),
        .target(name: "PlanarGeometry"),
        .target(name: "GeoKit", dependencies: ["CGDAL", "CGEOS", "CCrypto", "PlanarGeometry", "RunSupport"]),
        .target(name: "IrrigationModel", dependencies: ["PlanarGeometry", "RunSupport"], resources: [.copy("Resources/standards.json"), .copy("Resources/crops.json"), .copy("Resources/plausibility.json"), .copy("Resources/codes.json"), .copy("Resources/methods.json")]),
        .target(name: "Reports", dependencies: ["GeoKit", "IrrigationModel", "PlanarGeometry", "RunSupport"]),
        .target(name: "Ingest", dependencies: ["GeoKit", "IrrigationModel", "PlanarGeometry", "RunSupport"]),
        .target(
            name: "Pipeline",
            dependencies: ["GeoKit", "IrrigationModel", "Ingest", "Reports", "PlanarGeometry", "RunSupport", "Yams"]
        ),
        .executableTarget(
            name: "irrizone",
            dependencies: ["Pipeline", "Ingest", "Reports", "IrrigationModel", "CJemalloc", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // jemalloc in place of glibc's malloc (Debian's libjemalloc-dev), with its options: freeing
        // on one thread what another allocated waited on glibc's arena locks, and the output pass
        // ran on 1.5 of the 2 cores (docs/scaling.md, BENCHMARKS.md).
        .target(name: "CJemalloc", linkerSettings: linksJemalloc ? [.linkedLibrary("jemalloc", .when(platforms: [.linux]))] : []),
        // libFuzzer target for the table and project-file readers (scripts/fuzz); built plainly,
        // a replay tool for the inputs it finds.
        .executableTarget(name: "FuzzInputs", dependencies: ["Ingest", "Pipeline", "GeoKit", "IrrigationModel", "PlanarGeometry"]),
        .target(name: "TestSupport", dependencies: ["GeoKit", "Ingest", "IrrigationModel", "PlanarGeometry"], path: "Tests/TestSupport"),
        // One test target per module; the geometry oracle tests (against GEOS) live with PlanarGeometry.
        .testTarget(name: "RunSupportTests", dependencies: ["RunSupport", "TestSupport"]),
        .testTarget(name: "PlanarGeometryTests", dependencies: ["PlanarGeometry", "GeoKit", "IrrigationModel", "RunSupport", "TestSupport"]),
        .testTarget(name: "GeoKitTests", dependencies: ["GeoKit", "PlanarGeometry", "TestSupport"]),
        .testTarget(name: "IrrigationModelTests", dependencies: ["IrrigationModel", "PlanarGeometry", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "GeoKit", "IrrigationModel", "PlanarGeometry", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "GeoKit", "IrrigationModel", "PlanarGeometry", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "GeoKit", "Ingest", "IrrigationModel", "Reports", "PlanarGeometry", "RunSupport", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["irrizone", "GeoKit", "PlanarGeometry", "Yams", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
