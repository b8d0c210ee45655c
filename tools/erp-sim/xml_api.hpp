// xml_api: the simulator's XML API (API.md "XML API"), shaped like the Sage Intacct XML gateway:
// one endpoint, POST /ia/xml/xmlgw.phtml, taking a <request> with <control> and <operation>,
// whose <content> holds functions: readByQuery (object, query on WHENMODIFIED or a payment's
// DESCRIPTION, pagesize), readMore (resultId), read (whole records by RECORDNO) and create of ARPYMT (a portal payment, through the
// same Dataset::write as the OData POST; <uniqueid>true</uniqueid> makes the function's controlid
// its idempotency key; drop_after_commit applies). Answers carry <status>success|failure</status> per function and an
// <errormessage> on failure — "200 with an error in the body", as Intacct does. Serves the same
// Dataset as the OData API; the FaultInjector's faults (500/503, 429 with Retry-After, latency,
// truncation, malformed invoices) apply here too.
//
// Paging is keyset like $skiptoken: a resultId carries the last record's key, so a record changed
// during a read moves to the end and is met there. Owned by tools/erp-sim (Api holds one).
// Thread-safe: handle() may run on several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/faults.hpp"

namespace pugi {
class xml_node;
}

namespace arsync::sim {

struct ApiRequest;
struct ApiResponse;

inline constexpr std::string_view kXmlGatewayPath = "/ia/xml/xmlgw.phtml";
// The errorno of a create whose control id was used before (with <uniqueid>true</uniqueid>).
inline constexpr std::string_view kDuplicateControlId = "SIM-DUPLICATE-CONTROLID";

class XmlApi {
 public:
  // `session`: when not empty, <authentication><sessionid> must equal it.
  XmlApi(Dataset& dataset, FaultInjector& faults, std::string session);
  XmlApi(const XmlApi&) = delete;
  XmlApi& operator=(const XmlApi&) = delete;

  ApiResponse handle(const ApiRequest& request);

 private:
  // One <function>'s <result>; `committed` is set when it created a record.
  std::string run_function(const pugi::xml_node& function, bool unique, bool& committed);
  std::string read(const pugi::xml_node& call, const std::string& controlid);
  std::string create(const pugi::xml_node& call, const std::string& controlid, bool unique, bool& committed);

  // Constant after construction
  Dataset& dataset_;
  FaultInjector& faults_;
  const std::string session_;
};

}  // namespace arsync::sim
