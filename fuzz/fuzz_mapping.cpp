// libFuzzer target over the mapping loader, the evaluator and push rendering: the input is a mapping text and a
// JSON record separated by a line "---json---" (no separator: the whole input is the mapping,
// mapped against an empty record). Every outcome must be a value: no crash, hang or sanitizer
// report. Seeds: fuzz/corpus (the demo and example mappings with a record each).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSeparator = "\n---json---\n";
  std::size_t cut = input.find(kSeparator);
  std::string yaml(input.substr(0, cut));
  std::string json =
      cut == std::string_view::npos ? "{}" : std::string(input.substr(cut + kSeparator.size()));
  auto mapping = arsync::Mapping::parse(yaml, "fuzz.yaml");
  if (!mapping) return 0;
  auto node = arsync::parse_json(json);
  if (!node) return 0;
  arsync::Record record{*node, json};
  (void)mapping->applies(record);
  auto entity = mapping->map(record);
  if (entity) {
    (void)arsync::validate(*entity);
    if (mapping->has_push()) (void)mapping->push(*entity);
  }
  (void)mapping->record_key(record);
  return 0;
}
