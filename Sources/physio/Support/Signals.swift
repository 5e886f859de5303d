#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM/SIGHUP handling without async-signal hazards: block them before
/// any thread starts (threads inherit the mask), then `sigwait` for them. SIGHUP
/// (a closed terminal, or an operator used to reloads) stops as SIGTERM does,
/// draining, rather than killing the process unlogged: nothing is reloaded.
enum Signals {
    static func blockTermination() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Returns the signal that arrived.
    static func waitForTermination() -> Int32 {
        var set = terminationSet()
        var received: Int32 = 0
        sigwait(&set, &received)
        return received
    }

    private static func terminationSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        return set
    }
}
