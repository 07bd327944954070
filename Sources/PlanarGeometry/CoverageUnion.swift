/// Union of polygons that form a coverage (neighbours share edges vertex for vertex, nothing
/// overlaps), as land-survey parcels do.
///
/// Why by hand: GEOS 3.11's `GEOSCoverageUnion_r` rebuilds the result with a polygonizer that
/// mis-handles boundaries touching themselves at a vertex (two parcels of a zone meeting only at
/// a corner) and then throws "cannot process overlapping inputs"; on the benchmark's zones it
/// failed for most groups, leaving the far slower cascaded union (DissolveStage). In a coverage
/// the union's boundary is exactly the edges used by one polygon only, so it is rebuilt from
/// them here. The caller checks the result with GEOS (validity, area) and falls back to GEOS's
/// general union when the input was not a coverage after all; tests compare with GEOS.
public enum CoverageUnion {
    /// The union, or nil when the input is visibly not a coverage (an edge used twice in the same
    /// direction, or a boundary that does not close). T-junctions and overlaps that pass this are
    /// caught by the caller's validity and area checks.
    public static func union(_ shapes: [MultiPolygon]) -> MultiPolygon? {
        var builder = Builder()
        for shape in shapes {
            builder.add(shape)
            guard builder.isCoverage else { return nil }
        }
        return builder.finish()
    }

    /// The union built a shape at a time (the dissolve's edge work can then run while the shapes'
    /// outcomes come in): the boundary so far, as directed edges between interned vertices; an
    /// edge a neighbour shares cancels when the neighbour is added. Adding the same shapes in the
    /// same order as `union(_:)` gives the same union.
    public struct Builder: Sendable {
        // Vertices by exact coordinates; directed edges of every ring wound with the area on its
        // left (exteriors counter-clockwise, holes clockwise). Both in tables of their own
        // (`VertexTable`, `EdgeSet`): a Dictionary and a Set, hashing every vertex and edge with
        // SipHash, were most of the dissolve's work done while the parcels are written.
        private var vertexIndex = VertexTable()
        private var vertices: [Position] = []
        private var edges = EdgeSet()
        /// False once the input is visibly not a coverage (an edge used twice in one direction).
        public private(set) var isCoverage = true
        /// Shapes added, and their total planar area (`planarArea`, summed in order): what the
        /// union must cover.
        public private(set) var count = 0
        public private(set) var area = 0.0

        public init() {}

        private mutating func vertex(_ p: Position) -> Int {
            vertexIndex.index(of: p, in: &vertices)
        }

        public mutating func add(_ shape: MultiPolygon) {
            count += 1
            area += shape.planarArea
            guard isCoverage else { return }
            for polygon in shape.polygons {
                for (ringIndex, ring) in polygon.rings.enumerated() where ring.count >= 4 {
                    let forward = (Ring.signedArea(ring) > 0) == (ringIndex == 0)
                    var previous = vertex(forward ? ring[0] : ring[ring.count - 1])
                    for k in 1..<ring.count {
                        let current = vertex(forward ? ring[k] : ring[ring.count - 1 - k])
                        guard current != previous else { continue }  // repeated point
                        // Shared with a neighbour: the neighbour runs it the other way; the edge
                        // is interior and cancels. The same direction twice is an overlap.
                        if !edges.remove(from: current, to: previous) {
                            guard edges.insert(from: previous, to: current) else { isCoverage = false; return }
                        }
                        previous = current
                    }
                }
            }
        }

        /// The union of the shapes added, or nil when they are visibly not a coverage.
        public func finish() -> MultiPolygon? {
            guard isCoverage else { return nil }
            return CoverageUnion.polygons(fromBoundary: edges.elements, vertices: vertices)
        }
    }

    /// Vertex numbers by exact coordinates: open addressing, linear probing, the numbers in the
    /// slots and the coordinates in the builder's `vertices`. Coordinates are equal as `Position`s
    /// are (`==`: 0.0 and -0.0 are one vertex); they are finite (valid parcels).
    struct VertexTable: Sendable {
        private var slots = [Int32](repeating: -1, count: 64)
        private var count = 0

        /// The number of `p` in `vertices`, appended to them when new.
        mutating func index(of p: Position, in vertices: inout [Position]) -> Int {
            let mask = slots.count - 1
            var slot = Self.hash(p) & mask
            while true {
                let found = Int(slots[slot])
                if found < 0 { break }
                if vertices[found] == p { return found }
                slot = (slot + 1) & mask
            }
            precondition(vertices.count < Int(Int32.max), "more vertices than a coverage union takes")
            vertices.append(p)
            slots[slot] = Int32(vertices.count - 1)
            count += 1
            if 2 * count > slots.count { grow(vertices) }
            return vertices.count - 1
        }

