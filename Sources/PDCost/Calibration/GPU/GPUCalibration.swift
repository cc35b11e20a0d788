/// Turns micro-benchmark measurements into the cost model's terms:
///
/// * `efficiency`: the measured parameters relative to the GPU's datasheet preset (what a team
///   commits as `profiles/<cluster>.json`, usable with the preset GPU in any prediction);
/// * `calibratedGPU` + `calibratedEfficiency`: the seed's calibrated hardware — a GPUSpec whose
///   peaks are the measured large-GEMM rates and bandwidths — with the same parameters rebased
///   onto it (`EfficiencyRebase`), so both descriptions predict the same times.
///
/// Derivations (each parameter is documented in EfficiencyProfile.swift):
/// * gemm_peak_fraction16/8 = R / (peak · clock), R the large-GEMM rate of the shape fit
///   (`GemmCurveFit`), peak the datasheet's dense BF16 (FP16) or FP8 peak, clock the (P/P_ref)^(1/3)
///   power factor `Rates` applies. A micro-benchmark on an idle GPU runs at its burst clock, which
///   is what the parameter means (the "maximum achievable matmul FLOPS", MAMF: ml-engineering,
///   compute/accelerator/README.md), so R is not divided by sustained_fraction.
/// * sustained_fraction = rate at the end of a soak / burst rate of the same GEMM (MSMF/MAMF, the
///   same source's benchmarks/README.md); without a soak it keeps the generation's default, and a
///   large GEMM in a training prediction runs at R · sustained_fraction.
/// * gemm_half_dimension = c of the fit t = 2mnk(1 + c/m + c/n + c/k)/R + t₀.
/// * hbm_fraction = device-to-device copy bandwidth (read + write) / datasheet HBM bandwidth.
/// * pcie_fraction = pinned host→device copy bandwidth / datasheet PCIe bandwidth.
/// * nvlink_fraction, nvlink_step_latency = bus bandwidth B / datasheet NVLink bandwidth and
///   per-step latency λ of the fit of Collectives.swift's t = busFactor·S/B + steps·λ to NCCL
///   all-reduce, all-gather and reduce-scatter (≥ 2 GPUs); all_to_all_fraction from all-to-all.
public struct GPUCalibration: Sendable {
    public let result: GPUCalibrationResult
    /// The datasheet preset matching the device name, nil if none does.
    public let datasheet: GPUSpec?
    /// The reference the efficiency is relative to: the datasheet, or (no preset) peaks implied
    /// from the measured rates and the generation's default large-GEMM share.
    public let reference: GPUSpec
    public let gemmFits: [GemmDType: GemmCurveFit]
    public let collectiveFit: CollectiveFit?
    /// Measured parameters by name, relative to `reference`, within their bounds.
    public let efficiency: [String: Double]
    public let calibratedGPU: GPUSpec
    /// Every parameter, for `calibratedGPU`.
    public let calibratedEfficiency: EfficiencyProfile
    /// The result's notes plus what the derivation skipped or clamped.
    public let notes: [String]

    /// Derives against the preset whose name or alias matches the device name, if any.
    public init(_ result: GPUCalibrationResult) {
        self.init(result, datasheet: try? GPUPresets.named(result.device.name))
    }

