#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The GPU benchmark backend over the CUDA runtime, cuBLAS/cuBLASLt and NCCL, all loaded at run
/// time. Creating it fails with `PDCostError.noDevice` naming what is missing: the runtime
/// library, the driver (cudaGetDeviceCount's error string) or any device.
///
/// GEMM and copy timings use CUDA events around a batch of back-to-back launches on one stream
/// (≥ ~1 ms of GPU work, so launch gaps and event resolution, ~0.5 µs, do not dominate).
/// Collectives are timed on the host around batches after synchronising every stream, as
/// nccl-tests does (src/common.cu: the timer spans the iterations and their completion).
/// Not thread-safe: one calibration drives one backend.
public final class CUDABenchmarkBackend: GPUBenchmarkBackend {
    let runtime: CUDARuntimeAPI
    let blas: CUBLASAPI?
    let blasLt: CUBLASLtAPI?
    let nccl: NCCLAPI?
    /// Why cuBLAS / cuBLASLt / NCCL could not be loaded.
    let blasProblem: String?
    let blasLtProblem: String?
    let ncclProblem: String?
    public let deviceCount: Int
    public private(set) var machine: CalibrationProfile.MachineInfo

    // Per-device state, created on first use and released in deinit.
    private var infos: [Int: GPUDeviceInfo] = [:]
    private var streams: [Int: OpaquePointer] = [:]
    private var events: [Int: (OpaquePointer, OpaquePointer)] = [:]
    private var blasHandles: [Int: OpaquePointer] = [:]
    private var ltHandles: [Int: OpaquePointer] = [:]
    private var gemmBuffers: [Int: GemmBuffers] = [:]
    private var ltWorkspace: [Int: UnsafeMutableRawPointer] = [:]
    private var comms: [OpaquePointer?] = []
    private var collectiveBuffers: [(send: UnsafeMutableRawPointer, recv: UnsafeMutableRawPointer, bytes: Int)] = []

    struct GemmBuffers {
        var a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, c: UnsafeMutableRawPointer
        var bytesA: Int, bytesB: Int, bytesC: Int
        var filledWith: GemmDType?
    }

    /// cuBLASLt workspace (32 MiB: what cuBLAS recommends for Hopper, cuBLAS docs
    /// "cublasSetWorkspace").
    static let ltWorkspaceBytes = 32 << 20

