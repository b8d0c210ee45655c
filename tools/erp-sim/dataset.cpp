// dataset: see dataset.hpp.
#include "tools/erp-sim/dataset.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "tools/erp-sim/faults.hpp"
#include "tools/erp-sim/invoice_document.hpp"
#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/record_xml.hpp"
#include "tools/erp-sim/sim_hash.hpp"
#include "tools/erp-sim/written_json.hpp"

namespace arsync::sim {
namespace {

constexpr uint64_t kChoiceStream = 500;
// Each mutation batch starts this much after the previous one; records within a batch share
// milliseconds in threes (ties a client must break by id).
constexpr int64_t kBatchGapMs = 1000;
constexpr int64_t kBatchTieGroup = 3;

// Big structs (an invoice holds up to 50 lines): one scratch per thread, reused.
Invoice& scratch_invoice() {
  thread_local Invoice invoice;
  return invoice;
}

}  // namespace

Dataset::Dataset(const GeneratorSpec& spec) : generator_(spec), clock_ms_(generator_.mutation_epoch_ms()) {}

int64_t Dataset::slot_count(Collection collection) const {
  const int64_t generated = generator_.slot_count(collection);
  if (collection == Collection::kPayments) return generated + ledger_.payment_count();
  return collection == Collection::kInvoices ? generated + added_invoices_ : generated;
}

bool Dataset::exists(Collection collection, int64_t id) const {
  if (const OverlayEntry* entry = overlay_entry(collection, id); entry && entry->deleted) return false;
  if (collection == Collection::kInvoices) return id >= 1 && id <= slot_count(collection);
  if (collection == Collection::kPayments && id > generator_.slot_count(collection))
    return id <= slot_count(collection);  // written by the portal
  return generator_.exists(collection, id);
}

const Dataset::OverlayEntry* Dataset::overlay_entry(Collection collection, int64_t id) const {
  const Overlay& overlay = overlays_[static_cast<int>(collection)];
  if (overlay.by_id.empty()) return nullptr;
  const auto it = overlay.by_id.find(id);
  return it == overlay.by_id.end() ? nullptr : &it->second;
}

// The first generated slot at or after the query's start: the generator's time is monotone in
// the id and (time, id) strictly increasing, so both conditions are monotone predicates.
int64_t Dataset::first_generated_at_or_after(const PageQuery& query) const {
  const auto qualifies = [&](int64_t id) {
    const RecordKey key{generator_.modified_ms(query.collection, id), id};
    return key.modified_ms >= query.since_ms && (!query.after || key > *query.after);
  };
  int64_t low = 1;
  int64_t high = generator_.slot_count(query.collection) + 1;
  while (low < high) {
    const int64_t mid = low + (high - low) / 2;
    if (qualifies(mid))
      high = mid;
    else
      low = mid + 1;
  }
  return low;
}

bool Dataset::write_record(const PageQuery& query, int64_t id, const OverlayEntry* entry,
                           std::string& out) const {
  const uint64_t seed = generator_.spec().seed;
  switch (query.collection) {
    case Collection::kCustomers: {
      Customer customer;
      generator_.customer(id, customer);
      if (entry) customer.modified_ms = entry->modified_ms, customer.revision = entry->revision;
      if (query.format == WireFormat::kXml)
        write_customer_xml(out, customer, ledger_.patch(id));
      else
        write_customer(out, customer, ledger_.patch(id));
      return true;
    }
    case Collection::kInvoices: {
      Invoice& invoice = scratch_invoice();
      generator_.invoice(id, invoice);
      if (entry) {
        invoice.modified_ms = entry->modified_ms;
        invoice.revision = entry->revision;
        if (entry->voided) invoice.status = InvoiceStatus::kCanceled, invoice.remaining = 0;
        if (entry->paid > 0) {
          invoice.remaining -= entry->paid;
          invoice.status = invoice.remaining == 0 ? InvoiceStatus::kPaid : InvoiceStatus::kPartiallyPaid;
        }
      }
      if (query.format == WireFormat::kDocumentJson) return write_invoice_document(out, invoice), true;
      if (query.format == WireFormat::kPdf) return write_invoice_pdf(out, invoice), true;
      const Spoil spoil = generator_.invoice_has_applications(id)
                              ? Spoil::kNone
                              : malformed_spoil(seed, id, query.malformed_rate);
      query.format == WireFormat::kXml ? write_invoice_xml(out, invoice, spoil) : write_invoice(out, invoice, spoil);
      return true;
    }
    case Collection::kPayments: {
      if (id > generator_.slot_count(Collection::kPayments)) {
        const WrittenPayment& written = ledger_.payment(id - generator_.slot_count(Collection::kPayments) - 1);
        const int64_t modified_ms = entry ? entry->modified_ms : written.created_ms;
        const int revision = entry ? entry->revision : 0;
        if (query.format == WireFormat::kXml)
          write_written_payment_xml(out, written, modified_ms, revision);
        else
          write_written_payment(out, written, modified_ms, revision);
        return true;
      }
      Payment payment;
      if (!generator_.payment(id, payment)) return false;
      if (entry) payment.modified_ms = entry->modified_ms, payment.revision = entry->revision;
      query.format == WireFormat::kXml ? write_payment_xml(out, payment) : write_payment(out, payment);
      return true;
    }
    case Collection::kCreditMemos: {
      CreditMemo memo;
      if (!generator_.credit_memo(id, memo)) return false;
      if (entry) memo.modified_ms = entry->modified_ms, memo.revision = entry->revision;
      query.format == WireFormat::kXml ? write_credit_memo_xml(out, memo) : write_credit_memo(out, memo);
      return true;
    }
  }
  return false;
}

PageOutcome Dataset::write_listed(const PageQuery& query, std::string& out) const {
  PageOutcome page;
  for (const int64_t id : *query.ids) {
    if (page.count == query.top) break;
    if (!exists(query.collection, id)) continue;
    const OverlayEntry* entry = overlay_entry(query.collection, id);
    const size_t mark = out.size();
    if (page.count > 0 && query.format != WireFormat::kXml) out.push_back(',');
    if (!write_record(query, id, entry, out)) {
      out.resize(mark);
      continue;
    }
    ++page.count;
  }
  return page;
}

PageOutcome Dataset::write_page(const PageQuery& query, std::string& out) const {
  std::shared_lock lock(mutex_);
  if (query.lookup) return write_key_page(query, out);
  if (query.ids) return write_listed(query, out);
  const Collection collection = query.collection;
  const Overlay& overlay = overlays_[static_cast<int>(collection)];
  PageOutcome page;
  const auto emit = [&](int64_t id, const OverlayEntry* entry, int64_t modified_ms) {
    const size_t mark = out.size();
    if (page.count > 0 && query.format != WireFormat::kXml) out.push_back(',');
    if (!write_record(query, id, entry, out)) {
      out.resize(mark);
      return;
    }
    ++page.count;
    page.last = RecordKey{modified_ms, id};
  };

  // Generated records not in the overlay, in (time, id) order.
  const int64_t generated = generator_.slot_count(collection);
  for (int64_t id = first_generated_at_or_after(query); id <= generated; ++id) {
    if (overlay_entry(collection, id) != nullptr || !generator_.exists(collection, id)) continue;
    if (page.count == query.top) {
      page.more = true;
      return page;
    }
    emit(id, nullptr, generator_.modified_ms(collection, id));
  }

  // Then the overlay, whose times are all later.
  // Start at whichever bound is later: "time >= since" or "key > after".
  const RecordKey since{query.since_ms, INT64_MIN};
  auto it = query.after && since <= *query.after ? overlay.order.upper_bound(*query.after)
                                                 : overlay.order.lower_bound(since);
  for (; it != overlay.order.end(); ++it) {
    if (page.count == query.top) {
      page.more = true;
      return page;
    }
    emit(it->first.id, &overlay.by_id.at(it->first.id), it->first.modified_ms);
  }
  return page;
}

int64_t Dataset::count(const PageQuery& query) const {
  std::shared_lock lock(mutex_);
  const Collection collection = query.collection;
  const Overlay& overlay = overlays_[static_cast<int>(collection)];
  int64_t n = 0;
  const int64_t generated = generator_.slot_count(collection);
  for (int64_t id = first_generated_at_or_after(query); id <= generated; ++id)
    if (overlay_entry(collection, id) == nullptr && generator_.exists(collection, id)) ++n;
  const RecordKey since{query.since_ms, INT64_MIN};
  auto it = query.after && since <= *query.after ? overlay.order.upper_bound(*query.after)
                                                 : overlay.order.lower_bound(since);
  return n + static_cast<int64_t>(std::distance(it, overlay.order.end()));
}

void Dataset::accumulate(Collection collection, int64_t id, double malformed_rate,
                         CollectionStats& stats) const {
  const OverlayEntry* entry = overlay_entry(collection, id);
  if (entry && entry->deleted) return;
  switch (collection) {
    case Collection::kCustomers: {
      Customer customer;
      generator_.customer(id, customer);
      ++stats.count;
      stats.children += customer.contact_count;
      return;
    }
    case Collection::kInvoices: {
      if (!generator_.invoice_has_applications(id) &&
          malformed_spoil(generator_.spec().seed, id, malformed_rate) != Spoil::kNone) {
        ++stats.malformed;
        return;
      }
      Invoice& invoice = scratch_invoice();
      generator_.invoice(id, invoice);
      if (entry && entry->voided) invoice.remaining = 0;
      if (entry) invoice.remaining -= entry->paid;
      ++stats.count;
      stats.children += invoice.line_count;
      stats.first.add(invoice.currency, invoice.total);
      stats.second.add(invoice.currency, invoice.remaining);
      return;
    }
    case Collection::kPayments: {
      if (id > generator_.slot_count(Collection::kPayments)) {
        const WrittenPayment& written = ledger_.payment(id - generator_.slot_count(Collection::kPayments) - 1);
        int64_t applied = 0;
        for (const WrittenApplication& application : written.applications) applied += application.amount;
        ++stats.count;
        stats.first.add(written.currency, written.amount);
        stats.second.add(written.currency, written.amount - applied);
        return;
      }
      Payment payment;
      if (!generator_.payment(id, payment)) return;
      ++stats.count;
      stats.first.add(payment.currency, payment.amount);
      stats.second.add(payment.currency, payment.unapplied);
      return;
    }
    case Collection::kCreditMemos: {
      CreditMemo memo;
      if (!generator_.credit_memo(id, memo)) return;
      ++stats.count;
      stats.first.add(memo.currency, memo.total);
      stats.second.add(memo.currency, memo.remaining);
      return;
    }
  }
}

Stats Dataset::stats(double malformed_rate) const {
  std::shared_lock lock(mutex_);
  Stats stats;
  for (int c = 0; c < kCollectionCount; ++c) {
    const auto collection = static_cast<Collection>(c);
    const int64_t slots = slot_count(collection);
    for (int64_t id = 1; id <= slots; ++id) accumulate(collection, id, malformed_rate, stats.collections[c]);
  }
  return stats;
}

bool Dataset::void_eligible(int64_t id) const {
  if (generator_.invoice_has_applications(id)) return false;
  const OverlayEntry* entry = overlay_entry(Collection::kInvoices, id);
  if (entry && (entry->voided || entry->paid > 0)) return false;  // paid by the portal
  if (id > generator_.spec().invoices) return true;  // added: always Open
  Invoice& invoice = scratch_invoice();
  generator_.invoice(id, invoice);
  return invoice.status != InvoiceStatus::kCanceled;
}

// Deterministic pseudo-random choice of distinct qualifying ids; falls back to an id-order
// scan when random draws keep missing (few records qualify).
std::vector<int64_t> Dataset::choose(Collection collection, MutationAction action, int64_t count) {
  const int64_t domain = slot_count(collection);
  std::vector<int64_t> chosen;
  std::unordered_set<int64_t> taken;
  const auto consider = [&](int64_t id) {
    if (!exists(collection, id) || taken.contains(id)) return;
    if (action == MutationAction::kVoid && !void_eligible(id)) return;
    if (action == MutationAction::kDelete && (generator_.invoice_has_applications(id) ||
                                              (overlay_entry(collection, id) && overlay_entry(collection, id)->paid > 0)))
      return;  // something is applied to it
    taken.insert(id);
    chosen.push_back(id);
  };
  auto& sequence = choice_sequence_[static_cast<int>(collection)];
  const uint64_t stream = kChoiceStream + static_cast<uint64_t>(collection);
  for (int64_t attempt = 0; attempt < 64 * count + 1000 && std::ssize(chosen) < count; ++attempt)
    consider(1 + static_cast<int64_t>(mix(generator_.spec().seed, stream, sequence++) %
                                      static_cast<uint64_t>(domain)));
  for (int64_t id = 1; id <= domain && std::ssize(chosen) < count; ++id) consider(id);
  return chosen;
}

void Dataset::touch(Collection collection, int64_t id, int64_t modified_ms, bool voided) {
  Overlay& overlay = overlays_[static_cast<int>(collection)];
  const auto [it, inserted] = overlay.by_id.try_emplace(id);
  OverlayEntry& entry = it->second;
  if (!inserted) overlay.order.erase(RecordKey{entry.modified_ms, id});
  entry.modified_ms = modified_ms;
  entry.voided = entry.voided || voided;
  overlay.order.emplace(RecordKey{modified_ms, id}, id);
}

void Dataset::remove(Collection collection, int64_t id) {
  Overlay& overlay = overlays_[static_cast<int>(collection)];
  const auto [it, inserted] = overlay.by_id.try_emplace(id);
  if (!inserted) overlay.order.erase(RecordKey{it->second.modified_ms, id});
  it->second.deleted = true;
}

std::vector<std::string> Dataset::mutate(Collection collection, MutationAction action, int64_t count) {
  std::unique_lock lock(mutex_);
  std::vector<int64_t> ids;
  if (action == MutationAction::kAdd) {
    for (int64_t i = 1; i <= count; ++i) ids.push_back(slot_count(collection) + i);
    added_invoices_ += count;
  } else if (slot_count(collection) > 0) {
    ids = choose(collection, action, count);
  }
  const int64_t batch_start = clock_ms_ + kBatchGapMs;
  std::vector<std::string> wire_ids;
  for (size_t i = 0; i < ids.size() && action == MutationAction::kDelete; ++i) {
    remove(collection, ids[i]);
    wire_ids.push_back(record_id(collection, ids[i]));
  }
  for (size_t i = 0; i < ids.size() && action != MutationAction::kDelete; ++i) {
    const int64_t at = batch_start + static_cast<int64_t>(i) / kBatchTieGroup;
    touch(collection, ids[i], at, action == MutationAction::kVoid);
    if (action == MutationAction::kModify) ++overlays_[static_cast<int>(collection)].by_id[ids[i]].revision;
    clock_ms_ = at;
    wire_ids.push_back(record_id(collection, ids[i]));
  }
  return wire_ids;
}

std::optional<int64_t> Dataset::write_one(Collection collection, int64_t id, std::string& out,
                                          WireFormat format) const {
  std::shared_lock lock(mutex_);
  if (!exists(collection, id)) return std::nullopt;
  const OverlayEntry* entry = overlay_entry(collection, id);
  PageQuery query{collection};
  query.format = format;
  if (!write_record(query, id, entry, out)) return std::nullopt;
  return entry ? entry->modified_ms : generator_.modified_ms(collection, id);
}

}  // namespace arsync::sim
