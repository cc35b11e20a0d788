# pdcost_add_swift_library(<target>
#     SCRATCH <dir>              SwiftPM scratch directory (inside the CMake binary dir)
#     OUTPUT_DIR <dir>           where libpdcost.so.<version> and its symlinks are put
#     [SWIFT_FLAGS <flag>...]    extra -Xswiftc flags (e.g. fuzzing instrumentation)
#     [COMMENT <text>])
#
# Builds the dynamic product `pdcost` of Package.swift with `swift build -c release` and the
# shipping recipe: Swift stdlib and Foundation linked statically, only pdcost_* exported (version
# script), SONAME libpdcost.so.<ABI>, unused sections dropped. The custom command depends on
# every Swift/C source of the package, so editing any of them rebuilds the library. <target> is
# a custom target producing OUTPUT_DIR/libpdcost.so.<version>, with the usual two symlinks.
#
# Uses PDCOST_SWIFT (the swift driver), PDCOST_VERSION and PDCOST_ABI_VERSION.
function(pdcost_add_swift_library target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SCRATCH;OUTPUT_DIR;COMMENT" "SWIFT_FLAGS")

  set(source_dir "${PROJECT_SOURCE_DIR}")
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       "${source_dir}/Sources/*.swift" "${source_dir}/Sources/*.c" "${source_dir}/Sources/*.h"
       "${source_dir}/Sources/*.modulemap")
  list(APPEND sources "${source_dir}/Package.swift" "${source_dir}/include/pdcost.h"
       "${source_dir}/cmake/pdcost.map")

  set(swift_flags "")
  foreach(flag IN LISTS ARG_SWIFT_FLAGS)
    list(APPEND swift_flags -Xswiftc "${flag}")
  endforeach()

  set(real_name "libpdcost.so.${PDCOST_VERSION}")
  set(soname "libpdcost.so.${PDCOST_ABI_VERSION}")
  set(output "${ARG_OUTPUT_DIR}/${real_name}")
  if(NOT ARG_COMMENT)
    set(ARG_COMMENT "Building ${real_name} with SwiftPM")
  endif()

  add_custom_command(
    OUTPUT "${output}" "${ARG_OUTPUT_DIR}/${soname}" "${ARG_OUTPUT_DIR}/libpdcost.so"
    COMMAND "${PDCOST_SWIFT}" build -c release
            --package-path "${source_dir}"
            --scratch-path "${ARG_SCRATCH}"
            --product pdcost
            -Xswiftc -static-stdlib
            ${swift_flags}
            -Xlinker "--version-script=${source_dir}/cmake/pdcost.map"
            -Xlinker "-soname=${soname}"
            -Xlinker --exclude-libs=ALL
            -Xlinker --gc-sections
            # hypotf from Sources/CPDCost/glibc_compat.c, not glibc 2.35's: manylinux_2_34.
            -Xlinker --wrap=hypotf
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${ARG_OUTPUT_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E copy "${ARG_SCRATCH}/release/libpdcost.so" "${output}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${output}"
    COMMAND "${CMAKE_COMMAND}" -E create_symlink "${real_name}" "${ARG_OUTPUT_DIR}/${soname}"
    COMMAND "${CMAKE_COMMAND}" -E create_symlink "${soname}" "${ARG_OUTPUT_DIR}/libpdcost.so"
    DEPENDS ${sources}
    WORKING_DIRECTORY "${source_dir}"
    COMMENT "${ARG_COMMENT}"
    USES_TERMINAL
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${output}")
endfunction()
