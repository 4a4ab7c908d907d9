import Foundation

/// Separable Gaussian blur with mirrored borders (the edge pixel repeated, scipy's `reflect`).
/// Rows are blurred from a mirrored copy of the row and columns as weighted sums of whole rows,
/// so both passes run over contiguous memory, one tap at a time (the inner loops vectorise).
public enum GaussianBlur {
    public static func apply(_ values: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
        guard sigma > 0 else { return values }
        precondition(values.count == width * height, "blur input is not \(width)×\(height)")
        let kernel = weights(sigma: sigma), radius = kernel.count / 2
        var rows = [Float](repeating: 0, count: values.count)
        var line = [Float](repeating: 0, count: width + 2 * radius)
        let source = (0..<line.count).map { mirror($0 - radius, width) }
        rows.withUnsafeMutableBufferPointer { dst in
            line.withUnsafeMutableBufferPointer { l in
                for y in 0..<height {
                    for i in 0..<l.count { l[i] = values[y * width + source[i]] }
                    // Tap by tap over the whole row (the same sums in the same order as pixel by pixel).
                    let o = dst.baseAddress! + y * width
                    for k in 0..<kernel.count {
                        let r = l.baseAddress! + k, w = kernel[k]
                        for x in 0..<width { o[x] += w * r[x] }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: values.count)
        rows.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let o = dst.baseAddress! + y * width
                    for k in 0..<kernel.count {
                        let r = src.baseAddress! + mirror(y + k - radius, height) * width, w = kernel[k]
                        for x in 0..<width { o[x] += w * r[x] }
                    }
                }
            }
        }
        return out
    }

    /// Normalised weights over ±⌈3σ⌉.
    static func weights(sigma: Float) -> [Float] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let kernel = (-radius...radius).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        return kernel.map { $0 / total }
    }

    /// Index i reflected into 0..<n, the edge pixel repeated (…, 1, 0 | 0, 1, …).
    static func mirror(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        var j = i
        while j < 0 || j >= n { j = j < 0 ? -j - 1 : 2 * n - j - 1 }
        return j
    }

    /// Index i reflected into 0..<n, the edge pixel not repeated (…, 2, 1 | 0, 1, 2, …).
    static func mirrorSkippingEdge(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        var j = i
        while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
        return j
    }
}
