import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file written through POSIX calls (`open`, `pwrite`, `fdatasync`, `O_DIRECT`): takes its
/// bytes in order and writes them in large aligned pieces on a thread of its own, while the
/// next piece is filled. The file end of the writers' `OutputBuffer`; here, beside the other
/// wrappers of C handles, because a file descriptor and raw aligned memory are C's.
///
/// `@unchecked Sendable` because the writing thread gets raw memory: the caller's thread and the
/// writing thread never touch the same piece or state at once (a piece goes to the writing
/// thread only after the write before it is waited for), and the caller waits for the writing
/// thread before it reads anything the writing thread sets.
///
/// A large file opened by path is written around the page cache (`O_DIRECT`) from its
/// `directFrom`-th byte on, where the file system allows it: copying gigabytes into the page
/// cache cost the kernel CPU time the run needs, and the file must be on disk before it is
/// published anyway (measurements in docs/scaling.md, "Fast paths"). Small files stay in the page
/// cache. Where the file system refuses direct writes (`EINVAL`), the file is written through the
/// page cache, its writeback started every `writebackStep`.
public final class DiskWriter: @unchecked Sendable {
    /// Alignment of a direct write's memory, length and file offset (the largest logical block
    /// size of common disks; a multiple of a 512-byte one).
    static let alignment = 4096
    /// Bytes per write: large enough that the per-write cost vanishes, two of them in memory.
    static let pieceSize = 8 << 20
    /// A file's bytes from here on are written around the page cache (a multiple of `pieceSize`).
    static let directFrom = 2 * pieceSize
    /// When written through the page cache, every this many bytes the disk is asked to start
    /// writing them (see `startWriteback`).
    static let writebackStep = 32 << 20
    /// Every this many bytes written, the file is flushed to disk (`fdatasync`) on a queue of
    /// its own while writing goes on, so that the `fsync` before the file is published has only
    /// the last of it left (docs/scaling.md).
    static let flushStep = 32 << 20

