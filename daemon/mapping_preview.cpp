// mapping preview (see mapping_preview.hpp).
#include "daemon/mapping_preview.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"
#include "mapping/path.hpp"
#include "mapping/xml_reader.hpp"

namespace arsync {
namespace {

using Json = nlohmann::ordered_json;

bool is_list_of_objects(const Node& node) {
  return node.type() == Node::Type::kArray &&
         (node.children().empty() || node.children().front().type() == Node::Type::kObject);
}

// The records in `body` (see records_path in the header).
Result<std::vector<const Node*>> locate(const Node& body, const std::string& path) {
  const Node* list = nullptr;
  if (!path.empty()) {
    auto compiled = mapping::Path::compile(path);
    if (!compiled) return fail(compiled.error());
    list = compiled->resolve(body, nullptr);
    if (list == nullptr || list->type() != Node::Type::kArray)
      return fail(ErrorKind::kInvalidInput, "the sample has no list at " + path);
  } else if (body.type() == Node::Type::kArray) {
    list = &body;
  } else if (const Node* value = body.find("value"); value && is_list_of_objects(*value)) {
    list = value;
  } else if (const Node* qr = body.find("QueryResponse"); qr && qr->type() == Node::Type::kObject) {
    for (const Node& c : qr->children())
      if (is_list_of_objects(c)) list = &c;
  }
  if (list == nullptr && path.empty() && body.type() == Node::Type::kObject)
    for (const Node& c : body.children())
      if (list == nullptr && is_list_of_objects(c) && !c.children().empty()) list = &c;
  std::vector<const Node*> out;
  if (list == nullptr) return std::vector<const Node*>{&body};
  for (const Node& c : list->children()) out.push_back(&c);
  return out;
}

Json value_json(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* m = std::get_if<Money>(&v)) return Json{{"amount", format_amount(*m)}, {"currency", m->currency}};
  if (auto* d = std::get_if<Decimal>(&v)) return d->to_string();
  if (auto* b = std::get_if<Bytes>(&v)) return Json{{"bytes", b->data.size()}};
  return nullptr;
}

std::string value_text(const Value& v) {
  if (auto* m = std::get_if<Money>(&v)) return m->to_string();
  Json j = value_json(v);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

Json entity_json(const Entity& e) {
  Json fields = Json::object();
  for (std::size_t i = 0; i < e.spec->fields.size(); ++i)
    if (!std::holds_alternative<std::monostate>(e.values[i]))
      fields[std::string(e.spec->fields[i].name)] = value_json(e.values[i]);
  Json out{{"fields", fields}};
  for (std::size_t c = 0; c < e.spec->children.size(); ++c) {
    Json list = Json::array();
    for (const Entity& child : e.children[c]) list.push_back(entity_json(child));
    out[std::string(e.spec->children[c].name)] = list;
  }
  return out;
}

std::string entity_line(const Entity& e) {
  std::string line;
  for (std::size_t i = 0; i < e.spec->fields.size(); ++i)
    if (e.spec->fields[i].required && e.spec->fields[i].name != "erp_id" &&
        !std::holds_alternative<std::monostate>(e.values[i]))
      line += " " + std::string(e.spec->fields[i].name) + "=" + value_text(e.values[i]);
  for (std::size_t c = 0; c < e.spec->children.size(); ++c)
    line += " " + std::string(e.spec->children[c].name) + "=" + std::to_string(e.children[c].size());
  return line;
}

struct Outcome {
  std::size_t index = 0;
  std::string key;
  std::optional<Entity> entity;  // mapped
  std::optional<Error> problem;  // rejected (neither: skipped)
};

Outcome map_one(const Mapping& mapping, const Record& record, std::size_t index) {
  Outcome o{index, mapping.record_key(record), std::nullopt, std::nullopt};
  if (!mapping.applies(record)) return o;
  auto entity = mapping.map(record);
  if (!entity) {
    o.problem = entity.error();
  } else if (auto valid = validate(*entity); !valid) {
    o.problem = valid.error();
    if (o.problem->where.empty()) o.problem->where = mapping.file();
  } else {
    o.entity = std::move(*entity);
  }
  return o;
}

void print(const std::vector<Outcome>& outcomes, const std::string& format, std::ostream& out) {
  std::size_t ok = 0, skipped = 0, rejected = 0;
  Json records = Json::array(), skips = Json::array(), rejects = Json::array();
  for (const Outcome& o : outcomes) {
    std::string at = "#" + std::to_string(o.index) + (o.key.empty() ? "" : " " + o.key);
    if (o.entity) {
      ++ok;
      if (format == "table") out << "ok      " << at << entity_line(*o.entity) << "\n";
      Json r{{"index", o.index}, {"key", o.key}};
      r.update(entity_json(*o.entity));
      records.push_back(std::move(r));
    } else if (o.problem) {
      ++rejected;
      if (format == "table") out << "reject  " << at << "  " << o.problem->describe() << "\n";
      rejects.push_back(
          {{"index", o.index}, {"key", o.key}, {"where", o.problem->where}, {"reason", o.problem->message}});
    } else {
      ++skipped;
      if (format == "table") out << "skipped " << at << "  (the mapping's when: does not match)\n";
      skips.push_back(o.index);
    }
  }
  if (format == "table")
    out << ok << " mapped, " << skipped << " skipped, " << rejected << " rejected\n";
  else
    out << Json{{"records", records}, {"skipped", skips}, {"rejects", rejects}}.dump(2) << "\n";
}

// The sample's records: XML (the first character is '<') by the records XPath, else JSON.
Result<std::vector<Record>> read_records(const std::string& text, const std::string& path) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '<') {
    if (path.empty())
      return fail(ErrorKind::kInvalidInput,
                  "an XML sample needs records: in the mapping (or --records XPATH)");
    return read_xml_records(text, path);
  }
  auto body = parse_json(text);
  if (!body) return fail(std::move(body.error()));
  auto nodes = locate(*body, path);
  if (!nodes) return fail(std::move(nodes.error()));
  std::vector<Record> out;
  for (const Node* n : *nodes) out.push_back(Record{*n, {}});
  return out;
}

}  // namespace

int run_mapping_preview(const std::filesystem::path& mapping_file, const std::filesystem::path& sample,
                        const std::string& format, const std::string& records_path, std::ostream& out,
                        std::ostream& err) {
  if (format != "table" && format != "json") {
    err << "unknown preview format '" << format << "'; use table or json\n";
    return 2;
  }
  auto mapping = Mapping::load(mapping_file);
  if (!mapping) {
    for (const Error& e : mapping.error()) err << e.describe() << "\n";
    return 2;
  }
  std::ifstream in(sample, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in) {
    err << sample.string() << ": cannot read the sample file\n";
    return 2;
  }
  std::string path = records_path.empty() ? mapping->records_path().value_or("") : records_path;
  auto records = read_records(text.str(), path);
  if (!records) {
    err << sample.string() << ": " << records.error().message << "\n";
    return 2;
  }
  std::vector<Outcome> outcomes;
  for (std::size_t i = 0; i < records->size(); ++i) outcomes.push_back(map_one(*mapping, (*records)[i], i));
  print(outcomes, format, out);
  for (const Outcome& o : outcomes)
    if (o.problem) return 1;
  return 0;
}

int run_mapping_preview(const std::filesystem::path& mapping, const std::filesystem::path& sample,
                        const std::string& format, const std::string& records_path) {
  return run_mapping_preview(mapping, sample, format, records_path, std::cout, std::cerr);
}

}  // namespace arsync
