// swift-tools-version:6.0
import Foundation
import PackageDescription

/// jemalloc replaces malloc, and so does AddressSanitizer: under a sanitizer (scripts/test
/// --sanitize=…, which sets IRRIZONE_SANITIZE) the build keeps the system allocator, or PROJ's
/// static initialisers free memory ASan never saw allocated.
let linksJemalloc = ProcessInfo.processInfo.environment["IRRIZONE_SANITIZE"] == nil

/// irrizone: reclaimed-water irrigation zoning, load accounting and review flags.
///
/// Data flows one way through the targets (see DESIGN.md §2–3):
///   CGDAL → GeoKit (owns every C handle) → Ingest → Pipeline → irrizone (CLI)
///   IrrigationModel (pure Swift domain) and Reports (pure Swift writers) import no C.
let package = Package(
    name: "irrizone",
    platforms: [.macOS(.v13)],
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
        .target(name: "GeoKit", dependencies: ["CGDAL", "CGEOS", "CCrypto"]),
        .target(name: "IrrigationModel", resources: [.copy("Resources/standards.json"), .copy("Resources/crops.json"), .copy("Resources/plausibility.json")]),
        .target(name: "Reports", dependencies: ["IrrigationModel"]),
        .target(name: "Ingest", dependencies: ["GeoKit", "IrrigationModel"]),
        .target(
            name: "Pipeline",
            dependencies: ["GeoKit", "IrrigationModel", "Ingest", "Reports", "Yams"]
        ),
        .executableTarget(
            name: "irrizone",
            dependencies: ["Pipeline", "Ingest", "CJemalloc", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // jemalloc in place of glibc's malloc (Debian's libjemalloc-dev), with its options: freeing
        // on one thread what another allocated waited on glibc's arena locks, and the output pass
        // ran on 1.5 of the 2 cores (docs/scaling.md, BENCHMARKS.md).
        .target(name: "CJemalloc", linkerSettings: linksJemalloc ? [.linkedLibrary("jemalloc", .when(platforms: [.linux]))] : []),
        // libFuzzer target for the table and project-file readers (scripts/fuzz); built plainly,
        // a replay tool for the inputs it finds.
        .executableTarget(name: "FuzzInputs", dependencies: ["Ingest", "Pipeline", "GeoKit", "IrrigationModel"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GeoKitTests", dependencies: ["GeoKit", "TestSupport"]),
        .testTarget(name: "IrrigationModelTests", dependencies: ["IrrigationModel", "Reports"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "GeoKit", "Ingest", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["irrizone", "GeoKit", "Yams", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
