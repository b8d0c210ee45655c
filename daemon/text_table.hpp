// TextTable: the plain-text tables of the CLI (`arsync status`, `arsync sync --once`). Every
// column is as wide as its longest cell or title, so a long stream name (invoice_documents) or
// a cursor with a zone shifts nothing; text is left-aligned, counts right-aligned.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace arsync {

class TextTable {
 public:
  struct Column {
    std::string title;
    bool right_aligned = false;
  };

  explicit TextTable(std::vector<Column> columns);
  void add(std::vector<std::string> cells);  // one row, a cell per column (missing ones empty)

  std::size_t rows() const { return rows_.size(); }
  // The titles' line and row `i`'s line, padded to the widths of all rows added; no newline.
  std::string header() const;
  std::string line(std::size_t i) const;

 private:
  std::string render(const std::vector<std::string>& cells) const;

  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> widths_;
};

}  // namespace arsync
