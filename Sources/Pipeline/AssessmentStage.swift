import Foundation
import GeoKit
import Ingest
import IrrigationModel

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
    /// Assesses the parcel at an index (pure; safe on any thread).
    public let assess: @Sendable (Int) -> ParcelAssessment
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

        // Crop classes (all cores).
        let classifications = parallelMap(count: parcels.count) { crops.classify(crop: parcels[$0].crop, landUseCode: parcels[$0].landUseCode) }
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
        // means, each well's trend) are independent: made at once, each on a core (one after the
        // other they left a core idle for ≈ 40 ms at 10⁵ parcels).
        let (sources, (exclusion, exclusionShapes), context, seconds) = try concurrently({ () -> [SourceAssessment] in
            // What does not depend on the source, once: each crop class's limits (they were
            // worked out again for every source: ≈ 0.12 G instructions a run of 20 sources), and
            // each source's own samples (each verdict went through every source's samples).
            let limitsByClass = Dictionary(uniqueKeysWithValues: CropClass.allCases.map { cropClass in
                (cropClass, standards.effectiveLimits(columns: standards.columns(for: crops.policy(cropClass), cropClass: cropClass),
                                                      conditions: rules.conditions, boron: nil))
            })
            let samplesBySource = Dictionary(grouping: monitoring.waterSamples, by: \.sourceID)
            let required = standards.requiredEvidence.water, tdsPerEC = standards.faoConstants["tds_per_ec"]?.value ?? 640
            return sourceIDs.sorted().map { id in
                let samples = samplesBySource[id] ?? []
                let served = Set((cropsBySource[id] ?? []).map { crops.classify(crop: $0.crop, landUseCode: $0.landUseCode).cropClass })
                let useClasses: Set<CropClass> = (sourcesByID[id]?.uses.contains(.landscape) ?? false) ? [.landscapeForest] : []
                var perClass: [CropClass: SourceVerdict] = [:]
                for cropClass in CropClass.allCases {
                    perClass[cropClass] = SourceCompliance.evaluate(sourceID: id, source: sourcesByID[id], samples: samples,
                                                                    year: year, limits: limitsByClass[cropClass]!, statistic: rules.statistic,
                                                                    required: required, tdsPerEC: tdsPerEC)
                }
                // One outlet, several uses: the strictest standard among them applies to all.
                var columns: [String: [String]] = [:]
                for cropClass in served.union(useClasses) {
                    for (standard, list) in standards.columns(for: crops.policy(cropClass), cropClass: cropClass) {
                        columns[standard, default: []] += list
                    }
                }
                let effective = served.isEmpty && useClasses.isEmpty ? perClass[.unknown]!
                    : SourceCompliance.evaluate(sourceID: id, source: sourcesByID[id], samples: samples, year: year,
                                                limits: standards.effectiveLimits(columns: columns, conditions: rules.conditions, boron: nil),
                                                statistic: rules.statistic, required: required, tdsPerEC: tdsPerEC)
                let indices = parcelsBySource[id] ?? []
                return SourceAssessment(sourceID: id, source: sourcesByID[id], perClass: perClass, effective: effective,
                                        classesServed: served.sorted(), parcelIndices: indices,
                                        areaServedHectares: indices.reduce(0) { $0 + parcels[$1].areaHectares })
            }
        }, {
            try ExclusionStage.run(parcels: parcels, inputs: rules.exclusions)
        }, {
            // Loads, soil accumulation, salinity and review findings.
            ReviewEngine.Context(standards: standards, options: rules.review,
                                 sourceMeans: ReviewEngine.annualMeans(monitoring.waterSamples, rule: rules.review.nonDetects),
                                 wells: WellSummary.make(monitoring.wellReadings, options: rules.review), year: year)
        })
        timer.record("compliance", seconds: seconds.0)
        timer.record("exclusions", seconds: seconds.1)
        timer.record("review_context", seconds: seconds.2)
        let verdictBySource = Dictionary(uniqueKeysWithValues: sources.map { ($0.sourceID, $0.effective) })
        // Made once per source, handed to each of its parcels (made per parcel, its text was a
        // tenth of the rules' time at 10⁵ parcels).
        let incompleteFindingBySource = verdictBySource.compactMapValues { $0.isIncomplete ? Finding.sourceIncomplete($0) : nil }

        // The rules for one parcel: loads, accumulation, salinity, findings, then its zone.
        let links = project.links, soilSamples = monitoring.soilSamples, indeterminateAsPass = rules.indeterminateAsPass
        let exclusionResult = exclusion
        // The parcel is read through a pointer: handed to a closure or a function as a value, it
        // was copied whole (a retain and a release of each string and array it holds; `perf`).
        let assess: @Sendable (Int) -> ParcelAssessment = { index in parcels.withUnsafeBufferPointer { parcels in
            let parcel = parcels.baseAddress! + index
            let classification = classifications[index]
            let policy = crops.policy(classification.cropClass)
            let parcelLinks = links.isEmpty ? nil : links[index]
            let samples = soilSamples.withUnsafeBufferPointer { soil in parcelLinks?.soilSamples.map { soil[$0] } ?? [] }
            var review = ReviewEngine.review(sourceID: parcel.pointee.sourceID, soilPH: parcel.pointee.soilPH, cropClass: classification.cropClass, policy: policy, crop: classification.entry,
                                             links: parcelLinks, soil: samples, context: context)
            // Findings looked at in place (`filter` copied each whole: a retain and a release per string).
            var screening: [String] = [], intervention: [String] = []
            review.findings.withUnsafeBufferPointer { findings in
                for index in findings.indices {
                    guard let parameter = findings[index].parameter else { continue }
                    if findings[index].code == "SOIL_ABOVE_SCREENING" { screening.append(parameter) }
                    else if findings[index].code == "SOIL_ABOVE_INTERVENTION" { intervention.append(parameter) }
                }
            }
            let anyValue = review.accumulation.contains { $0.start != nil && !$0.startIsBackground }
            let soilClass = !anyValue ? "unknown" : !intervention.isEmpty ? "strict_control" : !screening.isEmpty ? "safe_use" : "priority_protection"
            let verdict = parcel.pointee.sourceID.flatMap { verdictBySource[$0] }  // looked up once
            if let id = parcel.pointee.sourceID, let finding = incompleteFindingBySource[id] { review.findings.append(finding) }
            let exclusionShare = exclusionResult[index].share
            let (zone, reasons) = Zoning.zone(ZoningInput(
                cropClass: classification.cropClass, tier: policy.tier,
                sourceVerdict: verdict, sourceKnown: verdict != nil,
                soilAboveScreening: screening, soilAboveIntervention: intervention,
                exclusionShare: exclusionShare, soilReview: review.soilReview, groundwaterReview: review.groundwaterReview,
                indeterminateAsPass: indeterminateAsPass))
            var assessment = ParcelAssessment(classification: classification, tier: policy.tier, zone: zone, reasons: reasons,
                                              sourceStatus: verdict?.status,
                                              exclusionShare: exclusionShare, exclusionNames: exclusionResult[index].names, soilClass: soilClass,
                                              soilAboveScreening: screening, soilAboveIntervention: intervention,
                                              soilPHUsed: review.samplePH ?? parcel.pointee.soilPH)
            assessment.review = review
            return assessment
        } }
        return Assessment(sources: sources, year: year, standards: standards, crops: crops, warnings: warnings,
                          exclusionShapes: exclusionShapes, assess: assess)
    }
}
