import ArgumentParser
import Engine

/// Starts `rgictl` with the engine's GEMMs on its worker pool: training steps and inspections both
/// ran faster and steadier that way than on OpenBLAS's own threads (docs/PERFORMANCE.md).
@main
enum RGICtlMain {
    static func main() async {
        BLAS.threading = .workerPool
        await RGICtl.main()
    }
}

/// `rgictl`: the operator's and engineer's command-line tool. Each subcommand lives in its own
/// file and only parses arguments and prints; the work is done by the library modules.
struct RGICtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rgictl",
        abstract: "Operate and train the rgi visual-inspection system.",
        subcommands: [TrainCommand.self, CalibrateCommand.self, InspectCommand.self, EvaluateCommand.self, RestoreCommand.self, CameraCommand.self,
                      StatusCommand.self, ConfigCommand.self, ProductCommand.self, ReloadCommand.self])
}
