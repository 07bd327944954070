import Foundation
import GeoKit
import Ingest
import IrrigationModel
import PlanarGeometry
import Testing

/// Monitoring tables for tests: written to scratch files, read as a run reads them.
public enum MonitoringFixtures {
    public static let today = CalendarDate(year: 2026, month: 11, day: 22)!
    public static let cd = ParameterCatalog.parameter(id: "cd")!
    public static let chloride = ParameterCatalog.parameter(id: "chloride")!

    public static func context(crs: String? = "EPSG:4547", extent: BoundingBox? = nil) throws -> LocationContext {
        GDALEnvironment.initialize()
        return LocationContext(defaultCRS: try crs.map { try SpatialReference(userInput: $0) }, parcelExtent: extent,
                               maxOutsideMetres: 10_000, today: today)
    }

    public static func write(_ text: String, _ name: String, encoding: String? = nil) throws -> String {
        let path = try temporaryDirectory(name) + "/" + name
        let bytes = encoding.map { TextRecoding.encode(text, to: $0) } ?? Array(text.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    public static func ingest(_ options: MonitoringOptions, context: LocationContext? = nil, parcelIDs: Set<String> = []) throws -> MonitoringData {
        try MonitoringIngest(options: options, context: context ?? (try Self.context()), parcelIDs: parcelIDs).read()
    }

    /// rows read = accepted + rejected + merged, for every file.
    public static func expectBalanced(_ data: MonitoringData) {
        for report in data.reports {
            #expect(report.rowsRead == report.rowsAccepted + report.rowsRejected + report.duplicateRowsMerged, "\(report.file)")
        }
    }
}
