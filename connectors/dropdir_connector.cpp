#include "connectors/dropdir_connector.hpp"

#include <fnmatch.h>

#include <deque>

#include "connectors/dropdir_folder.hpp"
#include "connectors/dropdir_outgoing.hpp"
#include "connectors/dropdir_pages.hpp"
#include "connectors/dropdir_settings.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

class DropdirConnector final : public Connector {
 public:
  DropdirConnector(std::string name, DropdirSettings settings, DropFolder folder, std::optional<DropOutgoing> outgoing,
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
    if (open_) return next_part(request.stream, stream->second);
    while (!queue_.empty() && !context_.stop.stop_requested()) {
      DropFile file = std::move(queue_.front());
      queue_.pop_front();
      auto opened = open_file(stream->second, file);
      if (!opened) {
        if (opened.error().kind == ErrorKind::kIo) return fail(opened.error());
        continue;  // quarantined, gone, or still being written: the next file
      }
      return next_part(request.stream, stream->second);
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
  Result<void> start_run(const DropStreamSettings& stream, const std::string& cursor) {
    queue_.clear();
    open_.reset();
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

  Error quarantine(const DropFile& file, const std::string& reason) {
    log(LogLevel::kError, "file_failed", {{"connector", name_}, {"file", file.name}, {"error", reason}});
    if (auto moved = folder_.move_to_failed(file, reason); !moved) return moved.error();
    return Error{ErrorKind::kInvalidInput, reason, file.name};
  }

  // The file checked whole and opened (dropdir_pages.hpp); a file that cannot be read as its
  // format goes to failed/ (kInvalidInput) before any page of it is handed over.
  Result<void> open_file(const DropStreamSettings& stream, const DropFile& file) {
    auto pages = DropPages::open(folder_, file, stream);
    if (!pages) {
      if (pages.error().kind == ErrorKind::kInvalidInput) return fail(quarantine(file, pages.error().message));
      if (pages.error().kind != ErrorKind::kIo)
        log(LogLevel::kWarn, "file_skipped",
            {{"connector", name_}, {"file", file.name}, {"why", pages.error().message}});
      return fail(pages.error());
    }
    open_ = std::move(*pages);
    open_file_ = file;
    log(LogLevel::kInfo, "file_read",
        {{"connector", name_}, {"file", file.name}, {"bytes", file.size}, {"bytes_held", open_->bytes_held()}});
    return {};
  }

  // The open file's next page; all but its last continue the file's transaction.
  Result<Page> next_part(const std::string& stream_name, const DropStreamSettings& stream) {
    auto records = open_->next(stream.page_rows);
    if (!records) {
      open_.reset();
      return fail(records.error());
    }
    Page page;
    page.records = std::move(*records);
    page.cursor = last_cursor_;
    page.continues = !open_->done();
    if (!page.continues) {
      page.cursor = last_cursor_ = open_file_.cursor();
      log(LogLevel::kInfo, "file_parsed", {{"connector", name_}, {"stream", stream_name}, {"file", open_file_.name}});
      open_.reset();
    }
    page.next_page_token = page.continues || !queue_.empty() ? "more" : "";
    return page;
  }

  // Constant after construction
  const std::string name_;
  const DropdirSettings settings_;
  const DropFolder folder_;
  const std::optional<DropOutgoing> outgoing_;
  const ConnectorContext context_;

  // Touched only by the thread calling pull()
  std::deque<DropFile> queue_;        // this run's files not yet returned
  std::unique_ptr<DropPages> open_;   // the file being handed over in pages, if any
  DropFile open_file_;                // which file that is
  std::string last_cursor_;     // the cursor of the last page returned in this run
};

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  auto settings = read_dropdir_settings(config);
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

const ConnectorSpec kSpec{
    "dropdir", "export files (XML, JSON, CSV) an ERP drops into a folder; each file one transaction",
    dropdir_options(), dropdir_stream_options(),
    &create,
};

}  // namespace

const ConnectorSpec& dropdir_spec() { return kSpec; }

}  // namespace arsync
