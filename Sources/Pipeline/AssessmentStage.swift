import Foundation
import GeoKit
import Ingest
import IrrigationModel
import PlanarGeometry
import RunSupport

/// Everything the rules produced for the run as a whole, and the rules for one parcel.
///
/// Parcels are assessed block by block while their outputs are written (`assess(_:)`), so the
/// full assessments (findings, accumulation per element) never exist for all parcels at once;
/// `outcomes` keeps what the later outputs need.
public struct Assessment: Sendable {
    /// One per parcel, in parcel order; filled by the output pass.
    public var outcomes: [ParcelOutcome] = []
    public var sources: [SourceAssessment]
    public var year: Int?
    public var standards: StandardsCatalog
    public var crops: CropCatalog
    public var warnings: [String]
    /// Exclusion areas after buffering, WGS84, for the map.
    public var exclusionShapes: [(name: String, shape: MultiPolygon)]
    /// Assesses the parcel at an index (pure; safe on any thread). It holds what the rules read
    /// for every parcel (links, samples, exclusions): `dropRules()` lets that go.
    public private(set) var assess: @Sendable (Int) -> ParcelAssessment

    /// Lets go of what the rules read, once no output needs a parcel assessed again (after the
    /// output pass of a run without GeoPackage or database tables), so that the dissolve and the
    /// report run without every parcel's links and samples (docs/scaling.md).
    /// Assessing a parcel after this is a mistake in the caller, and stops the process.
    public mutating func dropRules() {
        assess = { _ in preconditionFailure("a parcel was assessed after the rules were dropped (Assessment.dropRules)") }
    }
}

