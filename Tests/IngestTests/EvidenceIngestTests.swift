import Foundation
import TestSupport
import Testing
import GeoKit
import IrrigationModel
@testable import Ingest
import PlanarGeometry

/// Issue #22 at ingest: unit-less columns read in the table's canonical unit (announced, and
/// refused when implausible), nitrogen species never confused.
@Suite struct EvidenceIngestTests {
    static func parameter(_ id: String) -> Parameter { ParameterCatalog.parameter(id: id)! }

    static func ingest(_ options: MonitoringOptions) throws -> MonitoringData { try MonitoringFixtures.ingest(options) }

    @Test func aUnitLessSoilSheetIsReadInMilligramsPerKilogramAndSaysSo() throws {
        let path = try MonitoringFixtures.write("""
            sample_id,lon,lat,pH,Cd,Hg,As,Pb
            S1,112.70,38.40,8.0,4.5,0.05,12,25
            S2,112.71,38.40,7.8,0.2,0.04,10,22
            """, "unitless_soil.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [TableInputOptions(path: path)]))
        #expect(data.rejects.isEmpty)
        #expect(data.soilSamples[0].measurements[Self.parameter("cd")] == .value(4.5))
        #expect(data.reports[0].assumedUnits == ["Cd: mg/kg", "Hg: mg/kg", "As: mg/kg", "Pb: mg/kg"])
        #expect(data.assumptionWarnings.count == 1 && data.assumptionWarnings[0].contains("Cd: mg/kg"))
        #expect(data.assumedUnits.first == "unitless_soil.csv: Cd → mg/kg")
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func anImplausibleColumnIsRefusedWholeNamingTheLikelyUnit() throws {
        let path = try MonitoringFixtures.write("""
            sample_id,lon,lat,Cd,Zn
            S1,112.70,38.40,0.2,70000
            S2,112.71,38.40,0.3,82000
            S3,112.72,38.40,0.1,65000
            """, "zinc_in_ug.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [TableInputOptions(path: path)]))
        let reject = try #require(data.rejects.first { $0.code.rawValue == "UNIT_IMPLAUSIBLE" })
        #expect(reject.field == "Zn" && reject.reason.contains("µg/kg") && reject.reason.contains("units: {zn: µg/kg}"))
        #expect(data.soilSamples.allSatisfy { $0.measurements[Self.parameter("zn")] == nil && $0.measurements[Self.parameter("cd")] != nil })
        #expect(data.reports[0].valuesRejected == 3)
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func strictUnitsKeepRejectingUnitLessColumns() throws {
        let path = try MonitoringFixtures.write("sample_id,lon,lat,Cd\nS1,112.70,38.40,0.2\n", "strict.csv")
        var options = TableInputOptions(path: path)
        options.unitPolicy = .strict
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [options]))
        #expect(data.rejects.map(\.code.rawValue) == ["UNIT_MISSING", "NO_MEASUREMENTS"])  // the row had nothing else
        #expect(data.reports[0].assumedUnits.isEmpty)
    }

    @Test func aUnitLessWellsSheetIsUsed() throws {
        let path = try MonitoringFixtures.write("""
            well_id,x,y,date,chloride,TDS
            GW1,385435.2,4251620.4,2025-05-01,180,900
            GW1,385435.2,4251620.4,2025-08-01,190,950
            """, "unitless_wells.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: path)]))
        #expect(data.wellReadings.count == 2 && data.rejects.isEmpty)
        #expect(data.wellReadings[1].measurements[Self.parameter("tds")] == .value(950))
        #expect(data.reports[0].assumedUnits == ["chloride: mg/L", "TDS: mg/L"])
    }

    /// Long tables: a blank unit cell takes the canonical unit; implausible values are refused.
    @Test func longTablesAssumeUnitsPerParameter() throws {
        let path = try MonitoringFixtures.write("""
            well_id,x,y,date,parameter,value,unit
            GW1,385435.2,4251620.4,2025-05-01,氯化物,180,
            GW1,385435.2,4251620.4,2025-05-01,电导率,1250,
            GW1,385435.2,4251620.4,2025-05-01,镉,0.2,ug/L
            """, "long_wells.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: path)]))
        #expect(data.wellReadings[0].measurements[Self.parameter("chloride")] == .value(180))
        #expect(data.wellReadings[0].measurements[Self.parameter("ec")] == nil)
        #expect(data.rejects.contains { $0.code.rawValue == "UNIT_IMPLAUSIBLE" && $0.reason.contains("µS/cm") })
        #expect(data.reports[0].assumedUnits == ["chloride: mg/L"])
        MonitoringFixtures.expectBalanced(data)
    }

    @Test func nitrateAsTheIonIsConvertedAndAsNitrogenIsNot() throws {
        let path = try MonitoringFixtures.write("""
            well_id,x,y,date,NO3 (mg/L),硝酸盐氮(mg/L)
            GW1,385435.2,4251620.4,2025-05-01,50,
            GW2,385535.2,4251620.4,2025-05-01,,25
            """, "nitrate_species.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: path)]))
        let nitrateN = Self.parameter("nitrate_n")
        let gw1 = try #require(data.wellReadings.first { $0.wellID == "GW1" }?.measurements[nitrateN]?.number)
        #expect(abs(gw1 - 50 * 14.0067 / 62.0049) < 1e-9)
        #expect(data.wellReadings.first { $0.wellID == "GW2" }?.measurements[nitrateN] == .value(25))
        #expect(data.reports[0].unitConversions.contains { $0.hasPrefix("NO₃⁻ → NO₃-N") })
    }

    @Test func anAmbiguousNitrateIsDecidedByConventionOrRefused() throws {
        let wells = try MonitoringFixtures.write("well_id,x,y,date,硝酸盐(mg/L)\nGW1,385435.2,4251620.4,2025-05-01,25\n", "wells_nitrate.csv")
        let asGroundwater = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: wells)]))
        #expect(asGroundwater.wellReadings[0].measurements[Self.parameter("nitrate_n")] == .value(25))
        #expect(asGroundwater.reports[0].speciesDecisions.first?.contains("GB/T 14848") == true)

        var asIon = TableInputOptions(path: wells)
        asIon.nitrogenSpecies = .asIon
        let converted = try #require(try MonitoringFixtures.ingest(MonitoringOptions(wells: [asIon])).wellReadings[0].measurements[Self.parameter("nitrate_n")]?.number)
        #expect(abs(converted - 25 * 14.0067 / 62.0049) < 1e-9)

        let water = try MonitoringFixtures.write("source_id,date,nitrate\nZS01,2025-05-01,25\n", "water_nitrate.csv")
        let refused = try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: water)]))
        let reject = try #require(refused.rejects.first)
        #expect(reject.code.rawValue == "SPECIES_AMBIGUOUS" && reject.field == "nitrate" && reject.reason.contains("species: as_n"))
        #expect(refused.waterSamples.allSatisfy { $0.measurements.isEmpty })

        let unitSays = try MonitoringFixtures.write("source_id,date,Nitrate (mg/l as N)\nZS01,2025-05-01,5\n", "water_nitrate_as_n.csv")
        let decided = try MonitoringFixtures.ingest(MonitoringOptions(water: [TableInputOptions(path: unitSays)]))
        #expect(decided.waterSamples[0].measurements[Self.parameter("nitrate_n")] == .value(5) && decided.rejects.isEmpty)
    }

    /// Kwale County: no units anywhere but a data dictionary. Ions are read in mg/L (announced);
    /// conductivity, in µS/cm, is implausible as dS/m and refused with the fix; NO3 is the ion.
    @Test func kwaleWithoutUnitsIsReadWithTheAssumptionsSaid() throws {
        let data = try MonitoringFixtures.ingest(MonitoringOptions(wells: [TableInputOptions(path: realData + "/kwale_groundwater/water_samples.csv", crs: "EPSG:32737")]))
        let report = data.reports[0]
        #expect(report.assumedUnits.contains("Cl: mg/L"))
        let conductivity = try #require(data.rejects.first { $0.field == "conductivity" })
        #expect(conductivity.code.rawValue == "UNIT_IMPLAUSIBLE" && conductivity.reason.contains("µS/cm"))
        #expect(report.unitConversions.contains { $0.hasPrefix("NO₃⁻ → NO₃-N") })
        MonitoringFixtures.expectBalanced(data)
    }
}

