# What `cmake --install` puts where (GNUInstallDirs, relative to the prefix):
#   bin/                                  breakwater, breakwater-cli
#   share/breakwater/                     resources/ as in the source tree: config/default.json,
#                                         config/presets/ (with README.md), scenarios/,
#                                         prometheus/alerts.yml. The executables carry the
#                                         default config, presets and scenarios compiled in;
#                                         these copies are for people to read, copy and edit.
#   share/applications/                   org.breakwater.Breakwater.desktop
#   share/metainfo/                       org.breakwater.Breakwater.metainfo.xml
#   share/icons/hicolor/*/apps/           the icon: SVG (scalable) and PNG renders
#   share/doc/breakwater/                 README.md, docs/, copyright, changelog.gz
#   share/man/man1/                       breakwater.1.gz, breakwater-cli.1.gz
include(GNUInstallDirs)
# The documentation directory is named after the package, breakwater; GNUInstallDirs' default
# uses the project's name, Breakwater. A CMAKE_INSTALL_DOCDIR given on the command line wins.
set(BREAKWATER_INSTALL_DOCDIR ${CMAKE_INSTALL_DOCDIR})
if(CMAKE_INSTALL_DOCDIR STREQUAL "${CMAKE_INSTALL_DATAROOTDIR}/doc/${PROJECT_NAME}")
    set(BREAKWATER_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/breakwater)
endif()

set(BREAKWATER_APP_ID org.breakwater.Breakwater)
set(BREAKWATER_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

install(TARGETS breakwater breakwater-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The dashboard's open dialogs start in the installed scenarios and configs
# (ui/scenariocatalog.h, installedResourceDir): where they are, seen from bin/.
file(RELATIVE_PATH BREAKWATER_DATADIR_FROM_BINDIR ${CMAKE_INSTALL_FULL_BINDIR}
    ${CMAKE_INSTALL_FULL_DATADIR}/breakwater)
target_compile_definitions(breakwater_ui
    PRIVATE BREAKWATER_DATADIR_FROM_BINDIR="${BREAKWATER_DATADIR_FROM_BINDIR}")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/
    DESTINATION ${CMAKE_INSTALL_DATADIR}/breakwater)

install(FILES ${BREAKWATER_PACKAGING_DIR}/${BREAKWATER_APP_ID}.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${BREAKWATER_PACKAGING_DIR}/${BREAKWATER_APP_ID}.metainfo.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

install(FILES ${BREAKWATER_PACKAGING_DIR}/icons/${BREAKWATER_APP_ID}.svg
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
# The PNGs are rendered from the SVG by scripts/render-icons.sh and committed.
file(GLOB BREAKWATER_ICON_SIZES RELATIVE ${BREAKWATER_PACKAGING_DIR}/icons/hicolor
    CONFIGURE_DEPENDS ${BREAKWATER_PACKAGING_DIR}/icons/hicolor/*)
foreach(size IN LISTS BREAKWATER_ICON_SIZES)
    install(FILES ${BREAKWATER_PACKAGING_DIR}/icons/hicolor/${size}/${BREAKWATER_APP_ID}.png
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}/apps)
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${BREAKWATER_PACKAGING_DIR}/copyright
    DESTINATION ${BREAKWATER_INSTALL_DOCDIR})
# README.md links docs/… (and shows docs/screenshot.png): keep the same relative layout.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION ${BREAKWATER_INSTALL_DOCDIR})

# Debian installs the changelog and manual pages compressed (gzip -n: no name or time stamp,
# so the same file gives the same bytes).
find_program(BREAKWATER_GZIP gzip)
function(breakwater_install_gzipped source destination)
    if(NOT BREAKWATER_GZIP)
        install(FILES ${source} DESTINATION ${destination})
        return()
    endif()
    get_filename_component(name ${source} NAME)
    set(compressed ${PROJECT_BINARY_DIR}/packaging/${name}.gz)
    file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
    execute_process(COMMAND ${BREAKWATER_GZIP} -9 -n -c ${source} OUTPUT_FILE ${compressed}
        COMMAND_ERROR_IS_FATAL ANY)
    install(FILES ${compressed} DESTINATION ${destination})
endfunction()

breakwater_install_gzipped(${BREAKWATER_PACKAGING_DIR}/man/breakwater.1 ${CMAKE_INSTALL_MANDIR}/man1)
breakwater_install_gzipped(${BREAKWATER_PACKAGING_DIR}/man/breakwater-cli.1
    ${CMAKE_INSTALL_MANDIR}/man1)

# packaging/changelog is written by hand, newest entry first, in Debian's format (the package
# is native, so it is installed as changelog.gz); its newest entry names the project's version.
file(STRINGS ${BREAKWATER_PACKAGING_DIR}/changelog BREAKWATER_CHANGELOG_HEAD LIMIT_COUNT 1)
if(NOT BREAKWATER_CHANGELOG_HEAD MATCHES "^breakwater \\(${PROJECT_VERSION}\\) ")
    message(WARNING "packaging/changelog: the newest entry is not ${PROJECT_VERSION}: "
        "${BREAKWATER_CHANGELOG_HEAD}")
endif()
breakwater_install_gzipped(${BREAKWATER_PACKAGING_DIR}/changelog ${BREAKWATER_INSTALL_DOCDIR})
