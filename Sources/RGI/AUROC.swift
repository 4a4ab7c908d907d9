/// Mann–Whitney AUROC of `scores` for `labels` (true = positive), tied scores given their average
/// rank; NaN without both classes.
public func auroc(_ scores: [Float], _ labels: [Bool]) -> Double {
    precondition(scores.count == labels.count, "\(scores.count) scores for \(labels.count) labels")
    let pos = labels.filter { $0 }.count, neg = labels.count - pos
    guard pos > 0, neg > 0 else { return .nan }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0, i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j where labels[order[k]] { rankSum += rank }
        i = j + 1
    }
    return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
}
