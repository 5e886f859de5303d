import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Drives many simulated monitors from a few threads: each thread runs a
/// poll() loop over its monitors' non-blocking sockets, sending when a
/// monitor is due and timing each request from send to complete answer.
public final class LoadGenerator: @unchecked Sendable {
    public let configuration: LoadConfiguration
    private let ackLog: AckLog?

    public init(configuration: LoadConfiguration) throws {
        self.configuration = configuration
        ackLog = try configuration.ackLogPath.map { try AckLog(path: $0) }
    }

    public func run() -> LoadReport {
        let threads = max(1, min(configuration.threads, configuration.monitors))
        let reports = Locked<[LoadReport]>([])
        let done = WaitGroup()
        let start = Clock.monotonicNanos()
        for thread in 0..<threads {
            let monitorIDs = Array(stride(from: thread, to: configuration.monitors, by: threads))
            done.add()
            startThread { [self] in
                let report = MonitorLoop(configuration: configuration, monitorIDs: monitorIDs, ackLog: ackLog).run()
                reports.withLock { $0.append(report) }
                done.done()
            }
        }
        done.wait()
        ackLog?.close()
        var total = LoadReport()
        for report in reports.value { total.merge(report) }
        total.seconds = Double(Clock.monotonicNanos() - start) / 1e9
        return total
    }
}

/// One thread's monitors and its event loop.
struct MonitorLoop {
    let configuration: LoadConfiguration
    let monitorIDs: [Int]
    let ackLog: AckLog?

    func run() -> LoadReport {
        var report = LoadReport()
        var monitors = monitorIDs.map { Monitor(caseID: "\(configuration.casePrefix)-\($0)", seed: UInt64($0) + 1) }
        let interval = configuration.requestsPerSecond > 0 ? UInt64(1e9 / configuration.requestsPerSecond) : 0
        let begin = Clock.monotonicNanos()
        let end = begin + UInt64(configuration.durationSeconds * 1e9)
        let timeout = UInt64(configuration.requestTimeoutSeconds * 1e9)
        // Spread the first requests over one interval so monitors do not fire in lockstep.
        for index in monitors.indices {
            monitors[index].nextDue = begin + (interval > 0 ? UInt64(index) * interval / UInt64(max(1, monitors.count)) : 0)
        }
        var acks: [UInt8] = []
        var pollSet: [pollfd] = []
        var pollOwners: [Int] = []
        while true {
            let now = Clock.monotonicNanos()
            var anyInFlight = false
            for index in monitors.indices {
                if monitors[index].inFlight && now - monitors[index].sentAt > timeout {
                    // No answer: the outcome is unknown, so the batch stays pending.
                    report.connectionErrors += 1
                    monitors[index].close()
                    monitors[index].nextDue = now + max(interval, 100_000_000)
                }
                if monitors[index].inFlight { anyInFlight = true; continue }
                guard now < end, monitors[index].nextDue <= now else { continue }
                let resending = monitors[index].isResending
                if monitors[index].send(configuration: configuration, now: now) {
                    report.requests += 1
                    if resending { report.resent += 1 } else { report.samplesSent += configuration.samplesPerRequest }
                    anyInFlight = true
                } else {
                    report.connectionErrors += 1
                    monitors[index].nextDue = now + max(interval, 100_000_000)
                }
            }
            if !anyInFlight && now >= end { break }

            pollSet.removeAll(keepingCapacity: true)
            pollOwners.removeAll(keepingCapacity: true)
            var nextDue = end
            for (index, monitor) in monitors.enumerated() {
                if monitor.inFlight {
                    pollSet.append(pollfd(fd: monitor.socket, events: Int16(POLLIN), revents: 0))
                    pollOwners.append(index)
                } else if monitor.nextDue < nextDue {
                    nextDue = monitor.nextDue
                }
            }
            let waitMillis = nextDue > now ? Int32(min(100, (nextDue - now) / 1_000_000)) : 0
            let ready = pollSet.isEmpty ? 0 : poll(&pollSet, nfds_t(pollSet.count), waitMillis)
            if pollSet.isEmpty && waitMillis > 0 { Clock.sleep(seconds: Double(waitMillis) / 1000) }
            guard ready > 0 else { continue }
            for (slot, descriptor) in pollSet.enumerated() where descriptor.revents != 0 {
                let index = pollOwners[slot]
                switch monitors[index].receive(hl7: configuration.hl7Port != nil) {
                case .incomplete:
                    continue
                case .failed:
                    report.connectionErrors += 1
                    monitors[index].close()
                case .complete(let status, let accepted, let merged, let duplicates):
                    let finished = Clock.monotonicNanos()
                    report.latency.record(micros: Int64((finished - monitors[index].sentAt) / 1000))
                    monitors[index].settle(status: status)
                    if configuration.hl7Port != nil { report.acknowledgements[monitors[index].acknowledgementCode, default: 0] += 1 }
                    if status == 200 {
                        report.okRequests += 1
                        report.samplesAccepted += accepted
                        report.samplesMerged += merged
                        report.duplicates += duplicates
                        if ackLog != nil { monitors[index].appendAcks(to: &acks, split: configuration.splitSpO2) }
                    } else {
                        report.statuses[status, default: 0] += 1
                    }
                }
                monitors[index].inFlight = false
                monitors[index].nextDue = interval > 0 ? max(monitors[index].nextDue + interval, 0) : 0
            }
            if acks.count > 1 << 16 { ackLog?.append(acks); acks.removeAll(keepingCapacity: true) }
        }
        ackLog?.append(acks)
        monitors.indices.forEach { monitors[$0].close() }
        return report
    }
}

/// Acknowledged samples, one `case_id,t,vitals` line each, from all threads.
final class AckLog: @unchecked Sendable {
    private let file: UnsafeMutablePointer<FILE>
    private let lock = Lock()

    init(path: String) throws {
        guard let file = fopen(path, "ab") else { throw HTTPClientError.io("cannot open \(path)") }
        self.file = file
    }

    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        lock.withLock {
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fflush(file)
        }
    }

    func close() { lock.withLock { _ = fclose(file) } }
}
