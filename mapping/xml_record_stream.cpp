// XML files read a page of records at a time with expat (see xml_record_stream.hpp).
#include "mapping/xml_record_stream.hpp"

#include <expat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <strings.h>
#include <optional>
#include <pugixml.hpp>
#include <utility>

#include "mapping/xml_reader.hpp"

namespace arsync {
namespace {

constexpr int kChunk = 64 * 1024;  // bytes handed to expat at a time

// One step of a simple absolute path; an absent test matches any element.
struct Step {
  std::optional<std::string> qname;  // "IDOC", "soap:Body": the name as written (pugixml's match)
  std::optional<std::string> local;  // local-name()='record'
  std::optional<std::string> uri;    // namespace-uri()='urn:core'
};

bool eat(std::string_view s, std::size_t& i, std::string_view token) {
  if (s.substr(i).substr(0, token.size()) != token) return false;
  i += token.size();
  return true;
}

bool read_literal(std::string_view s, std::size_t& i, std::optional<std::string>& out) {
  if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
  auto end = s.find(s[i], i + 1);
  if (end == std::string_view::npos) return false;
  out = std::string(s.substr(i + 1, end - i - 1));
  i = end + 1;
  return true;
}

bool name_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '-' || c == '.' || c == ':' || u >= 0x80;
}

// "*", "*[local-name()='x' and namespace-uri()='u']", "*[namespace-uri()='u']",
// "*[local-name()='x']" (xml_namespaces.cpp's forms) or a name.
bool read_step(std::string_view p, std::size_t& i, Step& step) {
  if (eat(p, i, "*")) {
    if (!eat(p, i, "[")) return true;
    if (eat(p, i, "local-name()=")) {
      if (!read_literal(p, i, step.local)) return false;
      if (eat(p, i, "]")) return true;
      if (!eat(p, i, " and ")) return false;
    }
    return eat(p, i, "namespace-uri()=") && read_literal(p, i, step.uri) && eat(p, i, "]");
  }
  std::size_t start = i;
  while (i < p.size() && name_char(p[i])) ++i;
  std::string_view name = p.substr(start, i - start);
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || name[0] == '-' || name[0] == '.' ||
      name.front() == ':' || name.back() == ':' || name.find(':') != name.rfind(':'))
    return false;
  step.qname = std::string(name);
  return true;
}

