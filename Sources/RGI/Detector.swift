import Engine
import Foundation

/// R-RGI on whole images: cuts an image into overlapping tiles, solves them in batches, and
/// stitches the reconstruction and the residual back with a window that fades towards tile
/// edges (no seams), then scores, thresholds and restores.
///
/// Residual: |y − G(z)| per pixel (root-mean-square over channels), blended over the tile overlaps,
/// blurred with a Gaussian of `blurSigma`. Score: the residual, the texture critic's score, or the
/// larger of the two (`SolverSettings.Score`). The mask (`DefectMask`, applied by the inspector):
/// regions above the thresholds, cut to each defect's shape. Restored: G(z) inside the defects'
/// extent, the input elsewhere (mask-free inpainting).
public final class Detector {
    public let solver: Solver
    public let tile: Int
    public let channels: Int
    public let maxTiles: Int
    /// What good texture looks like locally (nil for bundles trained before it existed).
    public var texture: TextureCritic?
    /// The residual of good pixels at their 99.9th percentile, for the combined score.
    public var residualScale: Float = 1

    public struct Output: Sendable {
        public let width: Int
        public let height: Int
        public let channels: Int
        /// Per-pixel anomaly score, row-major.
        public let score: [Float]
        /// The blurred residual |y − G(z)|, row-major.
        public let residual: [Float]
        /// The texture critic's score, when the score uses it.
        public let texture: [Float]?
        /// With the combined score, the residual in the score's units (divided by its good 99.9th
        /// percentile): it localises a defect more sharply than the texture statistics, and
        /// `DefectMask` shapes regions by it where it finds the defect by itself.
        public let scaledResidual: [Float]?
        /// Stitched G(z), CHW in [-1, 1].
        public let reconstruction: [Float]
        /// The area-opening image score (see `AreaOpening`).
        public let imageScore: Float
        public let solverSteps: Int
        public let solveSeconds: Double
    }

    public init(solver: Solver, tile: Int, channels: Int, maxTiles: Int, texture: TextureCritic? = nil, residualScale: Float = 1) {
        self.solver = solver; self.tile = tile; self.channels = channels; self.maxTiles = maxTiles
        self.texture = texture; self.residualScale = residualScale
    }

    /// The evidence the score map shows: the setting, or the residual when there is no texture critic.
    public var scoreKind: SolverSettings.Score { settings.score.shown(hasTexture: texture != nil) }

    public var settings: SolverSettings {
        get { solver.settings }
        set { solver.settings = newValue }
    }

    /// Tile origins along one axis: every `stride`, plus one flush with the far edge.
    static func origins(length: Int, tile: Int, stride: Int) -> [Int] {
        precondition(length >= tile, "image side \(length) is smaller than the tile \(tile)")
        var out = Array(Swift.stride(from: 0, through: length - tile, by: max(1, stride)))
        if out.last! != length - tile { out.append(length - tile) }
        return out
    }

    /// Blending weight along a tile side: ramps up over a quarter tile from each edge, never 0.
    lazy var window: [Float] = {
        let ramp = Float(max(1, tile / 4))
        return (0..<tile).map { i in min(Float(min(i, tile - 1 - i) + 1), ramp) / ramp }
    }()

    /// The border added around an image before tiling.
    public var padding: Int { settings.padding < 0 ? tile / 4 : settings.padding }

    /// Tiles solved for an image of this size.
    public func tileCount(width: Int, height: Int) -> Int {
        let stride = min(settings.stride, tile)
        return Self.origins(length: width + 2 * padding, tile: tile, stride: stride).count
            * Self.origins(length: height + 2 * padding, tile: tile, stride: stride).count
    }

    /// Inspects one image of CHW planes in [-1, 1]; `minArea` is used for the image score.
    public func inspect(planes: [Float], width: Int, height: Int, minArea: Int) -> Output {
        precondition(planes.count == channels * width * height, "image planes do not match \(width)×\(height)×\(channels)")
        let pad = padding
        let started = Date()
        let padded = Self.mirrorPad(planes, width: width, height: height, channels: channels, pad: pad)
        let (residual, recon, steps) = solveTiles(padded, width: width + 2 * pad, height: height + 2 * pad)
        let residualCrop = Self.crop(residual, width: width + 2 * pad, channels: 1, pad: pad, toWidth: width, height: height)
        let reconCrop = Self.crop(recon, width: width + 2 * pad, channels: channels, pad: pad, toWidth: width, height: height)
        let residualScore = GaussianBlur.apply(residualCrop, width: width, height: height, sigma: settings.blurSigma)
        let textureScore = scoreKind == .residual ? nil : texture?.score(planes, width: width, height: height)
        let score = Self.combine(scoreKind, residual: residualScore, texture: textureScore, residualScale: residualScale)
        let scale = residualScale
        let scaledResidual = scoreKind == .combined && textureScore != nil ? residualScore.map { $0 / scale } : nil
        return Output(width: width, height: height, channels: channels, score: score, residual: residualScore,
                      texture: textureScore, scaledResidual: scaledResidual, reconstruction: reconCrop,
                      imageScore: AreaOpening.imageScore(score, width: width, height: height, minArea: minArea),
                      solverSteps: steps, solveSeconds: Date().timeIntervalSince(started))
    }

