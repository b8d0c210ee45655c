// erp-sim's own tests: they start the real executable on a free loopback port and check the
// wire contract of tools/erp-sim/API.md. Money is compared exactly (tests/support/exact_json),
// never through a double.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace {

using arsync::test::decimal_to_minor;
using arsync::test::ErpSimProcess;
using arsync::test::exact_integer;
using arsync::test::HttpReply;
using arsync::test::is_exact_number;
using arsync::test::minor_units;
using arsync::test::number_text;
using arsync::test::parse_exact;
using nlohmann::json;

const std::vector<std::string> kSmallCompany = {"--seed", "11", "--customers", "30", "--invoices", "400"};

HttpReply get(const ErpSimProcess& sim, const std::string& target,
              const arsync::test::HttpHeaders& headers = {}) {
  return arsync::test::http_request("GET", "127.0.0.1", sim.port(), target, {}, headers);
}

HttpReply post(const ErpSimProcess& sim, const std::string& target, const json& body) {
  return arsync::test::http_request("POST", "127.0.0.1", sim.port(), target, body.dump());
}

json get_json(const ErpSimProcess& sim, const std::string& target) {
  const HttpReply reply = get(sim, target);
  INFO(target << " -> " << reply.status << " " << reply.body.substr(0, 300));
  REQUIRE(reply.status == 200);
  REQUIRE(reply.header("Content-Type") == "application/json");
  return parse_exact(reply.body);
}

json post_json(const ErpSimProcess& sim, const std::string& target, const json& body) {
  const HttpReply reply = post(sim, target, body);
  INFO(target << " " << body.dump() << " -> " << reply.status << " " << reply.body);
  REQUIRE(reply.status == 200);
  return json::parse(reply.body);
}

// Follows @odata.nextLink from `first_target` to the end; returns every record in order.
std::vector<json> read_all(const ErpSimProcess& sim, const std::string& first_target) {
  std::vector<json> records;
  std::string target = first_target;
  for (int pages = 0; !target.empty(); ++pages) {
    REQUIRE(pages < 100000);
    const json page = get_json(sim, target);
    for (const json& record : page.at("value")) records.push_back(record);
    target.clear();
    if (page.contains("@odata.nextLink")) {
      const std::string link = page["@odata.nextLink"].get<std::string>();
      REQUIRE(link.starts_with(sim.base_url()));
      target = link.substr(sim.base_url().size());
    }
  }
  return records;
}

std::vector<json> read_collection(const ErpSimProcess& sim, const std::string& collection, int top) {
  return read_all(sim, "/odata/" + collection + "?$top=" + std::to_string(top));
}

