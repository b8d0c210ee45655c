#include "daemon/portal_writes.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"
#include "daemon/outbox_worker.hpp"
#include "daemon/portal_query.hpp"
#include "daemon/request_reader.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxKeyLength = 255;
// A group holds the mirror's write lock while its writes run (a few ms each): bounded, so a
// sync run waiting for the lock is never held back long.
constexpr std::size_t kMaxGroup = 128;

ServerResponse json_answer(int status, const std::string& body) {
  return {status, "application/json", body, {}};
}

ServerResponse error_answer(int status, std::string_view code, std::string_view message,
                            const std::vector<FieldError>& fields = {}) {
  json error{{"code", code}, {"message", message}};
  if (!fields.empty()) {
    json list = json::array();
    for (const FieldError& f : fields) list.push_back({{"field", f.field}, {"message", f.message}});
    error["fields"] = std::move(list);
  }
  return json_answer(status, json{{"error", std::move(error)}}.dump());
}

// A fresh portal id: a prefix naming the kind and 128 random bits.
std::string portal_id(std::string_view prefix) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing safe to do
  return std::string(prefix) + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

json money_json(std::int64_t minor, const std::string& currency) {
  return {{"amount", format_amount(Money{minor, currency})}, {"currency", currency}};
}

constexpr std::string_view kMethods[] = {"card", "ach", "eft", "paypal", "check"};

struct Parsed {
  std::string answer;
  std::string kind;  // the outbox kind, for push targets
  std::function<Result<PortalWriteResult>(MirrorStore&, const ApiWrite&)> commit;
  // Profile changes: the customer fields changed, each of which the target's push mapping
  // must send (add_unsent_fields).
  std::vector<std::string> fields = {};
};

std::optional<Parsed> parse_payment(RequestReader& in, std::string_view principal) {
  PortalPaymentWrite p;
  p.portal_id = portal_id("pay_");
  p.customer_id = in.id("customer_id");
  p.method = in.one_of("method", kMethods);
  p.reference = in.text("reference", false, 200);
  p.payment_date = in.date("payment_date", false).value_or(today_utc());
  const auto amount = in.money("amount", true);
  if (amount) p.currency = amount->currency, p.amount = amount->minor;
  json applications = json::array();
  in.each("applications", false, [&](RequestReader& item, const std::string& at) {
    PortalPaymentWrite::Application a;
    a.invoice_id = item.id("invoice_id");
    const auto applied = item.money("amount", true);
    if (applied) {
      a.amount = applied->minor;
      if (amount && applied->currency != amount->currency)
        in.error(at + ".amount", "currency " + applied->currency + " differs from the payment's " + amount->currency);
    }
    p.applications.push_back(a);
    applications.push_back({{"invoice_id", a.invoice_id}, {"amount", money_json(a.amount, p.currency)}});
  });
  if (!in.ok()) return std::nullopt;
  json answer{{"id", p.portal_id},
              {"object", "payment"},
              {"status", "pending"},
              {"customer_id", p.customer_id},
              {"method", p.method},
              {"payment_date", p.payment_date},
              {"amount", money_json(p.amount, p.currency)},
              {"applications", std::move(applications)},
              {"created_by", principal}};
  if (!p.reference.empty()) answer["reference"] = p.reference;
  return Parsed{answer.dump(), "payment",
                [p = std::move(p)](MirrorStore& store, const ApiWrite& api) { return store.write_portal_payment(api, p); }};
}

constexpr std::string_view kDisputeReasons[] = {"pricing", "quantity", "damaged", "not_received",
                                                "duplicate", "terms", "other"};
constexpr std::string_view kCreditReasons[] = {"pricing", "quantity", "damaged", "not_received", "duplicate",
                                               "return", "goodwill", "other"};
constexpr std::size_t kMaxText = 4000;

std::optional<Parsed> parse_dispute(RequestReader& in, std::string_view principal) {
  DisputeWrite d;
  d.portal_id = portal_id("dsp_");
  d.invoice_id = in.id("invoice_id");
  d.reason_code = in.one_of("reason_code", kDisputeReasons);
  d.text = in.text("text", false, kMaxText);
  const auto amount = in.money("amount", false);
  if (amount) d.amount = amount->minor, d.currency = amount->currency;
  if (!in.ok()) return std::nullopt;
  json answer{{"id", d.portal_id}, {"object", "dispute"},          {"status", "open"},
              {"invoice_id", d.invoice_id}, {"reason_code", d.reason_code}, {"text", d.text},
              {"created_by", principal}};
  if (d.amount) answer["amount"] = money_json(*d.amount, d.currency);
  return Parsed{answer.dump(), "dispute",
                [d = std::move(d)](MirrorStore& store, const ApiWrite& api) { return store.write_dispute(api, d); }};
}