/// Issue #23: a damaged table stops the run; it never reads as a smaller one.
@Suite struct DamagedTableTests {
    @Test func anUnclosedQuoteStopsTheRunNamingItsLine() throws {
        var text = "sample_id,lon,lat,Cd (mg/kg),remark\n"
        for row in 1...20 { text += "S\(row),112.70,38.40,0.2,\(row == 5 ? "\"field note" : "ok")\n" }
        let path = try MonitoringFixtures.write(text, "unclosed.csv")
        #expect(throws: TableError.unterminatedQuote(file: path, line: 6)) {
            try MonitoringFixtures.ingest(MonitoringOptions(soil: [TableInputOptions(path: path)]))
        }
    }

    @Test func aQuoteInsideAFieldIsACharacter() throws {
        let path = try MonitoringFixtures.write("sample_id,lon,lat,Cd (mg/kg),remark\nS1,112.70,38.40,0.2,pipe 2\" wide\nS2,112.71,38.40,0.3,\"a, b\"\n", "inch.csv")
        let data = try MonitoringFixtures.ingest(MonitoringOptions(soil: [TableInputOptions(path: path)]))
        #expect(data.soilSamples.count == 2 && data.reports[0].rowsRead == 2)
    }
}

/// Issue #23: distances across ±180° go the shorter way round.
@Suite struct AntimeridianTests {
    @Test func aPointIsMeasuredTheShorterWayRound() {
        let newZealand = BoundingBox(minX: 166.4, minY: -47.3, maxX: 178.6, maxY: -34.4)
        let britishColumbia = Position(x: -123.1, y: 49.3)
        let far = MonitoringReader.distanceOutside(britishColumbia, newZealand)
        #expect(far > 9_000_000 && far < 20_000_000)  // was 23 421 730 m: more than half the earth
        let acrossTheLine = MonitoringReader.distanceOutside(Position(x: -179.9, y: -40), newZealand)
        #expect(acrossTheLine < 200_000)  // 1.5° of longitude at 40° S
        #expect(MonitoringReader.distanceOutside(Position(x: 170, y: -40), newZealand) == 0)
    }
}