int exponent_of(const json& record) {
  static const std::map<std::string, int> kExponents = {{"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"KWD", 3}};
  const auto it = kExponents.find(record.at("currencyCode").get<std::string>());
  REQUIRE(it != kExponents.end());
  return it->second;
}

int64_t money(const json& record, const char* field) {
  return minor_units(record.at(field), exponent_of(record));
}

std::string text(const json& record, const char* field) { return record.at(field).get<std::string>(); }

// A malformed invoice (API.md malformed_rate): missing id, amount "12.3.4" or date "31/02/2025".
bool is_malformed(const json& invoice) {
  return !invoice.contains("id") || !is_exact_number(invoice.at("totalAmountIncludingTax")) ||
         text(invoice, "invoiceDate") == "31/02/2025";
}

std::string dump_all(const std::vector<json>& records) {
  std::string out;
  for (const json& record : records) out += record.dump() + "\n";
  return out;
}

// The raw bytes of a single-page response's records: everything from "value" to the end.
std::string raw_values(const HttpReply& reply) { return reply.body.substr(reply.body.find("\"value\":")); }

const char* const kCollections[] = {"customers", "invoices", "payments", "creditMemos"};

}  // namespace

TEST_CASE("the same seed serves identical bytes on two servers and whatever the page size") {
  ErpSimProcess first(kSmallCompany);
  ErpSimProcess second(kSmallCompany);
  for (const char* collection : kCollections) {
    CAPTURE(collection);
    const std::string target = std::string("/odata/") + collection + "?$top=20000";
    const HttpReply a = get(first, target);
    const HttpReply b = get(second, target);
    REQUIRE(a.body.find("@odata.nextLink") == std::string::npos);
    CHECK(raw_values(a) == raw_values(b));
    const std::vector<json> whole = read_collection(first, collection, 1000);
    const std::vector<json> by_sevens = read_collection(second, collection, 7);
    const std::vector<json> one_by_one = read_collection(second, collection, 1);
    CHECK(whole.size() > 10);
    CHECK(dump_all(whole) == dump_all(by_sevens));
    CHECK(dump_all(whole) == dump_all(one_by_one));
  }
}

TEST_CASE("a different seed serves a different company") {
  ErpSimProcess first(kSmallCompany);
  std::vector<std::string> flags = kSmallCompany;
  flags[1] = "12";
  ErpSimProcess second(flags);
  CHECK(raw_values(get(first, "/odata/invoices?$top=50")) !=
        raw_values(get(second, "/odata/invoices?$top=50")));
}

TEST_CASE("customers have one to three contacts with exactly one primary") {
  ErpSimProcess sim(kSmallCompany);
  const std::vector<json> customers = read_collection(sim, "customers", 1000);
  REQUIRE(customers.size() == 30);
  std::set<std::string> currencies;
  for (const json& customer : customers) {
    CAPTURE(customer.dump());
    const json& contacts = customer.at("contacts");
    CHECK(contacts.size() >= 1);
    CHECK(contacts.size() <= 3);
    CHECK(std::count_if(contacts.begin(), contacts.end(),
                        [](const json& c) { return c.at("isPrimary") == true; }) == 1);
    CHECK((text(customer, "blocked").empty() || text(customer, "blocked") == "All"));
    money(customer, "creditLimit");  // throws on more decimals than the currency has
    currencies.insert(text(customer, "currencyCode"));
  }
  CHECK(currencies.size() >= 3);
}

TEST_CASE("invoices, payments and credit memos satisfy the API.md money invariants exactly") {
  ErpSimProcess sim(kSmallCompany);
  const std::vector<json> customers = read_collection(sim, "customers", 1000);
  const std::vector<json> invoices = read_collection(sim, "invoices", 97);
  const std::vector<json> payments = read_collection(sim, "payments", 1000);
  const std::vector<json> memos = read_collection(sim, "creditMemos", 1000);
  REQUIRE(invoices.size() == 400);

  std::map<std::string, std::string> customer_currency;
  for (const json& c : customers) customer_currency[text(c, "id")] = text(c, "currencyCode");
  std::map<std::string, const json*> invoice_by_id;
  for (const json& inv : invoices) invoice_by_id[text(inv, "id")] = &inv;

  // Every application, checked against its invoice, summed per invoice.
  std::map<std::string, int64_t> applied;
  const auto check_applications = [&](const json& document) {
    int64_t sum = 0;
    for (const json& app : document.at("applications")) {
      const std::string invoice_id = text(app, "invoiceId");
      REQUIRE(invoice_by_id.contains(invoice_id));
      const json& invoice = *invoice_by_id[invoice_id];
      CHECK(text(invoice, "customerId") == text(document, "customerId"));
      CHECK(text(invoice, "currencyCode") == text(document, "currencyCode"));
      CHECK(text(app, "appliedDate") >= text(invoice, "invoiceDate"));
      const int64_t amount = minor_units(app.at("amount"), exponent_of(document));
      CHECK(amount > 0);
      applied[invoice_id] += amount;
      sum += amount;
    }
    return sum;
  };

  std::set<std::string> methods;
  int64_t unapplied_payments = 0;
  for (const json& p : payments) {
    CAPTURE(p.dump());
    CHECK(customer_currency.at(text(p, "customerId")) == text(p, "currencyCode"));
    const int64_t sum = check_applications(p);
    CHECK(money(p, "amount") == sum + money(p, "unappliedAmount"));
    CHECK(money(p, "unappliedAmount") >= 0);
    unapplied_payments += money(p, "unappliedAmount") > 0;
    methods.insert(text(p, "paymentMethod"));
  }
  CHECK(unapplied_payments > 0);
  CHECK(methods.size() == 4);
  for (const std::string& method : methods)
    CHECK(std::set<std::string>{"Check", "ACH", "Card", "Wire"}.contains(method));

  std::map<std::string, int> memo_statuses;
  for (const json& m : memos) {
    CAPTURE(m.dump());
    const int64_t sum = check_applications(m);
    CHECK(money(m, "totalAmountIncludingTax") == sum + money(m, "remainingAmount"));
    CHECK(text(m, "status") == (money(m, "remainingAmount") > 0 ? "Open" : "Applied"));
    ++memo_statuses[text(m, "status") + (sum > 0 ? " applied" : " unused")];
  }
  CHECK(memo_statuses["Applied applied"] > 0);
  CHECK(memo_statuses["Open applied"] > 0);
  CHECK(memo_statuses["Open unused"] > 0);

  std::map<std::string, int> statuses;
  std::set<std::string> currencies;
  for (const json& inv : invoices) {
    CAPTURE(inv.dump());
    const int exponent = exponent_of(inv);
    CHECK(customer_currency.at(text(inv, "customerId")) == text(inv, "currencyCode"));
    int64_t excl = 0, tax = 0, sequence = 0;
    for (const json& line : inv.at("lines")) {
      sequence += 10000;
      CHECK(exact_integer(line.at("sequence")) == sequence);
      const int64_t amount = minor_units(line.at("amountExcludingTax"), exponent);
      const int64_t tenths = decimal_to_minor(number_text(line.at("quantity")), 1);
      CHECK(amount * 10 == tenths * minor_units(line.at("unitPrice"), exponent));
      excl += amount;
      tax += minor_units(line.at("taxAmount"), exponent);
    }
    CHECK(money(inv, "totalAmountExcludingTax") == excl);
    CHECK(money(inv, "totalTaxAmount") == tax);
    const int64_t total = money(inv, "totalAmountIncludingTax");
    CHECK(total == excl + tax);
    const int64_t paid = applied[text(inv, "id")];
    const int64_t remaining = money(inv, "remainingAmount");
    const std::string status = text(inv, "status");
    if (status == "Canceled") {
      CHECK(remaining == 0);
      CHECK(paid == 0);
    } else {
      CHECK(remaining == total - paid);
      CHECK(status == (paid == 0 ? "Open" : remaining == 0 ? "Paid" : "Partially Paid"));
    }
    CHECK(text(inv, "dueDate") >= text(inv, "invoiceDate"));
    ++statuses[status];
    currencies.insert(text(inv, "currencyCode"));
  }
  CHECK(statuses.size() == 4);
  CHECK(currencies.size() == 4);
}

TEST_CASE("lastModifiedDateTime is non-decreasing in id order, with ties, within 2024 and 2025") {
  ErpSimProcess sim(kSmallCompany);
  for (const char* collection : kCollections) {
    CAPTURE(collection);
    const std::vector<json> records = read_collection(sim, collection, 1000);
    int ties = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      const std::string time = text(records[i], "lastModifiedDateTime");
      CHECK(time.size() == 24);
      CHECK(time >= "2024-01-01T00:00:00.000Z");
      CHECK(time < "2026-01-01T00:00:00.000Z");
      if (i == 0) continue;
      const std::string before = text(records[i - 1], "lastModifiedDateTime");
      CHECK(before <= time);
      CHECK(text(records[i - 1], "id") < text(records[i], "id"));  // zero-padded: text order is id order
      ties += before == time;
    }
    CHECK(ties > 0);
  }
}