    /// Derives against `datasheet` (nil: no datasheet; peaks are implied from the measurements).
    public init(_ result: GPUCalibrationResult, datasheet sheet: GPUSpec?) {
        self.result = result
        var notes = result.notes
        self.datasheet = sheet

        // Fits first: they give the measured rates everything else is derived from.
        // Without a datasheet the architecture comes from the device's compute capability
        // (`GPUArchitecture(computeCapabilityMajor:minor:)`), never from its name; a capability
        // pdcost does not model (Turing, a fake backend's 0.0) takes Hopper's defaults, noted.
        let measuredArchitecture = GPUArchitecture(computeCapabilityMajor: result.device.computeCapabilityMajor,
                                                   minor: result.device.computeCapabilityMinor)
        if sheet == nil && measuredArchitecture == nil {
            notes.append("compute capability \(result.device.computeCapabilityMajor).\(result.device.computeCapabilityMinor) is not an architecture pdcost models: hopper defaults used")
        }
        let architecture = sheet?.architecture ?? measuredArchitecture ?? .hopper
        let provisional = sheet ?? GPUSpec(name: Self.shortName(result.device.name), architecture: architecture,
                                           memoryBytes: result.device.memoryBytes,
                                           fp32Flops: 0, tf32Flops: 0, fp16Flops: 0, bf16Flops: 1, fp8Flops: 0,
                                           hbmBandwidth: 0, nvlinkBandwidth: 0, networkBandwidth: 0, pcieBandwidth: 0,
                                           tdpWatts: 0)
        let defaults = EfficiencyProfile.defaults(for: provisional)
        var fits: [GemmDType: GemmCurveFit] = [:]
        for dtype in GemmDType.allCases {
            let samples = result.gemm.filter { $0.dtype == dtype.rawValue }.map { (m: $0.m, n: $0.n, k: $0.k, seconds: $0.seconds) }
            if samples.isEmpty { continue }
            if let fit = GemmCurveFit.fit(samples, fallbackHalfDimension: defaults.gemmHalfDimension) {
                fits[dtype] = fit
            } else {
                notes.append("\(dtype.rawValue): the GEMM curve could not be fitted to \(samples.count) sample(s)")
            }
        }
        gemmFits = fits
        let collectives = CollectiveFit.fit(result.collectives)
        collectiveFit = collectives
        if !result.collectives.isEmpty && collectives == nil { notes.append("collectives: the bandwidth/latency fit failed") }

        // Measured rates; an unmeasured 16-bit format takes the other's rate (BF16 and FP16
        // tensor peaks are equal on every part with both: NVIDIA A100/H100/B200 datasheets).
        let fit16 = fits[.bf16] ?? fits[.fp16]
        let rate16 = fit16?.rate
        let d2d = result.bestBandwidth(.d2d), h2d = result.bestBandwidth(.h2d)

        // Reference: the datasheet, else peaks implied by the measured rates and the defaults.
        var reference: GPUSpec
        if let sheet {
            reference = sheet
        } else {
            notes.append("no datasheet preset matches '\(result.device.name)': efficiencies are relative to peaks implied by the measured rates and the \(provisional.architecture.rawValue) defaults")
            let implied16 = (rate16 ?? 0) / max(defaults.gemmPeakFraction16, 1e-9)
            let implied8 = defaults.gemmPeakFraction8 > 0 ? (fits[.fp8]?.rate ?? 0) / defaults.gemmPeakFraction8 : 0
            let pcie = h2d.map { $0 / defaults.pcieFraction } ?? 0
            let nvlink = collectives.map { $0.busBandwidth / defaults.nvlinkFraction } ?? pcie
            reference = GPUSpec(name: Self.shortName(result.device.name), architecture: architecture,
                                memoryBytes: result.device.memoryBytes,
                                fp32Flops: fits[.fp32]?.rate ?? 0, tf32Flops: fits[.tf32]?.rate ?? 0,
                                fp16Flops: implied16, bf16Flops: fits[.bf16] != nil || fits[.fp16] == nil ? implied16 : 0,
                                fp8Flops: implied8, hbmBandwidth: d2d.map { $0 / defaults.hbmFraction } ?? 0,
                                nvlinkBandwidth: nvlink, networkBandwidth: pcie, pcieBandwidth: pcie, tdpWatts: 0,
                                gpusPerNode: max(result.deviceCount, 1), source: "implied from measurements")
        }
        self.reference = reference

        // Parameters relative to the reference.
        var e: [String: Double] = [:]
        func set(_ name: String, _ value: Double, _ why: String) {
            guard let p = EfficiencyProfile.parameter(named: name), value.isFinite else { return }
            let bounded = min(max(value, p.lowerBound), p.upperBound)
            if bounded != value {
                notes.append("\(name)=\(value) (\(why)) clamped to [\(p.lowerBound), \(p.upperBound)]")
            }
            e[name] = bounded
        }
        let clock = EfficiencyRebase.powerClock(reference, defaults)
        if let fit16 {
            let fitted = fits[.bf16] != nil ? GemmDType.bf16 : .fp16
            let peak = fitted == .bf16 ? reference.bf16Flops : reference.fp16Flops
            if peak > 0 { set("gemm_peak_fraction16", fit16.rate / (peak * clock), "\(fitted.rawValue) large-GEMM rate / peak") }
            if fit16.samples >= 3 { set("gemm_half_dimension", fit16.halfDimension, "shape fit") }
        }
        if let fit8 = fits[.fp8], reference.fp8Flops > 0 {
            set("gemm_peak_fraction8", fit8.rate / (reference.fp8Flops * clock), "fp8 large-GEMM rate / peak")
        }
        if let s = result.sustained, s.sustainedSeconds > 0 {
            set("sustained_fraction", s.burstSeconds / s.sustainedSeconds, "sustained / burst GEMM rate")
        }
        if let d2d, reference.hbmBandwidth > 0 { set("hbm_fraction", d2d / reference.hbmBandwidth, "D2D copy / HBM peak") }
        if let h2d, reference.pcieBandwidth > 0 { set("pcie_fraction", h2d / reference.pcieBandwidth, "pinned H2D / PCIe peak") }
        if let c = collectives {
            if reference.nvlinkBandwidth > 0 { set("nvlink_fraction", c.busBandwidth / reference.nvlinkBandwidth, "NCCL bus bandwidth / NVLink peak") }
            set("nvlink_step_latency", c.stepLatency, "NCCL per-step latency")
            if let f = c.allToAllFraction { set("all_to_all_fraction", f, "all-to-all / ring bus bandwidth") }
        }
        efficiency = e

        // The calibrated GPU: measured large-GEMM rates and bandwidths as its numbers. Board power
        // = the reference power: the measurement already ran at this board's clocks, so no power
        // factor applies ((P/P_ref)^(1/3) = 1). A 0 would read as "unknown" to GPU completion.
        let measured16 = rate16 ?? 0
        let name = sheet.map { "\($0.name) (measured)" } ?? Self.shortName(result.device.name)
        let calibrated = GPUSpec(
            name: name, aliases: [], architecture: reference.architecture,
            supportsFP8: reference.supportsFP8, supportsFP4: reference.supportsFP4,
            memoryBytes: result.device.memoryBytes,
            fp32Flops: fits[.fp32]?.rate ?? reference.fp32Flops,
            tf32Flops: fits[.tf32]?.rate ?? reference.tf32Flops,
            fp16Flops: fits[.fp16]?.rate ?? (measured16 > 0 && reference.fp16Flops > 0 ? measured16 : reference.fp16Flops),
            bf16Flops: fits[.bf16]?.rate ?? (measured16 > 0 && reference.bf16Flops > 0 ? measured16 : reference.bf16Flops),
            fp8Flops: fits[.fp8]?.rate ?? reference.fp8Flops,
            hbmBandwidth: d2d ?? reference.hbmBandwidth,
            nvlinkBandwidth: collectives?.busBandwidth ?? reference.nvlinkBandwidth,
            networkBandwidth: reference.networkBandwidth,
            pcieBandwidth: h2d ?? reference.pcieBandwidth,
            tdpWatts: defaults.referencePowerWatts, gpusPerNode: sheet?.gpusPerNode ?? max(result.deviceCount, 1),
            source: "measured by pdcost GPU micro-benchmarks on \(result.device.name)"
                + (result.machine.driverVersion.map { ", driver \($0)" } ?? ""))
        calibratedGPU = calibrated
        let full = (try? defaults.applying(e)) ?? defaults
        let rebased = EfficiencyRebase.rebase(full, from: reference, to: calibrated)
        if !rebased.clamped.isEmpty {
            notes.append("calibrated GPU: \(rebased.clamped.joined(separator: ", ")) clamped when rebased onto the measured rates")
        }
        calibratedEfficiency = rebased.efficiency
        self.notes = notes
    }

