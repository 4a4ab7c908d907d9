/// How a line-scan assembler cuts the endless stream of lines into frames.
public enum LineScanMode: Sendable, Equatable {
    /// Frames of `height` lines; each starts `height - overlap` lines after the previous one,
    /// so a defect on a frame border is whole in one of the two frames.
    case continuous(height: Int, overlap: Int)
    /// One frame per part on the belt. A line is background when its mean intensity is on the
    /// background's side of `threshold`; a part ends after `minimumGap` background lines, and
    /// runs shorter than `minimumHeight` (dust, a belt seam) are ignored. A part longer than
    /// `maximumHeight` is cut there, so a jammed belt cannot grow a frame without bound.
    case parts(threshold: Double, background: Background, minimumGap: Int, minimumHeight: Int, maximumHeight: Int)

    public enum Background: String, Sendable, Equatable {
        /// Parts are brighter than the belt.
        case dark
        /// Parts are darker than the backlight or belt.
        case bright
    }
}
