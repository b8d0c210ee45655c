// Path: where a value sits in an ERP record, compiled once from the mapping's text.
//
// Syntax: member names separated by dots, array positions as numbers (0 = first):
// "customerId", "address.city", "lines.0.amount". A leading "^" reads from the parent record
// while mapping a child collection ("^currencyCode": the invoice's currency, from a line).
// A member whose own name contains dots ("@odata.etag") is found too: when "a.b" has no
// member "a", the member named "a.b" is tried. A list item can be picked by one of its members
// instead of by position: "Phones[PhoneType=DEFAULT].PhoneNumber" reads the first item of
// Phones whose PhoneType is DEFAULT (Xero sends its phones and addresses in no fixed order);
// the name and value in brackets hold no dots. Immutable; thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync::mapping {

class Path {
 public:
  // Refuses "", "a..b", "^" and "^^x" with a message saying what a path looks like.
  static Result<Path> compile(std::string_view text);

  // The node at this path, or nullptr when any step is missing. `parent` is the parent record
  // for "^" paths (nullptr at the top level, where compile-time checks forbid "^").
  const Node* resolve(const Node& record, const Node* parent) const;

  const std::string& text() const { return text_; }
  bool from_parent() const { return from_parent_; }

 private:
  // Where the member was found last time. Records of one page share a shape, so checking that
  // position first usually saves the scan. Shared by threads: relaxed atomics, any value is
  // merely a guess (copying a Path copies the guess).
  struct Hint {
    mutable std::atomic<std::uint32_t> position{0};
    Hint() = default;
    Hint(const Hint& other) : position(other.position.load(std::memory_order_relaxed)) {}
    Hint& operator=(const Hint& other) {
      position.store(other.position.load(std::memory_order_relaxed), std::memory_order_relaxed);
      return *this;
    }
  };

  struct Segment {
    std::size_t begin = 0, end = 0;  // in text_
    long index = -1;                 // the segment as an array position, or -1
    // [key=value]: offsets in text_ of key and value; key_end == 0 when the segment has none.
    std::size_t key_begin = 0, key_end = 0, value_begin = 0, value_end = 0;
    Hint hint;
  };

  const Node* step(const Node& node, std::size_t& i) const;
  const Node* member(const Node& node, std::size_t first, std::size_t last) const;
  // The first item of `list` (or `list` itself, an object) whose member matches the filter of segment `i`.
  const Node* pick(const Node& list, std::size_t i) const;
  std::string_view name(std::size_t first, std::size_t last) const;

  std::string text_;
  bool from_parent_ = false;
  std::vector<Segment> segments_;
};

}  // namespace arsync::mapping
