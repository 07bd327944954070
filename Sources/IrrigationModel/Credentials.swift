import Foundation

/// Keeps secrets out of what irrizone writes and prints (issue #23): a GDAL connection string
/// such as `PG:"host=db user=gis password=s3cret"` is copied into run.json, rejects.csv, the
/// report and messages, which get mailed around.
public enum Credentials {
    /// `password=…`, `pwd=…`, `passwd=…` (libpq, ODBC, GDAL open options; quoted or bare) and
    /// the password of a URL (`postgresql://user:secret@host`).
    private static let patterns: [(NSRegularExpression, String)] = [
        (try! NSRegularExpression(pattern: #"(?i)\b(password|passwd|pwd)(\s*=\s*)('[^']*'|"[^"]*"|[^\s;'"&]+)"#), "$1$2***"),
        (try! NSRegularExpression(pattern: #"(?i)([a-z][a-z0-9+.-]*://[^:/@\s]+:)([^@\s]+)(@)"#), "$1***$3"),
    ]

    /// `text` with every password replaced by `***`.
    public static func redact(_ text: String) -> String {
        // One pass over the bytes decides whether the patterns need to run at all (a report of
        // megabytes holds no password, and the regular expressions took 0.1 s over it).
        guard mayHoldPassword(text) else { return text }
        var result = text
        for (pattern, template) in patterns {
            result = pattern.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }

    /// A command line with every password redacted, and the value of a GDAL configuration option
    /// that carries a secret (`--config AWS_SECRET_ACCESS_KEY …`, `GDAL_HTTP_USERPWD`, tokens)
    /// replaced by `***`.
    public static func redact(arguments: [String]) -> [String] {
        var result = arguments.map(redact)
        var index = 0
        while index < result.count {
            if result[index] == "--config" {
                var cursor = index + 1
                while cursor + 1 < result.count, !result[cursor].hasPrefix("--") {
                    if isSecretOption(result[cursor]) { result[cursor + 1] = "***" }
                    cursor += 2
                }
                index = cursor
            } else {
                index += 1
            }
        }
        return result
    }

    /// A GDAL configuration option whose value is a secret.
    public static func isSecretOption(_ key: String) -> Bool {
        let upper = key.uppercased()
        return ["SECRET", "PASSWORD", "PASSWD", "PWD", "TOKEN", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"].contains { upper.contains($0) }
    }

    /// Whether `text` has "pass" or "pwd" (any case), or a URL whose authority holds `:` and then `@`.
    static func mayHoldPassword(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index] | 0x20  // ASCII lower case (and harmless on other bytes)
                if byte == UInt8(ascii: "p"), index + 2 < count {
                    let second = bytes[index + 1] | 0x20, third = bytes[index + 2] | 0x20
                    if second == UInt8(ascii: "w"), third == UInt8(ascii: "d") { return true }
                    if second == UInt8(ascii: "a"), third == UInt8(ascii: "s"), index + 3 < count, bytes[index + 3] | 0x20 == UInt8(ascii: "s") { return true }
                }
                if bytes[index] == UInt8(ascii: ":"), index + 2 < count, bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/") {
                    // Up to the next blank, as far as the pattern's password (`[^@\s]+`) may reach: a
                    // password may hold '/' or quotes.
                    var cursor = index + 3, colon = false
                    while cursor < count {
                        let c = bytes[cursor]
                        if c == UInt8(ascii: " ") || c == 0x09 || c == 0x0A || c == 0x0D { break }
                        if c == UInt8(ascii: ":") { colon = true } else if c == UInt8(ascii: "@"), colon { return true }
                        cursor += 1
                    }
                }
                index += 1
            }
            return false
        }
    }
}
