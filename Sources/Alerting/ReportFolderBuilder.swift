import Glibc
import Imaging
import Inspection

/// Builds the complete contents of one report folder under a hidden temporary name, ready to
/// be renamed into place by `ReportWriter`.
enum ReportFolderBuilder {
    struct Built {
        var temporary: String
        var report: DefectReport
        var bytes: Int64
    }

    /// `finalName` is the folder's name once in place: it names errors and the temporary.
    static func build(_ result: InspectionResult, in parent: String, finalName: String) throws(ReportError) -> Built {
        let finalPath = parent + "/" + finalName
        let files = try encodeFiles(result, finalPath: finalPath)
        let temporary = try makeTemporaryFolder(in: parent, finalName: finalName, finalPath: finalPath)
        var bytes: Int64 = 0
        do throws(ReportError) {
            for (name, content) in files.contents {
                do {
                    try AtomicFile.write(content, to: temporary + "/" + name)
                } catch {
                    throw .writeFailed(path: finalPath + "/" + name, reason: reason(error))
                }
                bytes += Int64(content.count)
            }
        } catch {
            try? FileTree.remove(temporary)
            throw error
        }
        return Built(temporary: temporary, report: files.report, bytes: bytes)
    }

    /// Everything is encoded before anything touches the disk, so an encoding failure leaves
    /// no trace at all.
    private static func encodeFiles(_ result: InspectionResult, finalPath: String)
        throws(ReportError) -> (report: DefectReport, contents: [(String, [UInt8])])
    {
        let frame = result.image
        guard result.restored.width == frame.width, result.restored.height == frame.height else {
            throw .inconsistentResult(
                product: result.product,
                detail: "restored image is \(result.restored.width)×\(result.restored.height), "
                    + "the frame \(frame.width)×\(frame.height)")
        }
        let names = DefectReport.fileNames
        func png(_ role: String, _ encode: () throws(ImagingError) -> [UInt8]) throws(ReportError) -> (String, [UInt8]) {
            let name = names[role]!
            do {
                return (name, try encode())
            } catch {
                throw .encodeFailed(path: finalPath + "/" + name, reason: error.description)
            }
        }
        let scoreMap: (image: Image16, max: Float)
        do {
            scoreMap = try ScoreMapEncoding.encode(result.scores)
        } catch {
            throw .encodeFailed(path: finalPath + "/" + names["score"]!, reason: error.description)
        }
        // score.py reads mask.png > 127: whatever nonzero value marks a defect becomes 255.
        let maskPixels = result.mask.map { $0 == 0 ? UInt8(0) : 255 }
        let restored = frame.channels == 1 ? result.restored.grey() : result.restored.rgb()
        let report = DefectReport(result: result, scoreMapMax: scoreMap.max)
        var contents = [
            try png("frame") { () throws(ImagingError) in try PNG.encode(frame) },
            try png("mask") { () throws(ImagingError) in
                try PNG.encode(Image(width: frame.width, height: frame.height, channels: 1, pixels: maskPixels))
            },
            try png("score") { () throws(ImagingError) in try PNG.encode(scoreMap.image) },
            try png("overlay") { () throws(ImagingError) in
                try PNG.encode(OverlayRenderer.render(frame: frame, mask: result.mask, regions: result.regions))
            },
            try png("restored") { () throws(ImagingError) in try PNG.encode(restored) },
        ]
        do {
            contents.append(("report.json", try ReportJSON.encode(report)))
        } catch {
            throw .encodeFailed(path: finalPath + "/report.json", reason: "\(error)")
        }
        return (report, contents)
    }

    /// A hidden name (`ImageFile.imagePaths`, retention and the index skip dot names) with a
    /// random suffix, so concurrent writers of one target never share a temporary.
    private static func makeTemporaryFolder(in parent: String, finalName: String, finalPath: String)
        throws(ReportError) -> String
    {
        while true {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let path = parent + "/." + finalName + ".tmp-" + suffix
            if mkdir(path, 0o777) == 0 { return path }
            if errno != EEXIST { throw .writeFailed(path: finalPath, reason: errnoText(errno)) }
        }
    }

    private static func reason(_ error: ImagingError) -> String {
        if case .writeFailed(_, let reason) = error { return reason }
        return error.description
    }
}
