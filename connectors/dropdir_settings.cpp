// The dropdir connector's options, parsed (see dropdir_settings.hpp).
#include "connectors/dropdir_settings.hpp"

#include <cctype>

namespace arsync {
namespace {

constexpr OptionSpec kOptions[] = {
    {"path", OptionType::kString, "", true,
     "the folder the ERP writes its export files into (absolute path)"},
    {"processed_dir", OptionType::kString, "", false, "where processed files go; default <path>/processed"},
    {"failed_dir", OptionType::kString, "", false,
     "where unreadable files go, with <file>.error; default <path>/failed"},
    {"complete_when", OptionType::kString, "stable", false,
     "stable: a file is complete once unmodified for `settle`; renamed: at once (the ERP renames finished "
     "files in)"},
    {"settle", OptionType::kDuration, "5s", false,
     "with complete_when: stable, how long a file must stay unmodified"},
    {"ignore", OptionType::kString, ".*,*.tmp,*.part,*.partial,*.filepart", false,
     "comma-separated globs of files still being written, never read"},
    {"max_file_bytes", OptionType::kInteger, "67108864", false,
     "a larger file read whole goes to failed/: CSV files (held: about their size), JSON files (about "
     "2.6x their size while checked, then their size), XML files whose records path is not a simple "
     "/a/b/c (several times their size); XML files with a simple records path are streamed and have no limit"},
    {"outgoing", OptionType::kString, "", false,
     "push: the folder the ERP imports from; each outbox item becomes one file there (absolute path)"},
    {"outgoing_imported", OptionType::kString, "", false,
     "push: where the ERP moves the files it imported, if it does (look-ups search it too)"},
};

constexpr OptionSpec kStreamOptions[] = {
    {"pattern", OptionType::kString, "*", false,
     "glob of the file names this stream reads, e.g. DEBMAS*.xml"},
    {"format", OptionType::kString, "auto", false, "xml, json or csv; auto = by the file's extension"},
    {"records", OptionType::kString, "", false,
     "XML: XPath of the record elements (default: the root's children); JSON: path of the records array"},
    {"delimiter", OptionType::kString, ",", false, "CSV cell separator: one character, or `tab`"},
    {"page_rows", OptionType::kInteger, "5000", false,
     "records per page; a file's pages are still one transaction, this bounds the memory they take"},
};

std::vector<std::string> split_globs(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

Result<DropStreamSettings> read_stream(const StreamConfig& stream, const std::string& owner) {
  OptionReader so(stream.options, kStreamOptions);
  DropStreamSettings s{so.string("pattern"), so.string("records")};
  static const std::map<std::string, DropFormat, std::less<>> kFormats = {
      {"auto", DropFormat::kAuto}, {"xml", DropFormat::kXml}, {"json", DropFormat::kJson}, {"csv", DropFormat::kCsv}};
  auto format = kFormats.find(so.string("format"));
  if (format == kFormats.end())
    return fail(ErrorKind::kInvalidInput, owner + ": format must be auto, xml, json or csv", stream.where);
  s.format = format->second;
  std::string delimiter = so.string("delimiter");
  if (delimiter == "tab") delimiter = "\t";
  if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\r" || delimiter == "\n")
    return fail(ErrorKind::kInvalidInput, owner + ": delimiter must be one character (not a quote), or tab",
                stream.where);
  s.delimiter = delimiter[0];
  if (so.integer("page_rows") < 1)
    return fail(ErrorKind::kInvalidInput, owner + ": page_rows must be at least 1", stream.where);
  s.page_rows = static_cast<std::size_t>(so.integer("page_rows"));
  return s;
}

}  // namespace

std::span<const OptionSpec> dropdir_options() { return kOptions; }
std::span<const OptionSpec> dropdir_stream_options() { return kStreamOptions; }

Result<DropdirSettings> read_dropdir_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  std::string owner = "connector " + config.name;
  DropdirSettings s;
  s.folder.inbox = opt.string("path");
  if (!s.folder.inbox.is_absolute())
    return fail(ErrorKind::kInvalidInput, owner + ": path must be absolute", config.options.at("path").where);
  auto folder_option = [&](std::string_view key, std::string_view fallback) {
    std::string value = opt.string(key);
    return value.empty() ? s.folder.inbox / fallback : std::filesystem::path(value);
  };
  s.folder.processed = folder_option("processed_dir", "processed");
  s.folder.failed = folder_option("failed_dir", "failed");
  std::string mode = opt.string("complete_when");
  if (mode != "stable" && mode != "renamed")
    return fail(ErrorKind::kInvalidInput, owner + ": complete_when must be stable or renamed", config.where);
  s.folder.wait_stable = mode == "stable";
  s.folder.settle = opt.duration("settle");
  s.folder.ignore = split_globs(opt.string("ignore"));
  s.folder.max_bytes = static_cast<std::uint64_t>(opt.integer("max_file_bytes"));
  if (std::string outgoing = opt.string("outgoing"); !outgoing.empty()) {
    s.outgoing = DropOutgoingOptions{outgoing, opt.string("outgoing_imported")};
    if (!s.outgoing->outgoing.is_absolute() || (!s.outgoing->imported.empty() && !s.outgoing->imported.is_absolute()))
      return fail(ErrorKind::kInvalidInput, owner + ": outgoing and outgoing_imported must be absolute paths",
                  config.options.at("outgoing").where);
  }
  for (const StreamConfig& stream : config.streams) {
    auto settings = read_stream(stream, "stream " + config.name + "/" + stream.name);
    if (!settings) return fail(settings.error());
    s.streams[stream.name] = std::move(*settings);
  }
  return s;
}

DropFormat format_of(const DropStreamSettings& stream, const std::string& file_name) {
  if (stream.format != DropFormat::kAuto) return stream.format;
  auto dot = file_name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : file_name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "xml") return DropFormat::kXml;
  if (ext == "json") return DropFormat::kJson;
  if (ext == "csv" || ext == "txt") return DropFormat::kCsv;
  return DropFormat::kAuto;
}

}  // namespace arsync
