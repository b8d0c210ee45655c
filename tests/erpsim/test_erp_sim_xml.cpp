// erp-sim's XML API (tools/erp-sim/API.md "XML API"): the same company as the OData API, read
// with Intacct-style readByQuery/readMore through the real executable on a loopback port.
#include <doctest/doctest.h>

#include <map>
#include <pugixml.hpp>
#include <set>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace {

using arsync::test::ErpSimProcess;
using arsync::test::HttpReply;

const std::vector<std::string> kSmallCompany = {"--seed", "11", "--customers", "30", "--invoices", "400"};

std::string request(const std::string& function, const std::string& session = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request><control><senderid>t</senderid><controlid>c1"
         "</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></"
         "control><operation><authentication>"
         "<sessionid>" +
         session + "</sessionid></authentication><content><function controlid=\"f1\">" + function +
         "</function></content></operation></request>";
}

std::string read_by_query(const std::string& object, const std::string& query, int page_size) {
  return "<readByQuery><object>" + object + "</object><fields>*</fields><query>" + query +
         "</query><pagesize>" + std::to_string(page_size) + "</pagesize></readByQuery>";
}

HttpReply call(const ErpSimProcess& sim, const std::string& body) {
  return arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/ia/xml/xmlgw.phtml", body,
                                    {{"Content-Type", "application/xml"}});
}

struct Answer {
  HttpReply reply;
  pugi::xml_document doc;
  pugi::xml_node data() const {
    return doc.child("response").child("operation").child("result").child("data");
  }
};

void parse(Answer& a) {
  REQUIRE_MESSAGE(a.doc.load_string(a.reply.body.c_str()), a.reply.body.substr(0, 300));
}

nlohmann::json stats(const ErpSimProcess& sim) {
  auto reply = arsync::test::http_request("GET", "127.0.0.1", sim.port(), "/admin/stats");
  REQUIRE(reply.status == 200);
  return arsync::test::parse_exact(reply.body);
}

int exponent(const std::string& currency) { return currency == "JPY" ? 0 : currency == "KWD" ? 3 : 2; }

// Intacct's pair: `name` in the base currency (USD) is TRX_`name` (`trx` minor units of `currency`)
// at the record's EXCHANGE_RATE, rounded half away from zero to cents; equal for a USD record.
void check_base_amount(const pugi::xml_node& record, const char* name, std::int64_t trx, const std::string& currency) {
  INFO(name, " of ", record.child_value("RECORDNO"));
  CHECK(std::string(record.child_value("BASECURR")) == "USD");
  const auto base = arsync::test::decimal_to_minor(record.child_value(name), 2);
  if (currency == "USD") {
    CHECK(record.child("EXCHANGE_RATE").empty());
    CHECK(base == trx);
    return;
  }
  const auto millionths = arsync::test::decimal_to_minor(record.child_value("EXCHANGE_RATE"), 6);
  CHECK(millionths > 0);
  const __int128 numerator = static_cast<__int128>(trx) * millionths * 100;
  __int128 denominator = 1'000'000;
  for (int i = 0; i < exponent(currency); ++i) denominator *= 10;
  const auto expected = static_cast<std::int64_t>((numerator + (numerator >= 0 ? 1 : -1) * denominator / 2) / denominator);
  CHECK(base == expected);
}

}  // namespace

