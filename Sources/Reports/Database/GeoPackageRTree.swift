import GeoKit
import PlanarGeometry

/// A GeoPackage table's spatial index (the `gpkg_rtree_index` extension: SQLite's R*Tree module)
/// built in one go from the rows' boxes, packed by sort-tile-recursive, and written into the
/// module's own tables.
///
/// GDAL 3.6 fills a new table's index when the GeoPackage is closed, one `INSERT` into the R*Tree
/// a row, reading every geometry back on the thread that holds the dataset; packed, the same
/// index is a sort and its nodes and rows bound to prepared statements (docs/scaling.md, "The
/// spatial index, packed"). The entries are SQLite's own: each box rounded outwards to 32-bit floats as the
/// module rounds them, and the triggers and the extension's row are GDAL's, so that the file is
/// the one GDAL would write, with another (fuller) arrangement of the same boxes (`ReportTests`
/// checks both against GDAL's index).
struct GeoPackageRTree {
    /// One row's box, as the module keeps it.
    struct Entry: Sendable, Equatable {
        var id: Int64
        var minX, maxX, minY, maxY: Float

        /// `box` rounded outwards as SQLite's `rtreeValueDown` / `rtreeValueUp` round a 64-bit
        /// value into a 32-bit coordinate.
        init(id: Int64, box: BoundingBox) {
            self.id = id
            minX = Self.down(box.minX); maxX = Self.up(box.maxX)
            minY = Self.down(box.minY); maxY = Self.up(box.maxY)
        }

        init(id: Int64, minX: Float, maxX: Float, minY: Float, maxY: Float) {
            self.id = id; self.minX = minX; self.maxX = maxX; self.minY = minY; self.maxY = maxY
        }

        /// `RNDTOWARDS` and `RNDAWAY` of SQLite's rtree.c.
        private static let towards = 1.0 - 1.0 / 8_388_608.0, away = 1.0 + 1.0 / 8_388_608.0

        static func down(_ value: Double) -> Float {
            let rounded = Float(value)
            return Double(rounded) > value ? Float(value * (value < 0 ? away : towards)) : rounded
        }

        static func up(_ value: Double) -> Float {
            let rounded = Float(value)
            return Double(rounded) < value ? Float(value * (value < 0 ? towards : away)) : rounded
        }

        var centre: (x: Float, y: Float) { ((minX + maxX) / 2, (minY + maxY) / 2) }

        /// The box holding both, with this one's id.
        func union(_ other: Entry) -> Entry {
            Entry(id: id, minX: min(minX, other.minX), maxX: max(maxX, other.maxX), minY: min(minY, other.minY), maxY: max(maxY, other.maxY))
        }
    }

    /// A node: its number (1 is the root) and its blob as the module stores it.
    struct Node { var number: Int64; var blob: [UInt8] }

    /// Each node but the root, with its parent.
    var parents: [(node: Int64, parent: Int64)] = []
    /// Each entry's leaf, in the order of the entries given.
    var leafOfEntry: [Int32] = []

    /// The module's largest node (`RTREE_MAXCELLS` = 51 cells of 24 bytes for a 2-D index, after a
    /// 4-byte header) unless the file's pages make it smaller: the root's blob says which.
    static func cells(inNodeOf bytes: Int) -> Int { min(51, (bytes - 4) / 24) }

