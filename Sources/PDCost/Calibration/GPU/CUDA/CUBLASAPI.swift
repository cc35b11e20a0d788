/// cuBLAS (cublas_api.h) and cuBLASLt (cublasLt.h) functions and constants the GEMM benchmark
/// uses, looked up at run time. Handles and descriptors are opaque pointers; enums and
/// cublasStatus_t are C ints; size_t is Int.
struct CUBLASAPI: @unchecked Sendable {
    typealias Status = Int32
    typealias HandleOut = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Status
    typealias HandleIn = @convention(c) (OpaquePointer?) -> Status
    /// cublasGemmEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta,
    ///              C, Ctype, ldc, computeType, algo)
    typealias GemmEx = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32,
                                       UnsafeRawPointer?, UnsafeRawPointer?, Int32, Int32,
                                       UnsafeRawPointer?, Int32, Int32, UnsafeRawPointer?,
                                       UnsafeMutableRawPointer?, Int32, Int32, Int32, Int32) -> Status

    let library: DynamicLibrary
    let create: HandleOut                 // cublasCreate_v2(cublasHandle_t *handle)
    let destroy: HandleIn                 // cublasDestroy_v2(cublasHandle_t)
    /// cublasSetStream_v2(cublasHandle_t, cudaStream_t)
    let setStream: @convention(c) (OpaquePointer?, OpaquePointer?) -> Status
    /// cublasGetVersion_v2(cublasHandle_t, int *version)
    let getVersion: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Status
    let gemmEx: GemmEx
    /// const char* cublasGetStatusString(cublasStatus_t) (cuBLAS 11.4+; optional)
    let statusString: (@convention(c) (Int32) -> UnsafePointer<CChar>?)?

    // cublasOperation_t
    static let opN: Int32 = 0
    static let opT: Int32 = 1
    // cudaDataType_t (library_types.h)
    static let typeR32F: Int32 = 0
    static let typeR16F: Int32 = 2
    static let typeR16BF: Int32 = 14
    static let typeR8FE4M3: Int32 = 28
    // cublasComputeType_t (cublas_api.h)
    static let compute32F: Int32 = 68
    static let compute32FFastTF32: Int32 = 77
    // cublasGemmAlgo_t
    static let gemmDefault: Int32 = -1
    // cublasStatus_t codes that mean "this GPU or build cannot do that"
    static let statusArchMismatch: Int32 = 8
    static let statusNotSupported: Int32 = 15

    static let libraryNames = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"]

    init(_ library: DynamicLibrary) throws(PDCostError) {
        self.library = library
        var s = SymbolLoader(library)
        let create: HandleOut? = s.load("cublasCreate_v2")
        let destroy: HandleIn? = s.load("cublasDestroy_v2")
        let setStream: (@convention(c) (OpaquePointer?, OpaquePointer?) -> Status)? = s.load("cublasSetStream_v2")
        let getVersion: (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> Status)? = s.load("cublasGetVersion_v2")
        let gemmEx: GemmEx? = s.load("cublasGemmEx")
        try s.check("cuBLAS")
        guard let create, let destroy, let setStream, let getVersion, let gemmEx else {
            throw .noDevice("\(library.path): incomplete cuBLAS")
        }
        self.create = create
        self.destroy = destroy
        self.setStream = setStream
        self.getVersion = getVersion
        self.gemmEx = gemmEx
        statusString = library.function("cublasGetStatusString")
    }

    func describe(_ status: Status) -> String {
        let text = statusString?(status).map { String(cString: $0) } ?? "cuBLAS error"
        return "\(text) (cublasStatus_t \(status))"
    }

    /// `.unsupported` for architecture/feature mismatches (the precision is skipped), else
    /// `.noDevice` naming the call.
    func check(_ status: Status, _ call: @autoclosure () -> String) throws(PDCostError) {
        if status == 0 { return }
        if status == Self.statusNotSupported || status == Self.statusArchMismatch {
            throw .unsupported("\(call()): \(describe(status))")
        }
        throw .noDevice("\(call()) failed: \(describe(status))")
    }
}

