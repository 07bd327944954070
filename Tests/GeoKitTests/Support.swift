import Foundation
@testable import GeoKit

/// `../shared/realdata` relative to the repository root (CI has it there too).
let realData: String = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repository.deletingLastPathComponent().appendingPathComponent("shared/realdata").path
}()

func temporaryDirectory(_ name: String = #function) throws -> String {
    let path = NSTemporaryDirectory() + "irrizone-test-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
