import Foundation
import Testing
@testable import Pipeline

/// The project file speaks GDAL (issue #25).
@Suite struct ProjectFileGDALTests {
    /// The project file keeps a connection string as written, reads open options as a mapping
    /// (YAML's YES included) or a list, and takes `where` and `gdal_config`.
    @Test func theProjectFileSpeaksGDAL() throws {
        let text = """
        parcels:
          path: "PG:service=survey"
          layer: dltb
          open_options: {LIST_ALL_TABLES: YES, SCHEMAS: public}
          where: "DLMC = '水浇地'"
        water:
          - path: water.xlsx
            open_options: ["HEADERS=FORCE"]
            where: "qc = 'ok'"
        gdal_config: {PG_USE_COPY: NO, GDAL_CACHEMAX: 256}
        """
        let project = try ProjectFile.load(text: text, path: "/data/season/project.yaml")
        #expect(project.parcels.path == "PG:service=survey")
        #expect(project.parcels.openOptions == ["LIST_ALL_TABLES=YES", "SCHEMAS=public"])
        #expect(project.parcels.attributeFilter == "DLMC = '水浇地'")
        #expect(project.water.first?.path == "/data/season/water.xlsx")
        #expect(project.water.first?.openOptions == ["HEADERS=FORCE"] && project.water.first?.attributeFilter == "qc = 'ok'")
        #expect(project.gdalConfig == ["PG_USE_COPY": "NO", "GDAL_CACHEMAX": "256"])
        #expect(ProjectFile.isDataSourceName("PG:dbname=x") && ProjectFile.isDataSourceName("https://example.org/a.geojson"))
        #expect(!ProjectFile.isDataSourceName("C:/data/parcels.shp") && !ProjectFile.isDataSourceName("parcels.shp"))
        #expect(throws: ProjectFile.LoadError.self) { try ProjectFile.load(text: "parcels: {path: a.shp, open_options: [NOEQUALS]}", path: "/p.yaml") }
    }

    /// Exclusion layers and service areas, the other OGR inputs, take the same keys.
    @Test func exclusionsAndServiceAreasTakeOpenOptionsAndWhere() throws {
        let text = """
        parcels: {path: parcels.shp}
        exclusions:
          - {path: zones.gpkg, layer: protection, where: "grade = 1", open_options: [LIST_ALL_TABLES=NO]}
        service_areas: {path: "PG:service=water", layer: areas, where: "active"}
        """
        let project = try ProjectFile.load(text: text, path: "/p/project.yaml")
        #expect(project.rules.exclusions.first?.attributeFilter == "grade = 1" && project.rules.exclusions.first?.openOptions == ["LIST_ALL_TABLES=NO"])
        #expect(project.serviceAreas?.path == "PG:service=water" && project.serviceAreas?.layer == "areas" && project.serviceAreas?.attributeFilter == "active")
        #expect(try ProjectFile.load(text: "parcels: {path: a.shp}\nservice_areas: areas.gpkg", path: "/p/project.yaml").serviceAreas?.path == "/p/areas.gpkg")
    }
}
