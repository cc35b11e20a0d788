/// NCCL functions (nccl.h) for single-process collectives over every visible GPU: one
/// communicator per device from ncclCommInitAll, operations of all devices inside one
/// ncclGroupStart/ncclGroupEnd (required when one thread drives several ranks).
struct NCCLAPI: @unchecked Sendable {
    typealias Status = Int32
    let library: DynamicLibrary
    let getVersion: @convention(c) (UnsafeMutablePointer<Int32>?) -> Status   // ncclGetVersion(int *)
    let getErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?        // ncclGetErrorString(ncclResult_t)
    /// ncclCommInitAll(ncclComm_t *comms, int ndev, const int *devlist)
    let commInitAll: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UnsafePointer<Int32>?) -> Status
    let commDestroy: @convention(c) (OpaquePointer?) -> Status                 // ncclCommDestroy(ncclComm_t)
    /// ncclAllReduce(sendbuff, recvbuff, size_t count, ncclDataType_t, ncclRedOp_t, ncclComm_t, cudaStream_t)
    let allReduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status
    /// ncclAllGather(sendbuff, recvbuff, size_t sendcount, ncclDataType_t, ncclComm_t, cudaStream_t)
    let allGather: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, OpaquePointer?, OpaquePointer?) -> Status
    /// ncclReduceScatter(sendbuff, recvbuff, size_t recvcount, ncclDataType_t, ncclRedOp_t, ncclComm_t, cudaStream_t)
    let reduceScatter: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status
    /// ncclSend(sendbuff, size_t count, ncclDataType_t, int peer, ncclComm_t, cudaStream_t)
    let send: @convention(c) (UnsafeRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status
    /// ncclRecv(recvbuff, size_t count, ncclDataType_t, int peer, ncclComm_t, cudaStream_t)
    let recv: @convention(c) (UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status
    let groupStart: @convention(c) () -> Status
    let groupEnd: @convention(c) () -> Status

    /// ncclFloat32 (ncclDataType_t; nccl-tests' default -d float) and ncclSum (ncclRedOp_t).
    static let float32: Int32 = 7
    static let sum: Int32 = 0

    static let libraryNames = ["libnccl.so.2", "libnccl.so"]

    init(_ library: DynamicLibrary) throws(PDCostError) {
        self.library = library
        var s = SymbolLoader(library)
        let getVersion: (@convention(c) (UnsafeMutablePointer<Int32>?) -> Status)? = s.load("ncclGetVersion")
        let getErrorString: (@convention(c) (Int32) -> UnsafePointer<CChar>?)? = s.load("ncclGetErrorString")
        let commInitAll: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UnsafePointer<Int32>?) -> Status)? = s.load("ncclCommInitAll")
        let commDestroy: (@convention(c) (OpaquePointer?) -> Status)? = s.load("ncclCommDestroy")
        let allReduce: (@convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("ncclAllReduce")
        let allGather: (@convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("ncclAllGather")
        let reduceScatter: (@convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("ncclReduceScatter")
        let send: (@convention(c) (UnsafeRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("ncclSend")
        let recv: (@convention(c) (UnsafeMutableRawPointer?, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Status)? = s.load("ncclRecv")
        let groupStart: (@convention(c) () -> Status)? = s.load("ncclGroupStart")
        let groupEnd: (@convention(c) () -> Status)? = s.load("ncclGroupEnd")
        try s.check("NCCL (2.7+ for ncclSend/ncclRecv)")
        guard let getVersion, let getErrorString, let commInitAll, let commDestroy, let allReduce, let allGather,
              let reduceScatter, let send, let recv, let groupStart, let groupEnd else {
            throw .noDevice("\(library.path): incomplete NCCL")
        }
        self.getVersion = getVersion
        self.getErrorString = getErrorString
        self.commInitAll = commInitAll
        self.commDestroy = commDestroy
        self.allReduce = allReduce
        self.allGather = allGather
        self.reduceScatter = reduceScatter
        self.send = send
        self.recv = recv
        self.groupStart = groupStart
        self.groupEnd = groupEnd
    }

    func check(_ status: Status, _ call: @autoclosure () -> String) throws(PDCostError) {
        if status != 0 {
            let text = getErrorString(status).map { String(cString: $0) } ?? "NCCL error"
            throw .noDevice("\(call()) failed: \(text) (ncclResult_t \(status))")
        }
    }
}

/// "2.21.5" from NCCL_VERSION_CODE (10000·major + 100·minor + patch since 2.9; 1000·major +
/// 100·minor + patch before).
func ncclVersionString(_ v: Int32) -> String {
    v >= 10000 ? "\(v / 10000).\((v % 10000) / 100).\(v % 100)" : "\(v / 1000).\((v % 1000) / 100).\(v % 100)"
}
