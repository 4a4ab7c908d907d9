import Foundation

/// Restores a stain by dividing its darkening out instead of drawing the part anew. A stain changes
/// how much light the surface returns, so the frame under it is the part's own texture times a
/// factor: y = a·c. G's fill can only guess that texture (on grass and gravel no better than the
/// local mean), while y / a is the texture itself (docs/METHOD.md, "Restoring a stain by its gain").
///
/// Per region of the restored area: the restoration R (G(z) fitted to the good part around the
/// region) against the frame y, both blurred, gives log(R / y), which over a stain is one positive
/// value, log(1/a). The region counts as a stain where that value lies between `gainRange` over the
/// mask's part of the region, the per-pixel gain over the region's interior agrees, and the interior
/// keeps the frame's own grain (fine detail over brightness within `grainRange` of the frame's away
/// from the defects: a hole or a flat patch has none). The stain's support is grown along its edge,
/// where the restored area stopped short of it, into neighbouring pixels darker than the surroundings
/// by more than half the gain, at most `growth` pixels; there the restoration becomes y · gain, except
/// where that would be brighter than anything around the stain (a pixel the mask took but the stain did
/// not darken).
public enum StainRestoration {
    /// The gains a stain may have: below, a region is not shifted enough to tell from texture; above,
    /// it is a hole, not a stain.
    public static let gainRange: ClosedRange<Float> = 1.25...4
    /// How far the interior's grain (fine detail over brightness) may lie from the frame's, as a factor.
    public static let grainRange: ClosedRange<Float> = 0.5...2
    /// The most pixels the support grows beyond the restored area's part of the stain (measured on the
    /// benchmark's grass, docs/METHOD.md).
    public static let growth = 12
    /// The ring around a stain whose brightness is the surroundings': from this many pixels out…
    static let ringInner = 5
    /// …to this many.
    static let ringOuter = 12
    /// The fewest pixels a stain's support may have.
    static let minimumSupport = 16
    /// Intensities below this are taken as this in logarithms.
    static let floor: Float = 2e-3

    /// `restored` with every stain of `restoring` restored by its gain, and the pixels so restored.
    /// - Parameters:
    ///   - planes: the frame, CHW in [-1, 1].
    ///   - restored: its restoration (`Detector.inpaint`), CHW in [-1, 1].
    ///   - restoring: the area `restored` replaced.
    ///   - mask: the defects' mask, inside `restoring`.
    public static func apply(planes: [Float], restored: [Float], restoring: [Bool], mask: [Bool],
                             width: Int, height: Int, channels: Int) -> (planes: [Float], corrected: [Bool]) {
        let plane = width * height
        precondition(planes.count == channels * plane && restored.count == planes.count && restoring.count == plane
                     && mask.count == plane, "frame, restoration or masks do not match \(width)×\(height)×\(channels)")
        let regions = ConnectedComponents.label(restoring, width: width, height: height)
        guard regions.count > 0 else { return (restored, [Bool](repeating: false, count: plane)) }
        let y = grey(planes, plane: plane, channels: channels), r = grey(restored, plane: plane, channels: channels)
        let blur = { (v: [Float], s: Float) in GaussianBlur.apply(v, width: width, height: height, sigma: s) }
        let ratio = zip(blur(r, 2), blur(y, 2)).map(logRatio)
        // Needed only once a region passes the first tests; most defective frames hold no stain.
        lazy var level = blur(y, 1.5).map { log(max($0, floor)) }
        lazy var fine = zip(y, blur(y, 1)).map { $0 - $1 }
        lazy var frameGrain: Float = {
            let whole = Window(x: 0...(width - 1), y: 0...(height - 1), width: width)
            let nearDefects = dilated(restoring, width: width, in: whole, by: 4)
            return grain(fine: fine, y: y, at: nearDefects.indices.filter { !nearDefects[$0] })
        }()
        let logGain = log(gainRange.lowerBound)...log(gainRange.upperBound)

        var members = [[Int]](repeating: [], count: regions.count + 1)
        for (i, l) in regions.labels.enumerated() where l > 0 { members[l].append(i) }
        var out = restored
        var corrected = [Bool](repeating: false, count: plane)
        for region in members.dropFirst() {
            let masked = region.filter { mask[$0] }
            let seed = masked.count > 8 ? masked : region
            let k0 = median(seed.map { ratio[$0] })
            guard logGain.contains(k0) else { continue }
            let supportPixels = masked.filter { ratio[$0] > k0 / 2 }
            guard supportPixels.count >= minimumSupport else { continue }
            var support = [Bool](repeating: false, count: plane)
            for i in supportPixels { support[i] = true }
            // Everything below stays within the support's box grown by as far as the support can reach.
            let window = Window(around: supportPixels, width: width, height: height, margin: ringOuter + growth + 1)
            var core = supportPixels.filter { interior(support, at: $0, width: width, height: height, depth: 2) }
            if core.count < 8 { core = supportPixels }
            let k = median(core.map { logRatio(r[$0], y[$0]) })
            guard logGain.contains(k), frameGrain > 0,
                  grainRange.contains(grain(fine: fine, y: y, at: core) / frameGrain) else { continue }
            // Grow along the edge into pixels nearer the stained level than the surroundings'.
            let outer = dilated(support, width: width, in: window, by: ringOuter)
            let inner = dilated(support, width: width, in: window, by: ringInner)
            let ring = window.pixels.filter { outer[$0] && !inner[$0] }
            guard !ring.isEmpty else { continue }
            let stained = median(ring.map { level[$0] }) - k / 2
            for _ in 0..<growth {
                let next = dilated(support, width: width, in: window, by: 1)
                var grew = false
                for i in window.pixels where next[i] && !support[i] && level[i] < stained { support[i] = true; grew = true }
                if !grew { break }
            }
            // A pixel the gain would lift above everything around the stain was not stained (a bright blade
            // inside the mask): it keeps the fill.
            let gain = exp(k), ceiling = ring.reduce(Float(0)) { max($0, y[$1]) }
            for i in window.pixels where support[i] && y[i] * gain <= ceiling {
                corrected[i] = true
                for c in 0..<channels {
                    let v = (planes[c * plane + i] + 1) / 2 * gain
                    out[c * plane + i] = min(max(v, 0), 1) * 2 - 1
                }
            }
        }
        return (out, corrected)
    }

