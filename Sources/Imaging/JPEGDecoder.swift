import CTurboJPEG

/// One TurboJPEG decompressor, kept for a stream of frames (camera MJPEG) instead of a handle
/// per frame. (Measured at 1920×1080: about 3 ms per frame either way, so this is tidiness, not
/// speed.) A handle must not be used by two threads at once, so this class is not Sendable: give
/// each capture thread or task its own.
public final class JPEGDecoder {
    private let handle: tjhandle

    public init() throws(ImagingError) {
        guard let handle = tjInitDecompress() else {
            throw .libraryFailure(library: "TurboJPEG", reason: String(cString: tjGetErrorStr2(nil)))
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Greyscale JPEGs give 1 channel, YCbCr and RGB JPEGs give 3; CMYK is refused.
    /// Any libjpeg warning (a frame cut short, stray bytes) fails the decode: a camera frame
    /// that is partly grey fill must be dropped, not inspected.
    public func decode(_ bytes: UnsafeRawBufferPointer, source: String = "in-memory JPEG")
        throws(ImagingError) -> Image
    {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw .emptyFile(path: source) }
        // A file cut inside the signature is a truncated JPEG, not some other kind of file.
        let prefix = Array(bytes.prefix(3))
        guard JPEG.signature.starts(with: prefix) else {
            throw .notAnImage(path: source, expected: "JPEG", leadingBytes: Array(bytes.prefix(8)))
        }
        let jpeg = base.assumingMemoryBound(to: UInt8.self)
        let size = UInt(bytes.count)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
        guard tjDecompressHeader3(handle, jpeg, size, &width, &height, &subsampling, &colourSpace) == 0 else {
            throw .corruptJPEG(path: source, reason: errorText)
        }
        guard Int(width) * Int(height) <= Image.maxDecodedPixels else {
            throw .tooLarge(path: source, width: Int(width), height: Int(height))
        }
        let channels: Int, pixelFormat: TJPF
        switch TJCS(UInt32(colourSpace)) {
        case TJCS_GRAY: (channels, pixelFormat) = (1, TJPF_GRAY)
        case TJCS_YCbCr, TJCS_RGB: (channels, pixelFormat) = (3, TJPF_RGB)
        default:
            throw .unsupportedLayout(path: source, detail: "CMYK/YCCK JPEG (only greyscale and colour are read)")
        }
        var status: Int32 = 0
        // Every byte is written by the decoder, so the buffer is not zeroed first.
        let pixels = [UInt8](unsafeUninitializedCapacity: Int(width) * Int(height) * channels) { buffer, count in
            status = tjDecompress2(handle, jpeg, size, buffer.baseAddress, width, 0, height,
                                   Int32(pixelFormat.rawValue), TJFLAG_STOPONWARNING)
            count = buffer.count
        }
        guard status == 0 else { throw .corruptJPEG(path: source, reason: errorText) }
        return Image(unchecked: Int(width), Int(height), channels, pixels)
    }

    private var errorText: String { String(cString: tjGetErrorStr2(handle)) }
}

@available(*, unavailable, message: "a TurboJPEG handle must not be shared between threads")
extension JPEGDecoder: Sendable {}
