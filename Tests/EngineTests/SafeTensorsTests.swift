import Foundation
import Testing
@testable import Engine

@Suite struct SafeTensorsTests {
    func sampleTensors() -> [NamedTensor] {
        var rng = SeededGenerator(seed: 31)
        let net = Sequential([Linear(5, 12, rng: &rng), Reshape(channels: 3, height: 2, width: 2), BatchNorm(3),
                              ConvTranspose2D(3, 2, kernel: 4, stride: 2, pad: 1, rng: &rng)])
        for t in net.namedTensors { rng.fillNormal(t.tensor.data, count: t.tensor.count) }
        return net.namedTensors
    }

    @Test func roundTripF32IsExact() throws {
        let tensors = sampleTensors()
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode(tensors, metadata: ["format": "pt", "product": "brick \"A\""]))
        #expect(file.metadata == ["format": "pt", "product": "brick \"A\""])
        #expect(file.entry("0.weight")?.shape == [12, 5])
        #expect(file.entry("2.num_batches_tracked")?.shape == [])
        #expect(file.entry("3.weight")?.shape == [3, 2, 4, 4])
        for t in tensors { #expect(try file.floats(t.name) == t.tensor.toArray(), "\(t.name)") }
    }

    @Test func roundTripF16IsWithinHalfPrecision() throws {
        let tensors = sampleTensors()
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode(tensors, dtype: .f16))
        #expect(file.entries.allSatisfy { $0.dtype == .f16 })
        for t in tensors {
            for (a, b) in zip(try file.floats(t.name), t.tensor.toArray()) {
                #expect(abs(a - b) <= abs(b) * 1e-3 + 1e-4)
            }
        }
    }

    @Test func loadChecksNamesAndShapesBeforeWriting() throws {
        let tensors = sampleTensors()
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode(tensors), name: "g.safetensors")
        let copies = tensors.map { NamedTensor($0.name, Tensor($0.tensor.shape), dimensions: $0.dimensions) }
        try file.load(into: copies)
        for (a, b) in zip(copies, tensors) { #expect(a.tensor.toArray() == b.tensor.toArray()) }

        let wrong = [NamedTensor("0.weight", Tensor(Shape(5, 12)), dimensions: [5, 12])]
        #expect(throws: SafeTensorsError.shapeMismatch(file: "g.safetensors", tensor: "0.weight", found: [12, 5], expected: [5, 12])) {
            try file.load(into: wrong)
        }
        #expect(wrong[0].tensor.toArray().allSatisfy { $0 == 0 })
        #expect(throws: SafeTensorsError.missingTensor(file: "g.safetensors", tensor: "9.weight")) {
            try file.load(into: [NamedTensor("9.weight", Tensor(Shape(1, 1)))])
        }
    }

    func file(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = (0..<8).map { UInt8((UInt64(h.count) >> (8 * UInt64($0))) & 0xFF) }
        return out + h + data
    }

    @Test func malformedFilesThrowClearErrors() {
        let cases: [(String, [UInt8])] = [
            ("short", [1, 2, 3]),
            ("length past end", [100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)),
            ("huge length", [255, 255, 255, 255, 255, 255, 255, 127]),
            ("not json", file(header: "{not json")),
            ("array header", file(header: "[1, 2]")),
            ("missing dtype", file(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("unknown dtype", file(header: #"{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("negative shape", file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("size mismatch", file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("offsets past end", file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])),
            ("reversed offsets", file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])),
            ("overlap", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("gap", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8))),
            ("trailing bytes", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 6))),
            ("shape overflow", file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
            ("bad metadata", file(header: #"{"__metadata__":{"a":1}}"#)),
            ("fractional offset", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, data: [0, 0, 0, 0])),
        ]
        for (what, bytes) in cases {
            do {
                _ = try SafeTensorsFile(bytes: bytes, name: "bad.safetensors")
                Issue.record("\(what): parsed without error")
            } catch let error as SafeTensorsError {
                #expect(error.description.hasPrefix("bad.safetensors: "), "\(what): \(error)")
            } catch {
                Issue.record("\(what): unexpected error type \(error)")
            }
        }
    }

    /// Random truncations and byte corruptions of a valid file: each must either parse (the damage
    /// hit tensor data) or throw a SafeTensorsError; never crash, never return out-of-range data.
    @Test func fuzzedFilesNeverCrash() throws {
        let valid = SafeTensorsWriter.encode(sampleTensors(), metadata: ["k": "v"])
        var rng = SeededGenerator(seed: 32)
        var parsed = 0, rejected = 0
        for i in 0..<3000 {
            var bytes = valid
            if i % 3 == 0 {
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            } else {
                let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
                for _ in 0...(Int(rng.next() % 4)) {
                    // Mostly damage the header, where the parser's decisions are made.
                    let at = rng.uniform() < 0.9 ? Int(rng.next() % UInt64(headerEnd)) : Int(rng.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let file = try SafeTensorsFile(bytes: bytes)
                for e in file.entries { _ = try file.floats(e.name) }
                parsed += 1
            } catch is SafeTensorsError {
                rejected += 1
            }
        }
        #expect(parsed + rejected == 3000)
        #expect(rejected > 1000)
    }

    /// A file written by Python's `safetensors` package from numpy arrays reads back exactly.
    @Test(.timeLimit(.minutes(5))) func readsFilesWrittenByPython() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rgi-st-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
        import sys
        import numpy as np
        from safetensors.numpy import save_file
        x = (np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4) - 40) / 7
        h = (np.linspace(-3, 3, 10, dtype=np.float32)).astype(np.float16)
        n = np.array(17, dtype=np.int64)
        save_file({'conv.weight': x, 'bn.bias': h, 'bn.num_batches_tracked': n}, sys.argv[1], metadata={'format': 'np'})
        """
        let out = dir.appendingPathComponent("py.safetensors").path
        let status = try runPython(script, arguments: [out])
        try #require(status == 0, "python safetensors writer failed (status \(status))")

        let file = try SafeTensorsFile(contentsOf: out)
        #expect(file.metadata["format"] == "np")
        #expect(file.entry("conv.weight")?.shape == [2, 3, 4, 4])
        #expect(try file.floats("conv.weight") == (0..<96).map { (Float($0) - 40) / 7 })
        #expect(file.entry("bn.bias")?.dtype == .f16)
        let expectedHalf = (0..<10).map { Float(Float16(Float(-3 + 6 * Double($0) / 9))) }
        #expect(try file.floats("bn.bias") == expectedHalf)
        #expect(try file.floats("bn.num_batches_tracked") == [17])
    }
}

/// Runs a Python script with the interpreter `make test` prepared (`RGI_PYTHON`: a venv holding
/// Tests/requirements.txt), or `python3` from PATH.
func runPython(_ script: String, arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [ProcessInfo.processInfo.environment["RGI_PYTHON"] ?? "python3", "-c", script] + arguments
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
