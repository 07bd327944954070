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

/// Ingest and link (DESIGN.md §2): the parcels are read on this thread while the monitoring
/// tables are read on another; the parcels are linked to sources, samples and wells as soon as
/// both are there, the irrigation tables (the last to finish) added after.
enum IngestStage {
    /// - Parameter spillAttributes: whether the parcels' pass-through attributes wait for the
    ///   outputs in a working file (`assess`); `check` writes none and keeps them nowhere else.
    static func run(_ options: AssessOptions, spillAttributes: Bool = false, timer: inout PhaseTimer) throws -> IngestedProject {
        if let shard = options.shard, options.serviceAreas != nil { throw PipelineError.shardWithServiceAreas(shard) }
        var parcelOptions = options.parcels
        // The pass-through attributes wait for the outputs on disk (docs/scaling.md).
        if spillAttributes { parcelOptions.attributeSpill = try SpillFile() }
        let monitoring = try startMonitoring(options, parcelOptions: &parcelOptions, timer: &timer)
        let parcelsRead = Result { try timer.measure("read_parcels") { try ParcelReader(options: parcelOptions).read() } }
        monitoring?.parcelIDs.fulfil(nil)  // a reading that failed before counting: the monitoring tables stop waiting
        // What linking needs of the parcels alone, made while the monitoring tables finish.
        var prepared = monitoring == nil ? nil : (try? parcelsRead.get()).map { reading in
            timer.measure("prepare_link") { Linker.prepare(reading.parcels) }
        }
        // Service areas give parcels their sources after the reading: then everything is linked at the end.
        var linkedByLocation: (links: [ParcelLinks], coverage: LinkCoverage)? = nil
        if options.serviceAreas == nil, let monitoring, let prepared, let reading = try? parcelsRead.get(),
           let others = timer.measure("wait_for_other_tables", { monitoring.othersRead.wait() }) {
            linkedByLocation = timer.measure("link") {
                Linker.linkLocations(parcels: reading.parcels, prepared: prepared, sourceIDs: sourceIDs(others, options), soil: others.soilSamples,
                                     wells: others.wellReadings, options: options.linking)
            }
        }
        // Waited for before any error is thrown, so no reading is left running. The wait is a
        // phase of its own; read_monitoring (its thread's time) overlaps read_parcels.
        let monitoringRead = monitoring.map { monitoring in timer.measure("wait_for_monitoring") { monitoring.work.wait() } }
        var parcels = try parcelsRead.get()
        let serviceAreaRejects = try options.serviceAreas.map { try assignServiceAreas(from: $0, to: &parcels, timer: &timer) } ?? []
        var data = MonitoringData()
        if let monitoring, let monitoringRead {
            data = try monitoringRead.get()
            timer.record("read_monitoring", seconds: monitoring.work.seconds)  // timed on its own thread
        }
        // The tables that needed the ids are read: the census's copy and the one handed over go.
        parcels.census.dropParcelIDs()
        monitoring?.parcelIDs.drop()
        guard !options.monitoring.isEmpty else {
            return IngestedProject(parcels: parcels, monitoring: data, links: [], coverage: nil, serviceAreaRejects: serviceAreaRejects)
        }
        let (links, coverage) = link(parcels.parcels, data, prepared: prepared.take(), linkedByLocation: &linkedByLocation, options: options, timer: &timer)
        // The irrigation records now live in the links (m³/ha per parcel and year); the rows
        // themselves (millions for a county) are not needed again.
        data.irrigation = []
        return IngestedProject(parcels: parcels, monitoring: data, links: links, coverage: coverage, serviceAreaRejects: serviceAreaRejects)
    }

    /// The monitoring tables being read on a thread of their own, and what they wait for and hand over.
    struct MonitoringReading {
        let work: BackgroundWork<MonitoringData>
        /// The parcel layer's ids, for the irrigation rows: handed over once counted.
        let parcelIDs: PendingParcelIDs
        /// The tables but the irrigation ones, as soon as they are read (nil when one failed).
        let othersRead: Promise<MonitoringData?>
    }

