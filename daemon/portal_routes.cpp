#include "daemon/portal_routes.hpp"

#include <fstream>
#include <sstream>

#include "connectors/hmac.hpp"
#include "daemon/portal_json.hpp"
#include "daemon/portal_query.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

using json = nlohmann::json;
using Segments = std::vector<std::string_view>;

constexpr int kMaxPage = 500;

ServerResponse ok_json(const json& body) {
  return {200, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
}

Result<std::int64_t> id_segment(std::string_view segment, std::string_view what) {
  if (auto id = parse_id(segment)) return *id;
  return fail(ErrorKind::kNotFound, "no " + std::string(what) + " '" + std::string(segment) + "' (ids are positive integers)",
              std::string(what));
}

Result<ServerResponse> list_customers(MirrorReader& reader, const ServerRequest& request) {
  auto q = QueryParams::parse(request.target, {"after", "limit"});
  if (!q) return fail(q.error());
  auto limit = q->integer("limit", 50, 1, kMaxPage);
  if (!limit) return fail(limit.error());
  auto page = reader.customers(q->text("after").value_or(""), static_cast<int>(*limit));
  if (!page) return fail(page.error());
  json items = json::array();
  for (const CustomerRow& c : page->items) items.push_back(to_json(c));
  return ok_json({{"items", std::move(items)}, {"next", page->next.empty() ? json() : json(page->next)}});
}

// Reads the invoice list's filters; amounts are decimal text in `currency` ("1250.00").
Result<InvoiceFilter> invoice_filter(const QueryParams& q) {
  InvoiceFilter f;
  auto statuses = q.list("status", {"open", "partially_paid", "paid", "void", "disputed"});
  auto overdue = q.flag("overdue");
  auto due_before = q.date("due_before");
  auto limit = q.integer("limit", 50, 1, kMaxPage);
  if (!statuses) return fail(statuses.error());
  if (!overdue) return fail(overdue.error());
  if (!due_before) return fail(due_before.error());
  if (!limit) return fail(limit.error());
  f.statuses = std::move(*statuses);
  f.overdue = *overdue;
  f.today = today_utc();
  f.due_before = std::move(*due_before);
  f.limit = static_cast<int>(*limit);
  f.after = q.text("after").value_or("");
  f.currency = q.text("currency").value_or("");
  if (!f.currency.empty() && !currency_exponent(f.currency))
    return fail(ErrorKind::kInvalidInput, "query parameter 'currency': '" + f.currency + "' is not an ISO 4217 code",
                "currency");
  for (auto [name, bound] : {std::pair{"min_total", &f.min_total}, std::pair{"max_total", &f.max_total}}) {
    auto text = q.text(name);
    if (!text) continue;
    if (f.currency.empty())
      return fail(ErrorKind::kInvalidInput,
                  std::string("query parameter '") + name + "' needs 'currency' (amounts are in one currency)", name);
    auto money = parse_money(*text, f.currency, {'.', '\0'});
    if (!money)
      return fail(ErrorKind::kInvalidInput,
                  std::string("query parameter '") + name + "': " + money.error().message, name);
    *bound = money->minor;
  }
  return f;
}

Result<ServerResponse> list_invoices(MirrorReader& reader, const ServerRequest& request, std::int64_t customer) {
  auto q = QueryParams::parse(request.target, {"status", "overdue", "due_before", "currency", "min_total",
                                               "max_total", "after", "limit"});
  if (!q) return fail(q.error());
  auto filter = invoice_filter(*q);
  if (!filter) return fail(filter.error());
  if (auto c = reader.customer(customer); !c) return fail(c.error());
  auto page = reader.invoices(customer, *filter);
  if (!page) return fail(page.error());
  json items = json::array();
  for (const InvoiceRow& i : page->items) items.push_back(to_json(i));
  return ok_json({{"items", std::move(items)}, {"next", page->next.empty() ? json() : json(page->next)}});
}

Result<ServerResponse> statement(MirrorReader& reader, const ServerRequest& request, std::int64_t customer) {
  auto q = QueryParams::parse(request.target, {"from", "as_of"});
  if (!q) return fail(q.error());
  auto as_of = q->date("as_of");
  auto from = q->date("from");
  if (!as_of) return fail(as_of.error());
  if (!from) return fail(from.error());
  if (as_of->empty()) *as_of = today_utc();
  if (from->empty()) *from = as_of->substr(0, 8) + "01";  // the first of as_of's month
  if (*from > *as_of)
    return fail(ErrorKind::kInvalidInput, "query parameter 'from': " + *from + " is after as_of " + *as_of, "from");
  auto s = reader.statement(customer, *from, *as_of);
  if (!s) return fail(s.error());
  return ok_json(to_json(*s));
}

Result<ServerResponse> list_documents(MirrorReader& reader, const ServerRequest& request, std::string_view owner,
                                      std::int64_t id) {
  if (auto q = QueryParams::parse(request.target, {}); !q) return fail(q.error());
  auto docs = reader.documents(owner, id);
  if (!docs) return fail(docs.error());
  json items = json::array();
  for (const DocumentRow& d : *docs) items.push_back(to_json(d));
  return ok_json({{"items", std::move(items)}});
}

// Serves a document's bytes with ETag = its sha256. Bytes whose hash does not match the
// recorded one are never served: a corrupted or replaced file is a 500 and an operator's log line.
Result<ServerResponse> document(MirrorReader& reader, const ServerRequest& request, std::int64_t id,
                                const std::filesystem::path& state_dir) {
  if (auto q = QueryParams::parse(request.target, {}); !q) return fail(q.error());
  auto doc = reader.document(id);
  if (!doc) return fail(doc.error());
  const std::string etag = "\"" + doc->meta.sha256 + "\"";
  std::string_view if_none_match = request.header("If-None-Match");
  if (!if_none_match.empty() && (if_none_match.find(etag) != std::string_view::npos || if_none_match == "*"))
    return ServerResponse{304, "", "", {{"ETag", etag}}};
  std::string bytes;
  if (doc->content) {
    bytes = std::move(*doc->content);
  } else {
    std::filesystem::path relative(doc->path);
    bool inside = relative.is_relative() && !doc->path.empty();
    for (const auto& part : relative) inside = inside && part != "..";
    std::ifstream in(state_dir / relative, std::ios::binary);
    if (!inside || !in) {
      log(LogLevel::kError, "document_unreadable",
          {{"document", id}, {"path", (state_dir / relative).string()}});
      return fail(ErrorKind::kIo, "document " + std::to_string(id) + " cannot be read (see the daemon's log)");
    }
    std::ostringstream content;
    content << in.rdbuf();
    bytes = std::move(content).str();
  }
  std::string actual = to_hex(sha256(bytes));
  if (actual != doc->meta.sha256) {
    log(LogLevel::kError, "document_corrupt",
        {{"document", id}, {"expected_sha256", doc->meta.sha256}, {"actual_sha256", actual},
         {"path", doc->path.empty() ? std::string("(inline)") : doc->path}});
    return fail(ErrorKind::kIo, "document " + std::to_string(id) +
                                    " failed its integrity check and is not served (see the daemon's log)");
  }
  return ServerResponse{200, doc->meta.media_type, std::move(bytes),
                        {{"ETag", etag},
                         {"Content-Disposition", "inline; filename=\"" + doc->meta.file_name + "\""}}};
}

Result<ServerResponse> changes(MirrorReader& reader, const ServerRequest& request) {
  auto q = QueryParams::parse(request.target, {"after", "limit"});
  if (!q) return fail(q.error());
  auto after = q->integer("after", 0, 0, std::numeric_limits<std::int64_t>::max());
  auto limit = q->integer("limit", 100, 1, 1000);
  if (!after) return fail(after.error());
  if (!limit) return fail(limit.error());
  auto page = reader.changes(*after, static_cast<int>(*limit));
  if (!page) return fail(page.error());
  return ok_json(to_json(*page));
}

Result<ServerResponse> route(MirrorReader& reader, const ServerRequest& request, const Segments& s,
                             const std::filesystem::path& state_dir) {
  auto not_found = [&] {
    return fail(ErrorKind::kNotFound, "no route " + std::string(request.path()) + " (see docs/portal-api.md)");
  };
  if (s.empty()) return not_found();
  if (s[0] == "changes" && s.size() == 1) return changes(reader, request);
  if (s[0] == "customers") {
    if (s.size() == 1) return list_customers(reader, request);
    auto id = id_segment(s[1], "customer");
    if (!id) return fail(id.error());
    if (s.size() == 2) {
      if (auto q = QueryParams::parse(request.target, {}); !q) return fail(q.error());
      auto c = reader.customer(*id);
      if (!c) return fail(c.error());
      return ok_json(to_json(*c));
    }
    if (s.size() == 3 && s[2] == "invoices") return list_invoices(reader, request, *id);
    if (s.size() == 3 && s[2] == "statement") return statement(reader, request, *id);
    if (s.size() == 3 && s[2] == "documents") {
      if (auto c = reader.customer(*id); !c) return fail(c.error());
      return list_documents(reader, request, "customer", *id);
    }
    return not_found();
  }
  if (s[0] == "invoices" && (s.size() == 2 || (s.size() == 3 && s[2] == "documents"))) {
    auto id = id_segment(s[1], "invoice");
    if (!id) return fail(id.error());
    auto detail = reader.invoice(*id);
    if (!detail) return fail(detail.error());
    if (s.size() == 3) return list_documents(reader, request, "invoice", *id);
    if (auto q = QueryParams::parse(request.target, {}); !q) return fail(q.error());
    return ok_json(to_json(*detail));
  }
  if ((s[0] == "credit-memos" || s[0] == "payments") && s.size() == 3 && s[2] == "documents") {
    auto id = id_segment(s[1], s[0] == "payments" ? "payment" : "credit memo");
    if (!id) return fail(id.error());
    return list_documents(reader, request, s[0] == "payments" ? "payment" : "credit_memo", *id);
  }
  if (s[0] == "documents" && s.size() == 2) {
    auto id = id_segment(s[1], "document");
    if (!id) return fail(id.error());
    return document(reader, request, *id, state_dir);
  }
  return not_found();
}

}  // namespace

ServerResponse json_error(int status, std::string_view code, std::string message) {
  json body = {{"error", {{"code", code}, {"message", std::move(message)}}}};
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
}

ServerResponse error_response(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
      return json_error(400, "bad_request", error.message);
    case ErrorKind::kNotFound:
      return json_error(404, "not_found", error.message);
    default:
      log(LogLevel::kError, "portal_read_failed", {{"error", error.describe()}});
      return json_error(500, "internal", error.message);
  }
}

std::vector<std::string_view> v1_segments(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(std::min<std::size_t>(path.size(), 3));  // "/v1"
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

bool is_write_resource(std::string_view resource) {
  for (std::string_view r :
       {"payments", "credit-requests", "disputes", "promises-to-pay", "messages", "profile-changes"})
    if (resource == r) return true;
  return false;
}

ServerResponse answer_read(MirrorReader& reader, const ServerRequest& request, const std::filesystem::path& state_dir) {
  auto answer = route(reader, request, v1_segments(request.path()), state_dir);
  return answer ? std::move(*answer) : error_response(answer.error());
}

}  // namespace arsync
