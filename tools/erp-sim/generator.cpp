// generator: see generator.hpp for the scheme.
#include "tools/erp-sim/generator.hpp"

#include <algorithm>
#include <array>

#include "tools/erp-sim/sim_hash.hpp"
#include "tools/erp-sim/sim_time.hpp"

namespace arsync::sim {
namespace {

// Hash streams: one per independent use of an index.
enum Stream : uint64_t {
  kCustomerStream = 1,
  kContactStream,
  kBlockStream,
  kInvoiceStream,
  kLineStream,
  kPlanStream,
  kPaymentStream,
  kCreditStream,
};

struct Country {
  std::string_view code, phone_prefix;
  std::array<std::string_view, 4> streets;
  std::array<std::array<std::string_view, 3>, 4> cities;  // city, state, postal code
};

// Indexed by Currency: a customer's country follows its currency.
constexpr Country kCountries[kCurrencyCount] = {
    {"US",
     "+1 555",
     {"Main St", "Oak Ave", "Maple Dr", "Cedar Ln"},
     {{{"Springfield", "IL", "62701"},
       {"Austin", "TX", "73301"},
       {"Denver", "CO", "80202"},
       {"Portland", "OR", "97201"}}}},
    {"DE",
     "+49 30",
     {"Hauptstrasse", "Bahnhofstrasse", "Gartenweg", "Lindenallee"},
     {{{"Berlin", "BE", "10115"},
       {"Hamburg", "HH", "20095"},
       {"Munich", "BY", "80331"},
       {"Cologne", "NW", "50667"}}}},
    {"JP",
     "+81 3",
     {"Chuo-dori", "Meiji-dori", "Sakura-dori", "Aoyama-dori"},
     {{{"Tokyo", "13", "100-0001"},
       {"Osaka", "27", "530-0001"},
       {"Nagoya", "23", "450-0002"},
       {"Sapporo", "01", "060-0001"}}}},
    {"KW",
     "+965 2",
     {"Gulf Road", "Fahad Al-Salem St", "Salmiya St", "Arabian Gulf St"},
     {{{"Kuwait City", "KU", "13001"},
       {"Hawalli", "HA", "32001"},
       {"Salmiya", "HA", "22001"},
       {"Farwaniya", "FA", "81001"}}}},
};

constexpr std::array<std::string_view, 12> kNameFirst = {"Acme",    "Globex", "Initech",  "Umbrella",
                                                         "Stark",   "Wayne",  "Tyrell",   "Cyberdyne",
                                                         "Soylent", "Hooli",  "Vandelay", "Wonka"};
constexpr std::array<std::string_view, 8> kNameSecond = {"Tools",  "Industries", "Supply", "Foods",
                                                         "Motors", "Logistics",  "Labs",   "Trading"};
constexpr std::array<std::string_view, 10> kFirstNames = {"Pat",   "Alex",  "Sam", "Jordan", "Taylor",
                                                          "Chris", "Robin", "Kim", "Lee",    "Morgan"};
constexpr std::array<std::string_view, 8> kLastNames = {"Lee",     "Smith", "Garcia", "Tanaka",
                                                        "Mueller", "Khan",  "Brown",  "Rossi"};
constexpr std::array<std::string_view, 4> kJobTitles = {"Accounts Payable", "Controller", "Purchasing",
                                                        "Finance Manager"};
struct Terms {
  std::string_view code;
  int days;
};
constexpr std::array<Terms, 5> kTerms = {
    {{"NET30", 30}, {"NET15", 15}, {"NET45", 45}, {"NET60", 60}, {"COD", 0}}};
constexpr std::array<std::string_view, 16> kItems = {
    "Widget",       "Gadget",      "Sprocket",       "Gear assembly", "Bearing", "Hex bolt M8",
    "Steel plate",  "Copper wire", "Control unit",   "Sensor",        "Valve",   "Pump",
    "Service hour", "Freight",     "Cable \"Cat6\"", "Filter"};
constexpr std::array<std::string_view, 4> kMethods = {"Check", "ACH", "Card", "Wire"};
constexpr std::array<std::string_view, 4> kReferencePrefixes = {"CHK-", "ACH-", "CARD-", "WIRE-"};
constexpr std::array<std::string_view, 5> kReasons = {"Damaged goods", "Pricing error", "Returned items",
                                                      "Volume rebate", "Short shipment"};

// Time layout: customers over the first half of 2024, invoices from 2024-01-02 over 660 days
// (to late October 2025), payments 25 days and credit memos 12 days after their invoices;
// /admin/mutate's clock starts 2025-12-01, after all of it.
const int64_t kCustomerStartMs = days_from_civil(2024, 1, 1) * kMillisPerDay + 6 * 3'600'000;
constexpr int64_t kCustomerSpanMs = 180 * kMillisPerDay;
const int64_t kInvoiceStartMs = days_from_civil(2024, 1, 2) * kMillisPerDay + 8 * 3'600'000;
constexpr int64_t kInvoiceSpanMs = 660 * kMillisPerDay;
constexpr int64_t kPaymentDelayMs = 25 * kMillisPerDay + 3'600'000;
constexpr int64_t kCreditDelayMs = 12 * kMillisPerDay + 3 * 3'600'000;
const int64_t kMutationEpochMs = days_from_civil(2025, 12, 1) * kMillisPerDay;
constexpr int64_t kTieGroup = 3;  // consecutive ids sharing one millisecond

int64_t step_for(int64_t span_ms, int64_t count) {
  const int64_t groups = std::max<int64_t>(1, (count + kTieGroup - 1) / kTieGroup);
  return span_ms / groups;
}

// Cheap per-customer facts needed by every invoice (no strings, no contacts).
struct CustomerProfile {
  Currency currency;
  const Terms* terms;
  int tax_rate_bp;  // basis points
};

CustomerProfile customer_profile(uint64_t seed, int64_t customer_id) {
  const uint64_t h = mix(seed, kCustomerStream, static_cast<uint64_t>(customer_id));
  // Customers 1-4 have one currency each, so even a tiny company uses all four.
  const uint64_t c =
      customer_id <= kCurrencyCount ? std::array<uint64_t, 4>{0, 80, 90, 95}[customer_id - 1] : h % 100;
  const Currency currency = c < 78   ? Currency::kUsd
                            : c < 88 ? Currency::kEur
                            : c < 94 ? Currency::kJpy
                                     : Currency::kKwd;
  static constexpr int kUsRates[] = {0, 500, 825, 1000};
  int rate = 0;
  switch (currency) {
    case Currency::kUsd:
      rate = kUsRates[(h >> 8) % 4];
      break;
    case Currency::kEur:
      rate = 1900;
      break;
    case Currency::kJpy:
      rate = 1000;
      break;
    case Currency::kKwd:
      rate = 0;
      break;
  }
  return {currency, &kTerms[(h >> 16) % kTerms.size()], rate};
}

int64_t minor_scale(Currency currency) {
  int64_t scale = 1;
  for (int i = 0; i < currency_exponent(currency); ++i) scale *= 10;
  return scale;
}

// A share of `total` in [20%, 80%], at least one minor unit and less than the total.
int64_t partial_of(int64_t total, uint64_t h) {
  const int64_t part = total * static_cast<int64_t>(20 + h % 61) / 100;
  return std::clamp<int64_t>(part, 1, total - 1);
}

}  // namespace

enum class Plan : uint8_t { kOpen, kVoid, kPaid, kPartlyPaid, kCredited, kCreditedThenPaid, kPartlyCredited };

struct Generator::Settlement {
  Plan plan = Plan::kOpen;
  int64_t paid = 0;      // applied by the block's payment
  int64_t credited = 0;  // applied by the block's credit memo
};

namespace {

Plan plan_of(uint64_t seed, int64_t invoice_id, int64_t generated_invoices) {
  if (invoice_id > generated_invoices) return Plan::kOpen;  // added through /admin/mutate
  const uint64_t p = mix(seed, kPlanStream, static_cast<uint64_t>(invoice_id)) % 1000;
  if (p < 20) return Plan::kVoid;
  if (p < 420) return Plan::kOpen;
  if (p < 800) return Plan::kPaid;
  if (p < 920) return Plan::kPartlyPaid;
  if (p < 950) return Plan::kCredited;
  if (p < 980) return Plan::kCreditedThenPaid;
  return Plan::kPartlyCredited;
}

bool plan_pays(Plan plan) {
  return plan == Plan::kPaid || plan == Plan::kPartlyPaid || plan == Plan::kCreditedThenPaid;
}
bool plan_credits(Plan plan) {
  return plan == Plan::kCredited || plan == Plan::kCreditedThenPaid || plan == Plan::kPartlyCredited;
}

}  // namespace

Generator::Generator(const GeneratorSpec& spec)
    : spec_(spec),
      customer_step_ms_(step_for(kCustomerSpanMs, spec.customers)),
      invoice_step_ms_(step_for(kInvoiceSpanMs, spec.invoices)),
      mutation_epoch_ms_(kMutationEpochMs) {}

int64_t Generator::slot_count(Collection collection) const {
  switch (collection) {
    case Collection::kCustomers:
      return spec_.customers;
    case Collection::kInvoices:
      return spec_.invoices;
    case Collection::kPayments:
    case Collection::kCreditMemos:
      return (spec_.invoices + kInvoicesPerBlock - 1) / kInvoicesPerBlock;
  }
  return 0;
}

// Payment and credit memo slots take their time from the last invoice of a group of three
// blocks: monotone in the slot, ties in threes, and never before any invoice they settle.
int64_t Generator::block_end_invoice(int64_t slot) const {
  const int64_t group = (slot - 1) / kTieGroup;
  return std::min<int64_t>((group + 1) * kTieGroup * kInvoicesPerBlock, spec_.invoices);
}

int64_t Generator::modified_ms(Collection collection, int64_t id) const {
  switch (collection) {
    case Collection::kCustomers:
      return kCustomerStartMs + (id - 1) / kTieGroup * customer_step_ms_;
    case Collection::kInvoices:
      return kInvoiceStartMs + (id - 1) / kTieGroup * invoice_step_ms_;
    case Collection::kPayments:
      return modified_ms(Collection::kInvoices, block_end_invoice(id)) + kPaymentDelayMs;
    case Collection::kCreditMemos:
      return modified_ms(Collection::kInvoices, block_end_invoice(id)) + kCreditDelayMs;
  }
  return 0;
}

// The first blocks go to customers 1, 2, 3, ... in turn, so that every customer (and with
// them every currency) has invoices once there are enough of them; later blocks pick at random.
int64_t Generator::customer_of_invoice(int64_t id) const {
  const auto block = static_cast<uint64_t>((id - 1) / kInvoicesPerBlock);
  if (block < static_cast<uint64_t>(spec_.customers)) return static_cast<int64_t>(block) + 1;
  return static_cast<int64_t>(mix(spec_.seed, kBlockStream, block) % static_cast<uint64_t>(spec_.customers)) +
         1;
}

void Generator::customer(int64_t id, Customer& out) const {
  const CustomerProfile profile = customer_profile(spec_.seed, id);
  const uint64_t h = mix(spec_.seed, kCustomerStream + 100, static_cast<uint64_t>(id));
  const Country& country = kCountries[static_cast<int>(profile.currency)];
  const auto& city = country.cities[(h >> 4) % 4];
  out = Customer{};
  out.id = id;
  out.modified_ms = modified_ms(Collection::kCustomers, id);
  out.currency = profile.currency;
  out.name_first = kNameFirst[h % kNameFirst.size()];
  out.name_second = kNameSecond[(h >> 8) % kNameSecond.size()];
  out.credit_limit = static_cast<int64_t>(5 + (h >> 12) % 96) * 1000 * minor_scale(profile.currency) *
                     (profile.currency == Currency::kJpy ? 100 : 1);
  out.terms_code = profile.terms->code;
  out.tax_number = 100'000'000 + (h >> 20) % 900'000'000;
  out.phone = static_cast<int>((h >> 40) % 10'000);
  out.blocked = (h >> 54) % 20 == 0;
  out.street_number = 1 + static_cast<int>((h >> 24) % 400);
  out.street = country.streets[(h >> 34) % 4];
  out.city = city[0];
  out.state = city[1];
  out.postal_code = city[2];
  out.country = country.code;
  out.phone_prefix = country.phone_prefix;
  const uint64_t hc = mix(spec_.seed, kContactStream, static_cast<uint64_t>(id));
  out.contact_count = 1 + static_cast<int>(hc % kMaxContacts);
  const auto primary = static_cast<int>((hc >> 4) % static_cast<uint64_t>(out.contact_count));
  for (int i = 0; i < out.contact_count; ++i) {
    const uint64_t hi =
        mix(spec_.seed, kContactStream, static_cast<uint64_t>(id) * 8 + static_cast<uint64_t>(i) + 1);
    out.contacts[i] = Contact{kFirstNames[hi % kFirstNames.size()], kLastNames[(hi >> 8) % kLastNames.size()],
                              kJobTitles[(hi >> 16) % kJobTitles.size()],
                              static_cast<int>((hi >> 24) % 10'000), i == primary};
  }
}

void Generator::invoice(int64_t id, Invoice& out) const {
  out.id = id;
  out.customer_id = customer_of_invoice(id);
  const CustomerProfile profile = customer_profile(spec_.seed, out.customer_id);
  const uint64_t h = mix(spec_.seed, kInvoiceStream, static_cast<uint64_t>(id));
  out.modified_ms = modified_ms(Collection::kInvoices, id);
  out.revision = 0;
  out.invoice_day = out.modified_ms / kMillisPerDay - static_cast<int64_t>(h % 3);
  out.due_day = out.invoice_day + profile.terms->days;
  out.currency = profile.currency;
  out.terms_code = profile.terms->code;
  out.po_number = (h >> 4) % 4 == 0 ? 0 : static_cast<int64_t>(1000 + (h >> 8) % 9000);
  out.trim_money = (h >> 24) % 7 == 0;
  const int span = spec_.lines_max - spec_.lines_min + 1;
  out.line_count = spec_.lines_min + static_cast<int>((h >> 32) % static_cast<uint64_t>(span));
  const int64_t scale = minor_scale(profile.currency);
  out.total_excluding_tax = 0;
  out.total_tax = 0;
  for (int i = 0; i < out.line_count; ++i) {
    const uint64_t hl =
        mix(spec_.seed, kLineStream, static_cast<uint64_t>(id) * 64 + static_cast<uint64_t>(i));
    InvoiceLine& line = out.lines[i];
    const auto item = static_cast<int>(hl % kItems.size());
    line.item = 100 + item;
    line.description = kItems[item];
    const bool half = (hl >> 8) % 4 == 0;
    line.quantity_halves = half ? static_cast<int64_t>(2 * ((hl >> 12) % 20) + 1)
                                : static_cast<int64_t>(2 * (1 + (hl >> 12) % 20));
    // 5.00 .. 999.99 in the currency's units (JPY: 500 .. 99999 yen); even when the quantity has
    // a half so the amount stays a whole number of minor units.
    int64_t price = static_cast<int64_t>(500 + (hl >> 20) % 99'500) * scale / 100;
    if (profile.currency == Currency::kJpy) price = static_cast<int64_t>(500 + (hl >> 20) % 99'500);
    if (half) price += price % 2;
    line.unit_price = price;
    line.amount = line.quantity_halves * price / 2;
    line.tax = (line.amount * profile.tax_rate_bp + 5'000) / 10'000;
    out.total_excluding_tax += line.amount;
    out.total_tax += line.tax;
  }
  out.total = out.total_excluding_tax + out.total_tax;
  const Settlement s = settlement(id, out.total);
  out.remaining = out.total - s.paid - s.credited;
  if (s.plan == Plan::kVoid) {
    out.status = InvoiceStatus::kCanceled;
    out.remaining = 0;
  } else if (out.remaining == out.total) {
    out.status = InvoiceStatus::kOpen;
  } else {
    out.status = out.remaining == 0 ? InvoiceStatus::kPaid : InvoiceStatus::kPartiallyPaid;
  }
}

Generator::Settlement Generator::settlement(int64_t invoice_id, int64_t total) const {
  Settlement s;
  s.plan = plan_of(spec_.seed, invoice_id, spec_.invoices);
  const uint64_t h = mix(spec_.seed, kPlanStream + 100, static_cast<uint64_t>(invoice_id));
  const bool splittable = total >= 2;
  switch (s.plan) {
    case Plan::kOpen:
    case Plan::kVoid:
      break;
    case Plan::kPaid:
      s.paid = total;
      break;
    case Plan::kPartlyPaid:
      s.paid = splittable ? partial_of(total, h) : total;
      break;
    case Plan::kCredited:
      s.credited = total;
      break;
    case Plan::kCreditedThenPaid:
      s.credited = splittable ? partial_of(total, h) : total;
      s.paid = total - s.credited;
      break;
    case Plan::kPartlyCredited:
      s.credited = splittable ? partial_of(total, h) : total;
      break;
  }
  return s;
}

int64_t Generator::invoice_total(int64_t id) const {
  // A payment needs its invoices' totals; the lines are computed into a scratch invoice.
  thread_local Invoice scratch;
  invoice(id, scratch);
  return scratch.total;
}

bool Generator::invoice_has_applications(int64_t id) const {
  const Plan plan = plan_of(spec_.seed, id, spec_.invoices);
  return plan != Plan::kOpen && plan != Plan::kVoid;
}

bool Generator::exists(Collection collection, int64_t id) const {
  if (id < 1 || id > slot_count(collection)) return false;
  if (collection == Collection::kCustomers || collection == Collection::kInvoices) return true;
  const int64_t first = (id - 1) * kInvoicesPerBlock + 1;
  const int64_t last = std::min<int64_t>(first + kInvoicesPerBlock - 1, spec_.invoices);
  for (int64_t i = first; i <= last; ++i) {
    const Plan plan = plan_of(spec_.seed, i, spec_.invoices);
    if (collection == Collection::kPayments ? plan_pays(plan) : plan_credits(plan)) return true;
  }
  return collection == Collection::kCreditMemos &&
         mix(spec_.seed, kCreditStream, static_cast<uint64_t>(id)) % 100 < 8;
}

bool Generator::payment(int64_t id, Payment& out) const {
  if (!exists(Collection::kPayments, id)) return false;
  const int64_t first = (id - 1) * kInvoicesPerBlock + 1;
  const int64_t last = std::min<int64_t>(first + kInvoicesPerBlock - 1, spec_.invoices);
  const uint64_t h = mix(spec_.seed, kPaymentStream, static_cast<uint64_t>(id));
  out.id = id;
  out.customer_id = customer_of_invoice(first);
  out.currency = customer_profile(spec_.seed, out.customer_id).currency;
  out.modified_ms = modified_ms(Collection::kPayments, id);
  out.revision = 0;
  out.day = out.modified_ms / kMillisPerDay;
  const auto method = (h >> 8) % kMethods.size();
  out.method = kMethods[method];
  out.reference_prefix = kReferencePrefixes[method];
  out.reference_number = static_cast<int64_t>(100'000 + (h >> 16) % 900'000);
  out.application_count = 0;
  int64_t applied = 0;
  for (int64_t i = first; i <= last; ++i) {
    if (!plan_pays(plan_of(spec_.seed, i, spec_.invoices))) continue;
    const int64_t amount = settlement(i, invoice_total(i)).paid;
    out.applications[out.application_count++] = Application{i, amount, out.day};
    applied += amount;
  }
  // About one payment in seven is larger than what it settles: the rest stays unapplied.
  out.unapplied =
      h % 7 == 0 ? 1 + static_cast<int64_t>((h >> 40) % static_cast<uint64_t>(applied / 5 + 1)) : 0;
  out.amount = applied + out.unapplied;
  return true;
}

bool Generator::credit_memo(int64_t id, CreditMemo& out) const {
  if (!exists(Collection::kCreditMemos, id)) return false;
  const int64_t first = (id - 1) * kInvoicesPerBlock + 1;
  const int64_t last = std::min<int64_t>(first + kInvoicesPerBlock - 1, spec_.invoices);
  const uint64_t h = mix(spec_.seed, kCreditStream + 100, static_cast<uint64_t>(id));
  out.id = id;
  out.customer_id = customer_of_invoice(first);
  out.currency = customer_profile(spec_.seed, out.customer_id).currency;
  out.modified_ms = modified_ms(Collection::kCreditMemos, id);
  out.revision = 0;
  out.day = out.modified_ms / kMillisPerDay;
  out.reason = kReasons[(h >> 8) % kReasons.size()];
  out.application_count = 0;
  int64_t applied = 0;
  for (int64_t i = first; i <= last; ++i) {
    if (!plan_credits(plan_of(spec_.seed, i, spec_.invoices))) continue;
    const int64_t amount = settlement(i, invoice_total(i)).credited;
    out.applications[out.application_count++] = Application{i, amount, out.day};
    applied += amount;
  }
  if (applied == 0) {
    // A stand-alone credit memo nobody has used yet.
    out.remaining = static_cast<int64_t>(1'000 + (h >> 16) % 49'000);
  } else {
    out.remaining =
        h % 10 < 3 ? 1 + static_cast<int64_t>((h >> 40) % static_cast<uint64_t>(applied / 4 + 1)) : 0;
  }
  out.total = applied + out.remaining;
  return true;
}

}  // namespace arsync::sim
