import PhysioCore
import PhysioHTTP
import PhysioPlatform
import PhysioStore

/// How many exports run at once and how many may wait (`physio serve --export-*`).
public struct ExportSettings: Sendable {
    /// Exports running at once, each with a database connection of its own.
    public var connections = 4
    /// Exports of one token, running or waiting.
    public var perToken = 4
    /// Exports waiting for a connection, in all.
    public var queue = 32
    /// How long an export may wait before it is told to come back.
    public var queueSeconds = 30.0
    /// What a refused client is told to wait, in seconds.
    public var retryAfterSeconds = 5

    public init() {}
}

/// Exports' own capacity, apart from what ingest, token checks and short
/// reads use: at most `connections` run at once, each on a thread and a
/// database connection of its own (ExportRunner); the rest wait in a
/// bounded queue, their client's connection suspended. A token may hold
/// `perToken` exports, running or waiting; past that it gets 429, past the
/// queue 503, and a wait longer than `queueSeconds` ends in 503, each with
/// Retry-After.
final class ExportCapacity: @unchecked Sendable {
    struct Totals: Sendable {
        var started = 0
        var refusedPerToken = 0
        var refusedQueueFull = 0
        var timedOut = 0
        var running = 0
        var waiting = 0
    }

    let settings: ExportSettings
    private let state = ConditionLock()
    private var waiting: [ExportJob] = []
    /// Running and waiting exports per token (nil: a grant without an id).
    private var held: [Int?: Int] = [:]
    private var runningByToken: [Int?: Int] = [:]
    private var totals = Totals()
    private var stopping = false
    private let warden = ServiceThreads()

    init(settings: ExportSettings) {
        self.settings = settings
        warden.start { [self] in expireWaiting() }
    }

    /// Takes `job` (it runs or waits), or throws the 429 or 503 that refuses it.
    func submit(_ job: ExportJob) throws {
        let refusal: Problem? = state.withLock {
            if stopping {
                return .serviceUnavailable("the server is stopping", retryAfterSeconds: settings.retryAfterSeconds)
            }
            if held[job.tokenID, default: 0] >= settings.perToken {
                totals.refusedPerToken += 1
                return Problem(status: 429, title: "Too Many Requests",
                               detail: "this token already has \(settings.perToken) exports running or waiting; retry when one has finished",
                               headers: [("Retry-After", String(settings.retryAfterSeconds))])
            }
            if waiting.count >= settings.queue {
                totals.refusedQueueFull += 1
                return .serviceUnavailable("every export connection is busy and \(settings.queue) exports are waiting; retry later",
                                           retryAfterSeconds: settings.retryAfterSeconds)
            }
            held[job.tokenID, default: 0] += 1
            waiting.append(job)
            state.broadcast()
            return nil
        }
        if let refusal { throw refusal }
    }

    /// The next export to run, for a runner with a free connection: of the
    /// tokens waiting, the one with the fewest running (then the oldest), so
    /// one analyst's batch cannot hold every connection while others wait.
    /// nil once stopping.
    func next() -> ExportJob? {
        state.withLock {
            while true {
                if stopping { return nil }
                if let index = waiting.indices.min(by: { runningByToken[waiting[$0].tokenID, default: 0] < runningByToken[waiting[$1].tokenID, default: 0] }) {
                    let job = waiting.remove(at: index)
                    runningByToken[job.tokenID, default: 0] += 1
                    totals.started += 1
                    return job
                }
                state.wait()
            }
        }
    }

    /// A runner is done with `job`.
    func finished(_ job: ExportJob) {
        state.withLock {
            runningByToken[job.tokenID, default: 1] -= 1
            if runningByToken[job.tokenID] == 0 { runningByToken.removeValue(forKey: job.tokenID) }
            release(job.tokenID)
        }
    }

    var statistics: Totals {
        state.withLock {
            var now = totals
            now.running = runningByToken.values.reduce(0, +)
            now.waiting = waiting.count
            return now
        }
    }

    /// Refuses what waits and stops handing out exports; running ones end
    /// with their clients' connections.
    func stop() {
        let abandoned: [ExportJob] = state.withLock {
            stopping = true
            state.broadcast()
            defer { waiting.removeAll() }
            return waiting
        }
        for job in abandoned {
            job.deferred.complete(Problem.serviceUnavailable("the server is stopping", retryAfterSeconds: settings.retryAfterSeconds).response)
        }
        warden.stop(waitingUpTo: 2)
    }

    private func release(_ tokenID: Int?) {
        held[tokenID, default: 1] -= 1
        if held[tokenID] == 0 { held.removeValue(forKey: tokenID) }
    }

    /// Twice a second: exports that waited past `queueSeconds` are told to come back.
    private func expireWaiting() {
        while !warden.isStopping {
            Clock.sleep(seconds: 0.5)
            let limit = UInt64(settings.queueSeconds * 1e9)
            let now = Clock.monotonicNanos()
            let expired: [ExportJob] = state.withLock {
                let (old, young) = waiting.partitioned { now - $0.enqueuedNanos > limit }
                waiting = young
                for job in old { release(job.tokenID) }
                totals.timedOut += old.count
                return old
            }
            for job in expired {
                job.deferred.complete(Problem.serviceUnavailable(
                    "the export waited \(Int(settings.queueSeconds)) s for a free export connection; retry later",
                    retryAfterSeconds: settings.retryAfterSeconds).response)
            }
        }
    }
}

/// One export request, from admission to its last byte.
struct ExportJob: Sendable {
    let tokenID: Int?
    let requestID: String
    /// A one-case export checks the case exists (404) before it starts.
    let caseID: CaseID?
    let statement: ExportStatements.Statement
    let headers: [(String, String)]
    /// What of the export retention may have removed, and from when (nil: nothing).
    var pastRetention: (data: RetentionNotice.Data, from: Int64?)? = nil
    let enqueuedNanos = Clock.monotonicNanos()
    let deferred = DeferredResponse()
}

extension Array {
    /// (those matching, the others), each in order.
    fileprivate func partitioned(_ matches: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = [], no: [Element] = []
        for element in self { if matches(element) { yes.append(element) } else { no.append(element) } }
        return (yes, no)
    }
}
