import CTurboJPEG

/// JPEG through libjpeg-turbo's TurboJPEG API. `decode` here makes a fresh decompressor per
/// call; a stream of frames can keep one `JPEGDecoder` instead.
public enum JPEG {
    static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String = "in-memory JPEG")
        throws(ImagingError) -> Image
    {
        try JPEGDecoder().decode(bytes, source: source)
    }

    public static func decode(_ bytes: [UInt8], source: String = "in-memory JPEG") throws(ImagingError) -> Image {
        // (withUnsafeBufferPointer, unlike withUnsafeBytes, passes the typed error through.)
        try bytes.withUnsafeBufferPointer { (buffer) throws(ImagingError) -> Image in
            try decode(UnsafeRawBufferPointer(buffer), source: source)
        }
    }

    /// Baseline JPEG at `quality` 1–100: greyscale images as greyscale JPEG, colour with 4:4:4
    /// chroma (no subsampling, so thin coloured defects keep their colour).
    public static func encode(_ image: Image, quality: Int) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw .encodeFailed(format: "JPEG", reason: "quality \(quality) is outside 1–100")
        }
        guard let handle = tjInitCompress() else {
            throw .libraryFailure(library: "TurboJPEG", reason: String(cString: tjGetErrorStr2(nil)))
        }
        defer { tjDestroy(handle) }
        let (pixelFormat, subsampling) = image.channels == 1 ? (TJPF_GRAY, TJSAMP_GRAY) : (TJPF_RGB, TJSAMP_444)
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        // TurboJPEG allocates the output buffer; it must be released with tjFree.
        defer { tjFree(output) }
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(pixelFormat.rawValue), &output, &size, Int32(subsampling.rawValue),
                        Int32(quality), 0)
        }
        guard status == 0, let output else {
            throw .encodeFailed(format: "JPEG", reason: String(cString: tjGetErrorStr2(handle)))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
