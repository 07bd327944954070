import Foundation
import GeoKit
import IrrigationModel
import PlanarGeometry
import RunSupport

/// The report's map as inline SVG, drawn from the real geometries. Up to `parcelLimit` parcels
/// are drawn one by one; above that the dissolved zones are drawn instead (and reviewed parcels
/// as dots), and above `outlineVertexLimit` vertices of zone outlines a picture of the zones, so
/// the page stays usable for a province. Coordinates are rounded to 0.1 px and repeated points
/// dropped.
public struct SVGMap: Sendable {
    public static let width = 1000.0
    public static let parcelLimit = 20_000
    public static let dotLimit = 5_000
    /// Above this many vertices the zones' outlines (≈ 12 bytes of path each) give way to a
    /// picture of the zones (`zonePicture`), so that the report stays a few megabytes
    /// (docs/scaling.md). A project default.
    public static let outlineVertexLimit = 300_000

    public let input: ReportInput
    let minLon, minLat, maxLon, maxLat, scale, height, cosLat: Double

    public init(input: ReportInput) {
        self.input = input
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for index in input.parcels.indices { if let b = input.parcels[index].bounds { minX = min(minX, b.minX); minY = min(minY, b.minY); maxX = max(maxX, b.maxX); maxY = max(maxY, b.maxY) } }
        if !minX.isFinite { minX = 0; minY = 0; maxX = 1; maxY = 1 }
        let pad = max(maxX - minX, maxY - minY) * 0.03
        minLon = minX - pad; maxLon = maxX + pad; minLat = minY - pad; maxLat = maxY + pad
        cosLat = cos((minLat + maxLat) / 2 * .pi / 180)
        scale = SVGMap.width / max((maxLon - minLon) * cosLat, 1e-12)
        height = ((maxLat - minLat) * scale).rounded(.up)
    }

    /// Parcels flagged for soil or groundwater review, outlined (or dotted) on the map.
    var reviewedIndices: [Int] {
        input.outcomes.indices.filter { input.outcomes[$0].underReview }
    }

    /// Whether parcels are drawn one by one (else zones are).
    public var drawsParcels: Bool { input.parcels.count <= Self.parcelLimit }

