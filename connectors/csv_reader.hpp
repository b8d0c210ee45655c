// CSV reader: an ERP's CSV export (RFC 4180) into Records, for the dropdir connector.
//
// The first row names the columns; every later row becomes one Record, an object of column
// name -> string scalar, so a mapping reads CSV with the column names as paths (`number:
// InvoiceNo`), exactly as it reads ODBC rows. An empty unquoted cell is null (a mapping's
// `default:` applies); a quoted empty cell "" is the empty string. Record::raw is the row's
// source text (for the rejects table). Blank lines are skipped; a UTF-8 byte order mark (as
// Excel writes it) is dropped; line ends may be LF or CRLF; quoted cells may hold delimiters,
// doubled quotes and line breaks.
//
// Strict on structure: a stray quote, an unterminated quoted cell, a duplicate or empty column
// name, or a row whose cell count differs from the header's fails the whole text with an
// InvalidInput error naming the line. A shifted row would put one column's value under
// another's name (a tax amount read as the total), so it is never guessed at.
//
// Built on libcsv (Debian's libcsv-dev), which does the quoting rules; this file adds the
// header, line numbers and raw row text. Thread-safe (no shared state).
//
// CsvReader reads the same text in parts (dropdir: a large export as several pages of one
// transaction); check_csv() runs the strict checks over the whole text without keeping rows,
// so a broken file is refused before any of it is written.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync {

Result<std::vector<Record>> read_csv_records(std::string_view text, char delimiter = ',');

// The whole text's structure checked, no Record kept: the error read_csv_records would give.
Result<void> check_csv(std::string_view text, char delimiter = ',');

class CsvReader {
 public:
  // `text` must outlive the reader.
  static Result<CsvReader> open(std::string_view text, char delimiter = ',');
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  // The next records, at most `max_rows`; an empty vector once the text is read.
  Result<std::vector<Record>> next(std::size_t max_rows);
  bool done() const;

  struct State;  // csv_reader.cpp's

 private:
  explicit CsvReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace arsync
