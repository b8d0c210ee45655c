// Compiled record paths (see path.hpp).
#include "mapping/path.hpp"

namespace arsync::mapping {

Result<Path> Path::compile(std::string_view text) {
  Path path;
  path.text_ = std::string(text);
  std::size_t pos = 0;
  if (!text.empty() && text.front() == '^') path.from_parent_ = true, pos = 1;
  auto bad = [&](const std::string& why) {
    return fail(ErrorKind::kInvalidInput,
                "bad path '" + std::string(text) + "': " + why +
                    " (write ERP field names separated by dots, e.g. address.city or lines.0.amount)");
  };
  if (pos == text.size()) return bad("it is empty");
  while (pos <= text.size()) {
    std::size_t dot = text.find('.', pos);
    if (dot == std::string_view::npos) dot = text.size();
    if (dot == pos) return bad("an empty name between dots");
    Segment segment{pos, dot, -1};
    std::string_view s = text.substr(pos, dot - pos);
    if (s.find('^') != std::string_view::npos) return bad("'^' may only start a path (one level up)");
    if (s.size() <= 9 && s.find_first_not_of("0123456789") == std::string_view::npos)
      segment.index = std::stol(std::string(s));
    path.segments_.push_back(segment);
    pos = dot + 1;
  }
  return path;
}

std::string_view Path::name(std::size_t first, std::size_t last) const {
  return std::string_view(text_).substr(segments_[first].begin, segments_[last].end - segments_[first].begin);
}

// Follows segment `i` from `node`, advancing `i` past every segment consumed (more than one
// when a member's name itself contains dots).
const Node* Path::step(const Node& node, std::size_t& i) const {
  if (node.type() == Node::Type::kArray) {
    long index = segments_[i].index;
    if (index < 0 || static_cast<std::size_t>(index) >= node.children().size()) return nullptr;
    ++i;
    return &node.children()[static_cast<std::size_t>(index)];
  }
  if (node.type() != Node::Type::kObject) return nullptr;
  for (std::size_t last = i; last < segments_.size(); ++last) {
    if (const Node* child = member(node, i, last)) {
      i = last + 1;
      return child;
    }
  }
  return nullptr;
}

const Node* Path::member(const Node& node, std::size_t first, std::size_t last) const {
  std::string_view wanted = name(first, last);
  const std::vector<Node>& members = node.children();
  std::atomic<std::uint32_t>& hint = segments_[first].hint.position;
  std::uint32_t guess = hint.load(std::memory_order_relaxed);
  if (guess < members.size() && members[guess].name() == wanted) return &members[guess];
  const Node* found = node.find(wanted);
  if (found != nullptr)
    hint.store(static_cast<std::uint32_t>(found - members.data()), std::memory_order_relaxed);
  return found;
}

const Node* Path::resolve(const Node& record, const Node* parent) const {
  const Node* node = from_parent_ ? parent : &record;
  for (std::size_t i = 0; node != nullptr && i < segments_.size();) node = step(*node, i);
  return node;
}

}  // namespace arsync::mapping