enum AssessmentStage {
    static func run(_ project: IngestedProject, rules: RuleOptions, timer: inout PhaseTimer) throws -> Assessment {
        var warnings: [String] = []
        // Constants once made: the set-up below hands them to work on several cores.
        let (standards, overrideWarnings) = try rules.standardsInEffect()
        warnings += overrideWarnings
        let crops = try { () throws -> CropCatalog in
            var crops = try CropCatalog.bundled()
            for entry in rules.extraCrops { try crops.add(entry) }
            return crops
        }()
        let parcels = project.parcels.parcels
        let monitoring = project.monitoring

        // Crop classes, each distinct crop once.
        let (classifications, classificationOf) = Self.classify(parcels, crops: crops)
        let unknownNames = Set(classifications.compactMap { c -> String? in
            if c.cropClass == .unknown, case .cropName(let name) = c.basis { name } else { nil }
        })
        if !unknownNames.isEmpty {
            warnings.append("crop names not in the catalog (zoned restricted, CROP_UNKNOWN): \(unknownNames.sorted().joined(separator: ", ")); add them under crops: in the project file")
        }

        // Source compliance.
        let year = rules.year ?? monitoring.waterSamples.map(\.date.year).max()
        let sourcesByID = Dictionary(monitoring.sources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Parcels looked at by index, not bound whole (a retain and a release of each string and array).
        let parcelsBySource = { () -> [String: [Int]] in
            var parcelsBySource: [String: [Int]] = [:]
            for index in parcels.indices { if let id = parcels[index].sourceID { parcelsBySource[id, default: []].append(index) } }
            return parcelsBySource
        }()
        let sourceIDs = Set(sourcesByID.keys).union(monitoring.waterSamples.map(\.sourceID))
        // The crops each source serves: every feature of the layer that names it (ParcelCensus,
        // so a part of a partitioned run judges a source as a whole run does), and the parcels
        // that took it from a service area.
        let cropsBySource = { () -> [String: Set<ParcelCensus.CropKey>] in
            var cropsBySource = project.parcels.census.cropsBySource
            for index in parcels.indices where parcels[index].sourceFromServiceArea {
                cropsBySource[parcels[index].sourceID!, default: []].insert(ParcelCensus.CropKey(crop: parcels[index].crop, landUseCode: parcels[index].landUseCode))
            }
            return cropsBySource
        }()
        // Source compliance, the exclusion areas and the rules' context (each source's annual
        // means, each well's trend) are independent: made at once, each on a core.
        let sourceRules = SourceRules(standards: standards, crops: crops, year: year, statistic: rules.statistic, conditions: rules.conditions)
        let (sources, (exclusion, exclusionShapes), context, seconds) = try concurrently({ () -> [SourceAssessment] in
            let samplesBySource = Dictionary(grouping: monitoring.waterSamples, by: \.sourceID)
            return sourceIDs.sorted().map { id in
                let indices = parcelsBySource[id] ?? []
                let served = SourceRules.Served(
                    cropClasses: Set((cropsBySource[id] ?? []).map { crops.classify(crop: $0.crop, landUseCode: $0.landUseCode).cropClass }),
                    parcelIndices: indices, areaHectares: indices.reduce(0) { $0 + parcels[$1].areaHectares })
                return sourceRules.assess(sourceID: id, source: sourcesByID[id], samples: samplesBySource[id] ?? [], served: served)
            }
        }, {
            try ExclusionStage.run(parcels: parcels, inputs: rules.exclusions)
        }, {
            ReviewEngine.Context(standards: standards, options: rules.review,
                                 sourceMeans: ReviewEngine.annualMeans(monitoring.waterSamples, rule: rules.review.nonDetects),
                                 wells: WellSummary.make(monitoring.wellReadings, options: rules.review), year: year)
        })
        timer.record("compliance", seconds: seconds.0)
        timer.record("exclusions", seconds: seconds.1)
        timer.record("review_context", seconds: seconds.2)

        let parcelRules = ParcelRules(crops: crops, sources: sources, context: context, indeterminateAsPass: rules.indeterminateAsPass,
                                      methods: try IrrigationMethodCatalog.bundled())
        let links = project.links, soilSamples = monitoring.soilSamples, produceSamples = monitoring.produceSamples
        let assess: @Sendable (Int) -> ParcelAssessment = { index in
            let parcelLinks = links.isEmpty ? nil : links[index]
            var facts = ParcelRules.ParcelFacts(sourceID: parcels[index].sourceID, soilPH: parcels[index].soilPH, links: parcelLinks,
                                                soil: parcelLinks?.soilSamples.map { soilSamples[$0] } ?? [],
                                                exclusionShare: exclusion[index].share, exclusionNames: exclusion[index].names,
                                                produce: parcelLinks?.produceSamples.map { produceSamples[$0] } ?? [])
            facts.irrigationMethod = parcels[index].irrigationMethod
            return parcelRules.assess(facts, classification: classifications[Int(classificationOf[index])])
        }
        return Assessment(sources: sources, year: year, standards: standards, crops: crops, warnings: warnings,
                          exclusionShapes: exclusionShapes, assess: assess)
    }

    /// Each distinct (crop, land-use code) classified once; per parcel the place of its
    /// classification (4 bytes, where a classification with its catalog entry is many times that:
    /// docs/scaling.md).
    static func classify(_ parcels: [Parcel], crops: CropCatalog) -> (classifications: [CropClassification], ofParcel: [UInt32]) {
        var places: [ParcelCensus.CropKey: UInt32] = [:]
        var classifications: [CropClassification] = []
        var ofParcel: [UInt32] = []
        ofParcel.reserveCapacity(parcels.count)
        for index in parcels.indices {
            let key = ParcelCensus.CropKey(crop: parcels[index].crop, landUseCode: parcels[index].landUseCode)
            if let place = places[key] { ofParcel.append(place); continue }
            let place = UInt32(classifications.count)
            classifications.append(crops.classify(crop: key.crop, landUseCode: key.landUseCode))
            places[key] = place
            ofParcel.append(place)
        }
        return (classifications, ofParcel)
    }
}
