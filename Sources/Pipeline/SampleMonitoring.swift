import Foundation
import RunSupport
import GeoKit
import IrrigationModel
import PlanarGeometry

/// The monitoring side of the sample story (SampleData/README.md): reclaimed-water plants,
/// their monthly lab results, soil samples with a cadmium hot spot along an old sewage channel,
/// groundwater wells (one with rising chloride, one shallow), irrigation records and a
/// drinking-water source protection zone.
struct SampleMonitoring {
    let grid: ParcelGrid
    var random: SplitMix64
    let toWGS84: CoordinateTransformation

    init(grid: ParcelGrid, seed: UInt64) throws {
        self.grid = grid
        self.random = SplitMix64(seed: seed ^ 0x5EED_0F_50_11)
        toWGS84 = try CoordinateTransformation(from: try SpatialReference(epsg: SampleProject.epsg), to: try SpatialReference.wgs84())
    }

    var width: Double { Double(grid.columns) * SampleProject.cellWidth }
    var height: Double { Double(grid.rows) * SampleProject.cellHeight }

    /// A point at fractions (fx, fy) of the grid's extent, in EPSG:4547.
    func point(_ fx: Double, _ fy: Double) -> Position {
        Position(x: grid.originX + fx * width, y: grid.originY + fy * height)
    }

    func lonLat(_ p: Position) -> (lon: Double, lat: Double) {
        let t = toWGS84.transform(x: p.x, y: p.y)!
        return (t.x, t.y)
    }

    // MARK: - Sources

    struct Source { var id, name, inflow, uses, treatment: String; var capacity: Int; var at: Position }

    var sources: [Source] {
        [
            Source(id: "ZS01", name: "忻州市城西污水处理厂", inflow: "无", uses: "农田灌溉;城市绿化;市政", treatment: "三级(深度处理)",
                   capacity: 40_000, at: point(0.02, 0.55)),
            Source(id: "ZS02", name: "忻府区奇村镇污水处理站", inflow: "无", uses: "农田灌溉", treatment: "二级",
                   capacity: 8_000, at: point(0.50, 0.98)),
            Source(id: "ZS03", name: "忻州经济开发区污水处理厂", inflow: "化工", uses: "农田灌溉;工业", treatment: "二级",
                   capacity: 20_000, at: point(0.98, 0.45)),
        ] + (SampleProject.storySourceCount..<grid.sourceCount).map { k in
            // Benchmark plants beyond the story: compliant secondary plants along the south edge.
            Source(id: Self.sourceID(k + 1), name: "合成再生水厂\(k + 1)", inflow: "无", uses: "农田灌溉", treatment: "二级",
                   capacity: 10_000, at: point((Double(k) + 0.5) / Double(grid.sourceCount), 0.02))
        }
    }

    /// ZS01, ZS02, …, ZS20.
    static func sourceID(_ number: Int) -> String { "ZS" + two(number) }

