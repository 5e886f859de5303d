import PhysioPlatform

/// How far ahead of the server's clock a sample's time may be. A monitor
/// whose clock is set a year ahead (a wrong date, a battery reset) would
/// otherwise write its case's newest sample: `/cases/{id}` would show that
/// row's values as the latest and no open episode while the live rows
/// alarm. A replay runs ahead of the clock by design (`physio replay
/// --speed 20` stamps a 4-hour case up to 3.8 h ahead), so the margin is
/// a day; a clock minutes or hours fast is stored as sent.
enum ClockAhead {
    static let maxSeconds: Double = 86_400

    /// Why `micros` is refused, or nil when it may be stored.
    static func refusal(_ micros: Int64, now: Int64 = Clock.nowMicros()) -> String? {
        let ahead = micros - now
        guard ahead > Timestamp.micros(seconds: maxSeconds) else { return nil }
        let hours = Double(ahead) / 3.6e9
        let amount = hours >= 48 ? "\(Int((hours / 24).rounded())) days" : "\(Int(hours.rounded())) hours"
        return "\(Timestamp.format(micros)) is \(amount) ahead of the server's clock (\(Timestamp.format(now))): the sender's clock is wrong; at most a day ahead is stored"
    }
}
