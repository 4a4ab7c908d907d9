import ArgumentParser

/// `--min-area`: the minimum defect area in pixels, or `auto` for the area calibration chooses per
/// score on synthetic defects (`Calibration.chooseScore`, docs/METHOD.md).
struct MinAreaArgument: ExpressibleByArgument {
    /// nil: chosen at calibration.
    let pixels: Int?

    init(pixels: Int?) { self.pixels = pixels }

    init?(argument: String) {
        if argument == "auto" {
            pixels = nil
        } else if let n = Int(argument), n >= 1 {
            pixels = n
        } else {
            return nil
        }
    }

    var defaultValueDescription: String { pixels.map(String.init) ?? "auto" }
}
