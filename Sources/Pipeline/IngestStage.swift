import Foundation
import GeoKit
import Ingest
import IrrigationModel
import RunSupport

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
        // What the monitoring tables need of the layer: its extent and CRS, and every feature's id
        // (irrigation records must name one).
        var layer: (@Sendable () throws -> ParcelCensus)? = nil
        var parcelIDs: PendingParcelIDs? = nil
        if let shard = options.shard {
            // A part reads its own features only, so the facts of the whole layer come first
            // (attributes only); the monitoring tables are read beside the part's parcels.
            let wholeLayer = try timer.measure("census") { try ParcelReader(options: options.parcels).census() }
            parcelOptions.featureRange = shard.featureRange(of: wholeLayer.featureCount)
            parcelOptions.census = wholeLayer
            layer = { wholeLayer }
            parcelIDs = PendingParcelIDs(wholeLayer.parcelIDs)
        } else if !options.monitoring.isEmpty {
            // A whole run counts the ids as it reads the parcels; the monitoring tables are read
            // beside it from the start (the layer's extent and CRS read on their thread: the
            // parcels' reading starts at once) and check their irrigation rows once the ids are
            // counted.
            let parcelInput = options.parcels
            layer = { try ParcelReader(options: parcelInput).layerFacts() }
            let promised = PendingParcelIDs()
            parcelOptions.idsCounted = { promised.fulfil($0) }
            parcelIDs = promised
        }
        // The tables but the irrigation ones, handed over as soon as they are read: the parcels
        // are linked to sources, samples and wells while the irrigation tables (millions of rows,
        // the last to finish) are still being read.
        let othersRead = Promise<MonitoringData?>()
        let background = layer.flatMap { layer in
            options.monitoring.isEmpty ? nil : parcelIDs.map { ids in
                BackgroundWork {
                    defer { othersRead.fulfil(nil) }  // a reading that failed before them: nobody waits
                    // The parcel reading thread decides how long the read takes: it keeps its core
                    // and the tables take what is left (read phase at 10⁶: 13.3 → 12.0 s).
                    lowerThisThreadsPriority()
                    return try readMonitoring(options, layer: try layer(), parcelIDs: ids, othersRead: { othersRead.fulfil($0) })
                }
            }
        }
        if background == nil { othersRead.fulfil(nil) }  // no tables to wait for (and a group left entered is never freed)
        let parcelsRead = Result { try timer.measure("read_parcels") { try ParcelReader(options: parcelOptions).read() } }
        parcelIDs?.fulfil(nil)  // a reading that failed before counting: the monitoring tables stop waiting
        // What linking needs of the parcels alone, made while the monitoring tables finish.
        let prepared = background == nil ? nil : (try? parcelsRead.get()).map { reading in
            timer.measure("prepare_link") { Linker.prepare(reading.parcels) }
        }
        // (Service areas give parcels their sources after the reading: then everything is linked
        // at the end.)
        let linkedByLocation = options.serviceAreas != nil ? nil : prepared.flatMap { prepared in
            (try? parcelsRead.get()).flatMap { reading in
                timer.measure("wait_for_other_tables") { othersRead.wait() }.map { others in
                    timer.measure("link") {
                        Linker.linkLocations(parcels: reading.parcels, prepared: prepared, sourceIDs: sourceIDs(others, options), soil: others.soilSamples,
                                             wells: others.wellReadings, options: options.linking)
                    }
                }
            }
        }
        // Waited for before any error is thrown, so no reading is left running. The wait is a
        // phase of its own; read_monitoring (its thread's time) overlaps read_parcels.
        let monitoringRead = background.map { background in timer.measure("wait_for_monitoring") { background.wait() } }
        var parcels = try parcelsRead.get()
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
        var monitoring = MonitoringData()
        if let background, let monitoringRead {
            monitoring = try monitoringRead.get()
            // Timed on its own thread; it overlaps read_parcels.
            timer.record("read_monitoring", seconds: background.seconds)
        }
        guard !options.monitoring.isEmpty else {
            return IngestedProject(parcels: parcels, monitoring: monitoring, links: [], coverage: nil, serviceAreaRejects: serviceAreaRejects)
        }
        let links: [ParcelLinks], coverage: LinkCoverage
        if var linked = linkedByLocation, let prepared {
            timer.measure("link_irrigation") { Linker.addIrrigation(monitoring.irrigation, parcels: parcels.parcels, prepared: prepared, to: &linked) }
            (links, coverage) = linked
        } else {
            (links, coverage) = timer.measure("link") {
                Linker.link(parcels: parcels.parcels, prepared: prepared, sourceIDs: sourceIDs(monitoring, options),
                            soil: monitoring.soilSamples, wells: monitoring.wellReadings, irrigation: monitoring.irrigation,
                            options: options.linking)
            }
        }
        // The irrigation records now live in the links (m³/ha per parcel and year); the rows
        // themselves (millions for a county) are not needed again.
        var linkedMonitoring = monitoring
        linkedMonitoring.irrigation = []
        return IngestedProject(parcels: parcels, monitoring: linkedMonitoring, links: links, coverage: coverage, serviceAreaRejects: serviceAreaRejects)
    }
}

extension IngestStage {
    /// The ids of the sources read, nil when no sources table was given (source ids are then
    /// not checked).
    static func sourceIDs(_ monitoring: MonitoringData, _ options: AssessOptions) -> Set<String>? {
        options.monitoring.sources == nil ? nil : Set(monitoring.sources.map { $0.id })
    }

    /// The monitoring tables, checked against the parcel layer: its extent and every feature's id
    /// (the same in a whole run and in each part of a partitioned one); x/y default to the
    /// layer's CRS.
    /// - Parameter othersRead: `MonitoringIngest.read(othersRead:)`.
    static func readMonitoring(_ options: AssessOptions, layer: ParcelCensus, parcelIDs: PendingParcelIDs,
                               othersRead: ((MonitoringData?) -> Void)? = nil) throws -> MonitoringData {
        // (A layer without a CRS stops the run while its parcels are read.)
        var defaultCRS: SpatialReference? = nil
        if let crsText = options.samplesCRS ?? layer.crsWKT {
            do { defaultCRS = try SpatialReference(userInput: crsText) } catch {
                throw PipelineError.badSamplesCRS(crsText, error.message)
            }
        }
        let context = LocationContext(defaultCRS: defaultCRS, parcelExtent: layer.extent,
                                      maxOutsideMetres: options.monitoring.maxOutsideMetres, today: options.today)
        return try MonitoringIngest(options: options.monitoring, context: context, parcelIDs: parcelIDs).read(othersRead: othersRead)
    }
}

extension CalendarDate {
    /// Today in UTC, for rejecting future-dated samples.
    public static var today: CalendarDate {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
