// Condition: a compiled `when:` test on an ERP record — which records a mapping applies to
// ("only Type == ACCREC are invoices", "a negative Total is a credit memo") and which items of
// a child list become children (QBO: only SalesItemLineDetail lines are invoice lines).
//
// Syntax (docs/mappings.md §"Choosing records: when:"):
//   {from: Type, equals: ACCREC}      {from: Type, not_equals: VOIDED}   {from: Type, in: [A, B]}
//   {from: Total, less_than: 0}       {from: Total, greater_than: 0}     {from: Ref, exists: true}
//   {all: [cond, ...]}                {any: [cond, ...]}
// equals/not_equals/in compare the text exactly (a JSON number by its value: 0 equals 0.00);
// less_than/greater_than compare exact decimals and are false for a value that is not a number.
// A missing, null or "" value equals nothing, so not_equals holds for it. Built by the loader
// (mapping_loader.cpp); immutable; holds() is thread-safe and allocates nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mapping/path.hpp"
#include "mapping/record.hpp"
#include "schema/money.hpp"

namespace arsync::mapping {

struct Condition {
  enum class Op : unsigned char { kAll, kAny, kEquals, kNotEquals, kIn, kExists, kLessThan, kGreaterThan };

  Op op = Op::kAll;
  std::optional<Path> from;         // every op but all/any
  std::vector<std::string> values;  // equals/not_equals: one; in: several
  Decimal number;                   // less_than/greater_than
  bool exists = true;               // exists: true|false
  std::vector<Condition> terms;     // all/any

  // `parent` is the parent record for "^" paths inside a child list (else nullptr).
  bool holds(const Node& record, const Node* parent) const;
};

// -1, 0, 1 as a < b, a == b, a > b, exactly (2.50 == 2.5).
int compare(const Decimal& a, const Decimal& b);

}  // namespace arsync::mapping