    /// Starts reading the monitoring tables beside the parcels, with what they need of the layer:
    /// its extent and CRS, and every feature's id. A part of a partitioned run reads its own
    /// features only, so the facts of the whole layer come first (attributes only); a whole run
    /// counts the ids as it reads the parcels (`parcelOptions.idsCounted`).
    private static func startMonitoring(_ options: AssessOptions, parcelOptions: inout ParcelInputOptions,
                                        timer: inout PhaseTimer) throws -> MonitoringReading? {
        let layer: @Sendable () throws -> ParcelCensus, parcelIDs: PendingParcelIDs
        if let shard = options.shard {
            let wholeLayer = try timer.measure("census") { try ParcelReader(options: options.parcels).census() }
            parcelOptions.featureRange = shard.featureRange(of: wholeLayer.featureCount)
            parcelOptions.census = wholeLayer
            layer = { wholeLayer }
            parcelIDs = PendingParcelIDs(wholeLayer.parcelIDs)
        } else {
            guard !options.monitoring.isEmpty else { return nil }
            let parcelInput = options.parcels, promised = PendingParcelIDs()
            layer = { try ParcelReader(options: parcelInput).layerFacts() }  // on the tables' thread: the parcels' reading starts at once
            parcelOptions.idsCounted = { promised.fulfil($0) }
            parcelIDs = promised
        }
        guard !options.monitoring.isEmpty else { return nil }
        let othersRead = Promise<MonitoringData?>()
        let work = BackgroundWork {
            defer { othersRead.fulfil(nil) }  // a reading that failed before them: nobody waits
            // The parcel reading thread decides how long the read takes: it keeps its core and
            // the tables take what is left (docs/scaling.md).
            lowerThisThreadsPriority()
            return try readMonitoring(options, layer: try layer(), parcelIDs: parcelIDs, othersRead: { othersRead.fulfil($0) })
        }
        return MonitoringReading(work: work, parcelIDs: parcelIDs, othersRead: othersRead)
    }

    /// Service areas are polygons with a source id, read like parcels; parcels that name no
    /// source take the one they lie in. Returns the areas' rejects.
    private static func assignServiceAreas(from input: ParcelInputOptions, to parcels: inout ParcelLayerReading, timer: inout PhaseTimer) throws -> [Reject] {
        let path = input.path
        let areas = try timer.measure("read_service_areas") { try ParcelReader(options: input).read() }
        let withIDs = areas.parcels.compactMap { area in area.sourceID.map { (sourceID: $0, area: area.geometry) } }
        guard !withIDs.isEmpty else { throw PipelineError.serviceAreasWithoutSourceField(path) }
        let assigned = Linker.assignSources(&parcels.parcels, serviceAreas: withIDs)
        parcels.warnings.append("\(assigned) parcels without a source id took theirs from the service areas in \(path)")
        return areas.rejects
    }

    /// The links of every parcel: those made while the irrigation tables were read, with the
    /// produce samples and then the irrigation added; else all made now.
    /// - Parameter prepared: taken, so that the parcels' boxes and R-tree are freed before the
    ///   irrigation is added (the run's peak: docs/scaling.md).
    private static func link(_ parcels: [Parcel], _ data: MonitoringData, prepared: consuming Linker.ParcelSide?,
                             linkedByLocation: inout (links: [ParcelLinks], coverage: LinkCoverage)?, options: AssessOptions,
                             timer: inout PhaseTimer) -> (links: [ParcelLinks], coverage: LinkCoverage) {
        // Taken, not copied: the irrigation is added to the links in place (a second reference
        // made the first change copy every parcel's links).
        if prepared != nil, linkedByLocation != nil, var side = prepared.take(), var byLocation = linkedByLocation.take() {
            addProduce(data, parcels: parcels, prepared: side, options: options, to: &byLocation)
            side.keepIDsOnly()
            timer.measure("link_irrigation") { Linker.addIrrigation(data.irrigation, parcels: parcels, prepared: side, to: &byLocation) }
            return byLocation
        }
        var linked = timer.measure("link") {
            Linker.link(parcels: parcels, prepared: prepared, sourceIDs: sourceIDs(data, options), soil: data.soilSamples,
                        wells: data.wellReadings, irrigation: data.irrigation, options: options.linking)
        }
        addProduce(data, parcels: parcels, prepared: prepared, options: options, to: &linked)
        return linked
    }

    private static func addProduce(_ data: MonitoringData, parcels: [Parcel], prepared: Linker.ParcelSide?, options: AssessOptions,
                                   to linked: inout (links: [ParcelLinks], coverage: LinkCoverage)) {
        guard !data.produceSamples.isEmpty else { return }
        Linker.addProduce(data.produceSamples, parcels: parcels, prepared: prepared ?? Linker.prepare(parcels),
                          maxDistanceMetres: options.linking.soilMaxDistanceMetres, to: &linked)
    }
}

extension IngestStage {
    /// The ids of the sources read, nil when no sources table was given (source ids are then
    /// not checked).
    static func sourceIDs(_ monitoring: MonitoringData, _ options: AssessOptions) -> Set<String>? {
        monitoring.sourcesListed ? Set(monitoring.sources.map { $0.id }) : nil
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
