import ArgumentParser
import Pipeline

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic project (the sample project, or a benchmark of N parcels).",
        discussion: "Deterministic: the same --parcels and --seed give byte-identical files.")

    @Option(help: "Number of parcels.")
    var parcels = 3000

    @Option(help: "Random seed.")
    var seed: UInt64 = 20_241_015

    @Option(help: "Reclaimed-water plants (at least the story's 3; the benchmark uses 20).")
    var sources = SampleProject.storySourceCount

    @Option(name: .customLong("out"), help: "Folder to write the project into.")
    var outputDirectory: String

    @Option(help: "Parcel layer format: shp (a GBK shapefile, as 三调 exports come; the default up to 5 000 000 parcels) or gpkg (the default above: a shapefile stops at 2 GB).")
    var format: String?

    func validate() throws {
        guard parcels > 0 else { throw ValidationError("--parcels must be at least 1") }
        guard (SampleProject.storySourceCount...99).contains(sources) else { throw ValidationError("--sources must be between 3 and 99") }
    }

    func run() throws {
        var project = SampleProject(parcelCount: parcels, seed: seed, sourceCount: sources)
        if let format {
            guard let value = SampleProject.ParcelFormat(rawValue: format) else { throw ValidationError("--format must be shp or gpkg") }
            project.parcelFormat = value
        } else if parcels > 5_000_000 {
            project.parcelFormat = .geopackage
        }
        let summary = try project.write(to: outputDirectory)
        printError("wrote \(summary.parcels) parcels to \(outputDirectory): \(summary.files.joined(separator: ", "))")
    }
}