    public init() throws(PDCostError) {
        let opened = DynamicLibrary.open(CUDARuntimeAPI.libraryNames)
        guard let cudart = opened.library else {
            throw .noDevice("no usable GPU: the CUDA runtime library could not be loaded (tried "
                            + CUDARuntimeAPI.libraryNames.joined(separator: ", ")
                            + (opened.errors.last.map { "; \($0)" } ?? "")
                            + "). Install the CUDA runtime or point PDCOST_CUDA_LIBRARY_PATH/LD_LIBRARY_PATH at it")
        }
        let runtime = try CUDARuntimeAPI(cudart)
        self.runtime = runtime
        var count: Int32 = 0
        let status = runtime.getDeviceCount(&count)
        if status != 0 {
            throw .noDevice("no usable GPU: cudaGetDeviceCount failed: \(runtime.describe(status))")
        }
        guard count > 0 else { throw .noDevice("no usable GPU: cudaGetDeviceCount found no CUDA device") }
        deviceCount = Int(count)

        // Prefer the math libraries of the runtime's major version (".so.12" with ".so.12").
        func ordered(_ names: [String]) -> [String] {
            guard let major = cudart.path.split(separator: ".").last, Int(major) != nil else { return names }
            return names.filter { $0.hasSuffix(".so.\(major)") } + names.filter { !$0.hasSuffix(".so.\(major)") }
        }
        func load<T>(_ names: [String], _ make: (DynamicLibrary) throws(PDCostError) -> T) -> (T?, String?) {
            let opened = DynamicLibrary.open(names)
            guard let library = opened.library else {
                return (nil, "could not load \(names.joined(separator: "/"))" + (opened.errors.last.map { ": \($0)" } ?? ""))
            }
            do { return (try make(library), nil) } catch { return (nil, error.message) }
        }
        (blas, blasProblem) = load(ordered(CUBLASAPI.libraryNames), CUBLASAPI.init)
        (blasLt, blasLtProblem) = load(ordered(CUBLASLtAPI.libraryNames), CUBLASLtAPI.init)
        if deviceCount > 1 {
            (nccl, ncclProblem) = load(NCCLAPI.libraryNames, NCCLAPI.init)
        } else {
            (nccl, ncclProblem) = (nil, nil)
        }

        var info = CalibrationProfile.MachineInfo()
        var version: Int32 = 0
        if runtime.driverGetVersion(&version) == 0 { info.driverVersion = cudaVersionString(version) }
        if runtime.runtimeGetVersion(&version) == 0 { info.cudaRuntimeVersion = cudaVersionString(version) }
        if let blasLt { info.cublasVersion = cublasVersionString(blasLt.getVersion()) }
        if let nccl, nccl.getVersion(&version) == 0 { info.ncclVersion = ncclVersionString(version) }
        var host = [CChar](repeating: 0, count: 256)
        if gethostname(&host, host.count - 1) == 0 {
            info.hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        machine = info
    }

    deinit {
        for (device, buffers) in gemmBuffers {
            _ = runtime.setDevice(Int32(device))
            _ = runtime.free(buffers.a); _ = runtime.free(buffers.b); _ = runtime.free(buffers.c)
        }
        for (device, workspace) in ltWorkspace { _ = runtime.setDevice(Int32(device)); _ = runtime.free(workspace) }
        if let nccl { for comm in comms where comm != nil { _ = nccl.commDestroy(comm) } }
        for (device, buffers) in collectiveBuffers.enumerated() {
            _ = runtime.setDevice(Int32(device))
            _ = runtime.free(buffers.send); _ = runtime.free(buffers.recv)
        }
        if let blas { for (_, handle) in blasHandles { _ = blas.destroy(handle) } }
        if let blasLt { for (_, handle) in ltHandles { _ = blasLt.destroy(handle) } }
        for (_, pair) in events { _ = runtime.eventDestroy(pair.0); _ = runtime.eventDestroy(pair.1) }
        for (_, stream) in streams { _ = runtime.streamDestroy(stream) }
    }

    // MARK: Devices

    public func deviceInfo(_ device: Int) throws(PDCostError) -> GPUDeviceInfo {
        if let cached = infos[device] { return cached }
        try select(device)
        // cudaDeviceProp starts with char name[256] in every CUDA version; the buffer is far
        // larger than the struct (~1 KiB in CUDA 12) so that a newer layout cannot overrun it.
        let properties = UnsafeMutableRawPointer.allocate(byteCount: 16384, alignment: 16)
        defer { properties.deallocate() }
        properties.initializeMemory(as: UInt8.self, repeating: 0, count: 16384)
        try runtime.check(runtime.getDeviceProperties(properties, Int32(device)), "cudaGetDeviceProperties(\(device))")
        let nameBytes = UnsafeRawBufferPointer(start: properties, count: 256).prefix { $0 != 0 }
        let name = String(decoding: nameBytes, as: UTF8.self)
        var free = 0, total = 0
        try runtime.check(runtime.memGetInfo(&free, &total), "cudaMemGetInfo")
        var major: Int32 = 0, minor: Int32 = 0
        try runtime.check(runtime.deviceGetAttribute(&major, CUDARuntimeAPI.attributeComputeCapabilityMajor, Int32(device)),
                          "cudaDeviceGetAttribute(ComputeCapabilityMajor)")
        try runtime.check(runtime.deviceGetAttribute(&minor, CUDARuntimeAPI.attributeComputeCapabilityMinor, Int32(device)),
                          "cudaDeviceGetAttribute(ComputeCapabilityMinor)")
        // size_t arrives as Int: read it back as unsigned, or a driver reporting SIZE_MAX (no
        // limit) shows as -1 bytes.
        let totalBytes = Double(UInt(bitPattern: total))
        let info = GPUDeviceInfo(name: name.isEmpty ? "CUDA device \(device)" : name, memoryBytes: totalBytes,
                                 computeCapabilityMajor: Int(major), computeCapabilityMinor: Int(minor))
        infos[device] = info
        return info
    }

    public func unsupportedReason(_ dtype: GemmDType, device: Int) -> String? {
        guard let info = try? deviceInfo(device) else { return "device \(device) could not be queried" }
        if info.smVersion < dtype.minimumSMVersion {
            return "\(dtype.rawValue) needs compute capability \(dtype.minimumSMVersion / 10).\(dtype.minimumSMVersion % 10)+, this GPU is \(info.computeCapabilityMajor).\(info.computeCapabilityMinor)"
        }
        if dtype == .fp8 { return blasLt == nil ? "cuBLASLt unavailable: \(blasLtProblem ?? "not loaded")" : nil }
        return blas == nil ? "cuBLAS unavailable: \(blasProblem ?? "not loaded")" : nil
    }

    public var collectivesUnavailableReason: String? {
        if deviceCount < 2 { return "one GPU visible (collectives need 2 or more)" }
        if nccl == nil { return "NCCL unavailable: \(ncclProblem ?? "not loaded")" }
        return nil
    }

    private func select(_ device: Int) throws(PDCostError) {
        guard device >= 0, device < deviceCount else {
            throw .invalidArgument("device=\(device) does not exist: \(deviceCount) CUDA device(s) visible")
        }
        try runtime.check(runtime.setDevice(Int32(device)), "cudaSetDevice(\(device))")
    }

    private func stream(_ device: Int) throws(PDCostError) -> OpaquePointer {
        if let s = streams[device] { return s }
        var s: OpaquePointer?
        try runtime.check(runtime.streamCreate(&s), "cudaStreamCreate")
        guard let s else { throw .noDevice("cudaStreamCreate returned no stream") }
        streams[device] = s
        return s
    }

    private func eventPair(_ device: Int) throws(PDCostError) -> (OpaquePointer, OpaquePointer) {
        if let pair = events[device] { return pair }
        var start: OpaquePointer?, stop: OpaquePointer?
        try runtime.check(runtime.eventCreate(&start), "cudaEventCreate")
        try runtime.check(runtime.eventCreate(&stop), "cudaEventCreate")
        guard let start, let stop else { throw .noDevice("cudaEventCreate returned no event") }
        events[device] = (start, stop)
        return (start, stop)
    }

    private func deviceAlloc(_ bytes: Int, _ what: String) throws(PDCostError) -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        try runtime.check(runtime.malloc(&p, max(bytes, 1)), "cudaMalloc(\(bytes) bytes for \(what))")
        guard let p else { throw .noDevice("cudaMalloc(\(bytes) bytes for \(what)) returned NULL") }
        return p
    }

