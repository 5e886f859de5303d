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
