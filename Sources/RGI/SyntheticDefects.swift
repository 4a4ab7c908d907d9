import Engine
import Foundation

/// Defects made from good images only, to teach the texture critic what "not this texture" looks
/// like without a single labelled defect (the idea of CutPaste and DRAEM). Each defect is a random
/// region blended in with a soft edge — a blob of thresholded smoothed noise for all changes but
/// `line`, a thin random curve for it:
///
/// - `intensity`: the region darkened or brightened by a factor (stains, burns, glare);
/// - `foreignTexture`: texture from another good image, turned and possibly at half scale, brought
///   to the region's mean and contrast (contamination, a wrong part);
/// - `foreignPattern`: a texture no good part has — smoothed noise of a random grain, in half the
///   cases cut into 2–4 flat levels — brought to the region's mean and contrast (a foreign material,
///   the way DRAEM pastes textures from an unrelated dataset, without needing one);
/// - `smoothing`: the region blurred (wear, a smeared or missing texture; calibration's checks only,
///   not the critic's training, `TextureCritic.trainingChanges`);
/// - `noise`: grain added (dust, pitting);
/// - `line`: a thin curve filled flat bright or dark (scratches, cracks, hairs).
public enum SyntheticDefects {
    public enum Change: CaseIterable, Sendable {
        case intensity, foreignTexture, foreignPattern, smoothing, noise, line
    }

    /// Blob areas, pixels, for a 128×128 image (scaled with the image's area).
    static let blobArea = 40...2000

    /// `image` (CHW, `width`×`height`) with one synthetic defect, and the defect's mask. `donor` is
    /// another good image of the same size (the source of foreign texture).
    public static func make(_ image: [Float], donor: [Float], width: Int, height: Int, channels: Int,
                            change: Change, rng: inout SeededGenerator) -> (planes: [Float], mask: [Bool]) {
        let plane = width * height
        precondition(image.count == channels * plane && donor.count == image.count, "images do not match \(width)×\(height)×\(channels)")
        let mask = change == .line ? curve(width: width, height: height, rng: &rng) : blob(width: width, height: height, rng: &rng)
        let soft = GaussianBlur.apply(mask.map { $0 ? 1 : 0 }, width: width, height: height, sigma: 0.7)
        var changed = image
        switch change {
        case .intensity:
            let factor = rng.uniform() < 0.5 ? 0.3 + 0.5 * rng.uniform() : 1.2 + 0.5 * rng.uniform()
            changed = image.map { min(max((($0 + 1) / 2) * factor, 0), 1) * 2 - 1 }
        case .foreignTexture:
            changed = foreign(donor, like: image, mask: mask, width: width, height: height, channels: channels, rng: &rng)
        case .foreignPattern:
            changed = pattern(like: image, mask: mask, width: width, height: height, channels: channels, rng: &rng)
        case .smoothing:
            let sigma = 1.5 + 1.5 * rng.uniform()
            changed = []
            for c in 0..<channels {
                changed += GaussianBlur.apply(Array(image[c * plane..<(c + 1) * plane]), width: width, height: height, sigma: sigma)
            }
        case .noise:
            let std = 0.1 + 0.2 * rng.uniform()
            changed = image.map { min(max($0 + std * rng.normal(), -1), 1) }
        case .line:
            let level = (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + 0.5 * rng.uniform())
            changed = [Float](repeating: level, count: image.count)
        }
        var out = image
        for c in 0..<channels {
            for i in 0..<plane where soft[i] > 0 {
                let k = c * plane + i
                out[k] = image[k] * (1 - soft[i]) + changed[k] * soft[i]
            }
        }
        return (out, mask)
    }

    /// One connected region of thresholded smoothed noise, its area in `blobArea` (scaled to the image);
    /// after 100 draws without one (a tiny image), a disk of about the smallest such area.
    static func blob(width: Int, height: Int, rng: inout SeededGenerator) -> [Bool] {
        let scale = Double(width * height) / Double(128 * 128)
        let lower = min(width * height, max(8, Int(Double(blobArea.lowerBound) * scale)))
        let upper = max(lower, Int(Double(blobArea.upperBound) * scale))
        var noise = [Float](repeating: 0, count: width * height)
        for _ in 0..<100 {
            for i in noise.indices { noise[i] = rng.normal() }
            let smooth = GaussianBlur.apply(noise, width: width, height: height, sigma: 3 + 5 * rng.uniform())
            let rms = (smooth.reduce(0) { $0 + $1 * $1 } / Float(smooth.count)).squareRoot()
            let level = (1.5 + rng.uniform()) * rms
            let regions = ConnectedComponents.label(smooth.map { $0 > level }, width: width, height: height)
            guard regions.count > 0 else { continue }
            var area = [Int](repeating: 0, count: regions.count + 1)
            for l in regions.labels where l > 0 { area[l] += 1 }
            let candidates = (1...regions.count).filter { area[$0] >= lower && area[$0] <= upper }
            guard !candidates.isEmpty else { continue }
            let chosen = candidates[Int(rng.next() % UInt64(candidates.count))]
            return regions.labels.map { $0 == chosen }
        }
        let cx = Int(rng.next() % UInt64(width)), cy = Int(rng.next() % UInt64(height))
        let r2 = Float(lower) / Float.pi
        return (0..<(width * height)).map { i in
            let dx = Float(i % width - cx), dy = Float(i / width - cy)
            return dx * dx + dy * dy <= r2
        }
    }

