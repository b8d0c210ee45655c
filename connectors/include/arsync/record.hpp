// arsync SDK — Record: one ERP record as a format-neutral tree (object, array, scalar), the
// value a connector hands to the mapping layer (part of the public connector API).
//
// JSON objects map onto it directly; CSV and ODBC rows are flat objects of strings; XML
// records carry their element instead (the host's XML reader fills xml_document/xml_element;
// plugins leave them empty). Scalars keep their exact source text: a JSON number 1234.50 stays
// "1234.50", so money never passes through double. `raw` keeps the record as the ERP sent it,
// for the rejects table. Plain value type, all inline (a plugin links no arsync code); no
// thread contract.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
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
  static Node scalar(Type type, std::string text) {
    Node node;
    node.type_ = type;
    node.text_ = std::move(text);
    return node;
  }
  static Node object() { return of(Type::kObject); }
  static Node array() { return of(Type::kArray); }

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
  const Node* find(std::string_view name) const {
    for (const Node& child : children_)
      if (child.name_ == name) return &child;
    return nullptr;
  }

  // Builders.
  Node& add(std::string name, Node child) {  // object member
    child.name_ = std::move(name);
    return children_.emplace_back(std::move(child));
  }
  Node& push(Node child) {  // array element
    child.name_.clear();
    return children_.emplace_back(std::move(child));
  }
  // In-place builders for readers on the hot path: the child is constructed directly in this
  // node's children (no temporary Node to move); fill a container child through the reference.
  Node& add(std::string_view name, Type type, std::string_view text = {}) {
    Node& child = push(type, text);
    child.name_.assign(name);
    return child;
  }
  Node& push(Type type, std::string_view text = {}) {
    Node& child = children_.emplace_back();
    child.type_ = type;
    child.text_.assign(text);
    return child;
  }
  void reserve(std::size_t children) { children_.reserve(children); }

 private:
  static Node of(Type type) {
    Node node;
    node.type_ = type;
    return node;
  }

  Type type_ = Type::kNull;
  std::string name_;
  std::string text_;
  std::vector<Node> children_;
};

struct Record {
  Node root;
  std::string raw;  // the record's source text as received (JSON object text, XML element, CSV line)
  // XML records (the host's read_xml_records): the element in its parsed document, for
  // mappings with format: xml whose paths are XPath. The document is shared by the page's
  // records; `root` is then empty. Forward-declared so includers need no pugixml.
  std::shared_ptr<const pugi::xml_document> xml_document;
  pugi::xml_node_struct* xml_element = nullptr;
};

}  // namespace arsync
