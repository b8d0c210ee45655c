#include "daemon/request_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "schema/timestamp.hpp"

namespace arsync {

using nlohmann::json;

struct RequestReader::Doc {
  json root;
};

namespace {

const json& as_json(const void* node) { return *static_cast<const json*>(node); }

}  // namespace

Result<RequestReader> RequestReader::parse(std::string_view body) {
  auto doc = std::make_shared<Doc>();
  doc->root = json::parse(body, nullptr, false);
  if (doc->root.is_discarded()) return fail(ErrorKind::kInvalidInput, "the body is not valid JSON");
  if (!doc->root.is_object()) return fail(ErrorKind::kInvalidInput, "the body must be a JSON object");
  const void* root = &doc->root;
  return RequestReader(std::move(doc), root, "", std::make_shared<std::vector<FieldError>>());
}

RequestReader::RequestReader(std::shared_ptr<Doc> doc, const void* node, std::string prefix,
                             std::shared_ptr<std::vector<FieldError>> errors)
    : doc_(std::move(doc)), node_(node), prefix_(std::move(prefix)), errors_(std::move(errors)) {}

RequestReader::~RequestReader() = default;
RequestReader::RequestReader(RequestReader&&) noexcept = default;

std::string RequestReader::path(std::string_view name) const { return prefix_ + std::string(name); }

void RequestReader::error(std::string field, std::string message) {
  errors_->push_back({std::move(field), std::move(message)});
}

const void* RequestReader::member(std::string_view name, bool required) {
  seen_.emplace(name);
  const json& object = as_json(node_);
  auto found = object.find(std::string(name));
  if (found == object.end() || found->is_null()) {
    if (required) error(path(name), "is required");
    return nullptr;
  }
  return &*found;
}

std::int64_t RequestReader::id(std::string_view name) {
  const void* node = member(name, true);
  if (!node) return 0;
  const json& j = as_json(node);
  if (!j.is_number_integer() || j.get<std::int64_t>() <= 0) {
    error(path(name), "must be a positive integer id");
    return 0;
  }
  return j.get<std::int64_t>();
}

std::optional<std::int64_t> RequestReader::optional_id(std::string_view name) {
  const json& object = as_json(node_);
  if (!object.contains(std::string(name)) || object[std::string(name)].is_null()) {
    seen_.emplace(name);
    return std::nullopt;
  }
  const std::int64_t value = id(name);
  return value ? std::optional(value) : std::nullopt;
}

std::string RequestReader::text(std::string_view name, bool required, std::size_t max_length) {
  const void* node = member(name, required);
  if (!node) return {};
  const json& j = as_json(node);
  if (!j.is_string()) {
    error(path(name), "must be a string");
    return {};
  }
  std::string value = j.get<std::string>();
  if (required && value.empty()) error(path(name), "must not be empty");
  if (value.size() > max_length) error(path(name), "is longer than " + std::to_string(max_length) + " bytes");
  return value;
}

std::optional<std::string> RequestReader::nullable_text(std::string_view name, std::size_t max_length) {
  seen_.emplace(name);
  const json& object = as_json(node_);
  auto found = object.find(std::string(name));
  if (found == object.end() || found->is_null()) return std::nullopt;
  return text(name, false, max_length);
}

bool RequestReader::has(std::string_view name) const {
  const json& object = as_json(node_);
  return object.is_object() && object.contains(std::string(name));
}

std::string RequestReader::one_of(std::string_view name, std::span<const std::string_view> allowed) {
  std::string value = text(name, true, 64);
  if (value.empty()) return value;
  for (std::string_view a : allowed)
    if (a == value) return value;
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  error(path(name), "'" + value + "' is not one of " + list);
  return {};
}

std::optional<std::string> RequestReader::date(std::string_view name, bool required) {
  const void* node = member(name, required);
  if (!node) return std::nullopt;
  const json& j = as_json(node);
  int y = 0, m = 0, d = 0;
  if (!j.is_string() || j.get<std::string>().size() != 10 ||
      std::sscanf(j.get<std::string>().c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || !is_valid_date(y, m, d)) {
    error(path(name), "must be a date as YYYY-MM-DD");
    return std::nullopt;
  }
  return j.get<std::string>();
}

std::optional<Money> RequestReader::money(std::string_view name, bool required) {
  const void* node = member(name, required);
  if (!node) return std::nullopt;
  const json& j = as_json(node);
  const std::string at = path(name);
  // The amount is text: a JSON number would pass through a double in most clients and parsers.
  if (!j.is_object() || !j.contains("amount") || !j.contains("currency") || !j["currency"].is_string() ||
      !j["amount"].is_string()) {
    error(at, R"(must be {"amount": "12.50", "currency": "USD"}, the amount as a string)");
    return std::nullopt;
  }
  auto money = parse_money(j["amount"].get<std::string>(), j["currency"].get<std::string>());
  if (!money) {
    error(at, money.error().message);
    return std::nullopt;
  }
  if (money->minor <= 0) {
    error(at, "must be greater than zero");
    return std::nullopt;
  }
  for (const auto& [member, value] : j.items())
    if (member != "amount" && member != "currency") error(at + "." + member, "is not a field of an amount");
  return *money;
}

std::vector<std::int64_t> RequestReader::ids(std::string_view name, bool required) {
  std::vector<std::int64_t> out;
  const void* node = member(name, required);
  if (!node) return out;
  const json& j = as_json(node);
  if (!j.is_array() || (required && j.empty())) {
    error(path(name), required ? "must be a non-empty array of ids" : "must be an array of ids");
    return out;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string at = path(name) + "[" + std::to_string(i) + "]";
    if (!j[i].is_number_integer() || j[i].get<std::int64_t>() <= 0) {
      error(at, "must be a positive integer id");
      continue;
    }
    const std::int64_t value = j[i].get<std::int64_t>();
    if (std::find(out.begin(), out.end(), value) != out.end()) error(at, "is listed twice");
    out.push_back(value);
  }
  return out;
}

void RequestReader::each(std::string_view name, bool required,
                         const std::function<void(RequestReader&, const std::string&)>& read) {
  const void* node = member(name, required);
  if (!node) return;
  const json& j = as_json(node);
  if (!j.is_array() || (required && j.empty())) {
    error(path(name), required ? "must be a non-empty array" : "must be an array");
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string at = path(name) + "[" + std::to_string(i) + "]";
    if (!j[i].is_object()) {
      error(at, "must be an object");
      continue;
    }
    RequestReader element(doc_, &j[i], at + ".", errors_);
    read(element, at);
    element.reject_unknown_members();
  }
}

void RequestReader::reject_unknown_members() {
  for (const auto& [name, value] : as_json(node_).items())
    if (!seen_.contains(name)) error(path(name), "is not a field of this request");
  seen_.clear();  // reported once
  for (const auto& [name, value] : as_json(node_).items()) seen_.insert(name);
}

}  // namespace arsync