std::optional<Parsed> parse_promise(RequestReader& in, std::string_view principal) {
  PromiseWrite p;
  p.portal_id = portal_id("ptp_");
  p.customer_id = in.id("customer_id");
  const auto date = in.date("promised_date", true);
  if (date && *date < today_utc()) in.error("promised_date", "is in the past (today is " + today_utc() + ")");
  p.promised_date = date.value_or("");
  const auto amount = in.money("amount", true);
  if (amount) p.amount = amount->minor, p.currency = amount->currency;
  p.invoice_ids = in.ids("invoice_ids", true);
  p.note = in.text("note", false, kMaxText);
  if (!in.ok()) return std::nullopt;
  json answer{{"id", p.portal_id},           {"object", "promise_to_pay"},  {"status", "open"},
              {"customer_id", p.customer_id}, {"promised_date", p.promised_date},
              {"amount", money_json(p.amount, p.currency)}, {"invoice_ids", p.invoice_ids},
              {"created_by", principal}};
  if (!p.note.empty()) answer["note"] = p.note;
  return Parsed{answer.dump(), "promise_to_pay",
                [p = std::move(p)](MirrorStore& store, const ApiWrite& api) { return store.write_promise(api, p); }};
}

std::optional<Parsed> parse_message(RequestReader& in, std::string_view principal) {
  MessageWrite m;
  m.portal_id = portal_id("msg_");
  m.customer_id = in.id("customer_id");
  m.invoice_id = in.optional_id("invoice_id");
  m.body = in.text("body", true, kMaxText);
  if (!in.ok()) return std::nullopt;
  json answer{{"id", m.portal_id}, {"object", "message"},    {"customer_id", m.customer_id},
              {"body", m.body},    {"direction", "inbound"}, {"created_by", principal}};
  if (m.invoice_id) answer["invoice_id"] = *m.invoice_id;
  return Parsed{answer.dump(), "message",
                [m = std::move(m)](MirrorStore& store, const ApiWrite& api) { return store.write_message(api, m); }};
}

std::optional<Parsed> parse_credit_request(RequestReader& in, std::string_view principal) {
  CreditRequestWrite r;
  r.portal_id = portal_id("crq_");
  r.customer_id = in.id("customer_id");
  r.invoice_id = in.optional_id("invoice_id");
  const auto amount = in.money("amount", true);
  if (amount) r.amount = amount->minor, r.currency = amount->currency;
  r.reason_code = in.one_of("reason_code", kCreditReasons);
  r.text = in.text("text", false, kMaxText);
  if (!in.ok()) return std::nullopt;
  json answer{{"id", r.portal_id},       {"object", "credit_request"}, {"status", "pending"},
              {"customer_id", r.customer_id}, {"amount", money_json(r.amount, r.currency)},
              {"reason_code", r.reason_code}, {"text", r.text},          {"created_by", principal}};
  if (r.invoice_id) answer["invoice_id"] = *r.invoice_id;
  return Parsed{answer.dump(), "credit_request", [r = std::move(r)](MirrorStore& store, const ApiWrite& api) {
                  return store.write_credit_request(api, r);
                }};
}

std::optional<Parsed> parse_profile_change(RequestReader& in, std::string_view principal) {
  ProfileChangeWrite c;
  c.portal_id = portal_id("pfc_");
  c.customer_id = in.id("customer_id");
  json changes = json::array();
  std::vector<std::string> fields;
  in.each("changes", true, [&](RequestReader& item, const std::string& at) {
    ProfileChangeWrite::Change change;
    change.field = item.text("field", true, 64);
    change.from = item.nullable_text("from", 500);
    // "to": null (or "") clears the field; a missing "to" is a mistake, not a clear.
    if (!item.has("to")) in.error(at + ".to", "is required: the new value, or null to clear the field");
    change.to = item.nullable_text("to", 500);
    if (change.from && change.from->empty()) change.from.reset();
    if (change.to && change.to->empty()) change.to.reset();
    fields.push_back(change.field);
    changes.push_back({{"field", change.field},
                       {"from", change.from ? json(*change.from) : json()},
                       {"to", change.to ? json(*change.to) : json()}});
    c.changes.push_back(std::move(change));
  });
  if (!in.ok()) return std::nullopt;
  json answer{{"id", c.portal_id},           {"object", "profile_change"}, {"status", "pending"},
              {"customer_id", c.customer_id}, {"changes", std::move(changes)}, {"created_by", principal}};
  return Parsed{answer.dump(), "profile_change",
                [c = std::move(c)](MirrorStore& store, const ApiWrite& api) { return store.write_profile_change(api, c); },
                std::move(fields)};
}

// A profile change's field that a target's customer push mapping does not name would be
// silently left out of the ERP's request: the store refuses it like a push: cannot_carry: field.
void add_unsent_fields(const Generation& generation, std::string_view entity, const std::vector<std::string>& fields,
                       ApiWrite& api) {
  for (const std::string& target : api.push_targets) {
    const StreamEntry* stream = generation.push_stream(target, entity);
    if (!stream) continue;
    const Mapping& mapping = generation.mapping(*stream);
    for (const std::string& field : fields)
      if (!mapping.push_sends(field))
        api.cannot_carry.push_back({target, field,
                                    "its push mapping (" + stream->mapping.filename().string() +
                                        ") sends no value for it"});
  }
}

