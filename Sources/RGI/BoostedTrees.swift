import Foundation

/// Gradient-boosted regression trees for a binary label with the logistic loss — the method of
/// XGBoost and LightGBM reduced to what the texture critic needs: each feature binned at its
/// quantiles, every tree grown level by level to a fixed depth, Newton leaf values with an L2
/// penalty, shrinkage. `logit` is the model's log-odds that a sample is positive.
public struct BoostedTrees: Codable, Equatable, Sendable {
    /// A complete binary tree in flat arrays. Internal node i (level order) sends a sample whose
    /// feature `feature[i]` is ≤ `threshold[i]` to node 2i+1, else to 2i+2; a node that found no
    /// useful split has the largest finite threshold (everything goes left; JSON has no ∞). Leaf j
    /// (left to right) adds `leaf[j]`.
    public struct Tree: Codable, Equatable, Sendable {
        public var feature: [Int]
        public var threshold: [Float]
        public var leaf: [Float]
    }

    public struct Settings: Sendable {
        public var trees = 100
        public var depth = 4
        public var learningRate: Float = 0.1
        /// Quantile bins per feature (at most 256: bins are stored as bytes).
        public var bins = 64
        /// L2 penalty on leaf values, in units of the loss's Hessian.
        public var l2: Double = 1
        /// A split must leave at least this many samples on each side.
        public var minLeaf = 20
        public init() {}
    }

    public var features: Int
    public var depth: Int
    /// Log-odds of the positive share of the training samples, the start of every prediction.
    public var bias: Float
    public var trees: [Tree]

    /// The log-odds of one sample, its features read through `value(feature)`.
    @inline(__always)
    public func logit(_ value: (Int) -> Float) -> Float {
        var total = bias
        let inner = (1 << depth) - 1
        for tree in trees {
            var node = 0
            while node < inner { node = 2 * node + (value(tree.feature[node]) <= tree.threshold[node] ? 1 : 2) }
            total += tree.leaf[node - inner]
        }
        return total
    }

    /// Samples per block in `logits`: the block's running sums and its stretch of each feature stay in cache.
    static let logitBlock = 128