    private var descriptor: Int32
    private let closesDescriptor: Bool
    /// The handle of a file opened already, kept open as long as it is written.
    private let handle: FileHandle?
    /// Whether writes go around the page cache: from `directFrom` on, unless the file system
    /// refuses. Read and written on the writing thread, or after waiting for it.
    public private(set) var bypassesPageCache = false
    /// Whether the file may be written around the page cache (opened here, not tried yet).
    private var mayBypassPageCache: Bool
    private var pieces: [UnsafeMutableRawPointer]
    private var current = 0, filled = 0
    private let writing = DispatchQueue(label: "irrizone.disk-writer")
    private let pieceWritten = DispatchGroup()
    /// The first write that failed; later writes are skipped. Set on the writing thread, read
    /// after waiting for it.
    private var failure: (any Error)?
    private var written = 0, writebackStarted = 0, flushRequested = 0
    /// Background flushes started (on the writing thread, read after waiting for it).
    public private(set) var backgroundFlushes = 0
    /// One background flush at a time: taken on the writing thread when one is started, given
    /// back when it ends.
    private let flushSlot = DispatchSemaphore(value: 1)
    private let flushing = DispatchQueue(label: "irrizone.disk-flusher")
    /// The first background flush that failed (set on the flushing queue, read after taking
    /// `flushSlot`).
    private var flushFailure: (any Error)?
    /// Set by `finish()`: the file is complete (a direct write's padding was cut off).
    private var finished = false

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.error(errno, path: path) }
        closesDescriptor = true
        handle = nil
        mayBypassPageCache = Self.directFlag != 0
        pieces = Self.allocatePieces()
    }

    /// Writes to a file opened already, through the page cache (tests: `/dev/full`); the handle
    /// closes it.
    public init(writingTo handle: FileHandle) {
        self.handle = handle
        descriptor = handle.fileDescriptor
        closesDescriptor = false
        mayBypassPageCache = false
        pieces = Self.allocatePieces()
    }

    deinit {
        pieceWritten.wait()
        waitForFlush()
        for piece in pieces { free(piece) }
        if closesDescriptor, descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Linux's `O_DIRECT` (not exported by Swift's Glibc module); 0 where it is not known.
    static var directFlag: Int32 {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return 0
        #endif
    }

    private static func allocatePieces() -> [UnsafeMutableRawPointer] {
        (0..<2).map { _ in
            var memory: UnsafeMutableRawPointer?
            guard posix_memalign(&memory, alignment, pieceSize) == 0, let memory else { fatalError("out of memory for a \(pieceSize)-byte write buffer") }
            return memory
        }
    }

    /// Appends `bytes`; a full piece goes to the writing thread.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "bytes appended to a finished file")
        var offset = 0
        while offset < bytes.count {
            let length = min(Self.pieceSize - filled, bytes.count - offset)
            (pieces[current] + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: length)
            filled += length
            offset += length
            if filled == Self.pieceSize { handOver() }
        }
    }

    /// Hands the current piece to the writing thread (after the one before it is written) and
    /// goes on filling the other.
    private func handOver() {
        pieceWritten.wait()
        // The piece is not touched here again until the write is waited for.
        nonisolated(unsafe) let piece = pieces[current]
        let length = filled
        writing.async(group: pieceWritten) { self.write(piece, length: length) }
        current = 1 - current
        filled = 0
    }

    /// Writes everything appended and waits for it; the file then holds exactly the bytes
    /// appended, and no more may be. Throws the first write error.
    public func finish() throws {
        pieceWritten.wait()
        guard !finished else { if let failure { throw failure }; return }
        finished = true
        if failure == nil, filled > 0 {
            bypassPageCacheIfDue()
            let length = filled
            // A direct write's length is a whole number of blocks: the last piece is padded,
            // and the file cut back to its bytes.
            let padded = bypassesPageCache ? (length + Self.alignment - 1) / Self.alignment * Self.alignment : length
            if padded > length { (pieces[current] + length).initializeMemory(as: UInt8.self, repeating: 0x20, count: padded - length) }
            let fileLength = written + length  // every piece before this one was written whole
            write(pieces[current], length: padded)
            if failure == nil, padded > length, ftruncate(descriptor, off_t(fileLength)) != 0 { failure = Self.error(errno, path: nil) }
            filled = 0
        }
        if let failure { throw failure }
    }

    /// Flushes the file to disk (`fsync`), after the background flush under way; throws a
    /// background flush's error too (Linux reports a failed writeback to one flush only).
    public func synchronize() throws {
        waitForFlush()
        if let flushFailure { throw flushFailure }
        if fsync(descriptor) != 0 { throw Self.error(errno, path: nil) }
    }

    /// Closes the file (when it was opened here); call after `finish()`.
    public func close() throws {
        waitForFlush()
        guard closesDescriptor, descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 { throw Self.error(errno, path: nil) }
    }

    /// Switches the file to direct writes once `directFrom` bytes are written.
    private func bypassPageCacheIfDue() {
        guard mayBypassPageCache, written >= Self.directFrom else { return }
        mayBypassPageCache = false
        let flags = fcntl(descriptor, F_GETFL)
        bypassesPageCache = flags >= 0 && fcntl(descriptor, F_SETFL, flags | Self.directFlag) == 0
    }

    /// On the writing thread (or after waiting for it).
    private func write(_ piece: UnsafeMutableRawPointer, length: Int) {
        guard failure == nil else { return }
        bypassPageCacheIfDue()
        var offset = 0
        while offset < length {
            let result = Glibc.write(descriptor, piece + offset, length - offset)
            if result < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, bypassesPageCache, offset == 0 {
                    // The file system took the opening but not the write: write through the page cache.
                    let flags = fcntl(descriptor, F_GETFL)
                    if flags >= 0, fcntl(descriptor, F_SETFL, flags & ~Self.directFlag) == 0 { bypassesPageCache = false; continue }
                }
                failure = Self.error(errno, path: nil)
                return
            }
            offset += result
        }
        written += length
        if !bypassesPageCache, written - writebackStarted >= Self.writebackStep { startWriteback() }
        if written - flushRequested >= Self.flushStep { startFlush() }
    }

    /// Starts flushing what is written so far to disk on the flushing queue, unless a flush is
    /// under way (the next write tries again). On the writing thread.
    private func startFlush() {
        guard flushSlot.wait(timeout: .now()) == .success else { return }
        flushRequested = written
        backgroundFlushes += 1
        let descriptor = self.descriptor
        flushing.async {
            if fdatasync(descriptor) != 0, self.flushFailure == nil { self.flushFailure = Self.error(errno, path: nil) }
            self.flushSlot.signal()
        }
    }

    /// Waits for the background flush under way, if any.
    private func waitForFlush() {
        flushSlot.wait()
        flushSlot.signal()
    }

    /// Asks the kernel to start writing the bytes written so far to disk, without waiting, and
    /// to let their pages go once written (`posix_fadvise(POSIX_FADV_DONTNEED)`, which on Linux
    /// starts the writeback of a range's dirty pages). Left to the end, a large file's flush held
    /// the run up (0.4–0.6 s at 10⁵ parcels), and gigabytes of dirty pages made the kernel stall
    /// the writer. Durability is still `fsync`'s, at `OutputStaging.commit()`.
    private func startWriteback() {
        _ = posix_fadvise(descriptor, off_t(writebackStarted), off_t(written - writebackStarted), POSIX_FADV_DONTNEED)
        writebackStarted = written
    }

    private static func error(_ code: Int32, path: String?) -> any Error {
        var info: [String: Any] = [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code))]
        if let path { info[NSFilePathErrorKey] = path }
        return code == ENOSPC ? CocoaError(.fileWriteOutOfSpace, userInfo: info) : CocoaError(.fileWriteUnknown, userInfo: info)
    }
}
