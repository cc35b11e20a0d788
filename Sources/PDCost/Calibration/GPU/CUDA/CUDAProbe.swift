import FoundationEssentials

/// What the machine offers for GPU calibration, without measuring anything: the libraries that
/// load, the driver, the devices, or the reason there is no usable GPU. JSON:
/// `{"available": bool, "error": str|null, "device_count": int, "devices": [{"name",
/// "memory_bytes", "compute_capability"}], "machine": {...versions...}, "libraries": {"cudart":
/// path|null, "cublas": ..., "cublaslt": ..., "nccl": ...}, "notes": [...]}`.
public struct CUDAProbe: Encodable, Sendable {
    public var available: Bool
    public var error: String?
    public var deviceCount: Int
    public var devices: [Device]
    public var machine: CalibrationProfile.MachineInfo?
    public var libraries: [String: String?]
    public var notes: [String]

    public struct Device: Encodable, Sendable {
        var name: String
        var memoryBytes: Double
        var computeCapability: String
    }

    public static func run() -> CUDAProbe {
        var probe = CUDAProbe(available: false, error: nil, deviceCount: 0, devices: [], machine: nil,
                              libraries: [:], notes: [])
        do {
            let backend = try CUDABenchmarkBackend()
            probe.available = true
            probe.deviceCount = backend.deviceCount
            probe.machine = backend.machine
            probe.libraries = ["cudart": backend.runtime.library.path, "cublas": backend.blas?.library.path,
                               "cublaslt": backend.blasLt?.library.path, "nccl": backend.nccl?.library.path]
            for device in 0..<backend.deviceCount {
                if let info = try? backend.deviceInfo(device) {
                    probe.devices.append(Device(name: info.name, memoryBytes: info.memoryBytes,
                                                computeCapability: "\(info.computeCapabilityMajor).\(info.computeCapabilityMinor)"))
                }
            }
            for problem in [backend.blasProblem, backend.blasLtProblem, backend.ncclProblem].compactMap({ $0 }) {
                probe.notes.append(problem)
            }
        } catch {
            probe.error = error.message
            probe.libraries = ["cudart": nil, "cublas": nil, "cublaslt": nil, "nccl": nil]
        }
        return probe
    }

    public func json() throws(PDCostError) -> String {
        try JSONWriter.encode(self, what: "CUDA probe", snakeCaseKeys: true, nonFinite: .nullWithWarning)
    }
}

/// One calibration on the local GPUs: load CUDA, measure, derive.
public enum GPUCalibrationRun {
    public static func run(options: GPUBenchmarkOptions,
                           progress: GPUBenchmark.Progress = { _, _, _ in false }) throws(PDCostError) -> GPUCalibrationReport {
        let options = try options.validated()
        let backend = try CUDABenchmarkBackend()
        let result = try GPUBenchmark.run(on: backend, options: options, progress: progress)
        return GPUCalibrationReport(GPUCalibration(result))
    }
}
