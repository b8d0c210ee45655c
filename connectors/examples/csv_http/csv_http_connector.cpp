// csv-http: an example arsync connector plugin. It reads an ERP's CSV report from a URL (many
// ERPs publish exports that way: a report URL, a file share behind a web server) and hands
// each row to the mapping as a record whose paths are the header's column names.
//
//   plugin_dirs: [/usr/lib/arsync/plugins]     # holds csv_http.so
//   connectors:
//     - name: reports
//       type: csv-http
//       url: https://erp.example.com/exports  # the folder URL
//       token: ${ERP_TOKEN}                   # optional bearer token
//       streams:
//         - name: invoices
//           mapping: mappings/invoices.yaml
//           path: invoices.csv                # GET {url}/{path}
//
// Every run reads the whole report (a report has no delta): one page, cursor "". It shows the
// parts of the SDK a plugin uses — option schemas checked by `arsync check`, the host's HTTP
// client from the context, errors classified as values, no exception leaving the plugin — and
// that a plugin may bring its own dependency (libcsv). Built out of tree against the installed
// SDK (CMakeLists.txt beside this file); docs/plugins.md walks through it.
//
// Thread contract (connector.hpp): pull() on one thread at a time; no shared state.
#include <csv.h>

#include <arsync/plugin.hpp>
#include <map>

namespace {

using namespace arsync;

constexpr OptionSpec kOptions[] = {
    {"url", OptionType::kUrl, "", true, "where the reports are: GET {url}/{path}"},
    {"token", OptionType::kSecret, "", false, "bearer token, if the server wants one"},
    {"timeout_seconds", OptionType::kInteger, "30", false, "limit for one whole request"},
};

constexpr OptionSpec kStreamOptions[] = {
    {"path", OptionType::kString, "", true, "the report's path under url, e.g. invoices.csv"},
};

// Options arrive checked against the schemas above (types, required keys, no unknown keys);
// a missing optional key takes the default written here.
std::string option(const OptionValues& values, std::string_view key, std::string_view fallback = "") {
  auto it = values.find(key);
  return it == values.end() ? std::string(fallback) : it->second.text;
}

// The rows of a CSV text, by libcsv (strict RFC 4180 quoting).
struct CsvRows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;

  static void on_cell(void* cell, std::size_t size, void* self) {
    static_cast<CsvRows*>(self)->current.emplace_back(static_cast<const char*>(cell), cell ? size : 0);
  }
  static void on_row(int, void* self) {
    auto* rows = static_cast<CsvRows*>(self);
    rows->rows.push_back(std::move(rows->current));
    rows->current.clear();
  }
};

Result<std::vector<Record>> parse_csv(const std::string& body) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return fail(ErrorKind::kIo, "out of memory");
  csv_set_space_func(&parser, [](unsigned char) { return 0; });  // spaces belong to the cell
  CsvRows rows;
  bool ok = csv_parse(&parser, body.data(), body.size(), &CsvRows::on_cell, &CsvRows::on_row, &rows) ==
                body.size() &&
            csv_fini(&parser, &CsvRows::on_cell, &CsvRows::on_row, &rows) == 0;
  std::string problem = ok ? "" : csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!ok) return fail(ErrorKind::kInvalidInput, "the report is not valid CSV: " + problem);
  std::vector<Record> records;
  for (std::size_t r = 1; r < rows.rows.size(); ++r) {
    const auto& header = rows.rows[0];
    const auto& cells = rows.rows[r];
    if (cells.size() != header.size())
      return fail(ErrorKind::kInvalidInput, "row " + std::to_string(r + 1) + " has " +
                                                std::to_string(cells.size()) + " cells, the header " +
                                                std::to_string(header.size()));
    Record& record = records.emplace_back();
    record.root = Node::object();
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty())
        record.root.add(header[c], Node::Type::kNull);  // an empty cell counts as missing
      else
        record.root.add(header[c], Node::Type::kString, cells[c]);
      record.raw += (c ? "," : "") + cells[c];
    }
  }
  return records;
}

class CsvHttpConnector final : public Connector {
 public:
  CsvHttpConnector(const ConnectorConfig& config, const ConnectorContext& context)
      : url_(option(config.options, "url")),
        token_(option(config.options, "token")),
        timeout_(std::chrono::seconds(std::stoll(option(config.options, "timeout_seconds", "30")))),
        transport_(context.make_transport(HttpTransportOptions{})) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    for (const StreamConfig& stream : config.streams) paths_[stream.name] = option(stream.options, "path");
  }

  Result<Page> pull(const PullRequest& request) override {
    auto path = paths_.find(request.stream);
    if (path == paths_.end()) return fail(ErrorKind::kInvalidInput, "no stream '" + request.stream + "'");
    HttpRequest get{"GET", url_ + "/" + path->second, {{"Accept", "text/csv"}}, {}};
    if (!token_.empty()) get.headers.emplace_back("Authorization", "Bearer " + token_);
    auto response = transport_->send(get, timeout_);
    if (!response) return fail(response.error());  // transport errors are already kTransient
    int status = response->status;
    if (status < 200 || status >= 300) {
      bool retry = status == 408 || status == 429 || status >= 500;
      return fail(retry ? ErrorKind::kTransient : ErrorKind::kPermanent,
                  "the server answered " + std::to_string(status), get.url);
    }
    auto records = parse_csv(response->body);
    if (!records) return fail(records.error().kind, records.error().message, get.url);
    return Page{std::move(*records), "", ""};
  }

 private:
  // Constant after construction
  std::string url_, token_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, std::string> paths_;  // stream -> path

  // Touched only by the thread calling pull()
  std::unique_ptr<HttpTransport> transport_;
};

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  return std::unique_ptr<Connector>(std::make_unique<CsvHttpConnector>(config, context));
}

constexpr ConnectorSpec kSpec{
    "csv-http", "CSV reports read over HTTP(S), one record per row (example plugin)",
    kOptions,   kStreamOptions,
    &create,
};

}  // namespace

ARSYNC_CONNECTOR_PLUGIN(kSpec)
