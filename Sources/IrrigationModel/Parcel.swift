import PlanarGeometry
/// One accepted parcel: identity, the attributes the rules use, and its shape in WGS84.
///
/// A run holds one for every feature, so the texts and references come first, the soil pH is
/// kept as NaN for none, and the flags come last (184 bytes; an order by meaning pads to more).
public struct Parcel: Sendable {
    /// The parcel id from the mapped field, else the feature id.
    public var id: String
    public var crop: String?
    public var landUseCode: String?
    public var landUseName: String?
    public var sourceID: String?
    public var adminUnit: String?
    /// Today's irrigation method as the layer names it (`ParcelField.irrigationMethod`).
    public var irrigationMethod: String? = nil
    /// Every input attribute except the geometry, in input order, for pass-through.
    public var attributes: AttributeRecord
    private var packedGeometry: PackedMultiPolygon
    /// Ellipsoidal area on the source CRS's ellipsoid.
    public var areaSquareMetres: Double
    private var storedSoilPH: Double
    /// The feature id in the source layer, for messages that point back into the file.
    public var featureID: Int64?
    /// True when the input geometry was invalid and GEOS make-valid repaired it.
    public var geometryRepaired: Bool
    /// True when `sourceID` came from a service area, not the parcel's own field.
    public var sourceFromServiceArea = false

    public var soilPH: Double? {
        get { storedSoilPH.isNaN ? nil : storedSoilPH }
        set { storedSoilPH = newValue ?? .nan }
    }

    /// WGS84 longitude/latitude, as written to GeoJSON. Kept packed (`PackedMultiPolygon`: a run
    /// holds every parcel's shape) and unpacked where it is used.
    public var geometry: MultiPolygon {
        get { packedGeometry.multiPolygon }
        set { packedGeometry = PackedMultiPolygon(newValue) }
    }

    /// `geometry.bounds`, without unpacking the shape.
    public var bounds: BoundingBox? { packedGeometry.bounds }

    public init(id: String, featureID: Int64?, crop: String?, landUseCode: String?, landUseName: String?,
                soilPH: Double?, sourceID: String?, adminUnit: String?, attributes: AttributeRecord,
                geometry: MultiPolygon, areaSquareMetres: Double, geometryRepaired: Bool) {
        self.id = id; self.featureID = featureID; self.crop = crop; self.landUseCode = landUseCode
        self.landUseName = landUseName; self.storedSoilPH = soilPH ?? .nan; self.sourceID = sourceID; self.adminUnit = adminUnit
        self.attributes = attributes; self.packedGeometry = PackedMultiPolygon(geometry); self.areaSquareMetres = areaSquareMetres
        self.geometryRepaired = geometryRepaired
    }

    public var areaHectares: Double { AreaUnit.hectares(squareMetres: areaSquareMetres) }
    public var areaMu: Double { AreaUnit.mu(squareMetres: areaSquareMetres) }
}

/// An input row or feature that did not enter the assessment, and why (DESIGN.md §7).
public struct Reject: Sendable, Hashable, Codable {
    /// The input file as the user named it.
    public var file: String
    /// "feature 12", "row 7": where in the file.
    public var location: String
    /// The field at fault, or "geometry"; empty when the whole record is at fault.
    public var field: String
    /// Why, for machines (`RejectCode`: its raw value is written).
    public var code: RejectCode
    /// What was wrong and what was expected, for people.
    public var reason: String

    public init(file: String, location: String, field: String, code: RejectCode, reason: String) {
        self.file = file; self.location = location; self.field = field; self.code = code; self.reason = reason
    }
}
