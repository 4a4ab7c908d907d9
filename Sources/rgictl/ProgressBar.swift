import Foundation
import RGI

/// Training progress for a person: a bar redrawn in place on a terminal, plain lines every
/// 10 seconds otherwise (logs, CI).
final class ProgressBar {
    private let interactive = isatty(STDOUT_FILENO) == 1
    private var lastLine = -Double.infinity
    private var drawn = false

    func update(_ p: TrainingProgress) {
        let fraction = p.fraction
        let stats = String(format: "step %5d  L1 %.4f  adv %+.3f  D %.3f/%.3f  %5.0f tiles/s  ETA %@",
                           p.step, p.reconstruction, p.adversarial, p.discriminatorReal, p.discriminatorFake,
                           p.tilesPerSecond, Self.clock(p.remaining))
        if interactive {
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\(bar) \(String(format: "%3.0f%%", fraction * 100))  \(stats)\u{1B}[K", terminator: "")
            fflush(nil)
            drawn = true
        } else if p.elapsed - lastLine >= 10 {
            print(String(format: "%3.0f%%  ", fraction * 100) + stats)
            fflush(nil)  // a log file is block-buffered: show progress as it happens
            lastLine = p.elapsed
        }
    }

    func finish() {
        if drawn { print("") }
        drawn = false
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
