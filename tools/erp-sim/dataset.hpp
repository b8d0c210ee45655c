// dataset: what the simulator currently serves: the generated company plus a small overlay of
// records changed through /admin/mutate. Answers keyset pages in (lastModifiedDateTime, id)
// order, exact statistics, and applies mutations.
//
// Order: every mutated or added record gets a time from a simulated clock that starts after
// every generated time, so the served sequence is "generated records not in the overlay, by
// (time, id)" followed by "overlay records, by (time, id)". A page starts by binary search on
// the generator's monotone time function (no scan of a million records), then walks ids.
//
// Memory: the overlay holds ~150 bytes per mutated record; nothing per generated record
// (measured: 4 MB RSS idle at 1M invoices, ~47 MB peak while serving 20000-invoice pages).
// Owned by tools/erp-sim. Thread-safe: pages and stats take a shared lock, mutations an
// exclusive one.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/erp-sim/generator.hpp"
#include "tools/erp-sim/write_ledger.hpp"

namespace arsync::sim {

// A record's place in the served order (also what a $skiptoken holds).
struct RecordKey {
  int64_t modified_ms = 0;
  int64_t id = 0;
  auto operator<=>(const RecordKey&) const = default;
};

// $filter=idempotencyKey eq '...' or portalRef eq '...': the record a portal write made.
struct WriteLookup {
  bool by_portal_ref = false;  // else by Idempotency-Key
  std::string value;
};

// How records are written: the OData JSON objects (record_json), the XML API's elements
// (record_xml, no separators between records), or, for invoices only, their document listing
// entries (JSON) and PDF copies (invoice_document).
enum class WireFormat : uint8_t { kJson, kXml, kDocumentJson, kPdf };

struct PageQuery {
  Collection collection = Collection::kInvoices;
  std::optional<RecordKey> after;  // from $skiptoken: strictly after this key
  int64_t since_ms = INT64_MIN;    // from $filter: time >= since_ms
  size_t top = 1000;
  double malformed_rate = 0;  // current fault setting
  // Only the record written with this key or portalRef (0 or 1 record).
  std::optional<WriteLookup> lookup;
  // Set: exactly these records (in this order, absent or deleted ones skipped, at most `top`),
  // for `$filter=id in (...)`; `after` and `since_ms` are then ignored.
  std::optional<std::vector<int64_t>> ids;
  WireFormat format = WireFormat::kJson;
};

struct PageOutcome {
  size_t count = 0;
  std::optional<RecordKey> last;  // key of the last record written
  bool more = false;              // another record follows: the page needs a nextLink
};

// Per-currency exact sums; `present[c]` says some counted record had currency c.
struct MoneyTotals {
  std::array<int64_t, kCurrencyCount> minor{};
  std::array<bool, kCurrencyCount> present{};
  void add(Currency currency, int64_t amount) {
    minor[static_cast<int>(currency)] += amount;
    present[static_cast<int>(currency)] = true;
  }
};

struct CollectionStats {
  int64_t count = 0;
  int64_t children = 0;  // contacts (customers) or lines (invoices)
  int64_t malformed = 0;
  MoneyTotals first;   // invoices/credit memos: total; payments: amount
  MoneyTotals second;  // invoices/credit memos: remaining; payments: unapplied
};

struct Stats {
  std::array<CollectionStats, kCollectionCount> collections;
};

// kDelete removes invoices that nothing is applied to: they vanish from /odata (as a deleted
// record does from a thin-delta ERP) and from the statistics.
enum class MutationAction : uint8_t { kModify, kVoid, kAdd, kDelete };

// One portal write (API.md "Writes") as the dataset sees it.
struct WriteCall {
  WriteTarget target = WriteTarget::kPayments;
  std::string_view customer_id;  // kCustomers: the customer to update (wire id)
  std::string_view key;          // Idempotency-Key
  bool honor_idempotency = true;  // false: every call creates (fault setting, for tests)
};

struct WriteOutcome {
  unsigned status = 201;
  std::string body;                // the record as GET serves it (on 2xx)
  std::optional<WriteError> error;  // set when the write is refused
  bool committed = false;          // something new was written (not a replay, not refused)
  // What a committed write changed in the generated collections, for webhooks (wire ids): a
  // payment created, invoices whose balance changed, a customer updated.
  std::vector<std::string> created_payments, changed_invoices, changed_customers;
};

class Dataset {
 public:
  explicit Dataset(const GeneratorSpec& spec);
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  const Generator& generator() const { return generator_; }