std::optional<std::vector<Step>> parse_path(std::string_view p) {
  std::vector<Step> steps;
  std::size_t i = 0;
  while (i < p.size()) {
    if (!eat(p, i, "/")) return std::nullopt;
    Step step;
    if (!read_step(p, i, step)) return std::nullopt;
    steps.push_back(std::move(step));
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

using Attributes = std::vector<std::pair<std::string, std::string>>;

Attributes copy_attributes(const XML_Char** atts) {
  Attributes out;
  for (; atts[0]; atts += 2) out.emplace_back(atts[0], atts[1]);
  return out;
}

bool only_whitespace(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Expat knows UTF-8, UTF-16, ISO-8859-1 and US-ASCII; Windows ERPs also write windows-1252
// (ISO-8859-1 but 0x80-0x9F: euro sign, curly quotes, dashes). Its five unassigned bytes stay errors.
int windows_1252(void*, const XML_Char* name, XML_Encoding* info) {
  if (::strcasecmp(name, "windows-1252") != 0 && ::strcasecmp(name, "cp1252") != 0) return XML_STATUS_ERROR;
  static constexpr int k80[32] = {0x20AC, -1,     0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, -1,     0x017D, -1,
                                  -1,     0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, -1,     0x017E, 0x0178};
  for (int i = 0; i < 256; ++i) info->map[i] = i >= 0x80 && i < 0xA0 ? k80[i - 0x80] : i;
  info->data = nullptr;
  info->convert = nullptr;
  info->release = nullptr;
  return XML_STATUS_OK;
}

}  // namespace

bool stream_path(std::string_view records_xpath) { return parse_path(records_xpath).has_value(); }

class XmlRecordStream::Impl {
 public:
  Impl(int fd, std::vector<Step> steps, std::string xpath, bool build)
      : fd_(fd), steps_(std::move(steps)), xpath_(std::move(xpath)), build_(build), parser_(XML_ParserCreate(nullptr)) {
    XML_SetUserData(parser_, this);
    XML_SetUnknownEncodingHandler(parser_, &windows_1252, nullptr);
    XML_SetElementHandler(parser_, &Impl::on_start, &Impl::on_end);
    if (build_) {
      XML_SetCharacterDataHandler(parser_, &Impl::on_text);
      XML_SetCdataSectionHandler(parser_, &Impl::on_cdata_start, &Impl::on_cdata_end);
    }
  }
  ~Impl() { XML_ParserFree(parser_); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Parses until `wanted` records (0: all) are complete or the file ends.
  Result<void> run(std::size_t wanted) {
    wanted_ = wanted;
    page_records_ = 0;
    if (build_) start_page();
    if (!parser_) return fail(ErrorKind::kIo, "out of memory for the XML parser");
    while (!finished_) {
      XML_Status status;
      if (suspended_) {
        suspended_ = false;
        status = XML_ResumeParser(parser_);
      } else {
        void* buffer = XML_GetBuffer(parser_, kChunk);
        if (!buffer) return fail(ErrorKind::kIo, "out of memory for the XML parser");
        ssize_t n;
        do n = ::pread(fd_, buffer, kChunk, offset_);
        while (n < 0 && errno == EINTR);
        if (n < 0) return fail(ErrorKind::kIo, std::string("cannot read the file: ") + std::strerror(errno));
        offset_ += n;
        final_given_ = n == 0;
        status = XML_ParseBuffer(parser_, static_cast<int>(n), final_given_);
      }
      if (status == XML_STATUS_ERROR) return fail(ErrorKind::kInvalidInput, error_text());
      if (status == XML_STATUS_SUSPENDED) {
        suspended_ = true;
        return {};
      }
      finished_ = final_given_;
    }
    return {};
  }

  // The records of the page run() just read, selected from its document by the records XPath.
  Result<std::vector<Record>> page_records() {
    auto records = select_xml_records(page_, xpath_);
    if (records && records->size() != page_records_)
      return fail(ErrorKind::kIo, "internal error: the records path selected " + std::to_string(records->size()) +
                                      " of the " + std::to_string(page_records_) + " records streamed");
    return records;
  }

  std::size_t total() const { return total_; }
  bool done() const { return finished_; }

 private:
  std::string error_text() const {
    return "line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ", column " +
           std::to_string(XML_GetCurrentColumnNumber(parser_) + 1) +
           ": the XML file is not well-formed: " + XML_ErrorString(XML_GetErrorCode(parser_));
  }

  void start_page() {
    page_ = std::make_shared<pugi::xml_document>();
    for (Open& open : path_) open.node = pugi::xml_node();
  }

  // The URI `name`'s prefix is bound to, from its own attributes or its open ancestors'.
  std::string namespace_of(std::string_view name, const Attributes& own) const {
    auto colon = name.find(':');
    std::string prefix(colon == std::string_view::npos ? "" : name.substr(0, colon));
    if (prefix == "xml") return "http://www.w3.org/XML/1998/namespace";
    std::string key = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    for (const auto& [k, v] : own)
      if (k == key) return v;
    for (auto open = path_.rbegin(); open != path_.rend(); ++open)
      for (const auto& [k, v] : open->attributes)
        if (k == key) return v;
    return "";
  }

  bool matches(const Step& step, std::string_view name, const Attributes& attributes) const {
    if (step.qname && name != *step.qname) return false;
    auto colon = name.find(':');
    if (step.local && name.substr(colon == std::string_view::npos ? 0 : colon + 1) != *step.local) return false;
    return !step.uri || namespace_of(name, attributes) == *step.uri;
  }

  // The page document's copy of the open ancestors, created on the page's first record under them.
  pugi::xml_node materialize() {
    pugi::xml_node parent = *page_;
    for (Open& open : path_) {
      if (!open.node) {
        open.node = parent.append_child(open.name.c_str());
        for (const auto& [k, v] : open.attributes) open.node.append_attribute(k.c_str()).set_value(v.c_str());
      }
      parent = open.node;
    }
    return parent;
  }

  void append_element(pugi::xml_node parent, const XML_Char* name, const XML_Char** atts) {
    flush_text();
    current_ = parent.append_child(name);
    for (; atts[0]; atts += 2) current_.append_attribute(atts[0]).set_value(atts[1]);
  }

  void flush_text() {
    if (!text_.empty() && !only_whitespace(text_)) current_.append_child(pugi::node_pcdata).set_value(text_.c_str());
    text_.clear();
  }

  void start(const XML_Char* name, const XML_Char** atts) {
    if (skip_ > 0) {
      ++skip_;
    } else if (in_record_ > 0) {
      ++in_record_;
      if (build_) append_element(current_, name, atts);
    } else {
      Attributes attributes = copy_attributes(atts);
      if (!matches(steps_[path_.size()], name, attributes)) {
        skip_ = 1;  // nothing under it can be a record
      } else if (path_.size() + 1 < steps_.size()) {
        path_.push_back({name, std::move(attributes), {}});
      } else {
        in_record_ = 1;
        if (build_) append_element(materialize(), name, atts);
      }
    }
  }

  void end() {
    if (skip_ > 0) {
      --skip_;
    } else if (in_record_ > 0) {
      if (build_) {
        flush_text();
        current_ = current_.parent();
      }
      if (--in_record_ > 0) return;
      ++page_records_;
      ++total_;
      if (wanted_ > 0 && page_records_ >= wanted_) XML_StopParser(parser_, XML_TRUE);
    } else {
      path_.pop_back();
    }
  }

  static void on_start(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<Impl*>(self)->start(name, atts);
  }
  static void on_end(void* self, const XML_Char*) { static_cast<Impl*>(self)->end(); }
  static void on_text(void* self, const XML_Char* s, int len) {
    auto* impl = static_cast<Impl*>(self);
    if (impl->in_record_ > 0) impl->text_.append(s, static_cast<std::size_t>(len));
  }
  static void on_cdata_start(void* self) {
    auto* impl = static_cast<Impl*>(self);
    if (impl->in_record_ > 0) impl->flush_text();
  }
  static void on_cdata_end(void* self) {
    auto* impl = static_cast<Impl*>(self);
    if (impl->in_record_ == 0) return;
    impl->current_.append_child(pugi::node_cdata).set_value(impl->text_.c_str());
    impl->text_.clear();
  }

  // Constant after construction
  const int fd_;
  const std::vector<Step> steps_;
  const std::string xpath_;
  const bool build_;  // false: only check and count
  XML_Parser parser_;

  // Where the parse stands
  struct Open {  // an element on the path to the records, still open
    std::string name;
    Attributes attributes;
    pugi::xml_node node;  // its copy in the page document, once a record under it is
  };
  std::vector<Open> path_;
  std::size_t skip_ = 0;       // depth inside an element that cannot hold records
  std::size_t in_record_ = 0;  // depth inside the current record (0: not in one)
  off_t offset_ = 0;
  bool suspended_ = false, final_given_ = false, finished_ = false;

  // The page being built
  std::shared_ptr<pugi::xml_document> page_;
  pugi::xml_node current_;  // the element being filled
  std::string text_;        // text (or CDATA) not yet added to current_
  std::size_t wanted_ = 0, page_records_ = 0, total_ = 0;
};

XmlRecordStream::XmlRecordStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XmlRecordStream::XmlRecordStream(XmlRecordStream&&) noexcept = default;
XmlRecordStream& XmlRecordStream::operator=(XmlRecordStream&&) noexcept = default;
XmlRecordStream::~XmlRecordStream() = default;

Result<std::size_t> XmlRecordStream::check(int fd, std::string_view records_xpath) {
  auto steps = parse_path(records_xpath);
  if (!steps) return fail(ErrorKind::kInvalidInput, "records: \"" + std::string(records_xpath) + "\" cannot be streamed");
  Impl impl(fd, std::move(*steps), std::string(records_xpath), false);
  if (auto ran = impl.run(0); !ran) return fail(ran.error());
  return impl.total();
}

Result<XmlRecordStream> XmlRecordStream::open(int fd, std::string_view records_xpath) {
  auto steps = parse_path(records_xpath);
  if (!steps) return fail(ErrorKind::kInvalidInput, "records: \"" + std::string(records_xpath) + "\" cannot be streamed");
  return XmlRecordStream(std::make_unique<Impl>(fd, std::move(*steps), std::string(records_xpath), true));
}

Result<std::vector<Record>> XmlRecordStream::next(std::size_t max_records) {
  if (auto ran = impl_->run(max_records == 0 ? 1 : max_records); !ran) return fail(ran.error());
  return impl_->page_records();
}

bool XmlRecordStream::done() const { return impl_->done(); }

}  // namespace arsync
