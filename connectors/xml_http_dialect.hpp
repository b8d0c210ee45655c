// XmlDialect: what differs between XML ERP APIs that xml-http speaks — the request envelope
// (and where credentials go), how a paged read continues, how the ERP says "failed" inside a
// body, and where a created record's id is. Two dialects, both as their vendors document them:
//
//  - intacct: Sage Intacct's XML gateway. <request><control/><operation><authentication/>
//    <content><function controlid=..>OP</function></content></operation></request>; paging by
//    readByQuery, then readMore with <data resultId=..> while numremaining > 0; failures are
//    <status>failure</status> with <errormessage><error><errorno/><description/>... at the
//    control, authentication or result level (often with HTTP 200); GW-0010 is the rate limit.
//  - netsuite: NetSuite SuiteTalk SOAP (document/literal, SOAP 1.1). Token-based auth in a
//    <tokenPassport> header (HMAC-SHA256 signature), search preferences (pageSize) in the header;
//    paging by search, then searchMoreWithId(searchId, pageIndex + 1) while pageIndex <
//    totalPages; failures are SOAP Faults (exceededConcurrentRequestLimitFault and friends) or
//    <status isSuccess="false"> with statusDetail code/message.
//
// The parsed page is read here once; nothing is re-parsed. Immutable after creation; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/http_transport.hpp"
#include "schema/result.hpp"

namespace pugi {
class xml_document;
}

namespace arsync {

// Credentials and per-request values an envelope is filled with. Secrets are XML-escaped into the
// body and never logged.
struct XmlAuth {
  // intacct: Web Services sender, plus either a session id or a company user login
  std::string sender_id, sender_password, session_id, company_id, user_id, user_password;
  // netsuite: token-based authentication
  std::string account, consumer_key, consumer_secret, token_id, token_secret;
};

struct XmlCall {
  std::string operation;    // the function/operation element ("<readByQuery>..</readByQuery>")
  std::string soap_action;  // netsuite: "search", "searchMoreWithId", "add"; unused by intacct
};

// A failure the ERP wrote in a response body, classified. `restart` marks a transient failure
// that repeating the same request cannot cure (NetSuite's expired searchId: the next run starts
// the search again from the cursor).
struct XmlFailure {
  Error error;
  bool restart = false;
  std::vector<std::string> codes;  // the ERP's own error codes (errorno, fault or status code)
};

class XmlDialect {
 public:
  virtual ~XmlDialect() = default;
  virtual std::string_view name() const = 0;

  // The default XPath of a page's records (a stream's `records` overrides it).
  virtual std::string_view default_records() const = 0;

  // The whole HTTP request body for `call`. `control_id` identifies the request (Intacct echoes
  // it; with `unique` the ERP refuses a second request with the same id: push idempotency).
  virtual std::string envelope(const XmlCall& call, const std::string& control_id, bool unique,
                               std::int64_t page_size) const = 0;
  virtual HttpHeaders headers(const XmlCall& call) const = 0;

  // The failure the body reports, or nullopt when it says success. `http_status` is the answer's:
  // what it adds to the body differs (SOAP 1.1 sends every fault with 500; Intacct's gateway
  // answers 5xx only when it failed mid-process). `extra_transient` are codes the config adds to
  // the dialect's own transient ones.
  virtual std::optional<XmlFailure> failure(
      const pugi::xml_document& page, int http_status,
      const std::set<std::string, std::less<>>& extra_transient) const = 0;

  // Whether a failure the ERP wrote in an answer with this HTTP status may come after a write
  // was done (a push then looks its key up before any re-send). Intacct: a 5xx means it failed
  // mid-process; NetSuite: no (SOAP 1.1 sends every fault with 500; the fault says what happened).
  virtual bool failure_may_follow_write(int http_status) const = 0;

  // The page token for the next page of a read ("" when this page was the last).
  virtual std::string continuation(const pugi::xml_document& page) const = 0;
  // The call that reads the page `token` names.
  virtual XmlCall next_call(std::string_view token) const = 0;

  // The id the ERP gave a record created by a push ("" if the answer names none).
  virtual std::string created_id(const pugi::xml_document& answer) const = 0;
};

// "intacct" or "netsuite" (nullptr otherwise), with the auth and NetSuite's WSDL version
// ("2024_2", used in namespaces) it fills envelopes with.
std::unique_ptr<XmlDialect> make_xml_dialect(std::string_view name, XmlAuth auth,
                                             std::string netsuite_version);

// XML-escapes text for an element's content or an attribute value.
std::string xml_escape(std::string_view text);

}  // namespace arsync
