import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The whole-request deadline. libmicrohttpd's connection timeout is an idle
/// timeout: a client that sends one byte every few seconds (slowloris) resets
/// it forever. Here every connection has from its start, or from the end of
/// its previous request, `deadline` to deliver a complete request (TLS
/// handshake, headers and body); a sweeper thread shuts down the socket of
/// any that has not, and libmicrohttpd then closes it. Connections whose
/// request is in (handled, suspended, answering, streaming) are never cut.
final class ConnectionDeadlines: @unchecked Sendable {
    private struct Entry {
        let socket: Int32
        /// nil while no request is being received.
        var receivingSince: UInt64?
    }

    private let deadlineNanos: UInt64
    private let sweepSeconds: Double
    private let state = ConditionLock()
    private var entries: [UInt: Entry] = [:]
    private var running = false
    private let sweeper = ServiceThreads()
    private var closedTotal = 0
    /// Plain HTTP only: on TLS the bytes would have to be encrypted.
    private let answersTimeouts: Bool
    private static let timeoutAnswer: [UInt8] = {
        let body = #"{"type":"about:blank","title":"Request Timeout","status":408,"detail":"the request did not arrive within the request deadline"}"#
        return Array("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }()

    init(deadlineSeconds: Double, answersTimeouts: Bool) {
        self.answersTimeouts = answersTimeouts
        deadlineNanos = UInt64(deadlineSeconds * 1e9)
        // Cut within an eighth of the deadline of its passing (at most 1 s late).
        sweepSeconds = max(0.05, min(1.0, deadlineSeconds / 8))
    }

    /// Connections cut so far (for metrics).
    var closedCount: Int { state.withLock { closedTotal } }

    // Called on libmicrohttpd's threads. `closed` comes before the socket is
    // closed, and both take the lock the sweeper holds while it shuts a
    // socket down: it never touches a descriptor already reused.

    func opened(_ connection: OpaquePointer, socket: Int32) {
        let now = Clock.monotonicNanos()
        state.withLock { entries[key(connection)] = Entry(socket: socket, receivingSince: now) }
    }

    func closed(_ connection: OpaquePointer) {
        _ = state.withLock { entries.removeValue(forKey: key(connection)) }
    }

    /// The request is in: from here the handler's time is its own.
    func received(_ connection: OpaquePointer) {
        state.withLock { entries[key(connection)]?.receivingSince = nil }
    }

    /// A request finished; the next one on this keep-alive connection starts the clock.
    func finished(_ connection: OpaquePointer) {
        let now = Clock.monotonicNanos()
        state.withLock { entries[key(connection)]?.receivingSince = now }
    }

    func start() {
        state.withLock { running = true }
        sweeper.start { [self] in sweep() }
    }

    func stop() {
        sweeper.stop(waitingUpTo: 5) {
            state.withLock {
                running = false
                state.broadcast()
            }
        }
    }

    private func sweep() {
        while true {
            let cut: Int? = state.withLock { () -> Int? in
                state.wait(seconds: sweepSeconds)
                guard running else { return nil }
                let now = Clock.monotonicNanos()
                var cut = 0
                for (connection, entry) in entries {
                    guard let since = entry.receivingSince, now &- since > deadlineNanos else { continue }
                    // A 408 first (RFC 9110 §15.5.9), so a client stuck in its body
                    // (a chunk that never comes) hears why. libmicrohttpd writes
                    // nothing while it waits for a request, so the bytes do not mix.
                    if answersTimeouts {
                        _ = Self.timeoutAnswer.withUnsafeBytes {
                            Glibc.send(entry.socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                        }
                    }
                    // shutdown, not close: the descriptor stays libmicrohttpd's, which
                    // sees end-of-stream and closes the connection on its own thread.
                    Glibc.shutdown(entry.socket, Int32(SHUT_RDWR))
                    entries[connection]?.receivingSince = nil
                    cut += 1
                }
                closedTotal += cut
                return cut
            }
            guard let cut else { return }
            if cut > 0 {
                Log.warning("closed connections that did not deliver a request in time",
                            ["count": .int(cut), "deadline_s": .double(Double(deadlineNanos) / 1e9)])
            }
        }
    }

    private func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))) }
}