    func sourcesCSV() -> String {
        var lines = ["source_id,name,lon,lat,industrial_inflow,uses,treatment,capacity_m3_d"]
        for s in sources {
            let ll = lonLat(s.at)
            lines.append([s.id, s.name, fixed(ll.lon, 6), fixed(ll.lat, 6), s.inflow, s.uses, s.treatment, String(s.capacity)].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Water samples (wide table, GBK, as exported from Excel on Chinese Windows)

    /// Monthly samples 2024-01 … 2025-12 per source. Non-detects are written the ways labs write
    /// them ("0.001L", "<0.00004", "未检出", "ND"); ZS02's July 2025 sample exceeds the Cd limit.
    mutating func waterSamplesCSV() -> String {
        let header = ["样品编号", "水源编码", "采样日期", "pH", "氯化物(mg/L)", "全盐量(mg/L)", "电导率(μS/cm)", "总镉(mg/L)",
                      "总汞(mg/L)", "总砷(mg/L)", "总铅(mg/L)", "六价铬(mg/L)", "总铜(mg/L)", "总锌(mg/L)", "总镍(mg/L)",
                      "BOD5(mg/L)", "CODCr(mg/L)", "悬浮物(mg/L)", "粪大肠菌群(MPN/L)", "蛔虫卵(个/10L)",
                      // GB/T 18920 items, measured for ZS01, which also serves municipal use (issue #27).
                      "浊度(NTU)", "色度(度)", "氨氮(mg/L)", "阴离子表面活性剂(mg/L)", "铁(mg/L)", "锰(mg/L)", "溶解性总固体(mg/L)",
                      "溶解氧(mg/L)", "总氯(mg/L)", "大肠埃希氏菌(MPN/100mL)"]
        var lines = [header.joined(separator: ",")]
        var number = 0
        // The municipal items from a generator of their own: the story's other values stay as they were.
        var municipal = SplitMix64(seed: 0x18920)
        for source in sources {
            for year in 2024...2025 {
                for month in 1...12 {
                    number += 1
                    let salt = random.uniform(700, 950)
                    var cd = random.uniform(0, 1) < 0.6 ? "0.001L" : fixed(random.uniform(0.001, 0.004), 4)
                    if source.id == "ZS02" && year == 2025 && month == 7 { cd = "0.018" }  // the exceedance
                    let hgChoices = ["<0.00004", "未检出", "0.00004L", fixed(random.uniform(0.00004, 0.0002), 5)]
                    let row = [
                        "W\(year)\(two(month))-\(source.id)", source.id, "\(year)/\(month)/\(5 + random.int(below: 20))",
                        fixed(random.uniform(7.2, 7.9), 2), fixed(chloride(source.id, random.uniform(180, 260)), 1), fixed(salt, 0),
                        fixed(salt * random.uniform(1.45, 1.6), 0), cd, hgChoices[random.int(below: hgChoices.count)],
                        fixed(random.uniform(0.002, 0.008), 4), random.uniform(0, 1) < 0.2 ? "ND" : fixed(random.uniform(0.01, 0.05), 3),
                        "0.004L", fixed(random.uniform(0.01, 0.05), 3), fixed(random.uniform(0.05, 0.2), 3),
                        fixed(random.uniform(0.005, 0.02), 3), fixed(bod5(source.id, random.uniform(6, 15)), 1), fixed(random.uniform(20, 45), 0),
                        fixed(random.uniform(5, 15), 0), String(fecalColiforms(source.id, 200 + random.int(below: 4800))), "未检出",
                    ] + (source.id == "ZS01" ? [
                        fixed(municipal.uniform(1, 3), 1), fixed(municipal.uniform(5, 12), 0), fixed(municipal.uniform(0.5, 3), 2),
                        fixed(municipal.uniform(0.05, 0.3), 2), fixed(municipal.uniform(0.05, 0.2), 2), fixed(municipal.uniform(0.02, 0.08), 3),
                        // Chlorine dosed to 1.0 mg/L: GB/T 18920 wants ≥ 1.0 at the outlet, GB 20922 ≤ 1.0 for
                        // paddy and vegetables; a multi-use outlet must meet both.
                        // E. coli not detected, the lab stating its method's limit (2 MPN/100 mL).
                        fixed(salt, 0), fixed(municipal.uniform(3, 6), 1), "1.0", "<2",
                    ] : Array(repeating: "", count: 10))
                    lines.append(row.joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ZS01's advanced treatment keeps BOD5 within GB/T 18920's 10 mg/L; the others as drawn.
    func bod5(_ source: String, _ drawn: Double) -> Double { source == "ZS01" ? 4 + (drawn - 6) / 2 : drawn }

    /// ZS01 also waters green space (城市绿化), where GB/T 25499 caps chloride at 250 mg/L: its
    /// water runs a little fresher than the others' (165–237 mg/L).
    func chloride(_ source: String, _ drawn: Double) -> Double { source == "ZS01" ? 165 + (drawn - 180) * 0.9 : drawn }

    /// ZS01 disinfects (chlorine 1.0 mg/L), so its fecal coliforms stay under GB/T 25499's
    /// 200 个/L for public green space; the others as drawn.
    func fecalColiforms(_ source: String, _ drawn: Int) -> Int { source == "ZS01" ? drawn / 40 : drawn }

    // MARK: - Produce samples (农产品, GB 2762)

    /// Harvest samples of 2025: maize from parcels along the old sewage channel, where the soil's
    /// cadmium is high (one above GB 2762's 0.1 mg/kg), and clean maize, potato and tomato
    /// samples elsewhere, one tomato's lead not detected.
    func produceSamplesCSV() -> String {
        var lines = ["sample_id,parcel_id,crop,date,Cd (mg/kg),Pb (mg/kg),As (mg/kg)"]
        var near = 0, far = 0, potato = false, tomato = false
        for parcel in grid.parcels {
            guard let centre = parcel.centre else { continue }
            let nearChannel = distanceToChannel(centre) < 120
            switch parcel.crop {
            case "玉米" where nearChannel && near < 2:
                near += 1
                lines.append("N\(near),\(parcel.code),玉米,2025-09-\(18 + near),\(near == 1 ? "0.16" : "0.09"),0.06,0.08")
            case "玉米" where !nearChannel && far < 2 && parcel.index % 50 == 3:
                far += 1
                lines.append("F\(far),\(parcel.code),玉米,2025-09-22,0.02,0.04,0.05")
            case "马铃薯" where !potato && parcel.index % 10 == 1:
                potato = true
                lines.append("F3,\(parcel.code),马铃薯,2025-09-25,0.03,0.05,0.04")
            case "番茄" where !tomato:
                tomato = true
                lines.append("F4,\(parcel.code),番茄,2025-08-12,0.01,<0.01,0.02")
            default: continue
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Soil samples (GPS lon/lat)

    /// The old sewage channel: a straight ditch from the south-west to the north-east third.
    var channel: (Position, Position) { (point(0.10, 0.15), point(0.70, 0.85)) }

    func distanceToChannel(_ p: Position) -> Double {
        let (a, b) = channel
        let dx = b.x - a.x, dy = b.y - a.y
        let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)))
        let cx = a.x + t * dx, cy = a.y + t * dy
        return ((p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy)).squareRoot()
    }

    /// About one sample per 20 parcels at parcel centres (none in the unsurveyed north-west
    /// corner), plus a transect along the channel.
    mutating func soilSamplesCSV() -> String {
        var lines = ["sample_id,lon,lat,date,depth_cm,pH,Cd_mg_kg,Hg_mg_kg,As_mg_kg,Pb_mg_kg,Cr_mg_kg,Cu_mg_kg,Ni_mg_kg,Zn_mg_kg,salt_g_kg,texture"]
        var sites: [Position] = []
        // The north-west corner has not been surveyed yet: its parcels have no soil data.
        let (originX, originY, width, height) = (grid.originX, grid.originY, self.width, self.height)
        let surveyed = { (p: Position) in !((p.x - originX) / width < 0.22 && (p.y - originY) / height > 0.70) }
        for parcel in grid.parcels where parcel.index % 20 == 7 { if let c = parcel.centre, surveyed(c) { sites.append(c) } }
        for k in 0..<max(4, grid.parcelCount / 250) {  // transect along the channel
            let t = (Double(k) + 0.5) / Double(max(4, grid.parcelCount / 250))
            let (a, b) = channel
            sites.append(Position(x: a.x + t * (b.x - a.x) + random.uniform(-40, 40), y: a.y + t * (b.y - a.y) + random.uniform(-40, 40)))
        }
        for (index, site) in sites.enumerated() {
            let ll = lonLat(site)
            let nearChannel = distanceToChannel(site) < 180
            let cd = nearChannel ? random.uniform(0.45, 0.95) : random.uniform(0.10, 0.22)
            let hg = random.uniform(0, 1) < 0.15 ? "<0.002" : fixed(random.uniform(0.02, 0.06), 3)
            let row = [
                "S\(String(format: "%04d", index + 1))", fixed(ll.lon, 6), fixed(ll.lat, 6), "2025-\(two(4 + index % 2))-\(two(10 + index % 15))",
                "0-20", fixed(random.uniform(7.7, 8.4), 2), fixed(cd, 3), hg, fixed(random.uniform(8, 14), 1),
                fixed(random.uniform(15, 25) + (nearChannel ? 10 : 0), 1), fixed(random.uniform(50, 70), 1),
                fixed(random.uniform(18, 28), 1), fixed(random.uniform(25, 33), 1), fixed(random.uniform(55, 80) + (nearChannel ? 30 : 0), 1),
                fixed(random.uniform(0.8, 1.8), 2), random.uniform(0, 1) < 0.6 ? "壤土" : "砂壤土",
            ]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Wells (long table, x/y in the parcels' CRS)

    /// About one well per 500 parcels (at least 8), read quarterly 2021–2025. GW03, downstream of
    /// the ZS02 command area, shows chloride rising from ~110 to ~265 mg/L (past GB/T 14848
    /// Class III, 250); GW06 has a shallow water table (2–3 m).
    mutating func wellsCSV() -> String {
        var lines = ["well_id,x,y,date,depth_to_water_m,parameter,value,unit"]
        let count = max(8, grid.parcelCount / 500)
        for w in 0..<count {
            let id = "GW\(two(w + 1))"
            let site = w == 2 ? point(0.50, 0.80) : point(random.uniform(0.05, 0.95), random.uniform(0.05, 0.95))
            let baseChloride = random.uniform(60, 140)
            let baseDepth = w == 5 ? 2.2 : random.uniform(8, 25)
            for year in 2021...2025 {
                for quarter in 0..<4 {
                    let step = Double((year - 2021) * 4 + quarter)
                    let date = "\(year)-\(two(quarter * 3 + 2))-15"
                    let depth = fixed(baseDepth + random.uniform(-0.3, 0.6), 2)
                    let chloride = w == 2 ? 110 + step * 8 + random.uniform(-6, 6) : baseChloride + random.uniform(-8, 8)
                    let tds = chloride * random.uniform(3.2, 3.6) + 150
                    let nitrate = random.uniform(2, 9)
                    for (parameter, value, unit) in [("氯化物", chloride, "mg/L"), ("溶解性总固体", tds, "mg/L"), ("硝酸盐氮", nitrate, "mg/L")] {
                        lines.append([id, fixed(site.x, 1), fixed(site.y, 1), date, depth, parameter, fixed(value, 2), unit].joined(separator: ","))
                    }
                }
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Irrigation records

    /// Metered volumes 2023–2025 for three parcels in four; the rest fall back to crop quotas.
    mutating func irrigationCSV() -> String {
        var lines = ["parcel_id,year,volume_m3"]
        for parcel in grid.parcels {
            guard let ring = parcel.ring, random.int(below: 4) != 0 else { continue }
            let areaMu = abs(Ring.signedArea(ring)) / AreaUnit.squareMetresPerMu
            let quota: Double = ["0201": 250, "0301": 150, "0404": 150][parcel.landUse] ?? 300  // m³/mu·yr
            for year in 2023...2025 {
                lines.append("\(parcel.code),\(year),\(fixed(areaMu * quota * random.uniform(0.8, 1.2), 0))")
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Exclusion area

    /// A drinking-water source protection zone (一级保护区): a 350 m circle around a well field
    /// in the north-east of the plain, as RFC 7946 GeoJSON.
    func protectionZoneGeoJSON() -> String {
        let centre = point(0.85, 0.80)
        var ring: [String] = []
        for k in 0...64 {
            let angle = Double(k % 64) / 64 * 2 * Double.pi
            let ll = lonLat(Position(x: centre.x + 350 * cos(angle), y: centre.y + 350 * sin(angle)))
            ring.append("[\(fixed(ll.lon, 7)),\(fixed(ll.lat, 7))]")
        }
        return """
        {"type": "FeatureCollection", "name": "protection_zone", "features": [
        {"type": "Feature", "properties": {"zone_id": "BH01", "name": "忻府区城北水源地一级保护区", "kind": "drinking_water_protection"},
         "geometry": {"type": "Polygon", "coordinates": [[\(ring.joined(separator: ","))]]}}
        ]}

        """
    }
}

func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
