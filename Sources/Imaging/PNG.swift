import CSPNG
import Glibc

/// PNG through libspng.
///
/// `decode` reads any PNG: greyscale (1, 2, 4, 8, 16 bit, with or without alpha) gives 1 channel;
/// palette and truecolour (with or without alpha) give 3. Alpha and tRNS are dropped, gamma is not
/// applied, and 16-bit samples are rounded to 8 bits (v × 255 / 65535), so a 16-bit PNG written from
/// 8-bit values (× 257) reads back exactly. `decode16` reads greyscale only, for score maps.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func read(_ path: String) throws(ImagingError) -> Image {
        try decode(FileBytes.read(path), source: path)
    }

    public static func read16(_ path: String) throws(ImagingError) -> Image16 {
        try decode16(FileBytes.read(path), source: path)
    }

    public static func write(_ image: Image, to path: String) throws(ImagingError) {
        try AtomicFile.write(encode(image), to: path)
    }

    public static func write(_ image: Image16, to path: String) throws(ImagingError) {
        try AtomicFile.write(encode(image), to: path)
    }

    /// `source` names the data in error messages (a path when it came from a file).
    public static func decode(_ bytes: [UInt8], source: String = "in-memory PNG") throws(ImagingError) -> Image {
        try withDecoder(bytes, source: source) { (decoder) throws(ImagingError) -> Image in
            let (width, height) = (decoder.width, decoder.height)
            switch (decoder.colourType, decoder.bitDepth) {
            case (SPNG_COLOR_TYPE_GRAYSCALE, ...8):
                return Image(unchecked: width, height, 1, try decoder.decode8(SPNG_FMT_G8))
            case (SPNG_COLOR_TYPE_GRAYSCALE, _):
                return Image(unchecked: width, height, 1, try decoder.decode16(SPNG_FMT_PNG).map(to8))
            // libspng converts only plain greyscale to its G/GA formats, so grey+alpha
            // (always 8 or 16 bit) is read in its own layout and the alpha dropped here.
            case (SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, ...8):
                return Image(unchecked: width, height, 1, firstOf(2, try decoder.decode8(SPNG_FMT_PNG)))
            case (SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, _):
                return Image(unchecked: width, height, 1,
                             firstOf(2, try decoder.decode16(SPNG_FMT_PNG)).map(to8))
            case (SPNG_COLOR_TYPE_INDEXED, _), (_, ...8):
                return Image(unchecked: width, height, 3, try decoder.decode8(SPNG_FMT_RGB8))
            default:
                return Image(unchecked: width, height, 3,
                             firstThreeOf4(try decoder.decode16(SPNG_FMT_RGBA16)).map(to8))
            }
        }
    }

    /// Reads a greyscale PNG at 16 bits; 8-bit (or lower) greyscale is scaled by 257 so that
    /// 255 maps to 65535.
    public static func decode16(_ bytes: [UInt8], source: String = "in-memory PNG") throws(ImagingError) -> Image16 {
        try withDecoder(bytes, source: source) { (decoder) throws(ImagingError) -> Image16 in
            guard decoder.colourType == SPNG_COLOR_TYPE_GRAYSCALE else {
                throw .unsupportedLayout(
                    path: source,
                    detail: "a 16-bit score map must be greyscale without alpha, this PNG is "
                        + "\(decoder.layoutName)")
            }
            let pixels = decoder.bitDepth == 16
                ? try decoder.decode16(SPNG_FMT_PNG)
                : try decoder.decode8(SPNG_FMT_G8).map { UInt16($0) * 257 }
            return Image16(unchecked: decoder.width, decoder.height, pixels)
        }
    }

    /// 8-bit greyscale or RGB PNG, zlib's default compression and adaptive filtering.
    public static func encode(_ image: Image) throws(ImagingError) -> [UInt8] {
        let colourType = image.channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR
        return try image.pixels.withUnsafeBufferPointer { (pixels) throws(ImagingError) -> [UInt8] in
            try encode(UnsafeRawBufferPointer(pixels), width: image.width, height: image.height, bitDepth: 8, colourType: colourType)
        }
    }

    /// 16-bit greyscale PNG (libspng writes the samples big-endian, as PNG requires).
    public static func encode(_ image: Image16) throws(ImagingError) -> [UInt8] {
        try image.pixels.withUnsafeBufferPointer { (pixels) throws(ImagingError) -> [UInt8] in
            try encode(UnsafeRawBufferPointer(pixels), width: image.width, height: image.height, bitDepth: 16,
                       colourType: SPNG_COLOR_TYPE_GRAYSCALE)
        }
    }

    private static func encode(
        _ raw: UnsafeRawBufferPointer, width: Int, height: Int, bitDepth: UInt8, colourType: spng_color_type
    ) throws(ImagingError) -> [UInt8] {
        guard let context = spng_ctx_new(Int32(SPNG_CTX_ENCODER.rawValue)) else {
            throw .libraryFailure(library: "libspng", reason: "could not allocate an encoder")
        }
        defer { spng_ctx_free(context) }
        func check(_ code: Int32) throws(ImagingError) {
            if code != 0 { throw .encodeFailed(format: "PNG", reason: String(cString: spng_strerror(code))) }
        }
        try check(spng_set_option(context, SPNG_ENCODE_TO_BUFFER, 1))
        var header = spng_ihdr(
            width: UInt32(clamping: width), height: UInt32(clamping: height), bit_depth: bitDepth,
            color_type: UInt8(colourType.rawValue), compression_method: 0, filter_method: 0,
            interlace_method: UInt8(SPNG_INTERLACE_NONE.rawValue))
        try check(spng_set_ihdr(context, &header))
        try check(spng_encode_image(context, raw.baseAddress, raw.count, Int32(SPNG_FMT_PNG.rawValue),
                                    Int32(SPNG_ENCODE_FINALIZE.rawValue)))
        var length = 0
        var code: Int32 = 0
        guard let buffer = spng_get_png_buffer(context, &length, &code) else {
            try check(code)
            throw .encodeFailed(format: "PNG", reason: "libspng returned no buffer")
        }
        // The buffer is the caller's to free (libspng allocates it with malloc).
        defer { free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// Checks the signature, then runs `body` with a decoder over the bytes.
    private static func withDecoder<Result>(
        _ bytes: [UInt8], source: String, _ body: (SPNGDecoder) throws(ImagingError) -> Result
    ) throws(ImagingError) -> Result {
        guard !bytes.isEmpty else { throw .emptyFile(path: source) }
        // A file cut inside the signature is a truncated PNG, not some other kind of file.
        guard bytes.starts(with: signature) || signature.starts(with: bytes) else {
            throw .notAnImage(path: source, expected: "PNG", leadingBytes: Array(bytes.prefix(8)))
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ImagingError) -> Result in
            try body(SPNGDecoder(UnsafeRawBufferPointer(buffer), source: source))
        }
    }
}