        private mutating func grow(_ vertices: [Position]) {
            slots = [Int32](repeating: -1, count: 2 * slots.count)
            let mask = slots.count - 1
            for (index, p) in vertices.enumerated() {
                var slot = Self.hash(p) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        }

        /// The coordinates' bits mixed (0.0 and -0.0 alike), all of them reaching the low bits.
        @inline(__always) static func hash(_ p: Position) -> Int {
            let x = (p.x + 0.0).bitPattern, y = (p.y + 0.0).bitPattern
            var h = x &* 0x9E37_79B9_7F4A_7C15 ^ (y &+ 0x632B_E59B_D9B4_E019) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= h >> 29
            h = h &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 32
            return Int(truncatingIfNeeded: h)
        }
    }

    /// A set of directed edges between vertex numbers: open addressing, linear probing, removal
    /// by shifting the probe run back (no tombstones; edges come and go all the time).
    struct EdgeSet: Sendable {
        private static let empty = UInt64.max
        private var slots = [UInt64](repeating: EdgeSet.empty, count: 64)
        private(set) var count = 0

        @inline(__always) private static func key(_ from: Int, _ to: Int) -> UInt64 { UInt64(from) << 32 | UInt64(to) }
        @inline(__always) private static func home(_ key: UInt64, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        }

        /// Inserts the edge; false when it was there already.
        mutating func insert(from: Int, to: Int) -> Bool {
            let key = Self.key(from, to), mask = slots.count - 1
            var slot = Self.home(key, mask)
            while slots[slot] != Self.empty {
                if slots[slot] == key { return false }
                slot = (slot + 1) & mask
            }
            slots[slot] = key
            count += 1
            if 2 * count > slots.count { grow() }
            return true
        }

        /// Removes the edge; false when it was not there.
        mutating func remove(from: Int, to: Int) -> Bool {
            let key = Self.key(from, to), mask = slots.count - 1
            var hole = Self.home(key, mask)
            while slots[hole] != key {
                if slots[hole] == Self.empty { return false }
                hole = (hole + 1) & mask
            }
            // Close the gap: a later key of the run moves into the hole unless its home lies
            // cyclically after the hole and at or before where it sits.
            var next = hole
            while true {
                next = (next + 1) & mask
                let moved = slots[next]
                if moved == Self.empty { break }
                let home = Self.home(moved, mask)
                let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
                if staysPut { continue }
                slots[hole] = moved
                hole = next
            }
            slots[hole] = Self.empty
            count -= 1
            return true
        }

        private mutating func grow() {
            let old = slots
            slots = [UInt64](repeating: Self.empty, count: 2 * old.count)
            let mask = slots.count - 1
            for key in old where key != Self.empty {
                var slot = Self.home(key, mask)
                while slots[slot] != Self.empty { slot = (slot + 1) & mask }
                slots[slot] = key
            }
        }

        /// The edges, in no particular order.
        var elements: [(from: Int, to: Int)] {
            slots.compactMap { $0 == Self.empty ? nil : (Int($0 >> 32), Int($0 & 0xFFFF_FFFF)) }
        }
    }

