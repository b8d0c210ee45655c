// "Did you mean …?" for misspelled names in mapping files (entities, canonical fields,
// transform keys): the closest candidate by edit distance, if it is close enough to be a typo.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace arsync::mapping {

// Levenshtein distance, case-insensitive (a finance analyst writing "Total" means "total").
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is within typo distance
// (about one edit per three letters, at least one).
std::string closest(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean 'money'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace arsync::mapping
