import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// The geometry work of the features read (validity, repair, PROJ transforms, geodesic area,
/// output re-check), a block at a time on the other cores while the reading thread reads the
/// next block; each worker thread with its own transformations (`SharedWGS84Transform`) and GDAL
/// warning collector. Results are taken in input order.
struct GeometryBlocks {
    /// Features per block (bounds the memory of raw WKB).
    static let blockSize = 16_384

    let transform: SharedWGS84Transform
    let ellipsoid: Ellipsoid
    let crsLabel: String
    let file: String
    private var block: [ParcelReader.ParcelDraft] = []
    /// The block being worked on, and its results to come.
    private var pending: (drafts: [ParcelReader.ParcelDraft], results: Promise<[ParcelReader.DraftResult]>)?
    private let inFlight = DispatchGroup()
    /// One chunk per core.
    private let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    init(transform: SharedWGS84Transform, ellipsoid: Ellipsoid, crsLabel: String, file: String) {
        self.transform = transform; self.ellipsoid = ellipsoid; self.crsLabel = crsLabel; self.file = file
        block.reserveCapacity(Self.blockSize)
    }

    /// Adds a feature; a full block goes to the workers (after the block before it is taken
    /// into `tally`). Returns whether it did.
    mutating func append(_ draft: ParcelReader.ParcelDraft, into tally: inout ParcelTally) -> Bool {
        block.append(draft)
        guard block.count == Self.blockSize else { return false }
        startBlock(collectingInto: &tally)
        return true
    }

    /// Works on the last block and takes every result into `tally`.
    mutating func finish(into tally: inout ParcelTally) {
        startBlock(collectingInto: &tally)
        collect(into: &tally)
    }

    /// Waits for a block still being worked on (the reading stopped on an error).
    func waitForAll() { inFlight.wait() }

    private mutating func startBlock(collectingInto tally: inout ParcelTally) {
        collect(into: &tally)
        guard !block.isEmpty else { return }
        let drafts = block, results = Promise<[ParcelReader.DraftResult]>()
        let chunkSize = max(512, (drafts.count + workers - 1) / workers)
        let transform = self.transform, ellipsoid = self.ellipsoid, crsLabel = self.crsLabel, file = self.file
        DispatchQueue.global().async(group: inFlight) {
            results.fulfil(parallelChunks(count: drafts.count, chunkSize: chunkSize) { range in
                ParcelReader.processGeometries(drafts[range], transforms: transform, ellipsoid: ellipsoid, crsLabel: crsLabel, file: file)
            })
        }
        pending = (drafts, results)
        block.removeAll(keepingCapacity: true)
    }

    /// Takes the pending block's results into `tally`, each parcel moved out of its draft
    /// (`take()`): a copy retained every string and array of the parcel.
    private mutating func collect(into tally: inout ParcelTally) {
        guard let taken = pending else { return }
        pending = nil
        var drafts = taken.drafts
        let results = taken.results.wait()
        for index in drafts.indices {
            tally.workerWarnings += results[index].warnings
            if results[index].linearised { tally.linearised += 1 }
            if results[index].flattened { tally.flattened += 1 }
            switch results[index].outcome {
            case .rejected(let reject):
                tally.rejects.append(reject)
            case .accepted(let area, let repair):
                if let repair { tally.repairs.append(Repair(location: drafts[index].location, reason: repair)) }
                if drafts[index].idWasEmpty { tally.emptyIDs += 1 }
                if let bad = drafts[index].badPH, tally.badPH.count < 20 { tally.badPH.append(bad) }
                // Finished in place: appending a local `var parcel` copied it once more.
                tally.parcels.append(drafts[index].parcel.take()!)
                guard let packed = results[index].packed else { preconditionFailure("processGeometries packs every accepted shape") }
                tally.parcels[tally.parcels.count - 1].idAndShape = packed
                tally.parcels[tally.parcels.count - 1].areaSquareMetres = area
                tally.parcels[tally.parcels.count - 1].geometryRepaired = repair != nil
            }
        }
    }
}

/// The census of the features read (`ParcelCensus`), counted in reading order a block at a time
/// on a thread of its own: the set of a million ids took a fifth of the reading thread, which is
/// what the reading waits for.
final class CensusCounter {
    private let counting: ThreadConfined<ParcelCensus>
    private var keys: [Key] = []

    private struct Key: Sendable { var id: String, crop: String?, landUseCode: String?, sourceID: String? }

    init(crsWKT: String, expectedIDs: Int?) throws {
        counting = try ThreadConfined(name: "irrizone.parcel-census") {
            var census = ParcelCensus()
            census.crsWKT = crsWKT
            // Room for the ids up front: the set grew by doubling, hashing every id again at each step.
            if let expectedIDs { census.reserveCapacity(ids: expectedIDs) }
            return census
        }
    }

    /// - Parameter id: the parcel's (`parcel.id` is packed with its shape later).
    func add(_ parcel: Parcel, id: String) {
        keys.append(Key(id: id, crop: parcel.crop, landUseCode: parcel.landUseCode, sourceID: parcel.sourceID))
    }

    /// Hands the features added since the last block to the counting thread.
    func countBlock() {
        guard !keys.isEmpty else { return }
        let block = keys
        keys.removeAll(keepingCapacity: true)
        counting.async { census in for key in block { census.count(id: key.id, crop: key.crop, landUseCode: key.landUseCode, sourceID: key.sourceID) } }
    }

    /// The census once every feature added is counted; ends the counting thread.
    func finish() throws -> ParcelCensus {
        countBlock()
        defer { counting.close() }
        return try counting.sync { $0 }
    }
}