/// cuBLASLt, for FP8 GEMMs (cublasGemmEx has no FP8 path).
struct CUBLASLtAPI: @unchecked Sendable {
    typealias Status = Int32
    typealias HandleOut = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Status
    typealias HandleIn = @convention(c) (OpaquePointer?) -> Status
    typealias SetAttribute = @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?, Int) -> Status
    /// cublasLtMatmulAlgoGetHeuristic(handle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, preference,
    ///                                requestedAlgoCount, heuristicResultsArray[], *returnAlgoCount)
    typealias Heuristic = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?,
                                          OpaquePointer?, OpaquePointer?, OpaquePointer?, Int32,
                                          UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> Status
    /// cublasLtMatmul(handle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc,
    ///                algo, workspace, workspaceSizeInBytes, stream)
    typealias Matmul = @convention(c) (OpaquePointer?, OpaquePointer?, UnsafeRawPointer?, UnsafeRawPointer?,
                                       OpaquePointer?, UnsafeRawPointer?, OpaquePointer?, UnsafeRawPointer?,
                                       UnsafeRawPointer?, OpaquePointer?, UnsafeMutableRawPointer?, OpaquePointer?,
                                       UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, OpaquePointer?) -> Status

    let library: DynamicLibrary
    let create: HandleOut                 // cublasLtCreate(cublasLtHandle_t *)
    let destroy: HandleIn                 // cublasLtDestroy(cublasLtHandle_t)
    let getVersion: @convention(c) () -> Int  // size_t cublasLtGetVersion(void)
    /// cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *, cublasComputeType_t, cudaDataType_t scaleType)
    let descCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, Int32) -> Status
    let descDestroy: HandleIn
    let descSetAttribute: SetAttribute    // cublasLtMatmulDescSetAttribute(desc, attr, buf, size)
    /// cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *, cudaDataType, uint64_t rows, uint64_t cols, int64_t ld)
    let layoutCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UInt64, UInt64, Int64) -> Status
    let layoutDestroy: HandleIn
    let preferenceCreate: HandleOut       // cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *)
    let preferenceDestroy: HandleIn
    let preferenceSetAttribute: SetAttribute
    let heuristic: Heuristic
    let matmul: Matmul

    // cublasLtMatmulDescAttributes_t
    static let descTransA: Int32 = 3
    static let descTransB: Int32 = 4
    // cublasLtMatmulPreferenceAttributes_t
    static let preferenceMaxWorkspaceBytes: Int32 = 1
    /// sizeof(cublasLtMatmulHeuristicResult_t): algo (uint64_t[8]), size_t workspaceSize,
    /// cublasStatus_t state, float wavesCount, int reserved[4] = 64 + 8 + 4 + 4 + 16.
    static let heuristicResultSize = 96

    static let libraryNames = ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11", "libcublasLt.so"]

    init(_ library: DynamicLibrary) throws(PDCostError) {
        self.library = library
        var s = SymbolLoader(library)
        let create: HandleOut? = s.load("cublasLtCreate")
        let destroy: HandleIn? = s.load("cublasLtDestroy")
        let getVersion: (@convention(c) () -> Int)? = s.load("cublasLtGetVersion")
        let descCreate: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, Int32) -> Status)? = s.load("cublasLtMatmulDescCreate")
        let descDestroy: HandleIn? = s.load("cublasLtMatmulDescDestroy")
        let descSetAttribute: SetAttribute? = s.load("cublasLtMatmulDescSetAttribute")
        let layoutCreate: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UInt64, UInt64, Int64) -> Status)? = s.load("cublasLtMatrixLayoutCreate")
        let layoutDestroy: HandleIn? = s.load("cublasLtMatrixLayoutDestroy")
        let preferenceCreate: HandleOut? = s.load("cublasLtMatmulPreferenceCreate")
        let preferenceDestroy: HandleIn? = s.load("cublasLtMatmulPreferenceDestroy")
        let preferenceSetAttribute: SetAttribute? = s.load("cublasLtMatmulPreferenceSetAttribute")
        let heuristic: Heuristic? = s.load("cublasLtMatmulAlgoGetHeuristic")
        let matmul: Matmul? = s.load("cublasLtMatmul")
        try s.check("cuBLASLt")
        guard let create, let destroy, let getVersion, let descCreate, let descDestroy, let descSetAttribute,
              let layoutCreate, let layoutDestroy, let preferenceCreate, let preferenceDestroy,
              let preferenceSetAttribute, let heuristic, let matmul else {
            throw .noDevice("\(library.path): incomplete cuBLASLt")
        }
        self.create = create
        self.destroy = destroy
        self.getVersion = getVersion
        self.descCreate = descCreate
        self.descDestroy = descDestroy
        self.descSetAttribute = descSetAttribute
        self.layoutCreate = layoutCreate
        self.layoutDestroy = layoutDestroy
        self.preferenceCreate = preferenceCreate
        self.preferenceDestroy = preferenceDestroy
        self.preferenceSetAttribute = preferenceSetAttribute
        self.heuristic = heuristic
        self.matmul = matmul
    }
}

/// "12.4.2" from cuBLAS's 10000·major + 100·minor + patch encoding (CUBLAS_VERSION).
func cublasVersionString(_ v: Int) -> String {
    "\(v / 10000).\((v % 10000) / 100).\(v % 100)"
}
