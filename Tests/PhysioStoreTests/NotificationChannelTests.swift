import Testing
@testable import PhysioStore

/// The channel names are written once in Swift; the migrations' triggers
/// carry them as text. These must agree, or workers sleep through new jobs.
@Suite struct NotificationChannelTests {
    static let notified: Set<String> = {
        let call = /pg_notify\('([a-z_]+)'/
        return Set(Migration.all.flatMap { migration in migration.sql.matches(of: call).map { String($0.1) } })
    }()

    @Test func everyChannelATriggerNotifiesIsNamedInSwift() {
        #expect(!Self.notified.isEmpty)
        for channel in Self.notified { #expect(NotificationChannel(rawValue: channel) != nil, "\(channel)") }
    }

    @Test func theQueueAndModelTriggersNotifyTheChannelsWorkersListenTo() {
        #expect(Self.notified.contains(NotificationChannel.jobs.rawValue))
        #expect(Self.notified.contains(NotificationChannel.models.rawValue))
    }

    @Test func caseEventsGoOnTheirOwnChannel() {
        #expect(CaseEvents.channel == NotificationChannel.caseEvents.rawValue)
        #expect(!Self.notified.contains(CaseEvents.channel))
    }
}
