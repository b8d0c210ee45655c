#include "daemon/text_table.hpp"

#include <algorithm>

namespace arsync {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (const Column& c : columns_) widths_.push_back(c.title.size());
}

void TextTable::add(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::size_t i = 0; i < cells.size(); ++i) widths_[i] = std::max(widths_[i], cells[i].size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::header() const {
  std::vector<std::string> titles;
  for (const Column& c : columns_) titles.push_back(c.title);
  return render(titles);
}

std::string TextTable::line(std::size_t i) const { return render(rows_.at(i)); }

std::string TextTable::render(const std::vector<std::string>& cells) const {
  std::string out;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const std::string padding(widths_[i] - cells[i].size(), ' ');
    if (i > 0) out += ' ';
    out += columns_[i].right_aligned ? padding + cells[i] : cells[i] + padding;
  }
  return out;
}

}  // namespace arsync
