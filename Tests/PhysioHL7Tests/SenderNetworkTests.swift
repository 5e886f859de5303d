import PhysioHL7
import Testing

struct SenderNetworkTests {
    @Test func addressesInsideAndOutsideANetwork() throws {
        let lan = try #require(SenderNetwork(parsing: "10.1.0.0/16"))
        #expect(lan.contains("10.1.200.7"))
        #expect(!lan.contains("10.2.0.1"))
        #expect(lan.contains("::ffff:10.1.0.9"), "an IPv4 client on an IPv6 socket")
        #expect(!lan.contains("fd00::1"))
        let odd = try #require(SenderNetwork(parsing: "192.168.4.16/28"))
        #expect(odd.contains("192.168.4.31") && !odd.contains("192.168.4.32") && !odd.contains("192.168.4.15"))
        let one = try #require(SenderNetwork(parsing: "192.168.4.20"))
        #expect(one.contains("192.168.4.20") && !one.contains("192.168.4.21"))
        let v6 = try #require(SenderNetwork(parsing: "fd00::/8"))
        #expect(v6.contains("fd12:3456::1") && !v6.contains("fe80::1") && !v6.contains("10.0.0.1"))
        #expect(try #require(SenderNetwork(parsing: "0.0.0.0/0")).contains("203.0.113.9"))
    }

    @Test(arguments: ["", "10.1.0.0/33", "10.1.0.0/", "10.1.0.0/+8", "host.example", "10.1/8", "fd00::/129"])
    func unreadableNetworksAreRefused(_ text: String) {
        #expect(SenderNetwork(parsing: text) == nil)
    }
}
