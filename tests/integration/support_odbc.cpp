#include "tests/integration/support_odbc.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <stdexcept>

#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace arsync::test {
namespace {

namespace fs = std::filesystem;

// Every record of an erp-sim collection, following @odata.nextLink.
std::vector<nlohmann::json> read_collection(const ErpSimProcess& sim, const std::string& name) {
  std::vector<nlohmann::json> out;
  std::string target = "/odata/" + name + "?$top=20000";
  while (!target.empty()) {
    auto reply = http_request("GET", "127.0.0.1", sim.port(), target);
    if (reply.status != 200) throw std::runtime_error("erp-sim " + target + ": " + reply.body);
    auto page = parse_exact(reply.body);
    for (auto& record : page["value"]) out.push_back(std::move(record));
    target.clear();
    if (page.contains("@odata.nextLink")) {
      std::string next = page["@odata.nextLink"].get<std::string>();
      target = next.substr(next.find("/odata/"));
    }
  }
  return out;
}

// A value in COPY's text format: exact number text, t/f, \N for null, escaped strings.
std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "\\N";
  if (is_exact_number(value)) return number_text(value);
  if (value.is_boolean()) return value.get<bool>() ? "t" : "f";
  if (value.is_number()) return value.dump();  // our own counters (seq)
  std::string out;
  for (char c : value.get<std::string>()) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

class CopyFile {
 public:
  CopyFile(const PostgresProcess& pg, std::string table)
      : table_(std::move(table)), path_(pg.scratch() / (table_ + ".tsv")), out_(path_) {}
  void row(std::initializer_list<nlohmann::json> values) {
    bool first = true;
    for (const auto& v : values) out_ << (first ? "" : "\t") << cell(v), first = false;
    out_ << '\n';
  }
  // The COPY statement, its file named by the psql variable `table_` (add_to() sets it).
  std::string sql() {
    out_.close();
    return "COPY " + table_ + " FROM :'" + table_ + "';\n";
  }
  void add_to(std::map<std::string, std::string>& values) const { values[table_] = path_.string(); }

 private:
  std::string table_;
  fs::path path_;
  std::ofstream out_;
};

void add_applications(CopyFile& file, const char* type, const nlohmann::json& record) {
  int seq = 0;
  for (const auto& a : record["applications"])
    file.row({type, record["id"], ++seq, a["invoiceId"], a["amount"], a["appliedDate"]});
}

}  // namespace

std::int64_t load_company(const PostgresProcess& pg, const ErpSimProcess& sim) {
  pg.psql(read_text_file(fs::path(ARSYNC_SOURCE_DIR) / "tests/fixtures/odbc/ar_schema.sql") +
          "\nALTER SCHEMA public OWNER TO arsync;\n");
  CopyFile customers(pg, "ar_customer"), contacts(pg, "ar_contact"), invoices(pg, "ar_invoice"),
      lines(pg, "ar_invoice_line"), payments(pg, "ar_payment"), memos(pg, "ar_credit_memo"),
      applications(pg, "ar_application");
  for (const auto& c : read_collection(sim, "customers")) {
    const auto& a = c["address"];
    customers.row({c["id"], c["number"], c["displayName"], c["currencyCode"], c["creditLimit"],
                   c["paymentTermsCode"], c["taxRegistrationNumber"], c["email"], c["phoneNumber"],
                   c["blocked"], a["street"], a["city"], a["state"], a["postalCode"], a["countryLetterCode"],
                   c["lastModifiedDateTime"]});
    for (const auto& k : c["contacts"])
      contacts.row(
          {k["id"], c["id"], k["displayName"], k["jobTitle"], k["email"], k["phoneNumber"], k["isPrimary"]});
  }
  std::int64_t invoice_count = 0;
  for (const auto& i : read_collection(sim, "invoices")) {
    ++invoice_count;
    invoices.row({i["id"], i["number"], i["customerId"], i["invoiceDate"], i["dueDate"], i["currencyCode"],
                  i["totalAmountExcludingTax"], i["totalTaxAmount"], i["totalAmountIncludingTax"],
                  i["remainingAmount"], i["status"], i["externalDocumentNumber"], i["paymentTermsCode"],
                  i["lastModifiedDateTime"]});
    for (const auto& l : i["lines"])
      lines.row({i["id"], l["sequence"], l["itemNumber"], l["description"], l["quantity"], l["unitPrice"],
                 l["amountExcludingTax"], l["taxAmount"]});
  }
  for (const auto& p : read_collection(sim, "payments")) {
    payments.row({p["id"], p["number"], p["customerId"], p["paymentDate"], p["paymentMethod"], p["reference"],
                  p["currencyCode"], p["amount"], p["unappliedAmount"], p["lastModifiedDateTime"], nullptr});
    add_applications(applications, "payment", p);
  }
  for (const auto& m : read_collection(sim, "creditMemos")) {
    memos.row({m["id"], m["number"], m["customerId"], m["creditMemoDate"], m["currencyCode"],
               m["totalAmountIncludingTax"], m["remainingAmount"], m["status"], m["reason"],
               m["lastModifiedDateTime"]});
    add_applications(applications, "credit_memo", m);
  }
  std::string copy = "BEGIN;\n" + customers.sql() + contacts.sql() + invoices.sql() + lines.sql() +
                     payments.sql() + memos.sql() + applications.sql() +
                     "COMMIT;\nGRANT ALL ON ALL TABLES IN SCHEMA public TO arsync;\nGRANT ALL ON ALL SEQUENCES IN SCHEMA public TO arsync;\nANALYZE;\n";
  std::map<std::string, std::string> files;
  for (const CopyFile* f : {&customers, &contacts, &invoices, &lines, &payments, &memos, &applications})
    f->add_to(files);
  pg.psql(copy, files);
  return invoice_count;
}

OdbcDeployment::OdbcDeployment(const PostgresProcess& pg, std::map<std::string, std::string> env,
                               const std::string& top_extra)
    : dir_("arsync-odbc"), config_(example()) {
  if (!top_extra.empty()) {
    std::string text = read_text_file(example());
    const std::string key = "mapping: ";
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1))
      text.insert(at + key.size(), (example().parent_path() / "").string());
    config_ = dir_.path() / "arsync.yaml";
    std::ofstream(config_) << text << "\n" << top_extra;
  }
  env_ = {{"ARSYNC_MIRROR", mirror().string()},
          {"ERP_DB_PORT", std::to_string(pg.port())},
          {"ERP_DB_PASSWORD", pg.password()},
          {"ODBC_BACKOFF", "20ms"}};
  for (auto& [k, v] : env) {
    std::erase_if(env_, [&](const auto& e) { return e.first == k; });
    env_.emplace_back(k, v);
  }
}

fs::path OdbcDeployment::example() {
  return fs::path(ARSYNC_SOURCE_DIR) / "etc/mappings/examples/odbc/arsync.example.yaml";
}

std::unique_ptr<ChildProcess> OdbcDeployment::start(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--config", config_.string()});
  return std::make_unique<ChildProcess>(ChildOptions{ARSYNC_BIN, std::move(args), env_, dir_.path()});
}

SyncDeployment::Run OdbcDeployment::run(std::vector<std::string> args,
                                        std::chrono::milliseconds timeout) const {
  auto child = start(std::move(args));
  auto status = child->wait(timeout);
  if (!status) {
    child->kill(SIGKILL);
    FAIL("arsync did not finish in time; stderr:\n" << child->stderr_text());
  }
  return {*status, child->stdout_text(), child->stderr_text()};
}

}  // namespace arsync::test
