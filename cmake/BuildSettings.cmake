# One INTERFACE target carries the language level, warnings and Qt hygiene defines for
# every target in the project (the qBittorrent CommonConfig pattern), so no target can
# silently build with weaker settings.
add_library(breakwater_build_settings INTERFACE)
target_compile_features(breakwater_build_settings INTERFACE cxx_std_17)
target_compile_options(breakwater_build_settings INTERFACE
    -Wall -Wextra -pedantic -Wold-style-cast -Wnon-virtual-dtor)
target_compile_definitions(breakwater_build_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_KEYWORDS
    QT_NO_FOREACH)

if(BREAKWATER_SANITIZE)
    # e.g. -DBREAKWATER_SANITIZE=address,undefined or thread
    target_compile_options(breakwater_build_settings INTERFACE
        -fsanitize=${BREAKWATER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(breakwater_build_settings INTERFACE -fsanitize=${BREAKWATER_SANITIZE})
endif()

if(BREAKWATER_FUZZ)
    # libFuzzer needs clang. The library and every other target get the coverage
    # instrumentation (fuzzer-no-link) plus ASan/UBSan, so a fuzzer sees and checks the code it
    # drives; only the fuzz executables link the libFuzzer runtime (fuzz/CMakeLists.txt).
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "BREAKWATER_FUZZ needs clang: CC=clang CXX=clang++ cmake ...")
    endif()
    if(BREAKWATER_SANITIZE)
        message(FATAL_ERROR "BREAKWATER_FUZZ brings its own sanitizers; leave BREAKWATER_SANITIZE empty")
    endif()
    target_compile_options(breakwater_build_settings INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(breakwater_build_settings INTERFACE -fsanitize=address,undefined)
endif()
