# `cpack -G DEB` (run in the build directory, after building): breakwater_VERSION_ARCH.deb,
# installable with `apt install ./breakwater_*.deb`. Its contents are the install rules of
# cmake/Install.cmake under /usr.
set(BREAKWATER_PACKAGE_MAINTAINER "Breakwater maintainers <maintainers@breakwater.example>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_PACKAGE_NAME breakwater)
set(CPACK_PACKAGE_VENDOR "The Breakwater authors")
set(CPACK_PACKAGE_CONTACT "${BREAKWATER_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop lab for the failure behaviour of LLM API calls")
# The long description: lines under 80 characters, "." for an empty line (Debian policy 5.6.13).
set(CPACK_PACKAGE_DESCRIPTION
    "Breakwater sends prompts through a resilience engine (error classification,
backoff with jitter that honours retry-after, a circuit breaker per model,
timeout budgets, a fallback chain) and shows what the engine does while an
embedded chaos server, speaking the Anthropic and OpenAI wire formats, answers
with rate limits, overloads, outages and broken streams. No API key is needed.
.
This package contains the dashboard (breakwater), the headless command line
(breakwater-cli), the bundled scenarios, policy presets and Prometheus alert
rules.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY breakwater)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/build-.*/" "/node_modules/")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The libraries the executables link (Qt Core, Gui, Widgets, Network, Sql, Charts, OpenGL,
# HttpServer, WebSockets, libstdc++) come from dpkg-shlibdeps (Debian's dpkg-dev); the plugins
# Qt loads at run time do not show up there: the platform plugins (xcb, wayland's fallback,
# offscreen) and the SQLite driver of the run history.
set(BREAKWATER_RUNTIME_PLUGIN_PACKAGES "qt6-qpa-plugins, libqt6sql6-sqlite")
find_program(BREAKWATER_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(BREAKWATER_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "${BREAKWATER_RUNTIME_PLUGIN_PACKAGES}")
else()
    # Without it CPack would declare the plugins only: name the libraries by hand (Debian 12's
    # package names; `ldd app/breakwater` lists what they must cover).
    message(STATUS "dpkg-shlibdeps not found (apt-get install dpkg-dev): the Debian package "
        "names its Qt libraries by hand")
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), \
libqt6widgets6 (>= 6.4), libqt6network6 (>= 6.4), libqt6sql6 (>= 6.4), libqt6dbus6 (>= 6.4), \
libqt6opengl6 (>= 6.4), libqt6openglwidgets6 (>= 6.4), libqt6charts6 (>= 6.4), \
libqt6httpserver6 (>= 6.4), libqt6websockets6 (>= 6.4), libc6, libstdc++6, \
libgcc-s1, ${BREAKWATER_RUNTIME_PLUGIN_PACKAGES}")
endif()
# Native Wayland windows; without it Qt runs the dashboard through XWayland.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
# promtool checks resources/prometheus/alerts.yml; Prometheus scrapes --metrics-port.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")

include(CPack)
