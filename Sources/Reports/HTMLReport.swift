import Foundation
import IrrigationModel

/// `report.html`: one self-contained page (inline CSS, SVG and a few lines of script; no network).
public enum HTMLReport {
    public static let reviewRowLimit = 2000

    /// The report, section by section: map, headline figures, changes since the last run,
    /// irrigation methods, volume against targets, review
    /// list, source compliance, evidence, standards, data quality, provenance.
    public static func render(_ input: ReportInput) -> String {
        let l = ReportLabels(input.language)
        var h = "<!DOCTYPE html><html lang=\"\(input.language == .zh ? "zh-CN" : "en")\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>\(l["title"])</title><style>\(css)</style></head><body>"
        h += "<header><h1>\(l["title"])</h1><p>\(l["year"]): \(input.year.map(String.init) ?? "—") · \(l["generated"]): \(escapeHTML(input.generatedAt)) · irrizone \(escapeHTML(input.toolVersion))</p></header>"

        h += mapSection(input, labels: l) + headlineSection(input, labels: l) + sinceLastRunSection(input, labels: l)
        h += methodsSection(input, labels: l) + volumeSection(input, labels: l)
        h += reviewSection(input, labels: l)
        h += complianceSection(input, labels: l) + evidenceSection(input, labels: l) + standardsSection(input, labels: l)
        h += dataQualitySection(input, labels: l) + provenanceSection(input, labels: l)
        h += "<script>\(sortScript)</script></body></html>\n"
        return h
    }

