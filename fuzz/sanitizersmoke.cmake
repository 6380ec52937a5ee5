# The short sanitizer run of the normal test suite: CTest test `sanitizer_smoke` builds the SSE
# parser and both provider adapters with clang's AddressSanitizer and UndefinedBehaviorSanitizer
# (fuzz/smoke, a separate small project) and runs their fuzz targets over the seed corpus.
# Included from the top-level CMakeLists.txt for test builds that are not already
# instrumented (the asan/tsan presets and BREAKWATER_FUZZ cover far more than this).
if(BREAKWATER_SANITIZE OR BREAKWATER_FUZZ)
    return()
endif()

find_program(BREAKWATER_SMOKE_CXX NAMES clang++ clang++-14
             DOC "clang for the sanitizer smoke test (fuzz/smoke)")
if(NOT BREAKWATER_SMOKE_CXX)
    # Reported by CTest as skipped, with the reason in the test output.
    add_test(NAME sanitizer_smoke COMMAND ${CMAKE_COMMAND} -E echo
             "sanitizer_smoke skipped: clang++ not found (scripts/bootstrap.sh installs clang and libclang-rt-14-dev)")
    set_tests_properties(sanitizer_smoke PROPERTIES SKIP_REGULAR_EXPRESSION "skipped: clang"
                                                    LABELS sanitizer)
    return()
endif()

find_program(BREAKWATER_SMOKE_LAUNCHER ccache)
add_test(NAME sanitizer_smoke
         COMMAND ${CMAKE_COMMAND} -DSMOKE_SOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}/smoke
                 -DSMOKE_BINARY_DIR=${CMAKE_BINARY_DIR}/sanitizer-smoke
                 -DSMOKE_CXX=${BREAKWATER_SMOKE_CXX} -DSMOKE_GENERATOR=${CMAKE_GENERATOR}
                 -DSMOKE_LAUNCHER=${BREAKWATER_SMOKE_LAUNCHER}
                 -P ${CMAKE_CURRENT_LIST_DIR}/smoke/runsmoke.cmake)
# The first run compiles eight sources with clang (about 40 s of CPU); a loaded machine may
# take several times that in wall time.
set_tests_properties(sanitizer_smoke PROPERTIES TIMEOUT 600 LABELS sanitizer)