TEST_CASE("$filter ge and gt select by time, including every record of a tied millisecond") {
  ErpSimProcess sim(kSmallCompany);
  const std::vector<json> all = read_collection(sim, "invoices", 1000);
  // Pick a time shared by several records.
  std::string tied;
  for (size_t i = 100; i + 1 < all.size() && tied.empty(); ++i)
    if (text(all[i], "lastModifiedDateTime") == text(all[i + 1], "lastModifiedDateTime"))
      tied = text(all[i], "lastModifiedDateTime");
  REQUIRE(!tied.empty());
  const auto expected = [&](bool inclusive) {
    std::vector<json> out;
    for (const json& r : all) {
      const std::string t = text(r, "lastModifiedDateTime");
      if (inclusive ? t >= tied : t > tied) out.push_back(r);
    }
    return out;
  };
  // URL-encoded with %20 and with '+' for spaces; paged small so pages cut through ties.
  const auto ge = read_all(sim, "/odata/invoices?$top=4&$filter=lastModifiedDateTime%20ge%20" + tied);
  const auto gt = read_all(sim, "/odata/invoices?$top=4&$filter=lastModifiedDateTime+gt+" + tied);
  CHECK(dump_all(ge) == dump_all(expected(true)));
  CHECK(dump_all(gt) == dump_all(expected(false)));
  CHECK(ge.size() > gt.size());
  CHECK(read_all(sim, "/odata/invoices?$filter=lastModifiedDateTime%20ge%202030-01-01T00:00:00Z").empty());
}

