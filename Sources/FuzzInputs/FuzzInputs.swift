import Foundation
import GeoKit
import Ingest
import IrrigationModel
import Pipeline
import PlanarGeometry

/// Fuzz target for the readers of what users bring (issue #23): monitoring tables (CSV bytes,
/// then the whole interpretation: columns, units, species, non-detects, locations, rejects)
/// and project files (YAML). The first byte of an input picks the reader and the table kind.
///
/// Built with libFuzzer by `scripts/fuzz` (`-sanitize=fuzzer,address -D FUZZING`), where
/// libFuzzer calls `LLVMFuzzerTestOneInput`. Built plainly, this is a replay tool:
/// `FuzzInputs FILE…` runs each file through the same code (a crash found reproduces so).
enum FuzzInputs {
    /// Where samples are: lon/lat only (x/y rows are rejected for want of a CRS, which is a path
    /// of its own), and an extent to be outside of.
    static func context() -> LocationContext {
        GDALEnvironment.initialize()
        return LocationContext(defaultCRS: nil, parcelExtent: BoundingBox(minX: 112.6, minY: 38.3, maxX: 112.8, maxY: 38.5),
                               maxOutsideMetres: 10_000, today: CalendarDate(year: 2026, month: 12, day: 1)!)
    }
    static let scratch = NSTemporaryDirectory() + "irrizone-fuzz-\(getpid())"

    static func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        switch selector % 6 {
        case 0: _ = try? ProjectFile.load(text: String(decoding: rest, as: UTF8.self), path: "/nonexistent/project.yaml")
        case 1: _ = try? TableReader.parseCSV(rest, file: "fuzz.csv", encoding: nil)
        default:
            // The whole monitoring reader on the bytes as a file of one kind.
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let path = scratch + "/input.csv"
            guard FileManager.default.createFile(atPath: path, contents: Data(rest)) else { return }
            var file = TableInputOptions(path: path)
            if selector & 0x80 != 0 { file.unitPolicy = .strict }
            if selector & 0x40 != 0 { file.nitrogenSpecies = .asIon }
            let options: MonitoringOptions
            switch selector % 6 {
            case 2: options = MonitoringOptions(water: [file])
            case 3: options = MonitoringOptions(soil: [file])
            case 4: options = MonitoringOptions(wells: [file])
            default: options = MonitoringOptions(sources: file, irrigation: [TableInputOptions(path: path)])
            }
            guard let data = try? MonitoringIngest(options: options, context: context(), parcelIDs: ["1", "P1"]).read() else { return }
            // Counts balance on every input.
            for report in data.reports where report.rowsRead != report.rowsAccepted + report.rowsRejected + report.duplicateRowsMerged {
                fatalError("counts do not balance for \(report.kind): \(report.rowsRead) read, \(report.rowsAccepted) accepted, \(report.rowsRejected) rejected, \(report.duplicateRowsMerged) merged")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzInputs.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
// SwiftPM links an executable's entry point as `<module>_main` (`--defsym main=FuzzInputs_main`),
// so libFuzzer's own `main` is not used: its driver is started from here instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzInputs_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, vector = argv
    return runFuzzerDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            FuzzInputs.run(Array(data))
            print("\(path): ok")
        }
    }
}
#endif
