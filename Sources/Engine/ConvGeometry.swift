/// The geometry of a 2-D convolution window sliding over a batch of images, shared by conv2d
/// (image → output) and conv-transpose2d (which is its adjoint: output → image).
public struct ConvGeometry: Equatable, Sendable {
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var kernel: Int
    public var stride: Int
    public var pad: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, kernel: Int, stride: Int, pad: Int) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.kernel = kernel; self.stride = stride; self.pad = pad
    }

    public var outHeight: Int { (height + 2 * pad - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * pad - kernel) / stride + 1 }
    /// Rows of the column matrix: one per (channel, ky, kx).
    public var colRows: Int { channels * kernel * kernel }
    /// Columns of the column matrix: one per output position of every image in the batch.
    public var colColumns: Int { batch * outHeight * outWidth }

    /// Output positions `o` whose input coordinate `o·stride − pad + k` lies in `0..<size`.
    @inline(__always)
    func validRange(offset k: Int, size: Int, outSize: Int) -> Range<Int> {
        // o·s ≥ pad − k  and  o·s ≤ size − 1 + pad − k
        let lo = max(0, ceilDiv(pad - k, stride))
        let hi = min(outSize, floorDiv(size - 1 + pad - k, stride) + 1)
        return lo..<max(lo, hi)
    }
}

@inline(__always) private func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
@inline(__always) private func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

/// Arguments of im2col / col2im.
private struct ColumnJob {
    let image: UnsafeMutablePointer<Float>
    let col: UnsafeMutablePointer<Float>
    let g: ConvGeometry
}

/// Unfolds image patches into columns: `col[(c·K + ky)·K + kx, b·OH·OW + oy·OW + ox] =
/// image[b, c, oy·s − p + ky, ox·s − p + kx]` (zero outside the image). The whole batch shares one
/// column matrix so that a single GEMM covers every image.
func im2col(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
    parallelFor(g.channels, ColumnJob(image: UnsafeMutablePointer(mutating: image), col: col, g: g)) { raw, c in
        let j = raw.load(as: ColumnJob.self)
        im2colChannel(j.image, j.g, j.col, c)
    }
}

private func im2colChannel(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>, _ c: Int) {
    let oh = g.outHeight, ow = g.outWidth, k = g.kernel, s = g.stride
    let ld = g.colColumns, imageSize = g.height * g.width, outSize = oh * ow
    for ky in 0..<k {
        let rows = g.validRange(offset: ky, size: g.height, outSize: oh)
        for kx in 0..<k {
            let cols = g.validRange(offset: kx, size: g.width, outSize: ow)
            let rowBase = col + ((c * k + ky) * k + kx) * ld
            for b in 0..<g.batch {
                let src = image + (b * g.channels + c) * imageSize
                let dst = rowBase + b * outSize
                for oy in 0..<oh {
                    let out = dst + oy * ow
                    guard rows.contains(oy) else { out.update(repeating: 0, count: ow); continue }
                    let line = src + (oy * s - g.pad + ky) * g.width
                    if cols.lowerBound > 0 { out.update(repeating: 0, count: cols.lowerBound) }
                    if s == 1 {
                        let ix0 = cols.lowerBound - g.pad + kx
                        (out + cols.lowerBound).update(from: line + ix0, count: cols.count)
                    } else {
                        for ox in cols { out[ox] = line[ox * s - g.pad + kx] }
                    }
                    if cols.upperBound < ow { (out + cols.upperBound).update(repeating: 0, count: ow - cols.upperBound) }
                }
            }
        }
    }
}

/// The adjoint of `im2col`: adds every column entry back into the image position it came from.
/// The image is overwritten (not accumulated into).
func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
    parallelFor(g.channels, ColumnJob(image: image, col: UnsafeMutablePointer(mutating: col), g: g)) { raw, c in
        let j = raw.load(as: ColumnJob.self)
        col2imChannel(j.col, j.g, j.image, c)
    }
}

private func col2imChannel(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>, _ c: Int) {
    let oh = g.outHeight, ow = g.outWidth, k = g.kernel, s = g.stride
    let ld = g.colColumns, imageSize = g.height * g.width, outSize = oh * ow
    for b in 0..<g.batch { (image + (b * g.channels + c) * imageSize).update(repeating: 0, count: imageSize) }
    for ky in 0..<k {
        let rows = g.validRange(offset: ky, size: g.height, outSize: oh)
        for kx in 0..<k {
            let cols = g.validRange(offset: kx, size: g.width, outSize: ow)
            let rowBase = col + ((c * k + ky) * k + kx) * ld
            for b in 0..<g.batch {
                let dst = image + (b * g.channels + c) * imageSize
                let src = rowBase + b * outSize
                for oy in rows {
                    let line = dst + (oy * s - g.pad + ky) * g.width
                    let from = src + oy * ow
                    for ox in cols { line[ox * s - g.pad + kx] += from[ox] }
                }
            }
        }
    }
}
