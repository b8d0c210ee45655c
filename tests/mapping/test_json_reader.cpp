// JSON reader: pages and single documents, exact numbers, and refusal of bad or cut-off bodies.
#include <doctest/doctest.h>

#include <string>

#include "mapping/json_reader.hpp"
#include "tests/result_text.hpp"

using namespace arsync;
using arsync::test::why;

namespace {

const char* kPage = R"({"@odata.context":"http://x/odata/$metadata#invoices",
 "value":[ {"id":"INV-1","total":1234.50,"lines":[{"q":2.5},{"q":1e3}]} ,
           {"id":"INV-2","total":0, "note":null, "paid":true} ],
 "@odata.nextLink":"http://x/odata/invoices?$skiptoken=abc"})";

std::string error_of(const Result<JsonPage>& page) { return page ? "" : page.error().message; }

}  // namespace

TEST_CASE("a page's records keep exact numbers, raw text and the next link") {
  auto page = read_json_page(std::string_view(kPage), "value", "@odata.nextLink");
  REQUIRE_MESSAGE(page, error_of(page));
  REQUIRE(page->records.size() == 2);
  const Node& first = page->records[0].root;
  CHECK(first.type() == Node::Type::kObject);
  CHECK(first.find("id")->text() == "INV-1");
  CHECK(first.find("total")->text() == "1234.50");
  CHECK(first.find("total")->type() == Node::Type::kNumber);
  const Node* lines = first.find("lines");
  REQUIRE(lines);
  REQUIRE(lines->children().size() == 2);
  CHECK(lines->children()[1].find("q")->text() == "1e3");
  CHECK(page->records[0].raw == R"({"id":"INV-1","total":1234.50,"lines":[{"q":2.5},{"q":1e3}]})");
  CHECK(page->records[1].raw == R"({"id":"INV-2","total":0, "note":null, "paid":true})");
  CHECK(page->records[1].root.find("note")->is_null());
  CHECK(page->records[1].root.find("paid")->type() == Node::Type::kBool);
  CHECK(page->records[1].root.find("paid")->text() == "true");
  CHECK(page->records[1].root.find("missing") == nullptr);
  REQUIRE(page->next_link);
  CHECK(*page->next_link == "http://x/odata/invoices?$skiptoken=abc");
}

TEST_CASE("the last page has no next link, and the in-place overload reads the same") {
  std::string body = R"({"value":[{"id":"A"}]})";
  auto page = read_json_page(body, "value", "@odata.nextLink");
  REQUIRE_MESSAGE(page, error_of(page));
  CHECK(page->records.size() == 1);
  CHECK_FALSE(page->next_link);
  CHECK(body == R"({"value":[{"id":"A"}]})");
}

TEST_CASE("records may be the whole body or nested under a dotted path") {
  auto bare = read_json_page(std::string_view(R"([{"a":1},{"a":2}])"), "", "");
  REQUIRE_MESSAGE(bare, error_of(bare));
  CHECK(bare->records.size() == 2);
  auto nested = read_json_page(std::string_view(R"({"d":{"__next":"n2","results":[{"a":1}]}})"), "d.results",
                               "d.__next");
  REQUIRE_MESSAGE(nested, error_of(nested));
  CHECK(nested->records.size() == 1);
  CHECK(*nested->next_link == "n2");
  auto empty = read_json_page(std::string_view(R"({"value":[]})"), "value", "@odata.nextLink");
  REQUIRE(empty);
  CHECK(empty->records.empty());
}

