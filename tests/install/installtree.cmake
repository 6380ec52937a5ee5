# The installed tree works on its own: `cmake --install` into a fresh temporary prefix, then
# the installed breakwater-cli answers `send "hello"` from the embedded chaos server and the
# installed dashboard starts (offscreen), from an empty working directory, with
# BREAKWATER_SOURCE_DIR unset and, where a mount namespace can be made (root), the source and
# build trees hidden under empty mounts. The tree holds the .desktop entry (checked with
# desktop-file-validate where installed), the icons, the resources and the documentation.
#
#   cmake -DBUILD_DIR=<build> -DSOURCE_DIR=<source> -P installtree.cmake
cmake_minimum_required(VERSION 3.21)

foreach(variable BUILD_DIR SOURCE_DIR)
    if(NOT ${variable})
        message(FATAL_ERROR "installtree: -D${variable}=... is required")
    endif()
endforeach()

set(app_id org.breakwater.Breakwater)
set(tmp_base /tmp)
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
    set(tmp_base "$ENV{TMPDIR}")
endif()
string(RANDOM LENGTH 10 ALPHABET abcdefghijklmnopqrstuvwxyz0123456789 suffix)
set(root "${tmp_base}/breakwater-installtree-${suffix}")
set(prefix "${root}/prefix")
set(work "${root}/work")
set(home "${root}/home")
file(MAKE_DIRECTORY "${work}" "${home}")

macro(fail)
    file(REMOVE_RECURSE "${root}")
    message(FATAL_ERROR "installtree: " ${ARGN})
endmacro()

# --- install -------------------------------------------------------------------------------
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    fail("cmake --install failed (${rc}):\n${out}\n${err}")
endif()

# --- what is where -------------------------------------------------------------------------
set(expected
    bin/breakwater
    bin/breakwater-cli
    share/applications/${app_id}.desktop
    share/metainfo/${app_id}.metainfo.xml
    share/icons/hicolor/scalable/apps/${app_id}.svg
    share/icons/hicolor/48x48/apps/${app_id}.png
    share/icons/hicolor/128x128/apps/${app_id}.png
    share/icons/hicolor/256x256/apps/${app_id}.png
    share/breakwater/config/default.json
    share/breakwater/config/presets/README.md
    share/breakwater/prometheus/alerts.yml
    share/doc/breakwater/README.md
    share/doc/breakwater/copyright
    share/man/man1/breakwater.1.gz
    share/man/man1/breakwater-cli.1.gz)
# Every bundled scenario and preset of the source tree, under the same name.
file(GLOB bundled RELATIVE "${SOURCE_DIR}/resources"
    "${SOURCE_DIR}/resources/scenarios/*.json" "${SOURCE_DIR}/resources/config/presets/*.json")
list(LENGTH bundled bundled_count)
if(bundled_count LESS 2)
    fail("found no bundled scenarios or presets under ${SOURCE_DIR}/resources")
endif()
foreach(file IN LISTS bundled)
    list(APPEND expected share/breakwater/${file})
endforeach()
set(missing "")
foreach(file IN LISTS expected)
    if(NOT EXISTS "${prefix}/${file}")
        list(APPEND missing ${file})
    endif()
endforeach()
if(missing)
    fail("not installed under ${prefix}: ${missing}")
endif()
foreach(program breakwater breakwater-cli)
    file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${prefix}/bin/${program}"
        RESOLVED_DEPENDENCIES_VAR libraries UNRESOLVED_DEPENDENCIES_VAR unresolved)
    if(unresolved)
        fail("bin/${program} links libraries that cannot be found: ${unresolved}")
    endif()
    foreach(library IN LISTS libraries)
        if(library MATCHES "^(${SOURCE_DIR}|${BUILD_DIR})/")
            fail("bin/${program} links ${library} from the source or build tree")
        endif()
    endforeach()
endforeach()

