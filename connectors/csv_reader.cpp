// CSV text into Records (see csv_reader.hpp). libcsv reports cells and row ends through
// callbacks but no positions, so the text is fed to it one line at a time (each chunk ends at
// a CR or LF): a row can only end on such a byte, so when libcsv ends a row inside a chunk,
// the row ended at that chunk's last byte. That gives every row its raw text and line number.
#include "connectors/csv_reader.hpp"

#include <csv.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string>

namespace arsync {
namespace {

class CsvRows {
 public:
  CsvRows(std::string_view text, std::size_t start, bool keep)
      : text_(text), row_start_(start), counted_(start), at_(start), keep_(keep) {}

  // Feeds the text to `parser` chunk by chunk until `max_rows` records are read or the text
  // ends; returns those records or the first problem.
  Result<std::vector<Record>> read(csv_parser& parser, std::size_t max_rows) {
    records_.clear();
    while (at_ < text_.size() && !problem_ && records_.size() < max_rows) {
      std::size_t end = text_.find_first_of("\r\n", at_);
      end = end == std::string_view::npos ? text_.size() : end + 1;
      chunk_end_ = end;
      std::size_t used = csv_parse(&parser, text_.data() + at_, end - at_, &on_cell, &on_row, this);
      if (used != end - at_ && !problem_)
        fail_at(at_ + used, std::string("malformed quoting (") + csv_strerror(csv_error(&parser)) +
                                "): a quote inside an unquoted cell, or text after a closing quote");
      at_ = end;
    }
    if (at_ >= text_.size() && !finished_ && !problem_) {
      finished_ = true;
      chunk_end_ = text_.size();
      if (csv_fini(&parser, &on_cell, &on_row, this) != 0 && !problem_) {
        std::size_t begin = text_.find_first_not_of("\r\n", row_start_);
        fail_at(begin == std::string_view::npos ? row_start_ : begin,
                "a quoted cell is never closed (missing \")");
      }
    }
    if (problem_) return fail(*problem_);
    return std::move(records_);
  }

  bool done() const { return finished_ || problem_; }

 private:
  static void on_cell(void* cell, std::size_t size, void* self) {
    auto* rows = static_cast<CsvRows*>(self);
    if (cell)
      rows->cells_.emplace_back(std::string(static_cast<const char*>(cell), size));
    else
      rows->cells_.emplace_back(std::nullopt);  // an empty unquoted cell (CSV_EMPTY_IS_NULL)
  }

  static void on_row(int, void* self) { static_cast<CsvRows*>(self)->end_row(); }

  void end_row() {
    // The row runs from row_start_ to the terminator at the chunk's end; blank lines and the
    // LF of a CRLF before it were skipped by libcsv, so trim them off the front.
    std::size_t begin = row_start_, end = chunk_end_;
    row_start_ = chunk_end_;
    while (begin < end && (text_[begin] == '\r' || text_[begin] == '\n')) ++begin;
    while (end > begin && (text_[end - 1] == '\r' || text_[end - 1] == '\n')) --end;
    std::vector<std::optional<std::string>> cells = std::move(cells_);
    cells_.clear();
    if (problem_) return;
    if (!have_header_) return take_header(cells, begin);
    if (cells.size() != header_.size())
      return fail_at(begin, std::to_string(cells.size()) + " cells where the header has " +
                                std::to_string(header_.size()) +
                                " (a delimiter inside an unquoted cell? quote the cell)");
    if (!keep_) return;
    Record record;
    record.root = Node::object();
    record.root.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i])
        record.root.add(header_[i], Node::Type::kString, *cells[i]);
      else
        record.root.add(header_[i], Node::Type::kNull);
    }
    record.raw.assign(text_.substr(begin, end - begin));
    records_.push_back(std::move(record));
  }

  void take_header(std::vector<std::optional<std::string>>& cells, std::size_t begin) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (!cells[i] || cells[i]->empty())
        return fail_at(begin, "column " + std::to_string(i + 1) + " of the header row has no name");
      if (!seen.insert(*cells[i]).second)
        return fail_at(begin, "the header names column '" + *cells[i] + "' twice");
      header_.push_back(std::move(*cells[i]));
    }
    have_header_ = true;
  }

  // 1-based line of byte `offset`; offsets asked for only grow, so counting resumes.
  int line_at(std::size_t offset) {
    for (; counted_ < offset && counted_ < text_.size(); ++counted_)
      if (text_[counted_] == '\n') ++lines_;
    return lines_;
  }

  void fail_at(std::size_t offset, std::string message) {
    if (problem_) return;
    problem_ =
        Error{ErrorKind::kInvalidInput, "line " + std::to_string(line_at(offset)) + ": " + message, {}};
  }

  const std::string_view text_;
  std::size_t row_start_;      // where the row being read began
  std::size_t chunk_end_ = 0;  // just past the chunk libcsv is reading
  std::size_t counted_;        // newlines are counted up to here
  int lines_ = 1;
  std::vector<std::optional<std::string>> cells_;
  std::vector<std::string> header_;
  bool have_header_ = false;
  std::size_t at_;             // where the next chunk starts
  bool finished_ = false;      // the parser saw the end of the text
  const bool keep_;            // false: check only, no Record is built
  std::vector<Record> records_;
  std::optional<Error> problem_;
};

// RFC 4180 says spaces are part of a cell; libcsv trims them unless told otherwise.
int no_space(unsigned char) { return 0; }

}  // namespace

struct CsvReader::State {
  State(std::string_view text, std::size_t start, bool keep) : rows(text, start, keep) {}
  ~State() { csv_free(&parser); }
  csv_parser parser{};
  CsvRows rows;
};

CsvReader::CsvReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

namespace {

Result<std::unique_ptr<CsvReader::State>> open_state(std::string_view text, char delimiter, bool keep) {
  std::size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  auto state = std::make_unique<CsvReader::State>(text, start, keep);
  if (csv_init(&state->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
    return fail(ErrorKind::kIo, "out of memory starting the CSV parser");
  csv_set_delim(&state->parser, static_cast<unsigned char>(delimiter));
  csv_set_space_func(&state->parser, &no_space);
  return state;
}

}  // namespace

Result<CsvReader> CsvReader::open(std::string_view text, char delimiter) {
  auto state = open_state(text, delimiter, true);
  if (!state) return fail(state.error());
  return CsvReader(std::move(*state));
}

Result<std::vector<Record>> CsvReader::next(std::size_t max_rows) {
  return state_->rows.read(state_->parser, std::max<std::size_t>(max_rows, 1));
}

bool CsvReader::done() const { return state_->rows.done(); }

Result<std::vector<Record>> read_csv_records(std::string_view text, char delimiter) {
  auto state = open_state(text, delimiter, true);
  if (!state) return fail(state.error());
  return (*state)->rows.read((*state)->parser, std::numeric_limits<std::size_t>::max());
}

Result<void> check_csv(std::string_view text, char delimiter) {
  auto state = open_state(text, delimiter, false);
  if (!state) return fail(state.error());
  auto rows = (*state)->rows.read((*state)->parser, std::numeric_limits<std::size_t>::max());
  if (!rows) return fail(rows.error());
  return {};
}

}  // namespace arsync
