// XmlRecordStream: the records of an XML file read a page at a time, in memory bounded by the
// page, not the file (dropdir export files of any size; DESIGN.md: RSS ≤ 200 MB whatever the
// data size). Built on expat (libexpat1-dev), a streaming parser; never a DOM of the file.
//
// Which records: the mapping's `records:` XPath, when it is a simple absolute child path —
// "/*/IDOC/E1KNA1M", "/*/*", or namespaced steps as xml_namespaces.hpp writes them
// ("*[local-name()='record' and namespace-uri()='urn:core']"). stream_path() says whether a
// path is one; any other XPath ("//Invoice", predicates, positions) cannot be followed while
// streaming, and the caller reads the file whole instead (read_xml_records).
//
// What a record sees: each page is a small pugixml document holding the page's records and
// the elements that contain them (with their attributes and namespace declarations), nothing
// else. So a mapping's XPaths work unchanged inside the record and on its ancestors ("..",
// "../@BEGIN", "/*/IDOC/@id"); siblings of the records that are not records themselves (an IDoc's
// EDI_DC40 control record beside E1KNA1M) are not there. Records are then selected from that
// document with the `records:` XPath itself (select_xml_records), so a page's records are what
// read_xml_records would give for the same elements: same raw text, same field values.
// Whitespace-only text is dropped, comments and processing instructions are ignored (as
// pugixml's default parse does).
//
// Encodings: UTF-8, UTF-16, ISO-8859-1, US-ASCII (expat's own) and windows-1252; records hold
// UTF-8 text. A file declaring another encoding is refused (line 1), never read as garbage.
//
// check() reads the whole file once first (well-formed, counted): a file that is not goes to
// failed/ before any page of it is handed over. Errors name line and column.
//
// The stream reads the file descriptor it is given with pread(2) (no shared offset) and does
// not own it. Not thread-safe: one reader thread uses one stream.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync {

// Whether `records_xpath` is a path the stream can follow (see above).
bool stream_path(std::string_view records_xpath);

class XmlRecordStream {
 public:
  // Reads all of `fd` (from offset 0) and checks it is well-formed XML. The number of records
  // it holds, or an InvalidInput error "line L, column C: ..."; kIo if it cannot be read.
  static Result<std::size_t> check(int fd, std::string_view records_xpath);

  // A stream over `fd` from its start; records_xpath must pass stream_path().
  static Result<XmlRecordStream> open(int fd, std::string_view records_xpath);

  // The next up to `max_records` records (fewer only at the end of the file).
  Result<std::vector<Record>> next(std::size_t max_records);
  bool done() const;

  XmlRecordStream(XmlRecordStream&&) noexcept;
  XmlRecordStream& operator=(XmlRecordStream&&) noexcept;
  ~XmlRecordStream();

  class Impl;

 private:
  explicit XmlRecordStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace arsync
