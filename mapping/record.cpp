// Node: the format-neutral record tree (see record.hpp).
#include "mapping/record.hpp"

#include <utility>

namespace arsync {

Node Node::scalar(Type type, std::string text) {
  Node node;
  node.type_ = type;
  node.text_ = std::move(text);
  return node;
}

Node Node::object() {
  Node node;
  node.type_ = Type::kObject;
  return node;
}

Node Node::array() {
  Node node;
  node.type_ = Type::kArray;
  return node;
}

const Node* Node::find(std::string_view name) const {
  for (const Node& child : children_)
    if (child.name_ == name) return &child;
  return nullptr;
}

Node& Node::add(std::string name, Node child) {
  child.name_ = std::move(name);
  children_.push_back(std::move(child));
  return children_.back();
}

Node& Node::push(Node child) {
  child.name_.clear();
  children_.push_back(std::move(child));
  return children_.back();
}

Node& Node::add(std::string_view name, Type type, std::string_view text) {
  Node& child = children_.emplace_back();
  child.type_ = type;
  child.name_.assign(name);
  child.text_.assign(text);
  return child;
}

Node& Node::push(Type type, std::string_view text) {
  Node& child = children_.emplace_back();
  child.type_ = type;
  child.text_.assign(text);
  return child;
}

void Node::reserve(std::size_t children) { children_.reserve(children); }

}  // namespace arsync
