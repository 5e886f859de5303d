import PhysioHL7
import Testing

/// MLLP frames cut from a stream however it arrives.
struct MLLPFramerTests {
    static func framed(_ text: String) -> [UInt8] { MLLPFramer.frame(Array(text.utf8)) }

    @Test func framesSplitAnywhereAndRunTogether() {
        let stream = Self.framed("MSH|first") + [0x0D, 0x0A] + Self.framed("MSH|second") + Self.framed("MSH|third")
        for chunk in 1...stream.count {
            var framer = MLLPFramer(maxMessageBytes: 1024)
            var frames: [MLLPFramer.Frame] = []
            var offset = 0
            while offset < stream.count {
                frames += framer.append(Array(stream[offset..<min(stream.count, offset + chunk)]))
                offset += chunk
            }
            #expect(frames == [.message(Array("MSH|first".utf8)), .message(Array("MSH|second".utf8)), .message(Array("MSH|third".utf8))],
                    "chunks of \(chunk)")
            #expect(!framer.isInsideFrame)
        }
    }

    @Test func bytesOutsideFramesAreSkippedAndANewStartAbandonsAPartialFrame() {
        var framer = MLLPFramer(maxMessageBytes: 1024)
        let frames = framer.append(Array("noise".utf8) + [0x0B] + Array("MSH|cut".utf8) + Self.framed("MSH|whole"))
        #expect(frames == [.message(Array("MSH|whole".utf8))])
        #expect(framer.abandonedFrames == 1)
        #expect(framer.strayBytes == 5)
    }

    @Test func aStrictFramerStopsAtAnotherProtocol() {
        // An HTTP request whose body is a frame (what a browser's fetch can send): nothing read.
        var framer = MLLPFramer(maxMessageBytes: 1024, strict: true)
        let http = Array("POST / HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n".utf8) + Self.framed("MSH|smuggled")
        #expect(framer.append(http).isEmpty && framer.isRefused)
        #expect(framer.append(Self.framed("MSH|later")).isEmpty, "nothing after it either")
        // Line breaks between frames are what senders do: still read.
        var lenient = MLLPFramer(maxMessageBytes: 1024, strict: true)
        #expect(lenient.append(Self.framed("MSH|one") + [0x0D, 0x0A] + Self.framed("MSH|two")).count == 2 && !lenient.isRefused)
    }

    @Test func anEndBlockInsideAMessageBreaksTheFrameInsteadOfCuttingIt() {
        var framer = MLLPFramer(maxMessageBytes: 1024)
        let inside = [0x0B] + Array("MSH|a\rNTE|1||x".utf8) + [0x1C] + Array("y\rOBX|1".utf8) + [0x1C, 0x0D]
        #expect(framer.append(inside + Self.framed("MSH|next")) == [.broken(prefix: Array("MSH|a\rNTE|1||x".utf8) + [0x1C] + Array("y\rOBX|1".utf8),
                                                                             endBlockAt: 14), .message(Array("MSH|next".utf8))])
        // Wherever the stream is cut, even right after that 0x1C, the frames are the same.
        let stream = inside + Self.framed("MSH|next")
        for cut in 0...stream.count {
            var split = MLLPFramer(maxMessageBytes: 1024)
            let frames = split.append(Array(stream[..<cut])) + split.append(Array(stream[cut...]))
            #expect(frames.count == 2 && frames.first.map { if case .broken = $0 { true } else { false } } == true, "cut at \(cut)")
        }
        // An end block without its CR ends a frame before the next start block, or once told no byte is coming.
        var lenient = MLLPFramer(maxMessageBytes: 1024)
        #expect(lenient.append([0x0B] + Array("MSH|one".utf8) + [0x1C, 0x0B] + Array("MSH|two".utf8) + [0x1C]).count == 1)
        #expect(lenient.endsPending && lenient.isInsideFrame)
        #expect(lenient.endPending() == [.message(Array("MSH|two".utf8))] && !lenient.isInsideFrame)
    }

    @Test func anOversizedFrameIsReadToItsEndAndKeepsItsStart() {
        var framer = MLLPFramer(maxMessageBytes: 10_000)
        let big = "MSH|^~\\&|A|B|C|D|1||ORU^R01|99|P|2.6\r" + String(repeating: "X", count: 50_000)
        var frames: [MLLPFramer.Frame] = []
        let bytes = Self.framed(big) + Self.framed("MSH|next")
        for start in stride(from: 0, to: bytes.count, by: 7000) {
            frames += framer.append(Array(bytes[start..<min(bytes.count, start + 7000)]))
        }
        #expect(frames.count == 2)
        guard case .oversized(let prefix, let length) = frames[0] else { Issue.record("not oversized: \(frames[0])"); return }
        #expect(length == big.utf8.count)
        #expect(prefix.count == MLLPFramer.prefixBytes)
        #expect(prefix.starts(with: Array("MSH|^~\\&|A|B|C|D|1||ORU^R01|99".utf8)))
        #expect(frames[1] == .message(Array("MSH|next".utf8)))
    }

    @Test func anOversizedFrameKeepsTheSamePrefixWhereverTheStreamIsCut() {
        // A limit below the prefix size: the first write once kept only the limit's bytes.
        let bytes = Self.framed("MSH|" + String(repeating: "Y", count: 300))
        var whole = MLLPFramer(maxMessageBytes: 64)
        let expected = whole.append(bytes)
        guard case .oversized(let prefix, 304)? = expected.first else { Issue.record("not oversized: \(expected)"); return }
        #expect(prefix.count == 304)
        for cut in 0...bytes.count {
            var split = MLLPFramer(maxMessageBytes: 64)
            #expect(split.append(Array(bytes[..<cut])) + split.append(Array(bytes[cut...])) == expected, "cut at \(cut)")
        }
    }

    @Test func aFrameAtTheLimitIsAMessage() {
        var framer = MLLPFramer(maxMessageBytes: 8)
        #expect(framer.append(Self.framed("12345678")) == [.message(Array("12345678".utf8))])
        guard case .oversized(_, let length)? = framer.append(Self.framed("123456789")).first else { Issue.record("not refused"); return }
        #expect(length == 9)
    }
}
