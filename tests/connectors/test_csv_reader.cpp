// The CSV reader (connectors/csv_reader.hpp): RFC 4180 quoting, line ends, empty cells, raw row
// text, and every structural error naming its line.
#include <doctest/doctest.h>

#include "connectors/csv_reader.hpp"
#include "tests/result_text.hpp"

using namespace arsync;
using arsync::test::why;

namespace {

std::string cell(const Record& r, const char* column) {
  const Node* n = r.root.find(column);
  if (!n) return "<missing>";
  return n->is_null() ? "<null>" : n->text();
}

std::string error_of(std::string_view text, char delimiter = ',') {
  auto records = read_csv_records(text, delimiter);
  REQUIRE_FALSE(records);
  CHECK(records.error().kind == ErrorKind::kInvalidInput);
  return records.error().message;
}

}  // namespace

TEST_CASE("a header row names the columns; each later row is a record of strings") {
  auto records = read_csv_records("No,Amount,Name\nINV-1,12.50,Acme\nINV-2,7,Bolt\n");
  REQUIRE_MESSAGE(records, why(records));
  REQUIRE(records->size() == 2);
  CHECK(cell((*records)[0], "No") == "INV-1");
  CHECK(cell((*records)[0], "Amount") == "12.50");
  CHECK((*records)[0].root.find("Amount")->type() == Node::Type::kString);
  CHECK(cell((*records)[1], "Name") == "Bolt");
  CHECK((*records)[0].raw == "INV-1,12.50,Acme");
  CHECK((*records)[1].raw == "INV-2,7,Bolt");
}

TEST_CASE("quoted cells keep delimiters, doubled quotes and line breaks; raw is the row's source") {
  auto records = read_csv_records(
      "Id,Name,Street\r\n"
      "1,\"Harbor Freight, LLC\",\"1200 Alaskan Way\r\nSuite 400\"\r\n"
      "2,\"The \"\"Blue Door\"\" Bakery\",\"\"\r\n");
  REQUIRE_MESSAGE(records, why(records));
  REQUIRE(records->size() == 2);
  CHECK(cell((*records)[0], "Name") == "Harbor Freight, LLC");
  CHECK(cell((*records)[0], "Street") == "1200 Alaskan Way\r\nSuite 400");
  CHECK((*records)[0].raw == "1,\"Harbor Freight, LLC\",\"1200 Alaskan Way\r\nSuite 400\"");
  CHECK(cell((*records)[1], "Name") == "The \"Blue Door\" Bakery");
  CHECK(cell((*records)[1], "Street") == "");  // a quoted empty cell is the empty string
}

TEST_CASE("an empty unquoted cell is null; spaces are part of a cell") {
  auto records = read_csv_records("A,B,C\n, x ,\n");
  REQUIRE_MESSAGE(records, why(records));
  REQUIRE(records->size() == 1);
  CHECK(cell((*records)[0], "A") == "<null>");
  CHECK(cell((*records)[0], "B") == " x ");
  CHECK(cell((*records)[0], "C") == "<null>");
}

TEST_CASE("blank lines, a byte order mark and a missing last line end are accepted") {
  auto records = read_csv_records("\xEF\xBB\xBFNo;Total\n\nA;1\r\n\r\nB;2", ';');
  REQUIRE_MESSAGE(records, why(records));
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].root.find("No"));  // the BOM is not part of the first column's name
  CHECK(cell((*records)[1], "Total") == "2");
  CHECK((*records)[1].raw == "B;2");
}

TEST_CASE("tab-separated text and a header-only or empty text") {
  auto tsv = read_csv_records("a\tb\n1\t2\n", '\t');
  REQUIRE_MESSAGE(tsv, why(tsv));
  CHECK(cell((*tsv)[0], "b") == "2");
  auto header_only = read_csv_records("a,b\r\n");
  REQUIRE(header_only);
  CHECK(header_only->empty());
  auto empty = read_csv_records("");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("a row with a different cell count fails the text, naming its line") {
  CHECK(error_of("a,b,c\n1,2,3\n\"x\ny\",2,3\n4,5\n") ==
        "line 5: 2 cells where the header has 3 (a delimiter inside an unquoted cell? quote the cell)");
  CHECK(error_of("a,b\n1,2,3\n").rfind("line 2: 3 cells where the header has 2", 0) == 0);
}

TEST_CASE("broken quoting fails the text, naming its line") {
  CHECK(error_of("a,b\n1,2\n3,x\"y\n").rfind("line 3: malformed quoting", 0) == 0);
  CHECK(error_of("a,b\n1,\"closed\"junk\n").rfind("line 2: malformed quoting", 0) == 0);
  CHECK(error_of("a,b\n1,2\n\n3,\"never closed\n4,5\n") ==
        "line 4: a quoted cell is never closed (missing \")");
}

TEST_CASE("the header must name every column once") {
  CHECK(error_of("a,,c\n1,2,3\n") == "line 1: column 2 of the header row has no name");
  CHECK(error_of("a,b,a\n1,2,3\n") == "line 1: the header names column 'a' twice");
}

TEST_CASE("CsvReader gives the same records in parts; check_csv finds the same errors without them") {
  const std::string text = "\xEF\xBB\xBFNo,Memo\r\nI1,\"two\nlines\"\r\n\r\nI2,\r\nI3,x\r\nI4,\"\"\r\nI5,y";
  auto whole = read_csv_records(text);
  REQUIRE_MESSAGE(whole, why(whole));
  REQUIRE(whole->size() == 5);
  auto reader = CsvReader::open(text);
  REQUIRE_MESSAGE(reader, why(reader));
  std::vector<Record> parts;
  std::vector<std::size_t> sizes;
  while (!reader->done()) {
    auto part = reader->next(2);
    REQUIRE_MESSAGE(part, why(part));
    sizes.push_back(part->size());
    for (Record& r : *part) parts.push_back(std::move(r));
  }
  CHECK(sizes == std::vector<std::size_t>{2, 2, 1});
  REQUIRE(parts.size() == whole->size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i].raw == (*whole)[i].raw);
    CHECK(cell(parts[i], "No") == cell((*whole)[i], "No"));
    CHECK(cell(parts[i], "Memo") == cell((*whole)[i], "Memo"));
  }
  CHECK(check_csv(text).has_value());
  for (std::string bad : {"No,A\nX,1\nY,2,3\n", "No\nX\n\"Y\n", "No,No\nX,Y\n", "No\nX\"Y\n"}) {
    auto checked = check_csv(bad);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().message == error_of(bad));
  }
}
