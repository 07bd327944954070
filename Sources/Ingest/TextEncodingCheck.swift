import IrrigationModel

/// Recognises text that a wrong character set has garbled, so that a GBK file read without
/// `--encoding` stops with a clear message instead of writing mojibake (reference/peers.md B.1).
public enum TextEncodingCheck {
    public enum Problem: Sendable, Hashable {
        /// The bytes are not UTF-8: GDAL passed them through undecoded (no .cpg, no LDID).
        case notUTF8(likelyGBK: Bool)
        /// U+FFFD in the text: a decoder already gave up on some bytes.
        case replacementCharacter
        /// Every character is Latin-1 and the high ones pair up like GB2312 double bytes:
        /// GBK bytes that were decoded as ISO-8859-1 (e.g. from DBF LDID 87).
        case gbkReadAsLatin1
        /// Latin-1 characters whose bytes form valid multi-byte UTF-8: UTF-8 read as ISO-8859-1.
        case utf8ReadAsLatin1
    }

    /// Whether every byte is ASCII (then the bytes are UTF-8, and nothing here can be wrong
    /// with them), eight at a time: a CSV table of millions of rows is checked whole, a field
    /// value on every feature.
    public static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var high: UInt64 = 0, offset = 0
        while offset + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < raw.count { high |= UInt64(raw[offset]); offset += 1 }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Checks the UTF-8 bytes GDAL returned for one field value.
    /// - Parameter assumedLatin1: whether GDAL decoded the source as ISO-8859-1 (so the
    ///   Latin-1 heuristics apply); false when the user chose the encoding explicitly.
    public static func problem(in bytes: [UInt8], assumedLatin1: Bool) -> Problem? {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return nil }  // ASCII is always fine
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .notUTF8(likelyGBK: looksLikeGBK(bytes))
        }
        if text.unicodeScalars.contains("\u{FFFD}") { return .replacementCharacter }
        guard assumedLatin1, text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return nil }
        let latin1Bytes = text.unicodeScalars.map { UInt8($0.value) }
        if String(validating: latin1Bytes, as: UTF8.self) != nil { return .utf8ReadAsLatin1 }
        if looksLikeGB2312Pairs(latin1Bytes) { return .gbkReadAsLatin1 }
        return nil
    }

    /// Whether every high byte starts a well-formed GBK double-byte character.
    public static func looksLikeGBK(_ bytes: [UInt8]) -> Bool {
        var index = 0
        var sawDoubleByte = false
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            guard (0x81...0xFE).contains(lead), index + 1 < bytes.count else { return false }
            let trail = bytes[index + 1]
            guard (0x40...0xFE).contains(trail), trail != 0x7F else { return false }
            sawDoubleByte = true
            index += 2
        }
        return sawDoubleByte
    }

    /// Stricter than `looksLikeGBK`: high bytes come only in pairs within the GB2312 block
    /// (0xA1–0xFE both), which European Latin-1 text (isolated accented letters) never does.
    static func looksLikeGB2312Pairs(_ bytes: [UInt8]) -> Bool {
        var index = 0
        var pairs = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 { index += 1; continue }
            guard (0xA1...0xFE).contains(byte), index + 1 < bytes.count, (0xA1...0xFE).contains(bytes[index + 1]) else {
                return false
            }
            pairs += 1
            index += 2
        }
        return pairs > 0
    }
}