    /// The zone map, its legend and how it was drawn.
    static func mapSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        let map = SVGMap(input: input)
        var h = ""
        h += "<section><h2>\(l["map"])</h2><div class=\"mapbox\">" + map.render(labels: l) + legend(l) + "</div>"
        let drawn = map.drawsParcels ? l["drawn_parcels"]
            : map.drawsPicture ? String(format: l["drawn_picture"], SVGMap.parcelLimit, SVGMap.outlineVertexLimit, SVGMap.dotLimit)
            : String(format: l["drawn_zones"], SVGMap.parcelLimit, SVGMap.dotLimit)
        h += "<p class=\"note\">\(l["crs_note"])\(escapeHTML(input.sourceCRS)). \(drawn).</p></section>"
        return h
    }

    /// Parcels and area by zone and crop class, review reasons, the shortest allowed irrigation years, and the sources failing.
    static func headlineSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        h += "<section><h2>\(l["headline"])</h2><div class=\"cards\">"
        // One pass over the parcels for every per-parcel aggregate (indices, not copies: a
        // parcel and its assessment are large values).
        let parcels = input.parcels, outcomes = input.outcomes
        var zoneCount: [Zone: Int] = [:], zoneArea: [Zone: Double] = [:]
        var classZoneCount: [CropClass: [Zone: Int]] = [:], classArea: [CropClass: Double] = [:]
        var reasonCounts: [FindingCode: Int] = [:]
        var shortest: Double? = nil, shortestAt: [Int] = []
        // Counted by case number first (a dictionary lookup per parcel and key took ≈ 0.3 s at 10⁶).
        let zoneCases = Zone.allCases, classCases = CropClass.allCases
        var counts = [Int](repeating: 0, count: zoneCases.count * classCases.count)
        // Areas summed per zone and per class in parcel order (as a sum per parcel would be).
        var areaByZone = [Double](repeating: 0, count: zoneCases.count), areaByClass = [Double](repeating: 0, count: classCases.count)
        for index in parcels.indices {
            let zoneIndex = zoneCases.firstIndex(of: outcomes[index].zone)!, classIndex = classCases.firstIndex(of: outcomes[index].cropClass)!
            counts[classIndex * zoneCases.count + zoneIndex] += 1
            let area = parcels[index].areaHectares
            areaByZone[zoneIndex] += area
            areaByClass[classIndex] += area
            for reason in outcomes[index].reviewReasons { reasonCounts[reason, default: 0] += 1 }
            if let years = outcomes[index].irrigationYearsLimit {
                if shortest == nil || years < shortest! { shortest = years; shortestAt = [index] } else if years == shortest! { shortestAt.append(index) }
            }
        }
        for (classIndex, cropClass) in classCases.enumerated() {
            for (zoneIndex, zone) in zoneCases.enumerated() {
                let cell = classIndex * zoneCases.count + zoneIndex
                guard counts[cell] > 0 else { continue }
                zoneCount[zone, default: 0] += counts[cell]
                zoneArea[zone] = areaByZone[zoneIndex]
                classZoneCount[cropClass, default: [:]][zone, default: 0] += counts[cell]
                classArea[cropClass] = areaByClass[classIndex]
            }
        }
        for zone in Zone.allCases {
            let area = zoneArea[zone] ?? 0
            h += "<div class=\"card \(zone.rawValue)\"><div class=\"big\">\(zoneCount[zone] ?? 0)</div><div>\(l[zone.rawValue])</div><div>\(number(area, 1)) ha · \(number(AreaUnit.mu(hectares: area), 0)) \(input.language == .zh ? "亩" : "mu")</div></div>"
        }
        h += "</div><h3>\(l["by_class"])</h3>" + table(id: "by-class", header: [l["crop_class"], l["suitable"], l["restricted"], l["prohibited"], l["parcels"], l["area_ha"], l["area_mu"]],
            rows: CropClass.allCases.compactMap { cropClass in
                guard let counts = classZoneCount[cropClass] else { return nil }
                let area = classArea[cropClass] ?? 0
                return [l[cropClass.rawValue]] + Zone.allCases.map { String(counts[$0] ?? 0) }
                    + [String(counts.values.reduce(0, +)), number(area, 2), number(AreaUnit.mu(hectares: area), 1)]
            })
        h += "<h3>\(l["review_by_reason"])</h3>" + table(id: "review-reasons", header: [l["reason"], l["parcels"]],
                                                          rows: reasonCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { [l[$0.key], String($0.value)] })
        if let shortest, let first = shortestAt.first {
            h += "<h3>\(l["shortest_years"])</h3><p><span class=\"big\">\(number(shortest, 1))</span> \(l["years"]) · \(l["element"]): \(escapeHTML(outcomes[first].limitingElement ?? "—")) · \(l["where"]) (\(shortestAt.count)): "
            h += shortestAt.prefix(20).map { escapeHTML(parcels[$0].id) }.joined(separator: ", ") + (shortestAt.count > 20 ? " …" : "") + "</p>"
        }
        h += "<h3>\(l["sources_failing"])</h3>"
        let failing = input.sources.filter { $0.effective.status == .fail }
        if failing.isEmpty { h += "<p>\(l["none"])</p>" }
        for source in failing {
            let inflows = source.effective.prohibitedInflows.map(\.rawValue).joined(separator: ", ")
            let reasons = (inflows.isEmpty ? [] : ["\(l[SourceStatusReason.prohibitedInflow]): \(inflows)"])
                + source.effective.failing.map { "\($0.parameter) \(failure($0)) \($0.limit.unit) (\($0.evidence.joined(separator: ", ")))" }
            h += "<p><b>\(escapeHTML(source.sourceID))</b> \(escapeHTML(source.source?.name ?? "")) — \(l["suspend"]): \(source.parcelIndices.count) \(l["parcels"]), \(number(source.areaServedHectares, 1)) ha. \(escapeHTML(reasons.joined(separator: "; ")))</p>"
        }
        h += "</section>"
        return h
    }

    /// 灌溉方式 by zone and crop class: the method most parcels should take, and the parcels whose
    /// method today is not allowed.
    static func methodsSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        guard let catalog = try? IrrigationMethodCatalog.bundled() else { return "" }
        struct Group: Hashable { var zone: Zone; var cropClass: CropClass }
        var parcels: [Group: Int] = [:], notAllowed: [Group: Int] = [:], recommended: [Group: [String: Int]] = [:]
        for outcome in input.outcomes {
            let group = Group(zone: outcome.zone, cropClass: outcome.cropClass)
            parcels[group, default: 0] += 1
            if outcome.methodNotAllowed { notAllowed[group, default: 0] += 1 }
            if let method = outcome.recommendedMethod { recommended[group, default: [:]][method, default: 0] += 1 }
        }
        func name(_ id: String) -> String {
            catalog.methods.first { $0.id == id }.map { l.language == .zh ? $0.zh : $0.en } ?? id
        }
        let rows = parcels.keys.sorted { ($0.zone, $0.cropClass.rawValue) < ($1.zone, $1.cropClass.rawValue) }.map { group -> [String] in
            let methods = (recommended[group] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return [l[group.zone.rawValue], l[group.cropClass.rawValue], String(parcels[group]!),
                    methods.map { "\(name($0.key)) \($0.value)" }.joined(separator: l.language == .zh ? "，" : ", "), String(notAllowed[group] ?? 0)]
        }
        return "<section><h2>\(l["methods"])</h2>" + table(id: "methods", header: [l["zone"], l["crop_class"], l["parcels"], l["method_recommended"],
                                                                                 l["method_not_allowed"]], rows: rows, sortable: true) + "</section>"
    }

    /// Reclaimed water used per administrative unit, against the targets.
    static func volumeSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        let volumes = input.volumeByAdminUnit()
        let total = volumes.reduce(0) { $0 + $1.cubicMetres } / 10_000
        h += "<section><h2>\(l["volume"])</h2>"
        h += table(id: "volume", header: [l["admin_unit"], l["volume_10k"]], rows: volumes.map { [$0.unit, number($0.cubicMetres / 10_000, 2)] } + [[l["total"], number(total, 2)]])
        if !input.targets.isEmpty {
            h += table(id: "targets", header: [l["target"], l["volume_10k"], l["status"]], rows: input.targets.map { t in
                ["\(t.year)" + (t.label.map { " \($0)" } ?? ""), number(t.volume10kM3, 0), total >= t.volume10kM3 ? l["met"] : l["not_met"]]
            })
        }
        h += barChart(volumes.map { ($0.unit, $0.cubicMetres / 10_000) } + [(l["total"], total)], targets: input.targets, labels: l) + "</section>"
        return h
    }

    /// The parcels under review (the first `reviewRowLimit`).
    static func reviewSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        h += "<section><h2>\(l["review_list"]) (\(input.reviewCount))</h2><p class=\"note\">\(l["sort_hint"])"
        h += input.reviewCount > reviewRowLimit ? String(format: l["review_cap"], reviewRowLimit) : ""
        h += "</p>" + table(id: "review", header: [l["parcel"], l["admin_unit"], l["crop"], l["zone"], l["reasons"], l["key_values"], l["evidence"]],
                            rows: Array(input.reviewRows.prefix(reviewRowLimit)), sortable: true)
        h += "</section>"
        return h
    }

    /// Each source's status per crop class, and its failing parameters.
    static func complianceSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        h += "<section><h2>\(l["compliance"])</h2>" + table(id: "compliance",
            header: ["", l["status"]] + CropClass.allCases.map { l[$0.rawValue] } + [l["uses"], l["failing_parameters"]],
            rows: input.sources.map { s in
                [s.sourceID, l[s.effective.status.rawValue]] + CropClass.allCases.map { l[s.perClass[$0]?.status.rawValue ?? "no_data"] }
                    + [useStatuses(s, labels: l)]
                    + [(s.effective.prohibitedInflows.map { "inflow \($0.rawValue)" } + s.effective.failing.map { "\($0.parameter) (\($0.evidence.joined(separator: ", ")))" }).joined(separator: "; ")]
            }, sortable: true) + "</section>"
        return h
    }

    /// Each use an outlet serves with its status by that use's standard (双辽: the strictest binds).
    static func useStatuses(_ source: SourceAssessment, labels l: ReportLabels) -> String {
        (source.source?.uses ?? []).map { use -> String in
            let status = use == .farmland ? (source.farmland ?? source.effective).status.rawValue
                : source.perUse[use.rawValue]?.status.rawValue ?? "not_judged"
            return "\(l["use_" + use.rawValue]) \(l[status])"
        }.joined(separator: l.language == .zh ? "；" : "; ")
    }

    /// The limits in effect, with their sources and confidence.
    static func standardsSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        let catalog = input.standards
        h += "<section><h2>\(l["standards"])</h2>"
        for o in catalog.overrides { h += "<p class=\"warn\">override: \(escapeHTML(o.name)) (\(escapeHTML(o.source)))</p>" }
        h += table(id: "standards", header: [l["standard"], l["parameter"], l["column"], l["limit"], l["unit"], l["confidence"], l["sources_cited"]],
                   rows: catalog.waterLimits.map { w in
                       [w.standard, w.parameter + (w.condition.map { " [\($0)]" } ?? ""), w.column,
                        [w.min.map { "≥ \(number($0, 4))" }, w.max.map { "≤ \(number($0, 4))" }].compactMap { $0 }.joined(separator: " "), w.unit,
                        w.isUnverified ? "M · \(l["unverified"])" : w.confidence, w.source]
                   }, sortable: true, markUnverified: true)
        h += "<p class=\"note\">\(escapeHTML(catalog.soilStandard.id)) (\(catalog.soilStandard.confidence)): \(escapeHTML(catalog.soilStandard.source)). \(escapeHTML(catalog.groundwater.id)) (\(catalog.groundwater.confidence)): \(escapeHTML(catalog.groundwater.source)).</p></section>"
        return h
    }

    /// Rows and features not assessed, data coverage, warnings.
    static func dataQualitySection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        h += "<section><h2>\(l["data_quality"])</h2><h3>\(l["rejected"])</h3>"
        h += table(id: "rejected", header: [l["file"], l["reason"], l["count"]], rows: input.rejected.map { [$0.file, RejectCode(rawValue: $0.code).map { l[$0] } ?? $0.code, String($0.count)] })
        if let c = input.coverage {
            h += "<h3>\(l["coverage"])</h3>" + table(id: "coverage", header: ["", l["parcels"]], rows: [
                [l["soil_measured"], String(c.soilMeasured)], [l["soil_estimated"], String(c.soilEstimated)], [l["soil_none"], String(c.soilNone)],
                [l["with_well"], String(c.withWell)],
            ])
        }
        if !input.warnings.isEmpty { h += "<h3>\(l["warnings"])</h3><ul>" + input.warnings.map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>" }
        h += "</section>"
        return h
    }

    /// The inputs with their SHA-256, and the model's parameters.
    static func provenanceSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = ""
        h += "<section><h2>\(l["provenance"])</h2>" + table(id: "inputs", header: [l["inputs"], "role", l["size"], "SHA-256"],
            rows: input.inputs.map { [$0.path, $0.role, String($0.sizeBytes), $0.sha256] })
        h += "<h3>\(l["model"])</h3>" + table(id: "parameters", header: ["", ""], rows: input.parameters.map { [$0.0, $0.1] }) + "</section>"
        return h
    }


    /// A row of the review list: parcel, unit, crop, zone, reasons, key values, evidence.
    public static func reviewRow(parcel: borrowing Parcel, assessment a: ParcelAssessment, labels l: ReportLabels) -> [String] {
        let findings = a.review?.findings.filter(\.review) ?? []
        let values = findings.compactMap { f -> String? in
            guard let v = f.value else { return nil }
            return "\(f.parameter ?? f.code.rawValue) \(number(v, 4))" + (f.threshold.map { " / \(number($0, 4))" } ?? "") + " \(f.unit ?? "")"
        }
        return [parcel.id, parcel.adminUnit ?? "", parcel.crop ?? "", l[a.zone.rawValue], (a.review?.reviewReasons ?? []).map { l[$0] }.joined(separator: l.language == .zh ? "；" : "; "),
                values.joined(separator: "; "), Array(Set(findings.flatMap(\.evidence))).sorted().joined(separator: " ")]
    }

    static func legend(_ l: ReportLabels) -> String {
        var s = "<ul class=\"legend\">"
        for zone in Zone.allCases { s += "<li><span class=\"sw\" style=\"background:\(SVGMap.zoneColours[zone]!)\"></span>\(l[zone.rawValue])</li>" }
        s += "<li><span class=\"sw outline\"></span>\(l["review_outline"])</li>"
        s += "<li><span class=\"sw hatch\"></span>\(l["exclusion"])</li>"
        s += "<li><span class=\"tri\">▲</span>\(l["source"]) (<span style=\"color:#b71c1c\">▲</span> \(l["source_failing"]))</li>"
        s += "<li><span class=\"dot\">●</span>\(l["well"])</li></ul>"
        return s
    }

    static func barChart(_ bars: [(String, Double)], targets: [ReportInput.Target], labels l: ReportLabels) -> String {
        let maxValue = max(bars.map(\.1).max() ?? 1, targets.map(\.volume10kM3).max() ?? 0, 1)
        let rowHeight = 26.0, left = 160.0, width = 760.0
        let height = Double(bars.count) * rowHeight + 30
        var s = "<svg class=\"bars\" viewBox=\"0 0 \(left + width + 80) \(height)\" role=\"img\" aria-label=\"\(l["volume"])\">"
        for (index, (name, value)) in bars.enumerated() {
            let y = Double(index) * rowHeight + 4
            s += "<text x=\"\(left - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"13\">\(escapeHTML(name))</text>"
            s += "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(String(format: "%.1f", value / maxValue * width))\" height=\"18\" fill=\"#1e88e5\"/>"
            s += "<text x=\"\(left + value / maxValue * width + 4)\" y=\"\(y + 14)\" font-size=\"12\">\(number(value, 1))</text>"
        }
        for target in targets {
            let x = left + target.volume10kM3 / maxValue * width
            s += "<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"\(height - 20)\" stroke=\"#d32f2f\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(x)\" y=\"\(height - 6)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#d32f2f\">\(l["target"]) \(target.year): \(number(target.volume10kM3, 0))</text>"
        }
        return s + "</svg>"
    }

    /// A failing item against the bound it broke: "0.018 > 0.01", or "0.5 < 1" for a minimum.
    static func failure(_ verdict: ParameterVerdict) -> String {
        if let max = verdict.limit.max, verdict.statisticLow > max { return "\(number(verdict.statisticHigh, 4)) > \(number(max, 4))" }
        if let min = verdict.limit.min, verdict.statisticHigh < min { return "\(number(verdict.statisticHigh, 4)) < \(number(min, 4))" }
        return number(verdict.statisticHigh, 4)
    }

    /// What the verdicts rest on (issue #22): per source, the required items measured in the
    /// year and how many samples; how many parcels rest on estimated or incomplete evidence;
    /// the units assumed for columns that gave none.
    static func evidenceSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        var h = "<section><h2>\(l["evidence_title"])</h2>"
        let required = input.standards.requiredWater
        h += table(id: "evidence", header: ["", l["samples_in_year"], l["required_measured"], l["required_missing"]], rows: input.sources.map { s in
            let missing = s.effective.missingParameters
            return [s.sourceID, String(s.effective.samplesInYear), required.filter { !missing.contains($0) }.joined(separator: ", "),
                    missing.isEmpty ? l["none"] : missing.joined(separator: ", ")]
        })
        var soilIncomplete = 0, sourceIncomplete = 0
        for outcome in input.outcomes {
            if outcome.reviewReasons.contains(.soilIncomplete) { soilIncomplete += 1 }
            if outcome.reviewReasons.contains(.sourceIncomplete) { sourceIncomplete += 1 }
        }
        var rows = [[l[FindingCode.sourceIncomplete], String(sourceIncomplete)], [l[FindingCode.soilIncomplete], String(soilIncomplete)]]
        if let c = input.coverage { rows.insert([l["soil_estimated"], String(c.soilEstimated)], at: 0) }
        h += table(id: "evidence-parcels", header: ["", l["parcels"]], rows: rows)
        h += "<p class=\"note\">\(l["assumed_units"]): " + (input.assumedUnits.isEmpty ? l["none"] : escapeHTML(input.assumedUnits.joined(separator: "; "))) + "</p>"
        return h + "</section>"
    }

    static func table(id: String, header: [String], rows: [[String]], sortable: Bool = false, markUnverified: Bool = false) -> String {
        var s = "<table id=\"\(id)\"\(sortable ? " class=\"sortable\"" : "")><thead><tr>" + header.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            let unverified = markUnverified && row.contains { $0.hasPrefix("M ·") }
            s += "<tr\(unverified ? " class=\"unverified\"" : "")>" + row.map { "<td>\(escapeHTML($0))</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table>"
    }

    static func number(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    static let css = """
    body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#212121}
    header{border-bottom:3px solid #2e7d32;margin-bottom:8px}h1{font-size:24px;margin:16px 0 4px}h2{font-size:19px;border-left:5px solid #2e7d32;padding-left:8px;margin-top:28px}
    h3{font-size:15px;margin:16px 0 6px}.note{color:#616161;font-size:13px}.warn{color:#b71c1c}
    .mapbox{position:relative}.map{width:100%;height:auto;border:1px solid #bdbdbd}
    .legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px;font-size:13px}.legend li{display:flex;align-items:center;gap:5px}
    .sw{display:inline-block;width:16px;height:12px;border:1px solid #757575}.sw.outline{border:2px solid #1a237e;background:none}
    .sw.hatch{background:repeating-linear-gradient(45deg,#1565c0 0 2px,transparent 2px 6px)}.tri{color:#6a1b9a}.dot{color:#00838f}
    .cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1;min-width:180px;border-radius:6px;padding:10px 14px;color:#fff}
    .card.suitable{background:#43a047}.card.restricted{background:#f9a825}.card.prohibited{background:#e53935}.big{font-size:28px;font-weight:bold}
    table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0}th,td{border:1px solid #e0e0e0;padding:3px 6px;text-align:left;vertical-align:top}
    th{background:#eeeeee}table.sortable th{cursor:pointer}tr.unverified td:nth-child(6){color:#b71c1c;font-weight:bold}.bars{width:100%;height:auto}
    """

    /// Sorts a table by the clicked column (numbers numerically). No external script.
    static let sortScript = """
    document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
    var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
    rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent,p=parseFloat(x),q=parseFloat(y);
    var c=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return asc?c:-c;});rows.forEach(function(r){tb.appendChild(r);});});});
    """
}