    /// `logit` of samples `range` whose features lie feature-major in `values` (feature f of sample i
    /// at `f · sampleCount + i`), written to `out[i]`. The critic sends every pixel of a frame through
    /// 200 trees; one sample at a time, with a closure call per node and a chain of dependent loads,
    /// that was a tenth of a brick inspection. Here each tree walks a block of samples level by level,
    /// so the walks of different samples overlap. Every sample sums its trees in `logit`'s order:
    /// both give the same values.
    public func logits(featureMajor values: UnsafeBufferPointer<Float>, sampleCount: Int, range: Range<Int>,
                       into out: UnsafeMutableBufferPointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= sampleCount && out.count >= range.upperBound,
                     "samples \(range) are not within \(sampleCount) samples and \(out.count) outputs")
        precondition(values.count >= features * sampleCount, "\(values.count) values are not \(features) features of \(sampleCount) samples")
        // The reads below are unchecked: every node must name one of the features.
        precondition(trees.allSatisfy { $0.feature.allSatisfy { (0..<features).contains($0) } }, "a tree names a feature outside 0..<\(features)")
        let inner = (1 << depth) - 1
        var nodes = [Int](repeating: 0, count: Self.logitBlock)
        nodes.withUnsafeMutableBufferPointer { node in
            for start in Swift.stride(from: range.lowerBound, to: range.upperBound, by: Self.logitBlock) {
                let count = min(Self.logitBlock, range.upperBound - start)
                for k in 0..<count { out[start + k] = bias }
                for tree in trees {
                    tree.feature.withUnsafeBufferPointer { feature in
                        tree.threshold.withUnsafeBufferPointer { threshold in
                            tree.leaf.withUnsafeBufferPointer { leaf in
                                for k in 0..<count { node[k] = 0 }
                                for _ in 0..<depth {
                                    for k in 0..<count {
                                        let n = node[k]
                                        node[k] = 2 &* n &+ (values[feature[n] &* sampleCount &+ start &+ k] <= threshold[n] ? 1 : 2)
                                    }
                                }
                                for k in 0..<count { out[start + k] += leaf[node[k] &- inner] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fits the trees to `samples` (row-major, `features` values per sample) and their labels.
    public static func fit(samples: [Float], labels: [Bool], features d: Int, settings: Settings = Settings()) -> BoostedTrees {
        let n = labels.count
        precondition(d > 0 && samples.count == n * d, "\(samples.count) values are not \(n) samples of \(d) features")
        precondition(settings.bins >= 2 && settings.bins <= 256 && settings.depth >= 1, "bins must be 2…256, depth ≥ 1")
        let positives = labels.filter { $0 }.count
        let share = min(max(Double(positives) / Double(max(n, 1)), 1e-6), 1 - 1e-6)
        var model = BoostedTrees(features: d, depth: settings.depth, bias: Float(log(share / (1 - share))), trees: [])
        guard n > 0 else { return model }

        let edges = (0..<d).map { f in binEdges((0..<n).map { samples[$0 * d + f] }, bins: settings.bins) }
        var binned = [UInt8](repeating: 0, count: n * d)
        for i in 0..<n {
            for f in 0..<d { binned[i * d + f] = UInt8(bin(samples[i * d + f], edges: edges[f])) }
        }
        let target = labels.map { $0 ? 1.0 : 0.0 }
        var raw = [Double](repeating: Double(model.bias), count: n)
        var gradient = [Double](repeating: 0, count: n), hessian = gradient
        var node = [Int](repeating: 0, count: n)
        let bins = settings.bins, leaves = 1 << settings.depth
        for _ in 0..<settings.trees {
            for i in 0..<n {
                let p = 1 / (1 + exp(-raw[i]))
                gradient[i] = p - target[i]
                hessian[i] = max(p * (1 - p), 1e-12)
            }
            var tree = Tree(feature: [], threshold: [], leaf: [])
            for i in 0..<n { node[i] = 0 }
            for level in 0..<settings.depth {
                let width = 1 << level
                let (g, h, c) = histograms(binned: binned, node: node, gradient: gradient, hessian: hessian,
                                           nodes: width, features: d, bins: bins)
                var goesLeft = [(feature: Int, bin: Int)](repeating: (0, bins), count: width)
                for j in 0..<width {
                    var best = (gain: 0.0, feature: 0, bin: bins)
                    for f in 0..<d {
                        let base = (j * d + f) * bins
                        var gt = 0.0, ht = 0.0, ct = 0
                        for b in 0..<bins { gt += g[base + b]; ht += h[base + b]; ct += Int(c[base + b]) }
                        let parent = gt * gt / (ht + settings.l2)
                        var gl = 0.0, hl = 0.0, cl = 0
                        for b in 0..<(bins - 1) {
                            gl += g[base + b]; hl += h[base + b]; cl += Int(c[base + b])
                            guard cl >= settings.minLeaf, ct - cl >= settings.minLeaf else { continue }
                            let gr = gt - gl, hr = ht - hl
                            let gain = gl * gl / (hl + settings.l2) + gr * gr / (hr + settings.l2) - parent
                            if gain > best.gain { best = (gain, f, b) }
                        }
                    }
                    goesLeft[j] = (best.feature, best.bin)
                    tree.feature.append(best.feature)
                    tree.threshold.append(best.bin < bins ? edges[best.feature][best.bin] : .greatestFiniteMagnitude)
                }
                binned.withUnsafeBufferPointer { b in
                    for i in 0..<n {
                        let split = goesLeft[node[i]]
                        node[i] = 2 * node[i] + (Int(b[i * d + split.feature]) <= split.bin ? 0 : 1)
                    }
                }
            }
            var gl = [Double](repeating: 0, count: leaves), hl = gl
            for i in 0..<n { gl[node[i]] += gradient[i]; hl[node[i]] += hessian[i] }
            tree.leaf = (0..<leaves).map { Float(-Double(settings.learningRate) * gl[$0] / (hl[$0] + settings.l2)) }
            for i in 0..<n { raw[i] += Double(tree.leaf[node[i]]) }
            model.trees.append(tree)
        }
        return model
    }

    /// Samples are split into this many fixed chunks for the histograms, whatever the number of cores,
    /// so that a fit gives the same trees on every machine.
    static let histogramChunks = 8

    /// Histograms of gradient, Hessian and count per (node, feature, bin), the fit's main cost: each
    /// chunk of samples is summed on its own core, then the chunks are added in order.
    static func histograms(binned: [UInt8], node: [Int], gradient: [Double], hessian: [Double],
                           nodes: Int, features d: Int, bins: Int) -> (g: [Double], h: [Double], c: [Int32]) {
        let n = node.count, cells = nodes * d * bins, chunks = histogramChunks
        let g = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks * cells)
        let h = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks * cells)
        let c = UnsafeMutableBufferPointer<Int32>.allocate(capacity: chunks * cells)
        g.initialize(repeating: 0); h.initialize(repeating: 0); c.initialize(repeating: 0)
        defer { g.deallocate(); h.deallocate(); c.deallocate() }
        // Chunk k writes only its own `cells` slice of each buffer.
        nonisolated(unsafe) let (gs, hs, cs) = (g, h, c)
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            binned.withUnsafeBufferPointer { b in
                let offset = k * cells
                for i in (k * n / chunks)..<((k + 1) * n / chunks) {
                    let base = offset + node[i] * d * bins, row = i * d
                    let gi = gradient[i], hi = hessian[i]
                    for f in 0..<d {
                        let cell = base + f * bins + Int(b[row + f])
                        gs[cell] += gi; hs[cell] += hi; cs[cell] += 1
                    }
                }
            }
        }
        for k in 1..<chunks {
            for j in 0..<cells { g[j] += g[k * cells + j]; h[j] += h[k * cells + j]; c[j] += c[k * cells + j] }
        }
        return (Array(g[0..<cells]), Array(h[0..<cells]), Array(c[0..<cells]))
    }

    /// Upper edges of `bins` − 1 quantile bins (bin b holds values ≤ edge b; the last bin the rest),
    /// from a strided sample of at most 20,000 values.
    static func binEdges(_ values: [Float], bins: Int) -> [Float] {
        let step = max(1, (values.count + 19_999) / 20_000)
        let sorted = Swift.stride(from: 0, to: values.count, by: step).map { values[$0] }.sorted()
        return (1..<bins).map { sorted[min(sorted.count - 1, $0 * sorted.count / bins)] }
    }

    /// The bin of `x`: the first edge it does not exceed (binary search), or the last bin.
    static func bin(_ x: Float, edges: [Float]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if x <= edges[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