    /// The device name without the vendor prefix ("NVIDIA H100 80GB HBM3" → "H100 80GB HBM3"), a
    /// label only (the architecture comes from the compute capability).
    static func shortName(_ name: String) -> String {
        var s = Substring(name)
        for prefix in ["NVIDIA ", "Tesla "] where s.hasPrefix(prefix) { s = s.dropFirst(prefix.count) }
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s.isEmpty ? "GPU" : String(s)
    }

    /// The profile a team commits: measured parameters relative to the datasheet, with the raw
    /// measurements and the machine.
    public func profile(created: String = CalibrationProfile.now()) -> CalibrationProfile {
        var gpu = CalibrationProfile.MeasuredGPU(name: result.device.name, count: result.deviceCount,
                                                  memoryBytes: result.device.memoryBytes)
        gpu.fp32Tflops = result.bestTflops(.fp32)
        gpu.tf32Tflops = result.bestTflops(.tf32)
        gpu.fp16Tflops = result.bestTflops(.fp16)
        gpu.bf16Tflops = result.bestTflops(.bf16)
        gpu.fp8Tflops = result.bestTflops(.fp8)
        gpu.hbmBytesPerSecond = result.bestBandwidth(.d2d)
        gpu.hostToDeviceBytesPerSecond = result.bestBandwidth(.h2d)
        gpu.deviceToHostBytesPerSecond = result.bestBandwidth(.d2h)
        return CalibrationProfile(
            source: "gpu-microbenchmarks", created: created,
            generation: reference.architecture.rawValue, efficiency: efficiency,
            machine: result.machine, gpu: gpu,
            measurements: .init(gemm: result.gemm, bandwidth: result.bandwidth, collectives: result.collectives))
    }

    /// The profile for `calibratedGPU`: every parameter, rebased.
    public func calibratedProfile(created: String = CalibrationProfile.now()) -> CalibrationProfile {
        var p = profile(created: created)
        p.generation = calibratedGPU.architecture.rawValue
        p.efficiency = calibratedEfficiency.values
        p.measurements = nil
        return p
    }
}
