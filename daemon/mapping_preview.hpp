// mapping preview: maps a sample ERP response with one mapping file and prints what the mirror
// would receive — canonical records, skipped records (when:) and rejects with their reasons —
// so finance can try a mapping change on real data before it goes live (docs/mappings.md §4).
//
// Nothing is written anywhere. Called once by the CLI (`arsync mapping preview`); single-threaded.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>

namespace arsync {

// Output formats:
//   "table": one line per record — "ok", "skipped" or "reject", the record's position (#0 =
//            first) and ERP key, then the required canonical fields (money as "108.25 USD") and
//            child counts, or for a reject "file:line:col: reason"; a summary line last.
//   "json":  {"records": [{"index", "key", "fields": {...}, <children>: [...]}], "skipped":
//            [index...], "rejects": [{"index", "key", "where", "reason"}]}; every field that has a
//            value, money as {"amount": "108.25", "currency": "USD"} (exact decimal text).
// An XML sample (first character '<') is read with read_xml_records at the records XPath.
// `records_path` says where the records sit in the sample ("" = the mapping's records:, else
// found: the body itself if it is a list, else "value", the first list inside "QueryResponse",
// the first list of objects at the top (Xero's "Invoices"), else the body is one record).
// Returns 0 when every record mapped or was skipped, 1 when some were rejected, 2 when the
// mapping has problems (printed as file:line:col: message to `err`) or the sample is unreadable.
int run_mapping_preview(const std::filesystem::path& mapping, const std::filesystem::path& sample,
                        const std::string& format, const std::string& records_path, std::ostream& out,
                        std::ostream& err);
// Same, printing to std::cout and std::cerr.
int run_mapping_preview(const std::filesystem::path& mapping, const std::filesystem::path& sample,
                        const std::string& format, const std::string& records_path);

}  // namespace arsync
