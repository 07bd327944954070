/// An axis-aligned bounding box, in the units of its coordinates (degrees or metres). The one
/// box type of the project: GDAL's extents and envelopes, the spatial index and the geometry
/// values all use it.
public struct BoundingBox: Sendable, Hashable {
    public var minX, minY, maxX, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    public func intersects(_ o: BoundingBox) -> Bool { minX <= o.maxX && o.minX <= maxX && minY <= o.maxY && o.minY <= maxY }

    /// The smallest box holding both.
    public func union(_ o: BoundingBox) -> BoundingBox {
        BoundingBox(minX: min(minX, o.minX), minY: min(minY, o.minY), maxX: max(maxX, o.maxX), maxY: max(maxY, o.maxY))
    }
}
