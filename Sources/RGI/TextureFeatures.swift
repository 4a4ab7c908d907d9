import Foundation

/// Local texture statistics per pixel: for every channel and every scale σ, Gaussian-weighted
/// averages over the pixel's neighbourhood of
///
///     mean, log standard deviation, gx², gy², gx·gy, (y − blur₁(y))²
///
/// (gx, gy: Sobel gradients / 8; the last one is the energy of the finest detail). The contrast is
/// taken as a logarithm (plus about a quantisation step), so that a patch where texture is missing
/// — contrast near zero, which a generator reproduces perfectly — lies far out instead of next to
/// the low-contrast good pixels (a flat patch in smoothed noise, `TextureTests`: its weakest pixel
/// scores 0.76 of the good scale with the linear contrast, 1.7 with its logarithm). Logarithms of
/// the energies too were measured and lost on brick (docs/METHOD.md). The first two
/// say how bright and how contrasted the neighbourhood is; the gradient products (the structure
/// tensor) say how strongly and in which direction it is textured; the detail energy how fine it is.
/// They do not depend on where exactly a grass blade or a stone lies, which is what a generator
/// cannot reproduce on a stochastic texture.
public enum TextureFeatures {
    /// Statistics per channel and scale, in this order.
    public static let perScale = 6
    /// The brightness-and-contrast subset (mean, standard deviation) of each scale's statistics.
    public static let intensityCount = 2

    /// Feature planes, `[feature][pixel]` with feature index `(channel · scales + scale) · 6 + statistic`.
    public static func planes(_ image: [Float], width: Int, height: Int, channels: Int, sigmas: [Float]) -> [[Float]] {
        let plane = width * height
        precondition(image.count == channels * plane, "image planes do not match \(width)×\(height)×\(channels)")
        var out: [[Float]] = []
        out.reserveCapacity(channels * sigmas.count * perScale)
        for c in 0..<channels {
            let y = Array(image[c * plane..<(c + 1) * plane])
            let (gx, gy) = sobel(y, width: width, height: height)
            let fine = GaussianBlur.apply(y, width: width, height: height, sigma: 1)
            let squares = y.map { $0 * $0 }
            let gxx = zip(gx, gx).map(*), gyy = zip(gy, gy).map(*), gxy = zip(gx, gy).map(*)
            let detail = zip(y, fine).map { ($0 - $1) * ($0 - $1) }
            for sigma in sigmas {
                let blur = { (v: [Float]) in GaussianBlur.apply(v, width: width, height: height, sigma: sigma) }
                let mean = blur(y), meanSquare = blur(squares)
                out.append(mean)
                out.append(zip(meanSquare, mean).map { logf(max($0 - $1 * $1, 1e-8).squareRoot() + 1e-3) })
                out.append(blur(gxx)); out.append(blur(gyy)); out.append(blur(gxy)); out.append(blur(detail))
            }
        }
        return out
    }

    /// Sobel derivatives along x and y, divided by 8 (a unit ramp gives 1), mirrored borders.
    static func sobel(_ y: [Float], width: Int, height: Int) -> (gx: [Float], gy: [Float]) {
        var gx = [Float](repeating: 0, count: y.count), gy = gx
        let m = GaussianBlur.mirror
        for r in 0..<height {
            let up = m(r - 1, height) * width, row = r * width, down = m(r + 1, height) * width
            for x in 0..<width {
                let l = m(x - 1, width), rr = m(x + 1, width)
                gx[row + x] = ((y[up + rr] - y[up + l]) + 2 * (y[row + rr] - y[row + l]) + (y[down + rr] - y[down + l])) / 8
                gy[row + x] = ((y[down + l] - y[up + l]) + 2 * (y[down + x] - y[up + x]) + (y[down + rr] - y[up + rr])) / 8
            }
        }
        return (gx, gy)
    }
}
