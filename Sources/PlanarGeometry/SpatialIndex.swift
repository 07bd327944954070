/// A static R-tree packed with the Sort-Tile-Recursive algorithm (Leutenegger et al. 1997), the
/// same packing GEOS's STRtree uses, over axis-aligned boxes. Built once, queried many times;
/// immutable after construction so it is safe to share between threads.
public struct SpatialIndex: Sendable {
    /// Every node, leaves first, then each level up to the roots: a box and a range of `nodes`
    /// (its children) or, for a leaf, of `items`. One flat array: a query walks it without
    /// allocating (a million parcels make millions of queries).
    private var nodes: [(box: BoundingBox, first: Int, count: Int)] = []
    private var leafCount = 0
    /// Where the roots (the top level) start in `nodes`, and how deep a query's stack can get.
    private var rootStart = 0
    private var stackCapacity = 0
    private var items: [Int] = []
    private var itemBoxes: [BoundingBox] = []
    public let nodeCapacity: Int

    /// Indexes `boxes`; queries return indices into this array.
    public init(boxes: [BoundingBox], nodeCapacity: Int = 10) {
        self.nodeCapacity = nodeCapacity
        itemBoxes = boxes
        guard !boxes.isEmpty else { return }
        // Leaf level: slice by x centre, then sort each slice by y centre.
        var order = Array(boxes.indices)
        let leaves = sortTileRecursive(&order, capacity: nodeCapacity, x: { boxes[$0].minX + boxes[$0].maxX }, y: { boxes[$0].minY + boxes[$0].maxY })
        items = order
        var level: [(box: BoundingBox, first: Int, count: Int)] = leaves.map { leaf in
            (order[leaf].dropFirst().reduce(boxes[order[leaf.lowerBound]]) { $0.union(boxes[$1]) }, leaf.lowerBound, leaf.count)
        }
        nodes = level
        self.leafCount = level.count
        var levelCount = 1
        while level.count > 1 {
            let levelStart = nodes.count - level.count
            var parent: [(box: BoundingBox, first: Int, count: Int)] = []
            for first in stride(from: 0, to: level.count, by: nodeCapacity) {
                let count = min(nodeCapacity, level.count - first)
                let box = level[first..<(first + count)].dropFirst().reduce(level[first].box) { $0.union($1.box) }
                parent.append((box, levelStart + first, count))
            }
            nodes += parent
            level = parent
            levelCount += 1
        }
        rootStart = nodes.count - level.count
        // All roots, then at most a node's children for each level below.
        stackCapacity = level.count + levelCount * nodeCapacity
    }

    /// Indices of every box that intersects `query`.
    public func query(_ query: BoundingBox, into result: inout [Int]) {
        guard !nodes.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: stackCapacity) { stack in
            var depth = 0
            for root in rootStart..<nodes.count { stack[depth] = root; depth += 1 }
            while depth > 0 {
                depth -= 1
                let nodeIndex = stack[depth]
                let node = nodes[nodeIndex]
                guard node.box.intersects(query) else { continue }
                if nodeIndex < leafCount {
                    for i in node.first..<(node.first + node.count) where itemBoxes[items[i]].intersects(query) { result.append(items[i]) }
                } else {
                    for child in node.first..<(node.first + node.count) { stack[depth] = child; depth += 1 }
                }
            }
        }
    }

    public func query(_ box: BoundingBox) -> [Int] {
        var result: [Int] = []
        query(box, into: &result)
        return result
    }
}

extension MultiPolygon {
    public var box: BoundingBox? {
        bounds.map { BoundingBox(minX: $0.minX, minY: $0.minY, maxX: $0.maxX, maxY: $0.maxY) }
    }

    /// Even-odd point-in-polygon (points on an edge count as inside). Tested against GEOS.
    public func contains(_ p: Position) -> Bool {
        for polygon in polygons {
            var inside = false
            for ring in polygon.rings where ring.count >= 4 {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    let a = ring[i], b = ring[j]
                    if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                    j = i
                }
            }
            if inside { return true }
        }
        return false
    }

    /// Distance in metres from a point to the polygon boundary (0 inside), for lon/lat geometry,
    /// in a local equirectangular frame around the point: accurate to well under 1 % at the
    /// few-kilometre distances the linking rules use.
    public func distanceMetres(to p: Position) -> Double {
        if contains(p) { return 0 }
        let metresPerDegreeLat = 111_132.954
        let metresPerDegreeLon = metresPerDegreeLat * cos(p.y * Double.pi / 180)
        var best = Double.infinity
        for polygon in polygons {
            for ring in polygon.rings where ring.count >= 2 {
                for i in 1..<ring.count {
                    let ax = (ring[i - 1].x - p.x) * metresPerDegreeLon, ay = (ring[i - 1].y - p.y) * metresPerDegreeLat
                    let bx = (ring[i].x - p.x) * metresPerDegreeLon, by = (ring[i].y - p.y) * metresPerDegreeLat
                    let dx = bx - ax, dy = by - ay
                    let length2 = dx * dx + dy * dy
                    let t = length2 > 0 ? max(0, min(1, -(ax * dx + ay * dy) / length2)) : 0
                    let cx = ax + t * dx, cy = ay + t * dy
                    best = min(best, (cx * cx + cy * cy).squareRoot())
                }
            }
        }
        return best
    }
}

/// Converts a distance in metres to a lon/lat box half-size around a latitude.
public func degreesAround(latitude: Double, metres: Double) -> (dLon: Double, dLat: Double) {
    let dLat = metres / 111_132.954
    let dLon = metres / (111_132.954 * max(0.01, cos(latitude * Double.pi / 180)))
    return (dLon, dLat)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sort-Tile-Recursive order (Leutenegger et al. 1997), for `SpatialIndex` and a GeoPackage's
/// packed index: `order` (the places of items) sorted by the items' centres' `x` into vertical
/// slices of √(nodes) nodes each, each slice by `y`; returns the nodes' groups of `capacity`
/// places, in that order (one empty group for no items). `x` and `y` may give any value ordered
/// as the centre is (the sum of a box's bounds).
/// Inlinable, so that a caller in another module gets it specialized: unspecialized, each
/// comparison went through the generic sort's value witnesses (docs/scaling.md).
@inlinable
public func sortTileRecursive<Place>(_ order: inout [Place], capacity: Int, x: (Place) -> Double, y: (Place) -> Double) -> [Range<Int>] {
    guard !order.isEmpty else { return [0..<0] }
    let nodeCount = (order.count + capacity - 1) / capacity
    let perSlice = Int(Double(nodeCount).squareRoot().rounded(.up)) * capacity
    order.sort { x($0) < x($1) }
    var groups: [Range<Int>] = []
    var start = 0
    while start < order.count {
        let slice = start..<min(start + perSlice, order.count)
        order[slice].sort { y($0) < y($1) }
        for from in stride(from: slice.lowerBound, to: slice.upperBound, by: capacity) { groups.append(from..<min(from + capacity, slice.upperBound)) }
        start = slice.upperBound
    }
    return groups
}
