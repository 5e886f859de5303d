import Testing
import PhysioPlatform

@Suite struct JSONWriterTests {
    @Test func escapesWhatJSONRequiresAndCopiesTheRest() {
        var json = JSONWriter()
        json.beginObject()
        json.field("plain", "or-7 Ω")
        json.field("quote\"d", "a\\b\n\r\t\u{01}\u{1f}")
        json.endObject()
        #expect(json.string == #"{"plain":"or-7 Ω","quote\"d":"a\\b\n\r\t\u0001\u001f"}"#)
    }

    /// Line separators a splitter of lines takes for line ends (Python's
    /// `splitlines`, an event-stream client built on it) are escaped; other
    /// characters sharing their first byte are copied.
    @Test func lineSeparatorsAreEscaped() {
        var json = JSONWriter()
        json.value("a\u{2028}b\u{2029}c\u{85}d – é ≥ \u{2027}\u{A9}")
        #expect(json.string == #""a\u2028b\u2029c\u0085d – é ≥ \#u{2027}\#u{A9}""#)
        #expect(!json.string.unicodeScalars.contains { [0x85, 0x2028, 0x2029].contains($0.value) })
    }

    @Test func numbersAreShortAndNonFiniteIsNull() {
        var json = JSONWriter()
        json.beginArray()
        json.value(Float(72))
        json.value(Float(36.4))
        json.value(0.1 + 0.2)
        json.value(Float.nan)
        json.value(-Double.infinity)
        json.endArray()
        #expect(json.string == "[72,36.4,0.30000000000000004,null,null]")
    }
}