/// One libspng decoding context over a buffer that outlives it; the header is read on creation.
private final class SPNGDecoder {
    let context: OpaquePointer
    let source: String
    let width: Int
    let height: Int
    let colourType: spng_color_type
    let bitDepth: UInt8

    init(_ raw: UnsafeRawBufferPointer, source: String) throws(ImagingError) {
        guard let context = spng_ctx_new(0) else {
            throw .libraryFailure(library: "libspng", reason: "could not allocate a decoder")
        }
        // Until every property is set, deinit will not run, so failures free the context here.
        var header = spng_ihdr()
        var code = spng_set_png_buffer(context, raw.baseAddress, raw.count)
        if code == 0 { code = spng_get_ihdr(context, &header) }
        guard code == 0 else {
            spng_ctx_free(context)
            throw .corruptPNG(path: source, reason: String(cString: spng_strerror(code)))
        }
        guard Int(header.width) * Int(header.height) <= Image.maxDecodedPixels else {
            spng_ctx_free(context)
            throw .tooLarge(path: source, width: Int(header.width), height: Int(header.height))
        }
        self.context = context
        self.source = source
        width = Int(header.width)
        height = Int(header.height)
        colourType = spng_color_type(UInt32(header.color_type))
        bitDepth = header.bit_depth
    }

    deinit { spng_ctx_free(context) }

    var layoutName: String {
        let kind = switch colourType {
        case SPNG_COLOR_TYPE_GRAYSCALE: "greyscale"
        case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA: "greyscale with alpha"
        case SPNG_COLOR_TYPE_INDEXED: "palette"
        case SPNG_COLOR_TYPE_TRUECOLOR: "RGB"
        default: "RGBA"
        }
        return "\(kind), \(bitDepth)-bit"
    }

    func decode8(_ format: spng_format) throws(ImagingError) -> [UInt8] {
        try decode(format, as: UInt8.self)
    }

    /// 16-bit formats come back in host byte order.
    func decode16(_ format: spng_format) throws(ImagingError) -> [UInt16] {
        try decode(format, as: UInt16.self)
    }

    private func decode<Sample: FixedWidthInteger>(_ format: spng_format, as _: Sample.Type)
        throws(ImagingError) -> [Sample]
    {
        let fmt = Int32(format.rawValue)
        var length = 0
        try check(spng_decoded_image_size(context, fmt, &length))
        var samples = [Sample](repeating: 0, count: length / MemoryLayout<Sample>.size)
        try check(samples.withUnsafeMutableBytes { spng_decode_image(context, $0.baseAddress, $0.count, fmt, 0) })
        return samples
    }

    private func check(_ code: Int32) throws(ImagingError) {
        if code != 0 { throw .corruptPNG(path: source, reason: String(cString: spng_strerror(code))) }
    }
}

/// Rounds a 16-bit sample to 8 bits; exact inverse of v × 257.
@inline(__always)
private func to8(_ value: UInt16) -> UInt8 {
    UInt8((UInt32(value) * 255 + 32767) / 65535)
}

/// Every `stride`-th sample starting at 0: the grey of grey+alpha.
private func firstOf<Sample>(_ stride: Int, _ samples: [Sample]) -> [Sample] {
    Swift.stride(from: 0, to: samples.count, by: stride).map { samples[$0] }
}

/// RGB of RGBA.
private func firstThreeOf4<Sample>(_ samples: [Sample]) -> [Sample] {
    var out = [Sample]()
    out.reserveCapacity(samples.count / 4 * 3)
    for base in Swift.stride(from: 0, to: samples.count, by: 4) {
        out.append(contentsOf: samples[base..<(base + 3)])
    }
    return out
}
