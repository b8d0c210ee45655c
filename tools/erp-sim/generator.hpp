// generator: the deterministic demo company. Every record is a pure function of
// (GeneratorSpec, collection, id), computed on demand: nothing is held per record, so a
// million invoices cost no memory and any page can be produced without reading the ones
// before it. Owned by tools/erp-sim. Immutable after construction; thread-safe.
//
// The scheme (all O(1) or O(lines) per record):
//  - Invoices come in blocks of 4 consecutive ids that share one customer (a customer orders
//    in bursts), so a payment or credit memo can settle several invoices of one customer.
//  - Each invoice draws a settlement plan (open, void, paid, partially paid, credited, ...)
//    from its hash; the amounts applied follow from its total and hash.
//  - Payment slot k and credit memo slot k belong to invoice block k-1: they apply to the
//    block's invoices whose plan says so. A slot with nothing to apply is empty (no record),
//    except for a few stand-alone open credit memos. So ids of payments and credit memos have
//    gaps; the served order is by (lastModifiedDateTime, id) anyway.
//  - lastModifiedDateTime is a non-decreasing step function of the id with groups of 3 equal
//    milliseconds (deliberate ties), so "first record with time >= T" is a binary search.
#pragma once

#include <cstdint>
#include <string_view>

#include "tools/erp-sim/currency.hpp"

namespace arsync::sim {

enum class Collection : uint8_t { kCustomers, kInvoices, kPayments, kCreditMemos };
inline constexpr int kCollectionCount = 4;

struct GeneratorSpec {
  uint64_t seed = 42;
  int64_t customers = 200;
  int64_t invoices = 5000;
  int lines_min = 1;
  int lines_max = 5;
};

inline constexpr int kMaxLines = 50;
inline constexpr int kMaxContacts = 3;
inline constexpr int kInvoicesPerBlock = 4;

struct Contact {
  std::string_view first_name;
  std::string_view last_name;
  std::string_view job_title;
  int phone = 0;  // last 4 digits
  bool primary = false;
};

struct Customer {
  int64_t id = 0;
  int64_t modified_ms = 0;
  int revision = 0;  // times modified through /admin/mutate (changes the phone number)
  Currency currency{};
  std::string_view name_first, name_second;  // displayName is "first second id"
  int64_t credit_limit = 0;
  std::string_view terms_code;
  uint64_t tax_number = 0;  // 9 digits after the country code
  int phone = 0;            // last 4 digits
  bool blocked = false;
  int street_number = 0;
  std::string_view street, city, state, postal_code, country, phone_prefix;
  int contact_count = 0;
  Contact contacts[kMaxContacts];
};

enum class InvoiceStatus : uint8_t { kOpen, kPartiallyPaid, kPaid, kCanceled };

struct InvoiceLine {
  int item = 0;  // "ITEM-<item>"
  std::string_view description;
  int64_t quantity_halves = 0;  // quantity * 2: quantities are whole or x.5
  int64_t unit_price = 0;       // minor units; even when the quantity has a half
  int64_t amount = 0;           // quantity * unit_price, exact
  int64_t tax = 0;
};

struct Invoice {
  int64_t id = 0;
  int64_t customer_id = 0;
  int64_t modified_ms = 0;
  int revision = 0;  // times modified through /admin/mutate (changes the PO number)
  int64_t invoice_day = 0, due_day = 0;
  Currency currency{};
  std::string_view terms_code;
  int64_t po_number = 0;  // 0: externalDocumentNumber is ""
  int64_t total_excluding_tax = 0, total_tax = 0, total = 0, remaining = 0;
  InvoiceStatus status = InvoiceStatus::kOpen;
  bool trim_money = false;  // write amounts with fewer decimals ("100" for 100.00)
  int line_count = 0;
  InvoiceLine lines[kMaxLines];
};

// One application of a payment or credit memo to an invoice.
struct Application {
  int64_t invoice_id = 0;
  int64_t amount = 0;
  int64_t day = 0;
};

struct Payment {
  int64_t id = 0;
  int64_t customer_id = 0;
  int64_t modified_ms = 0;
  int revision = 0;  // changes the reference
  int64_t day = 0;
  Currency currency{};
  std::string_view method, reference_prefix;
  int64_t reference_number = 0;
  int64_t amount = 0, unapplied = 0;
  int application_count = 0;
  Application applications[kInvoicesPerBlock];
};

struct CreditMemo {
  int64_t id = 0;
  int64_t customer_id = 0;
  int64_t modified_ms = 0;
  int revision = 0;  // changes the reason text
  int64_t day = 0;
  Currency currency{};
  std::string_view reason;
  int64_t total = 0, remaining = 0;
  int application_count = 0;
  Application applications[kInvoicesPerBlock];
};

class Generator {
 public:
  explicit Generator(const GeneratorSpec& spec);

  const GeneratorSpec& spec() const { return spec_; }

  // Ids of a collection run 1..slot_count(); payment and credit memo slots may be empty.
  int64_t slot_count(Collection collection) const;
  // The generated lastModifiedDateTime of slot `id`, empty or not; non-decreasing in id.
  int64_t modified_ms(Collection collection, int64_t id) const;
  // Later than every generated time: where /admin/mutate's clock starts.
  int64_t mutation_epoch_ms() const { return mutation_epoch_ms_; }

  void customer(int64_t id, Customer& out) const;
  // Ids past spec().invoices are invoices added through /admin/mutate: always Open.
  void invoice(int64_t id, Invoice& out) const;
  // False for an empty slot (out is then unspecified).
  bool payment(int64_t id, Payment& out) const;
  bool credit_memo(int64_t id, CreditMemo& out) const;

  // Whether a generated slot holds a record (customers and invoices always do).
  bool exists(Collection collection, int64_t id) const;
  // Whether any payment or credit memo applies to the invoice (cheap: no lines computed).
  bool invoice_has_applications(int64_t id) const;
  // The customer of an invoice id (also for added invoices).
  int64_t customer_of_invoice(int64_t id) const;

 private:
  struct Settlement;
  Settlement settlement(int64_t invoice_id, int64_t total) const;
  int64_t invoice_total(int64_t id) const;
  int64_t block_end_invoice(int64_t slot) const;

  // Constant after construction
  GeneratorSpec spec_;
  int64_t customer_step_ms_ = 0;
  int64_t invoice_step_ms_ = 0;
  int64_t mutation_epoch_ms_ = 0;
};

}  // namespace arsync::sim