TEST_CASE("a delta read resumed with ge never misses a record modified during a paged read") {
  ErpSimProcess sim({"--seed", "3", "--customers", "10", "--invoices", "100"});
  std::map<std::string, std::string> seen;  // id -> last seen lastModifiedDateTime
  std::string cursor;
  const auto take = [&](const json& page) {
    for (const json& r : page.at("value")) {
      seen[text(r, "id")] = text(r, "lastModifiedDateTime");
      cursor = std::max(cursor, text(r, "lastModifiedDateTime"));
    }
    return page.contains("@odata.nextLink")
               ? page["@odata.nextLink"].get<std::string>().substr(sim.base_url().size())
               : std::string();
  };
  // A full read, interrupted after three pages by changes to records both behind and ahead.
  std::string next = "/odata/invoices?$top=10";
  for (int i = 0; i < 3; ++i) next = take(get_json(sim, next));
  const json changed =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "modify"}, {"count", 8}});
  while (!next.empty()) next = take(get_json(sim, next));
  CHECK(seen.size() == 100);
  std::set<std::string> changed_ids;
  for (const json& id : changed.at("ids")) changed_ids.insert(id);
  std::string generated_max;  // the latest time of a record nobody changed
  for (const auto& [id, time] : seen)
    if (!changed_ids.contains(id)) generated_max = std::max(generated_max, time);

  // Changes between runs; the next run resumes inclusively from the cursor, and is itself
  // interrupted by another batch.
  const json later =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "modify"}, {"count", 4}});
  const json added =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "add"}, {"count", 2}});
  next = "/odata/invoices?$top=2&$filter=lastModifiedDateTime%20ge%20" + cursor;
  next = take(get_json(sim, next));
  const json during =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "modify"}, {"count", 3}});
  while (!next.empty()) next = take(get_json(sim, next));

  CHECK(seen.size() == 102);
  for (const json* batch : {&changed, &later, &added, &during}) {
    for (const json& id : batch->at("ids")) {
      CAPTURE(id);
      REQUIRE(seen.contains(id.get<std::string>()));
      CHECK(seen[id.get<std::string>()] > generated_max);
    }
  }
  // And the client's view ends up exactly what is served now.
  const json all_final = get_json(sim, "/odata/invoices?$top=20000");
  std::map<std::string, std::string> final_times;
  for (const json& r : all_final.at("value")) final_times[text(r, "id")] = text(r, "lastModifiedDateTime");
  for (const auto& [id, time] : final_times) CHECK(seen[id] == time);
}