TEST_CASE("readByQuery then readMore serves every invoice once, with counts and sums equal to /admin/stats") {
  ErpSimProcess sim(kSmallCompany);
  std::set<long long> ids;
  std::map<std::string, std::int64_t> totals;
  std::string body = request(read_by_query("ARINVOICE", "", 37));
  long long expected_remaining = -1;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 100);
    Answer a{call(sim, body)};
    REQUIRE(a.reply.status == 200);
    CHECK(a.reply.header("Content-Type") == "application/xml");
    parse(a);
    pugi::xml_node data = a.data();
    REQUIRE(data);
    CHECK(std::string(data.attribute("listtype").value()) == "arinvoice");
    CHECK(data.attribute("totalcount").as_llong() == 400);
    for (pugi::xml_node invoice : data.children("arinvoice")) {
      CHECK(ids.insert(invoice.child("RECORDNO").text().as_llong()).second);
      std::string currency = invoice.child_value("CURRENCY");
      const auto total = arsync::test::decimal_to_minor(invoice.child_value("TRX_TOTALENTERED"), exponent(currency));
      totals[currency] += total;
      check_base_amount(invoice, "TOTALENTERED", total, currency);
      check_base_amount(invoice, "TOTALDUE",
                        arsync::test::decimal_to_minor(invoice.child_value("TRX_TOTALDUE"), exponent(currency)),
                        currency);
      CHECK(std::string(invoice.child_value("WHENMODIFIED")).size() == 19);  // MM/DD/YYYY HH:MM:SS
    }
    long long remaining = data.attribute("numremaining").as_llong(-1);
    if (expected_remaining >= 0) CHECK(remaining == expected_remaining - data.attribute("count").as_llong());
    expected_remaining = remaining;
    if (remaining == 0) {
      CHECK(std::string(data.attribute("resultId").value()).empty());
      break;
    }
    body = request(std::string("<readMore><resultId>") + data.attribute("resultId").value() +
                   "</resultId></readMore>");
  }
  auto s = stats(sim);
  CHECK(static_cast<std::int64_t>(ids.size()) == arsync::test::exact_integer(s["invoices"]["count"]));
  for (auto& [currency, value] : s["invoices"]["total"].items())
    CHECK(totals[currency] == arsync::test::decimal_to_minor(value.get<std::string>(), exponent(currency)));
}

TEST_CASE("a WHENMODIFIED query returns exactly the records changed since that second") {
  ErpSimProcess sim(kSmallCompany);
  auto mutated = arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                                            R"({"collection":"payments","action":"modify","count":4})");
  REQUIRE(mutated.status == 200);
  std::set<std::string> expected;
  const nlohmann::json changed = nlohmann::json::parse(mutated.body);
  for (auto& id : changed["ids"]) {
    std::string wire = id.get<std::string>();  // PAY-0000012 -> RECORDNO 12
    expected.insert(std::to_string(std::stoll(wire.substr(4))));
  }
  Answer a{call(sim, request(read_by_query("ARPYMT", "WHENMODIFIED >= '12/01/2025 00:00:00'", 100)))};
  parse(a);
  std::set<std::string> got;
  for (pugi::xml_node p : a.data().children("arpymt")) {
    got.insert(p.child_value("RECORDNO"));
    CHECK(std::string(p.child_value("DOCNUMBER")).ends_with("-R1"));
  }
  CHECK(expected.size() == 4);
  CHECK(got == expected);
}

TEST_CASE("a wrong session id is a sign-in failure written in a 200 answer") {
  ErpSimProcess sim({"--invoices", "10", "--customers", "5", "--token", "s3cret"});
  Answer bad{call(sim, request(read_by_query("CUSTOMER", "", 10), "nope"))};
  CHECK(bad.reply.status == 200);
  parse(bad);
  auto operation = bad.doc.child("response").child("operation");
  CHECK(std::string(operation.child("authentication").child_value("status")) == "failure");
  CHECK(std::string(operation.child("errormessage").child("error").child_value("errorno")) == "XL03000006");
  Answer good{call(sim, request(read_by_query("CUSTOMER", "", 10), "s3cret"))};
  parse(good);
  CHECK(good.data().attribute("count").as_int() == 5);
}

TEST_CASE("bad requests are failures the gateway names; injected faults apply to the XML API too") {
  ErpSimProcess sim({"--invoices", "10", "--customers", "5"});
  Answer broken{call(sim, "<request><control>")};
  parse(broken);
  CHECK(std::string(broken.doc.child("response").child("control").child_value("status")) == "failure");
  CHECK(
      std::string(broken.doc.child("response").child("errormessage").child("error").child_value("errorno")) ==
      "XL03000003");

  Answer unknown{call(sim, request("<readMore><resultId>RS-bogus</resultId></readMore>"))};
  parse(unknown);
  auto result = unknown.doc.child("response").child("operation").child("result");
  CHECK(std::string(result.child_value("status")) == "failure");
  CHECK(std::string(result.child("errormessage").child("error").child_value("errorno")) == "SIM-RESULTID");

  Answer bad_query{call(sim, request(read_by_query("ARINVOICE", "TOTALDUE > 0", 10)))};
  parse(bad_query);
  CHECK(std::string(bad_query.doc.select_node("//result/status").node().text().get()) == "failure");

  REQUIRE(arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/admin/faults",
                                     R"({"rate_429":1,"retry_after":3})")
              .status == 200);
  Answer limited{call(sim, request(read_by_query("ARINVOICE", "", 10)))};
  CHECK(limited.reply.status == 429);
  CHECK(limited.reply.header("Retry-After") == "3");
  parse(limited);
  CHECK(std::string(
            limited.doc.child("response").child("errormessage").child("error").child_value("errorno")) ==
        "GW-0010");

  REQUIRE(
      arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", R"({"truncate_rate":1})")
          .status == 200);
  Answer cut{call(sim, request(read_by_query("ARINVOICE", "", 10)))};
  CHECK_FALSE(cut.reply.complete);
}

