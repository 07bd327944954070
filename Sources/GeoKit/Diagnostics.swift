import CGDAL

/// A warning GDAL raised while we worked (a recode failure, a ring self-intersection …).
public struct GDALWarning: Sendable, Hashable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { message }
}

/// Collects GDAL warnings for the duration of a job instead of letting GDAL print them.
///
/// GDAL's handler stack is thread-local (reference/peers.md C.3), so a collector covers only the
/// thread that installed it: run the work inside `collect(_:)` on that thread.
public final class Diagnostics {
    public private(set) var warnings: [GDALWarning] = []
    /// Errors also pass through the handler; they are kept for context but callers see them
    /// as thrown `GDALError`s.
    public private(set) var errors: [GDALWarning] = []

    public init() {}

    /// Runs `body` with this collector installed as the current thread's GDAL error handler.
    ///
    /// The corresponding C functions are `CPLPushErrorHandlerEx` and `CPLPopErrorHandler`.
    public func collect<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let context = Unmanaged.passUnretained(self).toOpaque()
        CPLPushErrorHandlerEx({ errorClass, errorNumber, message in
            guard let userData = CPLGetErrorHandlerUserData() else { return }
            let collector = Unmanaged<Diagnostics>.fromOpaque(userData).takeUnretainedValue()
            let text = message.map { String(cString: $0) } ?? ""
            let item = GDALWarning(code: errorNumber, message: text)
            switch errorClass {
            case CE_Warning: collector.warnings.append(item)
            case CE_Failure, CE_Fatal: collector.errors.append(item)
            default: break  // CE_Debug, CE_None: GDAL's debug chatter
            }
        }, context)
        defer { CPLPopErrorHandler() }
        return try withExtendedLifetime(self) { () throws(E) -> T in try body() }
    }

    /// A position in the warning list, for `takeWarnings(since:)`.
    public var mark: Int { warnings.count }

    /// Removes and returns the warnings collected since `mark`, e.g. the reasons GEOS gave for
    /// one geometry being invalid, so they can be attached to that feature.
    public func takeWarnings(since mark: Int) -> [GDALWarning] {
        guard mark < warnings.count else { return [] }
        defer { warnings.removeSubrange(mark...) }
        return Array(warnings[mark...])
    }

    /// Forgets the warnings collected so far and returns them.
    public func drainWarnings() -> [GDALWarning] {
        defer { warnings.removeAll() }
        return warnings
    }
}

@available(*, unavailable)
extension Diagnostics: Sendable {}