TEST_CASE("strings are unescaped, unicode included") {
  auto node = parse_json(R"({"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","k\u0031":"x"})");
  REQUIRE_MESSAGE(node, why(node));
  CHECK(node->find("s")->text() == "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(node->find("k1")->text() == "x");
}

TEST_CASE("parse_json reads any document shape") {
  auto n = parse_json("  -12.50e+1 ");
  REQUIRE_MESSAGE(n, why(n));
  CHECK(n->text() == "-12.50e+1");
  CHECK_FALSE(parse_json("12 13"));
  CHECK(parse_json(R"("x")")->text() == "x");
  auto arr = parse_json(R"([[1,[2,[3]]],{"a":{"b":{"c":[]}}}, "x", false, null])");
  REQUIRE_MESSAGE(arr, why(arr));
  CHECK(arr->children().size() == 5);
  CHECK(arr->children()[0].children()[1].children()[1].children()[0].text() == "3");
  CHECK(arr->children()[1].find("a")->find("b")->find("c")->type() == Node::Type::kArray);
  CHECK(arr->children()[4].is_null());
}

TEST_CASE("invalid and truncated bodies are errors naming the byte offset, never partial pages") {
  struct Row {
    const char* body;
    const char* error;
  };
  const Row rows[] = {
      {R"({"value":[{"id":"A"},{"id":"B"})", "ends early"},
      {R"({"value":[{"id":"A"},{"id":"B"}],"@odata.next)", "ends inside a string at byte"},
      {R"({"value":[{"id":"A"},{"id":)", "at byte"},
      {R"({"value":[{"id":"A"},{"id":"B")", "at byte"},
      {R"({"value":[{"id":"A"},{"id":"B"})", "at byte"},
      {R"({"value":[{"id":"A"} {"id":"B"}]})", "at byte"},
      {R"({"value":[{"id":"A",}]})", "at byte"},
      {R"({"value":[{"total":12.3.4}]})", "malformed number '12.3.4' at byte"},
      {R"({"value":[{"total":-}]})", "malformed number"},
      {R"({"value":[{"flag":tru}]})", "at byte"},
      {R"({"value":[{"id":"A"}]} trailing)", "unexpected content after the JSON document at byte 23"},
      {R"({"value":[{"id":"A"}]}})", "unexpected content after the JSON document"},
      {R"({"ctx":[1,,2],"value":[{"id":"A"}]})", "at byte"},
      {R"({"error":{"code":"BadRequest"}})", "no records array at 'value'"},
      {R"({"value":{"id":"A"}})", "not an array"},
      {R"({"value":[1,2]})", "record 1 is not a JSON object"},
      {R"({"value":[],"@odata.nextLink":5})", "is not a string"},
      {"", "empty JSON body"},
      {"{\"value\":[{\"id\":\"\xff\"}]}", "invalid UTF-8 in JSON body at byte 17"},
      {"42", "not an object or array"},
  };
  for (const Row& row : rows) {
    std::string body = row.body;
    CAPTURE(body);
    auto page = read_json_page(std::string_view(body), "value", "@odata.nextLink");
    REQUIRE_FALSE(page);
    CHECK(page.error().kind == ErrorKind::kInvalidInput);
    CHECK_MESSAGE(page.error().message.find(row.error) != std::string::npos, page.error().message);
  }
}

TEST_CASE("every truncation of a valid page is refused") {
  std::string body = kPage;
  for (std::size_t cut = 0; cut + 1 < body.size(); ++cut) {
    std::string prefix = body.substr(0, cut);
    // Cutting only trailing whitespace leaves a complete document.
    if (prefix.find_last_not_of(" \n") == body.find_last_not_of(" \n")) continue;
    CAPTURE(prefix);
    auto page = read_json_page(std::string_view(prefix), "value", "@odata.nextLink");
    CHECK_FALSE(page);
  }
}

TEST_CASE("a big page reads every record") {
  std::string body = R"({"value":[)";
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    if (i) body += ',';
    body += R"({"id":"INV-)" + std::to_string(i) + R"(","amount":)" + std::to_string(i) +
            R"(.25,"lines":[{"q":1},{"q":2}]})";
  }
  body += "]}";
  auto page = read_json_page(std::string_view(body), "value", "@odata.nextLink");
  REQUIRE_MESSAGE(page, error_of(page));
  REQUIRE(page->records.size() == n);
  CHECK(page->records[4999].root.find("id")->text() == "INV-4999");
  CHECK(page->records[4999].root.find("amount")->text() == "4999.25");
  CHECK(page->records[123].raw == R"({"id":"INV-123","amount":123.25,"lines":[{"q":1},{"q":2}]})");
}

TEST_CASE("located records read one at a time are the records of the whole page; errors are the page's") {
  std::string body = kPage;
  auto page = read_json_page(std::string_view(body), "value", "");
  REQUIRE_MESSAGE(page, error_of(page));
  auto spans = locate_json_records(body, "value");
  REQUIRE(spans);
  REQUIRE(spans->size() == page->records.size());
  for (std::size_t i = 0; i < spans->size(); ++i) {
    auto record = read_json_record(std::string_view(body).substr((*spans)[i].offset, (*spans)[i].size));
    REQUIRE(record);
    CHECK(record->raw == page->records[i].raw);
    CHECK(record->root.find("id")->text() == page->records[i].root.find("id")->text());
    CHECK(record->root.find("total")->text() == page->records[i].root.find("total")->text());
  }
  std::string broken = R"({"value":[{"id":"A"},{"id":"B"},{"id": }]})";
  auto located = locate_json_records(broken, "value");
  REQUIRE(!located);
  CHECK(located.error().message == error_of(read_json_page(std::string_view(broken), "value", "")));
  std::string not_objects = R"({"value":[{"id":"A"},7]})";
  auto seven = locate_json_records(not_objects, "value");
  REQUIRE(!seven);
  CHECK(seven.error().message.find("record 2 is not a JSON object") == 0);
}
