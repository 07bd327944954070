import GeoKit
import IrrigationModel
import PlanarGeometry

/// A row as a table's fields take it: its values converted (lists and findings as JSON text,
/// numbers rounded as the GeoJSON writes them), its geometry as WKB in the table's CRS. Made on
/// any thread (`RowPreparation`), so that the thread holding the dataset only hands values to GDAL.
public struct PreparedRow: Sendable {
    public enum Shape: Sendable {
        case none
        /// ISO WKB in the table's CRS.
        case wkb([UInt8])
        /// The geometry could not be put in the table's CRS: why, for the error the insert throws.
        case untransformable(String)
    }

    /// The field names, in the order of `values`. Rows prepared one after another with the same
    /// names share one array, which the insert compares by identity first.
    public var names: [String]
    public var values: FieldValues
    public var shape: Shape
    /// The geometry's box in the table's CRS, for a spatial index written in one go
    /// (`GeoPackageRTree`); nil without geometry.
    public var box: BoundingBox?
}

/// Makes `PreparedRow`s for one `FeatureTables` on any thread, each thread with its own copy of
/// the transformation from WGS84 to the tables' CRS.
public struct RowPreparation: Sendable {
    /// Nil when the tables' CRS is WGS84.
    let fromWGS84: SharedCoordinateTransformation?
    /// The CRS's name, for the error when a geometry cannot be put in it.
    let crsName: String
    /// The run's id, put first (as `run_id`) in every row of a database that keeps every run.
    var runID: String?

    /// The same, with every row keyed by `runID` (`ResultTables.keyed`).
    public func keyed(by runID: String?) -> RowPreparation {
        var keyed = self
        keyed.runID = runID
        return keyed
    }

    /// `row` as the table takes it; `previous`, the row this thread prepared last, lends its names
    /// when they are the same.
    public func prepare(_ row: TableRow, after previous: PreparedRow? = nil) -> PreparedRow {
        let keyCount = runID == nil ? 0 : 1
        var values = FieldValues(capacity: 16 * (row.properties.count + keyCount))
        if let runID { values.append(text: runID) }
        for (_, value) in row.properties { values.append(value) }
        let names: [String]
        if let previous, previous.names.count == row.properties.count + keyCount,
           zip(previous.names.dropFirst(keyCount), row.properties).allSatisfy({ $0 == $1.0 }) {
            names = previous.names
        } else {
            names = (runID == nil ? [] : [ResultTables.runIDField.name]) + row.properties.map(\.0)
        }
        let (shape, box) = shape(of: row.shape)
        return PreparedRow(names: names, values: values, shape: shape, box: box)
    }

    /// The calling thread's copy of the transformation from WGS84, for the rows it prepares
    /// next (`prepareParcel(…, on:)`): looked up once for many rows, not once a row through the
    /// thread's dictionary (docs/scaling.md).
    public struct ThreadTransformation {
        /// Nil when the tables' CRS is WGS84.
        fileprivate let copy: Result<CoordinateTransformation, any Error>?
    }

    public func thisThreadsTransformation() -> ThreadTransformation {
        ThreadTransformation(copy: fromWGS84.map { shared in Result { try shared.forCurrentThread() } })
    }

    /// - Parameter thread: this thread's transformation, when the caller looked it up already.
    func shape(of shape: TableRow.Shape, on thread: ThreadTransformation? = nil) -> (PreparedRow.Shape, BoundingBox?) {
        /// The transformation, looked up only for a row with a geometry.
        func transformation() -> Result<CoordinateTransformation, any Error>? { (thread ?? thisThreadsTransformation()).copy }
        switch shape {
        case .none:
            return (.none, nil)
        case .area(let multiPolygon):
            var (xs, ys) = multiPolygon.coordinateArrays
            guard let transformation = transformation() else { return (.wkb(WKB.encode(multiPolygon)), Self.box(xs, ys)) }
            if let failure = transform(&xs, &ys, with: transformation) { return (.untransformable(failure), nil) }
            return (.wkb(WKB.encode(multiPolygon.withCoordinates(xs: xs, ys: ys))), Self.box(xs, ys))
        case .point(let position):
            var xs = [position.x], ys = [position.y]
            if let transformation = transformation(), let failure = transform(&xs, &ys, with: transformation) { return (.untransformable(failure), nil) }
            return (.wkb(WKB.encode(point: Position(x: xs[0], y: ys[0]))), Self.box(xs, ys))
        }
    }

