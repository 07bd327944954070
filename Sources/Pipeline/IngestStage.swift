import Foundation
import GeoKit
import Ingest
import IrrigationModel

/// Everything read and linked for a run: shared by `assess` and `check`.
public struct IngestedProject: Sendable {
    public var parcels: ParcelLayerReading
    public var monitoring: MonitoringData
    /// One per parcel, in parcel order; empty when no monitoring input was given.
    public var links: [ParcelLinks]
    public var coverage: LinkCoverage?
    /// Service-area polygons that could not be used (counted apart from the parcels).
    public var serviceAreaRejects: [Reject] = []

    public var allRejects: [Reject] { parcels.rejects + serviceAreaRejects + monitoring.rejects }
}

enum IngestStage {
    static func run(_ options: AssessOptions, timer: inout PhaseTimer) throws -> IngestedProject {
        if let shard = options.shard, options.serviceAreas != nil { throw PipelineError.shardWithServiceAreas(shard) }
        var parcelOptions = options.parcels
        var census: ParcelCensus? = nil
        if let shard = options.shard {
            // One part of a partitioned run: the facts of the whole layer first (attributes only),
            // then the geometry of this part's features.
            let wholeLayer = try timer.measure("census") { try ParcelReader(options: options.parcels).census() }
            parcelOptions.featureRange = shard.featureRange(of: wholeLayer.featureCount)
            census = wholeLayer
        }
        var parcels = try timer.measure("read_parcels") { try ParcelReader(options: parcelOptions).read() }
        if let census { parcels.census = census }
        var serviceAreaRejects: [Reject] = []
        if let path = options.serviceAreas {
            // Service areas are polygons with a source id: read them like parcels.
            let areas = try timer.measure("read_service_areas") { try ParcelReader(options: ParcelInputOptions(path: path)).read() }
            let withIDs = areas.parcels.compactMap { area in area.sourceID.map { (sourceID: $0, area: area.geometry) } }
            guard !withIDs.isEmpty else { throw PipelineError.serviceAreasWithoutSourceField(path) }
            let assigned = Linker.assignSources(&parcels.parcels, serviceAreas: withIDs)
            parcels.warnings.append("\(assigned) parcels without a source id took theirs from the service areas in \(path)")
            serviceAreaRejects = areas.rejects
        }
        let monitoring = try timer.measure("read_monitoring") { () throws -> MonitoringData in
            guard !options.monitoring.isEmpty else { return MonitoringData() }
            let crsText = options.samplesCRS ?? parcels.sourceCRSWKT
            let defaultCRS: SpatialReference
            do { defaultCRS = try SpatialReference(userInput: crsText) } catch {
                throw PipelineError.badSamplesCRS(crsText, (error as? GDALError)?.message ?? "\(error)")
            }
            // The layer's extent and every feature's id (ParcelCensus): the same in a whole run
            // and in each part of a partitioned one.
            let context = LocationContext(defaultCRS: defaultCRS, parcelExtent: parcels.census.extent,
                                          maxOutsideMetres: options.monitoring.maxOutsideMetres, today: options.today)
            return try MonitoringIngest(options: options.monitoring, context: context, parcelIDs: parcels.census.parcelIDs).read()
        }
        guard !options.monitoring.isEmpty else {
            return IngestedProject(parcels: parcels, monitoring: monitoring, links: [], coverage: nil, serviceAreaRejects: serviceAreaRejects)
        }
        let sourceIDs: Set<String>? = options.monitoring.sources == nil ? nil : Set(monitoring.sources.map { $0.id })
        let (links, coverage) = timer.measure("link") {
            Linker.link(parcels: parcels.parcels, sourceIDs: sourceIDs,
                        soil: monitoring.soilSamples, wells: monitoring.wellReadings, irrigation: monitoring.irrigation,
                        options: options.linking)
        }
        // The irrigation records now live in the links (m³/ha per parcel and year); the rows
        // themselves (millions for a county) are not needed again.
        var linkedMonitoring = monitoring
        linkedMonitoring.irrigation = []
        return IngestedProject(parcels: parcels, monitoring: linkedMonitoring, links: links, coverage: coverage, serviceAreaRejects: serviceAreaRejects)
    }
}

extension CalendarDate {
    /// Today in UTC, for rejecting future-dated samples.
    public static var today: CalendarDate {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
