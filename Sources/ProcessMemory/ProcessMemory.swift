#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The process's memory as the system sees it.
public enum ProcessMemory {
    /// Hands the allocator's free pages back to the system (glibc's
    /// malloc_trim). Building a large structure — a million-prefix latency
    /// map from its CSV — frees far more than it keeps, and glibc returns
    /// little of it on its own; afterwards the resident size is what is in use.
    public static func returnFreePages() {
        typealias Trim = @convention(c) (Int) -> Int32
        if let trim = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") {
            _ = unsafeBitCast(trim, to: Trim.self)(0)
        }
    }

    /// Resident bytes (from /proc/self/statm) after `returnFreePages()`; 0 where there is no /proc.
    public static func residentBytes() -> Int {
        returnFreePages()
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
