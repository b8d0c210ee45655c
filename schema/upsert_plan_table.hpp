// The private state of an UpsertPlan, shared by the files that implement it (upsert_plan.cpp:
// the statements generated from the catalog; upsert_checks.cpp: checking an entity and
// resolving its references; upsert_rows.cpp: writing its rows). Not part of the API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "schema/upsert_plan.hpp"

namespace arsync {

// Past this many cached ids the cache starts over: it bounds memory on a huge customer master
// while the working set of an ordinary page still fits.
inline constexpr std::size_t kMaxCachedIds = 1 << 18;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// ERP ids of one source -> mirror row ids of one table, so resolving a reference is a hash
// lookup rather than a query (an initial sync resolves the same customers millions of times).
// Row ids never change once assigned (rows are tombstoned, never deleted), so an entry only
// goes stale if the transaction that created the row rolls back: forget_cached_ids().
class IdCache {
 public:
  const std::int64_t* find(std::string_view source, std::string_view erp_id) const {
    if (source != source_) return nullptr;
    auto it = ids_.find(erp_id);
    return it == ids_.end() ? nullptr : &it->second;
  }
  void add(std::string_view source, std::string_view erp_id, std::int64_t id) {
    if (source != source_ || ids_.size() >= kMaxCachedIds) {
      ids_.clear();
      source_ = source;
    }
    ids_.emplace(std::string(erp_id), id);
  }
  void clear() { ids_.clear(); }

 private:
  std::string source_;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> ids_;
};

struct UpsertPlan::Table {
  struct Child {
    const EntitySpec* spec = nullptr;
    std::vector<Table*> refs;   // parallel to spec->fields: the referenced table of a kRef field
    Statement remove;           // DELETE FROM <child> WHERE <parent>_id = ?1
    Statement insert;           // (<parent>_id, position[, currency], fields...)
    bool has_currency = false;  // the child table copies its parent's currency (applications)
  };

  const EntitySpec* spec = nullptr;
  std::vector<Table*> refs;
  int currency = -1;  // index of the `currency` field, or -1
  Statement find;     // id, row_hash, deleted by (source, erp_id)
  Statement insert;   // (source, fields..., row_hash, updated_seq)
  Statement update;   // fields..., row_hash, updated_seq, then id
  std::vector<Child> children;
  IdCache ids;             // used when another entity references this one
  bool expect_new = true;  // the last row written was new: try inserting before looking up
};

}  // namespace arsync