    /// Packs `entries` into nodes of `nodeBytes` bytes, each handed to `node` as it is made, not
    /// kept. A level is a list of cells: the entries themselves, then above them
    /// one cell a node, its `id` the node's number; the levels are ordered through a permutation
    /// of 32-bit places, not copied.
    init(_ entries: [Entry], nodeBytes: Int, node: (Node) throws -> Void) rethrows {
        let capacity = Self.cells(inNodeOf: nodeBytes)
        precondition(capacity >= 2, "an R*Tree node of \(nodeBytes) bytes")
        leafOfEntry = [Int32](repeating: 0, count: entries.count)
        var nextNumber: Int64 = 2
        var level = entries
        var depth = 0
        while true {
            let isLeafLevel = depth == 0
            var order = (0..<level.count).map { Int32($0) }
            let groups = Self.tile(&order, of: level, capacity: capacity)
            let isRoot = groups.count == 1
            var above: [Entry] = []
            above.reserveCapacity(groups.count)
            for group in groups {
                let number: Int64
                if isRoot { number = 1 } else { number = nextNumber; nextNumber += 1 }
                var blob = [UInt8](repeating: 0, count: nodeBytes)
                if isRoot { Self.put16(UInt16(depth), into: &blob, at: 0) }
                Self.put16(UInt16(group.count), into: &blob, at: 2)
                var box = Entry(id: number, minX: .infinity, maxX: -.infinity, minY: .infinity, maxY: -.infinity)
                for (cell, place) in order[group].enumerated() {
                    let item = level[Int(place)], offset = 4 + cell * 24
                    Self.put64(UInt64(bitPattern: item.id), into: &blob, at: offset)
                    // (Four calls, not a loop over an array of the four: that array was an
                    // allocation and a free for every row of the table.)
                    Self.put32(item.minX.bitPattern, into: &blob, at: offset + 8)
                    Self.put32(item.maxX.bitPattern, into: &blob, at: offset + 12)
                    Self.put32(item.minY.bitPattern, into: &blob, at: offset + 16)
                    Self.put32(item.maxY.bitPattern, into: &blob, at: offset + 20)
                    box = box.union(item)
                    if isLeafLevel { leafOfEntry[Int(place)] = Int32(number) } else { parents.append((item.id, number)) }
                }
                try node(Node(number: number, blob: blob))
                above.append(box)
            }
            if isRoot { break }
            level = above
            depth += 1
        }
    }

    /// Sort-tile-recursive over `order` (places in `level`), in place (`sortTileRecursive`); a
    /// level that fits one node is left in its order.
    private static func tile(_ order: inout [Int32], of level: [Entry], capacity: Int) -> [Range<Int>] {
        guard order.count > capacity else { return [order.indices] }
        return sortTileRecursive(&order, capacity: capacity, x: { Double(level[Int($0)].centre.x) }, y: { Double(level[Int($0)].centre.y) })
    }

    private static func put16(_ value: UInt16, into blob: inout [UInt8], at offset: Int) {
        blob[offset] = UInt8(value >> 8); blob[offset + 1] = UInt8(value & 0xFF)
    }

    private static func put32(_ value: UInt32, into blob: inout [UInt8], at offset: Int) {
        for k in 0..<4 { blob[offset + k] = UInt8((value >> (24 - 8 * k)) & 0xFF) }
    }

    private static func put64(_ value: UInt64, into blob: inout [UInt8], at offset: Int) {
        for k in 0..<8 { blob[offset + k] = UInt8((value >> (56 - 8 * k)) & 0xFF) }
    }

    // MARK: - Writing