    /// Whether the zones are drawn as a picture (too many vertices for outlines).
    public var drawsPicture: Bool {
        !drawsParcels && input.zones.reduce(0) { $0 + $1.geometry.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } } } > Self.outlineVertexLimit
    }

    func point(_ p: Position) -> (Double, Double) { ((p.x - minLon) * cosLat * scale, (maxLat - p.y) * scale) }

    func path(_ shape: MultiPolygon) -> String {
        // Bytes, not String appends: a zone's outline at 10⁶ parcels has hundreds of thousands
        // of vertices, and the report is drawn on one core at the end of the run.
        let vertices = shape.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } }
        var d = JSONBytes(capacity: 16 * vertices + 16)
        for polygon in shape.polygons {
            for ring in polygon.rings {
                var last: (Int, Int)? = nil
                var first = true
                for p in ring {
                    let (x, y) = point(p)
                    let q = (Int((x * 10).rounded()), Int((y * 10).rounded()))
                    if let l = last, l == q { continue }
                    d.append(byte: first ? UInt8(ascii: "M") : UInt8(ascii: "L"))
                    Self.appendTenths(q.0, to: &d)
                    d.append(byte: UInt8(ascii: ","))
                    Self.appendTenths(q.1, to: &d)
                    first = false
                    last = q
                }
                d.append(byte: UInt8(ascii: "Z"))
            }
        }
        return d.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes tenths as `Double(tenths) / 10` prints ("12.3", "-0.5", "4.0") without making the
    /// Double's text.
    static func appendTenths(_ tenths: Int, to out: inout JSONBytes) {
        if tenths < 0 { out.append(byte: UInt8(ascii: "-")) }
        let magnitude = tenths.magnitude
        out.appendInteger(Int64(magnitude / 10))
        out.append(byte: UInt8(ascii: "."))
        out.append(byte: UInt8(ascii: "0") + UInt8(magnitude % 10))
    }

    static let zoneColours: [Zone: String] = [.suitable: "#43a047", .restricted: "#fbc02d", .prohibited: "#e53935"]

    public func render(labels: ReportLabels) -> String {
        var svg = "<svg class=\"map\" viewBox=\"0 0 \(Self.width) \(height)\" role=\"img\" aria-label=\"\(labels["map"])\" "
        svg += "data-parcels-drawn=\"\(drawsParcels ? input.parcels.count : 0)\" data-zones-drawn=\"\(drawsParcels ? 0 : input.zones.count)\" "
        svg += "data-bounds=\"\(minLon),\(minLat),\(maxLon),\(maxLat)\">"
        svg += "<defs><pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        svg += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#1565c0\" stroke-width=\"2\"/></pattern></defs>"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#f5f5f0\"/>"
        if drawsParcels {
            svg += "<g class=\"parcels\" stroke=\"#ffffff\" stroke-width=\"0.3\">"
            for index in input.parcels.indices {
                svg += "<path d=\"\(path(input.parcels[index].geometry))\" fill=\"\(Self.zoneColours[input.outcomes[index].zone]!)\"><title>\(escapeHTML(input.parcels[index].id))</title></path>"
            }
            svg += "</g><g class=\"review\" fill=\"none\" stroke=\"#1a237e\" stroke-width=\"1.4\">"
            for index in reviewedIndices { svg += "<path d=\"\(path(input.parcels[index].geometry))\"/>" }
            svg += "</g>"
        } else {
            if drawsPicture, let picture = zonePicture() {
                svg += "<g class=\"zones\" data-picture=\"\(Int(Self.width))x\(Int(height))\">\(picture)"
            } else {
                svg += "<g class=\"zones\" stroke=\"none\">"
                // The zones' outlines drawn on all cores, the largest decides how long it takes.
                let map = self
                let outlines = parallelMap(count: input.zones.count, chunkSize: 1) { map.path(map.input.zones[$0].geometry) }
                for (zone, outline) in zip(input.zones, outlines) { svg += "<path d=\"\(outline)\" fill=\"\(Self.zoneColours[zone.zone]!)\"/>" }
            }
            svg += "</g><g class=\"review\" fill=\"#1a237e\">"
            var dots = 0
            for index in reviewedIndices {
                guard dots < Self.dotLimit, let b = input.parcels[index].bounds else { continue }
                let (x, y) = point(Position(x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2))
                svg += "<circle cx=\"\(Double(Int(x * 10)) / 10)\" cy=\"\(Double(Int(y * 10)) / 10)\" r=\"1.2\"/>"
                dots += 1
            }
            svg += "</g>"
        }
        svg += "<g class=\"exclusions\" fill=\"url(#hatch)\" stroke=\"#1565c0\" stroke-width=\"1.5\">"
        for area in input.exclusionAreas { svg += "<path d=\"\(path(area.shape))\"><title>\(escapeHTML(area.name))</title></path>" }
        svg += "</g><g class=\"wells\" fill=\"#00838f\" stroke=\"#ffffff\" stroke-width=\"1\">"
        for well in input.wells {
            let (x, y) = point(well.location)
            svg += "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"4\"><title>\(escapeHTML(well.id))</title></circle>"
        }
        svg += "</g><g class=\"sources\" stroke=\"#000\" stroke-width=\"1\">"
        for source in input.sources {
            guard let location = source.source?.location else { continue }
            let (x, y) = point(location)
            let colour = source.effective.status == .fail ? "#b71c1c" : "#6a1b9a"
            svg += "<path d=\"M\(fmt(x)),\(fmt(y - 9))L\(fmt(x + 8)),\(fmt(y + 6))L\(fmt(x - 8)),\(fmt(y + 6))Z\" fill=\"\(colour)\"><title>\(escapeHTML(source.sourceID))</title></path>"
            svg += "<text x=\"\(fmt(x + 10))\" y=\"\(fmt(y + 4))\" font-size=\"12\" stroke=\"none\" fill=\"#000\">\(escapeHTML(source.sourceID))</text>"
        }
        svg += "</g>"
        svg += northArrow() + scaleBar(labels: labels)
        svg += "</svg>"
        return svg
    }

    /// The zones as a picture one pixel per map unit: each pixel takes the strictest zone of the
    /// parcels whose box centres fall in it (a prohibited parcel is never hidden by a larger
    /// suitable neighbour), so its size does not grow with the parcels. An `<image>` of PNG bytes
    /// inside the SVG, the report still one file; nil when GDAL cannot encode it (the outlines
    /// are drawn instead).
    func zonePicture() -> String? {
        let width = Int(Self.width), height = max(1, Int(self.height))
        let zones: [Zone] = [.suitable, .restricted, .prohibited]  // in order of strictness
        var strictest = [UInt8](repeating: 0, count: width * height)  // 0: no parcel, else 1 + place in `zones`
        for index in input.parcels.indices {
            guard let box = input.parcels[index].bounds, let zone = zones.firstIndex(of: input.outcomes[index].zone) else { continue }
            let (x, y) = point(Position(x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2))
            let pixel = min(max(Int(y), 0), height - 1) * width + min(max(Int(x), 0), width - 1)
            strictest[pixel] = max(strictest[pixel], UInt8(zone + 1))
        }
        let colours = zones.map { zone -> [UInt8] in
            let hex = Self.zoneColours[zone]!.dropFirst()
            return stride(from: 0, to: 6, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! } + [255]
        }
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        for pixel in strictest.indices where strictest[pixel] > 0 {
            for channel in 0..<4 { rgba[pixel * 4 + channel] = colours[Int(strictest[pixel]) - 1][channel] }
        }
        guard let png = try? PNGImage.encode(rgba: rgba, width: width, height: height) else { return nil }
        return "<image x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" "
            + "href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>"
    }

    func northArrow() -> String {
        let x = Self.width - 40, y = 20.0
        return "<g class=\"north\"><path d=\"M\(x),\(y)L\(x + 10),\(y + 30)L\(x),\(y + 24)L\(x - 10),\(y + 30)Z\" fill=\"#000\"/>"
            + "<text x=\"\(x)\" y=\"\(y + 46)\" font-size=\"14\" text-anchor=\"middle\">N</text></g>"
    }

    /// A scale bar of a round length near a fifth of the map width.
    func scaleBar(labels: ReportLabels) -> String {
        let metresPerPixel = 111_320.0 / scale
        let target = metresPerPixel * Self.width / 5
        let magnitude = pow(10, floor(log10(target)))
        let length = [1.0, 2, 5, 10].map { $0 * magnitude }.last { $0 <= target } ?? magnitude
        let pixels = length / metresPerPixel
        let text = length >= 1000 ? "\(fmt(length / 1000)) km" : "\(Int(length)) m"
        let y = height - 20
        return "<g class=\"scale\"><rect x=\"20\" y=\"\(fmt(y))\" width=\"\(fmt(pixels))\" height=\"6\" fill=\"#000\"/>"
            + "<text x=\"20\" y=\"\(fmt(y - 6))\" font-size=\"13\">\(text)</text></g>"
    }

    func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}

func escapeHTML(_ text: String) -> String {
    // By UTF-8 byte: the four are ASCII, never inside a multi-byte character (a loop over
    // Characters cost more than the rest of the report at 10⁴ parcels).
    guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") }) else {
        return text
    }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "&"): out += "&amp;".utf8
        case UInt8(ascii: "<"): out += "&lt;".utf8
        case UInt8(ascii: ">"): out += "&gt;".utf8
        case UInt8(ascii: "\""): out += "&quot;".utf8
        default: out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