    /// log(a / b), with both floored so that black pixels stay finite.
    static func logRatio(_ a: Float, _ b: Float) -> Float { log(max(a, floor) / max(b, floor)) }

    /// Mean intensity over the channels, in [0, 1].
    static func grey(_ planes: [Float], plane: Int, channels: Int) -> [Float] {
        (0..<plane).map { i in (0..<channels).reduce(Float(0)) { $0 + (planes[$1 * plane + i] + 1) / 2 } / Float(channels) }
    }

    /// Fine detail's standard deviation over the mean intensity, at `pixels`.
    static func grain(fine: [Float], y: [Float], at pixels: [Int]) -> Float {
        guard pixels.count > 1 else { return 0 }
        return moments(fine, from: 0, at: pixels).std / max(moments(y, from: 0, at: pixels).mean, 1e-3)
    }

    /// A rectangle of the frame, and its pixels' indices row by row.
    struct Window {
        let x: ClosedRange<Int>, y: ClosedRange<Int>
        let pixels: [Int]

        init(x: ClosedRange<Int>, y: ClosedRange<Int>, width: Int) {
            self.x = x; self.y = y
            pixels = y.flatMap { r in x.map { r * width + $0 } }
        }

        /// The bounding box of `members` grown by `margin`, clipped to the frame.
        init(around members: [Int], width: Int, height: Int, margin: Int) {
            let xs = members.map { $0 % width }, ys = members.map { $0 / width }
            self.init(x: max(0, xs.min()! - margin)...min(width - 1, xs.max()! + margin),
                      y: max(0, ys.min()! - margin)...min(height - 1, ys.max()! + margin), width: width)
        }
    }

    /// `mask` grown `by` pixels through 4-connected steps (a diamond), within `window` (which must hold
    /// every pixel the growth reaches that matters; nothing outside it is changed).
    static func dilated(_ mask: [Bool], width: Int, in window: Window, by steps: Int) -> [Bool] {
        var out = mask
        for _ in 0..<steps {
            let current = out
            for i in window.pixels where current[i] {
                let x = i % width, y = i / width
                if x > window.x.lowerBound { out[i - 1] = true }
                if x < window.x.upperBound { out[i + 1] = true }
                if y > window.y.lowerBound { out[i - width] = true }
                if y < window.y.upperBound { out[i + width] = true }
            }
        }
        return out
    }

    /// Whether every pixel within `depth` 4-connected steps of `i` is in `mask` (the frame's edge does
    /// not count against it): `i` survives an erosion by `depth`.
    static func interior(_ mask: [Bool], at i: Int, width: Int, height: Int, depth: Int) -> Bool {
        let x = i % width, y = i / width
        for dy in -depth...depth {
            let yy = y + dy
            guard yy >= 0 && yy < height else { continue }
            let reach = depth - abs(dy)
            for dx in -reach...reach {
                let xx = x + dx
                if xx >= 0 && xx < width && !mask[yy * width + xx] { return false }
            }
        }
        return true
    }
}
