#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running `body` once, named `name` (as `top -H`
/// and /proc show it; at most 15 bytes are kept).
final class WorkerThread: @unchecked Sendable {
    private final class Start {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) { self.name = name; self.body = body }
    }

    /// Written once in `init`, read only by `join`.
    private var thread = pthread_t()

    init(name: String, body: @escaping @Sendable () -> Void) throws(DatagramServerError) {
        let start = Unmanaged.passRetained(Start(name: String(decoding: name.utf8.prefix(15), as: UTF8.self), body: body))
        let created = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
            nameThisThread(start.name)
            start.body()
            return nil
        }, start.toOpaque())
        guard created == 0 else {
            start.release()
            throw DatagramServerError(operation: "pthread_create", code: created)
        }
    }

    func join() { pthread_join(thread, nil) }
}

/// Names the calling thread through /proc/thread-self/comm (Glibc's module
/// does not export pthread_setname_np); a no-op where /proc is not mounted.
private func nameThisThread(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    var name = name
    _ = name.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}
