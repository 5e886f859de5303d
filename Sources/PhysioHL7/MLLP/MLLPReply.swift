import PhysioPlatform

/// The answer a received message is owed. Answers go out on the connection
/// in the order the messages came, whichever is ready first, so a
/// pipelining sender can match them to its messages; `send` may be called
/// from any thread, once.
public final class MLLPReply: @unchecked Sendable {
    let connection: MLLPConnection
    let sequence: UInt64
    /// When the message's last byte arrived (Clock.monotonicNanos).
    public let receivedAt: UInt64
    /// The sender's address, as text.
    public var client: String { connection.client }
    /// The common name of the sender's certificate, when the listener requires one (nil otherwise).
    public var certificateName: String? { connection.transport.peerCommonName }

    init(connection: MLLPConnection, sequence: UInt64, receivedAt: UInt64) {
        self.connection = connection
        self.sequence = sequence
        self.receivedAt = receivedAt
    }

    /// Queues `message` (unframed: the listener adds MLLP's blocks), or no
    /// answer at all with nil (a sender that asked for none).
    public func send(_ message: [UInt8]?) {
        connection.complete(sequence, with: message.map(MLLPFramer.frame))
    }
}
