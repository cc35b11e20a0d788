import FoundationEssentials
import PDCost

/// `pdcost-bench rederive PROFILE [--out FILE]`: derives a micro-benchmark profile's parameters
/// again from the raw measurements it carries, with this build's fits (`GPUCalibration`), so a
/// profile committed before a fitter fix need not be measured again. Keeps the profile's date
/// and machine; prints what changed.
enum Rederive {
    static func run(_ path: String, _ options: [String]) {
        var out: String?
        var i = 0
        while i < options.count {
            if options[i] == "--out", i + 1 < options.count { out = options[i + 1]; i += 2 } else {
                fail("rederive: unknown option '\(options[i])'")
            }
        }
        let old: CalibrationProfile
        do { old = try CalibrationProfile.decode(readFile(path)) } catch { fail(error.message) }
        guard old.source == "gpu-microbenchmarks", let measured = old.measurements, let gpu = old.gpu else {
            fail("rederive: \(path) is not a micro-benchmark profile with its measurements")
        }
        // The device's name selects the datasheet; the compute capability matters only without
        // one (a generation pdcost models is then taken from `generation`).
        let capability: (Int, Int) = switch GPUArchitecture(rawValue: old.generation ?? "") {
        case .volta: (7, 0)
        case .ampere: (8, 0)
        case .ada: (8, 9)
        case .blackwell: (10, 0)
        case .blackwellUltra: (10, 3)
        default: (9, 0)
        }
        var result = GPUCalibrationResult(
            device: GPUDeviceInfo(name: gpu.name, memoryBytes: gpu.memoryBytes,
                                  computeCapabilityMajor: capability.0, computeCapabilityMinor: capability.1),
            deviceCount: gpu.count, machine: old.machine ?? .init())
        result.gemm = measured.gemm
        result.bandwidth = measured.bandwidth
        result.collectives = measured.collectives
        let derived = GPUCalibration(result)
        let new = derived.profile(created: old.created)
        for name in Set(old.efficiency.keys).union(new.efficiency.keys).sorted() {
            let before = old.efficiency[name].map { "\($0)" } ?? "-"
            let after = new.efficiency[name].map { "\($0)" } ?? "-"
            print("\(name): \(before) -> \(after)")
        }
        for note in derived.notes { print("note: \(note)") }
        guard let out else { return }
        do {
            let bytes = try new.encoded()
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            print("written to \(out)")
        } catch {
            fail("rederive: cannot write \(out): \(error)")
        }
    }
}