    /// Rebuilds polygons from a coverage's boundary: directed edges between `vertices`, each with
    /// the area on its left.
    static func polygons(fromBoundary edges: [(from: Int, to: Int)], vertices: [Position]) -> MultiPolygon? {
        // Outgoing boundary edges per vertex (usually one; more where the boundary touches
        // itself), in flat arrays: vertex v's targets are `targets[firstTarget[v]..<firstTarget[v + 1]]`,
        // ascending (deterministic), each used once. (A dictionary of arrays per vertex took most
        // of the tracing time of a zone of 10⁵ parcels.)
        let vertexCount = vertices.count
        var firstTarget = [Int](repeating: 0, count: vertexCount + 1)
        for edge in edges { firstTarget[edge.from + 1] += 1 }
        for v in 0..<vertexCount { firstTarget[v + 1] += firstTarget[v] }
        var targets = [Int](repeating: 0, count: edges.count)
        var filled = firstTarget
        for edge in edges { targets[filled[edge.from]] = edge.to; filled[edge.from] += 1 }
        for v in 0..<vertexCount where firstTarget[v + 1] - firstTarget[v] > 1 { targets[firstTarget[v]..<firstTarget[v + 1]].sort() }
        var used = [Bool](repeating: false, count: edges.count)
        var unusedCount = (0..<vertexCount).map { firstTarget[$0 + 1] - firstTarget[$0] }
        /// The first unused way on from `v` (its slot in `targets`).
        func firstUnused(_ v: Int) -> Int? {
            guard unusedCount[v] > 0 else { return nil }
            for slot in firstTarget[v]..<firstTarget[v + 1] where !used[slot] { return slot }
            return nil
        }
        func take(_ slot: Int, from v: Int) { used[slot] = true; unusedCount[v] -= 1 }

        // Trace closed loops from each vertex in order; at a vertex with several ways on, take
        // the sharpest left turn, then split any loop that still visits a vertex twice into
        // simple rings.
        var rings: [[Position]] = []
        var remaining = edges.count
        var loopPosition = [Int](repeating: -1, count: vertexCount)  // scratch for `simpleLoops`
        var choices: [Int] = []
        for start in 0..<vertexCount {
            while let firstSlot = firstUnused(start) {
                var path = [start]
                var previous = start, current = targets[firstSlot]
                take(firstSlot, from: start)
                remaining -= 1
                while current != start {
                    path.append(current)
                    guard let firstSlotOn = firstUnused(current) else { return nil }  // open boundary
                    var slot = firstSlotOn
                    if unusedCount[current] > 1 {
                        choices.removeAll(keepingCapacity: true)
                        for candidate in firstTarget[current]..<firstTarget[current + 1] where !used[candidate] { choices.append(candidate) }
                        slot = sharpestLeft(from: vertices[previous], at: vertices[current], slots: choices, targets: targets, vertices: vertices)
                    }
                    let next = targets[slot]
                    take(slot, from: current)
                    remaining -= 1
                    previous = current
                    current = next
                }
                path.append(start)
                for loop in simpleLoops(path, position: &loopPosition) { rings.append(loop.map { vertices[$0] }) }
            }
        }
        guard remaining == 0 else { return nil }

        // Counter-clockwise rings are exteriors, clockwise ones holes; each hole belongs to the
        // smallest exterior that contains it.
        var shells: [(ring: [Position], area: Double, box: BoundingBox)] = []
        var holes: [[Position]] = []
        for ring in rings {
            let area = Ring.signedArea(ring)
            if area > 0 { shells.append((ring, area, MultiPolygon(polygons: [Polygon(rings: [ring])]).box!)) }
            else if area < 0 { holes.append(ring) }
            else { return nil }  // a zero-area loop: a crack, not a coverage boundary
        }
        guard !shells.isEmpty else { return nil }
        let index = SpatialIndex(boxes: shells.map(\.box))
        var polygons = shells.map { [$0.ring] }
        var candidates: [Int] = []
        for hole in holes {
            // The middle of the hole's first edge: on no other ring of the result.
            let probe = Position(x: (hole[0].x + hole[1].x) / 2, y: (hole[0].y + hole[1].y) / 2)
            candidates.removeAll(keepingCapacity: true)
            index.query(BoundingBox(minX: probe.x, minY: probe.y, maxX: probe.x, maxY: probe.y), into: &candidates)
            var best: Int? = nil
            for candidate in candidates where MultiPolygon(polygons: [Polygon(rings: [shells[candidate].ring])]).contains(probe) {
                if best == nil || shells[candidate].area < shells[best!].area { best = candidate }
            }
            guard let best else { return nil }
            polygons[best].append(hole)
        }
        return MultiPolygon(polygons: polygons.map { Polygon(rings: $0) })
    }

    /// Of the ways on from `at` (slots of `targets`, ascending), the first clockwise from the way
    /// back to `from`: the sharpest left turn, which keeps the area on the left as small as
    /// possible. On a tie the first slot wins.
    private static func sharpestLeft(from: Position, at: Position, slots: [Int], targets: [Int], vertices: [Position]) -> Int {
        let back = atan2(from.y - at.y, from.x - at.x)
        var best = slots[0], bestTurn = Double.infinity
        for slot in slots {
            let p = vertices[targets[slot]]
            var turn = back - atan2(p.y - at.y, p.x - at.x)  // clockwise angle from `back`
            while turn <= 0 { turn += 2 * Double.pi }
            while turn > 2 * Double.pi { turn -= 2 * Double.pi }
            if turn < bestTurn { bestTurn = turn; best = slot }
        }
        return best
    }

    /// A closed vertex path (first == last) split at repeated vertices into closed loops that
    /// visit each vertex once. `position` (-1 for every vertex of the path) is scratch, left as
    /// it was found: a dictionary per path showed in profiles of rings of 10⁵ vertices.
    static func simpleLoops(_ path: [Int], position: inout [Int]) -> [[Int]] {
        var loops: [[Int]] = []
        var stack: [Int] = []
        for v in path.dropLast() {
            if position[v] >= 0 {
                // v closes a loop: everything after its first visit.
                let at = position[v]
                let loop = Array(stack[at...]) + [v]
                loops.append(loop)
                for u in stack[(at + 1)...] { position[u] = -1 }
                stack.removeSubrange((at + 1)...)
            } else {
                position[v] = stack.count
                stack.append(v)
            }
        }
        for v in stack { position[v] = -1 }
        if stack.count >= 3 { loops.append(stack + [stack[0]]) }
        return loops
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
