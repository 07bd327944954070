import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry

/// One monitoring record as a survey workspace keeps it (issue #25): its kind, the key that names
/// it across batches, the hash of what it says, where it was first read, and its content as JSON.
/// Records are kept as the readers made them (canonical units, non-detects with their limits), so
/// a run from the workspace sees what a run from the files sees.
public struct WorkspaceRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case sources, water, soil, wells, irrigation, produce
    }
    public var kind: Kind
    /// What names the record across batches: a sample id, a source id, a well and date, a
    /// parcel and year.
    public var key: String
    /// SHA-256 of `content`: the same record loaded again has the same hash.
    public var hash: String
    public var origin: RecordOrigin
    /// The record as canonical JSON (sorted keys; no origin).
    public var content: String
    /// The batch it was loaded in, when read from a workspace.
    public var batch: String?

    /// The record's name across kinds: its kind and key.
    public var identity: String { Self.identity(kind, key) }
    static func identity(_ kind: Kind, _ key: String) -> String { kind.rawValue + "\u{1F}" + key }

    /// The keys records take (a well reading by well and date, irrigation by parcel and year).
    static func wellKey(_ r: WellReading) -> String { "\(r.wellID)@\(r.date)" }
    static func irrigationKey(_ r: IrrigationRecord) -> String { "\(r.parcelID)@\(r.year)" }

    /// - Throws: `EncodeError` for what JSON cannot hold (a number that is not finite): never an
    ///   empty record that every other such record would equal.
    init(kind: Kind, key: String, origin: RecordOrigin, object: [String: Any]) throws {
        self.kind = kind; self.key = key; self.origin = origin
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) } catch {
            throw EncodeError(record: "\(kind.rawValue) \(key) (\(origin))")
        }
        content = String(decoding: data, as: UTF8.self)
        hash = SHA256.hexDigest(of: [UInt8](data))
    }

    public struct EncodeError: Error, CustomStringConvertible {
        public var record: String
        public var description: String { "\(record) holds a value JSON cannot keep (a number that is not finite): correct it in its file" }
    }

    public init(kind: Kind, key: String, hash: String, origin: RecordOrigin, content: String, batch: String? = nil) {
        self.kind = kind; self.key = key; self.hash = hash; self.origin = origin; self.content = content; self.batch = batch
    }

    // MARK: - From the readers' records

    /// The records of `data`; with `only`, just those whose identity it holds (the rest are not
    /// encoded: a county's irrigation rows are millions).
    public static func records(of data: MonitoringData, file: String, only: Set<String>? = nil) throws -> [WorkspaceRecord] {
        func wanted(_ kind: Kind, _ key: String) -> Bool { only.map { $0.contains(identity(kind, key)) } ?? true }
        return try data.sources.filter { wanted(.sources, $0.id) }.map(source)
            + data.waterSamples.filter { wanted(.water, $0.id) }.map(water)
            + data.soilSamples.filter { wanted(.soil, $0.id) }.map(soil)
            + data.wellReadings.filter { wanted(.wells, wellKey($0)) }.map(well)
            + data.irrigation.filter { wanted(.irrigation, irrigationKey($0)) }.map { try irrigation($0, file: file) }
            + data.produceSamples.filter { wanted(.produce, $0.id) }.map(produce)
    }

    static func source(_ s: WaterSource) throws -> WorkspaceRecord {
        try WorkspaceRecord(kind: .sources, key: s.id, origin: s.origin, object: [
            "id": s.id, "name": s.name ?? NSNull(), "location": position(s.location), "inflows": s.inflows.map(\.rawValue),
            "uses": s.uses.map(\.rawValue), "treatment": s.treatment ?? NSNull(),
        ])
    }

    static func water(_ s: WaterSample) throws -> WorkspaceRecord {
        try WorkspaceRecord(kind: .water, key: s.id, origin: s.origin, object: [
            "id": s.id, "source_id": s.sourceID, "date": s.date.description, "measurements": measurements(s.measurements),
        ])
    }

    static func soil(_ s: SoilSample) throws -> WorkspaceRecord {
        try WorkspaceRecord(kind: .soil, key: s.id, origin: s.origin, object: [
            "id": s.id, "location": position(s.location), "date": s.date?.description ?? NSNull(), "depth": s.depth ?? NSNull(),
            "texture": s.texture ?? NSNull(), "measurements": measurements(s.measurements),
        ])
    }

    static func well(_ r: WellReading) throws -> WorkspaceRecord {
        try WorkspaceRecord(kind: .wells, key: wellKey(r), origin: r.origin, object: [
            "well_id": r.wellID, "location": position(r.location), "date": r.date.description,
            "depth_to_water_m": r.depthToWaterMetres.map { $0 as Any } ?? NSNull(), "measurements": measurements(r.measurements),
        ])
    }

    static func irrigation(_ r: IrrigationRecord, file: String) throws -> WorkspaceRecord {
        let volume: [String: Any]
        switch r.volume {
        case .cubicMetres(let v): volume = ["m3": v]
        case .cubicMetresPerMu(let v): volume = ["m3_per_mu": v]
        }
        return try WorkspaceRecord(kind: .irrigation, key: irrigationKey(r),
                               origin: RecordOrigin(file: file, location: "parcel \(r.parcelID), year \(r.year)"),
                               object: ["parcel_id": r.parcelID, "year": r.year, "volume": volume])
    }

    static func produce(_ s: ProduceSample) throws -> WorkspaceRecord {
        try WorkspaceRecord(kind: .produce, key: s.id, origin: s.origin, object: [
            "id": s.id, "parcel_id": s.parcelID ?? NSNull(), "location": position(s.location), "crop": s.crop ?? NSNull(),
            "food_category": s.foodCategory ?? NSNull(), "date": s.date?.description ?? NSNull(), "measurements": measurements(s.measurements),
        ])
    }

    static func position(_ p: Position?) -> Any { p.map { [$0.x, $0.y] } ?? NSNull() }

    /// `{"cd": {"value": 0.01}, "hg": {"below_detection": 0.00004}, "e_coli": {"above_range": 24000}}`.
    static func measurements(_ m: Measurements) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: m.map { parameter, value -> (String, Any) in
            switch value {
            case .value(let v): (parameter.id, ["value": v])
            case .belowDetection(let limit): (parameter.id, ["below_detection": limit.map { $0 as Any } ?? NSNull()])
            case .aboveRange(let v): (parameter.id, ["above_range": v])
            }
        })
    }

    // MARK: - Back into the readers' records

    public struct DecodeError: Error, CustomStringConvertible {
        public var record: String
        public var description: String { "a workspace record cannot be read back (\(record)): the workspace is damaged or from a newer irrizone" }
    }

    /// Adds the record to `data` as the reader would have made it.
    public func add(to data: inout MonitoringData) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(content.utf8))) as? [String: Any] else { throw DecodeError(record: key) }
        func text(_ name: String) -> String? { object[name] as? String }
        func number(_ name: String) -> Double? { (object[name] as? NSNumber)?.doubleValue }
        func position(_ name: String) -> Position? {
            guard let pair = object[name] as? [NSNumber], pair.count == 2 else { return nil }
            return Position(x: pair[0].doubleValue, y: pair[1].doubleValue)
        }
        func date(_ name: String) -> CalendarDate? { text(name).flatMap(CalendarDate.parse) }
        func measurements() throws -> Measurements {
            guard let raw = object["measurements"] as? [String: [String: Any]] else { throw DecodeError(record: key) }
            var result: Measurements = [:]
            for (id, value) in raw {
                guard let parameter = ParameterCatalog.parameter(id: id) else { throw DecodeError(record: "\(key): parameter \(id)") }
                if let v = (value["value"] as? NSNumber)?.doubleValue { result[parameter] = .value(v) }
                else if let v = (value["above_range"] as? NSNumber)?.doubleValue { result[parameter] = .aboveRange(v) }
                else if value.keys.contains("below_detection") { result[parameter] = .belowDetection(limit: (value["below_detection"] as? NSNumber)?.doubleValue) }
                else { throw DecodeError(record: key) }
            }
            return result
        }
        // A stored inflow or use that no longer reads is damage: dropped, "none" would remain.
        func inflow(_ text: String) throws -> IndustrialInflow {
            guard let inflow = IndustrialInflow(rawValue: text) else { throw DecodeError(record: key) }
            return inflow
        }
        func use(_ text: String) throws -> WaterUse {
            guard let use = WaterUse(rawValue: text) else { throw DecodeError(record: key) }
            return use
        }
        switch kind {
        case .sources:
            guard let id = text("id") else { throw DecodeError(record: key) }
            data.sources.append(WaterSource(id: id, name: text("name"), location: position("location"),
                                            inflows: try ((object["inflows"] as? [String]) ?? []).map(inflow),
                                            uses: try ((object["uses"] as? [String]) ?? []).map(use),
                                            treatment: text("treatment"), origin: origin))
        case .water:
            guard let id = text("id"), let source = text("source_id"), let day = date("date") else { throw DecodeError(record: key) }
            data.waterSamples.append(WaterSample(id: id, sourceID: source, date: day, measurements: try measurements(), origin: origin))
        case .soil:
            guard let id = text("id"), let location = position("location") else { throw DecodeError(record: key) }
            data.soilSamples.append(SoilSample(id: id, location: location, date: date("date"), depth: text("depth"), texture: text("texture"),
                                               measurements: try measurements(), origin: origin))
        case .wells:
            guard let well = text("well_id"), let location = position("location"), let day = date("date") else { throw DecodeError(record: key) }
            data.wellReadings.append(WellReading(wellID: well, location: location, date: day, depthToWaterMetres: number("depth_to_water_m"),
                                                 measurements: try measurements(), origin: origin))
        case .irrigation:
            // (A year outside 16 bits is refused, not clamped: `IrrigationRecords` keeps it in 16.)
            guard let parcel = text("parcel_id"), let year = (object["year"] as? NSNumber)?.intValue, Int16(exactly: year) != nil,
                  let volume = object["volume"] as? [String: NSNumber] else {
                throw DecodeError(record: key)
            }
            if let v = volume["m3"] { data.irrigation.append(IrrigationRecord(parcelID: parcel, year: year, volume: .cubicMetres(v.doubleValue))) }
            else if let v = volume["m3_per_mu"] { data.irrigation.append(IrrigationRecord(parcelID: parcel, year: year, volume: .cubicMetresPerMu(v.doubleValue))) }
            else { throw DecodeError(record: key) }
        case .produce:
            guard let id = text("id") else { throw DecodeError(record: key) }
            data.produceSamples.append(ProduceSample(id: id, parcelID: text("parcel_id"), location: position("location"), crop: text("crop"),
                                                     foodCategory: text("food_category"), date: date("date"), measurements: try measurements(),
                                                     origin: origin))
        }
    }
}