    /// The score map of `kind` from the residual and the texture score (nil: residual only).
    public static func combine(_ kind: SolverSettings.Score, residual: [Float], texture: [Float]?, residualScale: Float) -> [Float] {
        guard let texture, kind != .residual else { return residual }
        if kind == .texture { return texture }
        return zip(residual, texture).map { max($0 / residualScale, $1) }
    }

    /// Tiles, solves and stitches: per-pixel residual magnitude and reconstruction, and the mean
    /// solver steps per batch.
    private func solveTiles(_ planes: [Float], width: Int, height: Int) -> (residual: [Float], recon: [Float], steps: Int) {
        let t = tile, plane = width * height
        // A stride above the tile would leave pixels no tile covers.
        let stride = min(settings.stride, t)
        let xs = Self.origins(length: width, tile: t, stride: stride)
        let ys = Self.origins(length: height, tile: t, stride: stride)
        let positions = ys.flatMap { y in xs.map { (x: $0, y: y) } }
        var residual = [Float](repeating: 0, count: plane)
        var recon = [Float](repeating: 0, count: channels * plane)
        var weight = [Float](repeating: 0, count: plane)
        let batch = Tensor(Shape(min(maxTiles, positions.count), channels, t, t))
        var steps = 0
        for chunkStart in Swift.stride(from: 0, to: positions.count, by: maxTiles) {
            let chunk = positions[chunkStart..<min(positions.count, chunkStart + maxTiles)]
            batch.reshape(Shape(chunk.count, channels, t, t))
            planes.withUnsafeBufferPointer { source in
                for (k, p) in chunk.enumerated() {
                    for c in 0..<channels {
                        for r in 0..<t {
                            let src = source.baseAddress! + c * plane + (p.y + r) * width + p.x
                            (batch.data + ((k * channels + c) * t + r) * t).update(from: src, count: t)
                        }
                    }
                }
            }
            steps += solver.solve(batch).steps
            let x = solver.reconstruction.data
            for (k, p) in chunk.enumerated() {
                for r in 0..<t {
                    for col in 0..<t {
                        let w = window[r] * window[col]
                        let pix = (p.y + r) * width + p.x + col
                        var sq: Float = 0
                        for c in 0..<channels {
                            let ti = ((k * channels + c) * t + r) * t + col
                            let d = batch.data[ti] - x[ti]
                            sq += d * d
                            recon[c * plane + pix] += w * x[ti]
                        }
                        residual[pix] += w * (sq / Float(channels)).squareRoot()
                        weight[pix] += w
                    }
                }
            }
        }
        for i in 0..<plane {
            residual[i] /= weight[i]
            for c in 0..<channels { recon[c * plane + i] /= weight[i] }
        }
        let chunks = (positions.count + maxTiles - 1) / maxTiles
        return (residual, recon, steps / max(chunks, 1))
    }

    /// CHW planes with a mirrored border of `pad` pixels (edge pixel not repeated).
    static func mirrorPad(_ planes: [Float], width: Int, height: Int, channels: Int, pad: Int) -> [Float] {
        guard pad > 0 else { return planes }
        let w = width + 2 * pad, h = height + 2 * pad
        func mirror(_ i: Int, _ n: Int) -> Int {
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
            return j
        }
        var out = [Float](repeating: 0, count: channels * w * h)
        for c in 0..<channels {
            for y in 0..<h {
                let sy = mirror(y - pad, height)
                for x in 0..<w { out[(c * h + y) * w + x] = planes[(c * height + sy) * width + mirror(x - pad, width)] }
            }
        }
        return out
    }

    /// The inner `toWidth × height` of CHW planes `width` wide with a border of `pad`.
    static func crop(_ planes: [Float], width: Int, channels: Int, pad: Int, toWidth: Int, height: Int) -> [Float] {
        guard pad > 0 else { return planes }
        return ImageTensor.crop(planes, width: width, height: height + 2 * pad, channels: channels, x: pad, y: pad,
                                toWidth: toWidth, toHeight: height)
    }

    /// Restored image: the reconstruction where `mask` is set, the input elsewhere.
    public static func restore(planes: [Float], reconstruction: [Float], mask: [Bool], channels: Int) -> [Float] {
        let plane = mask.count
        var out = planes
        for c in 0..<channels {
            for i in 0..<plane where mask[i] { out[c * plane + i] = reconstruction[c * plane + i] }
        }
        return out
    }
}
