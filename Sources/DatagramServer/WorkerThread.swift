#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running `body` once.
final class WorkerThread: @unchecked Sendable {
    private final class Start {
        let body: () -> Void
        init(body: @escaping () -> Void) { self.body = body }
    }

    /// Written once in `init`, read only by `join`.
    private var thread = pthread_t()

    init(body: @escaping @Sendable () -> Void) throws(DatagramServerError) {
        let start = Unmanaged.passRetained(Start(body: body))
        let created = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
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