// The write routes: path -> parser.
using Parser = std::optional<Parsed> (*)(RequestReader&, std::string_view);
constexpr std::pair<std::string_view, Parser> kRoutes[] = {
    {"/v1/payments", &parse_payment},         {"/v1/disputes", &parse_dispute},
    {"/v1/promises-to-pay", &parse_promise},         {"/v1/messages", &parse_message},
    {"/v1/credit-requests", &parse_credit_request}, {"/v1/profile-changes", &parse_profile_change},
};

}  // namespace

PortalWrites::PortalWrites(MirrorStore& store, CurrentGeneration current, std::function<void()> on_queued)
    : store_(store),
      current_(std::move(current)),
      on_queued_(std::move(on_queued)),
      writer_([this](std::stop_token stop) { write_loop(stop); }) {}

PortalWrites::~PortalWrites() { stop(); }

void PortalWrites::handle(const ServerRequest& request, std::string_view principal, Respond respond) {
  if (request.method != "POST")
    return respond(error_answer(405, "MethodNotAllowed", "portal writes are POSTs"));
  const std::string_view key = request.header("Idempotency-Key");
  if (key.empty() || key.size() > kMaxKeyLength)
    return respond(error_answer(400, "IdempotencyKeyRequired",
                                "every POST needs an Idempotency-Key header of 1 to 255 characters, the same for "
                                "every retry of the request"));
  auto reader = RequestReader::parse(request.body);
  if (!reader) return respond(error_answer(400, "BadJson", reader.error().message));

  const std::string_view path = request.path();
  const auto route = std::find_if(std::begin(kRoutes), std::end(kRoutes), [&](const auto& r) { return r.first == path; });
  if (route == std::end(kRoutes))
    return respond(error_answer(404, "NotFound",
                                "no portal write at " + std::string(path) +
                                    " (payments, disputes, promises-to-pay, messages, credit-requests, profile-changes)"));
  std::optional<Parsed> parsed = route->second(*reader, principal);
  reader->reject_unknown_members();
  if (!parsed || !reader->ok())
    return respond(error_answer(422, "ValidationFailed", "the request has invalid fields", reader->errors()));

  Job job;
  job.api.principal = principal;
  job.api.idempotency_key = key;
  job.api.request_hash = to_hex(sha256(request.method + " " + std::string(path) + "\n" + request.body));
  job.api.answer = std::move(parsed->answer);
  const auto generation = current_();
  job.api.push_targets = generation->push_targets(push_entity(parsed->kind));
  job.api.cannot_carry = generation->cannot_carry(push_entity(parsed->kind));
  add_unsent_fields(*generation, push_entity(parsed->kind), parsed->fields, job.api);
  job.commit = std::move(parsed->commit);
  job.respond = std::move(respond);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void PortalWrites::stop() {
  writer_.request_stop();
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void PortalWrites::write_loop(std::stop_token stop) {
  for (;;) {
    std::vector<Job> group;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything accepted has been answered
      const std::size_t n = std::min(queue_.size(), kMaxGroup);
      group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    commit_group(group);
  }
}

// Nothing is answered before the group's COMMIT: until then even a "created" write can vanish.
void PortalWrites::commit_group(std::vector<Job>& group) {
  std::vector<Result<PortalWriteResult>> results;
  results.reserve(group.size());
  auto committed = store_.group_portal_writes([&] {
    for (Job& job : group) results.push_back(job.commit(store_, job.api));
  });
  if (!committed) {
    log(LogLevel::kError, "portal_group_commit_failed",
        {{"writes", std::to_string(group.size())}, {"error", committed.error().describe()}});
    for (Job& job : group)
      job.respond(error_answer(503, "Unavailable", "the write could not be stored; send it again"));
    return;
  }
  const bool queued = std::any_of(results.begin(), results.end(), [](const Result<PortalWriteResult>& r) {
    return r && r->kind == PortalWriteResult::Kind::kCreated && r->outbox_id;
  });
  if (queued) on_queued_();
  for (std::size_t i = 0; i < group.size(); ++i) answer(group[i], std::move(results[i]));
}

void PortalWrites::answer(Job& job, Result<PortalWriteResult> result) {
  if (!result) {
    log(LogLevel::kError, "portal_write_failed", {{"key", job.api.idempotency_key}, {"error", result.error().describe()}});
    return job.respond(error_answer(503, "Unavailable", "the write could not be stored; send it again"));
  }
  switch (result->kind) {
    case PortalWriteResult::Kind::kCreated:
      return job.respond(json_answer(201, result->answer));
    case PortalWriteResult::Kind::kReplayed:
      return job.respond(json_answer(result->status, result->answer));
    case PortalWriteResult::Kind::kKeyReused:
      return job.respond(error_answer(422, "IdempotencyKeyReused",
                                      "this Idempotency-Key was used for a different request; use a new key"));
    case PortalWriteResult::Kind::kInvalid:
      return job.respond(error_answer(422, "ValidationFailed", "the request has invalid fields", result->errors));
  }
}

}  // namespace arsync
