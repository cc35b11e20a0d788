/// The CUDA runtime functions the benchmarks call, looked up in libcudart at run time.
/// Signatures follow cuda_runtime_api.h (CUDA 11/12); handles (cudaStream_t, cudaEvent_t) are
/// opaque pointers, cudaError_t and enums are C ints, size_t is Int.
struct CUDARuntimeAPI: @unchecked Sendable {
    typealias Status = Int32
    typealias IntOut = @convention(c) (UnsafeMutablePointer<Int32>?) -> Status
    typealias HandleOut = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Status
    typealias HandleIn = @convention(c) (OpaquePointer?) -> Status
    typealias Alloc = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int) -> Status
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Status

    let library: DynamicLibrary
    let getDeviceCount: IntOut            // cudaGetDeviceCount(int *count)
    let driverGetVersion: IntOut          // cudaDriverGetVersion(int *driverVersion)
    let runtimeGetVersion: IntOut         // cudaRuntimeGetVersion(int *runtimeVersion)
    let getErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?  // const char* cudaGetErrorString(cudaError_t)
    let setDevice: @convention(c) (Int32) -> Status                      // cudaSetDevice(int device)
    /// cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
    let deviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Status
    /// cudaGetDeviceProperties(_v2)(struct cudaDeviceProp *prop, int device); only `name`, the
    /// struct's first field (char[256]) in every CUDA version, is read.
    let getDeviceProperties: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Status
    /// cudaMemGetInfo(size_t *free, size_t *total)
    let memGetInfo: @convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Status
    let malloc: Alloc                     // cudaMalloc(void **devPtr, size_t size)
    let free: Free                        // cudaFree(void *devPtr)
    let mallocHost: Alloc                 // cudaMallocHost(void **ptr, size_t size): pinned
    let freeHost: Free                    // cudaFreeHost(void *ptr)
    /// cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
    let memcpy: @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32) -> Status
    /// cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
    let memcpyAsync: @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32, OpaquePointer?) -> Status
    /// cudaMemset(void *devPtr, int value, size_t count)
    let memset: @convention(c) (UnsafeMutableRawPointer?, Int32, Int) -> Status
    let streamCreate: HandleOut           // cudaStreamCreate(cudaStream_t *pStream)
    let streamDestroy: HandleIn           // cudaStreamDestroy(cudaStream_t)
    let streamSynchronize: HandleIn       // cudaStreamSynchronize(cudaStream_t)
    let eventCreate: HandleOut            // cudaEventCreate(cudaEvent_t *event)
    let eventDestroy: HandleIn            // cudaEventDestroy(cudaEvent_t)
    /// cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
    let eventRecord: @convention(c) (OpaquePointer?, OpaquePointer?) -> Status
    let eventSynchronize: HandleIn        // cudaEventSynchronize(cudaEvent_t)
    /// cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
    let eventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>?, OpaquePointer?, OpaquePointer?) -> Status

    // enum cudaMemcpyKind (driver_types.h)
    static let memcpyHostToDevice: Int32 = 1
    static let memcpyDeviceToHost: Int32 = 2
    static let memcpyDeviceToDevice: Int32 = 3
    // enum cudaDeviceAttr (driver_types.h)
    static let attributeComputeCapabilityMajor: Int32 = 75
    static let attributeComputeCapabilityMinor: Int32 = 76
    // cudaError_t values that mean "no usable device" (driver_types.h)
    static let errorInsufficientDriver: Int32 = 35
    static let errorNoDevice: Int32 = 100

    static let libraryNames = ["libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so"]

    init(_ library: DynamicLibrary) throws(PDCostError) {
        self.library = library
        var s = SymbolLoader(library)
        let getDeviceCount: IntOut? = s.load("cudaGetDeviceCount")
        let driverGetVersion: IntOut? = s.load("cudaDriverGetVersion")
        let runtimeGetVersion: IntOut? = s.load("cudaRuntimeGetVersion")
        let getErrorString: (@convention(c) (Int32) -> UnsafePointer<CChar>?)? = s.load("cudaGetErrorString")
        let setDevice: (@convention(c) (Int32) -> Status)? = s.load("cudaSetDevice")
        let deviceGetAttribute: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Status)? = s.load("cudaDeviceGetAttribute")
        let getDeviceProperties: (@convention(c) (UnsafeMutableRawPointer?, Int32) -> Status)? =
            s.load("cudaGetDeviceProperties_v2", "cudaGetDeviceProperties")
        let memGetInfo: (@convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Status)? = s.load("cudaMemGetInfo")
        let malloc: Alloc? = s.load("cudaMalloc")
        let free: Free? = s.load("cudaFree")
        let mallocHost: Alloc? = s.load("cudaMallocHost")
        let freeHost: Free? = s.load("cudaFreeHost")
        let memcpy: (@convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32) -> Status)? = s.load("cudaMemcpy")
        let memcpyAsync: (@convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32, OpaquePointer?) -> Status)? = s.load("cudaMemcpyAsync")
        let memset: (@convention(c) (UnsafeMutableRawPointer?, Int32, Int) -> Status)? = s.load("cudaMemset")
        let streamCreate: HandleOut? = s.load("cudaStreamCreate")
        let streamDestroy: HandleIn? = s.load("cudaStreamDestroy")
        let streamSynchronize: HandleIn? = s.load("cudaStreamSynchronize")
        let eventCreate: HandleOut? = s.load("cudaEventCreate")
        let eventDestroy: HandleIn? = s.load("cudaEventDestroy")
        let eventRecord: (@convention(c) (OpaquePointer?, OpaquePointer?) -> Status)? = s.load("cudaEventRecord")
        let eventSynchronize: HandleIn? = s.load("cudaEventSynchronize")
        let eventElapsedTime: (@convention(c) (UnsafeMutablePointer<Float>?, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("cudaEventElapsedTime")
        try s.check("CUDA runtime")
        guard let getDeviceCount, let driverGetVersion, let runtimeGetVersion, let getErrorString, let setDevice,
              let deviceGetAttribute, let getDeviceProperties, let memGetInfo, let malloc, let free, let mallocHost,
              let freeHost, let memcpy, let memcpyAsync, let memset, let streamCreate, let streamDestroy,
              let streamSynchronize, let eventCreate, let eventDestroy, let eventRecord, let eventSynchronize,
              let eventElapsedTime else { throw .noDevice("\(library.path): incomplete CUDA runtime") }
        self.getDeviceCount = getDeviceCount
        self.driverGetVersion = driverGetVersion
        self.runtimeGetVersion = runtimeGetVersion
        self.getErrorString = getErrorString
        self.setDevice = setDevice
        self.deviceGetAttribute = deviceGetAttribute
        self.getDeviceProperties = getDeviceProperties
        self.memGetInfo = memGetInfo
        self.malloc = malloc
        self.free = free
        self.mallocHost = mallocHost
        self.freeHost = freeHost
        self.memcpy = memcpy
        self.memcpyAsync = memcpyAsync
        self.memset = memset
        self.streamCreate = streamCreate
        self.streamDestroy = streamDestroy
        self.streamSynchronize = streamSynchronize
        self.eventCreate = eventCreate
        self.eventDestroy = eventDestroy
        self.eventRecord = eventRecord
        self.eventSynchronize = eventSynchronize
        self.eventElapsedTime = eventElapsedTime
    }

    /// "cudaErrorMemoryAllocation"-style text for a status, from cudaGetErrorString.
    func describe(_ status: Status) -> String {
        let text = getErrorString(status).map { String(cString: $0) } ?? "unknown error"
        return "\(text) (cudaError_t \(status))"
    }

    /// Throws `.noDevice` naming the call and the runtime's error string unless `status` is 0.
    func check(_ status: Status, _ call: @autoclosure () -> String) throws(PDCostError) {
        if status != 0 { throw .noDevice("\(call()) failed: \(describe(status))") }
    }
}

/// "12.4" from CUDA's 1000·major + 10·minor encoding (cudaDriverGetVersion: 12040).
func cudaVersionString(_ v: Int32) -> String {
    "\(v / 1000).\((v % 1000) / 10)"
}
