import CGDAL

/// A failure reported by GDAL, OGR or OSR, carrying GDAL's own message.
///
/// `description` reads like `OGR_L_CreateFeature failed: <message> (layer "parcels", FID 12)`.
public struct GDALError: Error, Sendable, CustomStringConvertible, Equatable {
    /// GDAL's `CPLErrorNum`, or the `OGRErr` code when the call returned one.
    public let code: Int32
    /// `CPLGetLastErrorMsg()` at the moment of failure (may be empty).
    public let message: String
    /// The C function that failed.
    public let function: String
    /// What we were working on: a path, a layer, a feature id.
    public let context: String?

    public init(code: Int32, message: String, function: String, context: String? = nil) {
        self.code = code
        self.message = message
        self.function = function
        self.context = context
    }

    /// Captures GDAL's last error for `function`.
    static func last(_ function: StaticString, context: String? = nil) -> GDALError {
        let message = String(cString: CPLGetLastErrorMsg())
        return GDALError(code: CPLGetLastErrorNo(), message: message, function: "\(function)", context: context)
    }

    /// The same error with a (more specific) context.
    public func with(context: String) -> GDALError {
        GDALError(code: code, message: message, function: function, context: context)
    }

    public var description: String {
        var text = "\(function) failed"
        if !message.isEmpty { text += ": \(message)" }
        if let context { text += " (\(context))" }
        return text
    }
}

/// Calls a C function that returns NULL on failure; throws GDAL's message instead.
@inline(__always)
func gdalNonNull<T>(_ function: StaticString, context: String? = nil, _ call: () -> T?) throws(GDALError) -> T {
    CPLErrorReset()
    guard let value = call() else { throw GDALError.last(function, context: context) }
    return value
}

/// Calls a C function that returns an `OGRErr`; throws unless it is `OGRERR_NONE`.
@inline(__always)
func ogrCheck(_ function: StaticString, context: String? = nil, _ call: () -> OGRErr) throws(GDALError) {
    CPLErrorReset()
    let result = call()
    guard result == OGRERR_NONE else {
        let last = GDALError.last(function, context: context)
        throw GDALError(code: Int32(result), message: last.message.isEmpty ? "OGRErr \(result)" : last.message,
                        function: last.function, context: context)
    }
}

/// Calls a C function that returns a `CPLErr`; throws unless it is `CE_None`.
@inline(__always)
func cplCheck(_ function: StaticString, context: String? = nil, _ call: () -> CPLErr) throws(GDALError) {
    CPLErrorReset()
    guard call() == CE_None else { throw GDALError.last(function, context: context) }
}
