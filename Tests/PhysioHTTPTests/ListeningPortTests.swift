import PhysioHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct ListeningPortTests {
    private func server(port: UInt16) -> HTTPServer {
        var configuration = HTTPConfiguration()
        configuration.port = port
        configuration.threads = 1
        configuration.accessLog = .off
        return HTTPServer(configuration: configuration, router: Router(routes: [], authorize: { _ in nil }))
    }

    /// A second server on a port in use must fail, not share it (a stale
    /// process left running would otherwise take part of the traffic).
    @Test func aPortInUseIsRefused() throws {
        let first = server(port: 0)
        try first.start()
        defer { first.stop() }
        let second = server(port: first.port)
        #expect(throws: HTTPServerError.self) { try second.start() }
    }

    /// A server that closed a client's connection (its side now in
    /// FIN_WAIT/TIME_WAIT) can be restarted on the same port at once.
    @Test func aRestartedServerGetsItsPortBack() throws {
        let first = server(port: 0)
        try first.start()
        let port = first.port
        let client = try connect(port: port)
        defer { close(client) }
        first.stop()
        let second = server(port: port)
        try second.start()
        second.stop()
    }

    private func connect(port: UInt16) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(fd >= 0 && connected == 0)
        // An open connection the server has accepted, so that stopping closes it from the server's side.
        var byte: UInt8 = 0
        _ = send(fd, &byte, 0, 0)
        usleep(100_000)
        return fd
    }
}
