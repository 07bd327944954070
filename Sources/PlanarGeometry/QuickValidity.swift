/// A quick, conservative validity check for the shape nearly every parcel has: one polygon with
/// one ring of a few vertices.
///
/// Why by hand: every parcel is checked twice (as read, and after reprojection and rounding), and
/// handing a ten-vertex polygon to GEOS (WKB out, GEOS geometry in, `IsValidOp` building its
/// graph) was about 5 % of a run's CPU time. Comparing every pair of a small ring's edges costs a
/// fraction of that. The check only ever answers "certainly valid"; anything else (holes, several
/// parts, long rings, edges that touch, cross or lie on one line, signs within rounding error of
/// zero) is left to GEOS, which also says why a shape is invalid. Tests compare it with GEOS.
public enum QuickValidity {
    /// Rings with more edges than this go to GEOS (the check compares every pair of edges).
    public static let maximumEdges = 48

    /// True only when GEOS would find the shape valid: one polygon whose only ring is closed, has
    /// at least three edges, finite coordinates, no vertex repeated in a row, no two edges that
    /// meet except neighbours at their shared vertex, and no two neighbouring edges on one line.
    /// False means "not certain": ask GEOS.
    public static func isCertainlyValid(_ shape: MultiPolygon) -> Bool {
        guard shape.polygons.count == 1, shape.polygons[0].rings.count == 1 else { return false }
        return shape.polygons[0].rings[0].withUnsafeBufferPointer(isCertainlySimpleRing)
    }

    private static func isCertainlySimpleRing(_ ring: UnsafeBufferPointer<Position>) -> Bool {
        let edges = ring.count - 1
        guard edges >= 3, edges <= maximumEdges, ring[0] == ring[edges] else { return false }
        for index in 0..<edges {
            let p = ring[index]
            guard p.x.isFinite, p.y.isFinite, p != ring[index + 1] else { return false }
        }
        for i in 0..<edges {
            let a = ring[i], b = ring[i + 1]
            // The next edge shares b: it must turn, not run on along or back over this one.
            guard orientation(a, b, ring[(i + 2) % edges]) != 0 else { return false }
            // Edges that share no vertex must be apart. (The last edge's neighbour is the first.)
            var j = i + 2
            while j < edges - (i == 0 ? 1 : 0) {
                let c = ring[j], d = ring[j + 1]
                j += 1
                if max(a.x, b.x) < min(c.x, d.x) || max(c.x, d.x) < min(a.x, b.x)
                    || max(a.y, b.y) < min(c.y, d.y) || max(c.y, d.y) < min(a.y, b.y) { continue }
                let o1 = orientation(a, b, c)
                if o1 != 0, o1 == orientation(a, b, d) { continue }  // c and d on one side of ab
                let o3 = orientation(c, d, a)
                if o3 != 0, o3 == orientation(c, d, b) { continue }  // a and b on one side of cd
                return false
            }
        }
        return true
    }

    /// The side of line ab that c lies on (1 left, -1 right), or 0 when the determinant is within
    /// a generous bound of its rounding error (Shewchuk's orient2d filter, with 3 000 times the
    /// margin) and so cannot be trusted.
    @inline(__always)
    static func orientation(_ a: Position, _ b: Position, _ c: Position) -> Int {
        let left = (b.x - a.x) * (c.y - a.y), right = (b.y - a.y) * (c.x - a.x)
        let determinant = left - right, bound = 1e-12 * (abs(left) + abs(right))
        return determinant > bound ? 1 : determinant < -bound ? -1 : 0
    }
}