    /// A random walk of 20–80 steps with a slowly turning heading, thickened to 3–5 pixels.
    static func curve(width: Int, height: Int, rng: inout SeededGenerator) -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        var x = Float(width) * (0.1 + 0.8 * rng.uniform()), y = Float(height) * (0.1 + 0.8 * rng.uniform())
        var heading = 2 * Float.pi * rng.uniform()
        let radius = 1 + Int(rng.next() % 2)
        for _ in 0..<(20 + Int(rng.next() % 61)) {
            heading += 0.2 * rng.normal()
            x += cosf(heading); y += sinf(heading)
            guard x >= 0, y >= 0, Int(x) < width, Int(y) < height else { break }
            for dy in -radius...radius {
                for dx in -radius...radius where dx * dx + dy * dy <= radius * radius {
                    let px = Int(x) + dx, py = Int(y) + dy
                    if px >= 0, py >= 0, px < width, py < height { mask[py * width + px] = true }
                }
            }
        }
        return mask
    }

    /// The donor's texture, shifted, turned by a multiple of 90° (square images) and at full or half
    /// scale, with each channel brought to the masked region's mean and standard deviation.
    static func foreign(_ donor: [Float], like image: [Float], mask: [Bool], width: Int, height: Int, channels: Int,
                        rng: inout SeededGenerator) -> [Float] {
        let plane = width * height
        let step = rng.uniform() < 0.5 ? 1 : 2
        let ox = Int(rng.next() % UInt64(width)), oy = Int(rng.next() % UInt64(height))
        let turn = width == height ? Int(rng.next() % 4) : 0
        let m = GaussianBlur.mirror
        var out = [Float](repeating: 0, count: image.count)
        for c in 0..<channels {
            for r in 0..<height {
                for x in 0..<width {
                    let (u, v) = turn == 0 ? (x, r) : turn == 1 ? (r, width - 1 - x) : turn == 2 ? (width - 1 - x, height - 1 - r) : (height - 1 - r, x)
                    let sx = m(ox + u * step, width), sy = m(oy + v * step, height)
                    out[c * plane + r * width + x] = donor[c * plane + sy * width + sx]
                }
            }
            let inside = (0..<plane).filter { mask[$0] }
            let target = moments(image, from: c * plane, at: inside), source = moments(out, from: c * plane, at: inside)
            for i in 0..<plane {
                let k = c * plane + i
                out[k] = min(max((out[k] - source.mean) / max(source.std, 1e-6) * target.std + target.mean, -1), 1)
            }
        }
        return out
    }

    /// Gaussian noise blurred with σ 0.5–4 (one pattern for every channel), in half the cases quantised
    /// into 2–4 levels, with each channel brought to the masked region's mean and standard deviation.
    static func pattern(like image: [Float], mask: [Bool], width: Int, height: Int, channels: Int,
                        rng: inout SeededGenerator) -> [Float] {
        let plane = width * height
        let sigma = 0.5 + 3.5 * rng.uniform()
        var texture = GaussianBlur.apply((0..<plane).map { _ in rng.normal() }, width: width, height: height, sigma: sigma)
        let inside = (0..<plane).filter { mask[$0] }
        if rng.uniform() < 0.5 {
            let levels = Float(2 + Int(rng.next() % 3)), (mean, std) = moments(texture, from: 0, at: inside)
            // Levels about a standard deviation apart: flat patches with sharp steps between them.
            texture = texture.map { min(max(((($0 - mean) / max(std, 1e-6) + levels / 2) * (levels - 1) / levels).rounded(), 0), levels - 1) }
        }
        let source = moments(texture, from: 0, at: inside)
        var out = [Float](repeating: 0, count: image.count)
        for c in 0..<channels {
            let target = moments(image, from: c * plane, at: inside)
            for i in 0..<plane {
                out[c * plane + i] = min(max((texture[i] - source.mean) / max(source.std, 1e-6) * target.std + target.mean, -1), 1)
            }
        }
        return out
    }
}