TEST_CASE("mutations modify, void and add are visible with later times") {
  ErpSimProcess sim(kSmallCompany);
  const std::vector<json> before = read_collection(sim, "invoices", 1000);
  std::map<std::string, json> old_by_id;
  std::string generated_max;
  for (const json& r : before) {
    old_by_id[text(r, "id")] = r;
    generated_max = std::max(generated_max, text(r, "lastModifiedDateTime"));
  }
  const json modified =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "modify"}, {"count", 5}});
  const json voided =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "void"}, {"count", 3}});
  const json added =
      post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "add"}, {"count", 2}});
  REQUIRE(modified["ids"].size() == 5);
  REQUIRE(voided["ids"].size() == 3);
  CHECK(added["ids"] == json::array({"INV-0000401", "INV-0000402"}));

  const std::vector<json> after = read_collection(sim, "invoices", 1000);
  REQUIRE(after.size() == 402);
  std::map<std::string, json> by_id;
  for (const json& r : after) by_id[text(r, "id")] = r;
  // The tail of the served order is the changed records, batch by batch.
  std::vector<std::string> tail_ids;
  for (size_t i = after.size() - 10; i < after.size(); ++i) tail_ids.push_back(text(after[i], "id"));
  std::vector<std::string> batch_ids;
  for (const json* batch : {&modified, &voided, &added})
    for (const json& id : batch->at("ids")) batch_ids.push_back(id);
  std::vector<std::string> sorted_tail = tail_ids, sorted_batches = batch_ids;
  std::sort(sorted_tail.begin(), sorted_tail.end());
  std::sort(sorted_batches.begin(), sorted_batches.end());
  CHECK(sorted_tail == sorted_batches);

  for (const json& id : modified["ids"]) {
    const json& r = by_id.at(id);
    CHECK(text(r, "lastModifiedDateTime") > generated_max);
    CHECK(text(r, "externalDocumentNumber").starts_with("PO-R1-"));
    CHECK(text(r, "externalDocumentNumber") != text(old_by_id.at(id), "externalDocumentNumber"));
  }
  std::string modified_max;
  for (const json& id : modified["ids"])
    modified_max = std::max(modified_max, text(by_id.at(id), "lastModifiedDateTime"));
  for (const json& id : voided["ids"]) {
    const json& r = by_id.at(id);
    CHECK(text(old_by_id.at(id), "status") == "Open");
    CHECK(text(r, "status") == "Canceled");
    CHECK(money(r, "remainingAmount") == 0);
    CHECK(text(r, "lastModifiedDateTime") > modified_max);  // a later batch is strictly later
  }
  for (const json& id : added["ids"]) {
    const json& r = by_id.at(id);
    CHECK(text(r, "status") == "Open");
    CHECK(money(r, "remainingAmount") == money(r, "totalAmountIncludingTax"));
    CHECK(text(r, "customerId").starts_with("CUST-0000"));
  }
  for (const char* collection : {"customers", "payments", "creditMemos"}) {
    const json ids =
        post_json(sim, "/admin/mutate", {{"collection", collection}, {"action", "modify"}, {"count", 2}});
    CHECK(ids["ids"].size() == 2);
    const std::vector<json> records = read_collection(sim, collection, 1000);
    REQUIRE(records.size() >= 2);
    const std::set<std::string> tail = {text(records[records.size() - 2], "id"), text(records.back(), "id")};
    CHECK(tail == std::set<std::string>{ids["ids"][0], ids["ids"][1]});
    CHECK(text(records[records.size() - 2], "id") < text(records.back(), "id"));  // a tie is ordered by id
    CHECK(text(records.back(), "lastModifiedDateTime") > generated_max);
  }
  CHECK(post(sim, "/admin/mutate", {{"collection", "payments"}, {"action", "void"}}).status == 400);
  CHECK(post(sim, "/admin/mutate", {{"collection", "orders"}, {"action", "modify"}}).status == 400);
  CHECK(post(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "destroy"}}).status == 400);
}

