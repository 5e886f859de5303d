#if canImport(Glibc)
import Glibc
#endif

/// Every client connection, database connection and listening socket is a
/// file descriptor, and services often start with a soft limit of 1024,
/// under `serve`'s default of 2048 connections. Like nginx and Go, raise the
/// soft limit to what is needed, as far as the hard limit allows (raising
/// the hard limit takes privilege: systemd's LimitNOFILE, or ulimit -Hn).
public enum OpenFileLimit {
    public struct Limits: Equatable, Sendable {
        public let soft: Int
        public let hard: Int

        public init(soft: Int, hard: Int) {
            self.soft = soft
            self.hard = hard
        }
    }

    public static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return Limits(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// Raises the soft limit to `needed` descriptors, or to the hard limit if
    /// that is lower; never lowers it. Returns the limits now in force.
    @discardableResult
    public static func raise(toCover needed: Int) -> Limits? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = min(rlim_t(max(needed, 0)), limit.rlim_max)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(resource, &limit)
        }
        return current()
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }

    private static func clamp(_ value: rlim_t) -> Int { value >= rlim_t(Int.max) ? Int.max : Int(value) }
}
