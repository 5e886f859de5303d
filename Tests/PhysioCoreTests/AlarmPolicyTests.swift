import Foundation
import Testing
@testable import PhysioCore

@Suite struct AlarmPolicyTests {
    let policy = AlarmPolicy(threshold: 0.8, persistSeconds: 30, holdSeconds: 120)
    func times(_ seconds: [Int]) -> [Int64] { seconds.map { Int64($0) * 1_000_000 } }

    @Test func aScoreMustPersistThenTheAlarmIsHeld() {
        let t = Array(0..<400)
        // High from 100 to 159 s (60 s), a blip at 300 s.
        let scores = t.map { (100..<160).contains($0) || $0 == 300 ? 0.9 : 0.1 }
        let alarms = policy.modelAlarms(times: times(t), scores: scores)
        #expect(!alarms[129] && alarms[130], "30 s above the threshold")
        #expect(alarms[159 + 120] && !alarms[159 + 121], "held 120 s after the last confirmed score")
        #expect(!alarms[300], "one sample opens nothing")
    }

    @Test func twoCuffReadingsInARowConfirmHoweverFarApart() {
        let alarms = policy.modelAlarms(times: times([0, 240, 480]), scores: [0.9, 0.9, 0.2])
        #expect(alarms == [false, true, false])
    }

