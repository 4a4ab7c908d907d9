#!/usr/bin/env python3
"""Writes the PNG and JPEG fixtures of ImagingTests into OUTDIR, with the pixels a reader must get.

Usage: make_fixtures.py OUTDIR

Files come from Pillow (installed with pip if missing) or, for the 16-bit colour and grey+alpha
layouts and the Adam7 interlacing Pillow cannot write, from the small PNG writer below (zlib + struct, per the PNG spec).
OUTDIR/manifest.json lists under "images", per file: width, height, channels of the 8-bit decode, the file with
the expected 8-bit pixels (HWC), for greyscale the expected 16-bit pixels (little-endian), and for
JPEGs the largest difference allowed from Pillow's own decode; under "unsupported", files
the reader must refuse as an unsupported layout.
"""
import json
import os
import struct
import subprocess
import sys
import zlib

try:
    from PIL import Image
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pillow"], check=True)
    from PIL import Image

W, H = 13, 7  # odd sizes catch row-stride mistakes


def to8(v16):
    """16 → 8 bits as the Swift reader rounds: v × 255 / 65535, to nearest."""
    return (v16 * 255 + 32767) // 65535


def sample16(x, y, c=0):
    # Spans the full range and includes exact multiples of 257 as well as values between them.
    return (x * 5003 + y * 9001 + c * 20011) % 65536


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, width, height, colour_type, rows16, interlaced=False):
    """Minimal 16-bit PNG writer: rows16 is a list of rows of samples (channel-interleaved)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    def scanlines(rows):
        return b"".join(b"\x00" + struct.pack(">%dH" % len(row), *row) for row in rows)

    if interlaced:
        n = len(rows16[0]) // width  # samples per pixel
        raw = b""
        for x0, y0, dx, dy in ADAM7:  # each pass is a small image of every dx-th, dy-th pixel
            rows = [[v for x in range(x0, width, dx) for v in rows16[y][n * x:n * x + n]]
                    for y in range(y0, height, dy)]
            if rows and rows[0]:
                raw += scanlines(rows)
    else:
        raw = scanlines(rows16)
    ihdr = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 1 if interlaced else 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                + chunk(b"IEND", b""))


def main(out):
    entries = []

    def add(name, width, height, channels, expected8, expected16=None, jpeg_tolerance=None):
        with open(os.path.join(out, name + ".rgb8"), "wb") as f:
            f.write(bytes(expected8))
        entry = {"file": name, "width": width, "height": height, "channels": channels,
                 "expected8": name + ".rgb8"}
        if expected16 is not None:
            with open(os.path.join(out, name + ".grey16"), "wb") as f:
                f.write(struct.pack("<%dH" % len(expected16), *expected16))
            entry["expected16"] = name + ".grey16"
        if jpeg_tolerance is not None:
            entry["jpegTolerance"] = jpeg_tolerance
        entries.append(entry)

    coords = [(x, y) for y in range(H) for x in range(W)]

    grey = [(x * 17 + y * 31) % 256 for x, y in coords]
    im = Image.new("L", (W, H)); im.putdata(grey); im.save(os.path.join(out, "grey8.png"))
    add("grey8.png", W, H, 1, grey, [v * 257 for v in grey])

    bits = [255 if (x + y) % 2 else 0 for x, y in coords]
    im = Image.new("1", (W, H)); im.putdata(bits); im.save(os.path.join(out, "grey1.png"))
    add("grey1.png", W, H, 1, bits, [v * 257 for v in bits])

    alpha = [(x * 40 + y) % 256 for x, y in coords]
    im = Image.new("LA", (W, H)); im.putdata(list(zip(grey, alpha))); im.save(os.path.join(out, "grey_alpha.png"))
    add("grey_alpha.png", W, H, 1, grey)

    rgb = [((x * 19) % 256, (y * 37) % 256, (x * y * 11) % 256) for x, y in coords]
    im = Image.new("RGB", (W, H)); im.putdata(rgb); im.save(os.path.join(out, "rgb.png"))
    add("rgb.png", W, H, 3, [c for p in rgb for c in p])

    im = Image.new("RGBA", (W, H)); im.putdata([p + (a,) for p, a in zip(rgb, alpha)])
    im.save(os.path.join(out, "rgba.png"))
    add("rgba.png", W, H, 3, [c for p in rgb for c in p])

    def palette_image(n_colours, indices):
        palette = [((i * 53) % 256, (i * 97) % 256, (i * 151) % 256) for i in range(n_colours)]
        im = Image.new("P", (W, H)); im.putpalette([c for p in palette for c in p]); im.putdata(indices)
        return im, [c for i in indices for c in palette[i]]

    # Pillow picks the index bit depth from the palette size: 256 colours give 8 bits, 16 give 4.
    im, expected = palette_image(256, [(x * 7 + y * 29) % 256 for x, y in coords])
    im.save(os.path.join(out, "palette8.png"))
    add("palette8.png", W, H, 3, expected)
    # A tRNS chunk too, which the reader must ignore.
    im, expected = palette_image(16, [(x + 3 * y) % 16 for x, y in coords])
    im.save(os.path.join(out, "palette4_trns.png"), transparency=0)
    add("palette4_trns.png", W, H, 3, expected)

    grey16 = [sample16(x, y) for x, y in coords]
    im = Image.new("I;16", (W, H)); im.putdata(grey16); im.save(os.path.join(out, "grey16.png"))
    add("grey16.png", W, H, 1, [to8(v) for v in grey16], grey16)

    # Adam7 interlacing, which Pillow does not write but other tools do.
    write_png(os.path.join(out, "grey16_adam7.png"), W, H, 0, [[sample16(x, y) for x in range(W)] for y in range(H)],
              interlaced=True)
    add("grey16_adam7.png", W, H, 1, [to8(v) for v in grey16], grey16)

    rows = [[sample16(x, y, c) for x in range(W) for c in range(2)] for y in range(H)]
    write_png(os.path.join(out, "grey_alpha16.png"), W, H, 4, rows)
    add("grey_alpha16.png", W, H, 1, [to8(sample16(x, y)) for x, y in coords])

    for name, colour_type, n in (("rgb16.png", 2, 3), ("rgba16.png", 6, 4)):
        rows = [[sample16(x, y, c) for x in range(W) for c in range(n)] for y in range(H)]
        write_png(os.path.join(out, name), W, H, colour_type, rows)
        add(name, W, H, 3, [to8(sample16(x, y, c)) for x, y in coords for c in range(3)])

    # JPEGs of a smooth scene: the reader must match Pillow's decode of the same file.
    JW, JH = 64, 48
    scene = [(4 * x, 5 * y, (2 * x + 3 * y) % 256) for y in range(JH) for x in range(JW)]
    im = Image.new("RGB", (JW, JH)); im.putdata(scene)
    im.save(os.path.join(out, "colour.jpg"), quality=90)
    decoded = Image.open(os.path.join(out, "colour.jpg")).convert("RGB")
    add("colour.jpg", JW, JH, 3, list(decoded.tobytes()), jpeg_tolerance=2)
    im.convert("L").save(os.path.join(out, "grey.jpg"), quality=90)
    decoded = Image.open(os.path.join(out, "grey.jpg"))
    add("grey.jpg", JW, JH, 1, list(decoded.tobytes()), jpeg_tolerance=2)

    # CMYK JPEG: a layout the reader must refuse with a clear error.
    Image.new("CMYK", (8, 8), (0, 50, 100, 150)).save(os.path.join(out, "cmyk.jpg"))

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"images": entries, "unsupported": ["cmyk.jpg"]}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
