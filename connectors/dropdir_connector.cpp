#include "connectors/dropdir_connector.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>

#include "connectors/csv_reader.hpp"
#include "connectors/dropdir_folder.hpp"
#include "connectors/dropdir_outgoing.hpp"
#include "mapping/json_reader.hpp"
#include "mapping/xml_reader.hpp"
#include "schema/log.hpp"

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
     "a larger file goes to failed/; an XML/JSON file takes about 17x its size in memory while read, a CSV "
     "file about its size plus a few pages of page_rows records"},
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
     "CSV: rows per page; a file's pages are still one transaction, this bounds the memory they take"},
};

enum class Format { kAuto, kXml, kJson, kCsv };

struct StreamSettings {
  std::string pattern, records;
  Format format = Format::kAuto;
  char delimiter = ',';
  std::size_t page_rows = 5000;
};

struct Settings {
  DropFolderOptions folder;
  std::optional<DropOutgoingOptions> outgoing;
  std::map<std::string, StreamSettings, std::less<>> streams;
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

Result<StreamSettings> read_stream(const StreamConfig& stream, const std::string& owner) {
  OptionReader so(stream.options, kStreamOptions);
  StreamSettings s{so.string("pattern"), so.string("records")};
  static const std::map<std::string, Format, std::less<>> kFormats = {
      {"auto", Format::kAuto}, {"xml", Format::kXml}, {"json", Format::kJson}, {"csv", Format::kCsv}};
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

Result<Settings> read_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  std::string owner = "connector " + config.name;
  Settings s;
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

Format format_of(const StreamSettings& stream, const std::string& name) {
  if (stream.format != Format::kAuto) return stream.format;
  auto dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "xml") return Format::kXml;
  if (ext == "json") return Format::kJson;
  if (ext == "csv" || ext == "txt") return Format::kCsv;
  return Format::kAuto;
}

// The JSON and XML readers name a byte offset; someone opening the file wants a line.
std::string with_line(std::string message, std::string_view body) {
  auto at = message.rfind("at byte ");
  if (at == std::string::npos) return message;
  std::size_t offset = 0;
  const char* digits = message.data() + at + 8;
  if (std::from_chars(digits, message.data() + message.size(), offset).ec != std::errc()) return message;
  offset = std::min(offset, body.size());
  std::string_view before = body.substr(0, offset);
  std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  auto last_newline = before.rfind('\n');
  std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

Result<std::vector<Record>> parse(const StreamSettings& stream, const DropFile& file, std::string& body) {
  switch (format_of(stream, file.name)) {
    case Format::kXml:
      return read_xml_records(body, stream.records.empty() ? "/*/*" : stream.records);
    case Format::kJson: {
      auto page = read_json_page(body, stream.records, "");
      if (!page) return fail(page.error());
      return std::move(page->records);
    }
    case Format::kCsv:
      return read_csv_records(body, stream.delimiter);
    case Format::kAuto:
      break;
  }
  return fail(ErrorKind::kInvalidInput,
              "cannot tell the file's format from its name; set the stream's format:");
}

class DropdirConnector final : public Connector {
 public:
  DropdirConnector(std::string name, Settings settings, DropFolder folder, std::optional<DropOutgoing> outgoing,
                   const ConnectorContext& context)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        folder_(std::move(folder)),
        outgoing_(std::move(outgoing)),
        context_(context) {}

  // One file per item in `outgoing`, named by its key (dropdir_outgoing.hpp).
  PushResult push(const PushRequest& request) override {
    auto name = outgoing_name(request);
    if (!name) return {PushStatus::kReject, "", name.error().message, {}};
    auto found = outgoing_->find(*name);
    if (!found) return {PushStatus::kRetry, "", found.error().message, {}};
    if (*found == "imported") return {PushStatus::kDelivered, *name, "already imported by the ERP", {}};
    if (auto written = outgoing_->write(*name, request.body); !written) {
      // Renamed into place but the folder's fsync failed: the file may or may not survive a crash.
      auto now = outgoing_->find(*name);
      const bool maybe = !now || now->has_value();
      return {maybe ? PushStatus::kUnknown : PushStatus::kRetry, "", written.error().message, {}};
    }
    return {PushStatus::kDelivered, *name, "", {}};
  }

  Result<std::optional<std::string>> lookup(const PushRequest& request) override {
    auto name = outgoing_name(request);
    if (!name) return fail(ErrorKind::kPermanent, name.error().message);
    auto found = outgoing_->find(*name);
    if (!found) return fail(ErrorKind::kTransient, found.error().message);
    if (!*found) return std::optional<std::string>();
    return std::optional<std::string>(*name);
  }

  Result<Page> pull(const PullRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end())
      return fail(ErrorKind::kInvalidInput, "connector " + name_ + " has no stream '" + request.stream + "'");
    if (request.page_token.empty()) {
      auto started = start_run(stream->second, request.cursor);
      if (!started) return fail(started.error());
    }
    if (csv_) return next_part(request.stream, stream->second);
    while (!queue_.empty() && !context_.stop.stop_requested()) {
      DropFile file = std::move(queue_.front());
      queue_.pop_front();
      if (format_of(stream->second, file.name) == Format::kCsv) {
        auto opened = open_csv(stream->second, file);
        if (!opened) {
          if (opened.error().kind == ErrorKind::kIo) return fail(opened.error());
          continue;  // quarantined, gone, or still being written: the next file
        }
        return next_part(request.stream, stream->second);
      }
      auto records = read_records(stream->second, file);
      if (!records) {
        if (records.error().kind == ErrorKind::kIo) return fail(records.error());
        continue;
      }
      Page page;
      page.records = std::move(*records);
      page.cursor = last_cursor_ = file.cursor();
      page.next_page_token = queue_.empty() ? "" : "more";
      log(LogLevel::kInfo, "file_read",
          {{"connector", name_},
           {"stream", request.stream},
           {"file", file.name},
           {"records", page.records.size()}});
      return page;
    }
    return Page{{}, last_cursor_, "", false};
  }

  // Each file in failed/, with the stream whose pattern it matches.
  std::vector<Quarantined> quarantined() const override {
    auto files = folder_.failed_files();
    if (!files) {
      log(LogLevel::kWarn, "failed_folder_unreadable", {{"connector", name_}, {"error", files.error().describe()}});
      return {};
    }
    std::vector<Quarantined> out;
    for (const DropFolder::FailedFile& f : *files) {
      std::string stream;
      for (const auto& [name, settings] : settings_.streams)
        if (::fnmatch(settings.pattern.c_str(), f.name.c_str(), 0) == 0) {
          stream = name;
          break;
        }
      out.push_back({stream, (folder_.options().failed / f.name).string(), f.reason, f.since});
    }
    return out;
  }

  void committed(const std::string& cursor) override {
    auto file = DropFile::from_cursor(cursor);
    if (!file) return;
    auto moved = folder_.move_to_processed(*file);
    if (!moved)
      log(LogLevel::kError, "file_move_failed",
          {{"connector", name_}, {"file", file->name}, {"error", moved.error().describe()}});
  }

 private:
  Result<std::string> outgoing_name(const PushRequest& request) const {
    const std::string at = "connector " + name_ + " stream " + request.stream;
    if (!outgoing_)
      return fail(ErrorKind::kPermanent, at + ": has no outgoing: folder to write " + request.kind + " items to");
    const std::string_view type = request.content_type;
    const char* extension = type.find("xml") != std::string_view::npos    ? "xml"
                            : type.find("json") != std::string_view::npos ? "json"
                            : type.find("csv") != std::string_view::npos  ? "csv"
                                                                          : nullptr;
    if (!request.statements.empty() || !extension)
      return fail(ErrorKind::kPermanent, at + ": the mapping's push: must render a JSON or XML body (format: json "
                                              "or xml) to be written as a file");
    return DropOutgoing::file_name(request.kind, request.idempotency_key, extension);
  }

  // A run takes the files complete at its start. A file the committed cursor names that is still
  // in the folder was committed by a run that crashed before moving it: move it now, unread.
  Result<void> start_run(const StreamSettings& stream, const std::string& cursor) {
    queue_.clear();
    csv_.reset();
    last_cursor_ = cursor;
    if (auto committed_file = DropFile::from_cursor(cursor)) {
      auto moved = folder_.move_to_processed(*committed_file);
      if (!moved) return fail(moved.error());
      if (*moved)
        log(LogLevel::kInfo, "file_moved_after_restart",
            {{"connector", name_}, {"file", committed_file->name}});
    }
    auto files = folder_.complete_files(stream.pattern);
    if (!files) return fail(files.error());
    queue_.assign(files->begin(), files->end());
    return {};
  }

  // The file's text, or its failure; an unreadable file is moved to failed/ (kInvalidInput).
  Result<std::string> read_body(const DropFile& file) {
    auto body = folder_.read(file);
    if (!body && body.error().kind != ErrorKind::kInvalidInput && body.error().kind != ErrorKind::kIo)
      log(LogLevel::kWarn, "file_skipped", {{"connector", name_}, {"file", file.name}, {"why", body.error().message}});
    if (!body && body.error().kind == ErrorKind::kInvalidInput) return fail(quarantine(file, body.error().message));
    return body;
  }

  Error quarantine(const DropFile& file, const std::string& reason) {
    log(LogLevel::kError, "file_failed", {{"connector", name_}, {"file", file.name}, {"error", reason}});
    if (auto moved = folder_.move_to_failed(file, reason); !moved) return moved.error();
    return Error{ErrorKind::kInvalidInput, reason, file.name};
  }

  // The file's records (XML, JSON: the whole file is one page).
  Result<std::vector<Record>> read_records(const StreamSettings& stream, const DropFile& file) {
    auto body = read_body(file);
    if (!body) return fail(body.error());
    auto records = parse(stream, file, *body);
    if (records) return records;
    return fail(quarantine(file, with_line(records.error().message, *body)));
  }

  // A CSV file is read in pages of page_rows, all one transaction (Page::continues). Its whole
  // structure is checked first, so a broken file goes to failed/ before any page of it is
  // handed over: a file's pages never stop half-way for a reason inside the file.
  Result<void> open_csv(const StreamSettings& stream, const DropFile& file) {
    auto body = read_body(file);
    if (!body) return fail(body.error());
    if (auto checked = check_csv(*body, stream.delimiter); !checked)
      return fail(quarantine(file, checked.error().message));
    auto open = std::make_unique<OpenCsv>(OpenCsv{file, std::move(*body), std::nullopt});
    auto reader = CsvReader::open(open->body, stream.delimiter);
    if (!reader) return fail(reader.error());
    open->reader = std::move(*reader);
    csv_ = std::move(open);
    log(LogLevel::kInfo, "file_read", {{"connector", name_}, {"file", file.name}, {"bytes", csv_->body.size()}});
    return {};
  }

  Result<Page> next_part(const std::string& stream_name, const StreamSettings& stream) {
    auto records = csv_->reader->next(stream.page_rows);
    if (!records)  // check_csv accepted this text, so the same parser cannot refuse it now
      return fail(ErrorKind::kIo, "internal error: " + records.error().message, csv_->file.name);
    Page page;
    page.records = std::move(*records);
    page.cursor = last_cursor_;
    page.continues = !csv_->reader->done();
    if (!page.continues) {
      page.cursor = last_cursor_ = csv_->file.cursor();
      log(LogLevel::kInfo, "file_parsed", {{"connector", name_}, {"stream", stream_name}, {"file", csv_->file.name}});
      csv_.reset();
    }
    page.next_page_token = page.continues || !queue_.empty() ? "more" : "";
    return page;
  }

  // Constant after construction
  const std::string name_;
  const Settings settings_;
  const DropFolder folder_;
  const std::optional<DropOutgoing> outgoing_;
  const ConnectorContext context_;

  // Touched only by the thread calling pull()
  struct OpenCsv {
    DropFile file;
    std::string body;                  // the file's text; the reader keeps a view of it
    std::optional<CsvReader> reader;
  };
  std::deque<DropFile> queue_;  // this run's files not yet returned
  std::unique_ptr<OpenCsv> csv_;  // the CSV file being handed over in parts, if any
  std::string last_cursor_;     // the cursor of the last page returned in this run
};

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  auto settings = read_settings(config);
  if (!settings) return fail(settings.error());
  auto folder = DropFolder::open(settings->folder);
  if (!folder) return fail(folder.error());
  std::optional<DropOutgoing> outgoing;
  if (settings->outgoing) {
    auto opened = DropOutgoing::open(*settings->outgoing);
    if (!opened) return fail(opened.error());
    outgoing = std::move(*opened);
  }
  return std::unique_ptr<Connector>(std::make_unique<DropdirConnector>(
      config.name, std::move(*settings), std::move(*folder), std::move(outgoing), context));
}

constexpr ConnectorSpec kSpec{
    "dropdir", "export files (XML, JSON, CSV) an ERP drops into a folder; each file one transaction",
    kOptions,  kStreamOptions,
    &create,
};

}  // namespace

const ConnectorSpec& dropdir_spec() { return kSpec; }

}  // namespace arsync
