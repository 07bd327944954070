import Foundation

/// Scratch directories for tests. All of them live under one directory per test process, which
/// is removed when the process exits: CI runs on a shared machine, and a suite that left its
/// outputs behind filled `/tmp` (tens of GB over a few hundred runs). Set
/// `IRRIZONE_KEEP_TEST_FILES=1` to keep them for a post-mortem; the path is printed then.
public enum TestScratch {
    /// `$TMPDIR/irrizone-tests-<pid>`, created on first use.
    public static let root: String = {
        let path = NSTemporaryDirectory() + "irrizone-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)  // a stale one from a recycled pid
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["IRRIZONE_KEEP_TEST_FILES"] == nil {
            atexit { try? FileManager.default.removeItem(atPath: TestScratch.root) }
        } else {
            FileHandle.standardError.write(Data("test scratch files kept in \(path)\n".utf8))
        }
        return path
    }()

    /// A new, empty directory under `root`, named after `label` so that a kept one can be traced
    /// back to its test.
    public static func directory(_ label: String) throws -> String {
        let path = root + "/\(label.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
