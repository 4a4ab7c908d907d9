import Foundation

/// `manifest.json` of a model bundle (docs/MODEL_FORMAT.md). JSON keys are snake_case.
public struct Manifest: Codable, Equatable, Sendable {
    public static let currentFormat = 1

    public var formatVersion: Int
    public var product: String
    /// Unique per trained model: `<product>-<UTC date-time>-<data hash prefix>`.
    public var modelVersion: String
    public var created: String
    public var architecture: Architecture
    /// How 8-bit pixels become network inputs: v = x / 127.5 − 1.
    public var normalization: String
    public var solver: SolverSettings
    /// Thresholds of the default solver mode and score (`solver.mode`, `solver.score`).
    public var thresholds: Thresholds
    /// Thresholds calibrated for each solver mode and score (`calibrationKey`), so that `--mode` and
    /// `--score` comparisons use their own calibration.
    public var calibration: [String: Thresholds]?
    /// What good texture looks like locally (nil in bundles trained before it existed; the `texture`
    /// Gaussians of older bundles are ignored, `rgictl calibrate` fits a critic for them).
    public var textureCritic: TextureCritic?
    /// Per solver mode, the residual of held-out good pixels at their 99.9th percentile: the unit of
    /// the residual in the combined score.
    public var residualScale: [String: Float]?
    public var training: TrainingRecord
    public var files: Files

    public struct Architecture: Codable, Equatable, Sendable {
        /// `dcgan-tile`: GeneratorBuilder / EncoderBuilder / DiscriminatorBuilder.
        public var kind: String
        public var generator: GeneratorSpec
    }

    public struct TrainingRecord: Codable, Equatable, Sendable {
        public var dataFolder: String
        public var dataHash: String
        public var images: Int
        public var holdoutImages: Int
        public var imageWidth: Int
        public var imageHeight: Int
        public var steps: Int
        public var seconds: Double
        public var tilesPerSecond: Double
        public var finalReconstructionL1: Float
        public var holdoutReconstructionL1: Float?
        public var options: TrainingOptions
    }

    public struct Files: Codable, Equatable, Sendable {
        public var generator = "generator.safetensors"
        public var encoder = "encoder.safetensors"
        public var discriminator = "discriminator.safetensors"
        public init() {}
    }

    /// The calibrated thresholds for a solver mode and score (the default ones for bundles calibrated
    /// before per-mode calibration existed).
    public func thresholds(for mode: SolverSettings.Mode, score: SolverSettings.Score) -> Thresholds {
        calibration?[Self.calibrationKey(mode, score)] ?? thresholds
    }

    /// The calibrated thresholds for these settings' mode and the score a detector shows with them.
    public func thresholds(for settings: SolverSettings) -> Thresholds {
        thresholds(for: settings.mode, score: settings.score.shown(hasTexture: textureCritic != nil))
    }

    public func residualScale(for mode: SolverSettings.Mode) -> Float {
        residualScale?[mode.rawValue] ?? 1
    }

    /// `r-rgi` for the residual score (what bundles before the texture evidence calibrated), else
    /// `r-rgi+combined`, `r-rgi+texture`.
    public static func calibrationKey(_ mode: SolverSettings.Mode, _ score: SolverSettings.Score) -> String {
        score == .residual ? mode.rawValue : "\(mode.rawValue)+\(score.rawValue)"
    }

    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }()

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()
}