    // MARK: Timing

    /// Seconds per launch of `launch`, one value per repetition: events around a batch sized to
    /// ≥ `batchSeconds` of GPU time after `warmup` untimed launches.
    private func timeBatches(device: Int, warmup: Int, repetitions: Int, batchSeconds: Double,
                             _ launch: () throws(PDCostError) -> Void) throws(PDCostError) -> [Double] {
        let stream = try stream(device)
        let (start, stop) = try eventPair(device)
        for _ in 0..<max(warmup, 1) { try launch() }
        try runtime.check(runtime.streamSynchronize(stream), "cudaStreamSynchronize")
        func timed(_ count: Int) throws(PDCostError) -> Double {
            try runtime.check(runtime.eventRecord(start, stream), "cudaEventRecord")
            for _ in 0..<count { try launch() }
            try runtime.check(runtime.eventRecord(stop, stream), "cudaEventRecord")
            try runtime.check(runtime.eventSynchronize(stop), "cudaEventSynchronize")
            var ms: Float = 0
            try runtime.check(runtime.eventElapsedTime(&ms, start, stop), "cudaEventElapsedTime")
            return Double(ms) / 1000 / Double(count)
        }
        let single = try timed(1)
        let batch = single > 0 ? min(max(Int((batchSeconds / single).rounded(.up)), 1), 1000) : 100
        var times: [Double] = []
        for _ in 0..<repetitions { times.append(try timed(batch)) }
        return times
    }

    // MARK: GEMMs

