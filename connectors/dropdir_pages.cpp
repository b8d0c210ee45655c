// One dropdir file's records, a page at a time (see dropdir_pages.hpp).
#include "connectors/dropdir_pages.hpp"

#include <algorithm>
#include <charconv>

#include "connectors/csv_reader.hpp"
#include "mapping/json_reader.hpp"
#include "mapping/xml_reader.hpp"
#include "mapping/xml_record_stream.hpp"

namespace arsync {
namespace {

// The JSON and pugixml readers name a byte offset; someone opening the file wants a line.
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

// Records already all in memory (an XML file parsed whole), handed over a page at a time.
class HeldPages final : public DropPages {
 public:
  HeldPages(std::vector<Record> records, std::size_t bytes) : records_(std::move(records)), bytes_(bytes) {}

  Result<std::vector<Record>> next(std::size_t max_records) override {
    std::size_t n = std::min(max_records, records_.size() - next_);
    std::vector<Record> out(std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(next_)),
                            std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(next_ + n)));
    next_ += n;
    return out;
  }
  bool done() const override { return next_ == records_.size(); }
  std::size_t bytes_held() const override { return bytes_; }

 private:
  std::vector<Record> records_;
  std::size_t next_ = 0;
  std::size_t bytes_;
};

class CsvPages final : public DropPages {
 public:
  static Result<std::unique_ptr<DropPages>> open(std::string body, char delimiter) {
    if (auto checked = check_csv(body, delimiter); !checked) return fail(checked.error());
    auto pages = std::unique_ptr<CsvPages>(new CsvPages(std::move(body)));
    auto reader = CsvReader::open(pages->body_, delimiter);
    if (!reader) return fail(reader.error());
    pages->reader_ = std::move(*reader);
    return std::unique_ptr<DropPages>(std::move(pages));
  }

  Result<std::vector<Record>> next(std::size_t max_records) override {
    auto records = reader_->next(max_records);
    if (!records)  // check_csv accepted this text, so the same parser cannot refuse it now
      return fail(ErrorKind::kIo, "internal error: " + records.error().message);
    return records;
  }
  bool done() const override { return reader_->done(); }
  std::size_t bytes_held() const override { return body_.size(); }

 private:
  explicit CsvPages(std::string body) : body_(std::move(body)) {}
  std::string body_;  // the reader keeps a view of it
  std::optional<CsvReader> reader_;
};

// A JSON file: its text checked whole and held, each page's records parsed from their places.
class JsonPages final : public DropPages {
 public:
  static Result<std::unique_ptr<DropPages>> open(std::string body, const std::string& records) {
    auto spans = locate_json_records(body, records);
    if (!spans) return fail(ErrorKind::kInvalidInput, with_line(spans.error().message, body));
    return std::unique_ptr<DropPages>(new JsonPages(std::move(body), std::move(*spans)));
  }

  Result<std::vector<Record>> next(std::size_t max_records) override {
    std::vector<Record> out;
    for (; next_ < spans_.size() && out.size() < max_records; ++next_) {
      auto record = read_json_record(std::string_view(body_).substr(spans_[next_].offset, spans_[next_].size));
      if (!record)  // locate_json_records read this record already
        return fail(ErrorKind::kIo, "internal error: " + record.error().message);
      out.push_back(std::move(*record));
    }
    return out;
  }
  bool done() const override { return next_ == spans_.size(); }
  std::size_t bytes_held() const override { return body_.capacity() + spans_.size() * sizeof(JsonSpan); }

 private:
  JsonPages(std::string body, std::vector<JsonSpan> spans) : body_(std::move(body)), spans_(std::move(spans)) {}
  std::string body_;
  std::vector<JsonSpan> spans_;
  std::size_t next_ = 0;
};

// An XML file streamed: checked in a first pass, then read again a page at a time.
class XmlStreamPages final : public DropPages {
 public:
  static Result<std::unique_ptr<DropPages>> open(const DropFolder& folder, const DropFile& file,
                                                 const std::string& records) {
    auto open = folder.open_file(file);
    if (!open) return fail(open.error());
    if (auto checked = XmlRecordStream::check(open->fd(), records); !checked) return fail(checked.error());
    auto stream = XmlRecordStream::open(open->fd(), records);
    if (!stream) return fail(stream.error());
    return std::unique_ptr<DropPages>(new XmlStreamPages(folder, file, std::move(*open), std::move(*stream)));
  }

  Result<std::vector<Record>> next(std::size_t max_records) override {
    auto records = stream_.next(max_records);
    if (!records && records.error().kind == ErrorKind::kInvalidInput)  // it was well-formed when checked
      return fail(ErrorKind::kTransient, "the file changed since it was checked: " + records.error().message,
                  file_.name);
    if (records && stream_.done())
      if (auto same = folder_.check_unchanged(open_, file_); !same) return fail(same.error());
    return records;
  }
  bool done() const override { return stream_.done(); }
  std::size_t bytes_held() const override { return 0; }

 private:
  XmlStreamPages(const DropFolder& folder, DropFile file, OpenDropFile open, XmlRecordStream stream)
      : folder_(folder), file_(std::move(file)), open_(std::move(open)), stream_(std::move(stream)) {}
  const DropFolder& folder_;
  const DropFile file_;
  OpenDropFile open_;
  XmlRecordStream stream_;
};

Result<std::unique_ptr<DropPages>> held(Result<std::vector<Record>> records, const std::string& body) {
  if (!records) return fail(ErrorKind::kInvalidInput, with_line(records.error().message, body));
  return std::unique_ptr<DropPages>(std::make_unique<HeldPages>(std::move(*records), body.size()));
}

}  // namespace

Result<std::unique_ptr<DropPages>> DropPages::open(const DropFolder& folder, const DropFile& file,
                                                   const DropStreamSettings& stream) {
  const DropFormat format = format_of(stream, file.name);
  if (format == DropFormat::kAuto)
    return fail(ErrorKind::kInvalidInput, "cannot tell the file's format from its name; set the stream's format:");
  const std::string xpath = stream.records.empty() ? "/*/*" : stream.records;
  if (format == DropFormat::kXml && stream_path(xpath)) return XmlStreamPages::open(folder, file, xpath);
  auto body = folder.read(file);
  if (!body) return fail(body.error());
  switch (format) {
    case DropFormat::kCsv:
      return CsvPages::open(std::move(*body), stream.delimiter);
    case DropFormat::kXml:
      return held(read_xml_records(*body, xpath), *body);
    default:
      return JsonPages::open(std::move(*body), stream.records);
  }
}

}  // namespace arsync
