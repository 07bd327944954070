import GeoKit

/// QGIS default styles for a GeoPackage's layers (`layer_styles`, the table QGIS itself reads and
/// writes), so zones open coloured: a layer without a style of its own gets one; a style the user
/// saved is never replaced.
public enum QGISStyle {
    /// A category of a categorized renderer: the value, its label and its fill (R, G, B).
    struct Category {
        var value: String
        var label: String
        var rgb: (Int, Int, Int)
    }

    /// The zones' colours: green, amber, red (ColorBrewer RdYlGn, colour-blind safe in order).
    static let zones = [
        Category(value: "suitable", label: "适宜区 suitable", rgb: (26, 150, 65)),
        Category(value: "restricted", label: "限制区 restricted", rgb: (253, 174, 97)),
        Category(value: "prohibited", label: "禁止区 prohibited", rgb: (215, 25, 28)),
    ]

    /// A source's status: pass green, fail red, the verdicts that are not a pass grey.
    static let sourceStatuses = [
        Category(value: "pass", label: "达标 pass", rgb: (26, 150, 65)),
        Category(value: "fail", label: "不达标 fail", rgb: (215, 25, 28)),
        Category(value: "indeterminate", label: "无法判定 indeterminate", rgb: (150, 150, 150)),
        Category(value: "incomplete", label: "缺测 incomplete", rgb: (150, 150, 150)),
        Category(value: "no_data", label: "无数据 no data", rgb: (150, 150, 150)),
    ]

    /// QML of a renderer that colours polygons by `zone`.
    public static func zonesQML() -> String { qml(attribute: "zone", categories: zones, symbol: "fill") }

    /// QML of a renderer that colours points by `status`.
    public static func sourcesQML() -> String { qml(attribute: "status", categories: sourceStatuses, symbol: "marker") }

    static func qml(attribute: String, categories: [Category], symbol: String) -> String {
        var categoryLines: [String] = [], symbolLines: [String] = []
        for (index, category) in categories.enumerated() {
            categoryLines.append("      <category render=\"true\" symbol=\"\(index)\" value=\"\(escapeHTML(category.value))\" label=\"\(escapeHTML(category.label))\"/>")
            let colour = "\(category.rgb.0),\(category.rgb.1),\(category.rgb.2),255"
            let properties: [(String, String)] = symbol == "fill"
                ? [("color", colour), ("outline_color", "60,60,60,255"), ("outline_style", "solid"), ("outline_width", "0.1"),
                   ("outline_width_unit", "MM"), ("style", "solid")]
                : [("color", colour), ("name", "circle"), ("outline_color", "35,35,35,255"), ("outline_width", "0.2"),
                   ("outline_width_unit", "MM"), ("size", "3"), ("size_unit", "MM")]
            let layerClass = symbol == "fill" ? "SimpleFill" : "SimpleMarker"
            symbolLines.append("      <symbol type=\"\(symbol)\" name=\"\(index)\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">")
            symbolLines.append("        <layer class=\"\(layerClass)\" enabled=\"1\" locked=\"0\" pass=\"0\">")
            symbolLines.append("          <Option type=\"Map\">")
            for (key, value) in properties { symbolLines.append("            <Option type=\"QString\" name=\"\(key)\" value=\"\(value)\"/>") }
            symbolLines.append("          </Option>")
            // The same properties in the form QGIS before 3.26 reads.
            for (key, value) in properties { symbolLines.append("          <prop k=\"\(key)\" v=\"\(value)\"/>") }
            symbolLines.append("        </layer>")
            symbolLines.append("      </symbol>")
        }
        return """
        <!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
        <qgis version="3.22.0" styleCategories="Symbology">
          <renderer-v2 type="categorizedSymbol" attr="\(escapeHTML(attribute))" forceraster="0" symbollevels="0" enableorderby="0">
            <categories>
        \(categoryLines.joined(separator: "\n"))
            </categories>
            <symbols>
        \(symbolLines.joined(separator: "\n"))
            </symbols>
          </renderer-v2>
        </qgis>
        """
    }

    static let tableSpec = TableSpec(name: "layer_styles", geometry: .none, fields: [
        FieldDefinition(name: "f_table_catalog", type: .string), FieldDefinition(name: "f_table_schema", type: .string),
        FieldDefinition(name: "f_table_name", type: .string), FieldDefinition(name: "f_geometry_column", type: .string),
        FieldDefinition(name: "styleName", type: .string), FieldDefinition(name: "styleQML", type: .string),
        FieldDefinition(name: "styleSLD", type: .string), FieldDefinition(name: "useAsDefault", type: .boolean),
        FieldDefinition(name: "description", type: .string), FieldDefinition(name: "owner", type: .string),
        FieldDefinition(name: "ui", type: .string), FieldDefinition(name: "update_time", type: .string),
    ])

    /// Gives each of `layers` (name → QML) a default style in a GeoPackage, unless it has one.
    public static func addDefaults(_ layers: [(name: String, qml: String)], to tables: FeatureTables, time: String) throws {
        try tables.prepare(tableSpec)
        for (name, qml) in layers {
            let count = try tables.dataset.queryText("SELECT COUNT(*) FROM layer_styles WHERE f_table_name = '\(name.replacingOccurrences(of: "'", with: "''"))'")
            guard (Int(count ?? "0") ?? 0) == 0 else { continue }
            try tables.insert([TableRow(shape: .none, properties: [
                ("f_table_catalog", .string("")), ("f_table_schema", .string("")), ("f_table_name", .string(name)),
                ("f_geometry_column", .string("geom")), ("styleName", .string("irrizone")), ("styleQML", .string(qml)),
                ("styleSLD", .string("")), ("useAsDefault", .boolean(true)),
                ("description", .string("irrizone default style: 适宜区 green, 限制区 amber, 禁止区 red")),
                ("owner", .string("irrizone")), ("ui", .null), ("update_time", .string(time)),
            ])], into: "layer_styles")
        }
    }
}
