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

extension ConvGeometry {
    /// The same geometry for `count` images of the batch (a chunk; `first` only documents which).
    func images(_ first: Int, count: Int) -> ConvGeometry {
        precondition(first >= 0 && count > 0 && first + count <= batch)
        var g = self
        g.batch = count
        return g
    }

    /// Bytes of column matrix per chunk, to stay in the cache between the GEMM and im2col/col2im
    /// (L3 is 32 MB on the benchmark machine, shared with the other core and everything else).
    /// Measured at 1 thread on the benchmark generator: any budget from 1 to 16 MB takes 5 % off a
    /// training step against no chunking; fewer, wider chunks mean fewer threaded GEMM calls.
    static let chunkBytes = 4 << 20
    /// Fewest columns per chunk: narrower GEMMs lose speed.
    static let chunkColumns = 4096

    /// Images per chunk of the column matrix: as many as fit in `chunkBytes`, at least
    /// `chunkColumns` columns' worth, at most the batch.
    var imagesPerChunk: Int {
        let perImage = outHeight * outWidth
        let byBytes = ConvGeometry.chunkBytes / max(1, colRows * perImage * MemoryLayout<Float>.size)
        let byColumns = (ConvGeometry.chunkColumns + perImage - 1) / perImage
        return max(1, min(batch, max(byBytes, byColumns)))
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
    if g.isKernel4Stride2 {
        im2colKernel4Stride2(image, g, col)
    } else {
        im2colGeneric(image, g, col)
    }
}

/// `im2col` for any geometry (the reference the specialised paths are tested against).
func im2colGeneric(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
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
    if g.isKernel4Stride2 {
        col2imKernel4Stride2(col, g, image)
    } else {
        col2imGeneric(col, g, image)
    }
}

/// `col2im` for any geometry (the reference the specialised paths are tested against).
func col2imGeneric(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
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

// MARK: kernel 4, stride 2, pad 1

// Every up- and downsampling layer of the DCGAN-style networks has kernel 4, stride 2, pad 1 on
// an even-sized image. There each image row r is reached by exactly two taps: r = 2m is row
// m of tap ky = 1 and row m − 1 of ky = 3, r = 2m + 1 is row m + 1 of ky = 0 and row m of ky = 2
// (columns the same way). So col2im becomes a gather that writes every image pixel once (a sum of
// at most four column entries, read in order) instead of sixteen scattered read-modify-writes
// into a zeroed image, and im2col reads each image row once and de-interleaves it into the four
// column rows kx = 0…3. Both are parallel over (channel, image), so a one-channel layer still uses
// every worker.

extension ConvGeometry {
    /// Kernel 4, stride 2, pad 1 on an image of exactly twice the output size.
    var isKernel4Stride2: Bool {
        kernel == 4 && stride == 2 && pad == 1 && height == 2 * outHeight && width == 2 * outWidth
    }
}

private struct PlaneJob {
    let image: UnsafeMutablePointer<Float>
    let col: UnsafeMutablePointer<Float>
    let g: ConvGeometry
}

/// `im2col` for `isKernel4Stride2` geometries.
func im2colKernel4Stride2(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
    precondition(g.isKernel4Stride2)
    parallelFor(g.channels * g.batch, PlaneJob(image: UnsafeMutablePointer(mutating: image), col: col, g: g)) { raw, i in
        let j = raw.load(as: PlaneJob.self)
        im2colKernel4Stride2Plane(j.image, j.g, j.col, channel: i / j.g.batch, image: i % j.g.batch)
    }
}

private func im2colKernel4Stride2Plane(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>,
                                       channel c: Int, image b: Int) {
    let oh = g.outHeight, ow = g.outWidth, w = g.width, ld = g.colColumns
    let plane: Int = (b &* g.channels &+ c) &* g.height &* w
    let src = image + plane
    for oy in 0..<oh {
        for ky in 0..<4 {
            // Column rows (c, ky, kx = 0…3) at output row oy of image b.
            let offset: Int = ((c &* 4 &+ ky) &* 4) &* ld &+ (b &* oh &+ oy) &* ow
            let d0 = col + offset
            let d1 = d0 + ld, d2 = d1 + ld, d3 = d2 + ld
            let r = 2 &* oy &- 1 &+ ky
            guard r >= 0 && r < g.height else {
                d0.update(repeating: 0, count: ow); d1.update(repeating: 0, count: ow)
                d2.update(repeating: 0, count: ow); d3.update(repeating: 0, count: ow)
                continue
            }
            let line = src + r &* w
            // kx = 1, 2: columns 2ox, 2ox + 1;  kx = 0: 2ox − 1;  kx = 3: 2ox + 2.
            d0[0] = 0
            for ox in 0..<(ow &- 1) {
                let even = line[2 &* ox], odd = line[2 &* ox &+ 1]
                d1[ox] = even
                d2[ox] = odd
                d0[ox &+ 1] = odd
                d3[ox] = line[2 &* ox &+ 2]
            }
            d1[ow &- 1] = line[w &- 2]
            d2[ow &- 1] = line[w &- 1]
            d3[ow &- 1] = 0
        }
    }
}

/// `col2im` for `isKernel4Stride2` geometries.
func col2imKernel4Stride2(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
    precondition(g.isKernel4Stride2)
    parallelFor(g.channels * g.batch, PlaneJob(image: image, col: UnsafeMutablePointer(mutating: col), g: g)) { raw, i in
        let j = raw.load(as: PlaneJob.self)
        col2imKernel4Stride2Plane(j.col, j.g, j.image, channel: i / j.g.batch, image: i % j.g.batch)
    }
}

private func col2imKernel4Stride2Plane(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>,
                                       channel c: Int, image b: Int) {
    let oh = g.outHeight, ow = g.outWidth, w = g.width, ld = g.colColumns
    let plane: Int = (b &* g.channels &+ c) &* g.height &* w
    let dst = image + plane
    // The column row (c, ky, kx = 0) at output row oy of image b; kx = 1…3 follow at ld apart.
    func taps(_ ky: Int, _ oy: Int) -> UnsafePointer<Float> {
        let offset: Int = ((c &* 4 &+ ky) &* 4) &* ld &+ (b &* oh &+ oy) &* ow
        return col + offset
    }
    for m in 0..<oh {
        // Image row 2m: ky = 1 at row m, ky = 3 at row m − 1.  Row 2m + 1: ky = 2 at m, ky = 0 at m + 1.
        let even = dst + (2 &* m) &* w, odd = even + w
        if m > 0 {
            gatherRow(even, taps(1, m), taps(3, m &- 1), ld: ld, ow: ow)
        } else {
            gatherRow(even, taps(1, m), ld: ld, ow: ow)
        }
        if m &+ 1 < oh {
            gatherRow(odd, taps(0, m &+ 1), taps(2, m), ld: ld, ow: ow)
        } else {
            gatherRow(odd, taps(2, m), ld: ld, ow: ow)
        }
    }
}

/// One image row from the column rows of its vertical taps (kx rows `ld` apart): column 2n takes
/// kx = 1 at n and kx = 3 at n − 1, column 2n + 1 takes kx = 2 at n and kx = 0 at n + 1.
@inline(__always)
private func gatherRow(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       ld: Int, ow: Int) {
    let p = a, q = b
    let p0 = p, p1 = p + ld, p2 = p1 + ld, p3 = p2 + ld
    let q0 = q, q1 = q + ld, q2 = q1 + ld, q3 = q2 + ld
    out[0] = p1[0] + q1[0]
    for n in 1..<max(1, ow) {
        out[2 &* n] = (p1[n] + p3[n &- 1]) + (q1[n] + q3[n &- 1])
        out[2 &* n &- 1] = (p2[n &- 1] + p0[n]) + (q2[n &- 1] + q0[n])
    }
    out[2 &* ow &- 1] = p2[ow &- 1] + q2[ow &- 1]
}

@inline(__always)
private func gatherRow(_ out: UnsafeMutablePointer<Float>, _ p: UnsafePointer<Float>, ld: Int, ow: Int) {
    let p0 = p, p1 = p + ld, p2 = p1 + ld, p3 = p2 + ld
    out[0] = p1[0]
    for n in 1..<max(1, ow) {
        out[2 &* n] = p1[n] + p3[n &- 1]
        out[2 &* n &- 1] = p2[n &- 1] + p0[n]
    }
    out[2 &* ow &- 1] = p2[ow &- 1]
}
