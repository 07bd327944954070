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
        guard text.range(of: "pass", options: .caseInsensitive) != nil || text.range(of: "pwd", options: .caseInsensitive) != nil
            || text.contains("@") else { return text }
        var result = text
        for (pattern, template) in patterns {
            result = pattern.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }
}