    /// Creates `table`'s index on `column` in `dataset` (a GeoPackage, inside the run's
    /// transaction) from `entries`: the R*Tree, its nodes, GDAL's triggers and the extension's row.
    static func write(_ entries: [Entry], table: String, column: String, into dataset: Dataset) throws {
        let rtree = "rtree_\(table)_\(column)"
        try execute("CREATE VIRTUAL TABLE \(quoted(rtree)) USING rtree(id, minx, maxx, miny, maxy)", in: dataset, table: table)
        // The empty root the module made tells the node size this file's pages give.
        guard let size = try dataset.queryText("SELECT length(data) FROM \(quoted(rtree + "_node")) WHERE nodeno = 1").flatMap({ Int($0) }) else {
            throw GDALError(code: 0, message: "SQLite made no root node for the spatial index", function: "GDALDatasetExecuteSQL", context: "table \(table)")
        }
        try execute("DELETE FROM \(quoted(rtree + "_node"))", in: dataset, table: table)
        // Each node, parent and row bound to one prepared statement on the GeoPackage's connection,
        // not parsed from SQL text (docs/scaling.md).
        let nodes = try statement("INSERT INTO \(quoted(rtree + "_node")) VALUES (?, ?)", in: dataset, table: table)
        let packed = try GeoPackageRTree(entries, nodeBytes: size) { node in
            try nodes.bind(node.number, at: 1)
            try node.blob.withUnsafeBytes { bytes throws in try nodes.bind(blob: bytes, at: 2) }
            try nodes.run()
        }
        nodes.finish()
        let byNode = packed.parents.sorted { $0.node < $1.node }
        let parents = try statement("INSERT INTO \(quoted(rtree + "_parent")) VALUES (?, ?)", in: dataset, table: table)
        for (node, parent) in byNode {
            try parents.bind(node, at: 1)
            try parents.bind(parent, at: 2)
            try parents.run()
        }
        parents.finish()
        // Rows come in the order they were inserted, by fid; in rowid order the table is appended to.
        let byRow: [Int]? = zip(entries, entries.dropFirst()).allSatisfy { $0.id < $1.id } ? nil
            : entries.indices.sorted { entries[$0].id < entries[$1].id }
        let rows = try statement("INSERT INTO \(quoted(rtree + "_rowid")) VALUES (?, ?)", in: dataset, table: table)
        for index in entries.indices {
            let place = byRow?[index] ?? index
            try rows.bind(entries[place].id, at: 1)
            try rows.bind(Int64(packed.leafOfEntry[place]), at: 2)
            try rows.run()
        }
        rows.finish()
        for trigger in triggers(table: table, column: column) { try execute(trigger, in: dataset, table: table) }
        // The table as GDAL makes it when a file's first extension is registered.
        try execute("""
            CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,\
            definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))
            """, in: dataset, table: table)
        try execute("""
            INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,scope) VALUES \
            (\(literal(table)), \(literal(column)), 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')
            """, in: dataset, table: table)
    }

    /// The triggers that keep the index in step with later edits, as GDAL 3.6 writes them (the
    /// GeoPackage specification's RTree extension; `ReportTests` compares them with GDAL's).
    static func triggers(table: String, column: String) -> [String] {
        let rtree = quoted("rtree_\(table)_\(column)"), t = quoted(table), c = quoted(column), i = quoted("fid")
        let name = { (suffix: String) in quoted("rtree_\(table)_\(column)_\(suffix)") }
        let values = "VALUES (NEW.\(i),ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)),ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c)))"
        return [
            "CREATE TRIGGER \(name("insert")) AFTER INSERT ON \(t) WHEN (new.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c))) BEGIN INSERT OR REPLACE INTO \(rtree) \(values); END",
            "CREATE TRIGGER \(name("update1")) AFTER UPDATE OF \(c) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c))) BEGIN INSERT OR REPLACE INTO \(rtree) \(values); END",
            "CREATE TRIGGER \(name("update2")) AFTER UPDATE OF \(c) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c))) BEGIN DELETE FROM \(rtree) WHERE id = OLD.\(i); END",
            "CREATE TRIGGER \(name("update3")) AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c))) BEGIN DELETE FROM \(rtree) WHERE id = OLD.\(i); INSERT OR REPLACE INTO \(rtree) \(values); END",
            "CREATE TRIGGER \(name("update4")) AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c))) BEGIN DELETE FROM \(rtree) WHERE id IN (OLD.\(i), NEW.\(i)); END",
            "CREATE TRIGGER \(name("delete")) AFTER DELETE ON \(t) WHEN old.\(c) NOT NULL BEGIN DELETE FROM \(rtree) WHERE id = OLD.\(i); END",
        ]
    }

    /// A statement on the dataset's connection; a failure names the table.
    private static func statement(_ sql: String, in dataset: Dataset, table: String) throws -> SQLiteStatement {
        do { return try SQLiteStatement(sql, on: dataset) } catch {
            throw GDALError(code: error.code, message: "writing the spatial index: \(error.message)", function: error.function, context: "table \(table)")
        }
    }

    /// Runs `sql`; a failure names the table, not the (long) statement.
    private static func execute(_ sql: String, in dataset: Dataset, table: String) throws {
        do { try dataset.execute(sql) } catch {
            throw GDALError(code: error.code, message: "writing the spatial index: \(error.message)", function: error.function,
                            context: "table \(table), statement \(sql.prefix(80))…")
        }
    }

    private static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
