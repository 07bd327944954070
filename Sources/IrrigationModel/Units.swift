/// Area units used in Chinese land administration.
public enum AreaUnit {
    /// 1 亩 (mu) = 10 000 / 15 m² ≈ 666.67 m², so that 15 mu = 1 ha exactly (DESIGN.md §4).
    public static let squareMetresPerMu = 10_000.0 / 15.0
    public static let squareMetresPerHectare = 10_000.0

    /// 15 mu to the hectare, exactly.
    public static let muPerHectare = 15.0

    public static func hectares(squareMetres: Double) -> Double { squareMetres / squareMetresPerHectare }
    public static func mu(squareMetres: Double) -> Double { squareMetres / squareMetresPerMu }
    public static func mu(hectares: Double) -> Double { hectares * muPerHectare }
    /// A quantity per mu (an irrigation quota in m³/mu) per hectare.
    public static func perHectare(perMu value: Double) -> Double { value * muPerHectare }
}