TEST_CASE("stats equal the counts and sums of the served records, malformed ones excluded") {
  ErpSimProcess sim({"--seed", "5", "--customers", "25", "--invoices", "300", "--malformed-rate", "0.2"});
  post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "void"}, {"count", 4}});
  post_json(sim, "/admin/mutate", {{"collection", "invoices"}, {"action", "add"}, {"count", 3}});
  const json stats = get_json(sim, "/admin/stats");

  std::map<std::string, int64_t> total, remaining;
  int64_t count = 0, lines = 0, malformed = 0;
  for (const json& inv : read_collection(sim, "invoices", 50)) {
    if (is_malformed(inv)) {
      ++malformed;
      continue;
    }
    ++count;
    lines += static_cast<int64_t>(inv.at("lines").size());
    total[text(inv, "currencyCode")] += money(inv, "totalAmountIncludingTax");
    remaining[text(inv, "currencyCode")] += money(inv, "remainingAmount");
  }
  const json& s = stats.at("invoices");
  CHECK(malformed > 0);
  CHECK(exact_integer(s.at("malformed")) == malformed);
  CHECK(exact_integer(s.at("count")) == count);
  CHECK(exact_integer(s.at("lines")) == lines);
  const auto check_sums = [](const json& served, const std::map<std::string, int64_t>& sums) {
    CHECK(served.size() == sums.size());
    for (const auto& [currency, minor] : sums) {
      CAPTURE(currency);
      const int exponent = currency == "JPY" ? 0 : currency == "KWD" ? 3 : 2;
      CHECK(decimal_to_minor(served.at(currency).get<std::string>(), exponent) == minor);
    }
  };
  check_sums(s.at("total"), total);
  check_sums(s.at("remaining"), remaining);

  std::map<std::string, int64_t> amount, unapplied;
  const std::vector<json> payments = read_collection(sim, "payments", 1000);
  for (const json& p : payments) {
    amount[text(p, "currencyCode")] += money(p, "amount");
    unapplied[text(p, "currencyCode")] += money(p, "unappliedAmount");
  }
  CHECK(exact_integer(stats["payments"]["count"]) == static_cast<int64_t>(payments.size()));
  check_sums(stats["payments"]["amount"], amount);
  check_sums(stats["payments"]["unapplied"], unapplied);

  std::map<std::string, int64_t> memo_total, memo_remaining;
  const std::vector<json> memos = read_collection(sim, "creditMemos", 1000);
  for (const json& m : memos) {
    memo_total[text(m, "currencyCode")] += money(m, "totalAmountIncludingTax");
    memo_remaining[text(m, "currencyCode")] += money(m, "remainingAmount");
  }
  CHECK(exact_integer(stats["creditMemos"]["count"]) == static_cast<int64_t>(memos.size()));
  check_sums(stats["creditMemos"]["total"], memo_total);
  check_sums(stats["creditMemos"]["remaining"], memo_remaining);

  const std::vector<json> customers = read_collection(sim, "customers", 1000);
  int64_t contacts = 0;
  for (const json& c : customers) contacts += static_cast<int64_t>(c.at("contacts").size());
  CHECK(exact_integer(stats["customers"]["count"]) == 25);
  CHECK(exact_integer(stats["customers"]["contacts"]) == contacts);
}