namespace {

// A create of ARPYMT as arsync's intacct dialect sends it: the key as the function's control id.
std::string create_request(const std::string& key, const std::string& arpymt, bool unique = true) {
  return "<request><control><senderid>t</senderid><controlid>" + key + "</controlid><uniqueid>" +
         (unique ? "true" : "false") +
         "</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><sessionid/>"
         "</authentication><content><function controlid=\"" + key + "\"><create>" + arpymt +
         "</create></function></content></operation></request>";
}

std::string arpymt(const std::string& customer, const std::string& currency, const std::string& portal_ref,
                   const std::vector<std::pair<std::string, std::string>>& details) {
  std::string out = "<ARPYMT><FINANCIALENTITY>BOA</FINANCIALENTITY><PAYMENTMETHOD>Credit Card</PAYMENTMETHOD>"
                    "<CUSTOMERID>" + customer + "</CUSTOMERID><RECEIPTDATE>12/02/2025</RECEIPTDATE>"
                    "<DOCNUMBER>ch_1</DOCNUMBER><DESCRIPTION>" + portal_ref + "</DESCRIPTION><CURRENCY>" +
                    currency + "</CURRENCY><ARPYMTDETAILS>";
  for (const auto& [invoice, amount] : details)
    out += "<ARPYMTDETAIL><RECORDKEY>" + invoice + "</RECORDKEY><TRX_PAYMENTAMOUNT>" + amount +
           "</TRX_PAYMENTAMOUNT></ARPYMTDETAIL>";
  return out + "</ARPYMTDETAILS></ARPYMT>";
}

pugi::xml_node result_of(const Answer& a) { return a.doc.child("response").child("operation").child("result"); }
std::string errorno(const Answer& a) { return result_of(a).child("errormessage").child("error").child_value("errorno"); }

nlohmann::json writes(const ErpSimProcess& sim) {
  return nlohmann::json::parse(arsync::test::http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body);
}

// The first open invoice (STATE Posted) of the company, as the XML API serves it.
pugi::xml_node open_invoice(Answer& page) {
  parse(page);
  for (pugi::xml_node invoice : page.data().children("arinvoice"))
    if (std::string(invoice.child_value("STATE")) == "Posted") return invoice;
  FAIL("no open invoice in the first page");
  return {};
}

}  // namespace

