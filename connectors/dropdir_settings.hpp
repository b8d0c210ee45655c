// DropdirSettings: the dropdir connector's config schema (its options and stream options, the
// source of `arsync --help-config`) and the typed settings they are parsed into once, when the
// connector is created (dropdir_connector.hpp shows a config). Pure values; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "connectors/connector_spec.hpp"
#include "connectors/dropdir_folder.hpp"
#include "connectors/dropdir_outgoing.hpp"

namespace arsync {

enum class DropFormat { kAuto, kXml, kJson, kCsv };

struct DropStreamSettings {
  std::string pattern;  // fnmatch(3) glob of the stream's file names
  std::string records;  // XML: XPath of the records ("" = the root's children); JSON: path of the array
  DropFormat format = DropFormat::kAuto;
  char delimiter = ',';
  std::size_t page_rows = 5000;  // records per page; a file's pages are still one transaction
};

struct DropdirSettings {
  DropFolderOptions folder;
  std::optional<DropOutgoingOptions> outgoing;
  std::map<std::string, DropStreamSettings, std::less<>> streams;
};

std::span<const OptionSpec> dropdir_options();
std::span<const OptionSpec> dropdir_stream_options();

// `config` already checked against the two schemas; InvalidInput names the option and where.
Result<DropdirSettings> read_dropdir_settings(const ConnectorConfig& config);

// The stream's format:, else the file's extension (.xml, .json, .csv or .txt); kAuto: unknown.
DropFormat format_of(const DropStreamSettings& stream, const std::string& file_name);

}  // namespace arsync
