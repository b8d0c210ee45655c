// libFuzzer target over the mapping loader, the evaluator and push rendering: the input is a mapping text and
// a record (JSON, or XML when it starts with '<') separated by a line "---json---" (no separator: the whole
// input is the mapping, mapped against an empty record). Every outcome must be a value: no crash, hang or
// sanitizer report. Seeds: fuzz/corpus (the demo and example mappings with a record each).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"
#include "mapping/xml_reader.hpp"

// Everything a mapping does with one record; each step must return a value, never crash.
static void run(const arsync::Mapping& mapping, const arsync::Record& record) {
  (void)mapping.applies(record);
  auto entity = mapping.map(record);
  if (entity) {
    (void)arsync::validate(*entity);
    if (mapping.has_push()) (void)mapping.push(*entity);
  }
  (void)mapping.record_key(record);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSeparator = "\n---json---\n";
  std::size_t cut = input.find(kSeparator);
  std::string yaml(input.substr(0, cut));
  std::string json =
      cut == std::string_view::npos ? "{}" : std::string(input.substr(cut + kSeparator.size()));
  auto mapping = arsync::Mapping::parse(yaml, "fuzz.yaml");
  if (!mapping) return 0;
  // A record text starting with '<' is XML: every element is tried as a record of an XML mapping.
  // With records:/next_link: (their namespaces: prefixes resolved), the page is also read as a
  // connector reads it.
  if (!json.empty() && json.front() == '<') {
    if (mapping->records_path()) {
      auto page =
          arsync::read_xml_page(json, *mapping->records_path(), mapping->next_link_path().value_or(""));
      if (page)
        for (std::size_t i = 0; i < page->records.size() && i < 16; ++i) run(*mapping, page->records[i]);
    }
    auto records = arsync::read_xml_records(json, "//*");
    if (!records) return 0;
    for (std::size_t i = 0; i < records->size() && i < 16; ++i) run(*mapping, (*records)[i]);
    return 0;
  }
  auto node = arsync::parse_json(json);
  if (!node) return 0;
  run(*mapping, arsync::Record{*node, json});
  return 0;
}
