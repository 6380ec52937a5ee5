#pragma once

#include "config/config.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <optional>

namespace breakwater::cli {

/// The `--config FILE` option every engine-driving command shares.
QCommandLineOption configOption();

/// The config named by `--config`, or the built-in default. On a bad file prints every
/// problem (file: path: message) to stderr and returns nullopt (exit 2).
std::optional<Config> loadConfigOption(const QCommandLineParser &parser, const QString &command);

} // namespace breakwater::cli
