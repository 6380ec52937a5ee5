# The `sanitizer_smoke` test (fuzz/sanitizersmoke.cmake): configures and builds fuzz/smoke with
# clang (incrementally: the build folder stays in the outer build tree), then runs each of its
# fuzz targets over its seed corpus plus a short mutation run with a fixed seed, so a failure
# replays the same way. Any AddressSanitizer, UndefinedBehaviorSanitizer or leak report, and
# any violated fuzz property, fails the test.
#
#   cmake -DSMOKE_SOURCE_DIR=… -DSMOKE_BINARY_DIR=… -DSMOKE_CXX=clang++ -DSMOKE_GENERATOR=Ninja
#         [-DSMOKE_LAUNCHER=ccache] [-DSMOKE_RUNS=2000] -P runsmoke.cmake
foreach(var SMOKE_SOURCE_DIR SMOKE_BINARY_DIR SMOKE_CXX SMOKE_GENERATOR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "runsmoke.cmake: ${var} not set")
    endif()
endforeach()
if(NOT DEFINED SMOKE_RUNS)
    set(SMOKE_RUNS 2000)
endif()
get_filename_component(fuzz_dir ${SMOKE_SOURCE_DIR}/.. ABSOLUTE)

if(NOT EXISTS ${SMOKE_BINARY_DIR}/CMakeCache.txt)
    set(configure ${CMAKE_COMMAND} -S ${SMOKE_SOURCE_DIR} -B ${SMOKE_BINARY_DIR}
                  -G ${SMOKE_GENERATOR} -DCMAKE_CXX_COMPILER=${SMOKE_CXX})
    if(SMOKE_LAUNCHER)
        list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${SMOKE_LAUNCHER})
    endif()
    execute_process(COMMAND ${configure} RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
        file(REMOVE ${SMOKE_BINARY_DIR}/CMakeCache.txt)
        message(FATAL_ERROR "sanitizer smoke: configuring ${SMOKE_SOURCE_DIR} failed")
    endif()
endif()
# Two compile jobs: the suite shares the machine with the other tests.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${SMOKE_BINARY_DIR} --parallel 2
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "sanitizer smoke: building ${SMOKE_BINARY_DIR} failed")
endif()

set(failed "")
foreach(target fuzz_sseparser fuzz_provider_answer fuzz_provider_stream fuzz_jsonview)
    # libFuzzer adds what it finds to its first folder: a scratch one, emptied each run, so
    # every run starts from the seeds alone.
    set(scratch ${SMOKE_BINARY_DIR}/scratch/${target})
    set(artifacts ${SMOKE_BINARY_DIR}/artifacts/${target})
    file(REMOVE_RECURSE ${scratch})
    file(MAKE_DIRECTORY ${scratch} ${artifacts})
    set(args -runs=${SMOKE_RUNS} -seed=1 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
             -artifact_prefix=${artifacts}/)
    if(EXISTS ${fuzz_dir}/${target}.dict)
        list(APPEND args -dict=${fuzz_dir}/${target}.dict)
    endif()
    execute_process(
        COMMAND ${CMAKE_COMMAND} -E env UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
                ${SMOKE_BINARY_DIR}/${target} ${args} ${scratch} ${fuzz_dir}/corpus/${target}
        RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
    string(REGEX MATCH "#[0-9]+[ \t]+INITED[^\n]*" inited "${output}")
    string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" executed "${output}")
    string(REGEX REPLACE ".*: *" "" executed "${executed}")
    if(status EQUAL 0)
        message(STATUS "${target}: clean after ${executed} inputs (seeds: ${inited})")
    else()
        message("${output}")
        message(SEND_ERROR "${target}: exit ${status}; the input is in ${artifacts}/")
        list(APPEND failed ${target})
    endif()
endforeach()
if(failed)
    message(FATAL_ERROR "sanitizer smoke: reports from ${failed}")
endif()
