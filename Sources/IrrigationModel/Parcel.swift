import PlanarGeometry
import RunSupport
/// One accepted parcel: identity, the attributes the rules use, and its shape in WGS84.
///
/// A run holds one for every feature, so the role texts a layer repeats are one shared object
/// (`ParcelRoles`), the soil pH is kept as NaN for none and the feature id as `Int64.min`, and the
/// flags come last, after the id and shape (80 bytes).
public struct Parcel: Sendable {
    /// Crop, land use, source, unit and method: shared with the parcels that repeat them.
    public private(set) var roles: ParcelRoles
    /// Every input attribute except the geometry, in input order, for pass-through.
    public var attributes: AttributeRecord
    /// Ellipsoidal area on the source CRS's ellipsoid.
    public var areaSquareMetres: Double
    private var storedSoilPH: Double
    /// `featureID`, `Int64.min` for none (OGRNullFID is −1; a layer that gives `Int64.min` as
    /// an id has its feature named by its position instead): an optional took 16 bytes where
    /// this takes 8.
    private var storedFeatureID: Int64
    /// The id and the shape, in bytes shared with the parcels read with them
    /// (`ParcelIDAndShape.packTogether`). Before the flags, which fill its last bytes.
    public var idAndShape: ParcelIDAndShape
    /// True when the input geometry was invalid and GEOS make-valid repaired it.
    public var geometryRepaired: Bool
    /// True when `sourceID` came from a service area, not the parcel's own field.
    public var sourceFromServiceArea = false

    public var crop: String? { get { roles.texts.crop } set { setRole(\.crop, newValue) } }
    public var landUseCode: String? { get { roles.texts.landUseCode } set { setRole(\.landUseCode, newValue) } }
    public var landUseName: String? { get { roles.texts.landUseName } set { setRole(\.landUseName, newValue) } }
    public var sourceID: String? { get { roles.texts.sourceID } set { setRole(\.sourceID, newValue) } }
    public var adminUnit: String? { get { roles.texts.adminUnit } set { setRole(\.adminUnit, newValue) } }
    /// Today's irrigation method as the layer names it (`ParcelField.irrigationMethod`).
    public var irrigationMethod: String? { get { roles.texts.irrigationMethod } set { setRole(\.irrigationMethod, newValue) } }

    /// A role text changed for this parcel alone: the parcels that shared its texts keep theirs.
    private mutating func setRole(_ role: WritableKeyPath<ParcelRoles.Texts, String?>, _ text: String?) {
        roles = roles.changing { $0[keyPath: role] = text }
    }

    /// The feature id in the source layer, for messages that point back into the file.
    public var featureID: Int64? {
        get { storedFeatureID == .min ? nil : storedFeatureID }
        set { storedFeatureID = newValue ?? .min }
    }

    public var soilPH: Double? {
        get { storedSoilPH.isNaN ? nil : storedSoilPH }
        set { storedSoilPH = newValue ?? .nan }
    }

    /// The parcel id from the mapped field, else the feature id.
    public var id: String { idAndShape.id }

    /// WGS84 longitude/latitude, as written to GeoJSON. Kept packed (`ParcelIDAndShape`: a run
    /// holds every parcel's shape) and unpacked where it is used.
    public var geometry: MultiPolygon {
        get { idAndShape.shape }
        set { idAndShape = ParcelIDAndShape(id: id, shape: newValue) }
    }

    /// `geometry.bounds`, without unpacking the shape.
    public var bounds: BoundingBox? { idAndShape.bounds }

    public init(id: String, featureID: Int64?, crop: String?, landUseCode: String?, landUseName: String?,
                soilPH: Double?, sourceID: String?, adminUnit: String?, attributes: AttributeRecord,
                geometry: MultiPolygon, areaSquareMetres: Double, geometryRepaired: Bool) {
        self.init(id: id, featureID: featureID,
                  roles: ParcelRoles(.init(crop: crop, landUseCode: landUseCode, landUseName: landUseName, sourceID: sourceID, adminUnit: adminUnit)),
                  soilPH: soilPH, attributes: attributes, geometry: geometry, areaSquareMetres: areaSquareMetres, geometryRepaired: geometryRepaired)
    }