    /// The same patient sent at a slower pace must not alarm more: a warning
    /// held 15 s is sixteen rows of a 1-Hz record, and was two of a record of
    /// one row every 15 s (an outside audit: MAP 66 ± 1 for an hour, 0
    /// episodes at 1 s, 8 at 15 s). Readings past a limit are no forecast
    /// and still confirm after the seconds alone.
    @Test func aWarningHoldsOverThreeRowsOrTwoAMinuteApart() {
        let shipped = AlarmPolicy()
        let every15 = times([0, 15, 30, 45])
        #expect(shipped.modelAlarms(times: every15, scores: [0.95, 0.95, 0.2, 0.2]) == [false, false, false, false],
                "two warning rows 15 s apart: before, an alarm at the second")
        #expect(shipped.modelAlarms(times: every15, scores: [0.95, 0.95, 0.95, 0.2]) == [false, false, true, true])
        #expect(shipped.modelAlarms(times: every15, scores: [1, 1, 0.2, 0.2]) == [false, true, true, true],
                "two readings past the limit 15 s apart: at the second, as a plain rule held 15 s")
        #expect(shipped.modelAlarms(times: every15, scores: [0.95, 1, 0.2, 0.2]) == [false, false, false, false])
        #expect(shipped.modelAlarms(times: times([0, 60, 120]), scores: [0.95, 0.95, 0.2]) == [false, true, true],
                "a record of one row a minute: two readings")
        #expect(shipped.modelAlarms(times: times([0, 30, 60]), scores: [0.95, 0.95, 0.95]) == [false, false, true])
        let second = Array(0..<40)
        let alarms = shipped.modelAlarms(times: times(second), scores: second.map { $0 >= 10 ? 0.95 : 0.2 })
        #expect(!alarms[24] && alarms[25], "a row a second: the 15 s as before")
        #expect(shipped.scoreLookbackSeconds == 180, "two rows a minute apart, then the hold")
    }

    @Test func aModelTrainedBeforeRowsCountedReadsWithThem() throws {
        let json = #"{"threshold":0.9,"persist_seconds":15,"hold_seconds":120,"floor_sustain_seconds":60,"floor_gap_seconds":30}"#
        let decoded = try JSONDecoder().decode(AlarmPolicy.self, from: Data(json.utf8))
        #expect(decoded == AlarmPolicy())
        #expect(try JSONDecoder().decode(AlarmPolicy.self, from: JSONEncoder().encode(AlarmPolicy(persistRows: 1))).persistRows == 1)
        #expect(try JSONDecoder().decode(AlarmPolicy.self, from: JSONEncoder().encode(AlarmPolicy(floorReturnSeconds: 20, floorReturnRows: 4)))
                == AlarmPolicy(floorReturnSeconds: 20, floorReturnRows: 4))
    }

    @Test func aBreachIsSustainedWhenItLastsTheSustainTime() {
        // Rows a second apart, none from 216 to 239 s (the monitor sent nothing).
        let t = Array(0..<216) + Array(240..<300)
        // Breach 10–69 s (lasts until the row at 70 s: 60 s), 100–129 s (30 s), 200–215 and 240–270 (one breach: gap 25 s).
        let breach = t.map { (10..<70).contains($0) || (100..<130).contains($0) || (200..<216).contains($0) || (240..<271).contains($0) }
        let floor = policy.floorAlarms(times: times(t), ruleTrue: breach)
        #expect(floor[10] && floor[69] && !floor[70])
        #expect(!floor[100] && !floor[129])
        #expect(floor[200] && floor[215] && floor[216] && floor[246], "a gap up to 30 s is the same breach, and is alarmed too")
    }

    /// Readings back inside the limits for more than 10 s part two breaches,
    /// as a gap in the readings does not: isolated readings past a limit (an
    /// irregular rhythm's 1-s rate over 140 now and then, RR 8 for a second
    /// every 20 s) are no breach of a minute, while a trace wavering around
    /// the limit for a second or two still is one.
    @Test func readingsBackInsideTheLimitsEndABreach() {
        let t = Array(0..<600)
        // Past the limit for 2 s every 14 s: 12 s back inside between them, for ten minutes.
        let isolated = t.map { $0 % 14 < 2 }
        #expect(policy.floorAlarms(times: times(t), ruleTrue: isolated).allSatisfy { !$0 }, "before: one breach of 600 s")
        #expect(AlarmPolicy(floorReturnSeconds: 30).floorAlarms(times: times(t), ruleTrue: isolated)[100], "the setting it was")
        // Below 65 with a reading back over it every 5 s for a second, and once for 9 s: one breach.
        let wavering = t.map { (100..<200).contains($0) && $0 % 5 != 0 && !(150..<159).contains($0) }
        let floor = policy.floorAlarms(times: times(t), ruleTrue: wavering)
        #expect(floor[101] && floor[199] && !floor[200])
        // In a record of one row every 15 s, one reading back inside between two low ones does not part them.
        let every15 = Array(stride(from: 0, through: 600, by: 15))
        let low = every15.map { (300...420).contains($0) && $0 != 360 }
        #expect(policy.floorAlarms(times: times(every15), ruleTrue: low)[20])
    }

    @Test func aBreachHoldingAValueKeptBecauseItLastedAlarmsAtOnce() {
        // HR 35 from 10 s, HR 0 kept (it lasted 20 s) from 40 s: the breach is 30 s old, alarmed from its first row.
        let t = Array(0..<60)
        let breach = t.map { $0 >= 10 }, lasted = t.map { $0 >= 40 }
        #expect(policy.floorAlarms(times: times(t), ruleTrue: breach, confirmed: lasted) == t.map { $0 >= 10 })
        #expect(policy.floorAlarms(times: times(t), ruleTrue: breach) == t.map { _ in false }, "without it, not yet")
        // A lasted value outside any breach raises nothing.
        #expect(policy.floorAlarms(times: times(t), ruleTrue: t.map { _ in false }, confirmed: lasted).allSatisfy { !$0 })
    }

    @Test func aSingleLowCuffReadingLastsUntilTheNextReading() {
        // Rows only when the cuff measures: a low reading at 240 s, normal again at 480 s.
        let floor = policy.floorAlarms(times: times([0, 240, 480]), ruleTrue: [false, true, false])
        #expect(floor == [false, true, false])
        // The newest row, the case's second reading: raised as it comes (until 2026-12-07 not, its breach having lasted nothing yet).
        #expect(policy.floorAlarms(times: times([0, 240]), ruleTrue: [false, true]) == [false, true])
        // But not the first row of a case: nothing says yet whether it is a cuff's reading or a 1-Hz feed's first.
        #expect(policy.floorAlarms(times: times([0]), ruleTrue: [true]) == [false])
    }

    /// In a record whose rows come a minute or more apart (a cuff alone, an
    /// anaesthesia record of one row a minute) a reading stands for its whole
    /// interval: a breach is raised at its first row, not at the next one.
    @Test func aBreachInARecordOfRowsAMinuteApartIsRaisedAtItsFirstRow() {
        let cuff = policy.floorRaisedTimes(times: times([0, 240, 480, 720]), ruleTrue: [false, false, true, false])
        #expect(cuff == [nil, nil, 480_000_000, nil], "before: raised at 720 s, the next reading")
        #expect(policy.floorAlarms(times: times([0, 240, 480]), ruleTrue: [false, false, true]) == [false, false, true],
                "the newest reading, before any other comes")
        let minutes = Array(stride(from: 0, through: 900, by: 60))
        let low = policy.floorRaisedTimes(times: times(minutes), ruleTrue: minutes.map { (600...720).contains($0) })
        #expect(low[10] == 600_000_000 && low[12] == 600_000_000 && low[9] == nil && low[13] == nil)
        // A 1-Hz feed back from a 90-s dropout is no slow record: its first row waits for the seconds after it.
        let dropout = Array(0..<100) + Array(190..<300)
        let back = policy.floorRaisedTimes(times: times(dropout), ruleTrue: dropout.map { $0 >= 190 })
        #expect(back[100] == 250_000_000)
        // Nor is a record of rows 45 s apart, or of two devices' rows a moment apart each minute.
        #expect(!policy.isSlowRecordRow(times([0, 45, 90]), row: 2))
        #expect(!policy.isSlowRecordRow(times([0, 2, 60, 62, 120]), row: 4) && policy.isSlowRecordRow(times([0, 60, 120]), row: 2))
    }

    /// A cuff alone: a reading started by hand 30 or 45 s after the one on
    /// its cycle, and the case's second reading, are raised as they come
    /// (until 2026-12-07 at the next reading, 2–5 minutes later). A record
    /// of readings 35 s apart (a cuff in STAT mode) is still no slow record.
    @Test func aCuffsReadingByHandAndItsSecondReadingAreRaisedAtOnce() {
        let cycle = Array(stride(from: 0, to: 1800, by: 150))
        for offset in [30, 45] {
            let manual = cycle + [1800, 1800 + offset, 1950 + offset]
            let raised = policy.floorRaisedTimes(times: times(manual), ruleTrue: manual.map { $0 == 1800 + offset })
            #expect(raised[manual.count - 2] == Int64(1800 + offset) * 1_000_000, "by hand \(offset) s after: \(raised.suffix(3))")
        }
        let second = policy.floorRaisedTimes(times: times([0, 300, 600]), ruleTrue: [false, true, false])
        #expect(second[1] == 300_000_000, "the case's second reading: \(second)")
        let stat = Array(stride(from: 0, to: 350, by: 35))
        #expect(!policy.isSlowRecordRow(times(stat), row: 5))
        // A reading that came more than 12 minutes after the rows before it begins its own record.
        #expect(policy.isSlowRecordRow(times([0, 1, 2, 800, 900]), row: 4))
        #expect(!policy.isSlowRecordRow(times([0, 1, 2, 80, 90]), row: 4))
    }

    @Test func consecutiveRowsOfASlowRecordAreOneBreach() {
        // A record of one row every 45 s (and one a minute, a few seconds late or early):
        // MAP below 65 at four rows in a row is one breach of 180 s, alarmed from its first row.
        let every45 = Array(stride(from: 0, through: 900, by: 45))
        let low45 = every45.map { (450...585).contains($0) }
        #expect(policy.floorAlarms(times: times(every45), ruleTrue: low45) == low45)
        let jittered = [0, 61, 119, 180, 242, 299, 358, 421, 480, 539, 601]
        let lowJittered = jittered.map { (242...421).contains($0) }
        #expect(policy.floorAlarms(times: times(jittered), ruleTrue: lowJittered) == lowJittered)
        // One row alone lasts its 45 s: not sustained. A dropout of several rows still parts two breaches.
        #expect(policy.floorAlarms(times: times(every45), ruleTrue: every45.map { $0 == 450 }).allSatisfy { !$0 })
        let dropout = [0, 45, 90, 135, 180, 405, 450]
        #expect(policy.breaches(times: times(dropout), ruleTrue: dropout.map { $0 >= 135 }).count == 2)
    }

    /// The floor alarms a breach from its first row, but can raise it only
    /// once it has lasted: its raised time is the row by which it had lasted
    /// 60 s (the row after it, in a record whose last low row comes sooner),
    /// or its first value kept because it lasted.
    @Test func theFloorSaysWhenItCouldRaiseABreach() {
        let t = Array(0..<300)
        let breach = t.map { (10..<100).contains($0) || (200..<230).contains($0) }
        let raised = policy.floorRaisedTimes(times: times(t), ruleTrue: breach)
        #expect(raised[10] == 70_000_000 && raised[99] == 70_000_000 && raised[9] == nil && raised[100] == nil)
        #expect(raised[200] == nil, "30 s: not sustained")
        // HR 0 kept from 40 s inside a breach from 10 s: raised at 40 s, not at 70 s.
        let lasted = t.map { $0 >= 40 && $0 < 100 }
        #expect(policy.floorRaisedTimes(times: times(t), ruleTrue: breach, confirmed: lasted)[10] == 40_000_000)
        // One row every 45 s, four low rows from 450 s: sustained by its third low row, at 540 s.
        let every45 = Array(stride(from: 0, through: 900, by: 45))
        let slow = policy.floorRaisedTimes(times: times(every45), ruleTrue: every45.map { (450...585).contains($0) })
        #expect(slow[10] == 540_000_000 && slow[13] == 540_000_000 && slow[14] == nil)
        // Two low rows 45 s apart, then a normal one: sustained only as the normal row comes, 90 s in.
        let two = policy.floorRaisedTimes(times: times(every45), ruleTrue: every45.map { (450...495).contains($0) })
        #expect(two[10] == 540_000_000 && two[11] == 540_000_000)
        #expect(policy.floorAlarms(times: times(t), ruleTrue: breach) == raised.map { $0 != nil })
    }

    @Test func sourcesCombine() {
        #expect(AlarmSource(model: true, rule: true) == .both)
        #expect(AlarmSource(model: false, rule: false) == nil)
        #expect(AlarmSource.model.union(.rule) == .both && AlarmSource.rule.union(.rule) == .rule)
    }
}
