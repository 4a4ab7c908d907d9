/// Scores and masks that respect a minimum defect area.
public enum AreaOpening {
    /// The largest t such that {score > t} (4-connected) has a component of at least `minArea`
    /// pixels: pixels are added from the highest score down, merging neighbours with union-find,
    /// and the score at which a component first reaches `minArea` is the answer. With
    /// `minArea` = 1 this is the maximum.
    public static func imageScore(_ score: [Float], width: Int, height: Int, minArea: Int) -> Float {
        imageScores(score, width: width, height: height, minAreas: [minArea])[0]
    }

    /// `imageScore` for several minimum areas (ascending) in one pass: the largest component only
    /// grows as pixels are added, so it reaches each area in turn.
    public static func imageScores(_ score: [Float], width: Int, height: Int, minAreas: [Int]) -> [Float] {
        let n = width * height
        precondition(score.count == n)
        precondition(zip(minAreas, minAreas.dropFirst()).allSatisfy { $0 <= $1 }, "minimum areas must ascend")
        guard n > 0 else { return minAreas.map { _ in 0 } }
        let order = (0..<n).sorted { score[$0] > score[$1] }
        var parent = [Int](repeating: -1, count: n)  // -1: not added yet
        var size = [Int](repeating: 0, count: n)
        func find(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            var j = i
            while parent[j] != r { let next = parent[j]; parent[j] = r; j = next }
            return r
        }
        var out: [Float] = [], largest = 0
        out.reserveCapacity(minAreas.count)
        for p in order {
            parent[p] = p; size[p] = 1
            var root = p
            let x = p % width, y = p / width
            for q in [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1]
            where q >= 0 && parent[q] >= 0 {
                let a = find(q), b = find(root)
                if a != b {
                    let (big, small) = size[a] >= size[b] ? (a, b) : (b, a)
                    parent[small] = big; size[big] += size[small]
                    root = big
                }
            }
            largest = max(largest, size[find(root)])
            while out.count < minAreas.count && largest >= max(1, minAreas[out.count]) { out.append(score[p]) }
            if out.count == minAreas.count { return out }
        }
        // Areas larger than the image: every pixel's component is too small; the lowest score.
        while out.count < minAreas.count { out.append(score[order.last!]) }
        return out
    }

    /// The extent of the defects, by hysteresis: connected regions of {score > thresholds.pixel} that
    /// contain a connected region of {score > thresholds.image} of at least `minArea` pixels.
    /// Returned as its connected regions, labelled 1…count.
    public static func extentRegions(_ score: [Float], width: Int, height: Int, thresholds t: Thresholds) -> ConnectedComponents {
        let seeds = ConnectedComponents.label(score.map { $0 > t.image }, width: width, height: height)
        var seedArea = [Int](repeating: 0, count: seeds.count + 1)
        for l in seeds.labels where l > 0 { seedArea[l] += 1 }
        guard seedArea.dropFirst().contains(where: { $0 >= t.minArea }) else {
            return ConnectedComponents(labels: [Int](repeating: 0, count: score.count), count: 0)
        }
        let low = min(t.pixel, t.image)
        let regions = ConnectedComponents.label(score.map { $0 > low }, width: width, height: height)
        // The kept regions, renumbered in order of first appearance.
        var number = [Int](repeating: 0, count: regions.count + 1)
        for (i, l) in seeds.labels.enumerated() where l > 0 && seedArea[l] >= t.minArea { number[regions.labels[i]] = -1 }
        var count = 0
        for l in 1..<number.count where number[l] == -1 { count += 1; number[l] = count }
        return ConnectedComponents(labels: regions.labels.map { number[$0] }, count: count)
    }
}

/// Connected component labelling of a binary image (labels 1…count, 0 = background): 4-connected,
/// or 8-connected with `diagonal`, as a line one pixel wide is.
public struct ConnectedComponents: Sendable {
    public let labels: [Int]
    public let count: Int

    public static func label(_ on: [Bool], width: Int, height: Int, diagonal: Bool = false) -> ConnectedComponents {
        var labels = [Int](repeating: 0, count: on.count)
        var count = 0
        var stack: [Int] = []
        for start in 0..<on.count where on[start] && labels[start] == 0 {
            count += 1
            labels[start] = count
            stack.append(start)
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                for dy in -1...1 {
                    for dx in -1...1 where (dx == 0) != (dy == 0) || (diagonal && dx != 0 && dy != 0) {
                        let qx = x + dx, qy = y + dy
                        guard qx >= 0, qx < width, qy >= 0, qy < height else { continue }
                        let q = qy * width + qx
                        if on[q] && labels[q] == 0 {
                            labels[q] = count
                            stack.append(q)
                        }
                    }
                }
            }
        }
        return ConnectedComponents(labels: labels, count: count)
    }
}
