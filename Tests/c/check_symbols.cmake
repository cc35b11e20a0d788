# ctest script: the shipped library exports exactly the functions pdcost.h declares (all named
# pdcost_*), carries the SONAME libpdcost.so.<ABI>, and depends on no Swift runtime library.
#
#   cmake -DLIBRARY=<.so> -DHEADER=<pdcost.h> -DSONAME=<expected> -DNM=<nm> -DREADELF=<readelf>
#         -DLDD=<ldd> -P check_symbols.cmake
foreach(var LIBRARY HEADER SONAME NM READELF LDD)
  if(NOT ${var})
    message(FATAL_ERROR "check_symbols.cmake: -D${var}=... is required")
  endif()
endforeach()

set(errors "")

# Global dynamic symbols defined by the library (uppercase nm types; lowercase ones are local,
# e.g. the thread-local `b __dispatch_tsd`).
execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}"
                OUTPUT_VARIABLE nm_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}")
endif()
string(REPLACE "\n" ";" nm_lines "${nm_out}")
set(exported "")
foreach(line IN LISTS nm_lines)
  if(line MATCHES "^[0-9a-fA-F]* *([A-Z]) (.+)$")
    set(symbol "${CMAKE_MATCH_2}")
    list(APPEND exported "${symbol}")
    if(NOT symbol MATCHES "^pdcost_")
      string(APPEND errors "exported symbol outside the API: ${line}\n")
    endif()
  endif()
endforeach()
list(SORT exported)
list(LENGTH exported exported_count)

# Functions declared by the header (comments stripped first).
file(READ "${HEADER}" header)
set(header_text "${header}")
string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" header "${header}")
string(REGEX MATCHALL "[a-z_*] *pdcost_[a-z0-9_]+\\(" declarations "${header}")
set(declared "")
foreach(declaration IN LISTS declarations)
  string(REGEX MATCH "pdcost_[a-z0-9_]+" name "${declaration}")
  list(APPEND declared "${name}")
endforeach()
list(REMOVE_DUPLICATES declared)
list(SORT declared)
list(LENGTH declared declared_count)

foreach(name IN LISTS declared)
  if(NOT name IN_LIST exported)
    string(APPEND errors "declared in pdcost.h but not exported: ${name}\n")
  endif()
endforeach()
foreach(name IN LISTS exported)
  if(NOT name IN_LIST declared)
    string(APPEND errors "exported but not declared in pdcost.h: ${name}\n")
  endif()
endforeach()

# SONAME: the one CMake computed (-DSONAME) must be libpdcost.so.<PDCOST_ABI_VERSION of the
# header>, and the library must carry it.
if(header_text MATCHES "#define PDCOST_ABI_VERSION ([0-9]+)")
  set(header_soname "libpdcost.so.${CMAKE_MATCH_1}")
  if(NOT SONAME STREQUAL header_soname)
    string(APPEND errors "expected SONAME ${SONAME}, but the header's PDCOST_ABI_VERSION gives ${header_soname}\n")
  endif()
else()
  string(APPEND errors "no #define PDCOST_ABI_VERSION in ${HEADER}\n")
endif()
execute_process(COMMAND "${READELF}" -d "${LIBRARY}" OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
if(NOT dynamic MATCHES "\\(SONAME\\)[^\n]*\\[([^]\n]+)\\]")
  string(APPEND errors "no SONAME in ${LIBRARY}\n")
elseif(NOT CMAKE_MATCH_1 STREQUAL SONAME)
  string(APPEND errors "SONAME is ${CMAKE_MATCH_1}, expected ${SONAME}\n")
endif()

# Self-contained: no Swift runtime, Foundation, dispatch or ICU libraries at run time.
execute_process(COMMAND "${LDD}" "${LIBRARY}" OUTPUT_VARIABLE ldd_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  string(APPEND errors "ldd failed on ${LIBRARY}\n")
endif()
string(REPLACE "\n" ";" ldd_lines "${ldd_out}")
foreach(line IN LISTS ldd_lines)
  if(line MATCHES "libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu|not found")
    string(APPEND errors "unwanted run-time dependency: ${line}\n")
  endif()
endforeach()

file(SIZE "${LIBRARY}" size)
math(EXPR size_mib "${size} / 1048576")
string(STRIP "${ldd_out}" ldd_out)
message(STATUS "${LIBRARY}: ${size} bytes (~${size_mib} MiB), ${exported_count} exported symbols, "
               "${declared_count} functions in pdcost.h")
message(STATUS "ldd:\n${ldd_out}")
if(errors)
  message(FATAL_ERROR "${errors}")
endif()
message(STATUS "symbols OK: exported == declared == {${exported}}")
