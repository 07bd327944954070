import Foundation

enum FileHandleBox {
    static let standardError = Writer()

    struct Writer: Sendable {
        func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
    }
}
