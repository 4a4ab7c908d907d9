import Imaging
import Testing

@Suite struct ImageTests {
    @Test func validatingInitialiserRejectsBadShapes() throws {
        #expect(throws: ImagingError.invalidDimensions(width: 0, height: 2, channels: 1)) {
            try Image(width: 0, height: 2, channels: 1, pixels: [])
        }
        #expect(throws: ImagingError.invalidDimensions(width: 2, height: 2, channels: 2)) {
            try Image(width: 2, height: 2, channels: 2, pixels: [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: ImagingError.sizeMismatch(width: 2, height: 2, channels: 3, count: 11)) {
            try Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 11))
        }
        #expect(throws: ImagingError.invalidDimensions(width: Int.max, height: 2, channels: 1)) {
            try Image(width: Int.max, height: 2, channels: 1)
        }
        #expect(throws: ImagingError.sizeMismatch(width: 3, height: 1, channels: 1, count: 2)) {
            try Image16(width: 3, height: 1, pixels: [1, 2])
        }
        let black = try Image(width: 3, height: 2, channels: 3)
        #expect(black.pixels == [UInt8](repeating: 0, count: 18))
    }

    @Test func greyUsesBT601LumaLikePillow() throws {
        // Pillow's convert("L") gives 76, 150, 29, 255, 0 and 128 for these colours.
        let colours = try Image(width: 6, height: 1, channels: 3, pixels: [
            255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128,
        ])
        let grey = colours.grey()
        #expect(grey.channels == 1)
        #expect(grey.pixels == [76, 150, 29, 255, 0, 128])
        #expect(grey.grey() == grey)
    }

    @Test func rgbCopiesGreyIntoEachChannel() throws {
        let grey = try Image(width: 2, height: 1, channels: 1, pixels: [7, 200])
        let rgb = grey.rgb()
        #expect(rgb.channels == 3)
        #expect(rgb.pixels == [7, 7, 7, 200, 200, 200])
        #expect(rgb.rgb() == rgb)
        #expect(rgb.grey() == grey)
    }

    @Test func cropTakesTheRectangle() throws {
        // 4×3 RGB where each pixel's first channel is its index.
        let image = try Image(width: 4, height: 3, channels: 3,
                              pixels: (0..<12).flatMap { [UInt8($0), 100, 200] })
        let crop = try image.cropped(x: 1, y: 1, width: 2, height: 2)
        #expect(crop.width == 2 && crop.height == 2 && crop.channels == 3)
        #expect(crop.pixels == [5, 100, 200, 6, 100, 200, 9, 100, 200, 10, 100, 200])
        #expect(try image.cropped(x: 0, y: 0, width: 4, height: 3) == image)
    }

    @Test(arguments: [(3, 0, 2, 1), (-1, 0, 1, 1), (0, 2, 1, 2), (0, 0, 0, 1), (0, 0, 5, 1)])
    func cropOutsideTheImageThrows(rect: (Int, Int, Int, Int)) throws {
        let image = try Image(width: 4, height: 3, channels: 1)
        #expect(throws: ImagingError.cropOutOfBounds(x: rect.0, y: rect.1, width: rect.2, height: rect.3,
                                                     imageWidth: 4, imageHeight: 3)) {
            try image.cropped(x: rect.0, y: rect.1, width: rect.2, height: rect.3)
        }
    }

    @Test func pixelsCanBeEditedInPlace() throws {
        var image = try Image(width: 2, height: 2, channels: 1)
        image.pixels[3] = 255
        #expect(image.pixels == [0, 0, 0, 255])
    }
}
