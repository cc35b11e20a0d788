# ctest script: install the build tree to a temporary prefix, move the prefix (the install must
# be relocatable), then build bindings/c as a separate project against it twice: with CMake's
# find_package(pdcost) via CMAKE_PREFIX_PATH, and with `pkg-config --cflags --libs pdcost`.
#
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DC_COMPILER=...
#         -DLIBDIR=lib -DVERSION=1.0.0 -DSONAME=libpdcost.so.1 -DCONFIG_JSON=...
#         [-DPKG_CONFIG=/usr/bin/pkg-config] -P check_install.cmake
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR C_COMPILER LIBDIR VERSION SONAME CONFIG_JSON)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
  endif()
endforeach()
# The SONAME carries the ABI number (PDCOST_ABI_VERSION), not the full version.
if(NOT SONAME MATCHES "^libpdcost\\.so\\.[0-9]+$")
  message(FATAL_ERROR "SONAME=${SONAME} is not libpdcost.so.<ABI>")
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

function(check_example_output output)
  foreach(expected "pdcost header ${VERSION}, library ${VERSION}" "parameters  total"
                   "FLOPs/token" "GPU H100-SXM-80GB" "expected error: PDCOST_ENOTFOUND")
    string(FIND "${output}" "${expected}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "example output lacks '${expected}':\n${output}")
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(staging "${WORK_DIR}/staging")
set(prefix "${WORK_DIR}/prefix")

# 1. Install, then move the tree: nothing may point back to the build or the staging prefix.
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${staging}")
file(RENAME "${staging}" "${prefix}")

set(lib "${prefix}/${LIBDIR}")
foreach(path "${lib}/libpdcost.so.${VERSION}" "${prefix}/include/pdcost.h"
             "${lib}/pkgconfig/pdcost.pc" "${lib}/cmake/pdcost/pdcostConfig.cmake"
             "${lib}/cmake/pdcost/pdcostConfigVersion.cmake")
  if(NOT EXISTS "${path}" OR IS_SYMLINK "${path}")
    message(FATAL_ERROR "not installed as a file: ${path}")
  endif()
endforeach()
foreach(link_target IN ITEMS "${SONAME}:libpdcost.so.${VERSION}" "libpdcost.so:${SONAME}")
  string(REPLACE ":" ";" pair "${link_target}")
  list(GET pair 0 link)
  list(GET pair 1 target)
  if(NOT IS_SYMLINK "${lib}/${link}")
    message(FATAL_ERROR "${lib}/${link} is not a symlink")
  endif()
  file(READ_SYMLINK "${lib}/${link}" points_to)
  if(NOT points_to STREQUAL target)
    message(FATAL_ERROR "${lib}/${link} -> ${points_to}, expected -> ${target}")
  endif()
endforeach()
message(STATUS "installed tree OK under ${prefix}")

# 2. bindings/c as its own project, found through the CMake package.
set(example_build "${WORK_DIR}/example-cmake")
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/bindings/c" -B "${example_build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_C_COMPILER=${C_COMPILER}" -DCMAKE_BUILD_TYPE=Release)
run("${CMAKE_COMMAND}" --build "${example_build}")
run("${example_build}/pdcost_example" "${CONFIG_JSON}")
check_example_output("${run_output}")
# It must have linked the installed library.
find_program(LDD ldd)
if(LDD)
  run("${LDD}" "${example_build}/pdcost_example")
  string(FIND "${run_output}" "${lib}/${SONAME}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "pdcost_example does not load ${lib}/${SONAME}:\n${run_output}")
  endif()
endif()
message(STATUS "find_package(pdcost) + pdcost::pdcost: example built and ran")

# 3. The same example with pkg-config.
if(NOT PKG_CONFIG)
  message(STATUS "SKIPPED the pkg-config half: pkg-config is not installed")
  return()
endif()
set(pc_env "PKG_CONFIG_PATH=${lib}/pkgconfig")
run("${CMAKE_COMMAND}" -E env "${pc_env}" "${PKG_CONFIG}" --modversion pdcost)
string(STRIP "${run_output}" modversion)
if(NOT modversion STREQUAL VERSION)
  message(FATAL_ERROR "pkg-config --modversion pdcost = ${modversion}, expected ${VERSION}")
endif()
run("${CMAKE_COMMAND}" -E env "${pc_env}" "${PKG_CONFIG}" --cflags --libs pdcost)
string(STRIP "${run_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
set(example_pc "${WORK_DIR}/example-pkgconfig")
run("${C_COMPILER}" -std=c99 -Wall -Wextra -Werror -pedantic "${SOURCE_DIR}/bindings/c/example.c"
    ${pc_flags} -o "${example_pc}")
run("${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${lib}" "${example_pc}" "${CONFIG_JSON}")
check_example_output("${run_output}")
message(STATUS "pkg-config --cflags --libs pdcost (${pc_flags}): example built and ran")
