// Record: one ERP record as a format-neutral tree (object, array, scalar), the value that flows
// from a connector to the mapping layer.
//
// JSON objects map onto it directly; CSV and ODBC rows are flat objects; XML records carry
// their element instead (xml_reader.hpp). Scalars keep their exact source text: a JSON number 1234.50 stays
// "1234.50", so money never passes through double. `raw` keeps the record as the ERP sent it, for the rejects
// table. Plain value type; no thread contract.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pugi {
class xml_document;
struct xml_node_struct;
}  // namespace pugi

namespace arsync {

class Node {
 public:
  enum class Type : unsigned char { kNull, kBool, kNumber, kString, kObject, kArray };

  Node() = default;
  static Node null() { return Node(); }
  static Node scalar(Type type, std::string text);
  static Node object();
  static Node array();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_scalar() const { return type_ == Type::kBool || type_ == Type::kNumber || type_ == Type::kString; }
  // Scalar text: "true"/"false", a number's source text, a string's unescaped value.
  const std::string& text() const { return text_; }

  // Object members (in source order) and array elements.
  const std::vector<Node>& children() const { return children_; }
  // This node's member name inside its parent object (empty for array elements and roots).
  const std::string& name() const { return name_; }
  // The member named `name`, or nullptr (first match; objects are small, a scan beats a map).
  const Node* find(std::string_view name) const;

  // Builders.
  Node& add(std::string name, Node child);  // object member
  Node& push(Node child);                   // array element
  // In-place builders for readers on the hot path: the child is constructed directly in this
  // node's children (no temporary Node to move); fill a container child through the reference.
  Node& add(std::string_view name, Type type, std::string_view text = {});
  Node& push(Type type, std::string_view text = {});
  void reserve(std::size_t children);

 private:
  Type type_ = Type::kNull;
  std::string name_;
  std::string text_;
  std::vector<Node> children_;
};

struct Record {
  Node root;
  std::string raw;  // the record's source text as received (JSON object text, XML element, CSV line)
  // XML records (read_xml_records): the element in its parsed document, for mappings with
  // format: xml whose paths are XPath. The document is shared by the page's records; `root`
  // is then empty. Forward-declared so includers need no pugixml.
  std::shared_ptr<const pugi::xml_document> xml_document;
  pugi::xml_node_struct* xml_element = nullptr;
};

}  // namespace arsync
