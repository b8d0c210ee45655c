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
    if (std::size_t open = s.find('['); open != std::string_view::npos) {
      std::size_t eq = s.find('=', open);
      if (open == 0 || !s.ends_with(']') || eq == std::string_view::npos || eq == open + 1 ||
          s.find_first_of("[]", open + 1) != s.size() - 1)
        return bad("a list item is picked as list[member=value], e.g. Phones[PhoneType=DEFAULT]");
      segment.end = pos + open;
      segment.key_begin = pos + open + 1, segment.key_end = pos + eq;
      segment.value_begin = pos + eq + 1, segment.value_end = dot - 1;
    }
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
      return segments_[last].key_end == 0 ? child : pick(*child, last);
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

const Node* Path::pick(const Node& list, std::size_t i) const {
  const Segment& s = segments_[i];
  std::string_view key = std::string_view(text_).substr(s.key_begin, s.key_end - s.key_begin);
  std::string_view value = std::string_view(text_).substr(s.value_begin, s.value_end - s.value_begin);
  auto matches = [&](const Node& item) {
    const Node* m = item.type() == Node::Type::kObject ? item.find(key) : nullptr;
    return m != nullptr && m->is_scalar() && m->text() == value;
  };
  if (list.type() == Node::Type::kObject) return matches(list) ? &list : nullptr;  // a list of one
  if (list.type() != Node::Type::kArray) return nullptr;
  for (const Node& item : list.children())
    if (matches(item)) return &item;
  return nullptr;
}

const Node* Path::resolve(const Node& record, const Node* parent) const {
  const Node* node = from_parent_ ? parent : &record;
  for (std::size_t i = 0; node != nullptr && i < segments_.size();) node = step(*node, i);
  return node;
}

}  // namespace arsync::mapping
