import PhysioPlatform

/// What libmicrohttpd logs, at a level by what it says. A client that goes
/// away (a dashboard closed, a monitor reconnecting, a stream's reader gone)
/// is routine for a server that keeps connections open: logged at debug, so
/// a warning still means something an operator should look at (a port in
/// use, the connection limit reached, a TLS handshake gone wrong).
enum ServerLibraryMessage {
    /// Phrases of libmicrohttpd 0.9.x that say only that the peer closed or reset.
    static let peerGonePhrases = [
        "detected connection closure",
        "closed by remote side",
        "forcibly closed by remote peer",
        "no longer available for sending",
    ]

    static func level(of text: String) -> Log.Level {
        peerGonePhrases.contains { text.contains($0) } ? .debug : .warning
    }

    static func log(_ text: String) {
        Log.write(level(of: text), "libmicrohttpd", ["detail": .string(text)])
    }
}