TEST_CASE("create ARPYMT pays the invoice, a repeated control id creates nothing, DESCRIPTION finds it") {
  ErpSimProcess sim(kSmallCompany);
  Answer page{call(sim, request(read_by_query("ARINVOICE", "", 100)))};
  const pugi::xml_node invoice = open_invoice(page);
  const std::string record_no = invoice.child_value("RECORDNO"), due = invoice.child_value("TRX_TOTALDUE");
  const std::string customer = invoice.child_value("CUSTOMERID"), currency = invoice.child_value("CURRENCY");
  const std::string body = create_request("key-1", arpymt(customer, currency, "pp-1", {{record_no, due}}));
  const auto payments_before = arsync::test::exact_integer(stats(sim)["payments"]["count"]);

  Answer created{call(sim, body)};
  parse(created);
  INFO(created.reply.body);
  CHECK(std::string(result_of(created).child_value("status")) == "success");
  CHECK(std::string(result_of(created).child_value("controlid")) == "key-1");
  const std::string payment_no = result_of(created).child("data").child("arpymt").child_value("RECORDNO");
  CHECK_FALSE(payment_no.empty());

  // The same company as the OData API: the invoice is paid and the next delta read shows it.
  Answer changed{call(sim, request(read_by_query("ARINVOICE", "WHENMODIFIED >= '12/01/2025 00:00:00'", 100)))};
  parse(changed);
  REQUIRE(changed.data().attribute("count").as_int() == 1);
  const pugi::xml_node paid = changed.data().child("arinvoice");
  CHECK(std::string(paid.child_value("RECORDNO")) == record_no);
  CHECK(std::string(paid.child_value("STATE")) == "Paid");
  CHECK(arsync::test::decimal_to_minor(paid.child_value("TRX_TOTALDUE"), exponent(currency)) == 0);
  CHECK(arsync::test::exact_integer(stats(sim)["payments"]["count"]) == payments_before + 1);

  Answer again{call(sim, body)};
  parse(again);
  CHECK(std::string(result_of(again).child_value("status")) == "failure");
  CHECK(errorno(again) == "SIM-DUPLICATE-CONTROLID");
  CHECK(writes(sim)["payments"]["created"] == 1);

  Answer found{call(sim, request(read_by_query("ARPYMT", "DESCRIPTION = 'pp-1'", 2)))};
  parse(found);
  REQUIRE(found.data().attribute("count").as_int() == 1);
  const pugi::xml_node payment = found.data().child("arpymt");
  CHECK(std::string(payment.child_value("RECORDNO")) == payment_no);
  CHECK(std::string(payment.child_value("DESCRIPTION")) == "pp-1");
  CHECK(std::string(payment.child_value("PAYMENTMETHOD")) == "Credit Card");
  CHECK(std::string(payment.child("ARPYMTDETAILS").child("arpymtdetail").child_value("RECORDKEY")) == record_no);
  Answer other{call(sim, request(read_by_query("ARINVOICE", "DESCRIPTION = 'pp-1'", 2)))};
  parse(other);
  CHECK(other.data().attribute("count").as_int() == 0);
  Answer missing{call(sim, request(read_by_query("ARPYMT", "DESCRIPTION = 'pp-2'", 2)))};
  parse(missing);
  CHECK(missing.data().attribute("count").as_int() == 0);
  CHECK(std::string(missing.data().attribute("numremaining").value()) == "0");
}

TEST_CASE("create ARPYMT refusals name the rule; drop_after_commit commits and answers nothing") {
  ErpSimProcess sim(kSmallCompany);
  Answer page{call(sim, request(read_by_query("ARINVOICE", "", 100)))};
  const pugi::xml_node invoice = open_invoice(page);
  const std::string record_no = invoice.child_value("RECORDNO"), currency = invoice.child_value("CURRENCY");
  const std::string customer = invoice.child_value("CUSTOMERID");
  const auto due = arsync::test::decimal_to_minor(invoice.child_value("TRX_TOTALDUE"), exponent(currency));
  const std::string more = std::to_string(due + 1);  // minor units: JPY has no decimals, the rest are read exactly
  const std::string over = exponent(currency) == 0 ? more : more.substr(0, more.size() - exponent(currency)) + "." +
                                                                 more.substr(more.size() - exponent(currency));

  Answer exceeds{call(sim, create_request("k-over", arpymt(customer, currency, "pp-o", {{record_no, over}})))};
  parse(exceeds);
  CHECK(errorno(exceeds) == "ApplicationExceedsRemaining");
  Answer unknown{call(sim, create_request("k-unk", arpymt(customer, currency, "pp-u", {{"999999", "1"}})))};
  parse(unknown);
  CHECK(errorno(unknown) == "UnknownInvoice");
  Answer advance{call(sim, create_request("k-adv", arpymt(customer, currency, "pp-a", {})))};
  parse(advance);
  CHECK(errorno(advance) == "MissingField");
  CHECK(writes(sim)["payments"]["created"] == 0);
  CHECK(writes(sim)["payments"]["rejected"] == 3);

  REQUIRE(arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/admin/faults",
                                     R"({"drop_after_commit_rate":1})").status == 200);
  CHECK_THROWS(call(sim, create_request("k-drop", arpymt(customer, currency, "pp-d", {{record_no, "1"}}))));
  CHECK(writes(sim)["payments"]["created"] == 1);
  Answer found{call(sim, request(read_by_query("ARPYMT", "DESCRIPTION = 'pp-d'", 2)))};
  parse(found);
  CHECK(found.data().attribute("count").as_int() == 1);
  // Without <uniqueid>true the control id is not checked: each request creates a payment.
  REQUIRE(arsync::test::http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", "{}").status == 200);
  for (int i = 0; i < 2; ++i) {
    Answer twice{call(sim, create_request("k-free", arpymt(customer, currency, "pp-f", {{record_no, "1"}}), false))};
    parse(twice);
    CHECK(std::string(result_of(twice).child_value("status")) == "success");
  }
  CHECK(writes(sim)["payments"]["created"] == 3);
}