    public func timeGemm(_ dtype: GemmDType, m: Int, n: Int, k: Int, device: Int, warmup: Int,
                         repetitions: Int) throws(PDCostError) -> [Double] {
        let launch = try prepareGemm(dtype, m: m, n: n, k: k, device: device)
        defer { launch.release() }
        return try timeBatches(device: device, warmup: warmup, repetitions: repetitions, batchSeconds: 1e-3, launch.run)
    }

    public func timeSustainedGemm(_ dtype: GemmDType, m: Int, n: Int, k: Int, device: Int,
                                  seconds: Double) throws(PDCostError) -> [Double] {
        let launch = try prepareGemm(dtype, m: m, n: n, k: k, device: device)
        defer { launch.release() }
        // 100 ms slices until `seconds` have passed; keep the last quarter.
        let clock = ContinuousClock()
        let begin = clock.now
        var slices: [Double] = []
        repeat {
            slices += try timeBatches(device: device, warmup: 0, repetitions: 1, batchSeconds: 0.1, launch.run)
        } while Self.seconds(clock.now - begin) < seconds && slices.count < 100_000
        return Array(slices.suffix(max(slices.count / 4, 1)))
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// A prepared GEMM: inputs on the device filled with random values of the precision (zeros
    /// would understate power draw and overstate clocks), and a closure launching one GEMM.
    struct PreparedGemm {
        let run: () throws(PDCostError) -> Void
        let release: () -> Void
    }

    private func prepareGemm(_ dtype: GemmDType, m: Int, n: Int, k: Int, device: Int) throws(PDCostError) -> PreparedGemm {
        if let why = unsupportedReason(dtype, device: device) { throw .unsupported(why) }
        try select(device)
        let stream = try stream(device)
        let buffers = try gemmInputs(dtype, bytesA: m * k * dtype.elementBytes, bytesB: k * n * dtype.elementBytes,
                                     bytesC: m * n * dtype.outputBytes, device: device)
        // alpha = 1, beta = 0 as FP32 (the scale type of CUBLAS_COMPUTE_32F), host pointer mode.
        func scalars() -> UnsafeMutablePointer<Float> {
            let box = UnsafeMutablePointer<Float>.allocate(capacity: 2)
            box[0] = 1
            box[1] = 0
            return box
        }
        if dtype == .fp8 {
            return try prepareLtFP8(m: m, n: n, k: k, device: device, stream: stream, buffers: buffers, scalars: scalars())
        }
        guard let blas else { throw .unsupported("cuBLAS unavailable") }
        let handle: OpaquePointer
        if let h = blasHandles[device] {
            handle = h
        } else {
            var h: OpaquePointer?
            try blas.check(blas.create(&h), "cublasCreate")
            guard let h else { throw .noDevice("cublasCreate returned no handle") }
            blasHandles[device] = h
            handle = h
            var version: Int32 = 0
            if machine.cublasVersion == nil, blas.getVersion(h, &version) == 0 {
                machine.cublasVersion = cublasVersionString(Int(version))
            }
        }
        try blas.check(blas.setStream(handle, stream), "cublasSetStream")
        // Column-major C[m×n] = A[m×k]·B[k×n], no transposes (lda = m, ldb = k, ldc = m).
        let (type, compute): (Int32, Int32) = switch dtype {
        case .fp32: (CUBLASAPI.typeR32F, CUBLASAPI.compute32F)
        case .tf32: (CUBLASAPI.typeR32F, CUBLASAPI.compute32FFastTF32)
        case .fp16: (CUBLASAPI.typeR16F, CUBLASAPI.compute32F)
        case .bf16, .fp8: (CUBLASAPI.typeR16BF, CUBLASAPI.compute32F)
        }
        let gemm = blas.gemmEx
        let alphaBox = scalars()
        let a = UnsafeRawPointer(buffers.a), b = UnsafeRawPointer(buffers.b), c = buffers.c
        let alphaPointer = UnsafeRawPointer(alphaBox), betaPointer = UnsafeRawPointer(alphaBox + 1)
        let label = "cublasGemmEx(\(dtype.rawValue), \(m)x\(n)x\(k))"
        let run: () throws(PDCostError) -> Void = { () throws(PDCostError) in
            try blas.check(gemm(handle, CUBLASAPI.opN, CUBLASAPI.opN, Int32(m), Int32(n), Int32(k),
                                alphaPointer, a, type, Int32(m), b, type, Int32(k), betaPointer,
                                c, type, Int32(m), compute, CUBLASAPI.gemmDefault), label)
        }
        return PreparedGemm(run: run, release: { alphaBox.deallocate() })
    }

    /// FP8 (E4M3 inputs, BF16 output, FP32 accumulate) through cuBLASLt, in the "TN" layout FP8
    /// GEMMs require (cuBLAS docs, cublasLtMatmul, FP8 requirements: A transposed).
    private func prepareLtFP8(m: Int, n: Int, k: Int, device: Int, stream: OpaquePointer, buffers: GemmBuffers,
                              scalars: UnsafeMutablePointer<Float>) throws(PDCostError) -> PreparedGemm {
        guard let lt = blasLt else { scalars.deallocate(); throw .unsupported("cuBLASLt unavailable") }
        var cleanup: [() -> Void] = [{ scalars.deallocate() }]
        func fail(_ e: PDCostError) -> PDCostError { cleanup.reversed().forEach { $0() }; return e }
        func check(_ status: Int32, _ call: String) throws(PDCostError) {
            if status == 0 { return }
            let e: PDCostError = status == CUBLASAPI.statusNotSupported || status == CUBLASAPI.statusArchMismatch
                ? .unsupported("\(call): cublasStatus_t \(status)") : .noDevice("\(call) failed: cublasStatus_t \(status)")
            throw fail(e)
        }
        let handle: OpaquePointer
        if let h = ltHandles[device] {
            handle = h
        } else {
            var h: OpaquePointer?
            try check(lt.create(&h), "cublasLtCreate")
            guard let h else { throw fail(.noDevice("cublasLtCreate returned no handle")) }
            ltHandles[device] = h
            handle = h
        }
        let workspace: UnsafeMutableRawPointer
        if let w = ltWorkspace[device] {
            workspace = w
        } else {
            do { workspace = try deviceAlloc(Self.ltWorkspaceBytes, "cuBLASLt workspace") } catch { throw fail(error) }
            ltWorkspace[device] = workspace
        }
        var desc: OpaquePointer?
        try check(lt.descCreate(&desc, CUBLASAPI.compute32F, CUBLASAPI.typeR32F), "cublasLtMatmulDescCreate")
        cleanup.append { _ = lt.descDestroy(desc) }
        var transA = CUBLASAPI.opT, transB = CUBLASAPI.opN
        try check(lt.descSetAttribute(desc, CUBLASLtAPI.descTransA, &transA, MemoryLayout<Int32>.size), "TRANSA")
        try check(lt.descSetAttribute(desc, CUBLASLtAPI.descTransB, &transB, MemoryLayout<Int32>.size), "TRANSB")
        // A stored k×m (op T gives m×k), B k×n, C and D m×n BF16.
        var layoutA: OpaquePointer?, layoutB: OpaquePointer?, layoutC: OpaquePointer?
        try check(lt.layoutCreate(&layoutA, CUBLASAPI.typeR8FE4M3, UInt64(k), UInt64(m), Int64(k)), "cublasLtMatrixLayoutCreate(A)")
        cleanup.append { _ = lt.layoutDestroy(layoutA) }
        try check(lt.layoutCreate(&layoutB, CUBLASAPI.typeR8FE4M3, UInt64(k), UInt64(n), Int64(k)), "cublasLtMatrixLayoutCreate(B)")
        cleanup.append { _ = lt.layoutDestroy(layoutB) }
        try check(lt.layoutCreate(&layoutC, CUBLASAPI.typeR16BF, UInt64(m), UInt64(n), Int64(m)), "cublasLtMatrixLayoutCreate(C)")
        cleanup.append { _ = lt.layoutDestroy(layoutC) }
        var preference: OpaquePointer?
        try check(lt.preferenceCreate(&preference), "cublasLtMatmulPreferenceCreate")
        cleanup.append { _ = lt.preferenceDestroy(preference) }
        var workspaceBytes = UInt64(Self.ltWorkspaceBytes)
        try check(lt.preferenceSetAttribute(preference, CUBLASLtAPI.preferenceMaxWorkspaceBytes, &workspaceBytes,
                                            MemoryLayout<UInt64>.size), "MAX_WORKSPACE_BYTES")
        let heuristic = UnsafeMutableRawPointer.allocate(byteCount: CUBLASLtAPI.heuristicResultSize, alignment: 16)
        heuristic.initializeMemory(as: UInt8.self, repeating: 0, count: CUBLASLtAPI.heuristicResultSize)
        cleanup.append { heuristic.deallocate() }
        var found: Int32 = 0
        try check(lt.heuristic(handle, desc, layoutA, layoutB, layoutC, layoutC, preference, 1, heuristic, &found),
                  "cublasLtMatmulAlgoGetHeuristic")
        if found < 1 { throw fail(.unsupported("cuBLASLt has no FP8 algorithm for \(m)x\(n)x\(k)")) }
        let matmul = lt.matmul
        let a = UnsafeRawPointer(buffers.a), b = UnsafeRawPointer(buffers.b), c = buffers.c
        let alpha = UnsafeRawPointer(scalars), beta = UnsafeRawPointer(scalars + 1)
        let algo = UnsafeRawPointer(heuristic)  // cublasLtMatmulAlgo_t is the result's first field
        let label = "cublasLtMatmul(fp8, \(m)x\(n)x\(k))"
        let release = cleanup
        let run: () throws(PDCostError) -> Void = { () throws(PDCostError) in
            let status = matmul(handle, desc, alpha, a, layoutA, b, layoutB, beta, UnsafeRawPointer(c), layoutC,
                                c, layoutC, algo, workspace, CUDABenchmarkBackend.ltWorkspaceBytes, stream)
            if status != 0 { throw .noDevice("\(label) failed: cublasStatus_t \(status)") }
        }
        return PreparedGemm(run: run, release: { release.reversed().forEach { $0() } })
    }

    /// Device buffers of at least the given sizes, holding random values of `dtype`.
    private func gemmInputs(_ dtype: GemmDType, bytesA: Int, bytesB: Int, bytesC: Int,
                            device: Int) throws(PDCostError) -> GemmBuffers {
        if var existing = gemmBuffers[device], existing.bytesA >= bytesA, existing.bytesB >= bytesB, existing.bytesC >= bytesC {
            if existing.filledWith != dtype {
                try fillRandom(existing.a, bytes: existing.bytesA, dtype)
                try fillRandom(existing.b, bytes: existing.bytesB, dtype)
                existing.filledWith = dtype
                gemmBuffers[device] = existing
            }
            return existing
        }
        if let old = gemmBuffers.removeValue(forKey: device) {
            _ = runtime.free(old.a); _ = runtime.free(old.b); _ = runtime.free(old.c)
        }
        let a = try deviceAlloc(bytesA, "GEMM A")
        let b: UnsafeMutableRawPointer, c: UnsafeMutableRawPointer
        do { b = try deviceAlloc(bytesB, "GEMM B") } catch { _ = runtime.free(a); throw error }
        do { c = try deviceAlloc(bytesC, "GEMM C") } catch { _ = runtime.free(a); _ = runtime.free(b); throw error }
        var buffers = GemmBuffers(a: a, b: b, c: c, bytesA: bytesA, bytesB: bytesB, bytesC: bytesC, filledWith: nil)
        gemmBuffers[device] = buffers
        try fillRandom(a, bytes: bytesA, dtype)
        try fillRandom(b, bytes: bytesB, dtype)
        try runtime.check(runtime.memset(c, 0, bytesC), "cudaMemset")
        buffers.filledWith = dtype
        gemmBuffers[device] = buffers
        return buffers
    }

    /// Fills device memory with random numbers of magnitude 2⁻⁵…1 and random sign in the bit
    /// layout of `dtype`, copying an 8 MiB host pattern repeatedly.
    private func fillRandom(_ destination: UnsafeMutableRawPointer, bytes: Int, _ dtype: GemmDType) throws(PDCostError) {
        let patternBytes = min(bytes, 8 << 20)
        var pattern = [UInt8](repeating: 0, count: patternBytes)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        pattern.withUnsafeMutableBytes { raw in
            switch dtype.elementBytes {
            case 4:  // IEEE binary32: exponent 122...126 (2⁻⁵…2⁻¹), 23-bit mantissa
                for i in 0..<(raw.count / 4) {
                    let r = next()
                    let bits = UInt32(r >> 63) << 31 | UInt32(122 + (r >> 8) % 5) << 23 | UInt32(truncatingIfNeeded: r) & 0x7F_FFFF
                    raw.storeBytes(of: bits.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
            case 2 where dtype == .fp16:  // binary16: exponent 10...14, 10-bit mantissa
                for i in 0..<(raw.count / 2) {
                    let r = next()
                    let bits = UInt16(r >> 63) << 15 | UInt16(10 + (r >> 8) % 5) << 10 | UInt16(truncatingIfNeeded: r) & 0x3FF
                    raw.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                }
            case 2:  // bfloat16: exponent 122...126, 7-bit mantissa
                for i in 0..<(raw.count / 2) {
                    let r = next()
                    let bits = UInt16(r >> 63) << 15 | UInt16(122 + (r >> 8) % 5) << 7 | UInt16(truncatingIfNeeded: r) & 0x7F
                    raw.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                }
            default:  // FP8 E4M3 (bias 7): exponent 2...6 (2⁻⁵…2⁻¹), never the NaN pattern S.1111.111
                for i in 0..<raw.count {
                    let r = next()
                    raw[i] = UInt8(r >> 63) << 7 | UInt8(2 + (r >> 8) % 5) << 3 | UInt8(truncatingIfNeeded: r) & 0x7
                }
            }
        }
        var offset = 0
        while offset < bytes {
            let chunk = min(patternBytes, bytes - offset)
            let status = pattern.withUnsafeBytes { runtime.memcpy(destination + offset, $0.baseAddress, chunk, CUDARuntimeAPI.memcpyHostToDevice) }
            try runtime.check(status, "cudaMemcpy(host to device, \(chunk) bytes)")
            offset += chunk
        }
    }

    // MARK: Copies

    public func timeCopy(_ kind: CopyKind, bytes: Int, device: Int, warmup: Int,
                         repetitions: Int) throws(PDCostError) -> [Double] {
        try select(device)
        let stream = try stream(device)
        let deviceBuffer = try deviceAlloc(bytes, "copy buffer")
        defer { _ = runtime.free(deviceBuffer) }
        var other: UnsafeMutableRawPointer?
        if kind == .d2d {
            other = try deviceAlloc(bytes, "copy destination")
        } else {
            try runtime.check(runtime.mallocHost(&other, bytes), "cudaMallocHost(\(bytes) bytes)")
        }
        guard let other else { throw .noDevice("allocation of \(bytes) bytes returned NULL") }
        defer { _ = kind == .d2d ? runtime.free(other) : runtime.freeHost(other) }
        try runtime.check(runtime.memset(deviceBuffer, 1, bytes), "cudaMemset")
        let (dst, src, direction): (UnsafeMutableRawPointer, UnsafeRawPointer, Int32) = switch kind {
        case .d2d: (other, UnsafeRawPointer(deviceBuffer), CUDARuntimeAPI.memcpyDeviceToDevice)
        case .h2d: (deviceBuffer, UnsafeRawPointer(other), CUDARuntimeAPI.memcpyHostToDevice)
        case .d2h: (other, UnsafeRawPointer(deviceBuffer), CUDARuntimeAPI.memcpyDeviceToHost)
        }
        let copy = runtime.memcpyAsync, check = runtime.check
        return try timeBatches(device: device, warmup: warmup, repetitions: repetitions, batchSeconds: 5e-3) { () throws(PDCostError) in
            try check(copy(dst, src, bytes, direction, stream), "cudaMemcpyAsync(\(kind.rawValue), \(bytes) bytes)")
        }
    }

    // MARK: Collectives

    public func timeCollective(_ op: CollectiveOp, bytes: Int, warmup: Int,
                               repetitions: Int) throws(PDCostError) -> [Double] {
        guard let nccl else { throw .noDevice(collectivesUnavailableReason ?? "NCCL unavailable") }
        let ranks = deviceCount
        let chunk = bytes / (4 * ranks)  // float32 elements per rank's share
        guard chunk > 0 else { throw .invalidArgument("bytes=\(bytes) is below one float per rank") }
        try ensureCommunicators(nccl)
        try ensureCollectiveBuffers(bytes)
        var streams: [OpaquePointer] = []
        for device in 0..<ranks { try select(device); streams.append(try stream(device)) }
        let comms = self.comms, buffers = collectiveBuffers
        let launch: () throws(PDCostError) -> Void = { () throws(PDCostError) in
            try nccl.check(nccl.groupStart(), "ncclGroupStart")
            var status: Int32 = 0
            for rank in 0..<ranks where status == 0 {
                let send = UnsafeRawPointer(buffers[rank].send), recv = buffers[rank].recv
                let comm = comms[rank], stream = streams[rank]
                switch op {
                case .allReduce:
                    status = nccl.allReduce(send, recv, chunk * ranks, NCCLAPI.float32, NCCLAPI.sum, comm, stream)
                case .allGather:
                    status = nccl.allGather(send, recv, chunk, NCCLAPI.float32, comm, stream)
                case .reduceScatter:
                    status = nccl.reduceScatter(send, recv, chunk, NCCLAPI.float32, NCCLAPI.sum, comm, stream)
                case .allToAll:
                    for peer in 0..<ranks where status == 0 {
                        let offset = peer * chunk * 4
                        status = nccl.send(send + offset, chunk, NCCLAPI.float32, Int32(peer), comm, stream)
                        if status == 0 { status = nccl.recv(recv + offset, chunk, NCCLAPI.float32, Int32(peer), comm, stream) }
                    }
                }
            }
            let end = nccl.groupEnd()
            try nccl.check(status, "nccl \(op.rawValue)(\(bytes) bytes)")
            try nccl.check(end, "ncclGroupEnd")
        }
        func synchronizeAll() throws(PDCostError) {
            for (device, stream) in streams.enumerated() {
                try select(device)
                try runtime.check(runtime.streamSynchronize(stream), "cudaStreamSynchronize(device \(device))")
            }
        }
        let clock = ContinuousClock()
        func timed(_ count: Int) throws(PDCostError) -> Double {
            try synchronizeAll()
            let begin = clock.now
            for _ in 0..<count { try launch() }
            try synchronizeAll()
            return Self.seconds(clock.now - begin) / Double(count)
        }
        for _ in 0..<max(warmup, 1) { try launch() }
        let single = try timed(1)
        let batch = single > 0 ? min(max(Int((1e-3 / single).rounded(.up)), 1), 100) : 10
        var times: [Double] = []
        for _ in 0..<repetitions { times.append(try timed(batch)) }
        return times
    }

    private func ensureCommunicators(_ nccl: NCCLAPI) throws(PDCostError) {
        if !comms.isEmpty { return }
        var handles = [OpaquePointer?](repeating: nil, count: deviceCount)
        let devices = (0..<deviceCount).map { Int32($0) }
        let status = devices.withUnsafeBufferPointer { list in
            handles.withUnsafeMutableBufferPointer { nccl.commInitAll($0.baseAddress, Int32(deviceCount), list.baseAddress) }
        }
        try nccl.check(status, "ncclCommInitAll(\(deviceCount) GPUs)")
        comms = handles
    }

    /// Send and receive buffers of `bytes` on every device (grown as sizes increase).
    private func ensureCollectiveBuffers(_ bytes: Int) throws(PDCostError) {
        if let first = collectiveBuffers.first, first.bytes >= bytes { return }
        for (device, old) in collectiveBuffers.enumerated() {
            try select(device)
            _ = runtime.free(old.send); _ = runtime.free(old.recv)
        }
        collectiveBuffers = []
        for device in 0..<deviceCount {
            try select(device)
            let send = try deviceAlloc(bytes, "collective send buffer")
            let recv: UnsafeMutableRawPointer
            do { recv = try deviceAlloc(bytes, "collective receive buffer") } catch { _ = runtime.free(send); throw error }
            collectiveBuffers.append((send, recv, bytes))
            try runtime.check(runtime.memset(send, 0, bytes), "cudaMemset")
        }
    }
}
