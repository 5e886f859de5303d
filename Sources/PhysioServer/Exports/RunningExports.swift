import PhysioPlatform

/// The exports running now, by the token that asked for each: the stream
/// hub's check of revoked tokens ends them as it ends live streams. An
/// export can run for as long as its client reads; until 2026-12-07 one
/// went on after its token was revoked (845 kB in the next 37 s).
final class RunningExports: @unchecked Sendable {
    /// One running export: revoked, its pipe is cut (what it holds dropped,
    /// the response ended with an error), and its runner stops at its next write.
    final class Watch: @unchecked Sendable {
        let tokenID: Int
        let requestID: String
        private let pipe: ExportPipe

        init(tokenID: Int, requestID: String, pipe: ExportPipe) {
            self.tokenID = tokenID
            self.requestID = requestID
            self.pipe = pipe
        }

        func revoke() {
            pipe.cut()
            Log.info("export ended: its token was revoked", ["request_id": .string(requestID)])
        }
    }

    private let running = Locked<[ObjectIdentifier: Watch]>([:])

    /// Watches an export of `tokenID` into `pipe` (nil: no token, nothing to watch).
    func start(tokenID: Int?, requestID: String, pipe: ExportPipe) -> Watch? {
        guard let tokenID else { return nil }
        let watch = Watch(tokenID: tokenID, requestID: requestID, pipe: pipe)
        running.withLock { $0[ObjectIdentifier(watch)] = watch }
        return watch
    }

    func finish(_ watch: Watch?) {
        guard let watch else { return }
        _ = running.withLock { $0.removeValue(forKey: ObjectIdentifier(watch)) }
    }

    var tokenIDs: Set<Int> { running.withLock { Set($0.values.map(\.tokenID)) } }

    /// Cuts the exports of `tokenIDs`.
    func revoke(_ tokenIDs: Set<Int>) {
        running.withLock { $0.values.filter { tokenIDs.contains($0.tokenID) } }.forEach { $0.revoke() }
    }
}
