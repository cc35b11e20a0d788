# ctest script: run the fuzzer for SECONDS from the seed corpus; fail on any crash.
#   cmake -DFUZZER=... -DSECONDS=60 -DSEEDS=<dir> -DWORK_DIR=<dir> -P run_fuzzer.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/corpus" "${WORK_DIR}/artifacts")
execute_process(
  COMMAND "${FUZZER}" "-max_total_time=${SECONDS}" -timeout=10 -rss_limit_mb=4096
          -print_final_stats=1 "-artifact_prefix=${WORK_DIR}/artifacts/" "${WORK_DIR}/corpus" "${SEEDS}"
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a failure (exit ${rc}); inputs in ${WORK_DIR}/artifacts")
endif()