    /// A parcel whose role texts are `roles`, shared with other parcels.
    public init(id: String, featureID: Int64?, roles: ParcelRoles, soilPH: Double?, attributes: AttributeRecord,
                geometry: MultiPolygon, areaSquareMetres: Double, geometryRepaired: Bool) {
        self.init(idAndShape: ParcelIDAndShape(id: id, shape: geometry), featureID: featureID, roles: roles, soilPH: soilPH, attributes: attributes,
                  areaSquareMetres: areaSquareMetres, geometryRepaired: geometryRepaired)
    }

    /// A parcel whose id and shape are packed with others' (a layer's reader: `.unpacked` until
    /// its shape is made).
    public init(idAndShape: ParcelIDAndShape, featureID: Int64?, roles: ParcelRoles, soilPH: Double?, attributes: AttributeRecord,
                areaSquareMetres: Double, geometryRepaired: Bool) {
        self.idAndShape = idAndShape
        self.storedFeatureID = .min; self.roles = roles; self.storedSoilPH = soilPH ?? .nan
        self.attributes = attributes; self.areaSquareMetres = areaSquareMetres
        self.geometryRepaired = geometryRepaired
        self.featureID = featureID
    }

    public var areaHectares: Double { AreaUnit.hectares(squareMetres: areaSquareMetres) }
    public var areaMu: Double { AreaUnit.mu(squareMetres: areaSquareMetres) }
}

/// A parcel's role texts besides its id. The parcels of a village repeat their crop, land use,
/// source and unit, so a layer's reader hands one object to all parcels with the same texts
/// (`ParcelRoles.Sharing`), not six `String`s each (docs/scaling.md). Immutable: a parcel that
/// changes one gets a new object.
public final class ParcelRoles: Sendable {
    public struct Texts: Hashable, Sendable {
        public var crop, landUseCode, landUseName, sourceID, adminUnit: String?
        public var irrigationMethod: String? = nil

        public init(crop: String?, landUseCode: String?, landUseName: String?, sourceID: String?, adminUnit: String?, irrigationMethod: String? = nil) {
            self.crop = crop; self.landUseCode = landUseCode; self.landUseName = landUseName; self.sourceID = sourceID
            self.adminUnit = adminUnit; self.irrigationMethod = irrigationMethod
        }
    }

    public let texts: Texts

    public init(_ texts: Texts) { self.texts = texts }

    /// These texts with one change, as a new object (others share this one).
    func changing(_ change: (inout Texts) -> Void) -> ParcelRoles {
        var texts = texts
        change(&texts)
        return ParcelRoles(texts)
    }

    /// One object per distinct combination of texts, for a layer's parcels. The features before
    /// are usually of the same village, so the last combination is compared first.
    public struct Sharing {
        private var kept: SharedValues<Texts, ParcelRoles>
        /// Texts too long to be stored in a `String` itself (above 15 bytes: six Chinese
        /// characters), kept once for all combinations that hold them.
        private var longTexts: SharedValues<String, String>
        private var last: ParcelRoles?

        /// Past `limit` combinations or long texts (a field of distinct texts, an address),
        /// nothing more is kept: each parcel then gets objects of its own.
        public init(limit: Int = 65_536) {
            kept = SharedValues(limit: limit)
            longTexts = SharedValues(limit: limit)
        }

        public mutating func roles(for texts: Texts) -> ParcelRoles {
            if let last, last.texts == texts { return last }
            let roles = kept.value(for: texts) { texts in
                var shared = texts
                for text in [\Texts.crop, \.landUseCode, \.landUseName, \.sourceID, \.adminUnit, \.irrigationMethod] {
                    if let long = shared[keyPath: text], long.utf8.count > 15 { shared[keyPath: text] = longTexts.shared(long) }
                }
                return ParcelRoles(shared)
            }
            last = roles
            return roles
        }
    }
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
