#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor and its path, with the few calls the log needs.
/// The owner closes it.
struct PosixFile: Sendable {
    let descriptor: Int32
    let path: String

    init(path: String, flags: Int32) throws(MeasurementLogError) {
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("open", path) }
        self.descriptor = descriptor; self.path = path
    }

    /// Closes the descriptor; the value must not be used afterwards.
    func release() { _ = close(descriptor) }

    var size: Int {
        get throws(MeasurementLogError) {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw .system("fstat", path) }
            return Int(status.st_size)
        }
    }

    /// Writes all of `bytes` at the end (one `write` call unless the kernel writes less).
    func append(_ bytes: UnsafeRawBufferPointer) throws(MeasurementLogError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw .system("write", path) }
            offset += written
        }
    }

    func append(_ bytes: [UInt8]) throws(MeasurementLogError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MeasurementLogError) in try append(UnsafeRawBufferPointer(buffer)) }
    }

    /// Fills `bytes` from `offset`; returns how many bytes there were.
    func read(into bytes: inout [UInt8], at offset: Int) throws(MeasurementLogError) -> Int {
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(MeasurementLogError) in
            try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        }
    }

    /// Fills `buffer` from `offset`; returns how many bytes there were (fewer at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(MeasurementLogError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + filled))
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw .system("pread", path) }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    func truncate(to size: Int) throws(MeasurementLogError) {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw .system("ftruncate", path) }
    }

    func sync() throws(MeasurementLogError) {
        guard fsync(descriptor) == 0 else { throw .system("fsync", path) }
    }
}

/// Directory operations.
enum Directory {
    /// Creates `path` and its parents when missing.
    static func create(_ path: String) throws(MeasurementLogError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .system("mkdir", prefix) }
        }
    }

    /// The names of the entries of `path` (without `.` and `..`).
    static func names(_ path: String) throws(MeasurementLogError) -> [String] {
        guard let stream = opendir(path) else { throw .system("opendir", path) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func size(of path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    static func remove(_ path: String) throws(MeasurementLogError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system("unlink", path) }
    }

    /// Renames `from` to `to`, replacing it atomically.
    static func move(_ from: String, to: String) throws(MeasurementLogError) {
        guard rename(from, to) == 0 else { throw .system("rename", from) }
    }

    /// Makes the directory's entries (creations, renames) durable.
    static func sync(_ path: String) throws(MeasurementLogError) {
        let directory = try PosixFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.release() }
        try directory.sync()
    }
}
