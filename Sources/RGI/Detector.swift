import Engine
import Foundation

/// R-RGI on whole images: cuts an image into overlapping tiles, solves them in batches, and
/// stitches the reconstruction and the residual back with a window that fades towards tile
/// edges (no seams), then scores, thresholds and restores.
///
/// Residual: |y − G(z)| per pixel (root-mean-square over channels), blended over the tile overlaps,
/// blurred with a Gaussian of `blurSigma`. Score: the residual, the texture critic's score, or the
/// larger of the two (`SolverSettings.Score`). The mask (`DefectMask`, applied by the inspector):
/// regions above the thresholds, cut to each defect's shape. Restored (`inpaint`): G(z) inside the
/// defects' extent, solved again with the extent out of the data term, the input elsewhere.
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
        /// The blurred residual |y − G(z)|, row-major; nil where G was not solved (the texture score).
        public let residual: [Float]?
        /// The texture critic's score, when the score uses it.
        public let texture: [Float]?
        /// With the combined score, the residual in the score's units (divided by its good 99.9th
        /// percentile): it localises a defect more sharply than the texture statistics, and
        /// `DefectMask` shapes regions by it where it finds the defect by itself.
        public let scaledResidual: [Float]?
        /// Stitched G(z), CHW in [-1, 1]; nil where G was not solved (the texture score).
        public let reconstruction: [Float]?
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
    /// Pixels the defects' extent grows by before it is restored (`inpaint`). The texture score is taken
    /// over windows (statistics at σ up to 8, blurred), and its extent stops short of a defect's rim: on
    /// the benchmark's grass and gravel it covers two thirds to three quarters of each defect it touches,
    /// and a rim left in the data term pulls the restoration towards the defect (docs/METHOD.md,
    /// "Restoring the part"). The residual's sharp edges need no growth: with the combined score brick's
    /// extent covers 97 % of its defects, and growing it replaces good part with G(z) for nothing.
    public var restorationGrowth: Int { scoreKind == .texture ? 3 : 0 }

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
    ///
    /// With the texture score alone, nothing the score shows depends on G, so G is not solved here: a
    /// frame without a defect costs only the critic, and `inpaint` solves the tiles of a defect when
    /// there is one (docs/METHOD.md, "The texture score solves G only to restore").
    public func inspect(planes: [Float], width: Int, height: Int, minArea: Int) -> Output {
        precondition(planes.count == channels * width * height, "image planes do not match \(width)×\(height)×\(channels)")
        let started = Date()
        var residualScore: [Float]?, reconCrop: [Float]?, steps = 0
        if scoreKind != .texture {
            let pad = padding
            let padded = Self.mirrorPad(planes, width: width, height: height, channels: channels, pad: pad)
            let solved = solveTiles(padded, width: width + 2 * pad, height: height + 2 * pad)
            let residualCrop = Self.crop(solved.residual, width: width + 2 * pad, channels: 1, pad: pad, toWidth: width, height: height)
            reconCrop = Self.crop(solved.recon, width: width + 2 * pad, channels: channels, pad: pad, toWidth: width, height: height)
            residualScore = GaussianBlur.apply(residualCrop, width: width, height: height, sigma: settings.blurSigma)
            steps = solved.steps
        }
        let textureScore = scoreKind == .residual ? nil : texture?.score(planes, width: width, height: height)
        let score = Self.combine(scoreKind, residual: residualScore, texture: textureScore, residualScale: residualScale)
        let scale = residualScale
        let scaledResidual = scoreKind == .combined && textureScore != nil ? residualScore?.map { $0 / scale } : nil
        return Output(width: width, height: height, channels: channels, score: score, residual: residualScore,
                      texture: textureScore, scaledResidual: scaledResidual, reconstruction: reconCrop,
                      imageScore: AreaOpening.imageScore(score, width: width, height: height, minArea: minArea),
                      solverSteps: steps, solveSeconds: Date().timeIntervalSince(started))
    }

    /// The score map of `kind` from the residual and the texture score (nil: residual only). Only the
    /// texture score exists without a residual.
    public static func combine(_ kind: SolverSettings.Score, residual: [Float]?, texture: [Float]?, residualScale: Float) -> [Float] {
        if let texture, kind == .texture { return texture }
        guard let residual else { preconditionFailure("the \(kind.rawValue) score needs the residual, and G was not solved") }
        guard let texture, kind != .residual else { return residual }
        return zip(residual, texture).map { max($0 / residualScale, $1) }
    }

    /// Restores the defects under `mask` (mask-free inpainting's second half): every tile that touches
    /// the mask is solved again with the masked pixels left out of the data term, so that G(z) inside the
    /// mask comes from the good part around it. In the first solve the defect was part of the data:
    /// wherever G can draw a defect's darkening (a hole, a stain on grass), G(z) had drawn it. Each tile
    /// starts from the encoding of one of two views of the frame, whichever G reproduces better outside
    /// the mask: the mask filled with the local mean of its surroundings (nothing of the defect in it) or
    /// with the first solve's G(z) (`reconstruction`: sharper where G did not draw the defect); without a
    /// first solve (the texture score), from the first view.
    /// Returns the input outside the mask and the new G(z) inside.
    public func inpaint(planes: [Float], width: Int, height: Int, mask: [Bool], reconstruction: [Float]?) -> [Float] {
        precondition(planes.count == channels * width * height && mask.count == width * height
                     && (reconstruction?.count ?? planes.count) == planes.count,
                     "image, mask or reconstruction do not match \(width)×\(height)×\(channels)")
        guard mask.contains(true) else { return planes }
        let detecting = settings
        settings.steps = settings.restoreSteps ?? settings.steps
        defer { settings = detecting }
        let pad = padding, w = width + 2 * pad, h = height + 2 * pad
        let known = Self.mirrorPad(mask.map { $0 ? 0 : 1 }, width: width, height: height, channels: 1, pad: pad)
        let views = [Self.fill(planes, width: width, height: height, channels: channels, mask: mask, sigma: Float(tile) / 8)]
            + (reconstruction.map { [Self.restore(planes: planes, reconstruction: $0, mask: mask, channels: channels)] } ?? [])
        let solved = solveTiles(Self.mirrorPad(planes, width: width, height: height, channels: channels, pad: pad), width: w, height: h,
                                known: known, encode: views.map { Self.mirrorPad($0, width: width, height: height, channels: channels, pad: pad) })
        let inpainted = Self.crop(solved.recon, width: w, channels: channels, pad: pad, toWidth: width, height: height)
        return Self.restore(planes: planes, reconstruction: inpainted, mask: mask, channels: channels)
    }

    /// The planes with every masked pixel replaced by the Gaussian-weighted mean (σ, then 4σ for pixels
    /// deep inside a large mask, then the whole frame's) of the unmasked pixels around it.
    static func fill(_ planes: [Float], width: Int, height: Int, channels: Int, mask: [Bool], sigma: Float) -> [Float] {
        let plane = width * height
        let weight = mask.map { $0 ? Float(0) : 1 }
        let blur = { (v: [Float], s: Float) in GaussianBlur.apply(v, width: width, height: height, sigma: s) }
        let nearWeight = blur(weight, sigma), farWeight = blur(weight, 4 * sigma), knownCount = weight.reduce(0, +)
        var out = planes
        for c in 0..<channels {
            let values = (0..<plane).map { planes[c * plane + $0] * weight[$0] }
            let near = blur(values, sigma), far = blur(values, 4 * sigma)
            let mean = knownCount > 0 ? values.reduce(0, +) / knownCount : 0
            for i in 0..<plane where mask[i] {
                out[c * plane + i] = nearWeight[i] > 1e-3 ? near[i] / nearWeight[i] : farWeight[i] > 1e-3 ? far[i] / farWeight[i] : mean
            }
        }
        return out
    }

    /// Tiles, solves and stitches: per-pixel residual magnitude and reconstruction, and the mean
    /// solver steps per batch. With `known` (one plane, 1 or 0), only the tiles holding an unknown pixel
    /// are solved, with the unknown pixels out of the data term and the `encode` planes as the encoder's
    /// inputs (`Solver.solve`); pixels no such tile covers are left 0.
    private func solveTiles(_ planes: [Float], width: Int, height: Int, known: [Float]? = nil,
                            encode: [[Float]] = []) -> (residual: [Float], recon: [Float], steps: Int) {
        let t = tile, plane = width * height
        // A stride above the tile would leave pixels no tile covers.
        let stride = min(settings.stride, t)
        let xs = Self.origins(length: width, tile: t, stride: stride)
        let ys = Self.origins(length: height, tile: t, stride: stride)
        var positions = ys.flatMap { y in xs.map { (x: $0, y: y) } }
        if let known {
            positions = positions.filter { p in (0..<t).contains { r in (0..<t).contains { known[(p.y + r) * width + p.x + $0] == 0 } } }
        }
        var residual = [Float](repeating: 0, count: plane)
        var recon = [Float](repeating: 0, count: channels * plane)
        var weight = [Float](repeating: 0, count: plane)
        let shape = Shape(min(maxTiles, max(positions.count, 1)), channels, t, t)
        let batch = Tensor(shape)
        let knownBatch = known.map { _ in Tensor(shape) }, encodeBatches = encode.map { _ in Tensor(shape) }
        /// Copies the tiles at `chunk` of CHW planes (`source` channels, broadcast to the model's) into `into`.
        func gather(_ source: [Float], channels sourceChannels: Int, _ chunk: ArraySlice<(x: Int, y: Int)>, into: Tensor) {
            into.reshape(Shape(chunk.count, channels, t, t))
            source.withUnsafeBufferPointer { source in
                for (k, p) in chunk.enumerated() {
                    for c in 0..<channels {
                        for r in 0..<t {
                            let src = source.baseAddress! + (c % sourceChannels) * plane + (p.y + r) * width + p.x
                            (into.data + ((k * channels + c) * t + r) * t).update(from: src, count: t)
                        }
                    }
                }
            }
        }
        var steps = 0
        for chunkStart in Swift.stride(from: 0, to: positions.count, by: maxTiles) {
            let chunk = positions[chunkStart..<min(positions.count, chunkStart + maxTiles)]
            gather(planes, channels: channels, chunk, into: batch)
            if let known, let knownBatch { gather(known, channels: 1, chunk, into: knownBatch) }
            for (view, into) in zip(encode, encodeBatches) { gather(view, channels: channels, chunk, into: into) }
            steps += solver.solve(batch, encode: encodeBatches, known: knownBatch).steps
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
        for i in 0..<plane where weight[i] > 0 {
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
        let mirror = GaussianBlur.mirrorSkippingEdge
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

    /// How far, in standard deviations of the frame's own values, a pixel must stand from its
    /// restoration to be an outlier (`DefectMask.shapedByOutliers`). G(z) restoring unseen texture is
    /// off by about the texture's spread on good pixels; measured on the benchmark, docs/METHOD.md.
    public static let outlierSpread: Float = 2

    /// Per pixel, |frame − restored| in units of `outlierSpread` × the frame's standard deviation,
    /// the largest over the channels (each channel against its own deviation).
    public static func outliers(planes: [Float], restored: [Float], channels: Int) -> [Float] {
        precondition(planes.count == restored.count && planes.count % channels == 0, "frame and restoration do not match")
        let plane = planes.count / channels
        var out = [Float](repeating: 0, count: plane)
        for c in 0..<channels {
            let level = max(outlierSpread * spread(planes[(c * plane)..<((c + 1) * plane)]), 1e-6)
            for i in 0..<plane { out[i] = max(out[i], abs(planes[c * plane + i] - restored[c * plane + i]) / level) }
        }
        return out
    }

    /// The level of a region's shift (`shifts`), in standard deviations of the frame's own values: how
    /// far a region's median pixel must be shifted for the region to be shaped by its shift (measured on
    /// the benchmark, docs/METHOD.md, "Shaping a stain by its shift").
    public static let shiftSpread: Float = 0.5
    /// The Gaussian the shift is blurred with, pixels: wide enough that good texture's misses average
    /// out, narrow against a stain.
    public static let shiftSigma: Float = 3

    /// Per pixel, frame − restored blurred with `shiftSigma`, in units of `shiftSpread` × the frame's
    /// standard deviation, the mean over the channels (each against its own deviation).
    public static func shifts(planes: [Float], restored: [Float], width: Int, height: Int, channels: Int) -> [Float] {
        precondition(planes.count == restored.count && planes.count == width * height * channels, "frame and restoration do not match")
        let plane = width * height
        var mean = [Float](repeating: 0, count: plane)
        for c in 0..<channels {
            let values = planes[(c * plane)..<((c + 1) * plane)]
            let level = max(shiftSpread * spread(values), 1e-6) * Float(channels)
            for i in 0..<plane { mean[i] += (planes[c * plane + i] - restored[c * plane + i]) / level }
        }
        return GaussianBlur.apply(mean, width: width, height: height, sigma: shiftSigma)
    }

    /// The standard deviation of a channel's values.
    static func spread(_ values: ArraySlice<Float>) -> Float {
        let mean = values.reduce(0, +) / Float(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
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
