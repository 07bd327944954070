import Foundation
import TestSupport
@testable import GeoKit

/// `../shared/realdata` relative to the repository root (CI has it there too).
let realData: String = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repository.deletingLastPathComponent().appendingPathComponent("shared/realdata").path
}()

/// A new scratch directory, removed with the others when the test process exits.
func temporaryDirectory(_ name: String = #function) throws -> String {
    try TestScratch.directory(name)
}
