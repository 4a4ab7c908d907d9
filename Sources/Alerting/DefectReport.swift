import Foundation
import Inspection

/// The `report.json` of one report folder: what was inspected, what was found and which files
/// show it. Keys are snake_case (see `ReportJSON`); `schema_version` changes whenever a field
/// changes meaning or disappears (adding a field keeps it), so readers can refuse what they
/// do not understand. `/work/shared/bench/score.py` reads `image_score`, `decision` and
/// `score_map`.
public struct DefectReport: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1

    /// The files every report folder holds, by role.
    public static let fileNames: [String: String] = [
        "frame": "frame.png", "mask": "mask.png", "score": "score.png",
        "overlay": "overlay.png", "restored": "restored.png",
    ]

    public var schemaVersion: Int
    /// When the frame was captured (ISO 8601 with the local UTC offset in the JSON).
    public var timestamp: Date
    public var product: String
    public var modelVersion: String
    /// `inversion`, `rgi` or `r-rgi`.
    public var mode: String
    public var frame: Frame
    public var decision: Decision
    public var imageScore: Float
    public var regions: [Region]
    public var thresholds: Thresholds
    public var timings: Timings
    public var scoreMap: ScoreMapFile
    /// Role → file name inside the report folder (`DefectReport.fileNames`).
    public var files: [String: String]

    /// `scoreMapMax` is the scale of the 16-bit `score.png` (see `ScoreMapEncoding`).
    public init(result: InspectionResult, scoreMapMax: Float) {
        schemaVersion = Self.currentSchemaVersion
        timestamp = result.frame.capturedAt
        product = result.product
        modelVersion = result.modelVersion
        mode = result.mode
        frame = Frame(sequence: result.frame.sequence, camera: result.frame.camera,
                      width: result.image.width, height: result.image.height, channels: result.image.channels)
        decision = result.decision
        imageScore = result.imageScore
        regions = result.regions.map(Region.init)
        thresholds = result.thresholds
        timings = result.timings
        scoreMap = ScoreMapFile(file: Self.fileNames["score"]!, max: scoreMapMax)
        files = Self.fileNames
    }

    /// Pixels marked defective, over all regions.
    public var defectArea: Int { regions.reduce(0) { $0 + $1.area } }

    /// Where the frame came from and its size.
    public struct Frame: Codable, Equatable, Sendable {
        public var sequence: UInt64
        public var camera: String
        public var width: Int
        public var height: Int
        public var channels: Int
    }

    /// One defect: a connected region of the defects' extent, described by its mask pixels.
    public struct Region: Codable, Equatable, Sendable {
        public var bbox: BoundingBox
        /// Mask pixels in the region.
        public var area: Int
        public var peakScore: Float
        public var meanScore: Float

        init(_ region: DefectRegion) {
            bbox = BoundingBox(x: region.x, y: region.y, width: region.width, height: region.height)
            area = region.area
            peakScore = region.peakScore
            meanScore = region.meanScore
        }
    }

    /// In frame pixels, origin top left.
    public struct BoundingBox: Codable, Equatable, Sendable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
    }

    /// `score.png` holds 16-bit greyscale; pixel score = value / 65535 × `max`.
    public struct ScoreMapFile: Codable, Equatable, Sendable {
        public var file: String
        public var max: Float
    }
}
