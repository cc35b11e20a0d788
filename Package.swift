// swift-tools-version:6.0
// pdcost: a cost model for distributed LLM training, exported as libpdcost.so.
//
// Map of the package:
//   PDCost       the pure Swift core: models, hardware, plans, the training cost model.
//                No C types, no global mutable state.
//   CPDCost      C glue: the public header (include/pdcost.h) as a module, and the
//                thread-local error-message buffer the C ABI promises.
//   PDCostC      the C ABI: thin @_cdecl thunks over PDCost, built into the dynamic
//                product `pdcost` (libpdcost.so). CMake adds -static-stdlib, the
//                export list and the SONAME when it builds the shipped library.
//   pdcost-bench a timing executable (benchmarks are programs, not timed unit tests).
import PackageDescription

let package = Package(
    name: "pdcost",
    products: [
        .library(name: "pdcost", type: .dynamic, targets: ["PDCostC"]),
        .library(name: "PDCost", targets: ["PDCost"]),
        .executable(name: "pdcost-bench", targets: ["PDCostBench"]),
    ],
    targets: [
        // Public API targets
        .target(name: "PDCost", path: "Sources/PDCost"),
        .target(name: "PDCostC", dependencies: ["PDCost", "CPDCost"], path: "Sources/PDCostC"),

        // Implementation details
        .target(name: "CPDCost", path: "Sources/CPDCost"),
        .executableTarget(name: "PDCostBench", dependencies: ["PDCost"], path: "Sources/PDCostBench"),

        // Tests
        .testTarget(name: "PDCostTests", dependencies: ["PDCost"], path: "Tests/PDCostTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "PDCostCTests", dependencies: ["PDCostC", "CPDCost"], path: "Tests/PDCostCTests"),
    ]
)
