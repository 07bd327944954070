/// The irrizone release, reported by `--version` and in run.json.
public enum IrrizoneVersion {
    public static let current = "0.1.0"
}