# --- the desktop entry ---------------------------------------------------------------------
set(desktop "${prefix}/share/applications/${app_id}.desktop")
find_program(desktop_file_validate desktop-file-validate)
if(desktop_file_validate)
    execute_process(COMMAND "${desktop_file_validate}" "${desktop}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
        fail("desktop-file-validate ${desktop}:\n${out}${err}")
    endif()
else()
    message(STATUS "installtree: desktop-file-validate not found (desktop-file-utils); "
        "checking the entry's keys only")
endif()
file(STRINGS "${desktop}" desktop_lines)
set(keys "")
foreach(line IN LISTS desktop_lines)
    if(line MATCHES "^(Exec|Icon|Categories|Type)=(.*)$")
        set(key_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
        list(APPEND keys ${CMAKE_MATCH_1})
    endif()
endforeach()
if(NOT key_Type STREQUAL "Application" OR NOT key_Categories MATCHES "(^|;)Development;")
    fail("${desktop}: Type=${key_Type} Categories=${key_Categories}")
endif()
string(REGEX REPLACE " .*" "" exec_program "${key_Exec}")
if(NOT exec_program STREQUAL "breakwater")
    fail("${desktop}: Exec=${key_Exec} does not start bin/breakwater")
endif()
if(NOT key_Icon STREQUAL app_id)
    fail("${desktop}: Icon=${key_Icon}, the installed icon is ${app_id}")
endif()

# --- the installed programs, with no source tree at hand ------------------------------------
# Hides the source and build trees (empty tmpfs over each) in a private mount namespace when
# unshare can make one; else runs with them visible and says so.
set(hide "")
find_program(unshare_program unshare)
if(unshare_program)
    execute_process(COMMAND "${unshare_program}" -m --propagation private
        sh -c "mount -t tmpfs breakwater-hidden \"$1\"" sh "${work}"
        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
        # The build tree first: it may lie inside the source tree.
        set(hide "${unshare_program}" -m --propagation private sh -c
            "mount -t tmpfs breakwater-hidden \"$1\" && mount -t tmpfs breakwater-hidden \"$2\" && shift 2 && exec \"$@\""
            sh "${BUILD_DIR}" "${SOURCE_DIR}")
    endif()
endif()
if(hide)
    execute_process(COMMAND ${hide} test -e "${SOURCE_DIR}/CMakeLists.txt"
        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
        fail("the source tree is still visible in the mount namespace")
    endif()
else()
    message(STATUS "installtree: no mount namespace here (unshare -m needs root); the source "
        "tree stays visible, BREAKWATER_SOURCE_DIR is unset")
endif()
set(clean_env "${CMAKE_COMMAND}" -E env --unset=BREAKWATER_SOURCE_DIR --unset=BREAKWATER_DB
    "HOME=${home}" "XDG_CONFIG_HOME=${home}/.config" "XDG_DATA_HOME=${home}/.local/share"
    "XDG_CACHE_HOME=${home}/.cache" "XDG_RUNTIME_DIR=${root}")

execute_process(COMMAND ${clean_env} ${hide} "${prefix}/bin/breakwater-cli" send hello
    WORKING_DIRECTORY "${work}" TIMEOUT 60
    RESULT_VARIABLE rc OUTPUT_VARIABLE result ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    fail("installed breakwater-cli send hello: exit ${rc}\n${result}\n${err}")
endif()
string(JSON success ERROR_VARIABLE json_error GET "${result}" success)
if(json_error)
    fail("breakwater-cli send printed no call result JSON (${json_error}):\n${result}")
endif()
string(JSON source GET "${result}" source)
string(JSON text GET "${result}" text)
string(JSON error_type TYPE "${result}" error)
string(JSON attempts LENGTH "${result}" attempts)
string(JSON first_status GET "${result}" attempts 0 http_status)
if(NOT success OR source STREQUAL "" OR source STREQUAL "degraded" OR text STREQUAL ""
   OR NOT error_type STREQUAL "NULL" OR attempts LESS 1 OR NOT first_status EQUAL 200)
    fail("breakwater-cli send hello did not answer from the chaos server:\n${result}")
endif()

# The installed copies of the resources are what the installed CLI reads.
file(GLOB installed_resources "${prefix}/share/breakwater/scenarios/*.json"
    "${prefix}/share/breakwater/config/*.json" "${prefix}/share/breakwater/config/presets/*.json")
execute_process(COMMAND ${clean_env} ${hide} "${prefix}/bin/breakwater-cli" validate
    ${installed_resources}
    WORKING_DIRECTORY "${work}" TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    fail("installed breakwater-cli validate of the installed resources: exit ${rc}\n${out}\n${err}")
endif()

# The dashboard starts, draws its window and exits.
execute_process(COMMAND ${clean_env} QT_QPA_PLATFORM=offscreen ${hide}
    "${prefix}/bin/breakwater" --screenshot "${work}/dashboard.png" --screenshot-after 1
    WORKING_DIRECTORY "${work}" TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS "${work}/dashboard.png")
    fail("installed breakwater --screenshot: exit ${rc}\n${out}\n${err}")
endif()

file(REMOVE_RECURSE "${root}")
list(LENGTH expected expected_count)
if(hide)
    set(visibility "source and build trees hidden")
else()
    set(visibility "source tree visible")
endif()
message(STATUS "installtree: ${expected_count} files in place; send answered from ${source} "
    "(${attempts} attempt(s)); ${visibility}")