TEST_CASE("malformed invoices are the same every time, never applied to, and spoiled in rotation") {
  const std::vector<std::string> flags = {"--seed",     "9",   "--customers",      "20",
                                          "--invoices", "600", "--malformed-rate", "0.1"};
  ErpSimProcess first(flags);
  ErpSimProcess second(flags);
  const auto malformed_numbers = [](const ErpSimProcess& sim, std::map<std::string, int>& kinds) {
    std::set<std::string> numbers;
    for (const json& inv : read_collection(sim, "invoices", 1000)) {
      if (!is_malformed(inv)) continue;
      numbers.insert(text(inv, "number"));
      ++kinds[!inv.contains("id")                        ? "missing id"
              : text(inv, "invoiceDate") == "31/02/2025" ? "date"
                                                         : "amount"];
    }
    return numbers;
  };
  std::map<std::string, int> kinds, ignored;
  const std::set<std::string> spoiled = malformed_numbers(first, kinds);
  CHECK(spoiled == malformed_numbers(second, ignored));
  CHECK(spoiled.size() > 20);
  CHECK(kinds.size() == 3);
  // SI-0000042 is INV-0000042: no payment or credit memo applies to a spoiled invoice.
  for (const char* collection : {"payments", "creditMemos"})
    for (const json& doc : read_collection(first, collection, 1000))
      for (const json& app : doc.at("applications"))
        CHECK_FALSE(spoiled.contains("SI-" + text(app, "invoiceId").substr(4)));

  post_json(first, "/admin/faults", {{"malformed_rate", 0}});
  CHECK(malformed_numbers(first, ignored).empty());
  CHECK(exact_integer(get_json(first, "/admin/stats")["invoices"]["malformed"]) == 0);
  CHECK(exact_integer(get_json(first, "/admin/stats")["invoices"]["count"]) == 600);
}

TEST_CASE("a 429 fault carries Retry-After and a JSON error; admin endpoints are never faulted") {
  ErpSimProcess sim(kSmallCompany);
  post_json(sim, "/admin/faults", {{"rate_429", 1}, {"retry_after", 7}});
  const HttpReply reply = get(sim, "/odata/invoices?$top=5");
  CHECK(reply.status == 429);
  CHECK(reply.header("Retry-After") == "7");
  CHECK(json::parse(reply.body)["error"]["code"] == "TooManyRequests");
  CHECK(get(sim, "/admin/stats").status == 200);
  post_json(sim, "/admin/faults", json::object());  // replace: back to no faults
  CHECK(get(sim, "/odata/invoices?$top=5").status == 200);
}

TEST_CASE("error_rate answers 500 and 503 with a JSON error body") {
  ErpSimProcess sim({"--invoices", "50", "--error-rate", "1"});
  std::set<unsigned> codes;
  for (int i = 0; i < 30; ++i) {
    const HttpReply reply = get(sim, "/odata/payments");
    codes.insert(reply.status);
    CHECK(json::parse(reply.body)["error"]["message"].is_string());
  }
  CHECK(codes == std::set<unsigned>{500, 503});
}

TEST_CASE("a truncated response promises the full Content-Length, sends less, and closes") {
  ErpSimProcess sim({"--invoices", "200", "--truncate-rate", "1"});
  const HttpReply reply = get(sim, "/odata/invoices?$top=100");
  CHECK(reply.status == 200);
  CHECK_FALSE(reply.complete);
  const size_t promised = std::stoul(reply.header("Content-Length"));
  CHECK(reply.body.size() > 0);
  CHECK(reply.body.size() < promised);
  CHECK_THROWS(parse_exact(reply.body));
}

TEST_CASE("latency delays each request without blocking other connections") {
  // One server thread and 8 concurrent requests of 1.5 s each: served one after another they
  // would take >= 12 s. The bound leaves 7.5 s for a loaded CI machine (load 15 on 2 cores has
  // been seen); only serialisation fails it.
  ErpSimProcess sim({"--invoices", "50", "--threads", "1", "--latency-ms", "1500"});
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 8; ++i)
    replies.push_back(std::async(std::launch::async, [&] { return get(sim, "/odata/customers?$top=3"); }));
  for (auto& reply : replies) CHECK(reply.get().status == 200);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= std::chrono::milliseconds(1500));
  CHECK(elapsed < std::chrono::milliseconds(9000));
}