    /// The box of all the points (holes lie inside their exteriors, but GDAL's envelope takes
    /// every point too); nil for none.
    private static func box(_ xs: [Double], _ ys: [Double]) -> BoundingBox? {
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return nil }
        return BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    /// Transforms the points in place on this thread's copy; why not, when PROJ could not.
    private func transform(_ xs: inout [Double], _ ys: inout [Double], with copy: Result<CoordinateTransformation, any Error>) -> String? {
        do {
            let transformation = try copy.get()
            return transformation.transform(x: &xs, y: &ys) ? nil : "PROJ could not transform a point of it from WGS 84 to \(crsName)"
        } catch {
            return "no transformation from WGS 84 to \(crsName) on this thread: \(error)"
        }
    }
}

extension RowPreparation {
    /// `parcels[index]`'s row as the parcels table takes it, its properties converted as they are
    /// visited (`ParcelProperties.visit`), not gathered as (name, value) pairs first
    /// (docs/scaling.md). `previous`, the parcel row this thread prepared last, lends its names when they are the same.
    /// - Parameter thread: this thread's transformation (`thisThreadsTransformation()`), when
    ///   the caller prepares many rows; else it is looked up.
    public func prepareParcel(_ parcels: [Parcel], at index: Int, links: [ParcelLinks], soil: [SoilSample], assessment: ParcelAssessment,
                              fieldNames: ParcelProperties.FieldNames, attributes: AttributeRecord?, after previous: PreparedRow?,
                              on thread: ThreadTransformation? = nil) -> PreparedRow {
        var values = FieldValueList(runID: runID, names: previous?.names, bytes: previous.map { $0.values.byteCount + 256 } ?? 4_096)
        ParcelProperties.visit(parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames,
                               attributes: attributes, into: &values)
        let (shape, box) = shape(of: .area(parcels[index].geometry), on: thread)
        return PreparedRow(names: values.finishedNames, values: values.values, shape: shape, box: box)
    }
}

/// A row's field values as a parcel's properties are visited, each converted as
/// `FieldValues.append(_:)` converts a property; its names are the row before's while they are
/// the same.
struct FieldValueList: PropertyReceiver {
    private(set) var values: FieldValues
    /// The names of the row before, while every name so far matched them.
    private var shared: [String]?
    /// The names, once one differed from the row before's (or there was none).
    private var own: [String] = []

    /// - Parameter bytes: room for the values (the row before's, and some), so a row's buffer is
    ///   not grown piece by piece.
    init(runID: String?, names: [String]?, bytes: Int = 4_096) {
        shared = names
        if names == nil { own.reserveCapacity(160) }
        values = FieldValues(capacity: bytes)
        if let runID { add(ResultTables.runIDField.name, .string(runID)) }
    }

    var finishedNames: [String] {
        guard let shared else { return own }
        return shared.count == values.count ? shared : Array(shared[..<values.count])
    }

    private mutating func add(_ name: String, _ property: PropertyValue) {
        let place = values.count
        values.append(property)
        if let names = shared {
            if place < names.count, names[place] == name { return }
            own = Array(names[..<place])  // the names so far matched; from here they are this row's own
            shared = nil
        }
        own.append(name)
    }

    mutating func string(_ key: String, _ value: String?) { add(key, value.map { .string($0) } ?? .null) }
    mutating func fixed(_ key: String, _ value: Double?, decimals: Int) { add(key, value.map { .fixed($0, decimals: decimals) } ?? .null) }
    mutating func number(_ key: String, _ value: Double?) { add(key, value.map { .number($0) } ?? .null) }
    mutating func integer(_ key: String, _ value: Int64?) { add(key, value.map { .integer($0) } ?? .null) }
    mutating func boolean(_ key: String, _ value: Bool?) { add(key, value.map { .boolean($0) } ?? .null) }
    mutating func strings(_ key: String, _ values: [String]) { add(key, .strings(values)) }
    mutating func findings(_ key: String, _ findings: [Finding]) { add(key, .findings(findings)) }
    mutating func attribute(_ key: String, _ value: AttributeValue) { add(key, PropertyValue(value)) }
}
