import Foundation
import Synchronization

/// Bytes a run keeps on disk instead of in memory (a province's parcels do not fit in memory:
/// docs/scaling.md, "Where the memory goes"): an unnamed file, removed from its folder as soon as
/// it is made, so it is gone when the process ends however it ends. Appended to at its end and
/// read at any offset, from any thread (`pwrite`/`pread` at offsets the file hands out).
public final class SpillFile: Sendable {
    private let descriptor: Int32
    /// Where the file was made, for messages.
    public let directory: String
    private let end = Mutex<Int64>(0)

    /// Makes the file in `directory` (by default `$TMPDIR`, else `/tmp`).
    public init(directory: String = NSTemporaryDirectory()) throws {
        self.directory = directory
        var template = Array(((directory as NSString).appendingPathComponent("irrizone-spill-XXXXXX")).utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SpillFileError(directory: directory, action: "make a working file", errno: errno) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Bytes written so far.
    public var size: Int64 { end.withLock { $0 } }

    /// Writes `bytes` at the file's end; returns where they start.
    public func append(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        let offset = end.withLock { end -> Int64 in
            defer { end += Int64(bytes.count) }
            return end
        }
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw SpillFileError(directory: directory, action: "write \(bytes.count) bytes", errno: written < 0 ? errno : ENOSPC) }
            done += written
        }
        return offset
    }

    /// The `count` bytes at `offset`.
    public func read(offset: Int64, count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let read = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if read < 0, errno == EINTR { continue }
                guard read > 0 else { throw SpillFileError(directory: directory, action: "read back \(count) bytes", errno: read < 0 ? errno : EIO) }
                done += read
            }
            initialized = count
        }
    }
}

/// A working file that could not be made, written or read: the disk is full, or the folder
/// cannot be written.
public struct SpillFileError: Error, CustomStringConvertible {
    public var directory: String
    public var action: String
    public var errno: Int32

    public var description: String {
        "could not \(action) in irrizone's working file in \(directory) (\(String(cString: strerror(errno)))): a large layer's parcels are kept there during the run; set TMPDIR to a folder with room"
    }
}
