// exact_json: see exact_json.hpp.
#include "tests/support/exact_json.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace arsync::test {
namespace {

using nlohmann::json;
constexpr const char* kMarker = "$number";

// A SAX consumer that builds the DOM like nlohmann's own, with numbers as marker objects.
class ExactDomBuilder : public nlohmann::json_sax<json> {
 public:
  explicit ExactDomBuilder(json& root) : root_(root) {}

  bool null() override { return add(nullptr); }
  bool boolean(bool value) override { return add(value); }
  bool number_integer(number_integer_t value) override { return add(number(std::to_string(value))); }
  bool number_unsigned(number_unsigned_t value) override { return add(number(std::to_string(value))); }
  bool number_float(number_float_t, const string_t& text) override { return add(number(text)); }
  bool string(string_t& value) override { return add(value); }
  bool binary(binary_t& value) override { return add(json::binary(value)); }
  bool start_object(std::size_t) override {
    stack_.push_back(place(json::object()));
    return true;
  }
  bool key(string_t& name) override {
    pending_ = &(*stack_.back())[name];
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    stack_.push_back(place(json::array()));
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    throw std::runtime_error("invalid JSON at byte " + std::to_string(position) + ": " + e.what());
  }

 private:
  static json number(const std::string& text) { return json{{kMarker, text}}; }

  template <class Value>
  bool add(Value&& value) {
    place(json(std::forward<Value>(value)));
    return true;
  }

  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *pending_ = std::move(value);
    return pending_;
  }

  json& root_;
  std::vector<json*> stack_;
  json* pending_ = nullptr;
};

}  // namespace

json parse_exact(std::string_view text) {
  json root;
  ExactDomBuilder builder(root);
  json::sax_parse(text, &builder);
  return root;
}

bool is_exact_number(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains(kMarker) && value[kMarker].is_string();
}

std::string number_text(const json& value) {
  if (!is_exact_number(value)) throw std::runtime_error("not a JSON number: " + value.dump());
  return value[kMarker].get<std::string>();
}

int64_t decimal_to_minor(std::string_view text, int exponent) {
  const std::string original(text);
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const auto all_digits = [](std::string_view s) {
    return s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (point != std::string_view::npos && fraction.empty()))
    throw std::runtime_error("not a plain decimal: '" + original + "'");
  if (static_cast<int>(fraction.size()) > exponent)
    throw std::runtime_error("'" + original + "' has more than " + std::to_string(exponent) + " decimals");
  std::string digits(whole);
  digits.append(fraction);
  digits.append(static_cast<size_t>(exponent) - fraction.size(), '0');
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size())
    throw std::runtime_error("decimal out of range: '" + original + "'");
  return negative ? -value : value;
}

int64_t minor_units(const json& value, int exponent) {
  return decimal_to_minor(number_text(value), exponent);
}

int64_t exact_integer(const json& value) { return decimal_to_minor(number_text(value), 0); }

}  // namespace arsync::test
