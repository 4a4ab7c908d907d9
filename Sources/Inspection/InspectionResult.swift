import Foundation
import Imaging
@_exported import struct RGI.Thresholds

/// What the inspection of one frame concluded, with everything a report needs: the frame, the
/// per-pixel score map, the defect mask, the restored (defect-free) image and the regions.
public struct InspectionResult: Sendable {
    public var product: String
    public var modelVersion: String
    /// Solver mode that produced it: `inversion`, `rgi` or `r-rgi`.
    public var mode: String
    public var frame: FrameInfo
    /// The inspected frame, 8-bit, 1 or 3 channels.
    public var image: Image
    /// Per-pixel anomaly score, same size as `image`.
    public var scores: ScoreMap
    /// 255 where the detector marks a defect, 0 elsewhere; `image.width × image.height` bytes.
    public var mask: [UInt8]
    /// The part as it should look: the model's reconstruction inside the defects' extent, the frame elsewhere.
    public var restored: Image
    public var imageScore: Float
    public var decision: Decision
    public var regions: [DefectRegion]
    public var thresholds: Thresholds
    public var timings: Timings

    public init(product: String, modelVersion: String, mode: String, frame: FrameInfo, image: Image,
                scores: ScoreMap, mask: [UInt8], restored: Image, imageScore: Float, decision: Decision,
                regions: [DefectRegion], thresholds: Thresholds, timings: Timings) {
        precondition(scores.width == image.width && scores.height == image.height, "score map size differs from the frame")
        precondition(mask.count == image.width * image.height, "mask size differs from the frame")
        self.product = product; self.modelVersion = modelVersion; self.mode = mode; self.frame = frame
        self.image = image; self.scores = scores; self.mask = mask; self.restored = restored
        self.imageScore = imageScore; self.decision = decision; self.regions = regions
        self.thresholds = thresholds; self.timings = timings
    }
}

public enum Decision: String, Codable, Sendable {
    case ok
    case defect
}

/// Where the frame came from.
public struct FrameInfo: Codable, Equatable, Sendable {
    public var sequence: UInt64
    /// Source id: a device path, a replay folder, or an image file for offline inspection.
    public var camera: String
    public var capturedAt: Date

    public init(sequence: UInt64, camera: String, capturedAt: Date) {
        self.sequence = sequence; self.camera = camera; self.capturedAt = capturedAt
    }
}

/// A per-pixel score map, row-major.
public struct ScoreMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "score map of \(values.count) values for \(width)×\(height)")
        self.width = width; self.height = height; self.values = values
    }

    public var maximum: Float { values.max() ?? 0 }
}

/// One defect: a connected region of the defects' extent, described by its mask pixels (see `DefectRegions`).
public struct DefectRegion: Codable, Equatable, Sendable {
    /// Bounding box in frame pixels.
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    /// Mask pixels in the region.
    public var area: Int
    public var peakScore: Float
    public var meanScore: Float

    public init(x: Int, y: Int, width: Int, height: Int, area: Int, peakScore: Float, meanScore: Float) {
        self.x = x; self.y = y; self.width = width; self.height = height
        self.area = area; self.peakScore = peakScore; self.meanScore = meanScore
    }
}

/// Milliseconds spent in each stage of inspecting the frame: `solveMs` is the solve that finds the
/// defects, `restoreMs` the second solve that restores them (0 on a frame with nothing to restore),
/// `postprocessMs` the masks, regions and images around them.
public struct Timings: Codable, Equatable, Sendable {
    public var preprocessMs: Double
    public var solveMs: Double
    public var restoreMs: Double
    public var postprocessMs: Double
    public var totalMs: Double

    public init(preprocessMs: Double, solveMs: Double, restoreMs: Double, postprocessMs: Double, totalMs: Double) {
        self.preprocessMs = preprocessMs; self.solveMs = solveMs; self.restoreMs = restoreMs
        self.postprocessMs = postprocessMs; self.totalMs = totalMs
    }
}