TEST_CASE("a bearer token is enforced on /odata only") {
  ErpSimProcess sim({"--invoices", "20", "--token", "s3cret"});
  const HttpReply missing = get(sim, "/odata/invoices");
  CHECK(missing.status == 401);
  CHECK(missing.header("WWW-Authenticate") == "Bearer");
  CHECK(get(sim, "/odata/invoices", {{"Authorization", "Bearer wrong"}}).status == 401);
  CHECK(get(sim, "/odata/invoices", {{"Authorization", "Bearer s3cret"}}).status == 200);
  CHECK(get(sim, "/admin/stats").status == 200);
}

TEST_CASE("unknown paths are 404 and bad query options are 400, with JSON errors") {
  ErpSimProcess sim({"--invoices", "20"});
  for (const char* target : {"/nope", "/odata/orders", "/odata", "/admin/nothing"}) {
    CAPTURE(target);
    const HttpReply reply = get(sim, target);
    CHECK(reply.status == 404);
    CHECK(json::parse(reply.body)["error"]["code"] == "NotFound");
  }
  for (const char* target :
       {"/odata/invoices?$top=0", "/odata/invoices?$top=abc", "/odata/invoices?$skiptoken=zz",
        "/odata/invoices?$filter=status%20eq%20'Open'", "/odata/invoices?$orderby=id",
        "/odata/invoices?$filter=lastModifiedDateTime%20ge%202025-13-01T00:00:00Z",
        "/odata/invoices?$filter=lastModifiedDateTime%20ge%20%ZZ"}) {
    CAPTURE(target);
    const HttpReply reply = get(sim, target);
    CHECK(reply.status == 400);
    CHECK(json::parse(reply.body)["error"]["message"].is_string());
  }
  CHECK(get(sim, "/odata/invoices?$top=999999").status == 200);  // clamped to 20000
}

TEST_CASE("the command line: --help, bad flags exit 2, port file matches stdout, SIGTERM exits 0") {
  arsync::test::TempDir dir;
  {
    arsync::test::ChildProcess help({ERP_SIM_BIN, {"--help"}, {}, dir.path()});
    const auto status = help.wait(std::chrono::seconds(10));
    REQUIRE(status);
    CHECK(status->ok());
    CHECK(help.stdout_text().find("--malformed-rate") != std::string::npos);
  }
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--bogus"},
                                             {"--invoices", "-5"},
                                             {"--error-rate", "2"},
                                             {"--seed"},
                                             {"--lines-min", "4", "--lines-max", "2"}}) {
    CAPTURE(bad[0]);
    arsync::test::ChildProcess child({ERP_SIM_BIN, bad, {}, dir.path()});
    const auto status = child.wait(std::chrono::seconds(10));
    REQUIRE(status);
    CHECK(status->exited);
    CHECK(status->code == 2);
    CHECK(child.stderr_text().starts_with("erp-sim: "));
  }
  ErpSimProcess sim({"--invoices", "10"});
  CHECK(sim.process().stdout_text() == "erp-sim listening on 127.0.0.1:" + std::to_string(sim.port()) + "\n");
  const auto status = sim.stop();
  CHECK(status.ok());
  // A SIGTERM the instant the port file appears is a clean stop too: the handler is installed
  // before the port is announced (it was not, and about one such stop in ten died of the signal).
  for (int i = 0; i < 50; ++i) {
    const std::filesystem::path port_file = dir.path() / ("port-" + std::to_string(i));
    arsync::test::ChildProcess quick(
        {ERP_SIM_BIN, {"--port", "0", "--port-file", port_file.string(), "--invoices", "1"}, {}, dir.path()});
    while (!std::filesystem::exists(port_file) && quick.running()) {
    }  // spin, no sleep: the signal must come as early as a client can send it
    quick.kill(SIGTERM);
    const auto stopped = quick.wait(std::chrono::seconds(10));
    REQUIRE(stopped);
    CHECK_MESSAGE(stopped->ok(), "stop " << i << ": " << stopped->describe());
  }
}
