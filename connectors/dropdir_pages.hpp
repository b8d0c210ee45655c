// DropPages: one export file of a dropdir stream, checked whole, then handed over a page of
// page_rows records at a time. The connector marks every page but the file's last
// Page::continues, so the engine writes them all in one transaction: memory is bounded by the
// page while the file stays one transaction.
//
// open() checks the whole file before the first page (well-formed, every record readable), so
// a file's pages never stop half-way for a reason inside the file: such a file is an
// InvalidInput error "line L[, column C]: reason" and the connector moves it to failed/ with
// nothing of it in the mirror. What each format costs while it is handed over:
//   - XML, records: a simple absolute path ("/*/IDOC/E1KNA1M", namespaced steps included):
//     streamed with expat (mapping/xml_record_stream.hpp), read twice (check, then pages);
//     memory is one page of records whatever the file's size; max_file_bytes does not apply.
//   - XML, any other records XPath ("//Invoice", predicates): parsed whole with pugixml, several
//     times the file's size, so limited by max_file_bytes; records handed over in pages.
//   - CSV: the file's text is held (about its size; max_file_bytes), rows parsed a page at a time.
//   - JSON: the file's text is held (about its size; max_file_bytes) and checked whole with
//     simdjson, whose index (about 1.5x the text) is freed after the check: a peak of about
//     2.6x the file's size; each page's records are then parsed from their place in the text.
//     No streaming JSON parser is used: simdjson, the project's parser, needs the whole
//     document (its iterate_many reads concatenated documents, not one large array).
// Other errors: kNotFound (gone or replaced), kTransient (still being written, or changed
// since it was checked: the run fails and its transaction leaves nothing), kIo.
//
// Not thread-safe: the connector's reader thread owns the open file.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "connectors/dropdir_folder.hpp"
#include "connectors/dropdir_settings.hpp"
#include "mapping/record.hpp"

namespace arsync {

class DropPages {
 public:
  virtual ~DropPages() = default;

  // The file checked whole and opened; `folder` must outlive the pages.
  static Result<std::unique_ptr<DropPages>> open(const DropFolder& folder, const DropFile& file,
                                                 const DropStreamSettings& stream);

  // The next up to `max_records` records (fewer at the end of the file).
  virtual Result<std::vector<Record>> next(std::size_t max_records) = 0;
  virtual bool done() const = 0;
  // What the file's text costs in memory while it is open (bytes held), for the log.
  virtual std::size_t bytes_held() const = 0;
};

}  // namespace arsync