  // Appends the page's records, comma-separated, to `out` (the caller writes the brackets).
  PageOutcome write_page(const PageQuery& query, std::string& out) const;

  // How many records the query would serve with no page limit (its `top` is ignored): the XML
  // API's totalcount/numremaining. O(records after the start).
  int64_t count(const PageQuery& query) const;

  // Exact counts and sums of what is served now, excluding malformed records.
  Stats stats(double malformed_rate) const;

  // Changes up to `count` records (deterministic choice) and returns their wire ids; fewer when
  // not enough records qualify. Caller validates that the action fits the collection.
  std::vector<std::string> mutate(Collection collection, MutationAction action, int64_t count);

  // Appends one record as GET /odata serves it now (without the malformed fault) and returns
  // its lastModifiedDateTime in ms; nullopt (nothing appended) if there is no such record.
  // For the webhook emitter's fat events.
  std::optional<int64_t> write_one(Collection collection, int64_t id, std::string& out,
                                   WireFormat format = WireFormat::kJson) const;

  // Portal writes (dataset_writes.cpp). A write runs under the exclusive lock, so a key's
  // check-and-create is atomic: a replay answers what the first call answered; a reuse with
  // another body or target is refused; otherwise the request is checked against the data
  // (customers, invoices, balances) and committed with one new simulated-clock time.
  WriteOutcome write(const WriteCall& call, const ParsedWrite& parsed);
  // Counts a write refused before it reached the dataset (bad body).
  void count_rejected(WriteTarget target);
  // A page of a portal-only collection, in (lastModifiedDateTime, id) order.
  PageOutcome write_portal_page(PortalKind kind, const PageQuery& query, std::string& out) const;
  WriteCounters write_counters(WriteTarget target) const;

 private:
  struct OverlayEntry {
    int64_t modified_ms = 0;
    int revision = 0;
    bool voided = false;
    int64_t paid = 0;  // invoices: applied by portal payments
    bool deleted = false;  // not served; absent from `order`
  };
  struct Overlay {
    std::unordered_map<int64_t, OverlayEntry> by_id;
    std::map<RecordKey, int64_t> order;  // value unused; keys in served order
  };

  int64_t slot_count(Collection collection) const;  // generated plus added
  bool exists(Collection collection, int64_t id) const;
  const OverlayEntry* overlay_entry(Collection collection, int64_t id) const;
  int64_t first_generated_at_or_after(const PageQuery& query) const;
  bool write_record(const PageQuery& query, int64_t id, const OverlayEntry* entry, std::string& out) const;
  void accumulate(Collection collection, int64_t id, double malformed_rate, CollectionStats& stats) const;
  bool void_eligible(int64_t id) const;
  std::vector<int64_t> choose(Collection collection, MutationAction action, int64_t count);
  void touch(Collection collection, int64_t id, int64_t modified_ms, bool voided);
  void remove(Collection collection, int64_t id);
  PageOutcome write_listed(const PageQuery& query, std::string& out) const;

  // dataset_writes.cpp
  struct InvoiceState;
  std::optional<InvoiceState> invoice_state(std::string_view wire_id) const;
  std::optional<Currency> customer_currency(int64_t customer_id) const;
  std::optional<int64_t> lookup_id(WriteTarget target, const WriteLookup& lookup) const;
  PageOutcome write_key_page(const PageQuery& query, std::string& out) const;
  bool write_written_record(WriteTarget target, int64_t id, std::string& out,
                            WireFormat format = WireFormat::kJson) const;
  WriteOutcome replay(const KeyEntry& entry) const;
  WriteOutcome create_payment(const WriteCall& call, uint64_t hash, const PaymentRequest& request);
  WriteOutcome create_portal_record(const WriteCall& call, uint64_t hash, const PortalRequest& request);
  WriteOutcome update_customer(const WriteCall& call, uint64_t hash, const CustomerUpdate& update);
  std::optional<WriteError> check_portal(const PortalRequest& request, PortalRecord& record) const;

  // Constant after construction
  const Generator generator_;

  mutable std::shared_mutex mutex_;
  // Touched only under mutex_ (exclusive for writes)
  std::array<Overlay, kCollectionCount> overlays_;
  int64_t added_invoices_ = 0;
  int64_t clock_ms_ = 0;  // the last time given to a mutated record
  std::array<uint64_t, kCollectionCount> choice_sequence_{};
  WriteLedger ledger_;
};

}  // namespace arsync::sim
